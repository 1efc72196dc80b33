"""Spec + deployment settings -> desired :class:`ApiState`, in the shape API Gateway stores.

Input: a loaded :class:`SpecDocument` (Swagger 2.0 or OpenAPI 3.0), :class:`ApiSettings` and the
stages. Output: an :class:`ApiState` equal to what :func:`apigwctl.aws.reader.read_api` returns
after the spec was imported. Pure: no I/O. Every default and canonical form comes from
:mod:`apigwctl.normalize`.

The deployment file's stages, usage plans and API keys compile one by one
(:func:`compile_stage`, :func:`compile_usage_plan`, :func:`compile_api_key`); the caller puts
them into the :class:`ApiState` with ``dataclasses.replace``. Usage plans carry the ownership
tags like the API (:func:`apigwctl.ownership.ownership_tags`); API keys carry none, because
``import_api_keys`` cannot tag (reference aws-apigateway.md §5). A key's value becomes a
salted digest here and goes no further.

Where AWS's stored form is uncertain the choice is commented in place. Notably: only local
``$ref`` are followed; inline (non-``$ref``) request/response schemas produce no model
(AWS generates a model with a generated name for them: not modelled yet); the `default`
operation response produces no method response; root-level ``security`` is ignored (as AWS).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apigwctl import normalize as n
from apigwctl.model import (
    ApiKey,
    ApiState,
    Authorizer,
    Canary,
    GatewayResponse,
    Integration,
    IntegrationResponse,
    Method,
    MethodResponse,
    MethodSetting,
    Model,
    RequestValidator,
    Resource,
    RestApi,
    Stage,
    Throttle,
    UsagePlan,
    UsagePlanStage,
)
from apigwctl.ownership import ownership_tags
from apigwctl.secrets import value_digest
from apigwctl.spec.loader import SpecDocument

if TYPE_CHECKING:  # the config loader imports this module (spec_routes): no runtime cycle
    from apigwctl.config.model import (
        ApiKeyConfig,
        MethodSettingConfig,
        StageConfig,
        ThrottleConfig,
        UsagePlanConfig,
        UsagePlanStageConfig,
    )

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
ANY_METHOD = "x-amazon-apigateway-any-method"


@dataclass(frozen=True)
class ApiSettings:
    """The deployment file's API settings the compiler needs (mapped from DeploymentConfig)."""

    name: str
    endpoint_type: str = "REGIONAL"
    description: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StageSettings:
    name: str
    description: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)


def compile_api(spec: SpecDocument, settings: ApiSettings,
                stages: tuple[StageSettings, ...] = ()) -> ApiState:
    """The desired state of one REST API: settings, resource tree, methods, and the rest."""
    data: Mapping[str, Any] = spec.data
    schemes = _security_schemes(data)
    methods = tuple(sorted(_methods(data, schemes),
                           key=lambda m: (m.path, m.http_method)))
    return ApiState(
        api=_rest_api(data, settings),
        resources=_resources(data),
        methods=methods,
        authorizers=tuple(sorted(_authorizers(schemes), key=lambda a: a.name)),
        validators=_validators(data),
        gateway_responses=_gateway_responses(data),
        models=_models(data),
        stages=tuple(sorted((Stage(s.name, n.optional_str(s.description),
                                   n.str_map(s.variables)) for s in stages),
                            key=lambda s: s.name)),
    )


def _deref(data: Mapping[str, Any], node: Any) -> Any:
    """Follow local `#/...` refs (chains included); anything else is returned as is."""
    seen = 0
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 32:
        ref: str = node["$ref"]
        if not ref.startswith("#/"):
            return node
        target: Any = data
        for raw in ref[2:].split("/"):
            part = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                return node
            target = target[part]
        node, seen = target, seen + 1
    return node


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _rest_api(data: Mapping[str, Any], settings: ApiSettings) -> RestApi:
    info = _dict(data.get("info"))
    endpoint = _endpoint_extension(data)
    return RestApi(
        name=settings.name,
        description=n.optional_str(settings.description or info.get("description")),
        endpoint_types=n.endpoint_types([settings.endpoint_type]),
        disable_execute_api_endpoint=bool(endpoint.get("disableExecuteApiEndpoint", False)),
        vpc_endpoint_ids=n.sorted_set(endpoint.get("vpcEndpointIds")),
        policy=n.canonical_policy(data.get("x-amazon-apigateway-policy")),
        api_key_source=n.api_key_source(data.get("x-amazon-apigateway-api-key-source")),
        binary_media_types=n.binary_media_types(
            data.get("x-amazon-apigateway-binary-media-types")),
        minimum_compression_size=data.get("x-amazon-apigateway-minimum-compression-size"),
        tags=n.str_map(settings.tags),
    )


