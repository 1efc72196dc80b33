"""Authorizers and security requirements: what API Gateway needs to build each authorizer
and to attach it (or an API key) to a method.

Every rule reads the security schemes through ``ctx.security_schemes`` (``$ref`` followed)
and the operation-level ``security`` lists. Values that are CloudFormation intrinsics
(``{"Fn::Sub": ...}``) are taken as present and never inspected: they are resolved later.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from apigwctl.diagnostics import Pointer
from apigwctl.spec.loader import ApiKind
from apigwctl.spec.rules.base import DOCS, Finding, Operation, Rule, RuleContext, register

AUTHORIZER = "x-amazon-apigateway-authorizer"
AUTHTYPE = "x-amazon-apigateway-authtype"
KEY_SOURCE = "x-amazon-apigateway-api-key-source"
REST = frozenset({ApiKind.REST})
HTTP = frozenset({ApiKind.HTTP})

_AUTHORIZER_DOC = DOCS + "api-gateway-swagger-extensions-authorizer.html"
_HTTP_LAMBDA_DOC = DOCS + "http-api-lambda-authorizer.html"
_HTTP_JWT_DOC = DOCS + "http-api-jwt-authorizer.html"
_API_KEY_DOC = DOCS + "api-key-usage-plan-oas.html"
_KNOWN_ISSUES = DOCS + "api-gateway-known-issues.html"
_HTTP_OPENAPI = DOCS + "http-api-open-api.html"


def is_intrinsic(value: Any) -> bool:
    """A CloudFormation function (``{"Ref": ...}``, ``{"Fn::Sub": ...}``): resolved later."""
    if not isinstance(value, Mapping) or len(value) != 1:
        return False
    (key,) = value
    return key == "Ref" or (isinstance(key, str) and key.startswith("Fn::"))


def present(value: Any) -> bool:
    """Given and not empty (an intrinsic counts as given)."""
    return value not in (None, "", [], {})


@dataclass(frozen=True)
class Authorizer:
    """An ``x-amazon-apigateway-authorizer`` and the security scheme that holds it."""

    name: str
    scheme: Mapping[str, Any]
    scheme_ptr: Pointer
    node: Mapping[str, Any]

    @property
    def ptr(self) -> Pointer:
        return (*self.scheme_ptr, AUTHORIZER)

    @property
    def type(self) -> str:
        value = self.node.get("type")
        return value.lower() if isinstance(value, str) else ""

    def at(self, key: str) -> Pointer:
        """Pointer to ``key`` of the authorizer (placed at the authorizer when absent)."""
        return (*self.ptr, key)


def authorizers(ctx: RuleContext) -> Iterator[Authorizer]:
    for name, (ptr, scheme) in ctx.security_schemes.items():
        node = ctx.deref(scheme.get(AUTHORIZER))
        if isinstance(node, Mapping) and not is_intrinsic(node):
            yield Authorizer(name, scheme, ptr, node)


def requirements(op: Operation) -> list[tuple[Pointer, Mapping[str, Any]]]:
    """The operation's own security requirement objects, with their pointers."""
    raw = op.node.get("security")
    if not isinstance(raw, list):
        return []
    return [((*op.pointer, "security", i), req) for i, req in enumerate(raw)
            if isinstance(req, Mapping)]


def is_lambda_authorizer(scheme: Mapping[str, Any]) -> bool:
    node = scheme.get(AUTHORIZER)
    return isinstance(node, Mapping) and str(node.get("type", "")).lower() in ("token", "request")


def is_api_key_scheme(scheme: Mapping[str, Any]) -> bool:
    """A plain API-key scheme: apiKey type, no authorizer, not IAM (``aws*`` authtype)."""
    authtype = scheme.get(AUTHTYPE)
    return (scheme.get("type") == "apiKey" and AUTHORIZER not in scheme
            and not (isinstance(authtype, str) and authtype.lower().startswith("aws")))


