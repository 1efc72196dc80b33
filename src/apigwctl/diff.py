"""Desired vs live :class:`ApiState` -> :class:`Changeset` of per-address field changes.

The only module importing deepdiff. Input: the desired state (compiled) and the live state
(read; None when the API does not exist). Output: one :class:`ResourceChange` per address
that differs, each with field-level before/after, split into the API *definition* (what
import/put_rest_api carries: root settings, resources, methods, authorizers, validators,
gateway responses, models) and *stages* (what update_stage carries, no deployment needed).

Live stages the deployment file does not name are left out: this slice never deletes a
stage, so showing one as "to destroy" would promise what apply does not do.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from apigwctl.model import ApiState

ACCOUNT_KINDS = ("usage_plan", "api_key")  # account-wide objects the deployment file declares


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True)
class FieldChange:
    """One changed field: ``path`` is the dotted path inside the object's ``to_dict()``."""

    path: str
    before: Any = None
    after: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class ResourceChange:
    address: str
    action: Action
    fields: tuple[FieldChange, ...] = ()

    @property
    def kind(self) -> str:
        """The address kind: api, resource, method, stage, ..."""
        return self.address.split(":", 1)[0]

    @property
    def is_stage(self) -> bool:
        return self.kind == "stage"

    def to_dict(self) -> dict[str, Any]:
        return {"address": self.address, "action": self.action.value,
                "fields": [f.to_dict() for f in self.fields]}


@dataclass(frozen=True)
class Changeset:
    """Every difference for one API; ``api_exists`` is False when live state was None."""

    api_name: str
    api_exists: bool
    changes: tuple[ResourceChange, ...] = ()

    @property
    def definition(self) -> tuple[ResourceChange, ...]:
        """What import/put_rest_api carries: everything but stages, plans and keys."""
        return tuple(c for c in self.changes if c.kind not in ACCOUNT_KINDS and not c.is_stage)

    @property
    def stages(self) -> tuple[ResourceChange, ...]:
        return tuple(c for c in self.changes if c.is_stage)

    def to_dict(self) -> dict[str, Any]:
        return {"api": self.api_name, "api_exists": self.api_exists,
                "changes": [c.to_dict() for c in self.changes]}


def diff_api(desired: ApiState, live: ApiState | None) -> Changeset:
    """Compare by address; objects present on one side only are creates or deletes."""
    want = {a: o.to_dict() for a, o in desired.items().items()}
    have = {a: o.to_dict() for a, o in live.items().items()} if live else {}
    have = {a: v for a, v in have.items() if not a.startswith("stage:") or a in want}
    changes: list[ResourceChange] = []
    for address in sorted(want.keys() | have.keys(), key=_order):
        before, after = have.get(address), want.get(address)
        if before is None:
            changes.append(ResourceChange(address, Action.CREATE, _whole(after, after=True)))
        elif after is None:
            changes.append(ResourceChange(address, Action.DELETE, _whole(before, after=False)))
        elif before != after:
            changes.append(ResourceChange(address, Action.UPDATE, field_changes(before, after)))
    return Changeset(desired.name, live is not None, tuple(changes))


_KIND_ORDER = ("api", "model", "authorizer", "validator", "gateway_response", "resource",
               "method", "stage", "usage_plan", "api_key")


def _order(address: str) -> tuple[int, str]:
    kind = address.split(":", 1)[0]
    return (_KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER), address)


def _whole(obj: Any, after: bool) -> tuple[FieldChange, ...]:
    """A created or deleted object: each top-level field appears once, on one side."""
    return tuple(FieldChange(k, None if after else v, v if after else None)
                 for k, v in sorted(obj.items()) if v not in (None, {}, [], ()))


# The fields that name an item of a list (a method response, a method setting, a plan stage).
_IDENTITY = (("status_code",), ("key",), ("api", "stage"))


def item_name(item: Any) -> tuple[str, tuple[str, ...]] | None:
    """(name, the fields that make it) of a list item that has an identity, else None."""
    if not isinstance(item, dict):
        return None
    for fields in _IDENTITY:
        if all(f in item for f in fields):
            return ":".join(str(item[f]) for f in fields), fields
    return None


def _keyed(value: Any) -> Any:
    """Lists of items with an identity become maps by it, so a change is reported at
    ``method_settings.*/*.metrics_enabled``, not at a list index that shifts."""
    if isinstance(value, dict):
        return {k: _keyed(v) for k, v in value.items()}
    if isinstance(value, list):
        names = [item_name(v) for v in value]
        if names and all(names):
            return {n[0]: _keyed({k: v for k, v in item.items() if k not in n[1]})
                    for item, n in zip(value, names, strict=True) if n}
        return [_keyed(v) for v in value]
    return value


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Leaf-level changes between two ``to_dict()`` forms, sorted by path."""
    from deepdiff import DeepDiff  # only updates need it: no-op plans skip its import cost

    tree = DeepDiff(_keyed(before), _keyed(after), view="tree", verbose_level=2,
                    threshold_to_diff_deeper=0)
    out: dict[str, FieldChange] = {}
    for levels in tree.values():
        for level in levels:
            path = ".".join(str(p) for p in level.path(output_format="list"))
            out[path] = FieldChange(path, _value(level.t1), _value(level.t2))
    return tuple(out[p] for p in sorted(out))


def _value(value: Any) -> Any:
    from deepdiff.helper import NotPresent

    return None if isinstance(value, NotPresent) else value
