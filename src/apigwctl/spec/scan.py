"""One pass over a parsed document that bounds it and collects what rules need.

The walk is iterative (no recursion limit), shares work across YAML aliases (a node reached
twice is counted by its expanded size, never walked twice), and collects ``$ref`` sites,
strings holding ``${...}`` placeholders and CloudFormation intrinsic functions, each with
its pointer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from apigwctl.diagnostics import Pointer


class ScanLimitExceeded(Exception):
    def __init__(self, rule: str, message: str, pointer: Pointer, hint: str) -> None:
        super().__init__(message)
        self.rule, self.message, self.pointer, self.hint = rule, message, pointer, hint


@dataclass(frozen=True)
class DocScan:
    refs: tuple[tuple[Pointer, str], ...] = ()
    placeholders: tuple[tuple[Pointer, str], ...] = ()
    intrinsics: tuple[tuple[Pointer, str], ...] = ()
    extensions: tuple[tuple[Pointer, str], ...] = ()
    non_string_keys: tuple[tuple[Pointer, str], ...] = ()
    nodes: int = 0
    depth: int = 0
    extras: dict[str, Any] = field(default_factory=dict)

    def within(self, base: Pointer) -> DocScan:
        """The part of the scan under ``base``, with pointers relative to it."""
        if not base:
            return self
        n = len(base)

        def rebase(items: tuple[tuple[Pointer, str], ...]) -> tuple[tuple[Pointer, str], ...]:
            return tuple((p[n:], v) for p, v in items if p[:n] == base)

        return DocScan(rebase(self.refs), rebase(self.placeholders), rebase(self.intrinsics),
                       rebase(self.extensions), rebase(self.non_string_keys), self.nodes,
                       self.depth)


def _is_intrinsic(node: Mapping[str, Any]) -> str | None:
    if len(node) != 1:
        return None
    (key,) = node
    if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
        return str(key)
    return None


def scan_document(data: Any, max_depth: int, max_nodes: int) -> DocScan:
    """Walk ``data`` once; raise :class:`ScanLimitExceeded` past the bounds."""
    refs: list[tuple[Pointer, str]] = []
    placeholders: list[tuple[Pointer, str]] = []
    intrinsics: list[tuple[Pointer, str]] = []
    extensions: list[tuple[Pointer, str]] = []
    odd_keys: list[tuple[Pointer, str]] = []
    seen: set[int] = set()
    shared = False
    max_seen = 0
    stack: list[tuple[Any, Pointer]] = [(data, ())]
    while stack:
        node, ptr = stack.pop()
        if len(ptr) > max_seen:
            max_seen = len(ptr)
            if max_seen > max_depth:
                raise ScanLimitExceeded(
                    "E0003", f"nesting deeper than {max_depth} levels", ptr[:8],
                    "flatten the document; real OpenAPI documents nest far less")
        if isinstance(node, str):
            if "${" in node:
                placeholders.append((ptr, node))
            continue
        if not isinstance(node, (dict, list)):
            continue
        if id(node) in seen:
            shared = True  # a YAML alias: its content was scanned where it was defined
            continue
        seen.add(id(node))
        if isinstance(node, dict):
            _collect_dict(node, ptr, (refs, intrinsics, extensions, odd_keys), stack)
        else:
            stack.extend((v, (*ptr, i)) for i, v in enumerate(node))
    nodes = expanded_size(data, max_nodes) if shared else len(seen)
    if nodes > max_nodes:
        raise ScanLimitExceeded(
            "E0004", f"YAML aliases expand the document to more than {max_nodes:,} nodes "
            "(an alias bomb, or an alias that contains itself)", (),
            "remove the anchors/aliases that multiply each other")
    return DocScan(tuple(refs), tuple(placeholders), tuple(intrinsics), tuple(extensions),
                   tuple(odd_keys), nodes, max_seen)


_Site = list[tuple[Pointer, str]]
_Sites = tuple[_Site, _Site, _Site, _Site]
EXT_PREFIX = "x-amazon-apigateway-"


def _collect_dict(node: dict[Any, Any], ptr: Pointer, sites: _Sites,
                  stack: list[tuple[Any, Pointer]]) -> None:
    refs, intrinsics, extensions, odd_keys = sites
    ref = node.get("$ref")
    if isinstance(ref, str):
        refs.append((ptr, ref))
    fn = _is_intrinsic(node)
    if fn is not None:
        intrinsics.append((ptr, fn))
        return  # its arguments are CloudFormation's business, not OpenAPI's
    for k, v in node.items():
        if not isinstance(k, str):
            odd_keys.append(((*ptr, k), type(k).__name__))
        elif k.startswith(EXT_PREFIX):
            extensions.append(((*ptr, k), k))
        stack.append((v, (*ptr, k)))


def expanded_size(root: Any, cap: int) -> int:
    """Node count of ``root`` with every alias expanded, computed on the shared graph.

    Memoised post-order over the DAG, so an alias bomb costs its unique nodes only; a cycle
    (an alias inside itself) expands forever and returns ``cap + 1``.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = [c for c in (node.values() if isinstance(node, dict) else node)
                    if isinstance(c, (dict, list))]
        if done:
            on_path.discard(key)
            size[key] = min(cap + 1, 1 + sum(size[id(c)] for c in children))
            continue
        if key in size:
            continue
        if key in on_path:
            return cap + 1
        on_path.add(key)
        stack.append((node, True))
        for c in children:
            if id(c) in on_path:
                return cap + 1
            if id(c) not in size:
                stack.append((c, False))
    return size[id(root)]