def used_api_key_schemes(ctx: RuleContext) -> dict[str, tuple[Pointer, Mapping[str, Any]]]:
    """API-key schemes some operation requires (unused ones never reach API Gateway)."""
    used = {str(name) for op in ctx.operations for _, req in requirements(op) for name in req}
    return {name: entry for name, entry in ctx.security_schemes.items()
            if name in used and is_api_key_scheme(entry[1])}


def ttl_seconds(node: Mapping[str, Any]) -> int | None:
    value = node.get("authorizerResultTtlInSeconds")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def identity_sources(value: Any) -> list[str]:
    """The comma-separated identity sources (a list is accepted too)."""
    items = value if isinstance(value, list) else [value]
    return [part.strip() for item in items if isinstance(item, str)
            for part in item.split(",") if part.strip()]


# --------------------------------------------------------------------------- authorizers


@register
class LambdaAuthorizerUri(Rule):
    id = "E2300"
    description = "A Lambda (token/request) authorizer has no authorizerUri."
    doc_url = _AUTHORIZER_DOC
    hint = ("set authorizerUri to arn:aws:apigateway:{region}:lambda:path/2015-03-31/"
            "functions/{functionArn}/invocations")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for auth in authorizers(ctx):
            if auth.type in ("token", "request") and not present(auth.node.get("authorizerUri")):
                yield Finding(auth.at("type"), f"{auth.type} authorizer {auth.name!r} has no "
                              "authorizerUri: API Gateway does not know which Lambda to call")


_TOKEN_SOURCE = re.compile(r"^method\.request\.header\.[^\s,]+$")


@register
class TokenIdentitySource(Rule):
    """A TOKEN authorizer reads one header; without identitySource it is the scheme's header."""

    id = "E2301"
    description = "A token authorizer's identity source is not a single request header."
    doc_url = _AUTHORIZER_DOC
    kinds = REST

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for auth in authorizers(ctx):
            if auth.type != "token":
                continue
            source = auth.node.get("identitySource")
            if is_intrinsic(source):
                continue
            if present(source):
                if not (isinstance(source, str) and _TOKEN_SOURCE.match(source.strip())):
                    yield Finding(auth.at("identitySource"), f"token authorizer {auth.name!r} "
                                  f"has identitySource {source!r}: a token authorizer reads "
                                  "exactly one header, method.request.header.<Name>",
                                  "use a request authorizer for several or non-header sources")
                continue
            yield from self._scheme_header(auth)

    def _scheme_header(self, auth: Authorizer) -> Iterator[Finding]:
        where, name = auth.scheme.get("in"), auth.scheme.get("name")
        if where != "header":
            yield Finding((*auth.scheme_ptr, "in"), f"token authorizer {auth.name!r} has no "
                          f"identitySource and its scheme is `in: {where}`: the token must "
                          "come from a header", "set `in: header` and `name: <Header>`, or "
                          "identitySource: method.request.header.<Header>")
        elif not (isinstance(name, str) and name.strip()):
            yield Finding((*auth.scheme_ptr, "in"), f"token authorizer {auth.name!r} has no "
                          "identitySource and its scheme names no header",
                          "set the scheme's `name` to the header carrying the token")


@register
class RequestAuthorizerIdentitySource(Rule):
    """REST caches request-authorizer results for 300 s unless the TTL says otherwise, and
    the identity sources form the cache key. The HTTP-API default TTL is not documented,
    so HTTP APIs are checked only when the TTL is explicitly positive."""

    id = "E2302"
    description = "A caching request authorizer has no identitySource (its cache key)."
    doc_url = DOCS + "apigateway-use-lambda-authorizer.html"
    hint = ("add identitySource (e.g. method.request.header.Auth, or $request.header.Auth on "
            "HTTP APIs), or disable caching with authorizerResultTtlInSeconds: 0")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for auth in authorizers(ctx):
            if auth.type != "request" or present(auth.node.get("identitySource")):
                continue
            ttl = ttl_seconds(auth.node)
            default = 300 if ctx.kind is ApiKind.REST else 0
            if "authorizerResultTtlInSeconds" in auth.node and ttl is None:
                continue  # not a number: reported by the extension schema
            effective = default if ttl is None else ttl
            if effective > 0:
                said = "by default" if ttl is None else f"for {ttl} s"
                yield Finding(auth.at("type"), f"request authorizer {auth.name!r} caches "
                              f"results {said} but has no identitySource to key the cache on")


