"""Live REST API state -> :class:`ApiState`, the same model the compiler builds.

Input: a boto3 ``apigateway`` client, an API name, and for the deployment file's usage plans
and API keys a salt and the key names the file declares. Output: the live :class:`ApiState`
(ids beside it in ``ApiState.ids``) or None when no API has that name. Every default and
canonical form comes from :mod:`apigwctl.normalize`.

Calls for one API (petstore: 8): ``get_rest_apis`` (paged, limit 500; tags come with it, so no
``get_tags``), ``get_resources(limit=500, embed=['methods'])`` (methods AND their integrations
in one call), ``get_authorizers``, ``get_request_validators``, ``get_gateway_responses``,
``get_models``, ``get_stages`` (every stage with its method settings, cache, tracing, access
log, client certificate and tags: no per-stage call), ``get_usage_plans`` (paged, limit 500).
Then, only when there is something to read: ``get_usage_plan_keys`` for each usage plan
apigwctl manages for this API (paged, limit 500) and ``get_api_keys(includeValues=True)``
(paged, limit 500; skipped when the file names no key and no managed plan has one).

The reference deployment (the API, 2 managed plans, N keys, at most 500 keys a plan) costs
7 + 1 + 2 + ceil(N/500) = **10 + ceil(N/500)** read calls; in general
``8 + sum over managed plans of ceil(keys in it / 500) + ceil(keys in the account / 500)``
(a plan with no key still costs one call).

Usage plans are account-wide: only plans tagged ``apigwctl:managed-by=apigwctl`` and
``apigwctl:api=<name>`` are read (see :mod:`apigwctl.ownership`); an API stage of another
API in such a plan is kept as ``api = "id:<apiId>"``. Keys cannot be tagged by
``import_api_keys``, so a key is read when the file names it or a managed plan holds it. Two
live keys of one name: the one in a managed plan wins, else it is an error. A key's value is
reduced to :func:`apigwctl.secrets.value_digest` under the caller's salt as soon as it is
read, and not kept.

A method embedded without its body (AWS may shorten the embedded form) is fetched with
``get_method``; moto 5.2.5 always embeds the full method, so this fallback is never taken there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apigwctl import normalize as n
from apigwctl.errors import ApigwctlError
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
    Model,
    RequestValidator,
    Resource,
    RestApi,
    Stage,
    UsagePlan,
    UsagePlanStage,
)
from apigwctl.ownership import API_KEY, MANAGED_BY, MANAGED_BY_KEY, LiveApi
from apigwctl.secrets import value_digest

Select = Callable[[Sequence[LiveApi]], LiveApi | None]

PAGE = 500


@dataclass
class Reader:
    """Wraps the client to count read calls (the plan benchmark reports them)."""

    client: Any
    calls: int = 0

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        self.calls += 1
        result: dict[str, Any] = getattr(self.client, operation)(**kwargs)
        return result

    def paged(self, operation: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Follow `position` until exhausted; the page size is the maximum AWS allows."""
        position: str | None = None
        while True:
            extra = {"position": position} if position else {}
            page = self.call(operation, limit=PAGE, **kwargs, **extra)
            yield from page.get("items", ())
            position = page.get("position")
            if not position:
                return


def list_apis(reader: Reader) -> list[dict[str, Any]]:
    """Every REST API of the account/region, as get_rest_apis returns them."""
    return list(reader.paged("get_rest_apis"))


def find_api(reader: Reader, name: str) -> dict[str, Any] | None:
    """The REST API with this name (the first one if AWS holds several), or None."""
    return next((api for api in list_apis(reader) if api.get("name") == name), None)


