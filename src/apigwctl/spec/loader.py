"""Load an OpenAPI document (YAML or JSON) safely, keeping what is needed to place findings.

Input: a path. Output: :class:`LoadResult` with the parsed document(s), the referenced
files, and loader findings (parse errors, refused ``$ref``s, bounds exceeded). Never raises
for bad input: everything wrong with the file is a :class:`Diagnostic`.

Bounds keep hostile input cheap: the size is checked before reading, YAML aliases are
shared (never copied) and their expanded size is measured without expanding them, and
nesting depth is bounded. A CloudFormation / SAM template is accepted too: each embedded
``DefinitionBody`` / ``Body`` becomes a document, located inside the template.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson
import yaml

from apigwctl.diagnostics import Diagnostic, Pointer, Severity
from apigwctl.spec import sourcemap
from apigwctl.spec.scan import DocScan, ScanLimitExceeded, scan_document

try:
    import ryml
except ImportError:  # pragma: no cover - rapidyaml missing: PyYAML reads everything
    ryml = None


class SpecVersion(str, Enum):
    SWAGGER2 = "2.0"
    OAS30 = "3.0"
    OAS31 = "3.1"
    UNKNOWN = "unknown"

    @property
    def is_oas3(self) -> bool:
        return self in (SpecVersion.OAS30, SpecVersion.OAS31)


class ApiKind(str, Enum):
    REST = "REST"
    HTTP = "HTTP"


@dataclass(frozen=True)
class Limits:
    """Bounds on hostile input; AWS itself refuses bodies over 6 MB."""

    max_bytes: int = 32 * 1024 * 1024
    max_depth: int = 256
    max_nodes: int = 5_000_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True, eq=False)
class SourceFile:
    """The text of one file, with lazily computed positions."""

    path: Path
    display: str
    text: str
    fmt: str  # "json" or "yaml"

    def locate(self, pointers: list[Pointer]) -> dict[tuple[str, ...], tuple[int, int]]:
        if self.fmt == "json":
            return sourcemap.locate_json(self.text, pointers)
        return sourcemap.locate_yaml(self.text, pointers)

    @cached_property
    def size(self) -> int:
        return len(self.text.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True, eq=False)
class SpecDocument:
    """One OpenAPI document: a whole file, or a body embedded in a CloudFormation template."""

    source: SourceFile
    base: Pointer
    data: Mapping[str, Any]
    version: SpecVersion
    version_text: str
    scan: DocScan
    kind_hint: ApiKind | None = None


@dataclass(frozen=True, eq=False)
class ExternalFile:
    source: SourceFile
    data: Any
    scan: DocScan


@dataclass(frozen=True, eq=False)
class LoadResult:
    path: str
    source: SourceFile | None
    documents: tuple[SpecDocument, ...]
    externals: Mapping[str, ExternalFile] = field(default_factory=dict)
    diagnostics: tuple[Diagnostic, ...] = ()
    scan: DocScan | None = None  # of the whole main file (a template: not only its bodies)

    @property
    def sources(self) -> list[SourceFile]:
        out = [self.source] if self.source else []
        return out + [e.source for e in self.externals.values()]


_CFN_TAGS = {
    "Ref", "Condition", "Sub", "GetAtt", "Join", "If", "Select", "Split", "FindInMap",
    "ImportValue", "Base64", "Cidr", "GetAZs", "Equals", "And", "Or", "Not", "Transform",
    "ToJsonString", "Length",
}

try:
    _YamlBase: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _YamlBase = yaml.SafeLoader


class _Loader(_YamlBase):  # type: ignore[misc]
    """Safe loader that records duplicate keys and maps CloudFormation short tags."""

    duplicates: list[tuple[str, int, int]]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key in seen and key != "<<":
                mark = key_node.start_mark
                self.duplicates.append((str(key), mark.line + 1, mark.column + 1))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


def _cfn_tag(loader: _Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if suffix not in _CFN_TAGS:
        raise yaml.constructor.ConstructorError(
            None, None, f"unknown tag !{suffix}", node.start_mark
        )
    name = "Ref" if suffix in ("Ref", "Condition") else "Fn::" + suffix
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    return {name: value}


_Loader.add_multi_constructor("!", _cfn_tag)
# YAML 1.1 timestamps are not JSON values; OpenAPI dates stay strings as AWS reads them.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()  # CSafeLoader's too
}


class _ParseFailure(Exception):
    def __init__(self, message: str, line: int, col: int, rule: str = "E0001",
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.col, self.rule, self.hint = message, line, col, rule, hint


def _diag(rule: str, message: str, file: str, pointer: Pointer = (), *,
          hint: str | None = None, line: int = 0, col: int = 0) -> Diagnostic:
    return Diagnostic(rule=rule, severity=Severity.from_letter(rule[0]), message=message,
                      file=file, pointer=pointer, line=line, col=col, hint=hint)


def _looks_like_json(path: Path, text: str) -> bool:
    return path.suffix.lower() == ".json" or text.lstrip()[:1] in ("{", "[")


def _dup_hook(dups: list[str]) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            for k, _ in pairs:
                if k in seen:
                    dups.append(k)
                seen.add(k)
        return out

    return hook


def parse_text(path: Path, text: str,
               fast: bool = True) -> tuple[Any, str, list[tuple[str, int, int]]]:
    """Parse JSON or YAML text; returns (data, format, duplicate keys with positions).

    A fast parser (orjson; rapidyaml then orjson) reads the document when it can prove the
    result is the one of the reference parser (json; PyYAML with libyaml); otherwise, and
    for every error, the reference parser reads it and reports. ``fast=False`` uses only
    the reference parser.
    """
    json_like = _looks_like_json(path, text)
    if fast:
        data = _parse_json_fast(text) if json_like else _parse_yaml_fast(text)
        if data is not _UNDECIDED:
            return data, "json" if json_like else "yaml", []
    if json_like:
        dups: list[str] = []
        try:
            data = json.loads(text, object_pairs_hook=_dup_hook(dups))
        except json.JSONDecodeError as exc:
            if path.suffix.lower() == ".json":
                raise _ParseFailure(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
        except RecursionError:
            raise _ParseFailure("nesting too deep to parse", 1, 1, "E0003") from None
        else:
            located = [(k, *_find_key(text, k)) for k in dups]
            return data, "json", located
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or str(exc)
        rule = "E0003" if "maximum nesting depth" in problem else "E0001"  # libyaml's bound
        raise _ParseFailure(f"invalid YAML: {problem}", line, col, rule) from None
    except yaml.YAMLError as exc:
        raise _ParseFailure(f"invalid YAML: {exc}", 1, 1) from None
    except RecursionError:
        raise _ParseFailure("nesting too deep to parse", 1, 1, "E0003") from None
    finally:
        loader.dispose()
    return data, "yaml", loader.duplicates


_UNDECIDED: Any = object()


def _parse_json_fast(text: str) -> Any:
    """orjson's reading of ``text``, or _UNDECIDED where json would read it differently.

    orjson refuses what json accepts beyond the standard (NaN, huge integers, lone
    surrogates): those go to json. orjson keeps the last of duplicate keys silently, so
    they are counted: outside strings, a JSON text has one colon per key; re-serialising
    the parsed value gives one colon per key kept, plus the same colons inside strings
    (unless a colon was written as an escape, which then goes to json too).
    """
    if b"0" * 20 in text.encode("utf-8", "surrogatepass").translate(_DIGITS_TO_ZERO):
        return _UNDECIDED  # orjson reads an integer past 64 bits as a float; json does not
    try:
        data = orjson.loads(text)
        if "\\u003a" in text.lower() or text.count(":") != orjson.dumps(data).count(b":"):
            return _UNDECIDED
    except Exception:  # its errors (and its depth bound): json decides and reports
        return _UNDECIDED
    return data


_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")


# Text the fast YAML reader leaves to PyYAML: tabs (the two read a tab after `:`
# differently), directives, line breaks YAML 1.1 has and 1.2 has not (NEL, LS, PS, a lone
# CR), and every character PyYAML refuses.
_YAML_SLOW_TEXT = re.compile(
    "[^\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    "|\r(?!\n)|^%", re.M)
# First characters of plain scalars PyYAML types (bool, int, float, null, merge, value),
# or refuses (`@`, backquote), as rapidyaml does not.
_TRIGGERS = frozenset("-+.0123456789<=FNOTYfnoty~@`") | {""}
_STR_TAG = "tag:yaml.org,2002:str"
_MAX_SIMPLE_KEY = 1000  # PyYAML refuses implicit keys over 1024 characters


def _needs_pyyaml(text: str) -> bool:
    if text.isascii():  # the common case, checked without a regex over the whole text
        if "\t" in text or text.startswith("%") or "\n%" in text:
            return True
        if "\r" in text:
            if text.count("\r") != text.count("\r\n"):
                return True
            text = text.replace("\r\n", "")
        return not text.replace("\n", "").isprintable()
    return _YAML_SLOW_TEXT.search(text) is not None


@functools.lru_cache(maxsize=4096)
def _yaml_tag(value: str) -> str:
    """The tag PyYAML (our _Loader) resolves a plain scalar to."""
    if value and value[0] in "@`":
        return "reserved"
    table = _Loader.yaml_implicit_resolvers
    for tag, regexp in table.get(value[:1], []) + table.get(None, []):
        if regexp.match(value):
            return str(tag)
    return _STR_TAG


def _parse_yaml_fast(text: str) -> Any:
    """rapidyaml's reading of ``text`` turned into PyYAML's, or _UNDECIDED.

    rapidyaml parses and emits JSON (C++), orjson reads that. What JSON loses is put back:
    a plain scalar that PyYAML types (``yes``, ``0x1F``, ``~``, a ``200:`` key) is looked up
    in the tree and typed as PyYAML types it. Anchors, aliases, tags, several documents,
    duplicate keys and anything else unusual go to PyYAML.
    """
    if ryml is None or _needs_pyyaml(text):
        return _UNDECIDED
    try:
        with sourcemap.quiet_stderr():  # rapidyaml prints its errors; PyYAML reports them
            tree = ryml.parse_in_arena(text.encode("utf-8"))
            node = _single_document(tree)
            if node is None or (any(c in text for c in "&*!") and _has_node_properties(tree)):
                return _UNDECIDED
            emitted = ryml.emit_json_malloc(tree, node)
        data = orjson.loads(emitted)
    except Exception:
        return _UNDECIDED
    if type(data) is not dict or emitted.count(":") != orjson.dumps(data).count(b":"):
        return _UNDECIDED  # not a mapping, or duplicate keys: PyYAML reports them
    try:
        _retype(tree, node, data)
    except _Undecided:
        return _UNDECIDED
    return data


class _Undecided(Exception):
    pass


def _single_document(tree: Any) -> int | None:
    root = tree.root_id()
    if (tree.type(root) & ryml.STREAM) == ryml.STREAM:  # STREAM has the SEQ bit
        if tree.num_children(root) != 1:
            return None
        root = tree.first_child(root)
    return int(root) if tree.type(root) & ryml.MAP else None


def _has_node_properties(tree: Any) -> bool:
    mask = (ryml.KEYANCH | ryml.VALANCH | ryml.KEYREF | ryml.VALREF | ryml.KEYTAG
            | ryml.VALTAG)
    kind = tree.type
    return any(kind(n) & mask for n in range(tree.size()))


# (container, index path of the container, [(index in it, key, is_key)])
_Group = tuple[Any, tuple[int, ...], list[tuple[int, Any, bool]]]


def _typed_by_pyyaml(value: str) -> bool:
    return value[:1] in _TRIGGERS and _yaml_tag(value) != _STR_TAG


def _candidates(data: dict[str, Any]) -> list[_Group]:
    """Keys and values JSON may have typed otherwise than PyYAML, grouped by container."""
    out: list[_Group] = []
    stack: list[tuple[Any, tuple[int, ...]]] = [(data, ())]
    typed = _typed_by_pyyaml
    while stack:
        node, path = stack.pop()
        found: list[tuple[int, Any, bool]] = []
        items = node.items() if type(node) is dict else enumerate(node)
        for i, (k, v) in enumerate(items):
            if type(k) is str and (len(k) > _MAX_SIMPLE_KEY or typed(k)):
                found.append((i, k, True))
            t = type(v)
            if t is str:
                if typed(v):
                    found.append((i, k, False))
            elif t is float:
                found.append((i, k, False))
            elif t is dict or t is list:
                stack.append((v, (*path, i)))
        if found:
            out.append((node, path, found))
    return out


def _retype(tree: Any, root: int, data: dict[str, Any]) -> None:
    nodes: dict[tuple[int, ...], int] = {(): root}
    child = tree.child

    def find(path: tuple[int, ...]) -> int:
        n = nodes.get(path)
        if n is None:
            n = nodes[path] = child(find(path[:-1]), path[-1])
        return n

    quoted_key = ryml.KEY_SQUO | ryml.KEY_DQUO | ryml.KEY_LITERAL | ryml.KEY_FOLDED
    quoted_val = ryml.VAL_SQUO | ryml.VAL_DQUO | ryml.VAL_LITERAL | ryml.VAL_FOLDED
    for container, path, found in _candidates(data):
        parent = find(path)
        renames: dict[Any, Any] = {}
        for i, key, is_key in found:
            n = child(parent, i)
            kind = tree.type(n)
            if is_key:
                if len(key) > _MAX_SIMPLE_KEY:
                    raise _Undecided
                if not kind & quoted_key:
                    renames[key] = _plain_scalar(str(tree.key(n), "utf-8"), key)
            elif not kind & quoted_val:
                container[key] = _plain_scalar(str(tree.val(n), "utf-8"), container[key])
            elif type(container[key]) is not str:
                raise _Undecided
        if renames:
            items = list(container.items())
            container.clear()
            for k, v in items:
                container[renames.get(k, k)] = v


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# rapidyaml's JSON writes a plain `inf`, `-Infinity`, `.NaN`... as one of these strings.
_RYML_FLOAT_WORDS = frozenset({".inf", "-.inf", ".nan"})


def _plain_scalar(raw: str, parsed: Any) -> Any:
    """PyYAML's value for a plain scalar that rapidyaml read as ``parsed``."""
    if type(parsed) is str and raw != parsed and parsed not in _RYML_FLOAT_WORDS:
        raise _Undecided
    tag = _yaml_tag(raw)
    if tag == _STR_TAG:
        return raw
    construct = _CONSTRUCTOR.yaml_constructors.get(tag)
    if construct is None or tag.endswith((":merge", ":value")):
        raise _Undecided
    return construct(_CONSTRUCTOR, yaml.ScalarNode(tag, raw))