_USER_POOL_ARN = re.compile(
    r"^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/[A-Za-z0-9-]+_[A-Za-z0-9]+$")


@register
class CognitoProviderArns(Rule):
    id = "E2303"
    description = "A Cognito authorizer has no providerARNs, or one is not a user pool ARN."
    doc_url = _AUTHORIZER_DOC
    hint = "list user pool ARNs: arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}"
    kinds = REST

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for auth in authorizers(ctx):
            if auth.type != "cognito_user_pools":
                continue
            arns = auth.node.get("providerARNs")
            if is_intrinsic(arns):
                continue
            if not (isinstance(arns, list) and arns):
                yield Finding(auth.at("providerARNs"), f"Cognito authorizer {auth.name!r} "
                              "lists no user pool in providerARNs")
                continue
            for i, arn in enumerate(arns):
                if isinstance(arn, str) and "${" not in arn and not _USER_POOL_ARN.match(arn):
                    yield Finding((*auth.ptr, "providerARNs", i), f"{arn!r} is not a Cognito "
                                  "user pool ARN")


@register
class JwtConfiguration(Rule):
    """An openIdConnect scheme lets API Gateway discover the issuer, never the audience."""

    id = "E2304"
    description = "A JWT authorizer lacks jwtConfiguration.issuer or audience."
    doc_url = _HTTP_JWT_DOC
    kinds = HTTP

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for auth in authorizers(ctx):
            if auth.type != "jwt":
                continue
            config = ctx.deref(auth.node.get("jwtConfiguration"))
            if is_intrinsic(config):
                continue
            config = config if isinstance(config, Mapping) else {}
            at = auth.at("jwtConfiguration")
            oidc = (auth.scheme.get("type") == "openIdConnect"
                    and present(auth.scheme.get("openIdConnectUrl")))
            if not present(config.get("issuer")) and not oidc:
                yield Finding(at, f"JWT authorizer {auth.name!r} has no jwtConfiguration."
                              "issuer", "set issuer to the token issuer URL, or use an "
                              "openIdConnect scheme with openIdConnectUrl")
            if not present(config.get("audience")):
                yield Finding(at, f"JWT authorizer {auth.name!r} has no jwtConfiguration."
                              "audience: every token would be rejected",
                              "list the accepted `aud` / `client_id` values in audience")


@register
class AuthorizerTypeNotForHttpApi(Rule):
    id = "E2305"
    description = "A token or cognito_user_pools authorizer is used in an HTTP API."
    doc_url = _HTTP_OPENAPI
    kinds = HTTP
    hint = ("HTTP APIs support request (Lambda) and jwt authorizers; for Cognito use a jwt "
            "authorizer whose issuer is the user pool URL")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for auth in authorizers(ctx):
            if auth.type in ("token", "cognito_user_pools"):
                yield Finding(auth.at("type"), f"authorizer {auth.name!r} has type "
                              f"{auth.node.get('type')!r}, which HTTP APIs do not support")


@register
class JwtAuthorizerOnRestApi(Rule):
    """REST APIs gained a native JWT authorizer; its OpenAPI field names are UNVERIFIED
    (section 1.4), so this is a warning, not an error."""

    id = "W2306"
    description = "A jwt authorizer in a REST API (new feature; OpenAPI form unverified)."
    doc_url = _AUTHORIZER_DOC
    kinds = REST
    hint = ("verify with a test import, or use a cognito_user_pools / Lambda authorizer; "
            "if this is meant to be an HTTP API, validate it with --kind HTTP")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for auth in authorizers(ctx):
            if auth.type == "jwt":
                yield Finding(auth.at("type"), f"authorizer {auth.name!r} is a jwt authorizer "
                              "in a REST API: supported only recently, and how import reads "
                              "it from OpenAPI is not documented")


