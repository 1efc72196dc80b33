"""Findings: what is wrong, where (file, JSON pointer, line:col), and what to do about it.

Every stage that inspects user input reports :class:`Diagnostic` values; parse errors are
diagnostics too, so a user sees every problem at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum

PointerPart = str | int
Pointer = tuple[PointerPart, ...]


class Severity(str, Enum):
    """Severity, ordered ERROR > WARNING > INFO; the letter starts every rule id."""

    ERROR = "ERROR"
    WARNING = "WARNING"
    INFO = "INFO"

    @property
    def letter(self) -> str:
        return self.value[0]

    @property
    def rank(self) -> int:
        return {"ERROR": 2, "WARNING": 1, "INFO": 0}[self.value]

    @classmethod
    def from_letter(cls, letter: str) -> Severity:
        return {"E": cls.ERROR, "W": cls.WARNING, "I": cls.INFO}[letter]


def escape_token(token: PointerPart) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_str(pointer: Pointer) -> str:
    """RFC 6901 text form of a pointer given as a tuple of tokens."""
    return "".join("/" + escape_token(t) for t in pointer)


def parse_pointer(text: str) -> tuple[str, ...]:
    """Inverse of :func:`pointer_str` (tokens stay strings)."""
    if text in ("", "#"):
        return ()
    text = text.removeprefix("#")
    if not text.startswith("/"):
        raise ValueError(f"not a JSON pointer: {text!r}")
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in text[1:].split("/"))


@dataclass(frozen=True)
class Diagnostic:
    """One finding. ``line``/``col`` are 1-based; 0 means "unknown"."""

    rule: str
    severity: Severity
    message: str
    file: str
    pointer: Pointer = ()
    line: int = 0
    col: int = 0
    hint: str | None = None
    doc_url: str | None = None

    @property
    def pointer_text(self) -> str:
        return pointer_str(self.pointer)

    def located(self, line: int, col: int) -> Diagnostic:
        return replace(self, line=line, col=col)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.col, self.rule, self.message)

    def to_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "file": self.file,
            "pointer": self.pointer_text,
            "line": self.line,
            "col": self.col,
            "message": self.message,
            "hint": self.hint,
            "doc_url": self.doc_url,
        }


@dataclass(frozen=True)
class Summary:
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    files: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, diagnostics: Iterable[Diagnostic], files: int) -> Summary:
        diags = list(diagnostics)
        sev = Counter(d.severity for d in diags)
        return cls(
            errors=sev[Severity.ERROR],
            warnings=sev[Severity.WARNING],
            infos=sev[Severity.INFO],
            files=files,
            by_rule=dict(sorted(Counter(d.rule for d in diags).items())),
        )


def has_errors(diagnostics: Sequence[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)
