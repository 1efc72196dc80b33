"""Rule base class, registry and the read-only context rules inspect.

A rule is one small class: a stable id whose letter is its severity (E/W/I + 4 digits), a
one-line description, a link to the AWS page it encodes, and ``check(ctx)`` yielding
:class:`Finding` values with pointers relative to the document. The registry refuses
duplicate or malformed ids. Rules never see files or line numbers: the engine places them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar, TypeVar, cast

from apigwctl.diagnostics import Pointer, Severity, parse_pointer
from apigwctl.spec.loader import ApiKind, ExternalFile, SpecDocument, SpecVersion
from apigwctl.spec.refs import follow, split_ref

T = TypeVar("T")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ANY_METHOD = "x-amazon-apigateway-any-method"
DOCS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/"


@dataclass(frozen=True)
class Finding:
    pointer: Pointer
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class Operation:
    """An operation of the document (``method`` is upper-case; ANY for the any-method)."""

    path: str
    method: str
    node: Mapping[str, Any]
    pointer: Pointer
    path_item: Mapping[str, Any]


@dataclass(frozen=True)
class Integration:
    """An ``x-amazon-apigateway-integration`` used by ``op``, with local ``$ref``s followed.

    ``pointer`` is where the integration is written: for an HTTP API's
    ``{$ref: "#/components/x-amazon-apigateway-integrations/x"}`` that is the component,
    so a finding about it is placed (and reported) once, where it can be fixed.
    """

    node: Mapping[str, Any]
    pointer: Pointer
    op: Operation

    @property
    def type(self) -> str:
        value = self.node.get("type")
        return value.upper() if isinstance(value, str) else ""


def _local_ref(node: Any) -> str | None:
    """The fragment of a local ``$ref`` (``#/...``), if ``node`` is one."""
    if isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
        file, frag = split_ref(node["$ref"])
        if not file and frag.startswith("/"):
            return frag
    return None


class Rule:
    """Base class: subclasses set the ClassVars and implement :meth:`check`."""

    id: ClassVar[str]
    description: ClassVar[str]
    doc_url: ClassVar[str] = DOCS + "api-gateway-swagger-extensions.html"
    hint: ClassVar[str | None] = None
    kinds: ClassVar[frozenset[ApiKind]] = frozenset({ApiKind.REST, ApiKind.HTTP})
    reported_by_loader: ClassVar[bool] = False
    # Regexes of openapi-spec-validator (E0100) messages this rule reports more precisely;
    # such an E0100 at the same place is dropped as a duplicate (the finding is not lost).
    supersedes: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def severity(cls) -> Severity:
        return Severity.from_letter(cls.id[0])

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        return iter(())


_ID = re.compile(r"^[EWI]\d{4}$")
REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator adding a rule to the registry (ids are unique and well-formed)."""
    if not _ID.match(cls.id):
        raise ValueError(f"malformed rule id {cls.id!r} on {cls.__name__}")
    clash = next((r for r in REGISTRY if r[1:] == cls.id[1:]), None)
    if clash is not None:
        raise ValueError(f"duplicate rule number {cls.id} ({cls.__name__} vs {clash})")
    if not cls.description or "\n" in cls.description:
        raise ValueError(f"{cls.id}: description must be one line")
    REGISTRY[cls.id] = cls
    return cls


class RuleContext:
    """Read-only views of one document that many rules need, computed once."""

    def __init__(self, doc: SpecDocument, kind: ApiKind,
                 externals: Mapping[str, ExternalFile] | None = None) -> None:
        self.doc = doc
        self.data: Mapping[str, Any] = doc.data
        self.version: SpecVersion = doc.version
        self.kind = kind
        self.externals = externals or {}
        self._shared: dict[Hashable, Any] = {}

    def shared(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per context: for views several rules derive the same way."""
        if key not in self._shared:
            self._shared[key] = compute()
        return cast(T, self._shared[key])

    @property
    def is_oas3(self) -> bool:
        return self.version.is_oas3

    def deref(self, node: Any, depth: int = 0) -> Any:
        """Follow ``$ref`` (local, or into a loaded external file); unresolvable -> ``{}``."""
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and depth < 32:
            file, frag = split_ref(node["$ref"])
            root: Any = self.data
            if file:
                ext = next((e for k, e in self.externals.items() if k.endswith(file.lstrip("./"))),
                           None)
                if ext is None:
                    return {}
                root = ext.data
            found, node = follow(root, frag)
            if not found:
                return {}
            depth += 1
        return node

    @cached_property
    def operations(self) -> tuple[Operation, ...]:
        paths = self.data.get("paths")
        out: list[Operation] = []
        if not isinstance(paths, Mapping):
            return ()
        for path, raw_item in paths.items():
            item = self.deref(raw_item)
            if not isinstance(item, Mapping):
                continue
            for key, op in item.items():
                if key in HTTP_METHODS or key == ANY_METHOD:
                    method = "ANY" if key == ANY_METHOD else key.upper()
                    if isinstance(op, Mapping):
                        out.append(Operation(str(path), method, op, ("paths", path, key), item))
        return tuple(out)

    @cached_property
    def integrations(self) -> tuple[Integration, ...]:
        """One entry per operation that has an integration (shared ones repeat)."""
        out = []
        for op in self.operations:
            raw = op.node.get("x-amazon-apigateway-integration")
            pointer: Pointer = (*op.pointer, "x-amazon-apigateway-integration")
            for _ in range(8):  # a short chain of local refs; a longer one stays unresolved
                target = _local_ref(raw)
                if target is None:
                    break
                found, raw = follow(self.data, target)
                if not found:
                    break
                pointer = parse_pointer(target)
            node = self.deref(raw)
            if isinstance(node, Mapping):
                out.append(Integration(node, pointer, op))
        return tuple(out)

    @cached_property
    def unique_integrations(self) -> tuple[Integration, ...]:
        """One entry per integration as written (with the first operation that uses it)."""
        seen: set[Pointer] = set()
        out = []
        for integ in self.integrations:
            if integ.pointer not in seen:
                seen.add(integ.pointer)
                out.append(integ)
        return tuple(out)

    @cached_property
    def security_schemes(self) -> dict[str, tuple[Pointer, Mapping[str, Any]]]:
        """Scheme name -> (pointer, scheme), from securityDefinitions or components."""
        if self.is_oas3:
            comps = self.data.get("components")
            base: Pointer = ("components", "securitySchemes")
            raw = comps.get("securitySchemes") if isinstance(comps, Mapping) else None
        else:
            base = ("securityDefinitions",)
            raw = self.data.get("securityDefinitions")
        if not isinstance(raw, Mapping):
            return {}
        out = {}
        for name, raw_scheme in raw.items():
            scheme = self.deref(raw_scheme)
            if isinstance(scheme, Mapping):
                out[str(name)] = ((*base, name), scheme)
        return out

    def parameters(self, op: Operation) -> list[tuple[Pointer, Mapping[str, Any]]]:
        """Path-level and operation-level parameters ($ref followed); the operation wins."""
        merged: dict[tuple[str, str], tuple[Pointer, Mapping[str, Any]]] = {}
        sources = [(op.pointer[:-1], op.path_item.get("parameters")),
                   (op.pointer, op.node.get("parameters"))]
        for base, params in sources:
            if not isinstance(params, list):
                continue
            for i, raw in enumerate(params):
                p = self.deref(raw)
                if isinstance(p, Mapping):
                    merged[(str(p.get("in")), str(p.get("name")))] = ((*base, "parameters", i), p)
        return list(merged.values())

    def declared_request_params(self, op: Operation) -> set[str]:
        """``method.request.<where>.<name>`` names the method declares (for mapping checks)."""
        where = {"path": "path", "query": "querystring", "header": "header"}
        out = set()
        for _, p in self.parameters(op):
            loc = where.get(str(p.get("in")))
            if loc:
                out.add(f"method.request.{loc}.{p.get('name')}")
        return out

    def responses(self, op: Operation) -> Mapping[str, Any]:
        raw = op.node.get("responses")
        if not isinstance(raw, Mapping):
            return {}
        return {str(k): self.deref(v) for k, v in raw.items()}

    def root_extension(self, name: str) -> Any:
        return self.data.get(name)

    @cached_property
    def _extension_index(self) -> dict[str, list[tuple[Pointer, Any]]]:
        index: dict[str, list[tuple[Pointer, Any]]] = {}
        for ptr, ext in self.doc.scan.extensions:
            found, value = walk(self.data, ptr)
            if found:
                index.setdefault(ext, []).append((ptr, value))
        return index

    def extension_sites(self, name: str) -> Iterator[tuple[Pointer, Any]]:
        """Every place the extension ``name`` appears, with its value."""
        return iter(self._extension_index.get(name, ()))


def walk(data: Any, pointer: Pointer) -> tuple[bool, Any]:
    """Value at a pointer given as the document's own keys and indexes (no string escaping)."""
    node = data
    for tok in pointer:
        if isinstance(node, Mapping):
            if tok not in node:
                return False, None
            node = node[tok]
        elif isinstance(node, list) and isinstance(tok, int) and 0 <= tok < len(node):
            node = node[tok]
        else:
            return False, None
    return True, node
