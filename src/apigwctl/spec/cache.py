"""A content-digest cache of validation results, so an unchanged spec is not validated again.

Input: the arguments of :func:`apigwctl.spec.validate.validate_path`. Output: the same
:class:`FileReport`, from ``.apigwctl/cache/`` (under the current directory, or
``APIGWCTL_CACHE_DIR``) when an entry matches, else computed and stored.
``APIGWCTL_NO_CACHE=1`` turns the cache off.

The key is a SHA-256 over the spec's bytes, its resolved path, the apigwctl version and the
rule set's identity (every registered rule, the checking libraries' versions, and the size
and mtime of every apigwctl source file, so an edited rule is a new rule set), the API kind,
the bounds and the rules asked for. A spec's findings also depend on the files its ``$ref``s
name, so the entry lists each of them with the digest of its bytes (or that it was missing)
and is used only while they all still match.

The cache directory may sit in a repository, so its content is untrusted: an entry is used
only if it carries the HMAC made with a per-user key (``$XDG_CACHE_HOME/apigwctl/cache-key``,
created on first use; no key, no cache), it is bounded in size, and anything unreadable,
malformed or foreign is ignored, never an error. Writes are atomic; old entries are pruned.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from apigwctl import __version__
from apigwctl.diagnostics import Diagnostic, Severity
from apigwctl.spec.loader import DEFAULT_LIMITS, ApiKind, Limits, LoadResult, load_spec
from apigwctl.spec.rules.base import Rule
from apigwctl.spec.validate import FileReport, StageVariableUse, validate_loaded

CACHE_DIR_ENV = "APIGWCTL_CACHE_DIR"
NO_CACHE_ENV = "APIGWCTL_NO_CACHE"
FORMAT = 1
MAX_ENTRIES = 256
MAX_ENTRY_BYTES = 64 * 1024 * 1024
_ENTRY_NAME = re.compile(r"^[0-9a-f]{64}\.json$")
_LIBRARIES = ("openapi-spec-validator", "jsonschema-rs", "jsonschema", "rapidyaml", "PyYAML",
              "orjson", "referencing", "jsonschema-path")


def cache_dir() -> Path | None:
    """Where entries live, or None when caching is turned off."""
    if os.environ.get(NO_CACHE_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        return None
    configured = os.environ.get(CACHE_DIR_ENV)
    return Path(configured) if configured else Path.cwd() / ".apigwctl" / "cache"


def cached_validate_path(path: str, kind: ApiKind | None = None,
                         limits: Limits = DEFAULT_LIMITS,
                         rules: Sequence[type[Rule]] | None = None) -> FileReport:
    """:func:`~apigwctl.spec.validate.validate_path`, answered from the cache when it can."""
    where = cache_dir()
    secret = _secret() if where is not None else None
    content = _read_bounded(Path(path), limits.max_bytes) if secret is not None else None
    if where is None or secret is None or content is None:
        return validate_loaded(load_spec(path, limits), kind, rules)
    key = entry_key(path, content, kind, limits, rules)
    hit = _lookup(where, key, secret, limits)
    if hit is not None:
        return hit
    loaded = load_spec(path, limits)
    report = validate_loaded(loaded, kind, rules)
    if _read_bounded(Path(path), limits.max_bytes) == content:  # unchanged while validating
        _store(where, key, secret, report, _referenced_files(loaded, limits))
    return report


def entry_key(path: str, content: bytes, kind: ApiKind | None, limits: Limits,
              rules: Sequence[type[Rule]] | None) -> str:
    h = hashlib.sha256()
    for part in (b"apigwctl-cache", str(FORMAT).encode(), hashlib.sha256(content).digest(),
                 str(Path(path).resolve()).encode(), path.encode(), rule_set_identity().encode(),
                 str(kind.value if kind else "auto").encode(), repr(limits).encode(),
                 ",".join(r.id for r in rules).encode() if rules is not None else b"*"):
        h.update(len(part).to_bytes(8, "big") + part)
    return h.hexdigest()


_IDENTITY: list[str] = []


def rule_set_identity() -> str:
    """What, besides the input, decides the findings: the code and the rules."""
    if not _IDENTITY:
        from importlib.metadata import PackageNotFoundError, version

        from apigwctl.spec.rules import all_rules

        h = hashlib.sha256(__version__.encode())
        for rule in all_rules():
            h.update(f"{rule.id}:{rule.__module__}.{rule.__qualname__}\n".encode())
        for lib in _LIBRARIES:
            try:
                h.update(f"{lib}={version(lib)}\n".encode())
            except PackageNotFoundError:
                h.update(f"{lib}=-\n".encode())
        package = Path(__file__).resolve().parents[1]
        for source in sorted(package.rglob("*.py")):
            st = source.stat()
            h.update(f"{source.relative_to(package)}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        _IDENTITY.append(h.hexdigest())
    return _IDENTITY[0]


# --------------------------------------------------------------------------- referenced files

def _referenced_files(loaded: LoadResult, limits: Limits) -> list[tuple[str, str | None]]:
    """Every local file a ``$ref`` of the spec (or of a file it references) names, with the
    digest of its bytes, or None if it was missing; files outside the spec's folder are
    never read (the loader refuses them whatever they hold)."""
    from apigwctl.spec.refs import _URL, split_ref

    if loaded.source is None or loaded.scan is None:
        return []
    root = loaded.source.path.parent
    found: dict[str, str | None] = {}
    sources = [(loaded.source.path, loaded.scan.refs)]
    sources += [(e.source.path, e.scan.refs) for e in loaded.externals.values()]
    for origin, refs in sources:
        for _, ref in refs:
            file, _ = split_ref(ref)
            if not file or _URL.match(ref):
                continue
            target = (origin.parent / file).resolve()
            if target.is_relative_to(root) and str(target) not in found:
                found[str(target)] = _digest(target, limits.max_bytes)
    return sorted(found.items())


def _digest(path: Path, max_bytes: int) -> str | None:
    content = _read_bounded(path, max_bytes)
    return None if content is None else hashlib.sha256(content).hexdigest()


def _read_bounded(path: Path, max_bytes: int) -> bytes | None:
    try:
        if not path.is_file() or path.stat().st_size > max_bytes:
            return None
        return path.read_bytes()
    except OSError:
        return None


# --------------------------------------------------------------------------- entries

def _secret() -> bytes | None:
    """The per-user HMAC key, created on first use; None if it cannot be had."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "apigwctl"
    key_file = base / "cache-key"
    try:
        data = key_file.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    try:
        base.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
        return key_file.read_bytes()
    except OSError:
        try:  # another process created it first
            data = key_file.read_bytes()
        except OSError:
            return None
        return data if len(data) >= 32 else None


