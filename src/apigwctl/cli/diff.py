"""``apigwctl diff OLD_SPEC NEW_SPEC``: the breaking-change report between two spec files.

No deployment file and no AWS state: both specs compile with the same API settings (name
``api``) and :func:`apigwctl.breaking.breaking_changes` compares them, for spec reviews.
Exit 0, or 1 with ``--fail-on-breaking`` when a change breaks existing clients.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from apigwctl.breaking import breaking_changes, render_report
from apigwctl.compile import ApiSettings, compile_api
from apigwctl.diagnostics import has_errors
from apigwctl.errors import ApigwctlError
from apigwctl.exitcodes import ExitCode
from apigwctl.model import ApiState
from apigwctl.spec.loader import load_spec

from .app import cli

SETTINGS = ApiSettings(name="api")


def compile_spec_file(path: Path) -> ApiState:
    """A spec file's API, or an error naming the file when it cannot be read."""
    loaded = load_spec(path)
    if not loaded.documents or has_errors(loaded.diagnostics):
        raise ApigwctlError(f"{path} is not an OpenAPI document apigwctl can read",
                            where=str(path), hint=f"see `apigwctl validate {path}`")
    return compile_api(loaded.documents[0], SETTINGS)


@cli.command("diff")
@click.argument("old_spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new_spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: the report with a `version` field.")
@click.option("--fail-on-breaking", is_flag=True,
              help="Exit 1 when any change breaks existing clients.")
@click.pass_context
def diff(ctx: click.Context, /, *, old_spec: Path, new_spec: Path, fmt: str,
         fail_on_breaking: bool) -> None:
    """Report what NEW_SPEC breaks for clients of OLD_SPEC, and what it adds."""
    report = breaking_changes(compile_spec_file(old_spec), compile_spec_file(new_spec))
    if fmt == "json":
        document = {"old": str(old_spec), "new": str(new_spec), **report.to_dict()}
        sys.stdout.write(json.dumps(document, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(render_report(report))
    if fail_on_breaking and report.has_breaking:
        click.echo(f"{len(report.breaking)} breaking change(s) (--fail-on-breaking)", err=True)
        ctx.exit(int(ExitCode.ERROR))
    ctx.exit(int(ExitCode.OK))
