"""The rule registry: importing this package registers every rule module."""

from __future__ import annotations

import importlib
import pkgutil

from apigwctl.spec.rules.base import REGISTRY, Rule

_LOADED = False


def _load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    for mod in pkgutil.iter_modules(__path__):
        if mod.name != "base":
            importlib.import_module(f"{__name__}.{mod.name}")
    _LOADED = True


def all_rules() -> list[type[Rule]]:
    """Every registered rule, sorted by number."""
    _load_all()
    return sorted(REGISTRY.values(), key=lambda r: r.id[1:])


def get_rule(rule_id: str) -> type[Rule]:
    _load_all()
    return REGISTRY[rule_id]