def _mac(secret: bytes, body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()


def _lookup(where: Path, key: str, secret: bytes, limits: Limits) -> FileReport | None:
    try:
        entry_file = where / f"{key}.json"
        if not entry_file.is_file() or entry_file.stat().st_size > MAX_ENTRY_BYTES:
            return None
        entry = json.loads(entry_file.read_text(encoding="utf-8"))
        body, mac = entry["body"], entry["mac"]
        if not (isinstance(mac, str) and hmac.compare_digest(mac, _mac(secret, body))):
            return None
        if body["format"] != FORMAT or body["key"] != key:
            return None
        for name, digest in body["externals"]:
            if _digest(Path(name), limits.max_bytes) != digest:
                return None
        return _report_from_json(body["report"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return None  # corrupt, foreign or stale: validate again


def _store(where: Path, key: str, secret: bytes, report: FileReport,
           externals: list[tuple[str, str | None]]) -> None:
    body = {"format": FORMAT, "key": key, "externals": externals,
            "report": _report_to_json(report)}
    try:
        where.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"body": body, "mac": _mac(secret, body)}, ensure_ascii=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, where / f"{key}.json")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _prune(where)
    except (OSError, ValueError, TypeError):
        pass  # a read-only or full disk only costs the next run its speed


def _prune(where: Path) -> None:
    entries = [p for p in where.iterdir() if _ENTRY_NAME.match(p.name)]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for old in entries[: len(entries) - MAX_ENTRIES]:
        old.unlink(missing_ok=True)


# --------------------------------------------------------------------------- (de)serialising

def _report_to_json(report: FileReport) -> dict[str, Any]:
    return {
        "path": report.path,
        "diagnostics": [[d.rule, d.severity.value, d.message, d.file, list(d.pointer), d.line,
                         d.col, d.hint, d.doc_url] for d in report.diagnostics],
        "kinds": [k.value for k in report.kinds],
        "stage_variables": [[u.name, u.file, list(u.pointer), u.line, u.col]
                            for u in report.stage_variables],
    }


def _report_from_json(data: dict[str, Any]) -> FileReport:
    return FileReport(
        path=_str(data["path"]),
        diagnostics=tuple(_diagnostic(d) for d in data["diagnostics"]),
        kinds=tuple(ApiKind(_str(k)) for k in data["kinds"]),
        stage_variables=tuple(
            StageVariableUse(_str(name), _str(file), _pointer(ptr), _int(line), _int(col))
            for name, file, ptr, line, col in data["stage_variables"]),
    )


def _diagnostic(item: list[Any]) -> Diagnostic:
    rule, severity, message, file, pointer, line, col, hint, doc_url = item
    return Diagnostic(rule=_str(rule), severity=Severity(_str(severity)), message=_str(message),
                      file=_str(file), pointer=_pointer(pointer), line=_int(line),
                      col=_int(col), hint=_opt_str(hint), doc_url=_opt_str(doc_url))


def _pointer(value: Any) -> tuple[str | int, ...]:
    if not isinstance(value, list):
        raise TypeError("pointer")
    return tuple(_token(t) for t in value)


def _token(value: Any) -> str | int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError("pointer token")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("string")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("integer")
    return value


def entries(where: Path) -> Iterator[Path]:
    """The cache's entry files (for tools and tests)."""
    if where.is_dir():
        yield from (p for p in where.iterdir() if _ENTRY_NAME.match(p.name))
