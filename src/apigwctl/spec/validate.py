"""Validation: load -> structural OpenAPI checks -> API Gateway rules -> placed findings.

Input: a path (and optionally the API kind). Output: a :class:`FileReport` whose findings
are sorted, de-duplicated and each carries file, JSON pointer and line:col. Pure: no
network, no writes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from apigwctl.diagnostics import Diagnostic, Pointer
from apigwctl.spec.loader import (
    DEFAULT_LIMITS,
    ApiKind,
    ExternalFile,
    Limits,
    LoadResult,
    SourceFile,
    SpecDocument,
    load_spec,
)
from apigwctl.spec.rules import REGISTRY, all_rules, get_rule
from apigwctl.spec.rules.base import Rule, RuleContext
from apigwctl.spec.structure import structural_errors

STRUCTURE_RULE = "E0100"
_STAGE_VAR = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


@dataclass(frozen=True)
class StageVariableUse:
    name: str
    file: str
    pointer: Pointer
    line: int = 0
    col: int = 0


@dataclass(frozen=True)
class FileReport:
    path: str
    diagnostics: tuple[Diagnostic, ...]
    kinds: tuple[ApiKind, ...] = ()
    stage_variables: tuple[StageVariableUse, ...] = ()


_HTTP_MARKERS = ("x-amazon-apigateway-cors", "x-amazon-apigateway-importexport-version")
_REST_MARKERS = (
    "x-amazon-apigateway-request-validators", "x-amazon-apigateway-gateway-responses",
    "x-amazon-apigateway-binary-media-types", "x-amazon-apigateway-policy",
    "x-amazon-apigateway-api-key-source", "x-amazon-apigateway-minimum-compression-size",
    "x-amazon-apigateway-documentation",
)


def detect_kind(doc: SpecDocument) -> ApiKind:
    """REST unless the document carries HTTP-API markers and nothing REST-only.

    ``x-amazon-apigateway-integrations`` is decisive: REST import never reads it. Otherwise
    a document that mixes both kinds' markers is treated as REST (the API Gateway default
    for import_rest_api), so its HTTP-only extensions are reported as ignored. Fields both
    kinds accept (``passthroughBehavior`` is read by WebSocket and tolerated by HTTP
    import) are not markers.
    """
    if doc.kind_hint is not None:
        return doc.kind_hint
    names = {name for _, name in doc.scan.extensions}
    if "x-amazon-apigateway-integrations" in names:
        return ApiKind.HTTP
    http = bool(names & set(_HTTP_MARKERS))
    rest = bool(names & set(_REST_MARKERS))
    ctx = RuleContext(doc, ApiKind.REST)
    for integ in ctx.integrations:
        if "payloadFormatVersion" in integ.node or "integrationSubtype" in integ.node:
            http = True
        if any(k in integ.node for k in ("requestTemplates", "responses")):
            rest = True
    for _, scheme in ctx.security_schemes.values():
        authorizer = scheme.get("x-amazon-apigateway-authorizer")
        if isinstance(authorizer, Mapping) and str(authorizer.get("type")).lower() == "jwt":
            http = True
    return ApiKind.HTTP if http and not rest else ApiKind.REST


def _make(rule: type[Rule], doc: SpecDocument, pointer: Pointer, message: str,
          hint: str | None) -> Diagnostic:
    return Diagnostic(rule=rule.id, severity=rule.severity(), message=message,
                      file=doc.source.display, pointer=(*doc.base, *pointer),
                      hint=hint if hint is not None else rule.hint, doc_url=rule.doc_url)


def check_document(doc: SpecDocument, kind: ApiKind,
                   externals: Mapping[str, ExternalFile] | None = None,
                   rules: Sequence[type[Rule]] | None = None) -> list[Diagnostic]:
    """Unplaced findings for one document: structure first, then every applicable rule."""
    out: list[Diagnostic] = []
    intrinsic_roots = [p for p, _ in doc.scan.intrinsics]
    structure = get_rule(STRUCTURE_RULE)
    for ptr, msg in structural_errors(doc.data, doc.version, doc.source.path):
        if any(ptr[: len(r)] == r for r in intrinsic_roots):
            continue  # reported once, as an unresolved CloudFormation function
        out.append(_make(structure, doc, ptr, msg, None))
    ctx = RuleContext(doc, kind, externals)
    for rule in rules if rules is not None else all_rules():
        if rule.reported_by_loader or kind not in rule.kinds or rule.id == STRUCTURE_RULE:
            continue
        for f in rule().check(ctx):
            out.append(_make(rule, doc, f.pointer, f.message, f.hint))
    return out


def stage_variable_uses(doc: SpecDocument) -> list[StageVariableUse]:
    return [StageVariableUse(name, doc.source.display, (*doc.base, *ptr))
            for ptr, text in doc.scan.placeholders for name in _STAGE_VAR.findall(text)]


def positions(items: Sequence[tuple[str, Pointer]],
              sources: Iterable[SourceFile]) -> list[tuple[int, int]]:
    """line:col of each (file, pointer), computed in one pass per file."""
    by_file = {s.display: s for s in sources}
    todo: dict[str, list[Pointer]] = defaultdict(list)
    for file, ptr in items:
        if file in by_file:
            todo[file].append(ptr)
    found = {f: by_file[f].locate(ptrs) for f, ptrs in todo.items()}
    return [found.get(file, {}).get(tuple(str(t) for t in ptr), (0, 0)) for file, ptr in items]


def place(diagnostics: Iterable[Diagnostic], sources: Iterable[SourceFile],
          uses: Sequence[StageVariableUse] = ()) -> tuple[list[Diagnostic],
                                                          list[StageVariableUse]]:
    """Fill in line:col for findings (and stage-variable uses) that have only a pointer,
    in one pass per file."""
    diags = list(diagnostics)
    todo = [d for d in diags if d.line == 0]
    where = positions([(d.file, d.pointer) for d in todo] + [(u.file, u.pointer) for u in uses],
                      sources)
    at = dict(zip(map(id, todo), where[: len(todo)], strict=True))
    placed = [d.located(*at[id(d)]) if id(d) in at else d for d in diags]
    placed_uses = [replace(u, line=line, col=col)
                   for u, (line, col) in zip(uses, where[len(todo):], strict=True)]
    return placed, placed_uses


_UNEXPECTED = re.compile(
    r"^Additional properties are not allowed \('(?P<key>[^']+)' was unexpected\)$")


def _refine(d: Diagnostic) -> Diagnostic:
    """Point "unexpected property" findings at the property itself."""
    m = _UNEXPECTED.match(d.message)
    if m and d.line == 0:
        return replace(d, pointer=(*d.pointer, m["key"]))
    return d


def _documented(d: Diagnostic) -> Diagnostic:
    """Loader findings get their rule's link (and hint, if they have none) from the registry."""
    if d.doc_url is not None:
        return d
    all_rules()
    rule = REGISTRY.get(d.rule)
    if rule is None:
        return d
    return replace(d, doc_url=rule.doc_url, hint=d.hint or rule.hint)


