"""A :class:`Plan` as text, in Terraform's style.

Changes grouped by API settings, routes (resources and methods), other definitions and
stages; ``+`` create, ``~`` change (each changed field with before -> after), ``-`` delete;
then the ops in order (with why a deployment is needed) and the summary line.
"""

from __future__ import annotations

import json
from typing import Any

from apigwctl.diff import Action, ResourceChange, item_name
from apigwctl.plan.planner import Plan

SYMBOL = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-"}
GROUPS = (("API", ("api",)), ("routes", ("resource", "method")),
          ("definitions", ("model", "authorizer", "validator", "gateway_response")),
          ("stages", ("stage",)), ("usage plans", ("usage_plan",)), ("API keys", ("api_key",)))
WIDTH = 120  # longer values (templates, policies) are cut; the JSON format has them whole


def render_plan(plan: Plan) -> str:
    if plan.empty:
        return "No changes. The live API matches the deployment file and spec.\n" + \
            _left_behind(plan)
    lines = [f"REST API {plan.changeset.api_name}"
             + ("" if plan.changeset.api_exists else " (does not exist yet)")]
    for title, kinds in GROUPS:
        changes = [c for c in plan.changeset.changes
                   if c.kind in kinds and c not in plan.left_behind]
        if changes:
            lines.append(f"  {title}:")
            for item in changes:
                lines.extend(change_lines(item))
    if any(c.action is Action.DELETE and not c.is_stage for c in plan.changeset.changes
           if c not in plan.left_behind):
        lines.append("  (put_rest_api with mode overwrite deletes what is marked -)")
    lines.append("")
    lines.append("Operations, in order:")
    lines.extend(f"  {i}. {op.describe()}" for i, op in enumerate(plan.ops, 1))
    add, change, destroy = plan.counts()
    lines.append("")
    lines.append(f"Plan: {add} to add, {change} to change, {destroy} to destroy.")
    return "\n".join(lines) + "\n" + _left_behind(plan)


def _left_behind(plan: Plan) -> str:
    if not plan.left_behind:
        return ""
    lines = ["", "Left behind by mode: merge (apply will not delete them; "
             "mode: overwrite would):"]
    lines.extend(f"    ! {c.address}" for c in plan.left_behind)
    return "\n".join(lines) + "\n"


SENSITIVE = "value_digest"  # an API key's value, as a salted digest: never shown


def change_lines(change: ResourceChange) -> list[str]:
    out = [f"    {SYMBOL[change.action]} {change.address}"]
    for f in change.fields:
        if f.path == SENSITIVE:
            what = "changed" if change.action is Action.UPDATE else "set"
            out.append(f"        value: (sensitive, {what})")
        elif change.action is Action.UPDATE:
            out.append(f"        {f.path}: {show(f.before)} -> {show(f.after)}")
        else:
            value = f.after if change.action is Action.CREATE else f.before
            out.extend(f"        {path}: {show(leaf)}" for path, leaf in leaves(f.path, value))
    return out


def leaves(path: str, value: Any) -> list[tuple[str, Any]]:
    """A created or deleted object's fields, one line per leaf; empty values left out.

    List items that carry an identity (a status code, a method-setting key, an API stage)
    are named by it (``method_responses.200``), as the update lines name them; other lists
    stay whole.
    """
    if isinstance(value, dict):
        return [leaf for key, item in sorted(value.items())
                for leaf in leaves(f"{path}.{key}", item)]
    names = [item_name(v) for v in value] if isinstance(value, list) else []
    if names and all(names):
        return [leaf for item, named in zip(value, names, strict=True) if named
                for leaf in leaves(f"{path}.{named[0]}",
                                    {k: v for k, v in item.items() if k not in named[1]})]
    if value in (None, [], {}, ()):
        return []
    return [(path, value)]


def show(value: Any) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= WIDTH else text[:WIDTH - 3] + "..."