@register
class HttpAuthorizerPayloadVersion(Rule):
    id = "E2307"
    description = "An HTTP API Lambda authorizer has no authorizerPayloadFormatVersion."
    doc_url = _HTTP_LAMBDA_DOC
    kinds = HTTP
    hint = 'add authorizerPayloadFormatVersion: "2.0" (or "1.0" for the REST-style event)'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for auth in authorizers(ctx):
            if auth.type == "request" and not present(
                    auth.node.get("authorizerPayloadFormatVersion")):
                yield Finding(auth.at("type"), f"Lambda authorizer {auth.name!r} has no "
                              "authorizerPayloadFormatVersion, which HTTP APIs require")


@register
class SimpleResponsesNeedPayload2(Rule):
    id = "E2308"
    description = "enableSimpleResponses is set on an authorizer whose payload format is not 2.0."
    doc_url = _HTTP_LAMBDA_DOC
    kinds = HTTP
    hint = 'set authorizerPayloadFormatVersion: "2.0", or drop enableSimpleResponses'

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for auth in authorizers(ctx):
            version = auth.node.get("authorizerPayloadFormatVersion")
            if auth.node.get("enableSimpleResponses") is True and present(version) \
                    and not is_intrinsic(version) and str(version) not in ("2.0", "2"):
                yield Finding(auth.at("enableSimpleResponses"), f"authorizer {auth.name!r} "
                              f"enables simple responses with payload format {version!r}: "
                              "simple responses exist only in payload format 2.0")


_REST_SOURCE = re.compile(
    r"^(method\.request\.(header|querystring|multivalueheader|multivaluequerystring)\.\S+"
    r"|stageVariables\.[A-Za-z0-9_]+|context\.[A-Za-z0-9_.]+)$")
_HTTP_SOURCE = re.compile(
    r"^(\$request\.(header|querystring)\.\S+|\$context\.[A-Za-z0-9_.]+"
    r"|\$stageVariables\.[A-Za-z0-9_]+)$")


@register
class IdentitySourceSyntax(Rule):
    """Token authorizers are left to E2301, which is stricter."""

    id = "E2309"
    description = "An authorizer identity source is not a mapping expression of this API kind."
    doc_url = _AUTHORIZER_DOC

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        rest = ctx.kind is ApiKind.REST
        pattern = _REST_SOURCE if rest else _HTTP_SOURCE
        example = "method.request.header.Auth" if rest else "$request.header.Authorization"
        for auth in authorizers(ctx):
            raw = auth.node.get("identitySource")
            if auth.type in ("", "token") or is_intrinsic(raw):
                continue
            bad = [s for s in identity_sources(raw) if not pattern.match(s)]
            if bad:
                kind = "REST" if rest else "HTTP"
                yield Finding(auth.at("identitySource"), f"identity source {bad[0]!r} of "
                              f"authorizer {auth.name!r} is not a {kind} API mapping "
                              f"expression (like {example})",
                              f"write each source like {example}, comma-separated")


# --------------------------------------------------------------------------- security


def defined_scheme_names(ctx: RuleContext) -> set[str]:
    """Scheme names, plus a Swagger-style root ``securityDefinitions`` in an OpenAPI 3
    document (aws-samples deploy such documents, so import evidently reads it)."""
    names = set(ctx.security_schemes)
    legacy = ctx.data.get("securityDefinitions")
    if ctx.is_oas3 and isinstance(legacy, Mapping):
        names.update(str(k) for k in legacy)
    return names


@register
class UndefinedSecurityScheme(Rule):
    """``NONE`` is skipped: SAM writes ``security: [{NONE: []}]`` for methods exempt from a
    default authorizer, and those templates deploy."""

    id = "E2310"
    description = "An operation's security requirement names a scheme that is not defined."
    doc_url = _AUTHORIZER_DOC

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        where = "components.securitySchemes" if ctx.is_oas3 else "securityDefinitions"
        defined = defined_scheme_names(ctx) | {"NONE"}
        for op in ctx.operations:
            for ptr, req in requirements(op):
                for name in req:
                    if str(name) not in defined:
                        yield Finding((*ptr, name), f"{op.method} {op.path} requires security "
                                      f"scheme {name!r}, which is not defined",
                                      f"define {name!r} under {where}, or fix the name")


