"""Parameter mapping expressions: integration requestParameters, integration response
responseParameters, cacheKeyParameters (REST) and HTTP-API parameter mapping keys.

REST mapping expressions follow the "parameter mapping source reference": a request value is
``method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.{name}``,
``method.request.body[.JSONPath]``, ``stageVariables.{name}``, ``context.{name}`` or a static
value in single quotes; a response value is ``integration.response.{header|multivalueheader}
.{name}``, ``integration.response.body[.JSONPath]``, a stage/context variable or a static
value. ``$context.x``/``$stageVariables.x`` (the extension page's spelling) are accepted too.

A method request parameter is declared by the operation's or path item's ``parameters``
(``$ref``s followed). A path parameter that appears in the path template also counts: the
OpenAPI structure check (E0100) already reports it undeclared, and AWS's own samples map
such parameters successfully, so reporting it again here would only be noise. Header names
are compared case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from apigwctl.diagnostics import Pointer
from apigwctl.spec.rules.base import DOCS, Finding, Operation, Rule, RuleContext, register
from apigwctl.spec.rules.integration import (
    HTTP_ONLY,
    PROXY_TYPES,
    REST_ONLY,
    Site,
    sites,
    text_at,
)

_SOURCES = DOCS + "rest-api-parameter-mapping-sources.html"
_HTTP_MAPPING = DOCS + "http-api-parameter-mapping.html"
_INVALID = 'API Gateway rejects it: "Invalid mapping expression specified"'
_REQ_KEY = re.compile(r"^integration\.request\.(path|querystring|header|multivaluequerystring"
                      r"|multivalueheader)\.[^\s.][^\s]*$")
_METHOD_PARAM = re.compile(r"^method\.request\.(path|querystring|multivaluequerystring|header"
                           r"|multivalueheader)\.([^\s.][^\s]*)$")
_VARIABLES = r"\$?stageVariables\.[A-Za-z0-9_]+|\$?context\.[A-Za-z0-9_.$-]+|'.*'"
_REQ_VALUE = re.compile(rf"^(method\.request\.body(\.\S+)?|{_VARIABLES})$", re.DOTALL)
_RESP_KEY = re.compile(r"^method\.response\.header\.([^\s.][^\s]*)$")
_RESP_VALUE = re.compile(r"^(integration\.response\.(header|multivalueheader)\.\S+"
                         rf"|integration\.response\.body(\.\S+)?|{_VARIABLES})$", re.DOTALL)
_HTTP_REQ_KEY = re.compile(r"^((append|overwrite|remove):(header|querystring)\.\S+"
                           r"|overwrite:path)$", re.IGNORECASE)
_HTTP_RESP_KEY = re.compile(r"^((append|overwrite|remove):header\.\S+|overwrite:statuscode)$",
                            re.IGNORECASE)
_PATH_TEMPLATE = re.compile(r"\{([^{}/]+?)\+?\}")
_SAME_AS = {"multivaluequerystring": "querystring", "multivalueheader": "header"}


def _mappings(site: Site, key: str) -> Iterator[tuple[str, Any, Pointer]]:
    """(name, value, pointer) of the map ``site.node[key]``."""
    raw = site.node.get(key)
    if isinstance(raw, Mapping):
        for name, value in raw.items():
            yield str(name), value, (*site.pointer, key, name)


def _string(value: Any) -> str | None:
    """The expression text; None when it is not a string, or a ``${...}``/``{{...}}``
    placeholder fills it in before deploy (``$name`` is not skipped: ``$context.x`` is an
    expression and ``$request.x`` a common HTTP-API-style mistake)."""
    found = text_at({"v": value}, "v", ())
    if found is None or found[0].lstrip().startswith(("${", "{{")):
        return None
    return found[0]


def declared(ctx: RuleContext, op: Operation) -> set[str]:
    """``method.request.<where>.<name>`` expressions the method can map (headers lower-cased)."""
    out = {_normal(p) for p in ctx.declared_request_params(op)}
    out |= {f"method.request.path.{name}" for name in _PATH_TEMPLATE.findall(op.path)}
    return out


def _normal(expression: str) -> str:
    m = _METHOD_PARAM.match(expression)
    if m is None:
        return expression
    where = _SAME_AS.get(m[1], m[1])
    name = m[2].lower() if where == "header" else m[2]
    return f"method.request.{where}.{name}"


def _response_params(site: Site) -> Iterator[tuple[str | None, Mapping[str, Any], Pointer]]:
    """(statusCode, responseParameters, pointer) of each integration response."""
    responses = site.node.get("responses")
    if not isinstance(responses, Mapping):
        return
    for key, resp in responses.items():
        if not isinstance(resp, Mapping):
            continue
        params = resp.get("responseParameters")
        status = resp.get("statusCode")
        if isinstance(params, Mapping):
            yield (None if status is None else str(status), params,
                   (*site.pointer, "responses", key, "responseParameters"))


@register
class BadRequestParameterKey(Rule):
    id = "E2100"
    description = "A requestParameters key is not integration.request.{path|querystring|header}.X."
    doc_url = _SOURCES
    hint = ("name the target as integration.request.path.NAME, "
            "integration.request.querystring.NAME or integration.request.header.NAME")
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            for key, _, pointer in _mappings(site, "requestParameters"):
                if not _REQ_KEY.match(key):
                    yield Finding(pointer, f"requestParameters key {key!r} is not an "
                                  f"integration request parameter; {_INVALID}")


@register
class BadRequestParameterValue(Rule):
    id = "E2101"
    description = "A requestParameters value is not a valid mapping expression."
    doc_url = _SOURCES
    hint = ("map from method.request.{path|querystring|header|...}.NAME, method.request.body"
            "[.JSONPath], stageVariables.NAME, context.NAME, or quote a static value: "
            "\"'value'\"")
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            for key, raw, pointer in _mappings(site, "requestParameters"):
                value = _string(raw)
                if value is None or _METHOD_PARAM.match(value) or _REQ_VALUE.match(value):
                    continue
                yield Finding(pointer, f"requestParameters[{key!r}] = {value!r} is not a "
                              f"mapping expression; {_INVALID}")


@register
class UndeclaredRequestParameter(Rule):
    """API Gateway only maps method request parameters the method declares
    (Testlio/lambda-tools#56, aws-cdk#17318: "Invalid mapping expression specified")."""

    id = "E2102"
    description = "A mapping reads a method request parameter the method does not declare."
    doc_url = DOCS + "api-gateway-swagger-extensions-integration-requestParameters.html"
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx, per_operation=True):
            known = declared(ctx, site.op)
            for key, raw, pointer in _mappings(site, "requestParameters"):
                value = _string(raw)
                m = _METHOD_PARAM.match(value) if value else None
                if m is None or _normal(m[0]) in known:
                    continue
                where = {"querystring": "query", "path": "path"}.get(_SAME_AS.get(m[1], m[1]),
                                                                        "header")
                yield Finding(pointer, f"requestParameters[{key!r}] reads {m[0]}, but "
                              f"{site.op.method} {site.op.path} declares no {where} parameter "
                              f"{m[2]!r}; {_INVALID}",
                              f"declare it in the operation's `parameters`: "
                              f"{{name: {m[2]}, in: {where}}}")


