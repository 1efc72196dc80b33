"""``apigwctl adopt``: take ownership of an existing API (and the usage plans the file names).

For an API made by hand or by another tool: after `apigwctl export` (or writing the files by
hand), `adopt` tags the REST API and the deployment file's usage plans with apigwctl's
ownership tags — nothing else. The plan it shows contains only that tagging; afterwards
`plan` treats them as apigwctl's (and shows no changes when the files describe them).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from apigwctl.apply import apply_plan
from apigwctl.aws.reader import Reader, list_apis
from apigwctl.aws.target import Connection, open_target
from apigwctl.config import DEFAULT_FILE
from apigwctl.diff import Changeset
from apigwctl.errors import ApigwctlError
from apigwctl.ownership import LiveApi, is_managed, ownership_tags
from apigwctl.plan.ops import Op, TagResource
from apigwctl.plan.planner import Plan

from .app import cli, globals_of
from .project import Prepared, TargetFlags, describe_target, prepare, target_options


@cli.command()
@click.option("-c", "--config", "config_file", default=DEFAULT_FILE, show_default=True,
              type=click.Path(dir_okay=False), help="The deployment file.")
@click.option("--api-id", default=None,
              help="Which API to adopt when several have the file's api.name.")
@click.option("--auto-approve", is_flag=True, help="Adopt without asking for confirmation.")
@target_options
@click.pass_context
def adopt(ctx: click.Context, /, *, config_file: str, api_id: str | None, auto_approve: bool,
          **target: str | None) -> None:
    """Tag an existing API and its usage plans as managed by apigwctl (only tagging)."""
    prepared = prepare(config_file, TargetFlags(**target), globals_of(ctx).no_color)
    with open_target(prepared.target, prepared.state_dir, write=True) as connection:
        describe_target(prepared, connection)
        ids, ops = _adoption(prepared, connection, api_id)
        if not ops:
            click.echo(f"Nothing to adopt: {prepared.desired.name} and its usage plans are "
                       "already apigwctl's.")
            return
        click.echo("Adopt: only tags change; nothing else is touched.")
        click.echo("\n".join(f"  {i}. {op.describe()}" for i, op in enumerate(ops, 1)))
        _confirm(auto_approve)
        done = apply_plan(connection.client, Plan(Changeset(prepared.desired.name, True),
                                                  tuple(ops)), ids)
    click.echo(f"Adopted: {len(done)} tag operation{'' if len(done) == 1 else 's'}. "
               "`apigwctl plan` now manages them.")


def _adoption(prepared: Prepared, connection: Connection,
              api_id: str | None) -> tuple[dict[str, str], list[Op]]:
    name = prepared.desired.name
    reader = Reader(connection.client)
    api = _the_api(name, [LiveApi(str(a["id"]), str(a.get("name", "")), dict(a.get("tags") or {}))
                          for a in list_apis(reader)], api_id)
    tags = ownership_tags(name)
    ids = {f"api:{name}": api.id}
    ops: list[Op] = []
    if not is_managed(api, name):
        ops.append(TagResource(f"api:{name}", tuple(sorted(tags.items()))))
    wanted = {p.name for p in prepared.desired.usage_plans}
    for plan in reader.paged("get_usage_plans"):
        plan_tags: dict[str, Any] = dict(plan.get("tags") or {})
        if plan.get("name") in wanted and plan_tags.get("apigwctl:managed-by") != "apigwctl":
            address = f"usage_plan:{plan['name']}"
            ids[address] = str(plan["id"])
            ops.append(TagResource(address, tuple(sorted(tags.items()))))
    return ids, ops


def _the_api(name: str, apis: list[LiveApi], api_id: str | None) -> LiveApi:
    same = [a for a in apis if (a.id == api_id if api_id else a.name == name)]
    if not same:
        raise ApigwctlError(f"no REST API {api_id or name!r} on this target to adopt",
                            hint="check the target (--region, --profile, --endpoint-url) "
                            "and api.name")
    if len(same) > 1:
        raise ApigwctlError(f"{len(same)} REST APIs are named {name!r}: "
                            + ", ".join(a.id for a in same),
                            hint="say which one with --api-id")
    return same[0]


def _confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise ApigwctlError("refusing to adopt without confirmation: no terminal to ask on",
                            hint="pass --auto-approve in scripts and pipelines")
    click.confirm("Adopt?", abort=True)
