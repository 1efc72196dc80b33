"""Extensions and fields of one API kind used in a document imported as the other kind.

REST (``apigateway``) and HTTP (``apigatewayv2``) import read different subsets of the
extensions; what the other kind's import does not read is dropped without an error. These
rules report *presence* only; the values of integration fields are checked elsewhere.

Field lists follow reference section 1 and the botocore models: a field is HTTP-only when
the REST ``Integration``/``Authorizer`` shapes have no such member, and REST-only when the
``apigatewayv2`` shapes lack it or document it as "Supported only for WebSocket APIs".
``passthroughBehavior`` is not reported on HTTP APIs (AWS's own HTTP API examples carry it
and the v2 model does not restrict it). Authorizer types are left to the auth rules (W2306
jwt on REST, E2305 token/cognito on HTTP), and the fields of such an authorizer are not
reported again here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from apigwctl.diagnostics import Pointer
from apigwctl.spec.loader import ApiKind, SpecVersion
from apigwctl.spec.rules.base import ANY_METHOD, DOCS, Finding, Rule, RuleContext, register
from apigwctl.spec.rules.extensions import extension_values, integration_nodes, is_intrinsic
from apigwctl.spec.scan import EXT_PREFIX

_HTTP_DOC = DOCS + "http-api-open-api.html"
_AUTHORIZER = EXT_PREFIX + "authorizer"
_ENDPOINT = EXT_PREFIX + "endpoint-configuration"

HTTP_ONLY_EXTENSIONS = {
    EXT_PREFIX + "cors": "configure CORS with an OPTIONS method (mock integration) and "
                         "gateway responses, or import the document as an HTTP API",
    EXT_PREFIX + "importexport-version": "remove it, or import the document as an HTTP API",
    EXT_PREFIX + "integrations": "inline each integration in its operations, or import the "
                                 "document as an HTTP API",
    EXT_PREFIX + "tag-value": "tag the REST API with `tag_resource` (REST import has no tags)",
}
REST_ONLY_EXTENSIONS = {EXT_PREFIX + n: "remove it, or import the document as a REST API"
                        for n in ("request-validators", "request-validator", "gateway-responses",
                                  "binary-media-types", "policy", "minimum-compression-size",
                                  "api-key-source", "documentation", "endpoint-access-mode",
                                  "security-policy")}

# (extension values to look in, nested path of the field)
_HTTP_ONLY_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("integration", ("payloadFormatVersion",)),
    ("integration", ("integrationSubtype",)),
    ("integration", ("responseParameters",)),
    ("integration", ("tlsConfig", "serverNameToVerify")),
    (_AUTHORIZER, ("authorizerPayloadFormatVersion",)),
    (_AUTHORIZER, ("enableSimpleResponses",)),
    (_ENDPOINT, ("ipAddressType",)),
    (ANY_METHOD, ("isDefaultRoute",)),
)
_REST_ONLY_FIELDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("integration", ("requestTemplates",)),
    ("integration", ("responses",)),
    ("integration", ("contentHandling",)),
    ("integration", ("cacheKeyParameters",)),
    ("integration", ("cacheNamespace",)),
    ("integration", ("responseTransferMode",)),
    ("integration", ("integrationTarget",)),
    ("integration", ("tlsConfig", "insecureSkipVerification")),
    (_AUTHORIZER, ("providerARNs",)),
    (_AUTHORIZER, ("identityValidationExpression",)),
    (_ENDPOINT, ("vpcEndpointIds",)),
)
_REST_ONLY_AUTHORIZER_TYPES = {"token", "cognito_user_pools"}


def _objects(ctx: RuleContext, where: str) -> Iterator[tuple[Pointer, Mapping[str, Any]]]:
    if where == "integration":
        yield from integration_nodes(ctx)
        return
    for pointer, node in extension_values(ctx, where):
        if isinstance(node, Mapping) and not is_intrinsic(node):
            yield pointer, node


def _rest_only_type(node: Mapping[str, Any]) -> bool:
    """A token/cognito authorizer: its whole use in an HTTP API is reported by E2305."""
    kind = node.get("type")
    return isinstance(kind, str) and kind.lower() in _REST_ONLY_AUTHORIZER_TYPES


def _present(node: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, Mapping):
            return False
        node = child
    return path[-1] in node


def _field_findings(ctx: RuleContext, fields: tuple[tuple[str, tuple[str, ...]], ...],
                    owner: str, other: str) -> Iterator[Finding]:
    objects: dict[str, list[tuple[Pointer, Mapping[str, Any]]]] = {}
    for where, path in fields:
        if where not in objects:  # each owner's objects are gathered once, not per field
            objects[where] = list(_objects(ctx, where))
        for pointer, node in objects[where]:
            if where == _AUTHORIZER and ctx.kind is ApiKind.HTTP and _rest_only_type(node):
                continue
            if _present(node, path):
                name = ".".join(path)
                yield Finding((*pointer, *path), f"`{name}` is {owner} field; {other} import "
                              "ignores it",
                              f"remove `{name}`, or import the document as {owner}")


def _extension_findings(ctx: RuleContext, names: Mapping[str, str], owner: str,
                        other: str) -> Iterator[Finding]:
    for name, hint in names.items():
        for pointer, _ in ctx.extension_sites(name):
            yield Finding(pointer, f"`{name}` is {owner} extension; {other} import ignores it",
                          hint)


@register
class HttpOnlyOnRest(Rule):
    """HTTP-API-only extensions and fields in a REST API, where import drops them silently."""

    id = "W2501"
    description = "An HTTP-API-only extension or field is used in a REST API; it is ignored."
    doc_url = _HTTP_DOC
    kinds = frozenset({ApiKind.REST})

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        yield from _extension_findings(ctx, HTTP_ONLY_EXTENSIONS, "an HTTP API", "REST API")
        yield from _field_findings(ctx, _HTTP_ONLY_FIELDS, "an HTTP API", "REST API")


@register
class RestOnlyOnHttp(Rule):
    """REST-only extensions and fields in an HTTP API, where import drops them (reporting
    them at most as import warnings)."""

    id = "W2502"
    description = "A REST-only extension or field is used in an HTTP API; it is ignored."
    doc_url = _HTTP_DOC
    kinds = frozenset({ApiKind.HTTP})

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        yield from _extension_findings(ctx, REST_ONLY_EXTENSIONS, "a REST API", "HTTP API")
        yield from _field_findings(ctx, _REST_ONLY_FIELDS, "a REST API", "HTTP API")


@register
class SwaggerForHttpApi(Rule):
    """HTTP API import accepts OpenAPI 3.0 only."""

    id = "E2503"
    description = "A Swagger 2.0 document is imported as an HTTP API, which needs OpenAPI 3.0."
    doc_url = _HTTP_DOC
    hint = 'convert the document to OpenAPI 3.0 (`openapi: "3.0.3"`), or import it as a REST API'
    kinds = frozenset({ApiKind.HTTP})

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.version is SpecVersion.SWAGGER2:
            yield Finding(("swagger",), "HTTP API import accepts only OpenAPI 3.0 documents, "
                          "not Swagger 2.0")