@register
class BadCacheKeyParameter(Rule):
    """Cache keys must be method request parameters of the method ("Invalid cache key
    parameter specified")."""

    id = "E2103"
    description = "A cacheKeyParameters entry is not a declared method request parameter."
    doc_url = DOCS + "api-gateway-caching.html"
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx, per_operation=True):
            entries = site.node.get("cacheKeyParameters")
            if not isinstance(entries, list):
                continue
            known = declared(ctx, site.op)
            for i, entry in enumerate(entries):
                if not isinstance(entry, str) or _normal(entry) in known:
                    continue
                what = ("is not declared by the method" if _METHOD_PARAM.match(entry)
                        else "is not a method.request.{path|querystring|header}.NAME expression")
                yield Finding((*site.pointer, "cacheKeyParameters", i),
                              f"cache key parameter {entry!r} {what}",
                              "list method request parameters the operation declares, e.g. "
                              "method.request.querystring.page")


@register
class BadResponseParameterKey(Rule):
    id = "E2104"
    description = "An integration response parameter key is not method.response.header.X."
    doc_url = _SOURCES
    hint = "integration responses can only set headers: method.response.header.NAME"
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if site.type in PROXY_TYPES:
                continue  # ignored anyway (W2016)
            for _, params, base in _response_params(site):
                for key in params:
                    if not _RESP_KEY.match(str(key)):
                        yield Finding((*base, key), f"response parameter {str(key)!r} is not "
                                      f"method.response.header.NAME; {_INVALID}")


