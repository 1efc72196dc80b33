"""Usage plans and API keys -> ops, in as few calls as AWS allows. Pure.

* A usage plan: ``create_usage_plan`` with everything (throttle, quota, API stages with
  per-method throttles, tags) in one call; a changed plan: ONE ``update_usage_plan`` with
  every patch (UpdateUsagePlan is limited to 1 per 20 s: never two for one plan); tags
  through ``tag_resource``.
* New keys with a value: ONE ``import_api_keys`` for all of them, their plan links included
  (the CSV's UsagePlanIds column) — instead of a create_api_key (5/s) and a
  create_usage_plan_key per key and plan. The CSV carries no customer id and no tags, so
  those cost one more call per key that has them. Keys whose value AWS generates:
  ``create_api_key`` and a link per plan.
* A key whose value changed: the old key is deleted and the new value imported (AWS cannot
  change a key's value; the import identifies keys by value).
* Removed from the file: keys, then plans, deleted last (reverse of creation). Only what the
  reader returned is ever deleted, and it returns only plans tagged as apigwctl's and keys
  linked to them (see :mod:`apigwctl.aws.reader`).

Plans name APIs by address token ``{api:<name>}``, resolved to ids by the executor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from apigwctl.model import ApiKey, ApiState, Throttle, UsagePlan, UsagePlanStage
from apigwctl.plan.ops import (
    CreateApiKey,
    CreateUsagePlan,
    DeleteApiKey,
    DeleteUsagePlan,
    ImportApiKeys,
    KeyRow,
    LinkApiKey,
    Op,
    Patch,
    TagResource,
    UpdateApiKey,
    UpdateUsagePlan,
)
from apigwctl.plan.stage_patch import text

IMPORT_ADDRESS = "api_keys:import"


def account_ops(desired: ApiState, live: ApiState | None) -> tuple[list[Op], list[Op]]:
    """(creates and updates, in dependency order; deletions, to run last)."""
    live_plans = {p.name: p for p in live.usage_plans} if live else {}
    live_keys = {k.name: k for k in live.api_keys} if live else {}
    ops: list[Op] = []
    for plan in desired.usage_plans:
        ops.extend(_plan_ops(plan, live_plans.get(plan.name)))
    ops.extend(_key_ops(desired.api_keys, live_keys))
    wanted_keys = {k.name for k in desired.api_keys}
    wanted_plans = {p.name for p in desired.usage_plans}
    deletions: list[Op] = [DeleteApiKey(f"api_key:{k}", k) for k in sorted(live_keys)
                           if k not in wanted_keys]
    deletions += [DeleteUsagePlan(f"usage_plan:{p}", p, tuple(
        _stage_value(s) for s in live_plans[p].api_stages))
        for p in sorted(live_plans) if p not in wanted_plans]
    return ops, deletions


def ignore_generated_values(desired: ApiState, live: ApiState | None) -> ApiState | None:
    """A key whose value AWS generates (no value in the file) is not compared by value."""
    generated = {k.name for k in desired.api_keys if k.value_digest is None}
    if live is None or not generated:
        return live
    return replace(live, api_keys=tuple(replace(k, value_digest=None) if k.name in generated
                                        else k for k in live.api_keys))


def _api_token(api: str) -> str:
    """``id:<apiId>`` stays literal (another API); a name becomes ``{api:<name>}``."""
    return api[3:] if api.startswith("id:") else "{api:" + api + "}"


def _stage_value(stage: UsagePlanStage) -> str:
    return f"{_api_token(stage.api)}:{stage.stage}"


def _plan_ops(plan: UsagePlan, live: UsagePlan | None) -> list[Op]:
    address = f"usage_plan:{plan.name}"
    if live is None:
        quota = ((plan.quota_limit, plan.quota_period, plan.quota_offset)
                 if plan.quota_limit is not None and plan.quota_period else None)
        return [CreateUsagePlan(address, plan.name, plan.description, plan.throttle, quota,
                                plan.api_stages, plan.tags)]
    ops: list[Op] = []
    patches = usage_plan_patches(live, plan)
    if patches:
        ops.append(UpdateUsagePlan(address, plan.name, tuple(patches)))
    tags = tag_op(address, live.tags, plan.tags)
    return ops + ([tags] if tags else [])


def usage_plan_patches(old: UsagePlan, new: UsagePlan) -> list[Patch]:
    """Every change of one plan, for ONE update_usage_plan call."""
    out: list[Patch] = []
    if old.description != new.description:
        out.append(Patch("replace", "/description", new.description or ""))
    out += _throttle_patches("/throttle", old.throttle, new.throttle)
    out += _quota_patches(old, new)
    out += _api_stage_patches(old.api_stages, new.api_stages)
    return out


def _throttle_patches(prefix: str, old: Throttle | None, new: Throttle | None) -> list[Patch]:
    if old == new:
        return []
    if new is None:
        return [Patch("remove", prefix)]
    before = old or Throttle()
    return [Patch("replace", f"{prefix}/{name}", text(value))
            for name, value, was in (("rateLimit", new.rate_limit, before.rate_limit),
                                     ("burstLimit", new.burst_limit, before.burst_limit))
            if value is not None and value != was]


def _quota_patches(old: UsagePlan, new: UsagePlan) -> list[Patch]:
    before = (old.quota_limit, old.quota_period, old.quota_offset)
    after = (new.quota_limit, new.quota_period, new.quota_offset)
    if before == after:
        return []
    if new.quota_limit is None:
        return [Patch("remove", "/quota")]
    return [Patch("replace", f"/quota/{name}", text(value))
            for name, value, was in zip(("limit", "period", "offset"), after, before,
                                        strict=True) if value != was and value is not None]


def _api_stage_patches(old: Sequence[UsagePlanStage],
                       new: Sequence[UsagePlanStage]) -> list[Patch]:
    before = {(s.api, s.stage): s for s in old}
    after = {(s.api, s.stage): s for s in new}
    out = [Patch("remove", "/apiStages", _stage_value(s))
           for key, s in sorted(before.items()) if key not in after]
    for key, stage in sorted(after.items()):
        if key not in before:
            out.append(Patch("add", "/apiStages", _stage_value(stage)))
        out += _method_throttles(stage, before.get(key))
    return out


def _method_throttles(new: UsagePlanStage, old: UsagePlanStage | None) -> list[Patch]:
    """Per-method throttles: ``/apiStages/<api>:<stage>/throttle/<path>/<METHOD>/...``."""
    prefix = f"/apiStages/{_stage_value(new)}/throttle/"
    before, after = dict(old.throttle) if old else {}, dict(new.throttle)
    out = [Patch("remove", prefix + key) for key in sorted(before) if key not in after]
    for key, throttle in sorted(after.items()):
        out += _throttle_patches(prefix + key, before.get(key), throttle)
    return out


def tag_op(address: str, before: Sequence[tuple[str, str]],
           after: Sequence[tuple[str, str]]) -> TagResource | None:
    old, new = dict(before), dict(after)
    if old == new:
        return None
    return TagResource(address, tuple((k, v) for k, v in sorted(new.items()) if old.get(k) != v),
                       tuple(k for k in sorted(old) if k not in new))


def _key_ops(desired: Sequence[ApiKey], live: dict[str, ApiKey]) -> list[Op]:
    rows: list[KeyRow] = []
    before_import: list[Op] = []
    after_import: list[Op] = []
    for key in desired:
        address = f"api_key:{key.name}"
        plans = tuple(f"usage_plan:{p}" for p in key.usage_plans)
        old = live.get(key.name)
        replaced = (old is not None and key.value_digest is not None
                    and old.value_digest != key.value_digest)
        if old is None or replaced:
            if replaced:
                before_import.append(DeleteApiKey(address, key.name, "its value changed"))
            if key.value_digest is None:
                after_import.append(CreateApiKey(address, key.name, key.description,
                                                 key.enabled, key.customer_id, plans, key.tags))
                continue
            rows.append(KeyRow(address, key.name, key.description, key.enabled, plans))
            after_import += _after_import(key)
            continue
        after_import += _key_updates(key, old)
    imports: list[Op] = [ImportApiKeys(IMPORT_ADDRESS, tuple(rows))] if rows else []
    return before_import + imports + after_import


def _after_import(key: ApiKey) -> list[Op]:
    """What the CSV cannot carry: the customer id and tags, one call each when present."""
    address = f"api_key:{key.name}"
    out: list[Op] = []
    if key.customer_id:
        out.append(UpdateApiKey(address, key.name,
                                (Patch("replace", "/customerId", key.customer_id),)))
    tags = tag_op(address, (), key.tags)
    return out + ([tags] if tags else [])


def _key_updates(key: ApiKey, old: ApiKey) -> list[Op]:
    address = f"api_key:{key.name}"
    patches = [Patch("replace", f"/{name}", text(value) if value is not None else "")
               for name, value, was in (("description", key.description, old.description),
                                        ("enabled", key.enabled, old.enabled),
                                        ("customerId", key.customer_id, old.customer_id))
               if value != was]
    out: list[Op] = [UpdateApiKey(address, key.name, tuple(patches))] if patches else []
    out += [LinkApiKey(address, f"usage_plan:{p}")
            for p in key.usage_plans if p not in old.usage_plans]
    out += [LinkApiKey(address, f"usage_plan:{p}", remove=True)
            for p in old.usage_plans if p not in key.usage_plans]
    tags = tag_op(address, old.tags, key.tags)
    return out + ([tags] if tags else [])