def _related(a: Pointer, b: Pointer) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def drop_superseded(diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Remove E0100 findings that a more precise rule reports at the same place."""
    all_rules()
    claims = [(d, [re.compile(rx) for rx in REGISTRY[d.rule].supersedes])
              for d in diags if d.rule in REGISTRY and REGISTRY[d.rule].supersedes]
    if not claims:
        return list(diags)

    def superseded(d: Diagnostic) -> bool:
        return d.rule == STRUCTURE_RULE and any(
            c.file == d.file and _related(c.pointer, d.pointer)
            and any(rx.search(d.message) for rx in rxs) for c, rxs in claims)

    return [d for d in diags if not superseded(d)]


def _unique_sorted(diags: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    seen: dict[tuple[Any, ...], Diagnostic] = {}
    for d in diags:
        seen.setdefault((d.rule, d.file, d.pointer, d.line, d.col, d.message), d)
    return tuple(sorted(seen.values(), key=Diagnostic.sort_key))


def validate_loaded(loaded: LoadResult, kind: ApiKind | None = None,
                    rules: Sequence[type[Rule]] | None = None) -> FileReport:
    diags: list[Diagnostic] = list(loaded.diagnostics)
    kinds: list[ApiKind] = []
    uses: list[StageVariableUse] = []
    for doc in loaded.documents:
        doc_kind = kind or detect_kind(doc)
        kinds.append(doc_kind)
        diags.extend(check_document(doc, doc_kind, loaded.externals, rules))
        uses.extend(stage_variable_uses(doc))
    kept = drop_superseded([_documented(_refine(d)) for d in diags])
    placed, placed_uses = place(kept, loaded.sources, uses)
    return FileReport(loaded.path, _unique_sorted(placed), tuple(kinds), tuple(placed_uses))


def validate_path(path: str, kind: ApiKind | None = None, limits: Limits = DEFAULT_LIMITS,
                  rules: Sequence[type[Rule]] | None = None) -> FileReport:
    """Validate one file: every finding at once, each placed at file:line:col."""
    return validate_loaded(load_spec(path, limits), kind, rules)
