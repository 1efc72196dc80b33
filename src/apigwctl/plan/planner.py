"""Changeset -> ordered ops, making as few write calls as the change allows.

Input: the desired and live :class:`ApiState` and :class:`PlanSettings`. Output: a
:class:`Plan` (the changeset from :func:`apigwctl.diff.diff_api`, and the ops). Pure. Order
and invariants:

* API missing: ``create_rest_api`` (endpoint type and every tag, ownership included, in the
  one call), ``put_rest_api`` (overwrite, failOnWarnings), exactly one ``create_deployment``,
  then ``create_stage`` per stage.
* Definition changed: ``put_rest_api`` (mode from the file, failOnWarnings), exactly one
  ``create_deployment`` whose reasons name the changed routes, then ``update_stage`` of
  ``/deploymentId`` (with any settings change of that stage in the same call) for existing
  stages and ``create_stage`` for new ones.
* ``mode: merge``: what the spec no longer has stays (``Plan.left_behind``), so it is
  neither a change nor a reason to put. Tags (from the deployment file) change through
  ``tag_resource``/``untag_resource`` without a put or a deployment; the endpoint type (and
  the description, when nothing else changed) through one ``update_rest_api``, likewise.
* Only stage settings changed: ``update_stage`` patches, no deployment (a new stage alone
  still needs a deployment to point at, and gets one).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from apigwctl.diff import Action, Changeset, FieldChange, ResourceChange, diff_api
from apigwctl.model import ApiState, Stage
from apigwctl.plan.accounts import account_ops, ignore_generated_values, tag_op
from apigwctl.plan.ops import (
    CreateDeployment,
    CreateRestApi,
    CreateStage,
    DeployCanary,
    Op,
    Patch,
    PutRestApi,
    TagResource,
    UpdateRestApi,
    UpdateStage,
)
from apigwctl.plan.stage_patch import stage_patches


@dataclass(frozen=True)
class PlanSettings:
    spec: str
    endpoint_type: str = "REGIONAL"
    mode: str = "overwrite"


@dataclass(frozen=True)
class Plan:
    """The ops, and the changes they make; ``left_behind``: deletions merge does not make."""

    changeset: Changeset
    ops: tuple[Op, ...] = ()
    left_behind: tuple[ResourceChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.ops

    def counts(self) -> tuple[int, int, int]:
        """(to add, to change, to destroy) over the changed addresses."""
        actions = [c.action for c in self.changeset.changes if c not in self.left_behind]
        return (actions.count(Action.CREATE), actions.count(Action.UPDATE),
                actions.count(Action.DELETE))

    def to_dict(self) -> dict[str, Any]:
        add, change, destroy = self.counts()
        return {"api": self.changeset.api_name,
                "summary": {"add": add, "change": change, "destroy": destroy},
                "changes": [c.to_dict() for c in self.changeset.changes
                            if c not in self.left_behind],
                "left_behind_by_merge": [c.address for c in self.left_behind],
                "ops": [op.to_dict() for op in self.ops]}


def make_plan(desired: ApiState, live: ApiState | None, settings: PlanSettings) -> Plan:
    """Diff ``desired`` against ``live`` and order the ops that make live what is desired."""
    live = ignore_generated_values(desired, live)
    changeset = diff_api(desired, live)
    name = desired.name
    api_address, deployment = f"api:{name}", f"deployment:{name}"
    exists = changeset.api_exists
    merge = settings.mode == "merge" and exists
    left_behind = tuple(c for c in changeset.definition
                        if merge and c.action is Action.DELETE)
    redefined = [d for d in (_definition_part(c) for c in changeset.definition
                             if c not in left_behind) if d is not None]
    ops: list[Op] = []
    if not exists:
        ops.append(CreateRestApi(api_address, name, settings.endpoint_type,
                                 desired.api.description, desired.api.tags))
        ops.append(PutRestApi(api_address, name, settings.spec, "overwrite",
                              desired.api.description))
    elif redefined:
        ops.append(PutRestApi(api_address, name, settings.spec, settings.mode,
                              desired.api.description))
    if exists:
        ops.extend(op for op in (_tag_op(changeset, desired),
                                 _settings_op(changeset, desired, bool(redefined)))
                   if op is not None)
    reasons = tuple(_reason(c) for c in redefined) if exists else (
        f"REST API {changeset.api_name} is new",)
    new_stages = [c for c in changeset.stages if c.action is Action.CREATE]
    if not reasons and new_stages:
        reasons = tuple(f"new stage {_stage_name(c)} needs a deployment" for c in new_stages)
    if reasons:
        ops.append(CreateDeployment(deployment, api_address, reasons))
    repoint = deployment if redefined and exists else None
    ops.extend(_stage_ops(changeset, desired, live, deployment if reasons else None, repoint))
    creates, deletions = account_ops(desired, live)
    return Plan(changeset, tuple(ops + creates + deletions), left_behind)


# The API's own settings that come from the deployment file, not the spec: put_rest_api does
# not carry them and a deployment does not snapshot them, so they change without either.
FILE_OWNED = ("tags", "description", "endpoint_types")


def _head(field: FieldChange) -> str:
    return field.path.split(".", 1)[0]


def _definition_part(change: ResourceChange) -> ResourceChange | None:
    """The change without its file-owned API fields; None when nothing else changed."""
    if change.kind != "api" or change.action is not Action.UPDATE:
        return change
    fields = tuple(f for f in change.fields if _head(f) not in FILE_OWNED)
    return replace(change, fields=fields) if fields else None


def _settings_op(changeset: Changeset, desired: ApiState, putting: bool) -> UpdateRestApi | None:
    """update_rest_api for the endpoint type, and the description when no put re-sets it."""
    api = next((c for c in changeset.definition if c.kind == "api"), None)
    patches: list[Patch] = []
    for field in api.fields if api else ():
        if _head(field) == "endpoint_types" and field.before and field.after:
            patches.append(Patch("replace", f"/endpointConfiguration/types/{field.before}",
                                 str(field.after)))
        elif _head(field) == "description" and not putting:
            patches.append(Patch("replace", "/description", desired.api.description or ""))
    return UpdateRestApi(api.address, desired.name, tuple(patches)) if api and patches else None


def _tag_op(changeset: Changeset, desired: ApiState) -> TagResource | None:
    api = next((c for c in changeset.definition if c.kind == "api"), None)
    fields = [f for f in api.fields if f.path.startswith("tags.")] if api else []
    if api is None or not fields:
        return None
    wanted = dict(desired.api.tags)
    keys = [f.path.split(".", 1)[1] for f in fields]
    return TagResource(api.address, tuple((k, wanted[k]) for k in keys if k in wanted),
                      tuple(k for k in keys if k not in wanted))


def _reason(change: ResourceChange) -> str:
    parts = change.address.split(":")
    what = {"method": lambda: f"route {parts[-1]} {':'.join(parts[2:-1])}",
            "resource": lambda: f"resource {':'.join(parts[2:])}"}.get(
        change.kind, lambda: change.address)()
    fields = sorted({f.path.split(".", 1)[0] for f in change.fields})
    detail = f" ({', '.join(fields)})" if change.action is Action.UPDATE and fields else ""
    return f"{what} {change.action.value}d{detail}".replace("created", "added")


def _stage_name(change: ResourceChange) -> str:
    return change.address.split(":", 2)[2]


def _canary_op(address: str, api: str, stage: Stage, old: Stage, *, deployment: str,
               patches: list[Patch]) -> DeployCanary:
    """A definition change reaches a stage with a canary policy as its canary."""
    assert stage.canary is not None
    live = dict(old.canary.variables) if old.canary else {}
    wanted = dict(stage.canary.variables)
    return DeployCanary(address, api, stage.name, deployment, stage.canary.percent,
                        stage.canary.variables, stage.canary.use_stage_cache,
                        tuple(k for k in sorted(live) if k not in wanted), tuple(patches))


def _stage_ops(changeset: Changeset, desired: ApiState, live: ApiState | None,
               deployment: str | None, repoint: str | None) -> list[Op]:
    """New stages point at ``deployment``; existing ones move to ``repoint`` when given.

    One update_stage per stage carries the repoint and every settings change together.
    """
    before = {s.name: s for s in live.stages} if live else {}
    created = {_stage_name(c) for c in changeset.stages if c.action is Action.CREATE}
    ops: list[Op] = []
    for stage in desired.stages:
        address, api = f"stage:{desired.name}:{stage.name}", f"api:{desired.name}"
        old = None if stage.name in created else before.get(stage.name)
        if old is None:
            assert deployment is not None  # make_plan plans one for every new stage
            ops.append(CreateStage(address, api, stage.name, deployment, stage.description,
                                   stage.variables, stage.cache_cluster_enabled,
                                   stage.cache_cluster_size, stage.tracing_enabled,
                                   stage.tags))
        patches = stage_patches(old, stage)
        if repoint is not None and old is not None and stage.canary is not None:
            ops.append(_canary_op(address, api, stage, old, deployment=repoint,
                                  patches=patches))
        else:
            if repoint is not None and old is not None:
                patches.insert(0, Patch("replace", "/deploymentId", repoint))
            if patches:
                ops.append(UpdateStage(address, api, stage.name, tuple(patches)))
        tags = tag_op(address, old.tags, stage.tags) if old else None
        if tags is not None:
            ops.append(tags)
    return ops
