"""Drift as text: what differs between the live API and the deployment file + spec, seen
from the live side ("changed outside apigwctl"), per route and field.

``~`` a field whose live value is not the file's (``file -> live``), ``-`` something the file
has that is gone from the live API, ``+`` something live that the file does not have.
"""

from __future__ import annotations

from apigwctl.diff import Action, Changeset, ResourceChange
from apigwctl.render.plan_text import GROUPS, SENSITIVE, leaves, show

_WHAT = {Action.UPDATE: ("~", "changed"), Action.CREATE: ("-", "missing from the live API"),
         Action.DELETE: ("+", "live, not in the deployment file or spec")}


def render_drift(changeset: Changeset) -> str:
    if not changeset.api_exists:
        return f"REST API {changeset.api_name} does not exist: nothing has drifted (plan " \
               "shows what apply would create).\n"
    if not changeset.changes:
        return "No drift. The live API matches the deployment file and spec.\n"
    lines = [f"Drift: REST API {changeset.api_name} differs from the deployment file and spec"]
    for title, kinds in GROUPS:
        changes = [c for c in changeset.changes if c.kind in kinds]
        if changes:
            lines.append(f"  {title}:")
            for change in changes:
                lines.extend(_change(change))
    lines.append("")
    lines.append(f"{len(changeset.changes)} drifted. `apigwctl apply` puts the file's values "
                 "back; to keep the live ones, change the file (or `apigwctl export`).")
    return "\n".join(lines) + "\n"


def _change(change: ResourceChange) -> list[str]:
    symbol, what = _WHAT[change.action]
    out = [f"    {symbol} {change.address} ({what})"]
    for f in change.fields:
        if f.path == SENSITIVE:
            out.append("        value: (sensitive, changed)")
        elif change.action is Action.UPDATE:
            out.append(f"        {f.path}: file {show(f.after)}, live {show(f.before)}")
        else:
            value = f.after if change.action is Action.CREATE else f.before
            out.extend(f"        {p}: {show(v)}" for p, v in leaves(f.path, value))
    return out
