"""``apigwctl plan`` and ``apigwctl apply``.

Both load the deployment file and its spec (refusing on ERROR findings), compile the desired
state, read the live one from the target and plan. ``plan`` opens the target read-only and
can save the plan (``-o``); ``apply`` shows the plan, asks (or takes ``--auto-approve``) and
executes it, or executes a saved plan after checking it is not stale. The embedded
emulator's state lives in ``.apigwctl/emulator/`` beside the deployment file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import replace
from pathlib import Path

import click

from apigwctl.apply import apply_plan
from apigwctl.aws.calls import Accounting
from apigwctl.aws.target import Connection, open_target
from apigwctl.breaking import Report, breaking_changes, render_report
from apigwctl.config import DEFAULT_FILE
from apigwctl.errors import ApigwctlError, UsageError
from apigwctl.exitcodes import ExitCode
from apigwctl.plan.ops import Op
from apigwctl.plan.planfile import (
    PlanFile,
    plan_document,
    read_plan_file,
    stale_reasons,
    write_plan_file,
)
from apigwctl.render.console import make_console
from apigwctl.render.drift_text import render_drift
from apigwctl.render.plan_markdown import render_plan_markdown
from apigwctl.render.plan_text import render_plan
from apigwctl.render.progress import Progress, render_accounting, render_incomplete
from apigwctl.runlog import RunLog, journal_dir, last_incomplete, planned_ops

from .app import cli, globals_of
from .project import (
    Prepared,
    ProjectPlan,
    TargetFlags,
    describe_target,
    make_project_plan,
    prepare,
    target_options,
)

CONFIG_HELP = f"The deployment file [default: {DEFAULT_FILE}; with PLANFILE: the plan's]."


def _config(func: click.decorators.FC) -> click.decorators.FC:
    return click.option("-c", "--config", "config_file", type=click.Path(dir_okay=False),
                        default=None, help=CONFIG_HELP)(func)


@cli.command()
@_config
@target_options
@click.option("--detailed-exitcode", is_flag=True,
              help="Exit 2 when there are changes, 0 when none, 1 on error.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True,
              help="json: the plan file's content (docs/plan-schema.json); markdown: for a "
              "pull-request comment.")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Save the plan to this file, for `apigwctl apply FILE`.")
@click.option("--fail-on-breaking", is_flag=True,
              help="Exit 1 when the spec change breaks existing clients (see the report).")
@click.option("--refresh-only", is_flag=True,
              help="Report drift (what differs live) instead of a plan: `apigwctl drift`.")
@click.pass_context
def plan(ctx: click.Context, /, *, config_file: str | None, detailed_exitcode: bool, fmt: str,
         out: Path | None, refresh_only: bool, fail_on_breaking: bool,
         **target: str | None) -> None:
    """Show what apply would change, per route and stage, and which calls it would make."""
    prepared = prepare(config_file or DEFAULT_FILE, TargetFlags(**target),
                       globals_of(ctx).no_color)
    with open_target(prepared.target, prepared.state_dir, write=False) as connection:
        describe_target(prepared, connection)
        result = make_project_plan(prepared, connection)
    if refresh_only:
        _drift(ctx, result, fmt, detailed_exitcode)
    if fmt == "json":
        document = plan_document(result.plan, result.origin)
        sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    elif fmt == "markdown":
        sys.stdout.write(render_plan_markdown(result.plan, connection.description))
    else:
        sys.stdout.write(render_plan(result.plan))
    report = _client_impact(prepared, result)
    if report is not None and (report.breaking or report.additions):
        text = "\n" + render_report(report)
        if fmt == "markdown":  # in the PR comment, below the plan
            text = f"\n#### Client impact\n\n```\n{text.rstrip()}\n```\n"
        click.echo(text, err=fmt == "json", nl=False)  # json: stdout stays one document
    if out is not None:
        write_plan_file(out, result.plan, result.origin)
        click.echo(f"plan saved to {out}; apply exactly it with `apigwctl apply {out}`",
                   err=True)
    if fail_on_breaking and report is not None and report.has_breaking:
        raise ApigwctlError(f"the spec change breaks existing clients: {len(report.breaking)} "
                            "breaking change(s)", hint="see the report above; drop "
                            "--fail-on-breaking to plan anyway")
    changed = detailed_exitcode and not result.plan.empty
    ctx.exit(int(ExitCode.CHANGES if changed else ExitCode.OK))


@cli.command()
@_config
@target_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def drift(ctx: click.Context, /, *, config_file: str | None, fmt: str,
          **target: str | None) -> None:
    """Report changes made outside apigwctl, per route and field (exit 2 when any).

    Compares the live API with the deployment file and spec: run it on the commit last
    applied. What AWS fills in itself (ids, dates, defaults) is never drift.
    """
    prepared = prepare(config_file or DEFAULT_FILE, TargetFlags(**target),
                       globals_of(ctx).no_color)
    with open_target(prepared.target, prepared.state_dir, write=False) as connection:
        describe_target(prepared, connection)
        result = make_project_plan(prepared, connection)
    _drift(ctx, result, fmt, detailed_exitcode=True)


def _client_impact(prepared: Prepared, result: ProjectPlan) -> Report | None:
    """What the change does to existing clients; None when there is no live API yet.

    With ``mode: merge`` removed routes and methods stay live (left behind), so they break
    nobody and are not reported.
    """
    if result.live is None:
        return None
    report = breaking_changes(result.live, prepared.desired)
    if prepared.config.api.mode.value == "merge":
        kept = ("route-removed", "method-removed")
        report = replace(report, breaking=tuple(f for f in report.breaking
                                                if f.kind not in kept))
    return report


def _drift(ctx: click.Context, result: ProjectPlan, fmt: str, detailed_exitcode: bool) -> None:
    changeset = result.plan.changeset
    drifted = changeset.api_exists and bool(changeset.changes)
    if fmt == "json":
        doc = {"api": changeset.api_name, "api_exists": changeset.api_exists,
               "drifted": drifted, "changes": [c.to_dict() for c in changeset.changes]}
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(render_drift(changeset))
    ctx.exit(int(ExitCode.CHANGES if drifted and detailed_exitcode else ExitCode.OK))


@cli.command()
@click.argument("planfile", required=False, type=click.Path(dir_okay=False, path_type=Path))
@_config
@target_options
@click.option("--auto-approve", is_flag=True, help="Apply without asking for confirmation.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: the plan, the ops done and the AWS calls made.")
@click.pass_context
def apply(ctx: click.Context, /, *, planfile: Path | None, config_file: str | None,
          auto_approve: bool, fmt: str, **target: str | None) -> None:
    """Plan, show the plan, ask for confirmation, then make the changes.

    With PLANFILE (from `apigwctl plan -o`), apply exactly that plan without asking: it is
    refused when the deployment file, the spec or the live API changed since it was made.
    """
    flags = TargetFlags(**target)
    saved = read_plan_file(planfile) if planfile is not None else None
    if saved is not None:
        config_file = config_file or saved.origin.config_path
        flags = _saved_target(saved, flags)
    no_color = globals_of(ctx).no_color
    prepared = prepare(config_file or DEFAULT_FILE, flags, no_color,
                       from_plan_file=saved is not None,
                       salt=bytes.fromhex(saved.origin.key_salt) if saved else None)
    journals = journal_dir(Path(prepared.config_display))
    with open_target(prepared.target, prepared.state_dir, write=True) as connection:
        describe_target(prepared, connection)
        if saved is None and not auto_approve and not sys.stdin.isatty():
            raise ApigwctlError("refusing to apply without confirmation: no terminal to ask "
                                "on", hint="review with `apigwctl plan -o plan.json`, then "
                                "run `apigwctl apply plan.json` (or `apply --auto-approve`)")
        _tell_incomplete(journals)
        result = make_project_plan(prepared, connection)
        if saved is not None:
            _check_fresh(saved, result, planfile)
        if fmt == "text":
            sys.stdout.write(render_plan(result.plan))
        if not result.plan.empty and saved is None and not auto_approve:
            click.confirm("Apply these changes?", abort=True)
        done = _execute(prepared, connection, result, journals=journals, no_color=no_color,
                        fmt=fmt)
    _summary(result, done, connection.client.accounting, fmt)


def _tell_incomplete(journals: Path) -> None:
    previous = last_incomplete(journals)
    if previous is not None:
        click.echo(render_incomplete(previous) + "This apply plans from the live state and "
                   "finishes that work.", err=True)


def _execute(prepared: Prepared, connection: Connection, result: ProjectPlan, *,
             journals: Path, no_color: bool, fmt: str) -> list[Op]:
    """Run the plan with a journal of each op, progress on stderr, quota waits shown."""
    if result.plan.empty:
        return []
    plan_doc = json.dumps(result.plan.to_dict(), sort_keys=True).encode()
    journal = RunLog.start(journals, target=connection.description,
                           plan_digest=hashlib.sha256(plan_doc).hexdigest(),
                           planned=planned_ops([op.to_dict() for op in result.plan.ops]))
    console = make_console(no_color, sys.stderr if fmt == "json" else sys.stdout)
    client = connection.client
    with journal, Progress(console, total=len(result.plan.ops)) as progress:
        client.on_wait = progress.waiting
        ids = result.live.ids if result.live else {}
        return apply_plan(client, result.plan, ids,
                          lambda op, done: progress.done(op.describe(), done),
                          started=lambda op: progress.started(op.describe()),
                          journal=journal, bodies=prepared.bodies,
                          secrets=prepared.secrets)


def _summary(result: ProjectPlan, done: list[Op], accounting: Accounting, fmt: str) -> None:
    if fmt == "json":
        document = {"plan": result.plan.to_dict(), "done": [op.to_dict() for op in done],
                    "accounting": accounting.to_dict()}
        sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
        return
    if done:
        click.echo(f"Apply complete: {len(done)} operation{'' if len(done) == 1 else 's'}.")
        click.echo(render_accounting(accounting), nl=False)


def _saved_target(saved: PlanFile, flags: TargetFlags) -> TargetFlags:
    """A plan file names its target; flags may repeat it but not contradict it."""
    recorded = TargetFlags(saved.origin.target.get("kind"), saved.origin.target.get("region"),
                           saved.origin.target.get("profile"),
                           saved.origin.target.get("endpoint_url"))
    for name in ("target", "region", "profile", "endpoint_url"):
        given, planned = getattr(flags, name), getattr(recorded, name)
        if given is not None and given != planned:
            option = "--" + name.replace("_", "-")
            raise UsageError(f"{option} {given} contradicts the plan file's {planned}",
                             hint="a plan applies to the target it was made against; "
                             "drop the option, or make a new plan")
    return recorded


def _check_fresh(saved: PlanFile, result: ProjectPlan, path: Path | None) -> None:
    reasons = stale_reasons(saved.origin, result.origin)
    if not reasons and saved.plan != result.plan.to_dict():
        reasons = [f"planning again now gives other operations (plan made by apigwctl "
                   f"{saved.apigwctl_version or 'unknown'})"]
    if reasons:
        raise ApigwctlError(f"the plan in {path} is stale: " + "; ".join(reasons),
                            where=str(path), hint="make a new plan with `apigwctl plan -o "
                            f"{path}`, review it, and apply that")


