"""OpenAPI 2.0 / 3.x import into moto's REST API objects, the way API Gateway does it.

An independent model of AWS's documented import behaviour (AWS developer guide, "Import a
REST API", the x-amazon-apigateway-* extension pages, and the project reference
aws-apigateway.md §1 and §3); it must not share code with apigwctl's compiler, or
convergence tests would only prove that the compiler agrees with itself.

:func:`import_api` and :func:`put_api` first read the whole document and collect warnings
(with ``failOnWarnings`` a warning aborts before anything changes, as AWS rolls back), then
write moto's model objects directly: moto's own backend helpers drop fields
(``identityValidationExpression``, ``cacheKeyParameters``) or reject MOCK integrations.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from moto.apigateway.exceptions import BadRequestException, InvalidOpenApiModeException
from moto.apigateway.models import (
    APIGatewayBackend,
    ApigwAuthorizerIdentifier,
    ApigwRequestValidatorIdentifier,
    Authorizer,
    GatewayResponse,
    Integration,
    IntegrationResponse,
    RequestValidator,
    Resource,
    RestAPI,
)

EXT = "x-amazon-apigateway-"
VERBS = ("get", "put", "post", "delete", "patch", "head", "options")
ANY_METHOD = EXT + "any-method"
INTEGRATION_TYPES = frozenset({"AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"})
PARAM_LOCATIONS = {"path": "path", "query": "querystring", "header": "header"}
PATH_PART = re.compile(r"^\{?[a-zA-Z0-9._\-:]+\+?\}?$")
AUTHORIZER_AUTH_TYPES = {"TOKEN": "CUSTOM", "REQUEST": "CUSTOM",
                         "COGNITO_USER_POOLS": "COGNITO_USER_POOLS"}


@dataclass
class Operation:
    path: str
    verb: str
    doc: dict[str, Any]
    path_item: dict[str, Any]


@dataclass
class Document:
    """The parts of an OpenAPI document API Gateway reads, plus the warnings it raises."""

    raw: dict[str, Any]
    swagger2: bool
    operations: list[Operation] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def ext(self, name: str, default: Any = None) -> Any:
        return self.raw.get(EXT + name, default)

    @property
    def schemes(self) -> dict[str, Any]:
        if self.swagger2:
            found = self.raw.get("securityDefinitions")
        else:
            found = (self.raw.get("components") or {}).get("securitySchemes")
        return found if isinstance(found, dict) else {}

    @property
    def schemas(self) -> dict[str, Any]:
        if self.swagger2:
            found = self.raw.get("definitions")
        else:
            found = (self.raw.get("components") or {}).get("schemas")
        return found if isinstance(found, dict) else {}

    def deref(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 20:
            ref: str = node["$ref"]
            if not ref.startswith("#/"):
                return node
            target: Any = self.raw
            for raw_part in ref[2:].split("/"):
                part = raw_part.replace("~1", "/").replace("~0", "~")
                target = target.get(part) if isinstance(target, dict) else None
            node, seen = target, seen + 1
        return node


def _str_keys(node: Any) -> Any:
    # YAML turns `200:` into an int key; API Gateway reads status codes as strings.
    if isinstance(node, dict):
        return {str(k): _str_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_str_keys(v) for v in node]
    return node


def _scalar(value: Any) -> bool:
    """A value a string field accepts (numbers and booleans are read as their text)."""
    return value is None or isinstance(value, (str, int, float))


def parse_document(raw: Any) -> Document:
    """Check the version and collect operations; a malformed document is BadRequest."""
    if not isinstance(raw, dict):
        raise BadRequestException("Invalid OpenAPI input.")
    raw = _str_keys(raw)
    swagger2 = str(raw.get("swagger", "")).startswith("2")
    if not swagger2 and not str(raw.get("openapi", "")).startswith("3"):
        raise BadRequestException("Invalid OpenAPI input: only Swagger 2.0 and OpenAPI 3.x "
                                  "documents can be imported.")
    if not isinstance(raw.get("info"), dict) or not raw["info"].get("title"):
        raise BadRequestException("Invalid OpenAPI input: info.title is required.")
    for key in ("title", "description"):
        # An unresolved CloudFormation function ({"Fn::Sub": ...}) is an object where the
        # name must be text: refused up front (moto would crash deriving the API id from it).
        if not _scalar(raw["info"].get(key)):
            raise BadRequestException(f"Invalid OpenAPI input: info.{key} must be a string.")
    doc = Document(raw=raw, swagger2=swagger2)
    paths = raw.get("paths") or {}
    if not isinstance(paths, dict):
        raise BadRequestException("Invalid OpenAPI input: paths must be an object.")
    for path, item in paths.items():
        _collect_path(doc, path, doc.deref(item) or {})
    _collect_warnings(doc)
    return doc


def _collect_path(doc: Document, path: str, item: dict[str, Any]) -> None:
    if not path.startswith("/") or any(
            not PATH_PART.match(p) for p in path.strip("/").split("/") if path != "/"):
        raise BadRequestException(f"Invalid resource path {path!r}: a path part only allows "
                                  "a-zA-Z0-9._-: and curly braces around it, with an "
                                  "optional plus sign before the closing brace.")
    for key, op in item.items():
        verb = "ANY" if key == ANY_METHOD else key.upper() if key in VERBS else None
        if verb and isinstance(op, dict):
            doc.operations.append(Operation(path=path, verb=verb, doc=op, path_item=item))


def _collect_warnings(doc: Document) -> None:
    validators = doc.ext("request-validators") or {}
    default = doc.ext("request-validator")
    if default is not None and default not in validators:
        doc.warnings.append(f"Invalid request validator name {default!r} at the document root: "
                            "not defined in x-amazon-apigateway-request-validators")
    for op in doc.operations:
        name = op.doc.get(EXT + "request-validator")
        if name is not None and name not in validators:
            doc.warnings.append(f"Invalid request validator name {name!r} for "
                                f"{op.verb} {op.path}")
        for requirement in op.doc.get("security") or []:
            for scheme in requirement if isinstance(requirement, dict) else []:
                if scheme not in doc.schemes:
                    doc.warnings.append(f"Undefined security scheme {scheme!r} for "
                                        f"{op.verb} {op.path}")


def raise_on_warnings(doc: Document) -> None:
    if doc.warnings:
        raise BadRequestException("Warnings found during import:\n\t" + "\n\t".join(doc.warnings))


# ---------------------------------------------------------------- root properties


def _expand_policy(node: Any, arn_prefix: str) -> Any:
    # AWS expands the `execute-api:/...` shorthand to the API's own ARN on import.
    if isinstance(node, str) and node.startswith("execute-api:"):
        return arn_prefix + node[len("execute-api:"):]
    if isinstance(node, list):
        return [_expand_policy(v, arn_prefix) for v in node]
    if isinstance(node, dict):
        return {k: _expand_policy(v, arn_prefix) for k, v in node.items()}
    return node


def _endpoint_extension(doc: Document) -> dict[str, Any]:
    if doc.swagger2:
        found = doc.ext("endpoint-configuration")
        return found if isinstance(found, dict) else {}
    for server in doc.raw.get("servers") or []:
        if isinstance(server, dict) and isinstance(server.get(EXT + "endpoint-configuration"),
                                                   dict):
            return dict(server[EXT + "endpoint-configuration"])
    return {}


def _name_and_description(info: dict[str, Any]) -> tuple[str, str | None]:
    description = info.get("description")
    return str(info["title"]), None if description is None else str(description)


def _apply_root(api: RestAPI, doc: Document, overwrite: bool) -> None:
    info = doc.raw["info"]
    if overwrite:
        api.name, api.description = _name_and_description(info)
        api.version = str(info["version"]) if info.get("version") is not None else None
    source = doc.ext("api-key-source")
    if source is not None or overwrite:
        api.api_key_source = str(source or "HEADER").upper()
    media = [str(m) for m in doc.ext("binary-media-types") or []]
    api.binaryMediaTypes = media if overwrite else list(
        dict.fromkeys([*api.binaryMediaTypes, *media]))
    size = doc.ext("minimum-compression-size")
    if size is not None or overwrite:
        api.minimum_compression_size = int(size) if size is not None else None
    policy = doc.ext("policy")
    if policy is not None or overwrite:
        prefix = f"arn:aws:execute-api:{api.region_name}:{api.account_id}:{api.id}"
        api.policy = None if policy is None else json.dumps(_expand_policy(policy, prefix))
    endpoint = _endpoint_extension(doc)
    if "disableExecuteApiEndpoint" in endpoint:
        api.disableExecuteApiEndpoint = bool(endpoint["disableExecuteApiEndpoint"])
    if "vpcEndpointIds" in endpoint:
        api.endpoint_configuration = {**api.endpoint_configuration,
                                      "vpcEndpointIds": list(endpoint["vpcEndpointIds"])}


# ------------------------------------------------ authorizers, validators, responses, models


def _authorizer_fields(name: str, scheme: dict[str, Any]) -> dict[str, Any]:
    ext = scheme[EXT + "authorizer"]
    kind = str(ext.get("type", "")).upper()
    identity = ext.get("identitySource")
    if identity is None and kind in ("TOKEN", "COGNITO_USER_POOLS") and scheme.get("name"):
        identity = f"method.request.header.{scheme['name']}"
    return {"name": name, "authorizer_type": kind, "provider_arns": ext.get("providerARNs"),
            "auth_type": scheme.get(EXT + "authtype"),
            "authorizer_uri": ext.get("authorizerUri"),
            "authorizer_credentials": ext.get("authorizerCredentials"),
            "identity_source": identity,
            "identity_validation_expression": ext.get("identityValidationExpression"),
            "authorizer_result_ttl": int(ext.get("authorizerResultTtlInSeconds", 300))}


def _apply_authorizers(api: RestAPI, doc: Document, overwrite: bool) -> dict[str, str]:
    wanted = {n: s for n, s in doc.schemes.items()
              if isinstance(s, dict) and isinstance(s.get(EXT + "authorizer"), dict)}
    by_name = {a.name: a for a in api.authorizers.values()}
    if overwrite:
        api.authorizers = {k: a for k, a in api.authorizers.items() if a.name in wanted}
    for name, scheme in wanted.items():
        fields = _authorizer_fields(name, scheme)
        if fields["authorizer_type"] not in AUTHORIZER_AUTH_TYPES:
            raise BadRequestException(f"Invalid authorizer type {fields['authorizer_type']!r} "
                                      f"in security scheme {name!r}")
        old = by_name.get(name)
        auth_id = old.id if old is not None else ApigwAuthorizerIdentifier(
            api.account_id, api.region_name, name).generate()
        api.authorizers[auth_id] = Authorizer(authorizer_id=auth_id, **fields)
    return {a.name: a.id for a in api.authorizers.values()}


def _apply_validators(api: RestAPI, doc: Document, overwrite: bool) -> dict[str, str]:
    wanted = doc.ext("request-validators") or {}
    by_name = {v.name: v for v in api.request_validators.values()}
    if overwrite:
        api.request_validators = {k: v for k, v in api.request_validators.items()
                                  if v.name in wanted}
    for name, spec in wanted.items():
        old = by_name.get(name)
        vid = old.id if old is not None else ApigwRequestValidatorIdentifier(
            api.account_id, api.region_name, name).generate()
        api.request_validators[vid] = RequestValidator(
            _id=vid, name=name,
            validateRequestBody=bool((spec or {}).get("validateRequestBody", False)),
            validateRequestParameters=bool((spec or {}).get("validateRequestParameters", False)))
    return {v.name: v.id for v in api.request_validators.values()}


def _apply_gateway_responses(api: RestAPI, doc: Document, overwrite: bool) -> None:
    if overwrite:
        api.gateway_responses = {}
    for kind, raw_spec in (doc.ext("gateway-responses") or {}).items():
        spec = raw_spec or {}
        status = spec.get("statusCode")
        api.gateway_responses[kind] = GatewayResponse(
            response_type=kind, status_code=None if status is None else str(status),
            response_parameters=spec.get("responseParameters"),
            response_templates=spec.get("responseTemplates"))


def _model_refs(node: Any, doc: Document, api: RestAPI) -> Any:
    # AWS stores model schemas with local refs rewritten to model URLs.
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            name = ref.rsplit("/", 1)[-1]
            return {"$ref": f"https://apigateway.amazonaws.com/restapis/{api.id}/models/{name}"}
        return {k: _model_refs(v, doc, api) for k, v in node.items()}
    if isinstance(node, list):
        return [_model_refs(v, doc, api) for v in node]
    return node


def _apply_models(api: RestAPI, doc: Document, overwrite: bool) -> None:
    if overwrite:
        api.models = {}
    for name, schema in doc.schemas.items():
        api.add_model(name=name, description="", content_type="application/json",
                      schema=json.dumps(_model_refs(schema, doc, api)))


# ------------------------------------------------------------------- resources and methods


def _ensure_resource(api: RestAPI, by_path: dict[str, Resource], path: str) -> Resource:
    if path in by_path:
        return by_path[path]
    parent_path, _, part = path.rpartition("/")
    parent = _ensure_resource(api, by_path, parent_path or "/")
    by_path[path] = api.add_child(path=part, parent_id=parent.id)
    return by_path[path]


def _resources_by_path(api: RestAPI) -> dict[str, Resource]:
    return {r.get_path(): r for r in api.resources.values()}


def _prune_resources(api: RestAPI, keep_paths: set[str]) -> None:
    # Overwrite keeps the root and any resource whose path the document still has (ids
    # stay stable), drops the rest, and clears every method before the document's are put.
    by_path = _resources_by_path(api)
    for path, res in by_path.items():
        if path != "/" and path not in keep_paths:
            del api.resources[res.id]
        else:
            res.resource_methods = {}


def _needed_paths(doc: Document) -> set[str]:
    needed: set[str] = set()
    for path in (doc.raw.get("paths") or {}):
        parts = path.strip("/").split("/")
        needed.update("/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1))
    return needed


@dataclass
class Ids:
    authorizers: dict[str, str]
    validators: dict[str, str]


def _security(doc: Document, op: Operation, ids: Ids) -> dict[str, Any]:
    out: dict[str, Any] = {"authorization_type": "NONE", "api_key_required": False,
                           "authorizer_id": None, "authorization_scopes": None}
    for requirement in op.doc.get("security") or []:
        for name, scopes in (requirement or {}).items():
            scheme = doc.schemes.get(name)
            if not isinstance(scheme, dict):
                continue
            ext = scheme.get(EXT + "authorizer")
            authtype = str(scheme.get(EXT + "authtype", "")).lower()
            if isinstance(ext, dict):
                kind = str(ext.get("type", "")).upper()
                out["authorization_type"] = AUTHORIZER_AUTH_TYPES.get(kind, "CUSTOM")
                out["authorizer_id"] = ids.authorizers.get(name)
                out["authorization_scopes"] = list(scopes) if scopes else None
            elif authtype.startswith("aws"):
                out["authorization_type"] = "AWS_IAM"
            elif (scheme.get("type") == "apiKey" and scheme.get("in") == "header"
                  and str(scheme.get("name", "")).lower() == "x-api-key"):
                out["api_key_required"] = True
    auth = op.doc.get(EXT + "auth")
    if isinstance(auth, dict) and auth.get("type"):
        out["authorization_type"] = str(auth["type"]).upper()
    return out


def _parameters(doc: Document, op: Operation) -> list[dict[str, Any]]:
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for source in (op.path_item.get("parameters") or [], op.doc.get("parameters") or []):
        for raw_param in source:
            param = doc.deref(raw_param)
            if isinstance(param, dict) and "name" in param and "in" in param:
                merged[(str(param["in"]), str(param["name"]))] = param
    return list(merged.values())


def _request_parameters(doc: Document, op: Operation) -> dict[str, bool] | None:
    out = {f"method.request.{PARAM_LOCATIONS[p['in']]}.{p['name']}": bool(p.get("required"))
           for p in _parameters(doc, op) if p["in"] in PARAM_LOCATIONS}
    return out or None


def _ref_name(schema: Any) -> str | None:
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) and ref.startswith("#/") else None


def _content_models(doc: Document, content: Any) -> dict[str, str]:
    out = {}
    for ctype, media in (content or {}).items():
        name = _ref_name((media or {}).get("schema"))
        if name:
            out[ctype] = name
    return out


def _swagger_models(doc: Document, schema: Any, types: list[str]) -> dict[str, str]:
    name = _ref_name(schema)
    return {ctype: name for ctype in types} if name else {}


def _request_models(doc: Document, op: Operation) -> dict[str, str] | None:
    if doc.swagger2:
        body = [p for p in _parameters(doc, op) if p["in"] == "body"]
        types = op.doc.get("consumes") or doc.raw.get("consumes") or ["application/json"]
        out = _swagger_models(doc, body[0].get("schema"), types) if body else {}
    else:
        out = _content_models(doc, (doc.deref(op.doc.get("requestBody")) or {}).get("content"))
    return out or None


def _put_method_responses(doc: Document, op: Operation, method: Any) -> None:
    for code, raw_response in (op.doc.get("responses") or {}).items():
        if not re.fullmatch(r"[1-5]\d\d", code):
            continue  # `default` and ranges have no method-response equivalent
        response = doc.deref(raw_response) or {}
        if doc.swagger2:
            types = op.doc.get("produces") or doc.raw.get("produces") or ["application/json"]
            models = _swagger_models(doc, response.get("schema"), types)
        else:
            models = _content_models(doc, response.get("content"))
        headers = {f"method.response.header.{h}": False for h in response.get("headers") or {}}
        method.create_response(code, models or None, headers or None)


class ConnectedIntegration(Integration):  # type: ignore[misc]  # moto is untyped for mypy
    """moto's Integration without the field it lacks: AWS stores and returns connectionId."""

    connection_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = super().to_json()
        if self.connection_id is not None:
            out["connectionId"] = self.connection_id
        return out


