"""Executor: runs a :class:`Plan`'s ops against an ``apigateway`` client, in order.

Input: a boto3 ``apigateway`` client (passed in: this module imports no boto3), the plan and
the live ids by address (``ApiState.ids``). Output: the ops done, each reported through
``report`` as it finishes. Dispatch is on the op type (``functools.singledispatch``); ops name
resources by address and :class:`Context` maps addresses to AWS ids, recording the ids the
ops create (the API of an import, the deployment) for the ops after them.

An AWS error stops the run with an :class:`ApplyError` naming the op, the AWS error code and
message, and what was already done; the next ``apply`` plans from the live state again, so
it finishes the work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import singledispatch
from pathlib import Path
from typing import Any, Protocol

from apigwctl.errors import ApigwctlError
from apigwctl.plan.ops import (
    CreateDeployment,
    CreateRestApi,
    CreateStage,
    DeployCanary,
    Op,
    PutRestApi,
    TagResource,
    UpdateRestApi,
    UpdateStage,
)
from apigwctl.plan.planner import Plan
from apigwctl.plan.stage_patch import text


class ApplyError(ApigwctlError):
    """An AWS call failed part-way through an apply."""


@dataclass
class Context:
    client: Any
    ids: dict[str, str] = field(default_factory=dict)
    bodies: Mapping[str, bytes] = field(default_factory=dict)
    secrets: Mapping[str, str] = field(default_factory=dict)  # API key name -> value

    def body(self, spec: str) -> bytes:
        """The spec's bytes as planned (the caller's), else as on disk now."""
        return self.bodies[spec] if spec in self.bodies else Path(spec).read_bytes()

    def id_of(self, address: str) -> str:
        if address not in self.ids:
            raise ApigwctlError(f"no live id known for {address}",
                                hint="run `apigwctl plan` again: the live state moved")
        return self.ids[address]


class Journal(Protocol):
    """Where each completed op is recorded (:class:`apigwctl.runlog.RunLog`)."""

    def op_done(self, kind: str, address: str, *, ids: Mapping[str, str] | None = None,
                calls: Mapping[str, int] | None = None) -> None: ...

    def failed(self, error: str) -> None: ...


def apply_plan(client: Any, plan: Plan, ids: Mapping[str, str],
               report: Callable[[Op, str], None] = lambda op, result: None, *,
               bodies: Mapping[str, bytes] | None = None,
               secrets: Mapping[str, str] | None = None,
               started: Callable[[Op], None] = lambda op: None,
               journal: Journal | None = None) -> list[Op]:
    """Run every op in order; returns the ops done (all of them, or raises ApplyError).

    ``bodies`` maps an op's spec path to the bytes to send (those the plan was made from);
    ``secrets`` maps an API key's name to its value (never part of an op). Each completed op
    goes to ``journal`` with the ids it made and the AWS calls it sent (when ``client``
    counts them, as :class:`apigwctl.aws.calls.QuotaClient` does).
    """
    ctx = Context(client, dict(ids), bodies or {}, secrets or {})
    done: list[Op] = []
    for op in plan.ops:
        started(op)
        before_ids, before_calls = dict(ctx.ids), getattr(client, "accounting", None)
        try:
            result = execute(op, ctx)
        except Exception as exc:
            error = aws_error(exc)
            if journal is not None:
                journal.failed(error[0] if error else type(exc).__name__)
            if error is None:
                raise
            raise _failure(op, error, done, plan.ops[len(done):]) from exc
        done.append(op)
        if journal is not None:
            calls = client.accounting.since(before_calls).calls() if before_calls else {}
            journal.op_done(op.to_dict()["op"], op.address, calls=calls,
                            ids={a: i for a, i in ctx.ids.items() if before_ids.get(a) != i})
        report(op, result)
    return done


def aws_error(exc: BaseException) -> tuple[str, str] | None:
    """(code, message) of a botocore ClientError, recognised by its ``response`` shape."""
    response = getattr(exc, "response", None)
    if not isinstance(response, Mapping) or not isinstance(response.get("Error"), Mapping):
        return None
    err = response["Error"]
    return str(err.get("Code", "Unknown")), str(err.get("Message", ""))


def _failure(op: Op, error: tuple[str, str], done: list[Op],
             remaining: Sequence[Op]) -> ApplyError:
    code, message = error
    finished = "; ".join(o.describe() for o in done) or "nothing"
    left = "; ".join(o.describe() for o in remaining)
    return ApplyError(f"{op.describe()} failed: {code}: {message}",
                      where=op.address,
                      hint=f"already done: {finished}. Not done: {left}. Fix the cause and run "
                           "`apigwctl apply` again: it plans from the live state and "
                           "finishes the work")


@singledispatch
def execute(op: Op, ctx: Context) -> str:
    raise TypeError(f"no executor for {type(op).__name__}")  # pragma: no cover


def _rename(ctx: Context, api_id: str, name: str, description: str | None) -> None:
    """import/put take the name and description from the spec; the file's win."""
    patches = [{"op": "replace", "path": "/name", "value": name}]
    if description is not None:
        patches.append({"op": "replace", "path": "/description", "value": description})
    ctx.client.update_rest_api(restApiId=api_id, patchOperations=patches)