def _endpoint_extension(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """Swagger 2.0: at the root; OpenAPI 3: in a Server object (the first one carrying it)."""
    key = "x-amazon-apigateway-endpoint-configuration"
    if key in data:
        return _dict(data[key])
    for server in data.get("servers") or ():
        if isinstance(server, Mapping) and key in server:
            return _dict(server[key])
    return {}


def _paths(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for path, item in _dict(data.get("paths")).items():
        if isinstance(path, str) and path.startswith("/"):
            yield _clean_path(path), _dict(_deref(data, item))


def _clean_path(path: str) -> str:
    return "/" + "/".join(seg for seg in path.split("/") if seg)


def _resources(data: Mapping[str, Any]) -> tuple[Resource, ...]:
    """Every prefix of every path is a resource (import creates method-less parents)."""
    paths = {"/"}
    for path, _ in _paths(data):
        segments = [s for s in path.split("/") if s]
        paths.update("/" + "/".join(segments[:i]) for i in range(1, len(segments) + 1))
    return tuple(Resource(p) for p in sorted(paths))


def _operations(item: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for verb in HTTP_METHODS:
        if isinstance(item.get(verb), Mapping):
            yield verb.upper(), item[verb]
    if isinstance(item.get(ANY_METHOD), Mapping):
        yield "ANY", item[ANY_METHOD]


def _security_schemes(data: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    raw = _dict(data.get("securityDefinitions")) or _dict(
        _dict(data.get("components")).get("securitySchemes"))
    return {str(k): _dict(_deref(data, v)) for k, v in raw.items()}


def _methods(data: Mapping[str, Any],
             schemes: Mapping[str, Mapping[str, Any]]) -> Iterator[Method]:
    default_validator = data.get("x-amazon-apigateway-request-validator")
    for path, item in _paths(data):
        shared = [_deref(data, p) for p in item.get("parameters") or ()]
        for verb, op in _operations(item):
            validator = op.get("x-amazon-apigateway-request-validator", default_validator)
            auth_type, authorizer, scopes, api_key = _authorization(op, schemes)
            yield Method(
                path=path, http_method=verb, authorization_type=auth_type,
                authorizer=authorizer, authorization_scopes=scopes,
                api_key_required=api_key,
                request_parameters=_request_parameters(data, shared, op),
                request_models=_request_models(data, op),
                request_validator=n.optional_str(validator),
                operation_name=n.optional_str(op.get("operationId")),
                method_responses=_method_responses(data, op),
                integration=_integration(op.get("x-amazon-apigateway-integration"), path),
            )


def _authorization(op: Mapping[str, Any], schemes: Mapping[str, Mapping[str, Any]]
                   ) -> tuple[str, str | None, tuple[str, ...], bool]:
    """authorizationType, authorizer name, scopes and apiKeyRequired from operation security.

    Root-level security is ignored by API Gateway import, so only the operation's counts.
    """
    auth_type, authorizer, api_key = "NONE", None, False
    scopes: tuple[str, ...] = ()
    for requirement in op.get("security") or ():
        for name, scope_list in _dict(requirement).items():
            scheme = schemes.get(str(name), {})
            if n.is_api_key_scheme(scheme):
                api_key = True
                continue
            kind = n.authorization_type_of(scheme)
            if kind is None:
                continue
            auth_type = kind
            authorizer = None if kind == "AWS_IAM" else str(name)
            if kind == "COGNITO_USER_POOLS":
                scopes = n.sorted_set(scope_list)
    explicit = _dict(op.get("x-amazon-apigateway-auth")).get("type")
    if isinstance(explicit, str) and explicit.upper() in ("NONE", "AWS_IAM"):
        auth_type, authorizer = explicit.upper(), None
    return auth_type, authorizer, scopes, api_key


def _request_parameters(data: Mapping[str, Any], shared: list[Any],
                        op: Mapping[str, Any]) -> tuple[tuple[str, bool], ...]:
    """Path-level parameters, overridden by operation ones with the same (in, name)."""
    merged: dict[tuple[str, str], Mapping[str, Any]] = {}
    for raw in [*shared, *(op.get("parameters") or ())]:
        p = _dict(_deref(data, raw))
        merged[(str(p.get("in")), str(p.get("name")))] = p
    out: dict[str, bool] = {}
    for (location, name), p in merged.items():
        key = n.request_parameter(location, name)
        if key:
            out[key] = n.parameter_required(location, p.get("required"))
    return n.bool_map(out)


def _request_models(data: Mapping[str, Any], op: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """OAS3 requestBody / Swagger 2.0 body parameter with a $ref schema -> content type: model."""
    out: dict[str, str] = {}
    body = _dict(_deref(data, op.get("requestBody")))
    for ctype, media in _dict(body.get("content")).items():
        name = n.model_name_of_ref(_dict(_dict(media).get("schema")).get("$ref"))
        if name:
            out[str(ctype)] = name
    for raw in op.get("parameters") or ():
        p = _dict(_deref(data, raw))
        name = n.model_name_of_ref(_dict(p.get("schema")).get("$ref"))
        if p.get("in") == "body" and name:
            for ctype in op.get("consumes") or data.get("consumes") or ["application/json"]:
                out[str(ctype)] = name
    return n.content_type_map(out)


def _method_responses(data: Mapping[str, Any], op: Mapping[str, Any]
                      ) -> tuple[MethodResponse, ...]:
    out = []
    for code, raw in _dict(op.get("responses")).items():
        if str(code) == "default":  # AWS has no method response for `default`
            continue
        response = _dict(_deref(data, raw))
        headers = {f"method.response.header.{h}": False for h in _dict(response.get("headers"))}
        out.append(MethodResponse(n.status_code(code), n.bool_map(headers),
                                  n.content_type_map(_response_models(data, op, response))))
    return tuple(sorted(out, key=lambda r: r.status_code))


def _response_models(data: Mapping[str, Any], op: Mapping[str, Any],
                     response: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for ctype, media in _dict(response.get("content")).items():
        name = n.model_name_of_ref(_dict(_dict(media).get("schema")).get("$ref"))
        if name:
            out[str(ctype)] = name
    name = n.model_name_of_ref(_dict(response.get("schema")).get("$ref"))
    if name:  # Swagger 2.0: the schema applies to every `produces` type
        for ctype in op.get("produces") or data.get("produces") or ["application/json"]:
            out[str(ctype)] = name
    return out


def _integration(raw: Any, path: str) -> Integration | None:
    if not isinstance(raw, Mapping):
        return None
    return n.integration(raw, n.cache_namespace(raw.get("cacheNamespace"), path),
                         _integration_responses(raw.get("responses")))


def _integration_responses(raw: Any) -> tuple[IntegrationResponse, ...]:
    """Keyed by selection pattern in the spec, by status code in AWS (last one wins)."""
    by_code: dict[str, IntegrationResponse] = {}
    for key, value in _dict(raw).items():
        r = _dict(value)
        code = n.status_code(r.get("statusCode", "200"))
        by_code[code] = IntegrationResponse(
            status_code=code, selection_pattern=n.selection_pattern(key),
            response_parameters=n.str_map(r.get("responseParameters")),
            response_templates=n.content_type_map(r.get("responseTemplates")),
            content_handling=n.optional_str(r.get("contentHandling")))
    return tuple(by_code[c] for c in sorted(by_code))


def _authorizers(schemes: Mapping[str, Mapping[str, Any]]) -> Iterator[Authorizer]:
    for name, scheme in schemes.items():
        raw = scheme.get("x-amazon-apigateway-authorizer")
        if not isinstance(raw, Mapping):
            continue
        type_ = n.authorizer_type(raw.get("type", "token"))
        yield Authorizer(
            name=name, type=type_,
            authorizer_uri=n.optional_str(raw.get("authorizerUri")),
            authorizer_credentials=n.optional_str(raw.get("authorizerCredentials")),
            identity_source=n.identity_source(type_, raw.get("identitySource"), scheme),
            identity_validation_expression=n.optional_str(
                raw.get("identityValidationExpression")),
            result_ttl_in_seconds=n.authorizer_ttl(raw.get("authorizerResultTtlInSeconds")),
            provider_arns=n.sorted_set(raw.get("providerARNs")),
            auth_type=n.optional_str(scheme.get("x-amazon-apigateway-authtype")),
        )


def _validators(data: Mapping[str, Any]) -> tuple[RequestValidator, ...]:
    raw = _dict(data.get("x-amazon-apigateway-request-validators"))
    return tuple(RequestValidator(str(name), bool(_dict(v).get("validateRequestBody", False)),
                                  bool(_dict(v).get("validateRequestParameters", False)))
                 for name, v in sorted(raw.items()))


def _gateway_responses(data: Mapping[str, Any]) -> tuple[GatewayResponse, ...]:
    """Only the customised responses; AWS's untouched defaults are not desired state."""
    raw = _dict(data.get("x-amazon-apigateway-gateway-responses"))
    return tuple(GatewayResponse(
        response_type=str(kind).upper(),
        status_code=None if _dict(v).get("statusCode") is None
        else n.status_code(_dict(v)["statusCode"]),
        response_parameters=n.str_map(_dict(v).get("responseParameters")),
        response_templates=n.content_type_map(_dict(v).get("responseTemplates")),
    ) for kind, v in sorted(raw.items()))


def _models(data: Mapping[str, Any]) -> tuple[Model, ...]:
    """components.schemas (OAS3) or definitions (2.0): one application/json model each."""
    raw = _dict(data.get("definitions")) or _dict(
        _dict(data.get("components")).get("schemas"))
    return tuple(Model(str(name), "application/json", n.model_schema(schema))
                 for name, schema in sorted(raw.items()))


@dataclass(frozen=True)
class Routes:
    """What a method key may name: ``/path/METHOD`` of each method, and each resource path."""

    methods: frozenset[str]
    resources: frozenset[str]


def spec_routes(data: Mapping[str, Any]) -> Routes:
    """The spec's routes as :func:`apigwctl.normalize.method_key` forms (``/pets/GET``,
    ``//GET`` for the root), from the same resources and methods :func:`compile_api` builds."""
    methods = {n.method_key(f"{path}/{verb}") for path, item in _paths(data)
               for verb, _ in _operations(item)}
    return Routes(frozenset(methods), frozenset(r.path for r in _resources(data)))


def compile_stage(stage: StageConfig) -> Stage:
    """A stage of the deployment file as AWS stores it after create_stage + update_stage:
    method settings with AWS's defaults filled (the model's), the cache size None while the
    cache is off (:func:`apigwctl.normalize.cache_cluster_size`)."""
    enabled = stage.cache_cluster_enabled
    return Stage(
        name=stage.name,
        description=n.optional_str(stage.description),
        variables=n.str_map(stage.variables),
        method_settings=tuple(sorted((_method_setting(m) for m in stage.method_settings),
                                     key=lambda m: m.key)),
        cache_cluster_enabled=enabled,
        cache_cluster_size=n.cache_cluster_size(enabled, stage.cache_cluster_size),
        tracing_enabled=n.tracing_enabled(stage.tracing_enabled),
        access_log_destination_arn=n.optional_str(stage.access_log_destination_arn),
        access_log_format=n.optional_str(stage.access_log_format),
        client_certificate_id=n.optional_str(stage.client_certificate_id),
        tags=n.str_map(stage.tags),
        canary=None if stage.canary is None else Canary(
            float(stage.canary.percent), n.str_map(stage.canary.variables),
            stage.canary.use_stage_cache),
    )


def _method_setting(config: MethodSettingConfig) -> MethodSetting:
    """The fields the file sets, over the defaults AWS fills in (MethodSetting's own)."""
    given = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
             if f.name != "key" and getattr(config, f.name) is not None}
    if "throttling_rate_limit" in given:  # a double in AWS: 100 and 100.0 are one value
        given["throttling_rate_limit"] = float(given["throttling_rate_limit"])
    if "logging_level" in given:
        given["logging_level"] = n.logging_level(given["logging_level"])
    return MethodSetting(key=n.method_key(config.key), **given)


def _throttle(config: ThrottleConfig) -> Throttle:
    return n.throttle(config.rate_limit, config.burst_limit)


def compile_usage_plan(plan: UsagePlanConfig, api_name: str) -> UsagePlan:
    """A usage plan of the deployment file, its stages all of API ``api_name``, tagged as
    apigwctl's for that API (the reader finds managed plans by these tags)."""
    limit, period, offset = n.quota(None if plan.quota_limit is None else {
        "limit": plan.quota_limit, "period": plan.quota_period, "offset": plan.quota_offset})
    return UsagePlan(
        name=plan.name,
        description=n.optional_str(plan.description),
        throttle=None if plan.throttle is None else _throttle(plan.throttle),
        quota_limit=limit, quota_period=period, quota_offset=offset,
        api_stages=tuple(sorted((_plan_stage(s, api_name) for s in plan.stages),
                                key=lambda s: (s.api, s.stage))),
        tags=n.str_map({**plan.tags, **ownership_tags(api_name)}),
    )


def _plan_stage(stage: UsagePlanStageConfig, api_name: str) -> UsagePlanStage:
    return UsagePlanStage(api_name, stage.stage, tuple(sorted(
        (n.method_key(key), _throttle(t)) for key, t in stage.throttle.items())))


def compile_api_key(key: ApiKeyConfig, salt: bytes) -> ApiKey:
    """An API key with its value reduced to :func:`apigwctl.secrets.value_digest` under
    ``salt`` (None when AWS generates the value); no ownership tags (see the module doc)."""
    digest = None if key.value is None else value_digest(salt, key.value.reveal())
    return ApiKey(
        name=key.name,
        description=n.optional_str(key.description),
        enabled=n.api_key_enabled(key.enabled),
        customer_id=n.optional_str(key.customer_id),
        value_digest=digest,
        usage_plans=n.sorted_set(key.usage_plans),
        tags=n.str_map(key.tags),
    )
