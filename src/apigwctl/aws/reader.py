"""Live REST API state -> :class:`ApiState`, the same model the compiler builds.

Input: a boto3 ``apigateway`` client and an API name. Output: the live :class:`ApiState`
(ids beside it in ``ApiState.ids``) or None when no API has that name. Every default and
canonical form comes from :mod:`apigwctl.normalize`.

Calls for one API (petstore: 7): ``get_rest_apis`` (paged, limit 500; tags come with it, so no
``get_tags``), ``get_resources(limit=500, embed=['methods'])`` (methods AND their integrations
in one call), ``get_authorizers``, ``get_request_validators``, ``get_gateway_responses``,
``get_models``, ``get_stages``. A method embedded without its body (AWS may shorten the
embedded form) is fetched with ``get_method``; moto 5.2.5 always embeds the full method, so
this fallback is never taken there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apigwctl import normalize as n
from apigwctl.model import (
    ApiState,
    Authorizer,
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
)
from apigwctl.ownership import LiveApi

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
             select: Select | None = None) -> ApiState | None:
    """The live state of the REST API called `name`, or None when there is none.

    ``select`` picks among the account's APIs (see :func:`apigwctl.ownership.choose_managed`);
    without it, the first API with the name is read.
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
        ids=ids,
    )


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
    type_ = n.integration_type(raw.get("type", ""))
    tls = (raw.get("tlsConfig") or {}).get("insecureSkipVerification")
    return Integration(
        type=type_,
        http_method=n.optional_str(raw.get("httpMethod")),
        uri=n.integration_uri(type_, raw.get("uri")),
        credentials=n.optional_str(raw.get("credentials")),
        request_parameters=n.str_map(raw.get("requestParameters")),
        request_templates=n.content_type_map(raw.get("requestTemplates")),
        passthrough_behavior=n.passthrough_behavior(raw.get("passthroughBehavior")),
        content_handling=n.optional_str(raw.get("contentHandling")),
        timeout_in_millis=n.timeout_in_millis(raw.get("timeoutInMillis")),
        cache_namespace=n.cache_namespace(raw.get("cacheNamespace"), resource["path"],
                                          resource["id"]),
        cache_key_parameters=n.cache_key_parameters(raw.get("cacheKeyParameters")),
        connection_type=n.connection_type(raw.get("connectionType")),
        connection_id=n.optional_str(raw.get("connectionId")),
        tls_insecure_skip_verification=None if tls is None else bool(tls),
        responses=tuple(sorted(
            (IntegrationResponse(
                status_code=n.status_code(r["statusCode"]),
                selection_pattern=n.selection_pattern(r.get("selectionPattern")),
                response_parameters=n.str_map(r.get("responseParameters")),
                response_templates=n.content_type_map(r.get("responseTemplates")),
                content_handling=n.optional_str(r.get("contentHandling")))
             for r in (raw.get("integrationResponses") or {}).values()),
            key=lambda r: r.status_code)),
    )


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
    return tuple(sorted((Stage(s["stageName"], n.optional_str(s.get("description")),
                               n.str_map(s.get("variables"))) for s in items),
                        key=lambda s: s.name))
