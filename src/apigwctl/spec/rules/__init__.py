"""The rule registry: importing this package registers every rule module."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from apigwctl.spec.rules.base import REGISTRY, Rule

__all__ = ["REGISTRY", "Rule", "all_rules", "get_rule"]


@cache
def _load_all() -> None:
    for mod in pkgutil.iter_modules(__path__):
        if mod.name != "base":
            importlib.import_module(f"{__name__}.{mod.name}")


def all_rules() -> list[type[Rule]]:
    """Every registered rule, sorted by number."""
    _load_all()
    return sorted(REGISTRY.values(), key=lambda r: r.id[1:])


def get_rule(rule_id: str) -> type[Rule]:
    _load_all()
    return REGISTRY[rule_id]
