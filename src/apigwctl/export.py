"""Live :class:`ApiState` -> an OpenAPI document and an ``apigwctl.yaml`` that compile back to it.

Input: an :class:`ApiState` (as :func:`apigwctl.aws.reader.read_api` returns it). Output: plain
dicts (:func:`export_openapi`, :func:`export_deployment`) and their deterministic block-style
YAML (:func:`dump_yaml`, :func:`render_export`). Pure: no I/O.

Invariant: compiling the two documents (``compile_api`` + the deployment file's stages, usage
plans and keys, as ``apigwctl plan`` does) gives the state exported, ownership tags aside
(``apigwctl:*`` tags are dropped here: ``adopt`` adds them back) and key values aside (never
exported: each key's value becomes ``${env:APIGWCTL_KEY_<NAME>}``). Where the model can hold
what OpenAPI cannot say (a required method-response header, several request models under
Swagger 2.0, a model with another content type than application/json), the export is the
closest document and the round trip shows the difference.

Every ``x-amazon-apigateway-*`` extension is written from the model, in the form
:mod:`apigwctl.compile` reads: defaults the compiler fills in (timeout 29000, connection type
INTERNET, the cache namespace defaulted to the resource) are left out, so the document says
only what differs from AWS's defaults. Keys are ordered as a person writes an OpenAPI document
(openapi, info, servers, paths, components, then the extensions); paths sorted, methods in
the usual verb order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import yaml

from apigwctl import normalize as n
from apigwctl.model import (
    ApiKey,
    ApiState,
    Authorizer,
    Integration,
    Method,
    MethodSetting,
    Stage,
    Throttle,
    UsagePlan,
)
from apigwctl.ownership import RESERVED_PREFIX

FORMATS = ("oas30", "swagger2")
_VERBS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "ANY")
_ANY = "x-amazon-apigateway-any-method"
_X = "x-amazon-apigateway-"
_PARAM_IN = {"querystring": "query", "path": "path", "header": "header"}
_PARAM = re.compile(r"^method\.request\.(querystring|path|header)\.(.+)$")
KEY_ENV_PREFIX = "APIGWCTL_KEY_"
Comments = Mapping[tuple[str, ...], str]


# -- OpenAPI ----------------------------------------------------------------------------------


def export_openapi(state: ApiState, fmt: str = "oas30") -> dict[str, Any]:
    """The API as an OpenAPI 3.0 (``oas30``) or Swagger 2.0 (``swagger2``) document."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    swagger = fmt == "swagger2"
    api = state.api
    schemes, names = _security_schemes(state, swagger)
    doc: dict[str, Any] = {"swagger": "2.0"} if swagger else {"openapi": "3.0.1"}
    info: dict[str, Any] = {"title": api.name, "version": "1.0"}
    if api.description:
        info["description"] = api.description
    doc["info"] = info
    endpoint = _endpoint_configuration(state)
    if endpoint and not swagger:
        doc["servers"] = [{"url": "/", f"{_X}endpoint-configuration": endpoint}]
    doc["paths"] = _paths(state, swagger, names)
    models = {m.name: _model_schema(m.schema, swagger) for m in state.models}
    if swagger:
        if models:
            doc["definitions"] = models
        if schemes:
            doc["securityDefinitions"] = schemes
    else:
        components: dict[str, Any] = {}
        if models:
            components["schemas"] = models
        if schemes:
            components["securitySchemes"] = schemes
        if components:
            doc["components"] = components
    if endpoint and swagger:
        doc[f"{_X}endpoint-configuration"] = endpoint
    doc.update(_api_extensions(state))
    return doc


def _endpoint_configuration(state: ApiState) -> dict[str, Any]:
    api = state.api
    out: dict[str, Any] = {}
    if api.vpc_endpoint_ids:
        out["vpcEndpointIds"] = list(api.vpc_endpoint_ids)
    if api.disable_execute_api_endpoint:
        out["disableExecuteApiEndpoint"] = True
    return out