_TEXT_FIELDS = ("type", "uri", "httpMethod", "credentials", "connectionId", "connectionType",
                "passthroughBehavior", "contentHandling", "cacheNamespace", "timeoutInMillis")
_RESPONSE_TEXT_FIELDS = ("statusCode", "contentHandling")


def _text_map(value: Any) -> bool:
    return value is None or (isinstance(value, dict) and all(map(_scalar, value.values())))


def _well_formed(spec: dict[str, Any]) -> bool:
    """Every field the integration model reads as text holds text (or a number), not an object.

    AWS parses the extension into a typed model; an object where text belongs (typically an
    unresolved CloudFormation function such as ``{"Fn::Join": ...}``) fails that parse.
    """
    responses = spec.get("responses")
    keys = spec.get("cacheKeyParameters")
    timeout = spec.get("timeoutInMillis")
    return (all(_scalar(spec.get(k)) for k in _TEXT_FIELDS)
            and _text_map(spec.get("requestTemplates"))
            and _text_map(spec.get("requestParameters"))
            and (keys is None or (isinstance(keys, list) and all(map(_scalar, keys))))
            and _text_map(spec.get("tlsConfig"))
            and (timeout is None or re.fullmatch(r"\d+", str(timeout)) is not None)
            and (responses is None or (isinstance(responses, dict) and all(
                r is None or (isinstance(r, dict)
                              and all(_scalar(r.get(k)) for k in _RESPONSE_TEXT_FIELDS)
                              and _text_map(r.get("responseTemplates"))
                              and _text_map(r.get("responseParameters")))
                for r in responses.values()))))


