"""Fidelity layer: make moto 5.2.5's API Gateway behave like AWS where apigwctl depends on it.

Mechanism: :func:`install` replaces a few handler methods of moto's ``APIGatewayResponse``
class (the object moto builds for every API Gateway request, in-process through its botocore
stubber and over HTTP through its Flask/Werkzeug server alike) and adds one URL route. The
replaced handlers parse the request as moto does and then call :mod:`importer` (AWS's import
semantics) or the tag helpers below instead of moto's backend. Because the change sits
inside moto's request handling and not in a boto3 hook, ``apigwctl emulator serve`` gets it
too. :func:`uninstall` restores moto exactly (tests compare against plain moto).

What it fixes (each has a test against plain moto in tests/emulator/test_fidelity.py):
import/put of every extension, MOCK integrations without uri, Swagger 2.0, optional
``info.description``, normalised integrations, overwrite keeping the root, merge without
duplicate paths, failOnWarnings, ``endpointConfigurationTypes``, tags on REST API,
usage plan and API key ARNs, documents with an object where text belongs (an unresolved
CloudFormation function: BadRequest, not a crash). Stages and deployments (:mod:`stages`), usage
plans and their keys (:mod:`usage_plans`), and API keys with ``import_api_keys`` (:mod:`keys`)
are registered below; their fixes are listed in those modules (tests: test_fidelity_stages.py,
test_fidelity_keys.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import yaml
from moto.apigateway import urls as apigateway_urls
from moto.apigateway.exceptions import BadRequestException, NotFoundException
from moto.apigateway.models import APIGatewayBackend
from moto.apigateway.responses import APIGatewayResponse

from apigwctl.aws.emulator import importer, integrations, keys, stages, usage_plans

TAG_ROUTE = ("{0}/tags/arn:(?P<partition>[^/]+):apigateway:(?P<region_name>[^/]+)::/"
             "(?P<kind>restapis|usageplans|apikeys)/(?P<resource_id>[^/]+)$")
ARN = re.compile(r"^arn:aws[\w-]*:apigateway:[\w-]+::/(restapis|usageplans|apikeys)/([^/]+)"
                 r"(?:/stages/([^/]+))?$")

Handler = Callable[..., Any]


def _body(handler: Any) -> Any:
    raw = handler.body
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        try:
            return yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise BadRequestException(f"Invalid OpenAPI input: {exc}") from None


def _query(handler: Any, name: str) -> str | None:
    for key, values in handler.querystring.items():
        if key.lower() == name.lower() and values:
            return str(values[0])
    return None


def _answer(api: Any, warnings: list[str]) -> tuple[int, dict[str, str], str]:
    body = api.to_dict()
    if warnings:
        body["warnings"] = warnings
    return 201, {"status": "201"}, json.dumps(body)


def _import_rest_api(self: Any) -> Any:
    doc = _body(self)
    if doc is None:
        return _ORIGINALS["create_rest_api"](self)
    parameters = {k: str(v[0]) for k, v in self.querystring.items()
                  if k not in ("mode", "failonwarnings") and v}
    api, warnings = importer.import_api(
        self.backend, doc, parameters=parameters,
        fail_on_warnings=(_query(self, "failonwarnings") or "").lower() == "true")
    return _answer(api, warnings)


def _create_rest_api(self: Any) -> Any:
    doc = _body(self)
    if isinstance(doc, dict) and ("openapi" in doc or "swagger" in doc):
        return _import_rest_api(self)
    status, headers, body = _ORIGINALS["create_rest_api"](self)
    media = self._get_param("binaryMediaTypes")
    if media and status < 300:
        api = self.backend.get_rest_api(json.loads(body)["id"])
        api.binaryMediaTypes = list(media)
        body = json.dumps(api.to_dict())
    return status, headers, body


def _put_rest_api(self: Any) -> Any:
    api_id = self.path.replace("/restapis/", "", 1).split("/")[0]
    api, warnings = importer.put_api(
        self.backend, api_id, _body(self), mode=_query(self, "mode") or "merge",
        fail_on_warnings=(_query(self, "failonwarnings") or "").lower() == "true")
    body = api.to_dict()
    if warnings:
        body["warnings"] = warnings
    return 200, {}, json.dumps(body)


def _tag_target(backend: APIGatewayBackend, path: str) -> Any:
    arn = unquote(path.split("/tags/", 1)[1])
    match = ARN.match(arn)
    if not match:
        raise BadRequestException(f"Invalid ARN {arn!r}")
    kind, ident, stage = match.groups()
    stores: dict[str, dict[str, Any]] = {
        "restapis": backend.apis, "usageplans": backend.usage_plans, "apikeys": backend.keys}
    target = stores[kind].get(ident)
    if target is not None and stage is not None:
        target = target.stages.get(stage)
    if target is None:
        raise NotFoundException(f"Invalid resource identifier specified: {arn}")
    if target.tags is None:
        target.tags = {}
    return target


def _get_tags(self: Any) -> Any:
    return 200, {}, json.dumps({"tags": _tag_target(self.backend, self.path).tags})


def _tag_resource(self: Any) -> Any:
    target = _tag_target(self.backend, self.path)
    target.tags.update(self._get_param("tags") or {})
    return 204, {"status": "204"}, ""


def _untag_resource(self: Any) -> Any:
    target = _tag_target(self.backend, self.path)
    for key in self.querystring.get("tagKeys") or []:
        target.tags.pop(key, None)
    return 204, {"status": "204"}, ""


_PATCHES: dict[str, Handler] = {
    "import_rest_api": _import_rest_api, "create_rest_api": _create_rest_api,
    "put_rest_api": _put_rest_api,
    "get_tags": _get_tags, "tag_resource": _tag_resource,
    "untag_resource": _untag_resource,
    "update_integration": integrations.handle_update_integration,
    # stages.py: stages and deployments (reference §6)
    "create_deployment": stages.handle_create_deployment,
    "create_stage": stages.handle_create_stage, "update_stage": stages.handle_update_stage,
    "get_stage": stages.handle_get_stage, "get_stages": stages.handle_get_stages,
    # usage_plans.py: usage plans and their keys (reference §7)
    "create_usage_plan": usage_plans.handle_create_usage_plan,
    "update_usage_plan": usage_plans.handle_update_usage_plan,
    "get_usage_plan": usage_plans.handle_get_usage_plan,
    "get_usage_plans": usage_plans.handle_get_usage_plans,
    "delete_usage_plan": usage_plans.handle_delete_usage_plan,
    "create_usage_plan_key": usage_plans.handle_create_usage_plan_key,
    "get_usage_plan_keys": usage_plans.handle_get_usage_plan_keys,
    "get_usage_plan_key": usage_plans.handle_get_usage_plan_key,
    "delete_usage_plan_key": usage_plans.handle_delete_usage_plan_key,
    # keys.py: API keys, import_api_keys (moto has none: reference §5)
    "import_api_keys": keys.handle_import_api_keys,
    "get_api_keys": keys.handle_get_api_keys, "delete_api_key": keys.handle_delete_api_key}
_ORIGINALS: dict[str, Handler] = {}
_ADDED: set[str] = set()  # handlers moto's class does not define itself (import_api_keys)
_INSTALLED = [0]


def install() -> None:
    """Patch moto's API Gateway handlers (reference-counted; safe to nest)."""
    if _INSTALLED[0] == 0:
        for name, handler in _PATCHES.items():
            if name in vars(APIGatewayResponse):
                _ORIGINALS[name] = vars(APIGatewayResponse)[name]
            else:
                _ADDED.add(name)
            setattr(APIGatewayResponse, name, handler)
        apigateway_urls.url_paths[TAG_ROUTE] = APIGatewayResponse.dispatch
    _INSTALLED[0] += 1


def uninstall() -> None:
    _INSTALLED[0] -= 1
    if _INSTALLED[0] == 0:
        for name, original in _ORIGINALS.items():
            setattr(APIGatewayResponse, name, original)
        for name in _ADDED:
            delattr(APIGatewayResponse, name)
        _ORIGINALS.clear()
        _ADDED.clear()
        apigateway_urls.url_paths.pop(TAG_ROUTE, None)