def _api_extensions(state: ApiState) -> dict[str, Any]:
    api = state.api
    out: dict[str, Any] = {f"{_X}api-key-source": api.api_key_source}
    if api.binary_media_types:
        out[f"{_X}binary-media-types"] = list(api.binary_media_types)
    if api.minimum_compression_size is not None:
        out[f"{_X}minimum-compression-size"] = api.minimum_compression_size
    if api.policy:
        out[f"{_X}policy"] = json.loads(api.policy)
    if state.validators:
        out[f"{_X}request-validators"] = {
            v.name: {"validateRequestBody": v.validate_request_body,
                     "validateRequestParameters": v.validate_request_parameters}
            for v in state.validators}
    if state.gateway_responses:
        responses: dict[str, Any] = {}
        for g in state.gateway_responses:
            item: dict[str, Any] = {}
            if g.status_code is not None:
                item["statusCode"] = g.status_code
            if g.response_parameters:
                item["responseParameters"] = dict(g.response_parameters)
            if g.response_templates:
                item["responseTemplates"] = dict(g.response_templates)
            responses[g.response_type] = item
        out[f"{_X}gateway-responses"] = responses
    return out


def _unused(base: str, taken: set[str]) -> str:
    name, i = base, 2
    while name in taken:
        name, i = f"{base}{i}", i + 1
    return name


def _security_schemes(state: ApiState, swagger: bool
                      ) -> tuple[dict[str, Any], dict[str, str]]:
    """Authorizers by name, plus the API-key and SigV4 schemes the methods need.

    Returns the schemes and the names chosen for ``api_key`` and ``sigv4`` (renamed when an
    authorizer already has the name).
    """
    schemes: dict[str, Any] = {a.name: _authorizer_scheme(a) for a in state.authorizers}
    taken = set(schemes)
    names: dict[str, str] = {}
    if any(m.api_key_required for m in state.methods):
        names["api_key"] = _unused("api_key", taken)
        taken.add(names["api_key"])
        schemes[names["api_key"]] = {"type": "apiKey", "name": n.API_KEY_HEADER, "in": "header"}
    if any(m.authorization_type == "AWS_IAM" for m in state.methods):
        names["sigv4"] = _unused("sigv4", taken)
        schemes[names["sigv4"]] = {"type": "apiKey", "name": "Authorization", "in": "header",
                                   f"{_X}authtype": "awsSigv4"}
    return dict(sorted(schemes.items())), names


def _authorizer_scheme(a: Authorizer) -> dict[str, Any]:
    header = "Authorization"
    source = a.identity_source or ""
    if source.startswith("method.request.header.") and "," not in source:
        header = source[len("method.request.header."):]
    scheme: dict[str, Any] = {"type": "apiKey", "name": header, "in": "header"}
    if a.auth_type:
        scheme[f"{_X}authtype"] = a.auth_type
    raw: dict[str, Any] = {"type": a.type.lower()}
    if a.authorizer_uri:
        raw["authorizerUri"] = a.authorizer_uri
    if a.authorizer_credentials:
        raw["authorizerCredentials"] = a.authorizer_credentials
    if a.identity_source:
        raw["identitySource"] = a.identity_source
    if a.identity_validation_expression:
        raw["identityValidationExpression"] = a.identity_validation_expression
    raw["authorizerResultTtlInSeconds"] = a.result_ttl_in_seconds
    if a.provider_arns:
        raw["providerARNs"] = list(a.provider_arns)
    scheme[f"{_X}authorizer"] = raw
    return scheme


def _model_ref(name: str, swagger: bool) -> str:
    return f"#/definitions/{name}" if swagger else f"#/components/schemas/{name}"


def _model_schema(schema: str | None, swagger: bool) -> Any:
    if schema is None:
        return {}
    prefix = "#/definitions/" if swagger else "#/components/schemas/"
    schema_doc: Any = n.map_refs(json.loads(schema), lambda ref: prefix + ref[9:]
                      if ref.startswith("#/models/") else ref)
    return schema_doc


