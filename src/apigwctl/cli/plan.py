"""``apigwctl plan`` and ``apigwctl apply``: the REST slice on the embedded emulator.

Both load the deployment file and its spec (refusing on ERROR findings), compile the desired
state, read the live one, diff and plan. ``plan`` opens the emulator read-only; ``apply``
opens it for writing, shows the plan, asks (or takes ``--auto-approve``) and executes.
The emulator's state lives in ``.apigwctl/emulator/`` beside the deployment file.
``--target aws`` is refused as not implemented yet in this slice.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from apigwctl.apply import apply_plan
from apigwctl.aws.emulator import Emulator
from apigwctl.aws.emulator.core import DEFAULT_REGION
from apigwctl.aws.reader import read_api
from apigwctl.compile import ApiSettings, StageSettings, compile_api
from apigwctl.config import DEFAULT_FILE, DeploymentConfig, TargetKind, check_deployment
from apigwctl.diagnostics import has_errors
from apigwctl.diff import diff_api
from apigwctl.errors import ApigwctlError
from apigwctl.exitcodes import ExitCode
from apigwctl.model import ApiState
from apigwctl.plan.ops import Op
from apigwctl.plan.planner import Plan, PlanSettings, make_plan
from apigwctl.render.console import make_console
from apigwctl.render.plan_text import render_plan
from apigwctl.render.text import render_findings
from apigwctl.spec.cache import cached_validate_path
from apigwctl.spec.loader import load_spec

from .app import cli, globals_of

STATE_DIR = Path(".apigwctl") / "emulator"

CONFIG = click.option("-c", "--config", "config_file", type=click.Path(dir_okay=False),
                      default=DEFAULT_FILE, show_default=True, help="The deployment file.")
TARGET = click.option("--target", type=click.Choice(["emulator", "aws"]), default=None,
                      help="Where to plan against (default: the file, APIGWCTL_TARGET, "
                      "else emulator).")


@dataclass(frozen=True)
class Prepared:
    config: DeploymentConfig
    desired: ApiState
    state_dir: Path

    @property
    def region(self) -> str:
        return self.config.target.region or DEFAULT_REGION


def _prepare(config_file: str, target: str | None, no_color: bool) -> Prepared:
    """Deployment file + spec -> desired state; findings with errors stop here."""
    report = check_deployment(config_file, target, validate=cached_validate_path)
    if has_errors(report.diagnostics) or report.config.config is None:
        reports = [(report.config.path, report.config.diagnostics)]
        if report.spec is not None:
            reports.append((report.spec.path, report.spec.diagnostics))
        render_findings(make_console(no_color, sys.stderr), reports)
        raise ApigwctlError(f"{config_file} or its spec has errors; nothing planned",
                            hint=f"fix them (see `apigwctl validate -c {config_file}`)")
    config = report.config.config
    if config.target.kind is TargetKind.AWS:
        raise ApigwctlError("--target aws is not implemented yet for plan and apply",
                            hint="use the embedded emulator: --target emulator")
    state_dir = config.path.parent / STATE_DIR
    click.echo(f"target: emulator (state in {state_dir}; from {config.target.source.value})",
               err=True)
    return Prepared(config, _compile(config), state_dir)


def _compile(config: DeploymentConfig) -> ApiState:
    doc = load_spec(str(config.api.spec)).documents[0]
    api = config.api
    settings = ApiSettings(api.name, api.endpoint_type.value, api.description, api.tags)
    stages = tuple(StageSettings(s.name, s.description, s.variables) for s in config.stages)
    return compile_api(doc, settings, stages)


def _plan(prepared: Prepared, live: ApiState | None) -> Plan:
    api = prepared.config.api
    settings = PlanSettings(str(api.spec), api.endpoint_type.value, api.mode.value)
    return make_plan(diff_api(prepared.desired, live), prepared.desired, settings)


@cli.command()
@CONFIG
@TARGET
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when there are changes, 0 when none, 1 on error.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.pass_context
def plan(ctx: click.Context, *, config_file: str, target: str | None,
         detailed_exitcode: bool, fmt: str) -> None:
    """Show what apply would change, per route and stage, and which calls it would make."""
    prepared = _prepare(config_file, target, globals_of(ctx).no_color)
    with Emulator(prepared.state_dir, write=False) as em:
        live = read_api(em.client("apigateway", prepared.region), prepared.desired.name)
    result = _plan(prepared, live)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(), indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(render_plan(result))
    changed = detailed_exitcode and not result.empty
    ctx.exit(int(ExitCode.CHANGES if changed else ExitCode.OK))


@cli.command()
@CONFIG
@TARGET
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@click.pass_context
def apply(ctx: click.Context, *, config_file: str, target: str | None,
          auto_approve: bool) -> None:
    """Plan, show the plan, ask for confirmation, then make the changes."""
    prepared = _prepare(config_file, target, globals_of(ctx).no_color)
    if not auto_approve and not sys.stdin.isatty():
        raise ApigwctlError("refusing to apply without confirmation: no terminal to ask on",
                            hint="review with `apigwctl plan`, then run "
                            "`apigwctl apply --auto-approve` from a script")
    with Emulator(prepared.state_dir, write=True) as em:
        client = em.client("apigateway", prepared.region)
        live = read_api(client, prepared.desired.name)
        result = _plan(prepared, live)
        sys.stdout.write(render_plan(result))
        if result.empty:
            return
        if not auto_approve:
            click.confirm("Apply these changes?", abort=True)
        done = apply_plan(client, result, live.ids if live else {}, _report)
    click.echo(f"Apply complete: {len(done)} operation{'' if len(done) == 1 else 's'}.")


def _report(op: Op, result: str) -> None:
    click.echo(f"  done: {op.describe()} -> {result}")
