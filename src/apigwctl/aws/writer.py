"""Create a REST API from an :class:`ApiState` with explicit calls (no OpenAPI import).

Input: a boto3 ``apigateway`` client and a desired :class:`ApiState`. Output: the ids of what
was created, by address. This is the executor's future "create from model" path and the way
the convergence test builds an API without depending on import. Model-side canonical forms
are turned back into what AWS stores (resource path -> cacheNamespace id, `#/models/X` ->
the model URL of this API). The policy is sent in its shorthand form: AWS expands
`execute-api:/` only on import, and the reader folds both forms to the shorthand.
"""

from __future__ import annotations

import json
from typing import Any

from apigwctl import normalize as n
from apigwctl.model import ApiState, Integration, Method


def create_api(client: Any, state: ApiState) -> dict[str, str]:
    """Create the API, its tree, methods, authorizers, validators, ... and its stages."""
    api = state.api
    created = client.create_rest_api(**_api_args(state))
    api_id: str = created["id"]
    name = api.name
    ids = {f"api:{name}": api_id}
    ids.update(_create_resources(client, api_id, state, created["rootResourceId"]))
    for model in state.models:
        schema = n.map_refs(json.loads(model.schema), lambda r: n.live_model_ref(r, api_id)) \
            if model.schema else None
        args = {"schema": json.dumps(schema)} if schema is not None else {}
        ids[f"model:{name}:{model.name}"] = client.create_model(
            restApiId=api_id, name=model.name, contentType=model.content_type, **args)["id"]
    for a in state.authorizers:
        ids[f"authorizer:{name}:{a.name}"] = client.create_authorizer(
            restApiId=api_id, **_drop_none({
                "name": a.name, "type": a.type, "authorizerUri": a.authorizer_uri,
                "authorizerCredentials": a.authorizer_credentials,
                "identitySource": a.identity_source,
                "identityValidationExpression": a.identity_validation_expression,
                "authorizerResultTtlInSeconds": a.result_ttl_in_seconds,
                "providerARNs": list(a.provider_arns) or None, "authType": a.auth_type}))["id"]
    for v in state.validators:
        ids[f"validator:{name}:{v.name}"] = client.create_request_validator(
            restApiId=api_id, name=v.name, validateRequestBody=v.validate_request_body,
            validateRequestParameters=v.validate_request_parameters)["id"]
    for method in state.methods:
        _put_method(client, api_id, ids, name, method)
    for g in state.gateway_responses:
        client.put_gateway_response(restApiId=api_id, **_drop_none({
            "responseType": g.response_type, "statusCode": g.status_code,
            "responseParameters": dict(g.response_parameters),
            "responseTemplates": dict(g.response_templates)}))
    _create_stages(client, api_id, ids, state)
    return ids


def _drop_none(args: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in args.items() if v is not None}


def _api_args(state: ApiState) -> dict[str, Any]:
    api = state.api
    endpoint: dict[str, Any] = {"types": list(api.endpoint_types)}
    if api.vpc_endpoint_ids:
        endpoint["vpcEndpointIds"] = list(api.vpc_endpoint_ids)
    return _drop_none({
        "name": api.name, "description": api.description, "endpointConfiguration": endpoint,
        "policy": api.policy, "apiKeySource": api.api_key_source,
        "binaryMediaTypes": list(api.binary_media_types) or None,
        "minimumCompressionSize": api.minimum_compression_size,
        "disableExecuteApiEndpoint": api.disable_execute_api_endpoint,
        "tags": dict(api.tags) or None})


def _create_resources(client: Any, api_id: str, state: ApiState,
                      root_id: str) -> dict[str, str]:
    """Parents first (paths sorted by depth); the root exists already."""
    by_path = {"/": root_id}
    for resource in sorted(state.resources, key=lambda r: r.path.count("/")):
        if resource.path == "/":
            continue
        parent, _, part = resource.path.rpartition("/")
        by_path[resource.path] = client.create_resource(
            restApiId=api_id, parentId=by_path[parent or "/"], pathPart=part)["id"]
    return {f"resource:{state.api.name}:{p}": i for p, i in by_path.items()}


def _put_method(client: Any, api_id: str, ids: dict[str, str], name: str,
                m: Method) -> None:
    resource_id = ids[f"resource:{name}:{m.path}"]
    key = {"restApiId": api_id, "resourceId": resource_id, "httpMethod": m.http_method}
    client.put_method(**key, **_drop_none({
        "authorizationType": m.authorization_type,
        "authorizerId": ids.get(f"authorizer:{name}:{m.authorizer}") if m.authorizer else None,
        "authorizationScopes": list(m.authorization_scopes) or None,
        "apiKeyRequired": m.api_key_required,
        "requestParameters": dict(m.request_parameters) or None,
        "requestModels": dict(m.request_models) or None,
        "requestValidatorId": ids.get(f"validator:{name}:{m.request_validator}")
        if m.request_validator else None,
        "operationName": m.operation_name}))
    for r in m.method_responses:
        client.put_method_response(**key, statusCode=r.status_code, **_drop_none({
            "responseParameters": dict(r.response_parameters) or None,
            "responseModels": dict(r.response_models) or None}))
    if m.integration is not None:
        _put_integration(client, key, m.path, resource_id, m.integration)


def _put_integration(client: Any, key: dict[str, str], path: str, resource_id: str,
                     i: Integration) -> None:
    client.put_integration(**key, **_drop_none({
        "type": i.type, "integrationHttpMethod": i.http_method, "uri": i.uri,
        "credentials": i.credentials,
        "requestParameters": dict(i.request_parameters) or None,
        "requestTemplates": dict(i.request_templates) or None,
        "passthroughBehavior": i.passthrough_behavior, "contentHandling": i.content_handling,
        "timeoutInMillis": i.timeout_in_millis,
        "cacheNamespace": resource_id if i.cache_namespace == path else i.cache_namespace,
        "cacheKeyParameters": list(i.cache_key_parameters) or None,
        "connectionType": i.connection_type, "connectionId": i.connection_id,
        "tlsConfig": None if i.tls_insecure_skip_verification is None
        else {"insecureSkipVerification": i.tls_insecure_skip_verification}}))
    for r in i.responses:
        client.put_integration_response(**key, statusCode=r.status_code, **_drop_none({
            "selectionPattern": r.selection_pattern,
            "responseParameters": dict(r.response_parameters) or None,
            "responseTemplates": dict(r.response_templates) or None,
            "contentHandling": r.content_handling}))


def _create_stages(client: Any, api_id: str, ids: dict[str, str], state: ApiState) -> None:
    """One deployment, then every stage on it (create_stage keeps description and variables)."""
    if not state.stages:
        return
    deployment = client.create_deployment(restApiId=api_id)["id"]
    for s in state.stages:
        client.create_stage(restApiId=api_id, stageName=s.name, deploymentId=deployment,
                            **_drop_none({"description": s.description,
                                          "variables": dict(s.variables) or None}))
        ids[f"deployment:{state.api.name}:{s.name}"] = deployment