def _paths(state: ApiState, swagger: bool, names: Mapping[str, str]) -> dict[str, Any]:
    """Every resource with a method, and every method-less leaf (an empty path item)."""
    by_path: dict[str, list[Method]] = {}
    for m in state.methods:
        by_path.setdefault(m.path, []).append(m)
    keep = set(by_path)
    for r in state.resources:
        if r.path != "/" and not any(p.startswith(r.path + "/") for p in
                                     (o.path for o in state.resources)):
            keep.add(r.path)
    out: dict[str, Any] = {}
    for path in sorted(keep):
        methods = sorted(by_path.get(path, ()), key=lambda m: _VERBS.index(m.http_method)
                         if m.http_method in _VERBS else len(_VERBS))
        out[path] = {(_ANY if m.http_method == "ANY" else m.http_method.lower()):
                     _operation(m, swagger, names) for m in methods}
    return out


def _operation(m: Method, swagger: bool, names: Mapping[str, str]) -> dict[str, Any]:
    op: dict[str, Any] = {}
    if m.operation_name:
        op["operationId"] = m.operation_name
    if swagger:
        request_types = sorted({c for c, _ in m.request_models})
        if request_types:
            op["consumes"] = request_types
        response_types = sorted({c for r in m.method_responses for c, _ in r.response_models})
        if response_types:
            op["produces"] = response_types
    parameters = _parameters(m, swagger)
    if parameters:
        op["parameters"] = parameters
    if m.request_models and not swagger:
        op["requestBody"] = {"content": {ctype: {"schema": {"$ref": _model_ref(model, False)}}
                                         for ctype, model in m.request_models}}
    op["responses"] = _responses(m, swagger)
    security = _security(m, names)
    if security:
        op["security"] = [security]
    if m.request_validator:
        op[f"{_X}request-validator"] = m.request_validator
    if m.integration is not None:
        op[f"{_X}integration"] = _integration(m.integration, m.path)
    return op


def _parameters(m: Method, swagger: bool) -> list[dict[str, Any]]:
    out = []
    for key, required in m.request_parameters:
        match = _PARAM.match(key)
        if not match:
            continue
        p: dict[str, Any] = {"name": match.group(2), "in": _PARAM_IN[match.group(1)]}
        if required or match.group(1) == "path":
            p["required"] = True
        if swagger:
            p["type"] = "string"
        else:
            p["schema"] = {"type": "string"}
        out.append(p)
    if swagger and m.request_models:
        out.append({"in": "body", "name": "body", "required": True,
                    "schema": {"$ref": _model_ref(m.request_models[0][1], True)}})
    return out


def _responses(m: Method, swagger: bool) -> dict[str, Any]:
    """Method responses by status code; none at all becomes `default` (no method response)."""
    out: dict[str, Any] = {}
    for r in m.method_responses:
        item: dict[str, Any] = {"description": f"{r.status_code} response"}
        headers = [k[len("method.response.header."):] for k, _ in r.response_parameters
                   if k.startswith("method.response.header.")]
        if headers:
            item["headers"] = {h: ({"type": "string"} if swagger
                                   else {"schema": {"type": "string"}}) for h in headers}
        if r.response_models:
            if swagger:
                item["schema"] = {"$ref": _model_ref(r.response_models[0][1], True)}
            else:
                item["content"] = {ctype: {"schema": {"$ref": _model_ref(model, False)}}
                                   for ctype, model in r.response_models}
        out[r.status_code] = item
    return out or {"default": {"description": "Default response"}}


