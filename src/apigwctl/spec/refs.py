"""``$ref`` policy and resolution.

Allowed: local refs (``#/components/...``) and relative files under the spec's own folder,
each loaded once. Refused with a finding: URLs (no network) and paths outside that folder
(no reading arbitrary files). Unresolvable targets are findings too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from apigwctl.diagnostics import Diagnostic, Pointer, Severity, parse_pointer
from apigwctl.spec.scan import DocScan

if TYPE_CHECKING:
    from apigwctl.spec.loader import SourceFile, _Session

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")
_MAX_FILES = 200


def split_ref(ref: str) -> tuple[str, str]:
    """``file#/pointer`` -> (file, fragment); either may be empty."""
    file, _, frag = ref.partition("#")
    return unquote(file), frag


def follow(data: Any, fragment: str) -> tuple[bool, Any]:
    """Value at a JSON pointer fragment, as (found, value)."""
    try:
        tokens = parse_pointer(fragment)
    except ValueError:
        return False, None
    node = data
    for tok in tokens:
        if isinstance(node, Mapping) and tok in node:
            node = node[tok]
        elif isinstance(node, Mapping) and tok.isdigit() and int(tok) in node:
            node = node[int(tok)]  # YAML int keys such as responses: {200: ...}
        elif isinstance(node, list) and tok.isdigit() and int(tok) < len(node):
            node = node[int(tok)]
        else:
            return False, None
    return True, node


def _finding(rule: str, msg: str, source: SourceFile, ptr: Pointer, hint: str) -> Diagnostic:
    return Diagnostic(rule=rule, severity=Severity.from_letter(rule[0]), message=msg,
                      file=source.display, pointer=(*ptr, "$ref"), hint=hint)


def _doc_root(data: Any, bases: tuple[Pointer, ...], ptr: Pointer) -> Any:
    """The document a local ref is relative to: the embedded body that holds it, if any."""
    for base in sorted(bases, key=len, reverse=True):
        if ptr[: len(base)] == base:
            return follow(data, "".join("/" + str(t).replace("~", "~0").replace("/", "~1")
                                        for t in base))[1]
    return data


def check_refs(session: _Session, source: SourceFile, data: Any, scan: DocScan,
               bases: tuple[Pointer, ...] = ((),)) -> None:
    """Check every ``$ref`` of one file, loading referenced files (recursively, once each)."""
    cycles_seen: set[frozenset[str]] = set()
    for ptr, ref in scan.refs:
        file, frag = split_ref(ref)
        if _URL.match(ref):
            session.diagnostics.append(_finding(
                "E0010", f"remote $ref refused: {ref}", source, ptr,
                "apigwctl never fetches from the network: download the file next to the spec "
                "and reference it by relative path"))
            continue
        if not file:
            root = _doc_root(data, bases, ptr)
            found, target = follow(root, frag)
            if not found:
                session.diagnostics.append(_finding(
                    "E0012", f"$ref target not found: {ref}", source, ptr,
                    "check the spelling of the component name"))
            else:
                _check_cycle(session, source, ptr, ref, root=root, target=target,
                             seen=cycles_seen)
            continue
        target = _load_external(session, source, ptr, file)
        if target is not None:
            found, _ = follow(target.data, frag)
            if not found:
                session.diagnostics.append(_finding(
                    "E0012", f"$ref target not found: {ref}", source, ptr,
                    f"{file} has no {frag or 'document'}"))


def _check_cycle(session: _Session, source: SourceFile, ptr: Pointer, ref: str, *, root: Any,
                 target: Any, seen: set[frozenset[str]]) -> None:
    """A chain of local refs that only point at each other resolves to nothing."""
    chain = [ref]
    while isinstance(target, Mapping) and isinstance(target.get("$ref"), str):
        nxt = target["$ref"]
        file, frag = split_ref(nxt)
        if file:
            return
        if nxt in chain:
            cycle = frozenset(chain[chain.index(nxt):])
            if cycle not in seen:
                seen.add(cycle)
                session.diagnostics.append(_finding(
                    "E0013", f"$ref cycle: {' -> '.join([*chain, nxt])}", source, ptr,
                    "one of these components must hold a definition, not only a $ref"))
            return
        chain.append(nxt)
        found, target = follow(root, frag)
        if not found or len(chain) > 64:
            return


def _load_external(session: _Session, source: SourceFile, ptr: Pointer, file: str) -> Any:
    from apigwctl.spec.loader import ExternalFile, read_source

    base = source.path.parent
    path = (base / file).resolve()
    if not _is_within(path, session.root_dir):
        session.diagnostics.append(_finding(
            "E0011", f"$ref outside the spec's folder refused: {file}", source, ptr,
            f"references may only point to files under {session.root_dir}"))
        return None
    key = str(path)
    if key in session.externals:
        return session.externals[key]
    if len(session.externals) >= _MAX_FILES or not path.is_file():
        session.diagnostics.append(_finding(
            "E0012", f"$ref file not found: {file}", source, ptr,
            "the path is relative to the file that holds the $ref"))
        return None
    display = _display(path, source)
    ext_source, err = read_source(path, display, session.limits)
    if ext_source is None:
        if err:
            session.diagnostics.append(err)
        return None
    parsed = session.parse(ext_source)
    if parsed is None:
        return None
    ext = ExternalFile(ext_source, parsed[0], parsed[1])
    session.externals[key] = ext
    check_refs(session, ext_source, ext.data, ext.scan)
    return ext


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _display(path: Path, source: SourceFile) -> str:
    """Show a referenced file relative to the referencing file's display folder."""
    shown_parent = Path(source.display).parent
    try:
        rel = path.relative_to(source.path.parent)
    except ValueError:
        return str(path)
    return str(shown_parent / rel)