def _method_headers(ctx: RuleContext, op: Operation, status: str) -> set[str] | None:
    """Lower-cased header names the method response ``status`` declares; None if absent."""
    response = ctx.responses(op).get(status)
    if not isinstance(response, Mapping):
        return None
    headers = ctx.deref(response.get("headers"))
    return {str(h).lower() for h in headers} if isinstance(headers, Mapping) else set()


@register
class UndeclaredResponseHeader(Rule):
    """A mapped header must be declared on the method response of that status code
    ("Invalid mapping expression parameter specified: method.response.header.X", or "No
    method response exists for method" when the status code itself is missing)."""

    id = "E2105"
    description = "An integration response maps a header the method response does not declare."
    doc_url = DOCS + "api-gateway-swagger-extensions-integration-responseParameters.html"
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx, per_operation=True):
            if site.type in PROXY_TYPES:
                continue
            for status, params, base in _response_params(site):
                if status is None:
                    continue  # no statusCode: a shape problem reported by the schema rules
                headers = _method_headers(ctx, site.op, status)
                for key in params:
                    m = _RESP_KEY.match(str(key))
                    if m is None or (headers is not None and m[1].lower() in headers):
                        continue
                    where = (f"response {status} declares no header {m[1]!r}" if headers
                             is not None else f"declares no response {status}")
                    yield Finding((*base, key), f"{key} is mapped, but {site.op.method} "
                                  f"{site.op.path} {where}; {_INVALID}",
                                  f"declare header {m[1]!r} under the operation's responses -> "
                                  f"'{status}' -> headers")


@register
class BadResponseParameterValue(Rule):
    id = "E2106"
    description = "An integration response parameter value is not a valid mapping expression."
    doc_url = _SOURCES
    hint = ("map from integration.response.header.NAME, integration.response.body[.JSONPath], "
            "stageVariables.NAME, context.NAME, or quote a static value: \"'value'\"")
    kinds = REST_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if site.type in PROXY_TYPES:
                continue
            for _, params, base in _response_params(site):
                for key, raw in params.items():
                    value = _string(raw)
                    if value is not None and not _RESP_VALUE.match(value):
                        yield Finding((*base, key), f"{key} = {value!r} is not a mapping "
                                      f"expression (static values need single quotes); "
                                      f"{_INVALID}")


@register
class BadHttpApiRequestParameter(Rule):
    """Without an integrationSubtype, HTTP-API request parameter keys are
    ``{append|overwrite|remove}:{header|querystring}.NAME`` or ``overwrite:path``. With a
    subtype they are the service's parameter names and are not checked here."""

    id = "E2107"
    description = "An HTTP API requestParameters key is not a parameter mapping target."
    doc_url = _HTTP_MAPPING
    hint = ("use append:header.NAME, overwrite:header.NAME, remove:header.NAME, the same "
            "with querystring, or overwrite:path")
    kinds = HTTP_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            if "integrationSubtype" in site.node:
                continue
            for key, _, pointer in _mappings(site, "requestParameters"):
                if not _HTTP_REQ_KEY.match(key):
                    yield Finding(pointer, f"requestParameters key {key!r} is not an HTTP API "
                                  "parameter mapping (action:location.name)")


@register
class BadHttpApiResponseParameter(Rule):
    """HTTP-API responseParameters: status code (200-599) -> {action:header.NAME or
    overwrite:statuscode -> value}."""

    id = "E2108"
    description = "HTTP API responseParameters are not keyed by status code and mapping target."
    doc_url = _HTTP_MAPPING
    hint = ('write responseParameters: {"500": {"overwrite:statuscode": "503", '
            '"append:header.x-error": "yes"}}')
    kinds = HTTP_ONLY

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for site in sites(ctx):
            for status, inner, pointer in _mappings(site, "responseParameters"):
                if not (status.isdigit() and 200 <= int(status) <= 599):
                    yield Finding(pointer, f"responseParameters key {status!r} is not a status "
                                  "code from 200 to 599")
                elif isinstance(inner, Mapping):
                    for key in inner:
                        if not _HTTP_RESP_KEY.match(str(key)):
                            yield Finding((*pointer, key), f"response mapping {str(key)!r} is "
                                          "not action:header.NAME or overwrite:statuscode")