def _security(m: Method, names: Mapping[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if m.authorization_type in ("CUSTOM", "COGNITO_USER_POOLS") and m.authorizer:
        out[m.authorizer] = list(m.authorization_scopes)
    elif m.authorization_type == "AWS_IAM":
        out[names["sigv4"]] = []
    if m.api_key_required:
        out[names["api_key"]] = []
    return out


def _given(*pairs: tuple[str, Any]) -> dict[str, Any]:
    """The pairs whose value is set (not None, not empty, not False), in order."""
    return {k: v for k, v in pairs
            if not (v is None or v is False or (isinstance(v, (str, dict, list)) and not v))}


def _integration(i: Integration, path: str) -> dict[str, Any]:
    """The integration extension; the compiler's defaults (INTERNET, 29000 ms, the resource as
    cache namespace) are left out."""
    tls = (None if i.tls_insecure_skip_verification is None
           else {"insecureSkipVerification": i.tls_insecure_skip_verification})
    out = _given(
        ("type", i.type.lower()), ("httpMethod", i.http_method), ("uri", i.uri),
        ("credentials", i.credentials),
        ("connectionType", None if i.connection_type == "INTERNET" else i.connection_type),
        ("connectionId", i.connection_id),
        ("requestParameters", dict(i.request_parameters)),
        ("requestTemplates", dict(i.request_templates)),
        ("passthroughBehavior", i.passthrough_behavior.lower()),
        ("contentHandling", i.content_handling),
        ("timeoutInMillis", None if i.timeout_in_millis == n.DEFAULT_TIMEOUT_MS
         else i.timeout_in_millis),
        ("cacheNamespace", None if i.cache_namespace == path else i.cache_namespace),
        ("cacheKeyParameters", list(i.cache_key_parameters)),
        ("tlsConfig", tls))
    if i.responses:
        ordered = sorted(i.responses, key=lambda r: (r.selection_pattern is None,
                                                     r.selection_pattern or "", r.status_code))
        out["responses"] = {r.selection_pattern or "default": _given(
            ("statusCode", r.status_code),
            ("responseParameters", dict(r.response_parameters)),
            ("responseTemplates", dict(r.response_templates)),
            ("contentHandling", r.content_handling)) for r in ordered}
    return out


# -- the deployment file ----------------------------------------------------------------------


def _own(tags: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Tags minus apigwctl's ownership tags (``adopt`` adds those)."""
    return {k: v for k, v in tags if not k.startswith(RESERVED_PREFIX)}


def key_env_name(key_name: str) -> str:
    """The environment variable an exported key's value reads: APIGWCTL_KEY_<NAME>."""
    return KEY_ENV_PREFIX + (re.sub(r"[^A-Za-z0-9]+", "_", key_name).strip("_").upper()
                             or "KEY")


def key_env_names(names: Iterable[str]) -> dict[str, str]:
    """Each key name's variable; names that fold to one variable get _2, _3... in name order."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(set(names)):
        env, i = key_env_name(name), 2
        while env in used:
            env, i = f"{key_env_name(name)}_{i}", i + 1
        out[name] = env
        used.add(env)
    return out


def export_deployment(state: ApiState, spec_file: str,
                      target: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The deployment file: the API's settings, stages, usage plans and API keys (values as
    ``${env:...}`` references, never the value), and the target (default ``kind: aws``)."""
    api = state.api
    doc: dict[str, Any] = {}
    api_doc: dict[str, Any] = {"name": api.name, "spec": spec_file, "type": "REST",
                               "endpoint_type": api.endpoint_types[0]}
    if api.description:
        api_doc["description"] = api.description
    tags = _own(api.tags)
    if tags:
        api_doc["tags"] = tags
    doc["api"] = api_doc
    if state.stages:
        doc["stages"] = {s.name: _stage(s) for s in state.stages}
    stage_names = {s.name for s in state.stages}
    if state.usage_plans:
        doc["usage_plans"] = {p.name: _usage_plan(p, api.name, stage_names)
                              for p in state.usage_plans}
    plan_names = {p.name for p in state.usage_plans}
    env_names = key_env_names(k.name for k in state.api_keys)
    if state.api_keys:
        doc["api_keys"] = {k.name: _api_key(k, plan_names, env_names[k.name])
                           for k in state.api_keys}
    doc["target"] = dict(target) if target is not None else {"kind": "aws"}
    escaped: dict[str, Any] = _escaped(doc, ())
    return escaped


def _escaped(node: Any, pointer: tuple[str, ...]) -> Any:
    """Every string value with ``${`` written ``$${``: the deployment file interpolates
    ``${...}`` in values (an API named ``${title}`` stays that name); keys are not
    interpolated, nor escaped; a key's value reference is the one interpolation meant."""
    if isinstance(node, str):
        keep = len(pointer) == 3 and pointer[0] == "api_keys" and pointer[2] == "value"
        return node if keep else node.replace("${", "$${")
    if isinstance(node, dict):
        return {k: _escaped(v, (*pointer, str(k))) for k, v in node.items()}
    if isinstance(node, list):
        return [_escaped(v, (*pointer, str(i))) for i, v in enumerate(node)]
    return node


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _throttle(t: Throttle) -> dict[str, Any]:
    return {"rate_limit": _number(t.rate_limit or 0.0), "burst_limit": int(t.burst_limit or 0)}


def _method_setting(s: MethodSetting) -> dict[str, Any]:
    """Only what differs from AWS's defaults (the compiler fills those in)."""
    d = MethodSetting(key=s.key)
    out: dict[str, Any] = {}
    throttling: dict[str, Any] = {}
    if s.throttling_rate_limit != d.throttling_rate_limit:
        throttling["rate_limit"] = _number(s.throttling_rate_limit)
    if s.throttling_burst_limit != d.throttling_burst_limit:
        throttling["burst_limit"] = s.throttling_burst_limit
    if throttling:
        out["throttling"] = throttling
    logging: dict[str, Any] = {}
    if s.logging_level != d.logging_level:
        logging["level"] = s.logging_level
    if s.data_trace_enabled != d.data_trace_enabled:
        logging["data_trace"] = s.data_trace_enabled
    if logging:
        out["logging"] = logging
    if s.metrics_enabled != d.metrics_enabled:
        out["metrics"] = s.metrics_enabled
    caching: dict[str, Any] = {}
    for field, name in (("caching_enabled", "enabled"), ("cache_ttl_in_seconds", "ttl"),
                        ("cache_data_encrypted", "encrypted"),
                        ("require_authorization_for_cache_control", "require_authorization"),
                        ("unauthorized_cache_control_header_strategy", "unauthorized_strategy")):
        if getattr(s, field) != getattr(d, field):
            caching[name] = getattr(s, field)
    if caching:
        out["caching"] = caching
    return out


def _stage(s: Stage) -> dict[str, Any]:
    cache = ({"enabled": True, "size": s.cache_cluster_size or n.DEFAULT_CACHE_CLUSTER_SIZE}
             if s.cache_cluster_enabled else None)
    canary = None if s.canary is None else _given(
        ("percent", _number(s.canary.percent)), ("variables", dict(s.canary.variables)),
        ("use_stage_cache", s.canary.use_stage_cache))
    log = _given(("destination_arn", s.access_log_destination_arn),
                 ("format", s.access_log_format))
    return _given(
        ("description", s.description), ("variables", dict(s.variables)),
        ("method_settings", {m.key: _method_setting(m) for m in s.method_settings}),
        ("cache_cluster", cache), ("canary", canary), ("tracing", s.tracing_enabled),
        ("access_log", log), ("client_certificate_id", s.client_certificate_id),
        ("tags", dict(s.tags)))


def _usage_plan(p: UsagePlan, api_name: str, stage_names: set[str]) -> dict[str, Any]:
    """A usage plan; only this API's stages exported here can be said in the file."""
    out: dict[str, Any] = {}
    if p.description:
        out["description"] = p.description
    if p.throttle is not None:
        out["throttle"] = _throttle(p.throttle)
    if p.quota_limit is not None and p.quota_period:
        quota: dict[str, Any] = {"limit": p.quota_limit, "period": p.quota_period}
        if p.quota_offset:
            quota["offset"] = p.quota_offset
        out["quota"] = quota
    stages: dict[str, Any] = {}
    for s in p.api_stages:
        if s.api == api_name and s.stage in stage_names:
            stages[s.stage] = ({"throttle": {k: _throttle(t) for k, t in s.throttle}}
                               if s.throttle else {})
    if stages:
        out["stages"] = stages
    tags = _own(p.tags)
    if tags:
        out["tags"] = tags
    return out


def _api_key(k: ApiKey, plan_names: set[str], env_name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if k.description:
        out["description"] = k.description
    if not k.enabled:
        out["enabled"] = False
    if k.customer_id:
        out["customer_id"] = k.customer_id
    out["value"] = "${env:" + env_name + "}"
    plans = [p for p in k.usage_plans if p in plan_names]
    if plans:
        out["usage_plans"] = plans
    tags = _own(k.tags)
    if tags:
        out["tags"] = tags
    return out


def deployment_comments(doc: Mapping[str, Any]) -> dict[tuple[str, ...], str]:
    """The comments of an exported deployment file: why each key value is a reference."""
    out: dict[tuple[str, ...], str] = {}
    keys = doc.get("api_keys") or {}
    if keys:
        out[("api_keys",)] = ("API key values are never exported: set each ${env:...} "
                              "variable below to the key's value (or use ${file:PATH}).")
    for name in keys:
        out[("api_keys", name, "value")] = "the live value is not exported"
    return out


# -- YAML -------------------------------------------------------------------------------------


def _scalar(value: Any) -> str:
    """One scalar on one line, as PyYAML quotes it (only what needs quoting is quoted)."""
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        style: str | None = '"'
    else:
        style = None
    text = yaml.safe_dump(value, default_style=style, width=1 << 30, allow_unicode=True)
    text = text.removesuffix("\n...\n").rstrip("\n")
    if "\n" in text:  # never expected: fall back to JSON, which is YAML
        text = json.dumps(value, ensure_ascii=False)
    return text


def _literal(value: str, indent: int) -> list[str] | None:
    """A multi-line string as a `|` block, when the block reads back as the same string."""
    if "\n" not in value or "\r" in value or value.startswith((" ", "\t", "\n")):
        return None
    body = value[:-1] if value.endswith("\n") else value
    if body.endswith("\n") or any(line != line.rstrip() for line in body.split("\n")):
        return None
    if any(not ch.isprintable() and ch != "\t" for ch in body.replace("\n", "")):
        return None
    pad = " " * indent
    head = "|" if value.endswith("\n") else "|-"
    return [head, *[(pad + line) if line else "" for line in body.split("\n")]]


def _emit(node: Any, indent: int, path: tuple[str, ...], comments: Comments,
          out: list[str]) -> None:
    pad = " " * indent
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = (*path, str(key))
            if here in comments:
                out.append(f"{pad}# {comments[here]}")
            _entry(f"{pad}{_scalar(key)}:", value, indent, here, comments, out)
    else:
        for i, value in enumerate(node):
            here = (*path, str(i))
            if isinstance(value, Mapping) and value:
                sub: list[str] = []
                _emit(value, indent + 2, here, comments, sub)
                out.append(f"{pad}- {sub[0].lstrip()}")
                out.extend(sub[1:])
            else:
                _entry(f"{pad}-", value, indent, here, comments, out)


def _entry(head: str, value: Any, indent: int, path: tuple[str, ...],  # noqa: PLR0917
           comments: Comments, out: list[str]) -> None:
    if isinstance(value, (Mapping, list, tuple)) and value:
        out.append(head)
        _emit(value, indent + 2, path, comments, out)
    elif isinstance(value, Mapping):
        out.append(f"{head} {{}}")
    elif isinstance(value, (list, tuple)):
        out.append(f"{head} []")
    else:
        block = _literal(value, indent + 2) if isinstance(value, str) else None
        if block is None:
            out.append(f"{head} {_scalar(value)}")
        else:
            out.append(f"{head} {block[0]}")
            out.extend(block[1:])


def dump_yaml(doc: Mapping[str, Any], comments: Comments | None = None,
              header: Sequence[str] = ()) -> str:
    """Block-style YAML of ``doc`` in its own key order, deterministic to the byte.

    ``comments`` maps a key's path (``("api_keys", "partner", "value")``) to a comment line
    written above that key; ``header`` lines open the file as comments. Multi-line strings
    are `|` blocks when that reads back as the same text, else double-quoted.
    """
    out = [f"# {line}" if line else "#" for line in header]
    _emit(doc, 0, (), comments or {}, out)
    return "\n".join(out) + "\n"


def render_export(state: ApiState, fmt: str = "oas30", spec_file: str = "openapi.yaml",
                  target: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """The texts of ``openapi.yaml`` and ``apigwctl.yaml`` for ``state``."""
    spec = dump_yaml(export_openapi(state, fmt), header=(
        f"{state.name}: exported by `apigwctl export` from the live API.",))
    deployment = export_deployment(state, spec_file, target)
    config = dump_yaml(deployment, deployment_comments(deployment), header=(
        f"Deployment file of {state.name}, exported by `apigwctl export`.",
        "Check it with `apigwctl validate -c apigwctl.yaml`; take ownership with "
        "`apigwctl adopt`."))
    return spec, config