@execute.register
def _create_api(op: CreateRestApi, ctx: Context) -> str:
    args: dict[str, Any] = {"description": op.description} if op.description else {}
    created = ctx.client.create_rest_api(
        name=op.name, endpointConfiguration={"types": [op.endpoint_type]},
        tags=dict(op.tags), **args)
    ctx.ids[op.address] = created["id"]
    return f"created {op.name} as {created['id']}"


def arn_of(ctx: Context, address: str) -> str:
    """The ARN tag_resource takes for an addressed object (API, stage, usage plan, key)."""
    kind, _, rest = address.partition(":")
    if kind == "stage":
        api, _, stage = rest.partition(":")
        path = f"/restapis/{ctx.id_of('api:' + api)}/stages/{stage}"
    else:
        collection = {"api": "restapis", "usage_plan": "usageplans", "api_key": "apikeys"}[kind]
        path = f"/{collection}/{ctx.id_of(address)}"
    return f"arn:aws:apigateway:{ctx.client.meta.region_name}::{path}"


@execute.register
def _tag(op: TagResource, ctx: Context) -> str:
    arn = arn_of(ctx, op.address)
    if op.tags:
        ctx.client.tag_resource(resourceArn=arn, tags=dict(op.tags))
    if op.remove:
        ctx.client.untag_resource(resourceArn=arn, tagKeys=list(op.remove))
    return f"tagged ({len(op.tags)} set, {len(op.remove)} removed)"


@execute.register
def _update_api(op: UpdateRestApi, ctx: Context) -> str:
    ctx.client.update_rest_api(restApiId=ctx.id_of(op.address),
                               patchOperations=[p.to_dict() for p in op.patches])
    return f"updated {op.name} ({len(op.patches)} patch operation(s))"


@execute.register
def _put(op: PutRestApi, ctx: Context) -> str:
    api_id = ctx.id_of(op.address)
    ctx.client.put_rest_api(restApiId=api_id, mode=op.mode,
                            failOnWarnings=op.fail_on_warnings,
                            body=ctx.body(op.spec))
    _rename(ctx, api_id, op.name, op.description)
    return f"put {op.name} ({op.mode})"


@execute.register
def _deploy(op: CreateDeployment, ctx: Context) -> str:
    deployment = ctx.client.create_deployment(restApiId=ctx.id_of(op.api),
                                              description="apigwctl apply")
    ctx.ids[op.address] = deployment["id"]
    return f"created deployment {deployment['id']}"


@execute.register
def _create_stage(op: CreateStage, ctx: Context) -> str:
    args: dict[str, Any] = {"variables": dict(op.variables)} if op.variables else {}
    if op.description is not None:
        args["description"] = op.description
    if op.cache_cluster_enabled:
        args.update(cacheClusterEnabled=True, cacheClusterSize=op.cache_cluster_size or "0.5")
    if op.tracing_enabled:
        args["tracingEnabled"] = True
    if op.tags:
        args["tags"] = dict(op.tags)
    ctx.client.create_stage(restApiId=ctx.id_of(op.api), stageName=op.name,
                            deploymentId=ctx.id_of(op.deployment), **args)
    return f"created stage {op.name}"


@execute.register
def _deploy_canary(op: DeployCanary, ctx: Context) -> str:
    prefix = "/canarySettings"
    patches = [{"op": "replace", "path": f"{prefix}/deploymentId",
                "value": ctx.id_of(op.deployment)},
               {"op": "replace", "path": f"{prefix}/percentTraffic", "value": text(op.percent)},
               {"op": "replace", "path": f"{prefix}/useStageCache",
                "value": text(op.use_stage_cache)}]
    patches += [{"op": "replace", "path": f"{prefix}/stageVariableOverrides/{k}", "value": v}
                for k, v in op.variables]
    patches += [{"op": "remove", "path": f"{prefix}/stageVariableOverrides/{k}"}
                for k in op.drop_variables]
    patches += [p.to_dict() for p in op.patches]
    ctx.client.update_stage(restApiId=ctx.id_of(op.api), stageName=op.name,
                            patchOperations=patches)
    return f"canary of {op.name} now serves the new deployment to {op.percent:g}%"


@execute.register
def _update_stage(op: UpdateStage, ctx: Context) -> str:
    patches = [p.to_dict() for p in op.patches]
    for patch in patches:
        if patch["path"] == "/deploymentId" and "value" in patch:  # a deployment's address
            patch["value"] = ctx.id_of(patch["value"])
    ctx.client.update_stage(restApiId=ctx.id_of(op.api), stageName=op.name,
                            patchOperations=patches)
    return f"updated stage {op.name} ({len(patches)} patch operation(s))"


from apigwctl import apply_accounts as _accounts  # noqa: E402, F401  (registers its executors)
