"""A plan as Markdown for a pull-request comment: a summary table, then a collapsible section
per API with its changes in a ``diff`` block (so a forge colours them) and its operations.

Key values never appear (the changes show ``value: (sensitive, ...)``, as in text).
"""

from __future__ import annotations

from apigwctl.plan.planner import Plan
from apigwctl.render.plan_text import GROUPS, change_lines


def render_plan_markdown(plan: Plan, target: str) -> str:
    name = plan.changeset.api_name
    add, change, destroy = plan.counts()
    lines = [f"### apigwctl plan: REST API `{name}`", "", f"Target: {target}", "",
             "| API | to add | to change | to destroy | operations |",
             "|---|---:|---:|---:|---:|",
             f"| `{name}` | {add} | {change} | {destroy} | {len(plan.ops)} |", ""]
    if plan.empty:
        lines.append("No changes. The live API matches the deployment file and spec.")
        return "\n".join(lines) + "\n"
    summary = f"{name}: {add} to add, {change} to change, {destroy} to destroy"
    lines += ["<details>", f"<summary>{summary}</summary>", "", "```diff"]
    for title, kinds in GROUPS:
        changes = [c for c in plan.changeset.changes
                   if c.kind in kinds and c not in plan.left_behind]
        if changes:
            lines.append(f"# {title}")
            for item in changes:
                lines.extend(_diff_lines(change_lines(item)))
    lines += ["```", "", "Operations, in order:", ""]
    lines += [f"{i}. {op.describe()}" for i, op in enumerate(plan.ops, 1)]
    if plan.left_behind:
        lines += ["", "Left behind by `mode: merge` (not deleted):", ""]
        lines += [f"- `{c.address}`" for c in plan.left_behind]
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _diff_lines(lines: list[str]) -> list[str]:
    """Text-plan lines with the change's symbol in column 0 on every line (diff colouring)."""
    head = lines[0].strip()
    symbol = "!" if head.startswith("~") else head[0]
    out = [head if symbol != "!" else "!" + head[1:]]
    out += [f"{symbol}   {line.strip()}" for line in lines[1:]]
    return out
