"""``apigwctl canary status|shift|promote|rollback STAGE``: a canary release, step by step.

A definition change reaches a stage with a ``canary`` policy as its canary (see ``apply``);
these commands then watch it, move traffic to it, make it the stable deployment, or throw it
away. Each change shows its plan (the exact ``update_stage`` patch operations, reference
§6.4) and asks for confirmation (``--auto-approve`` in pipelines), as ``apply`` does. After
promote or rollback, ``plan`` on the unchanged repository shows no changes: the canary in
the deployment file is a policy for the next definition change, not a setting to converge.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import click

from apigwctl.apply import apply_plan
from apigwctl.aws.reader import find_api_id
from apigwctl.aws.target import Connection, open_target
from apigwctl.config import DEFAULT_FILE
from apigwctl.diff import Changeset
from apigwctl.errors import ApigwctlError
from apigwctl.ownership import LiveApi, choose_managed
from apigwctl.plan.ops import Op, Patch, UpdateStage
from apigwctl.plan.planner import Plan
from apigwctl.plan.stage_patch import text

from .app import cli, globals_of
from .project import Prepared, TargetFlags, describe_target, prepare, target_options

CANARY = "/canarySettings"


@dataclass(frozen=True)
class LiveCanary:
    """A stage as get_stage returns it, with its two deployments (None: no canary)."""

    api: str
    api_id: str
    stage: dict[str, Any]
    stable: dict[str, Any]
    canary: dict[str, Any] | None

    @property
    def settings(self) -> dict[str, Any]:
        return dict(self.stage.get("canarySettings") or {})


@cli.group()
def canary() -> None:
    """Watch, shift, promote or roll back a stage's canary."""


def _common(func: Any) -> Any:
    func = click.option("-c", "--config", "config_file", default=DEFAULT_FILE,
                        show_default=True, type=click.Path(dir_okay=False),
                        help="The deployment file.")(func)
    func = click.option("--format", "fmt", type=click.Choice(["text", "json"]),
                        default="text", show_default=True)(func)
    return target_options(click.argument("stage")(func))


def _mutating(func: Any) -> Any:
    return click.option("--auto-approve", is_flag=True,
                        help="Do it without asking for confirmation.")(_common(func))


def _read(prepared: Prepared, connection: Connection, stage: str) -> LiveCanary:
    name = prepared.desired.name
    client = connection.client

    def select(candidates: Sequence[LiveApi]) -> LiveApi | None:
        return choose_managed(name, candidates, connection.region)

    api_id = find_api_id(client, name, select=select)
    if api_id is None:
        raise ApigwctlError(f"REST API {name} does not exist on this target",
                            hint="run `apigwctl apply` first")
    stages = {s["stageName"]: s for s in client.get_stages(restApiId=api_id).get("item", [])}
    if stage not in stages:
        raise ApigwctlError(f"stage {stage} of {name} does not exist",
                            hint=f"its stages: {', '.join(sorted(stages)) or 'none'}")
    raw = stages[stage]
    stable = client.get_deployment(restApiId=api_id, deploymentId=raw["deploymentId"])
    settings = raw.get("canarySettings") or {}
    canary_deployment = (client.get_deployment(restApiId=api_id,
                                               deploymentId=settings["deploymentId"])
                         if settings.get("deploymentId") else None)
    return LiveCanary(name, api_id, raw, stable, canary_deployment if settings else None)


def _deployment(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    created: Any = raw.get("createdDate")
    shown = created.isoformat() if hasattr(created, "isoformat") else created
    return {"id": raw.get("id"), "description": raw.get("description"), "created": shown}


def _status_doc(live: LiveCanary) -> dict[str, Any]:
    settings = live.settings
    return {"api": live.api, "stage": live.stage["stageName"],
            "stable_deployment": _deployment(live.stable),
            "canary": None if not settings else {
                "percent": float(settings.get("percentTraffic") or 0.0),
                "use_stage_cache": bool(settings.get("useStageCache", False)),
                "variable_overrides": dict(settings.get("stageVariableOverrides") or {}),
                "deployment": _deployment(live.canary)}}


def _status_text(doc: dict[str, Any]) -> str:
    lines = [f"stage {doc['stage']} of {doc['api']}"]
    stable = doc["stable_deployment"]
    lines.append(f"  stable deployment: {_deployment_text(stable)}")
    found = doc["canary"]
    if found is None:
        lines.append("  no canary")
        return "\n".join(lines) + "\n"
    lines.append(f"  canary deployment: {_deployment_text(found['deployment'])}")
    cache = "uses" if found["use_stage_cache"] else "does not use"
    lines.append(f"  canary traffic: {found['percent']:g}% (it {cache} the stage cache)")
    overrides = found["variable_overrides"]
    shown = ", ".join(f"{k}={v}" for k, v in sorted(overrides.items())) or "none"
    lines.append(f"  variable overrides: {shown}")
    return "\n".join(lines) + "\n"


def _deployment_text(found: dict[str, Any] | None) -> str:
    if found is None:
        return "(none)"
    description = f' "{found["description"]}"' if found.get("description") else ""
    return f"{found['id']}{description}, created {found['created']}"


@canary.command()
@_common
@click.pass_context
def status(ctx: click.Context, /, *, stage: str, config_file: str, fmt: str,
           **target: str | None) -> None:
    """Percent, stable and canary deployments (descriptions, dates), variable overrides."""
    prepared = prepare(config_file, TargetFlags(**target), globals_of(ctx).no_color)
    with open_target(prepared.target, prepared.state_dir, write=False) as connection:
        describe_target(prepared, connection)
        doc = _status_doc(_read(prepared, connection, stage))
    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n" if fmt == "json"
                     else _status_text(doc))