def _integration(resource: Resource, spec: dict[str, Any], op: Operation) -> Integration:
    where = f"{op.verb} {op.path}"
    if not _well_formed(spec):
        # AWS's wording for an extension it cannot parse (reported e.g. in
        # swagger-api/swagger-codegen#10450 for CloudFormation values left in the document).
        raise BadRequestException("Unable to parse API definition because of a malformed "
                                  f"integration at path {op.path}.")
    kind = str(spec.get("type", "")).upper()
    if kind not in INTEGRATION_TYPES:
        raise BadRequestException(f"Invalid integration type {spec.get('type')!r} for {where}")
    uri, verb = spec.get("uri"), spec.get("httpMethod")
    if kind != "MOCK" and (not uri or not verb):
        raise BadRequestException(f"Integration of type {kind} for {where} needs both "
                                  "uri and httpMethod")
    integration = ConnectedIntegration(
        kind, uri, str(verb).upper() if verb else None,
        request_templates=spec.get("requestTemplates"),
        passthrough_behavior=str(spec.get("passthroughBehavior", "when_no_match")).upper(),
        cache_key_parameters=list(spec.get("cacheKeyParameters") or []),
        tls_config=spec.get("tlsConfig"),
        cache_namespace=spec.get("cacheNamespace") or resource.id,
        timeout_in_millis=int(spec.get("timeoutInMillis", 29000)),
        request_parameters=spec.get("requestParameters"),
        content_handling=spec.get("contentHandling"),
        credentials=spec.get("credentials"),
        connection_type=str(spec.get("connectionType", "INTERNET")).upper())
    integration.http_method = str(verb).upper() if verb else None
    connection = spec.get("connectionId")
    integration.connection_id = None if connection in (None, "") else str(connection)
    for pattern, raw_response in (spec.get("responses") or {}).items():
        response = raw_response or {}
        status = str(response.get("statusCode", ""))
        integration.integration_responses = integration.integration_responses or {}
        stored = IntegrationResponse(
            status, None if pattern == "default" else pattern,
            response.get("responseTemplates"), response.get("responseParameters"),
            response.get("contentHandling"))
        # moto turns absent templates into {}; AWS leaves the field out. (moto's constructor
        # has already turned an empty template "" into None in place: AWS returns null too.)
        stored.response_templates = response.get("responseTemplates") or None
        integration.integration_responses[status] = stored
    return integration