def read_api(client: Any, name: str, reader: Reader | None = None, *,
             select: Select | None = None, salt: bytes = b"",
             key_names: frozenset[str] = frozenset(),
             every_plan: bool = False) -> ApiState | None:
    """The live state of the REST API called `name`, or None when there is none.

    ``select`` picks among the account's APIs (see :func:`apigwctl.ownership.choose_managed`);
    without it, the first API with the name is read. ``salt`` digests key values;
    ``key_names`` are the API keys the deployment file declares (read even when no managed
    plan holds them).
    """
    reader = reader or Reader(client)
    raw = _selected(list_apis(reader), name, select)
    if raw is None:
        return None
    api_id = raw["id"]
    ids: dict[str, str] = {f"api:{name}": api_id}
    resources = list(reader.paged("get_resources", restApiId=api_id, embed=["methods"]))
    authorizers = _by_name(reader.paged("get_authorizers", restApiId=api_id), ids,
                           f"authorizer:{name}")
    validators = _by_name(reader.paged("get_request_validators", restApiId=api_id), ids,
                          f"validator:{name}")
    ids.update({f"resource:{name}:{r['path']}": r["id"] for r in resources})
    plans, keys = _plans_and_keys(reader, api_id, name, ids, every_plan=every_plan, salt=salt,
                                  key_names=key_names)
    return ApiState(
        api=_rest_api(raw),
        resources=tuple(Resource(r["path"]) for r in sorted(resources, key=_path)),
        methods=tuple(sorted(_methods(reader, api_id, resources, authorizers, validators),
                             key=lambda m: (m.path, m.http_method))),
        authorizers=tuple(sorted((_authorizer(a) for a in authorizers.values()),
                                 key=lambda a: a.name)),
        validators=tuple(sorted((_validator(v) for v in validators.values()),
                                key=lambda v: v.name)),
        gateway_responses=_gateway_responses(reader, api_id),
        models=_models(reader, api_id, ids, name),
        stages=_stages(reader, api_id, ids, name),
        usage_plans=plans,
        api_keys=keys,
        ids=ids,
    )


def find_api_id(client: Any, name: str, reader: Reader | None = None, *,
                select: Select | None = None) -> str | None:
    """Only the id of the API called ``name`` (chosen by ``select``): one paged listing."""
    raw = _selected(list_apis(reader or Reader(client)), name, select)
    return None if raw is None else str(raw["id"])


def _selected(apis: list[dict[str, Any]], name: str,
              select: Select | None) -> dict[str, Any] | None:
    if select is None:
        return next((api for api in apis if api.get("name") == name), None)
    chosen = select([LiveApi(str(a["id"]), str(a.get("name", "")), dict(n.str_map(a.get("tags"))))
                     for a in apis])
    return next((api for api in apis if chosen and api["id"] == chosen.id), None)


def _path(resource: Mapping[str, Any]) -> str:
    return str(resource["path"])


def _by_name(items: Iterator[dict[str, Any]], ids: dict[str, str],
             prefix: str) -> dict[str, dict[str, Any]]:
    """Items keyed by id (methods refer to them by id), recording name -> id in ids."""
    out = {item["id"]: item for item in items}
    ids.update({f"{prefix}:{item['name']}": item["id"] for item in out.values()})
    return out


def _rest_api(raw: Mapping[str, Any]) -> RestApi:
    endpoint = raw.get("endpointConfiguration") or {}
    return RestApi(
        name=raw["name"],
        description=n.optional_str(raw.get("description")),
        endpoint_types=n.endpoint_types(endpoint.get("types")),
        disable_execute_api_endpoint=bool(raw.get("disableExecuteApiEndpoint", False)),
        vpc_endpoint_ids=n.sorted_set(endpoint.get("vpcEndpointIds")),
        policy=n.canonical_policy(raw.get("policy"), raw["id"]),
        api_key_source=n.api_key_source(raw.get("apiKeySource")),
        binary_media_types=n.binary_media_types(raw.get("binaryMediaTypes")),
        minimum_compression_size=raw.get("minimumCompressionSize"),
        tags=n.str_map(raw.get("tags")),
    )


