"""Stages as AWS keeps them: create, deploy onto, patch and read back (reference §6).

Each ``handle_*`` function replaces the moto 5.2.5 ``APIGatewayResponse`` handler of the same
name (registered in :mod:`fidelity`). What moto gets wrong and these fix (findings §1.4):

- ``create_deployment`` onto an existing stage replaced the whole stage (variables, method
  settings, tracing, tags lost). AWS repoints ``deploymentId`` and merges the given variables
  (``CreateDeployment`` in the API reference); ``stageDescription``, ``cacheCluster*`` and
  ``tracingEnabled`` are applied to the stage the deployment creates.
- ``update_stage`` applies ALL of one call's operations or none, for every path of the
  ``UpdateStage`` table in https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html
  with the ops that table allows, values converted to their types and checked against AWS's
  ranges; moto crashed on ``add``, ignored ``/clientCertificateId``, ``remove /~1pets/GET`` and
  unknown paths, and accepted a ``/deploymentId`` that does not exist.
- A method setting created by a patch starts from AWS's defaults (:data:`DEFAULT_SETTING`) and
  is keyed as AWS reads it back: ``*/*`` or ``~1pets~1{id}/GET`` (aws-cli's ``get-stage``
  example shows ``~1resource/GET``), whether the patch path spelled the resource escaped
  (``/~1pets/GET/...``, the documented form) or raw (``/pets/GET/...``, Terraform's form).
- ``get_stage(s)`` answer AWS's shape: ``cacheClusterStatus`` ``NOT_AVAILABLE`` while the
  cache is off, ``tracingEnabled`` always present, empty ``variables``/``description``
  omitted (LocalStack's AWS-snapshot parity), ``cacheClusterSize`` kept once set (aws-cli's
  ``get-stage`` example shows ``"0.5"`` with the cache disabled), ``createdDate`` and
  ``lastUpdatedDate``, and ``canarySettings`` when the stage has a canary.
- Canary deployments, the ``/canarySettings`` paths and promote (``copy``) are AWS's, where
  moto ignores them all: see :mod:`canary` for the behaviours and their sources. A
  ``replace /deploymentId`` while a canary is enabled is allowed and leaves the canary alone:
  reference §6.1 forbids associating the stage with another *non-canary deployment*, which
  AWS enforces on ``CreateDeployment`` (see :mod:`canary`); for this patch AWS documents
  nothing, and promote's own ``copy`` to ``/deploymentId`` moves it with the canary in place.

Not emulated: the cache's four-minute ``CREATE_IN_PROGRESS`` (it is ``AVAILABLE`` at once).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from moto.apigateway.exceptions import BadRequestException

from apigwctl.aws.emulator import canary
from apigwctl.aws.emulator.patching import (
    NotFound,
    PatchOp,
    bad_request,
    check_variable,
    check_variables,
    escape,
    invalid_path,
    now,
    op_value,
    parse_bool,
    parse_enum,
    parse_float,
    parse_int,
    patch_operations,
    path_parts,
    reply,
    unescape,
)

CACHE_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")  # [model]
LOG_LEVELS = ("OFF", "ERROR", "INFO")
STRATEGIES = ("FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER")
# A method setting names one verb; `ANY`, and a wildcard verb on a real path, are refused
# ("Invalid method setting path", measured by a third party on AWS in 2026-08; UNVERIFIED).
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
# AWS's values for a method setting nobody set: the account throttle (10,000 rps, burst 5,000:
# reference §2.2 and moto's Account), TTL 300 (§2.2), the rest as apigwctl's model records them.
DEFAULT_SETTING: dict[str, Any] = {
    "metricsEnabled": False, "loggingLevel": "OFF", "dataTraceEnabled": False,
    "throttlingBurstLimit": 5000, "throttlingRateLimit": 10000.0, "cachingEnabled": False,
    "cacheTtlInSeconds": 300, "cacheDataEncrypted": False,
    "requireAuthorizationForCacheControl": True,
    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"}
SETTINGS: dict[str, tuple[str, Callable[[PatchOp], Any]]] = {
    "metrics/enabled": ("metricsEnabled", parse_bool),
    "logging/loglevel": ("loggingLevel", lambda op: parse_enum(op, LOG_LEVELS)),
    "logging/dataTrace": ("dataTraceEnabled", parse_bool),
    "throttling/burstLimit": ("throttlingBurstLimit", parse_int),
    "throttling/rateLimit": ("throttlingRateLimit", parse_float),
    "caching/enabled": ("cachingEnabled", parse_bool),
    "caching/ttlInSeconds": ("cacheTtlInSeconds", lambda op: parse_int(op, 0, 3600)),
    "caching/dataEncrypted": ("cacheDataEncrypted", parse_bool),
    "caching/requireAuthorizationForCacheControl": (
        "requireAuthorizationForCacheControl", parse_bool),
    "caching/unauthorizedCacheControlHeaderStrategy": (
        "unauthorizedCacheControlHeaderStrategy", lambda op: parse_enum(op, STRATEGIES)),
}
# The list AWS prints for a path it does not know (LocalStack's STAGE_UPDATE_PATHS, recorded
# from AWS responses) and for a method setting with an unknown suffix (aws/aws-sdk-java#1823).
STAGE_PATHS = (
    "/deploymentId", "/description", "/cacheClusterEnabled", "/cacheClusterSize",
    "/clientCertificateId", "/accessLogSettings", "/accessLogSettings/destinationArn",
    "/accessLogSettings/format", *(f"/{{resourcePath}}/{{httpMethod}}/{s}" for s in SETTINGS),
    *(f"/*/*/{s}" for s in SETTINGS), "/variables/{variable_name}", "/tracingEnabled")
REQUEST_ID = re.compile(r"\$context\.(requestId|extendedRequestId)\b")
LOGGING_ROLE = "CloudWatch Logs role ARN must be set in account settings to enable logging"


def _unknown_path(path: str) -> BadRequestException:
    return bad_request(f"Invalid method setting path: {path}. Must be one of: "
                       f"[{', '.join(STAGE_PATHS)}]")


def _unknown_setting(suffix: str) -> BadRequestException:
    listed = ", ".join(f".../{s}" for s in SETTINGS)
    return bad_request(f"Invalid method setting path: {suffix}. Must be one of: [{listed}]")


# --- read-back shape ----------------------------------------------------------------------

def stage_json(stage: Any) -> dict[str, Any]:
    """The stage as ``GetStage`` answers it (the ``Stage`` shape of the API reference)."""
    enabled = bool(stage.cache_cluster_enabled)
    out: dict[str, Any] = {
        "deploymentId": stage.deployment_id, "stageName": stage.name,
        "cacheClusterEnabled": enabled,
        "cacheClusterStatus": "AVAILABLE" if enabled else "NOT_AVAILABLE",
        "methodSettings": stage.method_settings,
        "tracingEnabled": bool(stage.tracing_enabled)}
    optional = {
        "description": stage.description or None,
        "cacheClusterSize": stage.cache_cluster_size,
        "variables": stage.variables or None,
        "accessLogSettings": stage.access_log_settings or None,
        "clientCertificateId": getattr(stage, "client_certificate_id", None),
        "documentationVersion": getattr(stage, "documentation_version", None),
        "tags": stage.tags or None,
        "webAclArn": stage.web_acl_arn,
        "canarySettings": _canary_json(stage),
        "createdDate": getattr(stage, "created_date", None),
        "lastUpdatedDate": getattr(stage, "last_updated_date", None)}
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def _canary_json(stage: Any) -> dict[str, Any] | None:
    settings = canary.settings_of(stage)
    return None if settings is None else canary.canary_json(settings)


def _stamp(stage: Any, created: bool) -> None:
    stamp = now()
    if created or getattr(stage, "created_date", None) is None:
        stage.created_date = stamp
    stage.last_updated_date = stamp


# --- values shared by create_stage, create_deployment and update_stage ---------------------

def _check_cache_size(size: Any) -> str | None:
    if size is None:
        return None
    if str(size) not in CACHE_SIZES:
        raise bad_request(f"Invalid cache cluster size {size!r}. Must be one of: "
                          f"[{', '.join(CACHE_SIZES)}]")
    return str(size)


def _set_cache(stage: Any, enabled: bool | None, size: str | None) -> None:
    if size is not None:
        stage.cache_cluster_size = size
    if enabled is not None:
        stage.cache_cluster_enabled = enabled
        if enabled and stage.cache_cluster_size is None:
            stage.cache_cluster_size = "0.5"  # the model's smallest size is AWS's default
    stage.cache_cluster_status = "AVAILABLE" if stage.cache_cluster_enabled else "NOT_AVAILABLE"


# --- create_stage / create_deployment / get_stage(s) ---------------------------------------

def handle_create_stage(self: Any) -> Any:
    """``CreateStage`` (reference §6.2): the deployment must exist; AWS's value checks; the
    canary, if any (:func:`canary.stage_canary`)."""
    api = self.backend.get_rest_api(path_parts(self)[1])
    deployment_id = self._get_param("deploymentId")
    if deployment_id not in api.deployments:
        raise NotFound("Invalid Deployment identifier specified")
    raw_canary = self._get_param("canarySettings")
    settings = (None if raw_canary is None
                else canary.stage_canary(raw_canary, deployment_id, api.deployments))
    stage = self.backend.create_stage(
        api.id, self._get_param("stageName"), deployment_id,
        variables=check_variables(self._get_param("variables")),
        description=self._get_param("description") or "",
        cacheClusterEnabled=None, cacheClusterSize=None,
        tags=self._get_param("tags") or None,
        tracing_enabled=bool(self._get_param("tracingEnabled")))
    _set_cache(stage, bool(self._get_param("cacheClusterEnabled")),
               _check_cache_size(self._get_param("cacheClusterSize")))
    stage.documentation_version = self._get_param("documentationVersion")
    stage.canary_settings = settings
    _stamp(stage, created=True)
    return reply(stage_json(stage), 201)


def _require_integrations(api: Any) -> None:
    """AWS deploys only when every method has an integration (a BadRequest otherwise)."""
    methods = [m for r in api.resources.values() for m in r.resource_methods.values()]
    if not methods:
        raise bad_request("The REST API doesn't contain any methods")
    if any(m.method_integration is None for m in methods):
        raise bad_request("No integration defined for method")


def handle_create_deployment(self: Any) -> Any:
    """``CreateDeployment`` (reference §6.1): a new stage, an existing one repointed, or with
    ``canarySettings`` the existing stage's canary (its stable deployment unchanged).

    The stage fields of the request (``variables`` merged, ``cacheCluster*``,
    ``tracingEnabled``) apply to the stage with or without a canary (UNVERIFIED for a canary
    deployment: no source says; the canary's own variables are its overrides).
    """
    api = self.backend.get_rest_api(path_parts(self)[1])
    name = self._get_param("stageName")
    existing = api.stages.get(name) if name else None
    raw_canary = self._get_param("canarySettings")
    if raw_canary is None:
        settings = None
        canary.check_non_canary_deployment(name, existing)
    else:
        canary.check_deployment_target(name, existing)
        settings = canary.deployment_canary(raw_canary)
    _require_integrations(api)
    variables = check_variables(self._get_param("variables"))
    size = _check_cache_size(self._get_param("cacheClusterSize"))
    deployment = api.create_deployment(name, self._get_param("description") or "", variables)
    if name:
        stage = _deployed_stage(api, name, existing, deployment.id if settings is None else None,
                                variables)
        if settings is not None:
            stage.canary_settings = {**settings, "deploymentId": deployment.id}
        if existing is None:
            stage.description = self._get_param("stageDescription") or ""
        _set_cache(stage, self._get_param("cacheClusterEnabled"), size)
        if self._get_param("tracingEnabled") is not None:
            stage.tracing_enabled = bool(self._get_param("tracingEnabled"))
        _stamp(stage, created=existing is None)
    return reply(deployment.to_json(), 201)


def _deployed_stage(api: Any, name: str, existing: Any, deployment_id: str | None,
                    variables: dict[str, str]) -> Any:
    """moto's fresh stage, or the existing one (put back) with merged variables, repointed
    unless ``deployment_id`` is ``None`` (a canary deployment)."""
    if existing is None:
        stage = api.stages[name]
        stage.tracing_enabled = False
        stage.canary_settings = None
        return stage
    if deployment_id is not None:
        existing.deployment_id = deployment_id
    existing.variables.update(variables)
    api.stages[name] = existing
    return existing


def handle_get_stage(self: Any) -> Any:
    parts = path_parts(self)
    return reply(stage_json(self.backend.get_stage(parts[1], parts[3])))


def handle_get_stages(self: Any) -> Any:
    """``GetStages``, filtered by ``deploymentId`` when the request names one."""
    stages = self.backend.get_stages(path_parts(self)[1])
    wanted = (self.querystring.get("deploymentId") or [None])[0]
    items = [stage_json(s) for s in stages if wanted is None or s.deployment_id == wanted]
    return reply({"item": items})


# --- update_stage ---------------------------------------------------------------------------

def handle_update_stage(self: Any) -> Any:
    """``UpdateStage``: every operation is checked and applied to a copy; the stage changes
    only when all of them succeed."""
    parts = path_parts(self)
    api = self.backend.get_rest_api(parts[1])
    stage = self.backend.get_stage(parts[1], parts[3])
    work = copy.deepcopy(stage)
    context = _Context(api=api, role=self.backend.account.cloudwatch_role_arn)
    for op in patch_operations(self):
        _apply(work, op, context)
    _stamp(work, created=False)
    stage.__dict__.update(work.__dict__)
    return reply(stage_json(stage))


class _Context:
    def __init__(self, api: Any, role: str | None) -> None:
        self.api, self.role = api, role


def _apply(stage: Any, op: PatchOp, context: _Context) -> None:
    path, kind = op["path"], op.get("op")
    if kind == "copy":  # promote: the only copies AWS accepts (canary.COPIES)
        canary.copy(stage, op)
    elif path == canary.ROOT or path.startswith(f"{canary.ROOT}/"):
        if not canary.patch(stage, op, context.api.deployments):
            raise _unknown_path(path)
    elif path.startswith("/variables/"):
        _patch_variable(stage, op, unescape(path[len("/variables/"):]))
    elif path in STAGE_FIELDS:
        allowed, setter = STAGE_FIELDS[path]
        if kind not in allowed:
            raise invalid_path(path, str(kind))
        setter(stage, op, context)
    else:
        _patch_method_setting(stage, op, context)


def _patch_variable(stage: Any, op: PatchOp, name: str) -> None:
    """``replace`` sets (adds) a variable, ``remove`` drops it (the table's ``/variables``)."""
    if op.get("op") == "replace":
        check_variable(name, op_value(op))
        stage.variables[name] = op_value(op)
    elif op.get("op") == "remove":
        stage.variables.pop(name, None)
    else:
        raise invalid_path(op["path"], str(op.get("op")))


def _set_deployment(stage: Any, op: PatchOp, context: _Context) -> None:
    if op_value(op) not in context.api.deployments:
        raise bad_request("Deployment id does not exist")  # LocalStack's AWS-parity words
    stage.deployment_id = op_value(op)


def _set_description(stage: Any, op: PatchOp, context: _Context) -> None:
    stage.description = op.get("value") or ""


def _set_cache_enabled(stage: Any, op: PatchOp, context: _Context) -> None:
    _set_cache(stage, parse_bool(op), None)


def _set_cache_size(stage: Any, op: PatchOp, context: _Context) -> None:
    _set_cache(stage, None, parse_enum(op, CACHE_SIZES))


def _set_certificate(stage: Any, op: PatchOp, context: _Context) -> None:
    stage.client_certificate_id = op.get("value") or None


def _set_tracing(stage: Any, op: PatchOp, context: _Context) -> None:
    stage.tracing_enabled = parse_bool(op)


def _set_documentation(stage: Any, op: PatchOp, context: _Context) -> None:
    stage.documentation_version = op.get("value") or None


def _remove_access_log(stage: Any, op: PatchOp, context: _Context) -> None:
    stage.access_log_settings = None


def _access_log_field(field: str) -> Callable[[Any, PatchOp, _Context], None]:
    def setter(stage: Any, op: PatchOp, context: _Context) -> None:
        settings = dict(stage.access_log_settings or {})
        if op.get("op") == "remove":
            settings.pop(field, None)
        else:
            settings[field] = _access_log_value(field, op)
        stage.access_log_settings = settings or None
    return setter


def _access_log_value(field: str, op: PatchOp) -> str:
    """The format must name ``$context.requestId`` (or ``extendedRequestId``), as the
    ``AccessLogSettings.format`` documentation requires; the destination must be an ARN."""
    value = op_value(op)
    if field == "format" and not REQUEST_ID.search(value):
        raise bad_request("The access log format must include at least $context.requestId "
                          "or $context.extendedRequestId")
    if field == "destinationArn" and not value.startswith("arn:"):
        raise bad_request(f"Invalid ARN specified in the request: {value}")
    return value


REPLACE = frozenset({"replace"})
STAGE_FIELDS: dict[str, tuple[frozenset[str], Callable[[Any, PatchOp, _Context], None]]] = {
    "/deploymentId": (REPLACE, _set_deployment),
    "/description": (REPLACE, _set_description),
    "/cacheClusterEnabled": (REPLACE, _set_cache_enabled),
    "/cacheClusterSize": (REPLACE, _set_cache_size),
    "/clientCertificateId": (REPLACE, _set_certificate),
    "/tracingEnabled": (REPLACE, _set_tracing),
    "/documentationVersion": (REPLACE, _set_documentation),
    "/accessLogSettings": (frozenset({"remove"}), _remove_access_log),
    "/accessLogSettings/destinationArn": (frozenset({"add", "replace", "remove"}),
                                          _access_log_field("destinationArn")),
    "/accessLogSettings/format": (frozenset({"add", "replace", "remove"}),
                                  _access_log_field("format")),
}


# --- method settings ------------------------------------------------------------------------

def method_key(resource: str, method: str, path: str) -> str:
    """The read-back key of a method setting: ``*/*`` or ``<escaped resource path>/<VERB>``.

    ``resource`` is the patch path's resource part, escaped (``~1pets~1{id}``) or raw
    (``pets/{id}``); both name the resource ``/pets/{id}``.
    """
    if resource == "*" and method == "*":
        return "*/*"
    if method not in HTTP_METHODS or resource in ("", "*"):
        raise _unknown_path(path)
    text = unescape(resource)
    return escape(text if text.startswith("/") else f"/{text}") + f"/{method}"


def _patch_method_setting(stage: Any, op: PatchOp, context: _Context) -> None:
    path, kind = op["path"], op.get("op")
    segments = path[1:].split("/") if path.startswith("/") else []
    suffix = "/".join(segments[-2:])
    if kind == "remove" and len(segments) >= 2 and suffix not in SETTINGS:
        _remove_setting(stage, method_key("/".join(segments[:-1]), segments[-1], path))
        return
    if len(segments) < 4:
        raise _unknown_path(path)
    if suffix not in SETTINGS:
        raise _unknown_setting(suffix)
    if kind != "replace":  # the table allows only replace on a setting
        raise invalid_path(path, str(kind))
    key = method_key("/".join(segments[:-3]), segments[-3], path)
    field, parse = SETTINGS[suffix]
    value = parse(op)
    if field == "loggingLevel" and value != "OFF" and not context.role:
        raise bad_request(LOGGING_ROLE)  # AWS's words (Miserlou/Zappa#1946)
    stage.method_settings.setdefault(key, dict(DEFAULT_SETTING))[field] = value


def _remove_setting(stage: Any, key: str) -> None:
    if stage.method_settings.pop(key, None) is None:
        # AWS's words, trailing space included (LocalStack's AWS snapshot; reference §6.3)
        raise bad_request(f"Cannot remove method setting {key} because there is no method "
                          "setting for this method ")