def _find_key(text: str, key: str) -> tuple[int, int]:
    """Position of the second occurrence of a JSON key (good enough to point at a duplicate)."""
    needle = json.dumps(key) + ":"
    first = text.find(needle)
    second = text.find(needle, first + 1) if first >= 0 else -1
    compact = second if second >= 0 else max(first, 0)
    return sourcemap.offset_position(text, compact)


def read_source(path: Path, display: str,
                limits: Limits) -> tuple[SourceFile | None, Diagnostic | None]:
    """Read and decode a file within the size bound."""
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            return None, _diag(
                "E0002", f"file is {size:,} bytes, over the {limits.max_bytes:,}-byte limit",
                display, hint="API Gateway accepts definitions up to 6 MB; split the file or "
                "raise the limit with APIGWCTL_MAX_BYTES", line=1, col=1)
        with path.open("rb") as fh:
            # Sized to the file, not to the bound: read(n) reserves n bytes up front.
            raw = fh.read(min(size, limits.max_bytes) + 1)
            if len(raw) > size:  # it grew since stat
                raw += fh.read(limits.max_bytes + 1 - len(raw))
        if len(raw) > limits.max_bytes:
            return None, _diag(
                "E0002", f"file is over the {limits.max_bytes:,}-byte limit", display,
                hint="API Gateway accepts definitions up to 6 MB", line=1, col=1)
    except OSError as exc:
        return None, _diag("E0001", f"cannot read file: {exc.strerror or exc}", display,
                           hint="check the path and permissions")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, _diag("E0001", f"file is not UTF-8: byte 0x{raw[exc.start]:02x} cannot "
                           "be decoded", display, hint="save the file as UTF-8",
                           line=line, col=col)
    fmt = "json" if _looks_like_json(path, text) else "yaml"
    return SourceFile(path=path.resolve(), display=display, text=text, fmt=fmt), None