def _require_canary(live: LiveCanary) -> None:
    if not live.settings:
        raise ApigwctlError(f"stage {live.stage['stageName']} has no canary",
                            hint="a canary appears when apply deploys a definition change to "
                            "a stage whose deployment file entry has `canary:`")


def shift_patches(live: LiveCanary, percent: float) -> list[Patch]:
    _require_canary(live)
    return [Patch("replace", f"{CANARY}/percentTraffic", text(float(percent)))]


def promote_patches(live: LiveCanary) -> list[Patch]:
    """§6.4's promotion, then the canary's removal, in one update_stage."""
    _require_canary(live)
    patches = [Patch("replace", f"{CANARY}/percentTraffic", "0.0")]
    if live.settings.get("stageVariableOverrides"):
        patches.append(Patch("copy", "/variables", from_=f"{CANARY}/stageVariableOverrides"))
    patches.append(Patch("copy", "/deploymentId", from_=f"{CANARY}/deploymentId"))
    patches.append(Patch("remove", CANARY))
    return patches


def rollback_patches(live: LiveCanary) -> list[Patch]:
    _require_canary(live)
    return [Patch("remove", CANARY)]


def _promote_note(prepared: Prepared, live: LiveCanary) -> str | None:
    """Overrides that promote makes the stage's, and the file disagrees with (plan reverts)."""
    stage = prepared.config.stage(live.stage["stageName"])
    wanted = dict(stage.variables) if stage else {}
    overrides = dict(live.settings.get("stageVariableOverrides") or {})
    differ = sorted(k for k, v in overrides.items() if wanted.get(k) != v)
    if not differ:
        return None
    return ("note: promote makes the canary's overrides the stage's variables ("
            + ", ".join(f"{k}={overrides[k]}" for k in differ) + "); the deployment file says "
            "otherwise, so the next apply sets them back unless you change the file")


def _change(ctx: click.Context, kwargs: dict[str, Any], what: str,
            patches_of: Any) -> None:
    """The shared flow: read, plan the patches, show, confirm, apply, report."""
    flags = TargetFlags(**{k: kwargs[k] for k in ("target", "region", "profile",
                                                  "endpoint_url")})
    prepared = prepare(kwargs["config_file"], flags, globals_of(ctx).no_color)
    stage, fmt = kwargs["stage"], kwargs["fmt"]
    with open_target(prepared.target, prepared.state_dir, write=True) as connection:
        describe_target(prepared, connection)
        live = _read(prepared, connection, stage)
        op = UpdateStage(f"stage:{live.api}:{stage}", f"api:{live.api}", stage,
                         tuple(patches_of(live)))
        note = _promote_note(prepared, live) if what == "promote" else None
        _show(what, live, op, note, fmt)
        _confirm(kwargs["auto_approve"], what)
        plan = Plan(Changeset(live.api, True), (op,))
        done = apply_plan(connection.client, plan, {f"api:{live.api}": live.api_id})
        after = _status_doc(_read(prepared, connection, stage))
    _report(done, after, fmt)


def _show(what: str, live: LiveCanary, op: UpdateStage, note: str | None, fmt: str) -> None:
    if fmt == "json":
        return
    out = [f"canary {what} on stage {op.name} of {live.api}:", f"  1. {op.describe()}"]
    if note:
        out.append(note)
    click.echo("\n".join(out))


def _confirm(auto_approve: bool, what: str) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ApigwctlError(f"refusing to {what} without confirmation: no terminal to ask on",
                            hint="pass --auto-approve in scripts and pipelines")
    click.confirm(f"Canary {what}?", abort=True)


def _report(done: list[Op], after: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps({"ops": [op.to_dict() for op in done], "status": after},
                                    indent=2, sort_keys=True) + "\n")
        return
    click.echo(f"Done: {len(done)} update_stage call.")
    sys.stdout.write(_status_text(after))


@canary.command()
@click.option("--percent", type=click.FloatRange(0.0, 100.0), required=True,
              help="The canary's new share of traffic, 0.0-100.0.")
@_mutating
@click.pass_context
def shift(ctx: click.Context, /, **kwargs: Any) -> None:
    """Give the canary a new share of the stage's traffic."""
    percent = kwargs.pop("percent")
    _change(ctx, kwargs, "shift", lambda live: shift_patches(live, percent))


@canary.command()
@_mutating
@click.pass_context
def promote(ctx: click.Context, /, **kwargs: Any) -> None:
    """Make the canary's deployment (and overrides) the stage's, and remove the canary."""
    _change(ctx, kwargs, "promote", promote_patches)


@canary.command()
@_mutating
@click.pass_context
def rollback(ctx: click.Context, /, **kwargs: Any) -> None:
    """Remove the canary; the stable deployment stays untouched."""
    _change(ctx, kwargs, "rollback", rollback_patches)
