"""``apigwctl init SPEC``: a starter ``apigwctl.yaml`` next to an existing spec.

The API is named after the spec's ``info.title`` (or ``--name``); one stage, ``dev``, gets
every stage variable the spec references, with a placeholder value to replace; the target is
the embedded emulator, so ``apigwctl plan`` works at once. Comments point at what to change.
"""

from __future__ import annotations

import re
from pathlib import Path

import click

from apigwctl.errors import ApigwctlError
from apigwctl.spec.loader import load_spec
from apigwctl.spec.validate import validate_path

from .app import cli

PLACEHOLDER = "change-me"


def starter(api_name: str, spec_name: str, variables: list[str]) -> str:
    """The starter deployment file's text."""
    lines = ["# Deployment file for apigwctl: `apigwctl plan`, then `apigwctl apply`.",
             "# Every key: `apigwctl schema` (or the README's \"The deployment file\").",
             "api:", f"  name: {api_name}", f"  spec: {spec_name}", "  type: REST",
             "  endpoint_type: REGIONAL", "  mode: overwrite", "stages:", "  dev:",
             "    description: Development"]
    if variables:
        lines.append("    variables:                 # the spec's ${stageVariables.*}: set them")
        lines += [f"      {name}: {PLACEHOLDER}" for name in variables]
    lines += ["target:", "  kind: emulator               # aws, with region and profile, "
              "to deploy for real", ""]
    return "\n".join(lines)


def slug(title: str) -> str:
    """An API name from a title: letters, digits and dashes."""
    return re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower() or "api"


@cli.command("init")
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="The API's name (default: from info.title).")
@click.option("--force", is_flag=True, help="Overwrite an existing apigwctl.yaml.")
def init(spec: Path, name: str | None, force: bool) -> None:
    """Write a starter apigwctl.yaml next to SPEC."""
    target = spec.parent / "apigwctl.yaml"
    if target.exists() and not force:
        raise ApigwctlError(f"{target} exists already", hint="pass --force to overwrite it")
    loaded = load_spec(str(spec))
    if not loaded.documents:
        raise ApigwctlError(f"{spec} is not an OpenAPI document apigwctl can read",
                            hint=f"see `apigwctl validate {spec}`")
    info = loaded.documents[0].data.get("info") or {}
    api_name = name or slug(str(info.get("title") or spec.stem))
    uses = validate_path(str(spec)).stage_variables
    variables = sorted({u.name for u in uses})
    target.write_text(starter(api_name, spec.name, variables), encoding="utf-8")
    click.echo(f"wrote {target} (API {api_name}, stage dev"
               + (f", {len(variables)} stage variable(s) to set" if variables else "") + ")")
    click.echo(f"next: apigwctl plan -c {target}")