def _put_method(doc: Document, op: Operation, resource: Resource, ids: Ids) -> None:
    validator = op.doc.get(EXT + "request-validator", doc.ext("request-validator"))
    method = resource.add_method(
        op.verb, request_parameters=_request_parameters(doc, op),
        request_models=_request_models(doc, op), operation_name=op.doc.get("operationId"),
        request_validator_id=ids.validators.get(validator) if validator else None,
        **_security(doc, op, ids))
    _put_method_responses(doc, op, method)
    spec = op.doc.get(EXT + "integration")
    if isinstance(spec, dict):
        method.method_integration = _integration(resource, spec, op)


def _apply_definition(api: RestAPI, doc: Document, overwrite: bool) -> None:
    _apply_root(api, doc, overwrite)
    ids = Ids(authorizers=_apply_authorizers(api, doc, overwrite),
              validators=_apply_validators(api, doc, overwrite))
    _apply_gateway_responses(api, doc, overwrite)
    _apply_models(api, doc, overwrite)
    if overwrite:
        _prune_resources(api, _needed_paths(doc))
    by_path = _resources_by_path(api)
    for path in sorted(_needed_paths(doc)):
        _ensure_resource(api, by_path, path)
    for op in doc.operations:
        _put_method(doc, op, by_path[op.path], ids)