def detect_version(data: Mapping[str, Any]) -> tuple[SpecVersion, str, list[tuple[str, str]]]:
    """The document's OpenAPI version, and (rule, message) findings about how it is declared."""
    notes: list[tuple[str, str]] = []
    if "swagger" in data:
        raw = data["swagger"]
        if isinstance(raw, float) and raw == 2.0:
            notes.append(("W0021", "`swagger: 2.0` is a number, not the string \"2.0\""))
            return SpecVersion.SWAGGER2, "2.0", notes
        if raw == "2.0":
            return SpecVersion.SWAGGER2, "2.0", notes
        return SpecVersion.UNKNOWN, str(raw), notes
    if "openapi" in data:
        raw = data["openapi"]
        text = str(raw)
        if not isinstance(raw, str):
            notes.append(("W0021", f"`openapi: {text}` is a number, not a string"))
        if text.startswith("3.0"):
            return SpecVersion.OAS30, text, notes
        if text.startswith(("3.1", "3.2")):
            return SpecVersion.OAS31, text, notes
        return SpecVersion.UNKNOWN, text, notes
    return SpecVersion.UNKNOWN, "", notes


_CFN_BODIES = {
    "AWS::Serverless::Api": ("DefinitionBody", ApiKind.REST),
    "AWS::Serverless::HttpApi": ("DefinitionBody", ApiKind.HTTP),
    "AWS::ApiGateway::RestApi": ("Body", ApiKind.REST),
    "AWS::ApiGatewayV2::Api": ("Body", ApiKind.HTTP),
}


