"""Usage plans and their keys as AWS keeps them (reference §7, findings §1.5).

Each ``handle_*`` function replaces the moto 5.2.5 ``APIGatewayResponse`` handler of the same
name (registered in :mod:`fidelity`). What they fix:

- ``update_usage_plan`` applies ALL of one call's operations or none (the apply sends one call
  per plan: 1 per 20 s, reference §2.1), for every path of the ``UpdateUsagePlan`` table in
  https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html with the ops it
  allows: ``/name``, ``/description``, ``/productCode``, ``/throttle[/rateLimit|burstLimit]``,
  ``/quota[/limit|offset|period]``, ``/apiStages`` (value ``apiId:stage``),
  ``/apiStages/{apiId}:{stage}/throttle`` (a JSON map, the guide's single-call form) and
  ``/apiStages/{apiId}:{stage}/throttle/{resourcePath}/{httpMethod}[/rateLimit|burstLimit]``.
  The resource path may be spelled raw (``throttle//pets/GET/rateLimit``, as the developer
  guide's ``<resourcePath>`` and Terraform write it) or JSON-pointer escaped
  (``throttle/~1pets/GET/rateLimit``); both name the key ``/pets/GET``. moto ignored the
  per-method paths and crashed on a non-integer ``rateLimit`` (AWS: a double).
- Numbers are stored with AWS's types (``rateLimit`` double, ``burstLimit``/``limit``/
  ``offset`` integers; moto kept patch strings), empty ``throttle``/``quota`` are omitted on
  read (LocalStack's AWS-snapshot parity), ``quota.offset`` defaults to 0.
- AWS's refusals: an API stage that does not exist ("Invalid API Stage {api: …, stage: …}
  specified for usageplan …": aws/aws-cdk#6169), removing a stage the plan lacks ("Invalid
  API Stage specified": boto/boto3#2629), deleting a plan that still has stages
  (aws/aws-sdk-js#3841), a path or op the table does not list (boto/boto3#2629's message), a
  plan or key that does not exist (404), a key already in the plan, or a key in two plans that
  share an API stage (reference §5; that message's wording is ours).
- ``get_usage_plans`` and ``get_usage_plan_keys`` page (:mod:`paging`); usage plan keys are
  read from the key itself, so a key renamed by ``import_api_keys`` reads back renamed.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from moto.apigateway.models import UsagePlanKey

from apigwctl.aws.emulator.paging import listing, page, query
from apigwctl.aws.emulator.patching import (
    NotFound,
    PatchOp,
    bad_request,
    conflict,
    invalid_path,
    op_value,
    parse_enum,
    parse_float,
    parse_int,
    patch_operations,
    path_parts,
    reply,
    request_json,
    unescape,
)
from apigwctl.aws.emulator.stages import HTTP_METHODS

PERIODS = ("DAY", "WEEK", "MONTH")
PLAN_NOT_FOUND = "Invalid Usage Plan ID specified"
KEY_NOT_FOUND = "Invalid API Key identifier specified"
# The paths AWS lists per op when it refuses one (boto/boto3#2629 for remove; the others
# follow the same table, same notation).
ALLOWED = {
    "remove": ("/apiStages", "/quota", "/throttle", "/productCode",
               "/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>",
               "/apiStages/<apidId:stageName>/throttle"),
    "add": ("/apiStages", "/quota/limit", "/quota/offset", "/quota/period",
            "/throttle/rateLimit", "/throttle/burstLimit", "/productCode",
            "/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/rateLimit",
            "/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/burstLimit",
            "/apiStages/<apidId:stageName>/throttle"),
    "replace": ("/name", "/description", "/productCode", "/quota/limit", "/quota/offset",
                "/quota/period", "/throttle/rateLimit", "/throttle/burstLimit",
                "/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/rateLimit",
                "/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/burstLimit",
                "/apiStages/<apidId:stageName>/throttle"),
}


# --- shapes -----------------------------------------------------------------------------

def plan_json(plan: Any) -> dict[str, Any]:
    """The plan as ``GetUsagePlan`` answers it (the ``UsagePlan`` shape)."""
    out: dict[str, Any] = {"id": plan.id, "name": plan.name,
                           "apiStages": [_stage_json(s) for s in plan.api_stages]}
    optional = {"description": plan.description, "throttle": plan.throttle or None,
                "quota": plan.quota or None, "productCode": plan.product_code,
                "tags": plan.tags or None}
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def _stage_json(stage: dict[str, Any]) -> dict[str, Any]:
    out = {"apiId": stage["apiId"], "stage": stage["stage"]}
    if stage.get("throttle"):
        out["throttle"] = stage["throttle"]
    return out


def plan_key_json(backend: Any, key_id: str) -> dict[str, Any]:
    """A ``UsagePlanKey``: the key's id, type, name and value as the key has them now."""
    key = backend.keys[key_id]
    return {"id": key.id, "type": "API_KEY", "name": key.name, "value": key.value}


