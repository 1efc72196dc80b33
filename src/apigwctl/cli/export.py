"""``apigwctl export``: a live REST API -> ``openapi.yaml`` + ``apigwctl.yaml``.

There is no deployment file yet, so the target comes from the flags and the environment
only: ``--endpoint-url`` (implies aws), ``--target``, ``APIGWCTL_TARGET``, else the embedded
emulator with its state in ``./.apigwctl/emulator``. The API is named by NAME or id; two APIs
of one name must be told apart by id. The files are written by :func:`apigwctl.export.
render_export`; existing files are left alone unless ``--force``.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import click

from apigwctl.aws.reader import Reader, list_apis, read_api
from apigwctl.aws.target import open_target
from apigwctl.config import TargetConfig, TargetKind, TargetSource
from apigwctl.config.model import EMULATOR_REGION
from apigwctl.errors import ApigwctlError, UsageError
from apigwctl.export import FORMATS, render_export
from apigwctl.model import ApiState
from apigwctl.ownership import LiveApi

from .app import cli
from .project import STATE_DIR, TargetFlags, target_options

TARGET_ENV = "APIGWCTL_TARGET"


def export_target(flags: TargetFlags, env: dict[str, str] | None = None) -> TargetConfig:
    """The target from the flags and APIGWCTL_TARGET (no deployment file to read)."""
    env = dict(os.environ) if env is None else env
    if flags.endpoint_url and flags.target == "emulator":
        raise UsageError("--endpoint-url talks to an AWS-compatible endpoint; the embedded "
                         "emulator runs in-process and takes none",
                         hint="drop --target emulator (or --endpoint-url)")
    from_env = env.get(TARGET_ENV, "").strip().lower()
    if flags.endpoint_url:
        kind, source = TargetKind.AWS, TargetSource.ENDPOINT_FLAG
    elif flags.target:
        kind, source = TargetKind(flags.target), TargetSource.FLAG
    elif from_env:
        if from_env not in {k.value for k in TargetKind}:
            raise UsageError(f"{TARGET_ENV}={from_env!r} is not a target: use emulator or aws")
        kind, source = TargetKind(from_env), TargetSource.ENV
    else:
        kind, source = TargetKind.EMULATOR, TargetSource.DEFAULT
    region = flags.region or (EMULATOR_REGION if kind is TargetKind.EMULATOR else None)
    return TargetConfig(kind, region, flags.profile, source,
                        flags.endpoint_url if kind is TargetKind.AWS else None)


def _pick(apis: list[dict[str, Any]], wanted: str) -> dict[str, Any]:
    """The API whose id is ``wanted``, else the one API of that name."""
    by_id = [a for a in apis if a.get("id") == wanted]
    if by_id:
        return by_id[0]
    named = [a for a in apis if a.get("name") == wanted]
    if len(named) == 1:
        return named[0]
    if not named:
        raise ApigwctlError(f"no REST API named or with id {wanted!r}",
                            hint="list them with `aws apigateway get-rest-apis`")
    ids = ", ".join(sorted(str(a["id"]) for a in named))
    raise ApigwctlError(f"{len(named)} REST APIs are named {wanted!r} ({ids})",
                        hint="pass the id of the one to export: --api ID")


def read_for_export(client: Any, wanted: str) -> ApiState:
    """The live state of the API named (or with id) ``wanted``."""
    reader = Reader(client)
    chosen = _pick(list_apis(reader), wanted)

    def select(candidates: Any) -> LiveApi | None:
        return next((c for c in candidates if c.id == chosen["id"]), None)

    state = read_api(client, str(chosen["name"]), reader, select=select, every_plan=True)
    if state is None:  # deleted between the two calls
        raise ApigwctlError(f"the REST API {wanted!r} is gone")
    return state


@cli.command("export")
@click.option("--api", "wanted", required=True, metavar="NAME|ID",
              help="The REST API to export, by name or id.")
@click.option("--stage", default=None, help="Export only this stage (default: every stage).")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder to write openapi.yaml and apigwctl.yaml to [default: ./<api name>].")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="oas30",
              show_default=True, help="OpenAPI 3.0 or Swagger 2.0.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
@target_options
def export_cmd(*, wanted: str, stage: str | None, out_dir: str | None, fmt: str, force: bool,
               target: str | None, region: str | None, profile: str | None,
               endpoint_url: str | None) -> None:
    """Write a live API as openapi.yaml + apigwctl.yaml (key values are never exported)."""
    config = export_target(TargetFlags(target, region, profile, endpoint_url))
    with open_target(config, STATE_DIR, write=False) as connection:
        click.echo(f"target: {connection.description}; from {config.source.value}", err=True)
        state = read_for_export(connection.client, wanted)
        region_used = connection.region
    if stage is not None:
        kept = tuple(s for s in state.stages if s.name == stage)
        if not kept:
            names = ", ".join(s.name for s in state.stages) or "none"
            raise ApigwctlError(f"API {state.name!r} has no stage {stage!r} (stages: {names})")
        state = dataclasses.replace(state, stages=kept)
    folder = Path(out_dir) if out_dir is not None else Path(_folder_name(state.name))
    target_doc: dict[str, Any] = {"kind": config.kind.value}
    if config.kind is TargetKind.AWS or region_used != EMULATOR_REGION:
        target_doc["region"] = region_used
    spec_text, config_text = render_export(state, fmt, "openapi.yaml", target_doc)
    files = {folder / "openapi.yaml": spec_text, folder / "apigwctl.yaml": config_text}
    existing = [str(p) for p in files if p.exists()]
    if existing and not force:
        verb = "exists" if len(existing) == 1 else "exist"
        raise ApigwctlError(f"{', '.join(existing)} already {verb}",
                            hint="pass --force to overwrite, or -o to write elsewhere")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")
    if state.api_keys:
        click.echo(f"{len(state.api_keys)} API key value(s) not exported: set the ${{env:...}} "
                   "variables apigwctl.yaml names", err=True)


def _folder_name(name: str) -> str:
    """The API's name as a folder name (path separators and leading dots replaced)."""
    safe = "".join("_" if ch in '/\\:*?"<>|' or ord(ch) < 32 else ch for ch in name)
    return safe.strip().lstrip(".") or "api"