def embedded_bodies(data: Mapping[str, Any]) -> list[tuple[Pointer, Mapping[str, Any], ApiKind]]:
    """OpenAPI bodies inside a CloudFormation / SAM template, with their pointers."""
    out: list[tuple[Pointer, Mapping[str, Any], ApiKind]] = []
    resources = data.get("Resources")
    if not isinstance(resources, Mapping):
        return out
    for name, res in resources.items():
        if not isinstance(res, Mapping) or res.get("Type") not in _CFN_BODIES:
            continue
        prop, kind = _CFN_BODIES[res["Type"]]
        props = res.get("Properties")
        body = props.get(prop) if isinstance(props, Mapping) else None
        if isinstance(body, Mapping) and ("openapi" in body or "swagger" in body):
            out.append((("Resources", name, "Properties", prop), body, kind))
    return out


class _Session:
    """One load: the main file plus every file it references, each loaded once."""

    def __init__(self, root_dir: Path, limits: Limits) -> None:
        self.root_dir = root_dir.resolve()
        self.limits = limits
        self.diagnostics: list[Diagnostic] = []
        self.externals: dict[str, ExternalFile] = {}

    def parse(self, source: SourceFile) -> tuple[Any, DocScan] | None:
        try:
            data, _, dups = parse_text(source.path, source.text)
        except _ParseFailure as exc:
            self.diagnostics.append(_diag(exc.rule, exc.message, source.display,
                                          hint=exc.hint or "fix the syntax at this position",
                                          line=exc.line, col=exc.col))
            return None
        for key, line, col in dups:
            self.diagnostics.append(_diag(
                "E0006", f"duplicate key {key!r}: only the last value is kept",
                source.display, hint="remove or rename one of the duplicates", line=line,
                col=col))
        try:
            scan = scan_document(data, self.limits.max_depth, self.limits.max_nodes)
        except ScanLimitExceeded as exc:
            self.diagnostics.append(_diag(exc.rule, exc.message, source.display, exc.pointer,
                                          hint=exc.hint))
            return None
        return data, scan

    def resolve_refs(self, source: SourceFile, data: Any, scan: DocScan,
                     bases: tuple[Pointer, ...]) -> None:
        from apigwctl.spec.refs import check_refs  # local: refs needs the session type

        check_refs(self, source, data, scan, bases)


