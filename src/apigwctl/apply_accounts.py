"""Executors for usage plans and API keys (registered on :func:`apigwctl.apply.execute`).

Plans name APIs by the token ``{api:<name>}`` in patch paths and values; it is replaced by the
API's id here. Key values come from ``Context.secrets`` and go only into the import's CSV
body: never into a result string, an exception message or a log.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from apigwctl.apply import Context, execute
from apigwctl.errors import ApigwctlError
from apigwctl.model import Throttle, UsagePlanStage
from apigwctl.plan.ops import (
    CreateApiKey,
    CreateUsagePlan,
    DeleteApiKey,
    DeleteUsagePlan,
    ImportApiKeys,
    KeyRow,
    LinkApiKey,
    Patch,
    UpdateApiKey,
    UpdateUsagePlan,
)

_TOKEN = re.compile(r"\{(api:[^}]+)\}")


def _resolved(ctx: Context, text: str) -> str:
    return _TOKEN.sub(lambda m: ctx.id_of(m.group(1)), text)


def _patch_dicts(ctx: Context, patches: tuple[Patch, ...]) -> list[dict[str, Any]]:
    out = []
    for patch in patches:
        item = patch.to_dict()
        item["path"] = _resolved(ctx, item["path"])
        if "value" in item:
            item["value"] = _resolved(ctx, item["value"])
        out.append(item)
    return out


def _throttle(throttle: Throttle) -> dict[str, Any]:
    return {k: v for k, v in (("burstLimit", throttle.burst_limit),
                              ("rateLimit", throttle.rate_limit)) if v is not None}


def _api_stage(ctx: Context, stage: UsagePlanStage) -> dict[str, Any]:
    api_id = stage.api[3:] if stage.api.startswith("id:") else ctx.id_of(f"api:{stage.api}")
    out: dict[str, Any] = {"apiId": api_id, "stage": stage.stage}
    if stage.throttle:
        out["throttle"] = {key: _throttle(t) for key, t in stage.throttle}
    return out


@execute.register
def _create_plan(op: CreateUsagePlan, ctx: Context) -> str:
    args: dict[str, Any] = {"name": op.name,
                            "apiStages": [_api_stage(ctx, s) for s in op.api_stages]}
    if op.description:
        args["description"] = op.description
    if op.throttle:
        args["throttle"] = _throttle(op.throttle)
    if op.quota:
        limit, period, offset = op.quota
        args["quota"] = {"limit": limit, "period": period, "offset": offset}
    if op.tags:
        args["tags"] = dict(op.tags)
    created = ctx.client.create_usage_plan(**args)
    ctx.ids[op.address] = created["id"]
    return f"created usage plan {op.name} as {created['id']}"


@execute.register
def _update_plan(op: UpdateUsagePlan, ctx: Context) -> str:
    ctx.client.update_usage_plan(usagePlanId=ctx.id_of(op.address),
                                 patchOperations=_patch_dicts(ctx, op.patches))
    return f"updated usage plan {op.name} ({len(op.patches)} patch operation(s))"


@execute.register
def _delete_plan(op: DeleteUsagePlan, ctx: Context) -> str:
    plan_id = ctx.id_of(op.address)
    if op.api_stages:  # AWS refuses to delete a plan that still has API stages
        detach = tuple(Patch("remove", "/apiStages", s) for s in op.api_stages)
        ctx.client.update_usage_plan(usagePlanId=plan_id,
                                     patchOperations=_patch_dicts(ctx, detach))
    ctx.client.delete_usage_plan(usagePlanId=plan_id)
    return f"deleted usage plan {op.name}"


def _csv(ctx: Context, rows: tuple[KeyRow, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Name", "Key", "Description", "Enabled", "UsagePlanIds"])
    for row in rows:
        plans = ",".join(ctx.id_of(p) for p in row.usage_plans)
        writer.writerow([row.name, _secret(ctx, row.name), row.description or "",
                         "true" if row.enabled else "false", plans])
    return out.getvalue().encode()


def _secret(ctx: Context, name: str) -> str:
    if name not in ctx.secrets:
        raise ApigwctlError(f"no value for API key {name}",
                            hint="its value comes from the deployment file (${env:...} or "
                            "${file:...}); run apply from the same environment as plan")
    return ctx.secrets[name]


@execute.register
def _import_keys(op: ImportApiKeys, ctx: Context) -> str:
    result = ctx.client.import_api_keys(body=_csv(ctx, op.rows), format="csv",
                                        failOnWarnings=True)
    ids = result.get("ids") or []
    if len(ids) != len(op.rows):
        raise ApigwctlError(f"import_api_keys returned {len(ids)} ids for {len(op.rows)} keys",
                            hint="run `apigwctl plan`: it shows which keys exist now")
    for row, key_id in zip(op.rows, ids, strict=True):
        ctx.ids[row.address] = key_id
    return f"imported {len(ids)} API key(s)"


@execute.register
def _create_key(op: CreateApiKey, ctx: Context) -> str:
    args: dict[str, Any] = {"name": op.name, "enabled": op.enabled}
    if op.description:
        args["description"] = op.description
    if op.customer_id:
        args["customerId"] = op.customer_id
    if op.tags:
        args["tags"] = dict(op.tags)
    key_id = ctx.client.create_api_key(**args)["id"]
    ctx.ids[op.address] = key_id
    for plan in op.usage_plans:
        ctx.client.create_usage_plan_key(usagePlanId=ctx.id_of(plan), keyId=key_id,
                                         keyType="API_KEY")
    return f"created API key {op.name} as {key_id}"


@execute.register
def _update_key(op: UpdateApiKey, ctx: Context) -> str:
    ctx.client.update_api_key(apiKey=ctx.id_of(op.address),
                              patchOperations=[p.to_dict() for p in op.patches])
    return f"updated API key {op.name}"


@execute.register
def _link_key(op: LinkApiKey, ctx: Context) -> str:
    plan_id, key_id = ctx.id_of(op.plan), ctx.id_of(op.address)
    if op.remove:
        ctx.client.delete_usage_plan_key(usagePlanId=plan_id, keyId=key_id)
        return f"unlinked from {op.plan}"
    ctx.client.create_usage_plan_key(usagePlanId=plan_id, keyId=key_id, keyType="API_KEY")
    return f"linked to {op.plan}"


@execute.register
def _delete_key(op: DeleteApiKey, ctx: Context) -> str:
    ctx.client.delete_api_key(apiKey=ctx.id_of(op.address))
    ctx.ids.pop(op.address, None)  # a replaced key gets its new id from the import
    return f"deleted API key {op.name}"