@register
class RootSecurityIgnored(Rule):
    id = "W2311"
    description = "Root-level security is ignored by API Gateway REST import."
    doc_url = _KNOWN_ISSUES
    kinds = REST
    hint = "repeat the requirement in each operation's own `security`"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        root = ctx.data.get("security")
        if not (isinstance(root, list) and any(isinstance(r, Mapping) and r for r in root)):
            return
        bare = sum(1 for op in ctx.operations if "security" not in op.node)
        tail = (f"; {bare} operation(s) without their own `security` will have no "
                "authorization" if bare else "")
        yield Finding(("security",), "API Gateway ignores root-level security" + tail)


@register
class HttpMultipleSecurityRequirements(Rule):
    id = "E2312"
    description = "An HTTP API operation lists more than one security requirement."
    doc_url = _HTTP_OPENAPI
    kinds = HTTP
    hint = "keep one requirement object per operation; HTTP API routes take one authorizer"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for op in ctx.operations:
            reqs = requirements(op)
            if len(reqs) > 1:
                yield Finding(reqs[1][0], f"{op.method} {op.path} has {len(reqs)} security "
                              "requirements; HTTP API import rejects more than one")


@register
class ApiKeySchemeNotHeader(Rule):
    id = "E2313"
    description = "An API-key security scheme is not `in: header` (REST reads keys from a header)."
    doc_url = _API_KEY_DOC
    kinds = REST
    hint = "use `in: header` with `name: x-api-key`"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for name, (ptr, scheme) in used_api_key_schemes(ctx).items():
            where = scheme.get("in")
            if where != "header":
                yield Finding((*ptr, "in"), f"API-key scheme {name!r} is `in: {where}`: "
                              "REST APIs take the API key only from a header")


@register
class ApiKeyHeaderName(Rule):
    """With api-key-source HEADER the key is read from X-API-Key only."""

    id = "W2314"
    description = "An API-key scheme's header is not x-api-key, so it is not the API key."
    doc_url = _API_KEY_DOC
    kinds = REST
    hint = ("name the header x-api-key; for keys in another header use a Lambda authorizer "
            "with x-amazon-apigateway-api-key-source: AUTHORIZER")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.data.get(KEY_SOURCE, "HEADER")
        if not (isinstance(source, str) and source.upper() == "HEADER"):
            return
        for name, (ptr, scheme) in used_api_key_schemes(ctx).items():
            header = scheme.get("name")
            if scheme.get("in") == "header" and isinstance(header, str) \
                    and header.lower() != "x-api-key":
                yield Finding((*ptr, "name"), f"API-key scheme {name!r} reads header "
                              f"{header!r}, but API Gateway takes the API key from X-API-Key")


@register
class ApiKeySourceWithoutAuthorizer(Rule):
    id = "W2315"
    description = "API keys come from an authorizer, but a keyed method has no Lambda authorizer."
    doc_url = DOCS + "api-gateway-api-key-source.html"
    kinds = REST
    hint = ("add a token/request authorizer returning usageIdentifierKey to the method, or "
            "set x-amazon-apigateway-api-key-source: HEADER")

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        source = ctx.data.get(KEY_SOURCE)
        if not (isinstance(source, str) and source.upper() == "AUTHORIZER"):
            return
        keys = used_api_key_schemes(ctx)
        schemes = ctx.security_schemes
        for op in ctx.operations:
            reqs = requirements(op)
            keyed = next((ptr for ptr, req in reqs if any(str(n) in keys for n in req)), None)
            lambda_auth = any(is_lambda_authorizer(schemes[str(n)][1])
                              for _, req in reqs for n in req if str(n) in schemes)
            if keyed is not None and not lambda_auth:
                yield Finding(keyed, f"{op.method} {op.path} requires an API key, which "
                              "comes from a Lambda authorizer (api-key-source AUTHORIZER), "
                              "but the method has none, so no key can be found for its calls")