def _methods(reader: Reader, api_id: str, resources: list[dict[str, Any]],
             authorizers: Mapping[str, Mapping[str, Any]],
             validators: Mapping[str, Mapping[str, Any]]) -> Iterator[Method]:
    for resource in resources:
        for verb, embedded in (resource.get("resourceMethods") or {}).items():
            raw = embedded
            if "httpMethod" not in embedded:  # shortened embed: fetch the method itself
                raw = reader.call("get_method", restApiId=api_id,
                                  resourceId=resource["id"], httpMethod=verb)
            yield _method(resource, raw, authorizers, validators)


def _method(resource: Mapping[str, Any], raw: Mapping[str, Any],
            authorizers: Mapping[str, Mapping[str, Any]],
            validators: Mapping[str, Mapping[str, Any]]) -> Method:
    authorizer = authorizers.get(raw.get("authorizerId") or "")
    validator = validators.get(raw.get("requestValidatorId") or "")
    responses = (raw.get("methodResponses") or {}).values()
    integration = raw.get("methodIntegration")
    return Method(
        path=resource["path"], http_method=str(raw["httpMethod"]).upper(),
        authorization_type=str(raw.get("authorizationType") or "NONE"),
        authorizer=authorizer["name"] if authorizer else None,
        authorization_scopes=n.sorted_set(raw.get("authorizationScopes")),
        api_key_required=bool(raw.get("apiKeyRequired", False)),
        request_parameters=n.bool_map(raw.get("requestParameters")),
        request_models=n.content_type_map(raw.get("requestModels")),
        request_validator=validator["name"] if validator else None,
        operation_name=n.optional_str(raw.get("operationName")),
        method_responses=tuple(sorted(
            (MethodResponse(n.status_code(r["statusCode"]),
                            n.bool_map(r.get("responseParameters")),
                            n.content_type_map(r.get("responseModels")))
             for r in responses), key=lambda r: r.status_code)),
        integration=_integration(integration, resource) if integration else None,
    )


def _integration(raw: Mapping[str, Any], resource: Mapping[str, Any]) -> Integration:
    namespace = n.cache_namespace(raw.get("cacheNamespace"), resource["path"], resource["id"])
    return n.integration(raw, namespace, tuple(sorted(
        (IntegrationResponse(
            status_code=n.status_code(r["statusCode"]),
            selection_pattern=n.selection_pattern(r.get("selectionPattern")),
            response_parameters=n.str_map(r.get("responseParameters")),
            response_templates=n.content_type_map(r.get("responseTemplates")),
            content_handling=n.optional_str(r.get("contentHandling")))
         for r in (raw.get("integrationResponses") or {}).values()),
        key=lambda r: r.status_code)))


def _authorizer(raw: Mapping[str, Any]) -> Authorizer:
    type_ = n.authorizer_type(raw.get("type", "TOKEN"))
    return Authorizer(
        name=raw["name"], type=type_,
        authorizer_uri=n.optional_str(raw.get("authorizerUri")),
        authorizer_credentials=n.optional_str(raw.get("authorizerCredentials")),
        identity_source=n.identity_source(type_, raw.get("identitySource"), {}),
        identity_validation_expression=n.optional_str(raw.get("identityValidationExpression")),
        result_ttl_in_seconds=n.authorizer_ttl(raw.get("authorizerResultTtlInSeconds")),
        provider_arns=n.sorted_set(raw.get("providerARNs")),
        auth_type=n.optional_str(raw.get("authType")),
    )


def _validator(raw: Mapping[str, Any]) -> RequestValidator:
    return RequestValidator(raw["name"], bool(raw.get("validateRequestBody", False)),
                            bool(raw.get("validateRequestParameters", False)))


def _gateway_responses(reader: Reader, api_id: str) -> tuple[GatewayResponse, ...]:
    """Only customised responses: AWS also lists every untouched default (defaultResponse)."""
    return tuple(sorted((GatewayResponse(
        response_type=r["responseType"],
        status_code=None if r.get("statusCode") is None else n.status_code(r["statusCode"]),
        response_parameters=n.str_map(r.get("responseParameters")),
        response_templates=n.content_type_map(r.get("responseTemplates")),
    ) for r in reader.paged("get_gateway_responses", restApiId=api_id)
        if not r.get("defaultResponse", False)), key=lambda g: g.response_type))