# --------------------------------------------------------------------------- entry points


def _check_integrations(doc: Document) -> None:
    # Validate every integration before the API is created or changed (AWS rolls back).
    for op in doc.operations:
        spec = op.doc.get(EXT + "integration")
        if isinstance(spec, dict):
            probe = Resource("probe", "0", "us-east-1", "probe", "/", None)
            _integration(probe, spec, op)


def import_api(backend: APIGatewayBackend, raw: Any, *, fail_on_warnings: bool,
               parameters: dict[str, str]) -> tuple[RestAPI, list[str]]:
    """ImportRestApi: a new API from the document; returns it and the import warnings."""
    doc = parse_document(raw)
    _check_integrations(doc)  # errors before warnings: a malformed document is never "warned"
    if fail_on_warnings:
        raise_on_warnings(doc)
    types = [t.strip().upper() for t in
             parameters.get("endpointConfigurationTypes", "EDGE").split(",") if t.strip()]
    if any(t not in ("EDGE", "REGIONAL", "PRIVATE") for t in types):
        raise BadRequestException(f"Invalid endpoint configuration types: {types}")
    name, description = _name_and_description(doc.raw["info"])
    api = backend.create_rest_api(name=name, description=description,
                                  endpoint_configuration={"types": types})
    _apply_definition(api, doc, overwrite=True)
    return api, doc.warnings


def put_api(backend: APIGatewayBackend, api_id: str, raw: Any, *, mode: str,
            fail_on_warnings: bool) -> tuple[RestAPI, list[str]]:
    """PutRestApi in ``merge`` or ``overwrite`` mode (stages and deployments untouched)."""
    if mode not in ("merge", "overwrite"):
        raise InvalidOpenApiModeException()
    api = backend.get_rest_api(api_id)
    doc = parse_document(raw)
    _check_integrations(doc)  # errors before warnings: a malformed document is never "warned"
    if fail_on_warnings:
        raise_on_warnings(doc)
    _apply_definition(api, doc, overwrite=mode == "overwrite")
    return api, doc.warnings
