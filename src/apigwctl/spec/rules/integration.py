"""Integration requirements per type: uri, httpMethod, timeouts, enums API Gateway checks.

Also holds the helpers the mapping and template rules share: integration sites with their
real pointers (a ``$ref``'d HTTP-API integration is reported where it is written), and
string values that may be wrapped in ``Fn::Sub`` or carry template placeholders.

Placeholders: ``${...}`` (CloudFormation, Terraform, stage variables), ``$name`` and
``{{name}}`` (other templating tools) and ``<region>`` style stand-ins are treated as "any
value"; a value that is only a placeholder, or starts with one, is not shape-checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeGuard

from apigwctl.diagnostics import Pointer
from apigwctl.spec.loader import ApiKind
from apigwctl.spec.rules.base import (
    DOCS,
    Finding,
    Integration,
    Rule,
    RuleContext,
    register,
)

_EXT = DOCS + "api-gateway-swagger-extensions-integration.html"
PROXY_TYPES = frozenset({"AWS_PROXY", "HTTP_PROXY"})
REST_ONLY = frozenset({ApiKind.REST})
HTTP_ONLY = frozenset({ApiKind.HTTP})
_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|\{\{[^}]*\}\}|<[^<>\s]+>")
_STARTS_WITH_PLACEHOLDER = re.compile(r"^(\$\{|\{\{|<[^<>\s]+>|\$[A-Za-z_])")
_SERVICE_ARN = re.compile(r"^arn:[^:\s]+:apigateway:[^:\s]+:[^:\s]+:(path|action)/\S*$")
_LAMBDA_FUNCTION_ARN = re.compile(r"^arn:[^:\s]+:lambda:[^:\s]+:[^:\s]+:function:\S+$")
_ANY_ARN = re.compile(r"^arn:[^:\s]+:[^:\s]+:")
_HTTP_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$", re.IGNORECASE)
_LAMBDA_PATH = ":lambda:path/"


Site = Integration  # the name these rule modules grew up with


def text_of(site: Integration, key: str) -> tuple[str, Pointer] | None:
    return text_at(site.node, key, site.pointer)


def sites(ctx: RuleContext, per_operation: bool = False) -> tuple[Integration, ...]:
    """Every integration where it is written; once each unless ``per_operation`` (for checks
    that depend on the operation, such as declared parameters)."""
    return ctx.integrations if per_operation else ctx.unique_integrations


def text_at(node: Mapping[str, Any], key: str, base: Pointer) -> tuple[str, Pointer] | None:
    """The string at ``node[key]`` (looking inside ``Fn::Sub``), with its pointer."""
    value = node.get(key)
    if isinstance(value, str):
        return value, (*base, key)
    if isinstance(value, Mapping) and len(value) == 1 and "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        if isinstance(sub, str):
            return sub, (*base, key, "Fn::Sub")
        if isinstance(sub, list) and sub and isinstance(sub[0], str):
            return sub[0], (*base, key, "Fn::Sub", 0)
    return None


def opaque(value: str) -> bool:
    """True when a placeholder decides what the value starts with (so its shape is unknown)."""
    return not value.strip() or bool(_STARTS_WITH_PLACEHOLDER.match(value.strip()))


def neutral(value: str) -> str:
    """``value`` with every placeholder replaced by a plain token."""
    return _PLACEHOLDER.sub("x", value.strip())


def is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _has_subtype(site: Site) -> bool:
    return "integrationSubtype" in site.node


@register
class UriMissing(Rule):
    """Only MOCK integrations (and HTTP-API service integrations, which name an
    ``integrationSubtype`` instead) can do without a ``uri``."""

    id = "E2001"
    description = "A non-MOCK integration has no uri."
    doc_url = _EXT

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if site.type in ("", "MOCK") or site.node.get("uri") not in (None, ""):
                continue
            if ctx.kind is ApiKind.HTTP and site.type == "AWS_PROXY" and _has_subtype(site):
                continue
            yield Finding(site.pointer, f"{site.type.lower()} integration of {site.op.method} "
                          f"{site.op.path} has no uri",
                          "set `uri` to the backend: an http(s) URL for http/http_proxy, an "
                          "API Gateway service ARN (arn:aws:apigateway:...) for aws/aws_proxy")


@register
class HttpMethodMissing(Rule):
    """REST APIs require the backend verb for every non-MOCK integration ("Enumeration value
    for HttpMethod must be non-empty"); HTTP APIs require it for http_proxy."""

    id = "E2002"
    description = "An integration that calls a backend has no httpMethod."
    doc_url = _EXT

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        needs = ({"HTTP_PROXY"} if ctx.kind is ApiKind.HTTP
                 else {"AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY"})
        for site in sites(ctx):
            if site.type in needs and site.node.get("httpMethod") in (None, ""):
                hint = ("Lambda integrations use POST" if _LAMBDA_PATH in str(site.node.get("uri"))
                        else "set `httpMethod` to the verb the backend expects (ANY for proxies)")
                yield Finding(site.pointer, f"{site.type.lower()} integration of "
                              f"{site.op.method} {site.op.path} has no httpMethod", hint)


@register
class HttpUriNotUrl(Rule):
    """http/http_proxy integrations call a full http(s) URL. HTTP-API private integrations
    (connectionType VPC_LINK) name a load-balancer listener or Cloud Map service ARN instead."""

    id = "E2003"
    description = "The uri of an http/http_proxy integration is not an http(s) URL."
    doc_url = _EXT

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            found = text_of(site, "uri")
            if site.type not in ("HTTP", "HTTP_PROXY") or found is None or opaque(found[0]):
                continue
            uri = neutral(found[0])
            private = str(site.node.get("connectionType")).upper() == "VPC_LINK"
            if _HTTP_URL.match(uri) or (ctx.kind is ApiKind.HTTP and private
                                        and _ANY_ARN.match(uri)):
                continue
            yield Finding(found[1], f"uri {found[0]!r} of an {site.type.lower()} integration is "
                          "not an http(s) URL",
                          "write the full backend URL, e.g. https://backend.example.com/items/{id}")


@register
class AwsUriNotServiceArn(Rule):
    """aws/aws_proxy integrations need an API Gateway service ARN
    (``arn:{partition}:apigateway:{region}:{service}:path/...`` or ``:action/...``); API
    Gateway rejects others ("AWS ARN for integration must contain path or action"). HTTP
    APIs also accept a Lambda function ARN."""

    id = "E2004"
    description = "The uri of an aws/aws_proxy integration is not an API Gateway service ARN."
    doc_url = _EXT

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            found = text_of(site, "uri")
            if site.type not in ("AWS", "AWS_PROXY") or found is None or opaque(found[0]):
                continue
            uri = neutral(found[0])
            lambda_arn = bool(_LAMBDA_FUNCTION_ARN.match(uri))
            if _SERVICE_ARN.match(uri) or (lambda_arn and ctx.kind is ApiKind.HTTP):
                continue
            if lambda_arn:
                hint = ("wrap the function ARN: arn:aws:apigateway:{region}:lambda:path/"
                        "2015-03-31/functions/{function-arn}/invocations")
            else:
                hint = ("use arn:aws:apigateway:{region}:{service}:path/{path} or "
                        ":action/{Action}, e.g. arn:aws:apigateway:us-east-1:sqs:path/"
                        "{account}/{queue}")
            yield Finding(found[1], f"uri {found[0]!r} is not an API Gateway service ARN "
                          "(arn:...:apigateway:{region}:{service}:path|action/...)", hint)


@register
class LambdaNotPost(Rule):
    """Lambda is invoked with POST whatever the client's verb; any other integration
    httpMethod makes every call fail."""

    id = "E2005"
    description = "A Lambda integration uses an httpMethod other than POST."
    doc_url = DOCS + "set-up-lambda-proxy-integrations.html"
    hint = "set the integration's `httpMethod` to POST (the client-facing method may differ)"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            found = text_of(site, "uri")
            method = site.node.get("httpMethod")
            if (site.type in ("AWS", "AWS_PROXY") and found is not None
                    and _LAMBDA_PATH in found[0] and isinstance(method, str)
                    and method.upper() != "POST"):
                yield Finding((*site.pointer, "httpMethod"), f"Lambda integration of "
                              f"{site.op.method} {site.op.path} uses httpMethod {method!r}; "
                              "Lambda is only invoked with POST")


@register
class TimeoutOutOfRange(Rule):
    """REST: at least 50 ms (above 29,000 is W2007). HTTP APIs: 50-30,000 ms, a hard limit."""

    id = "E2006"
    description = "timeoutInMillis is outside the range API Gateway accepts."
    doc_url = DOCS + "limits.html"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        top = 30000 if ctx.kind is ApiKind.HTTP else None
        for site in sites(ctx):
            value = site.node.get("timeoutInMillis")
            if not is_int(value) or (value >= 50 and (top is None or value <= top)):
                continue
            limits = "50-30,000 ms for HTTP APIs" if top else "at least 50 ms"
            yield Finding((*site.pointer, "timeoutInMillis"),
                          f"timeoutInMillis {value} is out of range ({limits})",
                          "use a value within the range; HTTP APIs cannot exceed 30 s")


@register
class TimeoutNeedsQuotaRaise(Rule):
    """Above 29,000 ms a REST integration works only on Regional or private APIs whose
    account has the Service Quotas quota "Maximum integration timeout in milliseconds"
    raised (edge-optimized APIs never). With ``responseTransferMode: STREAM`` the streaming
    guide allows up to 15 minutes, so only values above 900,000 ms are reported then."""

    id = "W2007"
    description = "A REST integration timeout above 29,000 ms needs a Service Quotas increase."
    doc_url = DOCS + "api-gateway-execution-service-limits-table.html"
    hint = ("request an increase of the API Gateway quota \"Maximum integration timeout in "
            "milliseconds\" in Service Quotas (Regional and private REST APIs only; it may lower "
            "the account throttle), or keep the timeout at 29,000 ms or less")
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            value = site.node.get("timeoutInMillis")
            stream = str(site.node.get("responseTransferMode")).upper() == "STREAM"
            if is_int(value) and value > (900000 if stream else 29000):
                yield Finding((*site.pointer, "timeoutInMillis"),
                              f"timeoutInMillis {value} exceeds the default maximum of "
                              f"{'900,000 ms for streamed responses' if stream else '29,000 ms'}")


@register
class BadPassthroughBehavior(Rule):
    """Compared case-insensitively: the file form is lower-case, the API form upper-case."""

    id = "E2008"
    description = "passthroughBehavior is not when_no_match, when_no_templates or never."
    doc_url = DOCS + "integration-passthrough-behaviors.html"
    hint = "use when_no_match, when_no_templates or never"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            value = site.node.get("passthroughBehavior")
            if isinstance(value, str) and value.lower() not in (
                    "when_no_match", "when_no_templates", "never"):
                yield Finding((*site.pointer, "passthroughBehavior"),
                              f"unknown passthroughBehavior {value!r}")


def _content_handling_sites(site: Site) -> Iterator[tuple[Pointer, Any]]:
    yield (*site.pointer, "contentHandling"), site.node.get("contentHandling")
    responses = site.node.get("responses")
    if isinstance(responses, Mapping):
        for key, resp in responses.items():
            if isinstance(resp, Mapping):
                yield (*site.pointer, "responses", key, "contentHandling"), \
                    resp.get("contentHandling")


@register
class BadContentHandling(Rule):
    """The API enum is CONVERT_TO_TEXT / CONVERT_TO_BINARY; leaving it out passes the payload
    through unchanged."""

    id = "E2009"
    description = "contentHandling is not CONVERT_TO_TEXT or CONVERT_TO_BINARY."
    doc_url = DOCS + "api-gateway-payload-encodings-workflow.html"
    hint = "use CONVERT_TO_TEXT or CONVERT_TO_BINARY, or remove it to pass the payload through"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            for pointer, value in _content_handling_sites(site):
                if isinstance(value, str) and value not in ("CONVERT_TO_TEXT",
                                                            "CONVERT_TO_BINARY"):
                    yield Finding(pointer, f"unknown contentHandling {value!r}")


@register
class VpcLinkWithoutConnectionId(Rule):
    id = "E2010"
    description = "connectionType VPC_LINK without a connectionId."
    doc_url = DOCS + "set-up-private-integration.html"
    hint = "set `connectionId` to the VPC link id (or ${stageVariables.vpcLinkId})"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if (str(site.node.get("connectionType")).upper() == "VPC_LINK"
                    and site.node.get("connectionId") in (None, "")):
                yield Finding((*site.pointer, "connectionType"), "private integration "
                              f"(connectionType VPC_LINK) of {site.op.method} {site.op.path} "
                              "has no connectionId")


@register
class ConnectionIdWithoutVpcLink(Rule):
    """Without ``connectionType: VPC_LINK`` the integration goes over the internet and the
    connectionId is not used."""

    id = "W2011"
    description = "connectionId is set but connectionType is not VPC_LINK."
    doc_url = DOCS + "set-up-private-integration.html"
    hint = "add `connectionType: VPC_LINK`, or remove `connectionId`"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if (site.node.get("connectionId") not in (None, "")
                    and str(site.node.get("connectionType")).upper() != "VPC_LINK"):
                yield Finding((*site.pointer, "connectionId"), "connectionId is ignored: "
                              "connectionType is not VPC_LINK")


@register
class HttpApiNonProxyType(Rule):
    """HTTP APIs only have aws_proxy and http_proxy integrations; import reports others
    as warnings (fatal with FailOnWarnings)."""

    id = "W2012"
    description = "HTTP API integration type is neither aws_proxy nor http_proxy."
    doc_url = DOCS + "http-api-open-api.html"
    hint = "use aws_proxy (Lambda or a service integrationSubtype) or http_proxy"
    kinds = HTTP_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if site.type and site.type not in PROXY_TYPES:
                yield Finding((*site.pointer, "type"), f"integration type "
                              f"{site.node.get('type')!r} is not supported by HTTP APIs")


def _payload_version(site: Site) -> str | None:
    value = site.node.get("payloadFormatVersion")
    if isinstance(value, (str, float)) or is_int(value):
        return str(value)
    return None


@register
class PayloadFormatVersionMissing(Rule):
    """Every HTTP-API integration must say which payload format it uses."""

    id = "E2013"
    description = "An HTTP API integration has no payloadFormatVersion."
    doc_url = DOCS + "http-api-develop-integrations-lambda.html"
    hint = 'add payloadFormatVersion: "2.0" (Lambda) or "1.0" (every other integration)'
    kinds = HTTP_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if site.type and "payloadFormatVersion" not in site.node:
                yield Finding(site.pointer, f"integration of {site.op.method} {site.op.path} "
                              "has no payloadFormatVersion")


@register
class BadPayloadFormatVersion(Rule):
    """"1.0" everywhere; "2.0" only for Lambda proxy integrations (aws_proxy without an
    integrationSubtype)."""

    id = "E2014"
    description = "payloadFormatVersion is not 1.0/2.0, or is 2.0 on a non-Lambda integration."
    doc_url = DOCS + "http-api-develop-integrations-lambda.html"
    kinds = HTTP_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            version = _payload_version(site)
            pointer = (*site.pointer, "payloadFormatVersion")
            lambda_proxy = site.type == "AWS_PROXY" and not _has_subtype(site)
            if version is None or version == "1.0" or (version == "2.0" and lambda_proxy):
                continue
            if version == "2.0":
                yield Finding(pointer, "payloadFormatVersion 2.0 on an integration of type "
                              f"{site.type.lower()}: only Lambda proxy integrations support it",
                              'use "1.0"')
            else:
                yield Finding(pointer, f"payloadFormatVersion {version!r} is neither 1.0 "
                              "nor 2.0", 'use "1.0", or "2.0" for a Lambda proxy integration')


@register
class NumericPayloadFormatVersion(Rule):
    """YAML ``1.0`` is a float; API Gateway accepts it (AWS's own exported examples write
    it that way), but other tools and a YAML ``1`` would not read it as "1.0"."""

    id = "I2015"
    description = "payloadFormatVersion is written as a number, not a string."
    doc_url = DOCS + "http-api-open-api.html"
    hint = 'quote it: payloadFormatVersion: "1.0"'
    kinds = HTTP_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            value = site.node.get("payloadFormatVersion")
            if isinstance(value, float) or is_int(value):
                yield Finding((*site.pointer, "payloadFormatVersion"),
                              f"payloadFormatVersion is the number {value}, not a string")


def _export_artifact(responses: Mapping[Any, Any]) -> bool:
    """``default: {statusCode: "200"}`` alone: what API Gateway exports put on proxies."""
    return all(str(key) == "default" and isinstance(resp, Mapping) and set(resp) <= {"statusCode"}
               for key, resp in responses.items())


@register
class ResponsesOnProxy(Rule):
    """A proxy integration returns the backend's response as is: integration responses
    (status mapping, headers, templates) on aws_proxy/http_proxy are ignored. A lone
    ``default: {statusCode: "200"}`` is what API Gateway's own export writes there and is
    not reported."""

    id = "W2016"
    description = "Integration responses on a proxy integration are ignored."
    doc_url = DOCS + "set-up-lambda-proxy-integrations.html"
    hint = ("remove `responses`, or use a non-proxy integration (aws/http) to map responses; "
            "with Lambda proxy, return the status code and headers from the function")
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            responses = site.node.get("responses")
            if (site.type in PROXY_TYPES and isinstance(responses, Mapping) and responses
                    and not _export_artifact(responses)):
                yield Finding((*site.pointer, "responses"), f"{site.type.lower()} integration "
                              f"of {site.op.method} {site.op.path} has `responses`, which "
                              "API Gateway ignores for proxy integrations")


@register
class StreamOnNonProxy(Rule):
    """Response streaming is documented for proxy integrations only (the model's
    ResponseTransferMode); whether import rejects it elsewhere is UNVERIFIED, so this is a
    warning."""

    id = "W2017"
    description = "responseTransferMode STREAM on an integration that is not a proxy."
    doc_url = DOCS + "response-transfer-mode.html"
    hint = "use an aws_proxy or http_proxy integration, or remove responseTransferMode"
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            mode = site.node.get("responseTransferMode")
            if (isinstance(mode, str) and mode.upper() == "STREAM" and site.type
                    and site.type not in PROXY_TYPES):
                yield Finding((*site.pointer, "responseTransferMode"),
                              "responseTransferMode STREAM on an integration of type "
                              f"{site.type.lower()}: only proxy integrations stream responses")