def _models(reader: Reader, api_id: str, ids: dict[str, str], name: str) -> tuple[Model, ...]:
    items = list(reader.paged("get_models", restApiId=api_id))
    ids.update({f"model:{name}:{m['name']}": m["id"] for m in items})
    return tuple(sorted((Model(m["name"], str(m.get("contentType") or "application/json"),
                               n.model_schema(m.get("schema"))) for m in items),
                        key=lambda m: m.name))


def _stages(reader: Reader, api_id: str, ids: dict[str, str], name: str) -> tuple[Stage, ...]:
    """get_stages is not paged (AWS returns every stage in `item`)."""
    items = reader.call("get_stages", restApiId=api_id).get("item", [])
    ids.update({f"deployment:{name}:{s['stageName']}": s.get("deploymentId", "")
                for s in items})
    return tuple(sorted((_stage(s) for s in items), key=lambda s: s.name))


def _stage(raw: Mapping[str, Any]) -> Stage:
    enabled = bool(raw.get("cacheClusterEnabled", False))
    destination, log_format = n.access_log(raw.get("accessLogSettings"))
    return Stage(
        name=raw["stageName"],
        description=n.optional_str(raw.get("description")),
        variables=n.str_map(raw.get("variables")),
        method_settings=tuple(sorted(
            (n.method_setting(k, v) for k, v in (raw.get("methodSettings") or {}).items()),
            key=lambda m: m.key)),
        cache_cluster_enabled=enabled,
        cache_cluster_size=n.cache_cluster_size(enabled, raw.get("cacheClusterSize")),
        tracing_enabled=n.tracing_enabled(raw.get("tracingEnabled")),
        access_log_destination_arn=destination,
        access_log_format=log_format,
        client_certificate_id=n.optional_str(raw.get("clientCertificateId")),
        tags=n.str_map(raw.get("tags")),
        canary=_canary(raw.get("canarySettings")),
        deployment_id=n.optional_str(raw.get("deploymentId")),
    )


def _canary(raw: Mapping[str, Any] | None) -> Canary | None:
    """A stage's canarySettings (absent: no canary), deployment id included."""
    if not raw:
        return None
    return Canary(float(raw.get("percentTraffic") or 0.0),
                  n.str_map(raw.get("stageVariableOverrides")),
                  bool(raw.get("useStageCache", False)),
                  n.optional_str(raw.get("deploymentId")))


def _plans_and_keys(reader: Reader, api_id: str, name: str, ids: dict[str, str], *,
                    salt: bytes, key_names: frozenset[str], every_plan: bool = False
                    ) -> tuple[tuple[UsagePlan, ...], tuple[ApiKey, ...]]:
    """The managed usage plans of API ``name`` and the keys the file names or they hold.

    ``every_plan`` (export): every plan with a stage of this API, apigwctl's or not.
    """
    plans = (_plans_of_api(reader, api_id, ids) if every_plan
             else _managed_plans(reader, name, ids))
    links = _key_links(reader, plans)
    return (tuple(sorted((_usage_plan(p, api_id, name) for p in plans), key=lambda p: p.name)),
            _api_keys(reader, key_names, links, salt, ids))


def _plans_of_api(reader: Reader, api_id: str, ids: dict[str, str]) -> list[dict[str, Any]]:
    """Every usage plan that serves a stage of the API (what an export describes)."""
    plans = [p for p in reader.paged("get_usage_plans")
             if any(s.get("apiId") == api_id for s in p.get("apiStages") or ())]
    ids.update({f"usage_plan:{p['name']}": p["id"] for p in plans})
    return plans


