"""`apigwctl validate` and `apigwctl rules`."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click
from rich.text import Text

from apigwctl.diagnostics import Diagnostic, has_errors
from apigwctl.exitcodes import ExitCode
from apigwctl.render.console import make_console
from apigwctl.render.json_out import findings_json
from apigwctl.render.sarif import findings_sarif
from apigwctl.render.text import render_findings
from apigwctl.spec.loader import ApiKind
from apigwctl.spec.rules import all_rules
from apigwctl.spec.validate import FileReport, validate_path

from .app import cli, globals_of

FORMATS = click.Choice(["text", "json", "sarif"])


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True,
              help="Output format.")
@click.option("--api-type", type=click.Choice(["auto", "rest", "http"], case_sensitive=False),
              default="auto", show_default=True,
              help="API kind the documents are for (auto: detected from their extensions).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write json/sarif output to this file instead of stdout.")
@click.pass_context
def validate(ctx: click.Context, files: Sequence[str], fmt: str, api_type: str,
             output: str | None) -> None:
    """Check OpenAPI documents and every x-amazon-apigateway-* extension in them.

    Exit status: 0 when no ERROR finding, 1 otherwise.
    """
    kind = None if api_type.lower() == "auto" else ApiKind(api_type.upper())
    reports: list[FileReport] = [validate_path(f, kind) for f in files]
    diags: list[Diagnostic] = [d for r in reports for d in r.diagnostics]
    if fmt == "json":
        _emit(findings_json(diags), output)
    elif fmt == "sarif":
        _emit(findings_sarif(diags, all_rules()), output)
    else:
        console = make_console(globals_of(ctx).no_color)
        render_findings(console, [(r.path, r.diagnostics) for r in reports])
    ctx.exit(int(ExitCode.ERROR if has_errors(diags) else ExitCode.OK))


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.pass_context
def rules(ctx: click.Context, fmt: str) -> None:
    """List every validation rule with its id, severity and description."""
    all_ = all_rules()
    if fmt == "json":
        sys.stdout.write(json.dumps([
            {"id": r.id, "severity": r.severity().value, "description": r.description,
             "api_kinds": sorted(k.value for k in r.kinds), "doc_url": r.doc_url}
            for r in all_], indent=2) + "\n")
        return
    console = make_console(globals_of(ctx).no_color)
    for r in all_:
        line = Text(f"{r.id}  {r.severity().value:<8} ")
        line.append(r.description)
        console.print(line)
    console.print(Text(f"{len(all_)} rules"))