# --- values -----------------------------------------------------------------------------

def _number(raw: Any, what: str, integer: bool) -> int | float:
    valid = isinstance(raw, (int, float)) and not isinstance(raw, bool)
    if not valid or raw < 0 or (integer and raw != int(raw)):
        kind = "a non-negative integer" if integer else "a non-negative number"
        raise bad_request(f"Invalid {what}: must be {kind}")
    return int(raw) if integer else float(raw)


def _throttle(raw: Any, what: str) -> dict[str, Any]:
    """``ThrottleSettings``: ``burstLimit`` integer, ``rateLimit`` double."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise bad_request(f"Invalid {what}: must be an object")
    out: dict[str, Any] = {}
    if raw.get("burstLimit") is not None:
        out["burstLimit"] = _number(raw["burstLimit"], f"{what} burstLimit", integer=True)
    if raw.get("rateLimit") is not None:
        out["rateLimit"] = _number(raw["rateLimit"], f"{what} rateLimit", integer=False)
    return out


def _quota(raw: Any) -> dict[str, Any]:
    """``QuotaSettings``: integer ``limit`` and ``offset`` (0 by default), a ``period``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or raw.get("period") not in PERIODS:
        raise bad_request(f"Invalid quota: period must be one of [{', '.join(PERIODS)}]")
    return {"limit": _number(raw.get("limit", 0), "quota limit", integer=True),
            "offset": _number(raw.get("offset", 0), "quota offset", integer=True),
            "period": raw["period"]}


def throttle_key(text: str) -> str:
    """A per-method throttle key as AWS stores it: ``/{resourcePath}/{HTTP_METHOD}``."""
    key = unescape(text)
    key = key if key.startswith("/") else f"/{key}"
    resource, _, method = key.rpartition("/")
    if not resource or method not in HTTP_METHODS:
        raise bad_request(f"Invalid method throttle key {key!r}: must be "
                          "/{resourcePath}/{HTTP_METHOD}")
    return key


