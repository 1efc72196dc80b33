"""A small syntax checker for the Velocity (VTL 1.7) mapping templates API Gateway runs.

It does not evaluate anything. It finds the mistakes that make Velocity refuse a template,
which API Gateway only reports at request time (a 500 "Internal server error"):

- ``#if/#foreach/#macro/#define`` without a matching ``#end``, and ``#end`` with nothing open;
- ``#else``/``#elseif`` outside an ``#if``, or after that ``#if``'s ``#else``;
- a directive that needs arguments (``#set``, ``#if``...) without its ``( ... )``, or with
  unbalanced parentheses/brackets/braces or an unterminated string literal inside them;
- ``${...}`` / ``$!{...}`` never closed, and method calls (``$input.json('$'``) never closed;
- ``#* ... *#`` comments and ``#[[ ... ]]#`` unparsed blocks never closed.

Velocity treats anything that is not a directive or a reference as text, so a lone ``#``
(``"#ff0000"``) or ``$`` (``"$5"``) is fine, as are unknown ``#names`` (possible macro calls).
String literals follow Velocity 1.7: no backslash escapes; a doubled quote stays inside the
string, which for balance checking is the same as closing and reopening it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_OPENERS = frozenset({"if", "foreach", "macro", "define"})
_NEEDS_ARGS = frozenset({"set", "if", "elseif", "foreach", "macro", "define"})
_CLOSE = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True)
class VtlError:
    """One syntax problem; ``line``/``col`` are 1-based, inside the template text."""

    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, col {self.col}: {self.message}"


@dataclass
class _Block:
    name: str
    offset: int
    seen_else: bool = False


class _BalanceError(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


def _scan_balanced(text: str, start: int) -> int:
    """Offset just past the bracket group opening at ``start`` (strings skipped)."""
    stack = [(text[start], start)]
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch in "'\"":
            end = text.find(ch, i + 1)
            if end < 0:
                raise _BalanceError(i, "unterminated string literal")
            i = end + 1
            continue
        if ch in _CLOSE:
            stack.append((ch, i))
        elif ch in ")]}":
            opener, at = stack.pop()
            if _CLOSE[opener] != ch:
                line, col = _position(text, at)
                raise _BalanceError(i, f"{ch!r} does not match the {opener!r} at line {line}, "
                                    f"col {col}")
            if not stack:
                return i + 1
        i += 1
    opener, at = stack[-1]
    raise _BalanceError(at, f"{opener!r} is never closed")


@dataclass
class _Checker:
    text: str
    errors: list[tuple[int, str]] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)
    stopped: bool = False  # after an unbalanced group the rest cannot be read reliably

    def run(self) -> None:
        i = 0
        while i < len(self.text) and not self.stopped:
            ch = self.text[i]
            if ch == "\\" and self.text[i + 1:i + 2] in ("$", "#", "\\"):
                i += 2
            elif ch == "#":
                i = self._hash(i)
            elif ch == "$":
                i = self._reference(i)
            else:
                i += 1
        for block in [] if self.stopped else self.blocks:
            self.errors.append((block.offset, f"#{block.name} is never closed by #end"))

    def _until(self, start: int, marker: str, what: str) -> int:
        end = self.text.find(marker, start)
        if end < 0:
            self.errors.append((start, f"{what} is never closed by {marker!r}"))
            return len(self.text)
        return end + len(marker)

    def _hash(self, i: int) -> int:
        nxt = self.text[i + 1:i + 2]
        if nxt == "#":
            end = self.text.find("\n", i)
            return len(self.text) if end < 0 else end + 1
        if nxt == "*":
            return self._until(i + 2, "*#", "comment '#*'")
        if self.text.startswith("[[", i + 1):
            return self._until(i + 3, "]]#", "unparsed block '#[['")
        braced = nxt == "{"
        m = _NAME.match(self.text, i + 1 + braced)
        if m is None:
            return i + 1
        end = m.end()
        if braced:
            if self.text[end:end + 1] != "}":
                return i + 1
            end += 1
        return self._directive(i, m.group(), end)

    def _directive(self, start: int, name: str, end: int) -> int:
        if name in _NEEDS_ARGS:
            end = self._arguments(start, name, end)
        if name in _OPENERS:
            self.blocks.append(_Block(name, start))
        elif name in ("else", "elseif"):
            self._branch(start, name)
        elif name == "end":
            if self.blocks:
                self.blocks.pop()
            else:
                self.errors.append((start, "#end without an open #if/#foreach/#macro/#define"))
        return end

    def _branch(self, start: int, name: str) -> None:
        top = self.blocks[-1] if self.blocks else None
        if top is None or top.name != "if":
            inside = f" (inside #{top.name})" if top else ""
            self.errors.append((start, f"#{name} outside an #if{inside}"))
        elif top.seen_else:
            self.errors.append((start, f"#{name} after this #if's #else"))
        elif name == "else":
            top.seen_else = True

    def _arguments(self, start: int, name: str, end: int) -> int:
        j = end
        while j < len(self.text) and self.text[j] in " \t\r\n":
            j += 1
        if self.text[j:j + 1] != "(":
            self.errors.append((start, f"#{name} needs its arguments in parentheses: "
                                f"#{name}( ... )"))
            return end
        try:
            return _scan_balanced(self.text, j)
        except _BalanceError as exc:
            self.errors.append((exc.offset, f"in the arguments of #{name}: {exc.message}"))
            self.stopped = True
            return len(self.text)

    def _reference(self, i: int) -> int:
        j = i + 1 + (self.text[i + 1:i + 2] == "!")
        if self.text[j:j + 1] == "{":
            if _IDENT.match(self.text, j + 1) is None:
                return j
            return self._formal(i, j + 1)
        m = _IDENT.match(self.text, j)
        if m is None:
            return j
        j = m.end()
        while self.text[j:j + 1] == "." and (m := _IDENT.match(self.text, j + 1)) is not None:
            j = m.end()
            if self.text[j:j + 1] == "(":
                j = self._group(i, j, "method call")
        return j

    def _formal(self, ref_start: int, j: int) -> int:
        """``${...}``: up to its ``}`` on the same line (method arguments may hold anything)."""
        while j < len(self.text) and self.text[j] not in "}\n":
            j = self._group(ref_start, j, "method call") if self.text[j] == "(" else j + 1
        if self.text[j:j + 1] == "}":
            return j + 1
        if not self.stopped:
            self.errors.append((ref_start, "'${' is never closed by '}'"))
        return j

    def _group(self, ref_start: int, at: int, what: str) -> int:
        try:
            return _scan_balanced(self.text, at)
        except _BalanceError as exc:
            self.errors.append((exc.offset, f"in the {what} starting at "
                                f"{self._where(ref_start)}: {exc.message}"))
            self.stopped = True
            return len(self.text)

    def _where(self, offset: int) -> str:
        line, col = _position(self.text, offset)
        return f"line {line}, col {col}"


def _position(text: str, offset: int) -> tuple[int, int]:
    starts = [0] + [m.end() for m in re.finditer("\n", text)]
    line = bisect.bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


def check_vtl(text: str) -> list[VtlError]:
    """Syntax errors of the template ``text``, in order of position (empty when it parses)."""
    checker = _Checker(text)
    checker.run()
    out = []
    for offset, message in sorted(checker.errors):
        line, col = _position(text, offset)
        out.append(VtlError(line, col, message))
    return out
