"""One pass over a parsed document that bounds it and collects what rules need.

The walk is iterative (no recursion limit), shares work across YAML aliases (a node reached
twice is counted by its expanded size, never walked twice), and collects ``$ref`` sites,
strings holding ``${...}`` placeholders and CloudFormation intrinsic functions, each with
its pointer.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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


EXT_PREFIX = "x-amazon-apigateway-"


def _is_intrinsic(node: Mapping[str, Any]) -> str | None:
    if len(node) != 1:
        return None
    (key,) = node
    if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
        return str(key)
    return None


class _Scan:
    """The state of one walk; see :func:`scan_document`."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        self.refs: list[tuple[Pointer, str]] = []
        self.placeholders: list[tuple[Pointer, str]] = []
        self.intrinsics: list[tuple[Pointer, str]] = []
        self.extensions: list[tuple[Pointer, str]] = []
        self.odd_keys: list[tuple[Pointer, str]] = []
        self.seen: set[int] = set()
        self.shared = False
        self.max_seen = 0

    def deeper(self, ptr: Pointer) -> None:
        self.max_seen = len(ptr)
        if self.max_seen > self.max_depth:
            raise ScanLimitExceeded(
                "E0003", f"nesting deeper than {self.max_depth} levels", ptr[:8],
                "flatten the document; real OpenAPI documents nest far less")

    def enter(self, node: Any, ptr: Pointer) -> Iterator[tuple[Any, Any]] | None:
        """Visit a container; the children to walk (last first), or None."""
        if id(node) in self.seen:
            self.shared = True  # a YAML alias: its content was scanned where it was defined
            return None
        self.seen.add(id(node))
        if type(node) is not dict and isinstance(node, list):
            if node and len(ptr) + 1 > self.max_seen:
                self.deeper((*ptr, len(node) - 1))  # the first child walked is the last
            return zip(range(len(node) - 1, -1, -1), reversed(node), strict=True)
        ref = node.get("$ref")
        if isinstance(ref, str):
            self.refs.append((ptr, ref))
        fn = _is_intrinsic(node)
        if fn is not None:
            self.intrinsics.append((ptr, fn))
            return None  # its arguments are CloudFormation's business, not OpenAPI's
        for k in node:
            if not isinstance(k, str):
                self.odd_keys.append(((*ptr, k), type(k).__name__))
            elif k.startswith(EXT_PREFIX):
                self.extensions.append(((*ptr, k), k))
        if node and len(ptr) + 1 > self.max_seen:
            self.deeper((*ptr, next(reversed(node))))
        return reversed(node.items())


def scan_document(data: Any, max_depth: int, max_nodes: int) -> DocScan:
    """Walk ``data`` once; raise :class:`ScanLimitExceeded` past the bounds.

    The walk is depth first, each container's children last to first, without recursion;
    a pointer is built only for containers and for what is collected.
    """
    scan = _Scan(max_depth)
    stack: list[tuple[Iterator[tuple[Any, Any]], Pointer]] = []
    if isinstance(data, (dict, list)):
        children = scan.enter(data, ())
        if children is not None:
            stack.append((children, ()))
    elif isinstance(data, str) and "${" in data:
        scan.placeholders.append(((), data))
    placeholders, enter = scan.placeholders, scan.enter
    while stack:
        children, ptr = stack[-1]
        for key, value in children:
            t = type(value)
            if t is str or (t is not dict and t is not list and isinstance(value, str)):
                if "${" in value:
                    placeholders.append(((*ptr, key), value))
            elif t is dict or t is list or isinstance(value, (dict, list)):
                child_ptr = (*ptr, key)
                grandchildren = enter(value, child_ptr)
                if grandchildren is not None:
                    stack.append((grandchildren, child_ptr))
                    break
        else:
            stack.pop()
    nodes = expanded_size(data, max_nodes) if scan.shared else len(scan.seen)
    if nodes > max_nodes:
        raise ScanLimitExceeded(
            "E0004", f"YAML aliases expand the document to more than {max_nodes:,} nodes "
            "(an alias bomb, or an alias that contains itself)", (),
            "remove the anchors/aliases that multiply each other")
    return DocScan(tuple(scan.refs), tuple(scan.placeholders), tuple(scan.intrinsics),
                   tuple(scan.extensions), tuple(scan.odd_keys), nodes, scan.max_seen)


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