def _method_throttles(raw: Any, what: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise bad_request(f"Invalid throttle of {what}: must be a map")
    return {throttle_key(str(k)): _throttle(v, f"throttle of {what} {k}")
            for k, v in raw.items()}


def _api_stage(backend: Any, raw: Any, plan_name: str) -> dict[str, Any]:
    """An ``ApiStage`` naming a deployed stage (reference §5: it must already exist)."""
    api_id, stage = (raw.get("apiId"), raw.get("stage")) if isinstance(raw, dict) else (None, None)
    api = backend.apis.get(api_id)
    if api is None or stage not in api.stages:
        raise bad_request(f"Invalid API Stage {{api: {api_id}, stage: {stage}}} specified for "
                          f"usageplan {plan_name}")
    out: dict[str, Any] = {"apiId": api_id, "stage": stage}
    throttle = _method_throttles(raw.get("throttle"), f"{api_id}:{stage}")
    if throttle:
        out["throttle"] = throttle
    return out


def _plan(backend: Any, plan_id: str) -> Any:
    plan = backend.usage_plans.get(plan_id)
    if plan is None:
        raise NotFound(PLAN_NOT_FOUND)
    return plan


# --- create / read / delete ----------------------------------------------------------------

def handle_create_usage_plan(self: Any) -> Any:
    """``CreateUsagePlan`` with AWS's checks and types (reference §7)."""
    body = request_json(self)
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise bad_request("Usage plan name must be non-empty")
    plan = self.backend.create_usage_plan({
        "name": name, "description": body.get("description"),
        "apiStages": [_api_stage(self.backend, s, name) for s in body.get("apiStages") or []],
        "throttle": _throttle(body.get("throttle"), "throttle"),
        "quota": _quota(body.get("quota")), "productCode": body.get("productCode"),
        "tags": body.get("tags") or None})
    return reply(plan_json(plan), 201)


def handle_get_usage_plan(self: Any) -> Any:
    return reply(plan_json(_plan(self.backend, path_parts(self)[1])))


def handle_get_usage_plans(self: Any) -> Any:
    """``GetUsagePlans``: the plans holding ``keyId`` when given, paged."""
    key_id = query(self, "keyId")
    plans = [p for p in self.backend.usage_plans.values()
             if key_id is None or key_id in self.backend.usage_plan_keys.get(p.id, {})]
    items, position = page(self, plans, lambda p: str(p.id))
    return reply(listing([plan_json(p) for p in items], position))


def handle_delete_usage_plan(self: Any) -> Any:
    plan = _plan(self.backend, path_parts(self)[1])
    if plan.api_stages:
        first = plan.api_stages[0]
        raise bad_request(f"Cannot delete Usage Plan {plan.id} because there are API Stages "
                          f"associated with it, including {first['apiId']}:{first['stage']}")
    del self.backend.usage_plans[plan.id]
    self.backend.usage_plan_keys.pop(plan.id, None)
    return 202, {"status": "202"}, "{}"


# --- usage plan keys ------------------------------------------------------------------------

def stage_conflict(backend: Any, plan_id: str, key_id: str) -> str | None:
    """Why ``key_id`` cannot join ``plan_id``: a key may be in several plans but in only one
    plan per API stage (reference §5). None when it can."""
    stages = {(s["apiId"], s["stage"]) for s in backend.usage_plans[plan_id].api_stages}
    for other_id, keys in backend.usage_plan_keys.items():
        other = backend.usage_plans.get(other_id)
        if other_id == plan_id or other is None or key_id not in keys:
            continue
        shared = sorted(stages & {(s["apiId"], s["stage"]) for s in other.api_stages})
        if shared:
            return (f"Usage Plan {plan_id} cannot be added because API Key {key_id} cannot "
                    f"reference multiple Usage Plans with the same API Stage: "
                    f"{shared[0][0]}:{shared[0][1]}")
    return None


def add_key(backend: Any, plan_id: str, key_id: str) -> None:
    """Link a key to a plan (callers have checked :func:`stage_conflict`)."""
    key = backend.keys[key_id]
    backend.usage_plan_keys.setdefault(plan_id, {})[key_id] = UsagePlanKey(
        plan_id=key_id, plan_type="API_KEY", name=key.name, value=key.value)


def handle_create_usage_plan_key(self: Any) -> Any:
    plan = _plan(self.backend, path_parts(self)[1])
    body = request_json(self)
    key_id = body.get("keyId")
    if body.get("keyType") != "API_KEY":
        raise bad_request("Invalid key type: API_KEY is the only key type")
    if not isinstance(key_id, str) or key_id not in self.backend.keys:
        raise NotFound(KEY_NOT_FOUND)
    if key_id in self.backend.usage_plan_keys.get(plan.id, {}):
        raise conflict(f"Usage Plan {plan.id} already contains API Key {key_id}")
    reason = stage_conflict(self.backend, plan.id, key_id)
    if reason:
        raise conflict(reason)
    add_key(self.backend, plan.id, key_id)
    return reply(plan_key_json(self.backend, key_id), 201)


def _plan_key_ids(backend: Any, plan_id: str) -> list[str]:
    return [k for k in backend.usage_plan_keys.get(plan_id, {}) if k in backend.keys]


def handle_get_usage_plan_keys(self: Any) -> Any:
    """``GetUsagePlanKeys``: filtered by name prefix (``nameQuery``), paged."""
    plan = _plan(self.backend, path_parts(self)[1])
    prefix = query(self, "name") or ""
    keys = [plan_key_json(self.backend, k) for k in _plan_key_ids(self.backend, plan.id)]
    keys = [k for k in keys if (k["name"] or "").startswith(prefix)]
    items, position = page(self, keys, lambda k: str(k["id"]))
    return reply(listing(items, position))


def handle_get_usage_plan_key(self: Any) -> Any:
    parts = path_parts(self)
    plan = _plan(self.backend, parts[1])
    if parts[3] not in _plan_key_ids(self.backend, plan.id):
        raise NotFound(KEY_NOT_FOUND)
    return reply(plan_key_json(self.backend, parts[3]))


def handle_delete_usage_plan_key(self: Any) -> Any:
    parts = path_parts(self)
    plan = _plan(self.backend, parts[1])
    if self.backend.usage_plan_keys.get(plan.id, {}).pop(parts[3], None) is None:
        raise NotFound(KEY_NOT_FOUND)
    return 202, {"status": "202"}, "{}"


# --- update_usage_plan ----------------------------------------------------------------------

def handle_update_usage_plan(self: Any) -> Any:
    """``UpdateUsagePlan``: all operations of the call, checked and applied to a copy; the
    plan changes only when every one of them succeeds."""
    plan = _plan(self.backend, path_parts(self)[1])
    work = copy.deepcopy(plan)
    for op in patch_operations(self):
        _apply(self.backend, work, op)
    plan.__dict__.update(work.__dict__)
    return reply(plan_json(plan))


def _apply(backend: Any, plan: Any, op: PatchOp) -> None:
    path, kind = op["path"], str(op.get("op"))
    if path in PLAN_FIELDS:
        allowed, setter = PLAN_FIELDS[path]
        if kind not in allowed:
            raise invalid_path(path, kind, ALLOWED.get(kind))
        setter(backend, plan, op)
    elif path.startswith("/apiStages/"):
        _patch_stage_throttle(plan, op)
    else:
        raise invalid_path(path, kind, ALLOWED.get(kind))


def _set_name(backend: Any, plan: Any, op: PatchOp) -> None:
    plan.name = op_value(op)


def _set_description(backend: Any, plan: Any, op: PatchOp) -> None:
    plan.description = op.get("value")


def _set_product_code(backend: Any, plan: Any, op: PatchOp) -> None:
    plan.product_code = None if op.get("op") == "remove" else op_value(op)


def _throttle_field(field: str, parse: Callable[[PatchOp], Any]) -> Callable[..., None]:
    def setter(backend: Any, plan: Any, op: PatchOp) -> None:
        plan.throttle = {**(plan.throttle or {}), field: parse(op)}
    return setter


def _quota_field(field: str, parse: Callable[[PatchOp], Any]) -> Callable[..., None]:
    def setter(backend: Any, plan: Any, op: PatchOp) -> None:
        plan.quota = {"offset": 0, **(plan.quota or {}), field: parse(op)}
    return setter


def _clear(attribute: str) -> Callable[..., None]:
    def setter(backend: Any, plan: Any, op: PatchOp) -> None:
        setattr(plan, attribute, {})
    return setter


def _stage_ref(value: str) -> tuple[str, str]:
    api_id, sep, stage = value.partition(":")
    if not sep or not api_id or not stage:
        raise bad_request(f"Invalid API Stage {value!r}: must be apiId:stageName")
    return api_id, stage


def _set_api_stages(backend: Any, plan: Any, op: PatchOp) -> None:
    api_id, stage = _stage_ref(op_value(op))
    present = [s for s in plan.api_stages if (s["apiId"], s["stage"]) == (api_id, stage)]
    if op.get("op") == "remove":
        if not present:
            raise bad_request("Invalid API Stage specified")  # AWS's words: boto/boto3#2629
        plan.api_stages = [s for s in plan.api_stages if s not in present]
    elif present:
        raise conflict(f"Usage plan {plan.id} already contains API Stage {api_id}:{stage}")
    else:
        plan.api_stages = [*plan.api_stages,
                           _api_stage(backend, {"apiId": api_id, "stage": stage}, plan.id)]


ADD_REPLACE = frozenset({"add", "replace"})
PLAN_FIELDS: dict[str, tuple[frozenset[str], Callable[..., None]]] = {
    "/name": (frozenset({"replace"}), _set_name),
    "/description": (frozenset({"replace"}), _set_description),
    "/productCode": (frozenset({"add", "replace", "remove"}), _set_product_code),
    "/throttle": (frozenset({"remove"}), _clear("throttle")),
    "/throttle/rateLimit": (ADD_REPLACE, _throttle_field("rateLimit", parse_float)),
    "/throttle/burstLimit": (ADD_REPLACE, _throttle_field("burstLimit", parse_int)),
    "/quota": (frozenset({"remove"}), _clear("quota")),
    "/quota/limit": (ADD_REPLACE, _quota_field("limit", parse_int)),
    "/quota/offset": (ADD_REPLACE, _quota_field("offset", parse_int)),
    "/quota/period": (ADD_REPLACE, _quota_field("period", lambda op: parse_enum(op, PERIODS))),
    "/apiStages": (frozenset({"add", "remove"}), _set_api_stages),
}


def _patch_stage_throttle(plan: Any, op: PatchOp) -> None:
    """``/apiStages/{apiId}:{stage}/throttle[/{resourcePath}/{httpMethod}[/field]]``."""
    path, kind = op["path"], str(op.get("op"))
    ident, _, tail = path[len("/apiStages/"):].partition("/")
    if tail != "throttle" and not tail.startswith("throttle/"):
        raise invalid_path(path, kind, ALLOWED.get(kind))
    api_id, stage_name = _stage_ref(ident)
    stage = next((s for s in plan.api_stages
                  if (s["apiId"], s["stage"]) == (api_id, stage_name)), None)
    if stage is None:
        raise bad_request("Invalid API Stage specified")
    if tail == "throttle":
        _whole_throttle(stage, op, f"{api_id}:{stage_name}")
    else:
        _one_throttle(stage, op, tail[len("throttle/"):])


def _whole_throttle(stage: dict[str, Any], op: PatchOp, what: str) -> None:
    if op.get("op") == "remove":
        stage.pop("throttle", None)
        return
    try:
        raw = json.loads(op_value(op))
    except ValueError:
        raise bad_request(f"Invalid throttle of {what}: not a JSON map") from None
    stage["throttle"] = _method_throttles(raw, what)


def _one_throttle(stage: dict[str, Any], op: PatchOp, rest: str) -> None:
    kind = str(op.get("op"))
    field = next((f for f in ("rateLimit", "burstLimit") if rest.endswith(f"/{f}")), None)
    throttles = dict(stage.get("throttle") or {})
    if field is None:
        if kind != "remove":
            raise invalid_path(op["path"], kind, ALLOWED.get(kind))
        if throttles.pop(throttle_key(rest), None) is None:
            raise bad_request(f"Invalid method throttle {throttle_key(rest)}: the stage has "
                              "no throttle for this method")
    else:
        if kind not in ADD_REPLACE:
            raise invalid_path(op["path"], kind, ALLOWED.get(kind))
        key = throttle_key(rest[:-len(field) - 1])
        value = parse_float(op) if field == "rateLimit" else parse_int(op)
        throttles[key] = {**throttles.get(key, {}), field: value}
    if throttles:
        stage["throttle"] = throttles
    else:
        stage.pop("throttle", None)