def _managed_plans(reader: Reader, name: str, ids: dict[str, str]) -> list[dict[str, Any]]:
    """The usage plans apigwctl made for API ``name`` (by their ownership tags)."""
    plans = [p for p in reader.paged("get_usage_plans")
             if (p.get("tags") or {}).get(MANAGED_BY_KEY) == MANAGED_BY
             and (p.get("tags") or {}).get(API_KEY) == name]
    by_name: dict[str, list[str]] = {}
    for plan in plans:
        by_name.setdefault(plan["name"], []).append(plan["id"])
    for plan_name, plan_ids in by_name.items():
        if len(plan_ids) > 1:
            raise ApigwctlError(
                f"{len(plan_ids)} usage plans named {plan_name!r} are tagged as apigwctl's for "
                f"API {name!r} ({', '.join(plan_ids)})", where=f"usage_plan:{plan_name}",
                hint="delete the ones you do not want so that one is left")
    ids.update({f"usage_plan:{p['name']}": p["id"] for p in plans})
    return plans


def _usage_plan(raw: Mapping[str, Any], api_id: str, name: str) -> UsagePlan:
    limit, period, offset = n.quota(raw.get("quota"))
    return UsagePlan(
        name=raw["name"],
        description=n.optional_str(raw.get("description")),
        throttle=n.usage_plan_throttle(raw.get("throttle")),
        quota_limit=limit, quota_period=period, quota_offset=offset,
        api_stages=tuple(sorted((UsagePlanStage(
            name if s["apiId"] == api_id else f"id:{s['apiId']}", s["stage"],
            n.api_stage_throttle(s.get("throttle"))) for s in raw.get("apiStages") or ()),
            key=lambda s: (s.api, s.stage))),
        tags=n.str_map(raw.get("tags")),
    )


def _key_links(reader: Reader, plans: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Key id -> names of the managed plans holding it (their key values are not kept)."""
    links: dict[str, set[str]] = {}
    for plan in plans:
        for item in reader.paged("get_usage_plan_keys", usagePlanId=plan["id"]):
            links.setdefault(item["id"], set()).add(plan["name"])
    return links


def _api_keys(reader: Reader, key_names: frozenset[str], links: Mapping[str, set[str]],
              salt: bytes, ids: dict[str, str]) -> tuple[ApiKey, ...]:
    """The keys the file names or a managed plan holds, one per name (see the module doc)."""
    if not key_names and not links:
        return ()
    found: dict[str, list[tuple[str, ApiKey]]] = {}
    for item in reader.paged("get_api_keys", includeValues=True):
        if item.get("name") in key_names or item["id"] in links:
            key = _api_key(item, links.get(item["id"], set()), salt)
            found.setdefault(key.name, []).append((item["id"], key))
    chosen = {key_name: _one_key(key_name, keys, links) for key_name, keys in found.items()}
    ids.update({f"api_key:{key_name}": key_id for key_name, (key_id, _) in chosen.items()})
    return tuple(key for _, (_, key) in sorted(chosen.items()))


def _api_key(raw: Mapping[str, Any], plans: set[str], salt: bytes) -> ApiKey:
    value = raw.get("value")  # digested here and not kept
    return ApiKey(
        name=str(raw.get("name") or ""),
        description=n.optional_str(raw.get("description")),
        enabled=n.live_api_key_enabled(raw.get("enabled")),
        customer_id=n.optional_str(raw.get("customerId")),
        value_digest=value_digest(salt, value) if value else None,
        usage_plans=n.sorted_set(plans),
        tags=n.str_map(raw.get("tags")),
    )


def _one_key(name: str, keys: list[tuple[str, ApiKey]],
             links: Mapping[str, set[str]]) -> tuple[str, ApiKey]:
    """AWS does not make key names unique: prefer the key in a managed plan."""
    if len(keys) == 1:
        return keys[0]
    linked = [k for k in keys if k[0] in links]
    if len(linked) == 1:
        return linked[0]
    ids = ", ".join(key_id for key_id, _ in keys)
    raise ApigwctlError(
        f"{len(keys)} API keys are named {name!r} ({ids}) and "
        f"{'several' if linked else 'none'} of them belong to a usage plan apigwctl manages",
        where=f"api_key:{name}", hint="delete or rename the ones the deployment file does not "
        "mean, so that one is left")