def load_spec(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> LoadResult:
    """Load a spec file (or a CloudFormation template embedding specs) and what it references."""
    p = Path(path)
    display = str(path)
    source, err = read_source(p, display, limits)
    if source is None:
        return LoadResult(display, None, (), diagnostics=(err,) if err else ())
    session = _Session(p.parent, limits)
    parsed = session.parse(source)
    docs: list[SpecDocument] = []
    scan = None
    if parsed is not None:
        data, scan = parsed
        docs = _documents(session, source, data, scan)
        session.resolve_refs(source, data, scan, tuple(d.base for d in docs) or ((),))
    return LoadResult(display, source, tuple(docs), session.externals,
                      tuple(session.diagnostics), scan)


def _documents(session: _Session, source: SourceFile, data: Any,
               scan: DocScan) -> list[SpecDocument]:
    if not isinstance(data, Mapping):
        what = type(data).__name__ if data is not None else "empty"
        session.diagnostics.append(_diag(
            "E0005", f"the document is {what}, not a mapping", source.display,
            hint="an OpenAPI document is a mapping with `openapi` or `swagger` at the top",
            line=1, col=1))
        return []
    bodies: list[tuple[Pointer, Mapping[str, Any], ApiKind | None]]
    if "openapi" in data or "swagger" in data:
        bodies = [((), data, None)]
    else:
        bodies = list(embedded_bodies(data))
    if not bodies:
        session.diagnostics.append(_diag(
            "E0022", "not an OpenAPI document: no `openapi` or `swagger` field",
            source.display, hint="add `openapi: \"3.0.3\"` (or `swagger: \"2.0\"`) at the top",
            line=1, col=1))
        return []
    docs = []
    for base, body, kind in bodies:
        version, text, notes = detect_version(body)
        key = "swagger" if "swagger" in body else "openapi"
        for rule, msg in notes:
            session.diagnostics.append(_diag(rule, msg, source.display, (*base, key),
                                             hint=f'quote it: {key}: "{text}"'))
        docs.append(SpecDocument(source, base, body, version, text,
                                 scan.within(base), kind))
    return docs
