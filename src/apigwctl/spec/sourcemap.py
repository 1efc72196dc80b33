"""Line:col positions for JSON pointers, computed lazily and in one pass per batch.

Parsing for values is done by the fastest parser available; positions are only needed when
there is a finding to place, so they are computed afterwards, for all findings of a file at
once, by walking the token stream (YAML events from libyaml, or a regex JSON tokenizer).
A pointer that does not exist (a missing property) is placed at its deepest existing parent.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable

import yaml

from apigwctl.diagnostics import Pointer

Position = tuple[int, int]
_Key = tuple[str, ...]

try:
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Parser = yaml.SafeLoader


def _norm(pointer: Pointer) -> _Key:
    return tuple(str(t) for t in pointer)


class _Recorder:
    """Records the position of every node whose path is a prefix of a wanted pointer."""

    def __init__(self, wanted: Iterable[Pointer]) -> None:
        self.wanted = {_norm(p) for p in wanted}
        self.prefixes: set[_Key] = {w[:i] for w in self.wanted for i in range(len(w) + 1)}
        self.found: dict[_Key, Position] = {}

    def visit(self, path: _Key, line: int, col: int) -> None:
        if path in self.prefixes and path not in self.found:
            self.found[path] = (line, col)

    def result(self) -> dict[_Key, Position]:
        out: dict[_Key, Position] = {}
        for w in self.wanted:
            for i in range(len(w), -1, -1):
                pos = self.found.get(w[:i])
                if pos is not None:
                    out[w] = pos
                    break
            else:
                out[w] = (1, 1)
        return out


class _Walker:
    """Tracks the JSON-pointer path of each node start in a stream of parse events."""

    def __init__(self, rec: _Recorder) -> None:
        self.rec = rec
        # Frames: [is_map, path (None inside a complex key), seq index or current key, expect_key]
        self.stack: list[list[object]] = []

    def start(self, line: int, col: int, key: str | None, container: str | None) -> None:
        """A node starts; ``key`` is its text if it is a scalar; container is map/seq/None."""
        top = self.stack[-1] if self.stack else None
        path: _Key | None
        if top is not None and top[0] and top[3]:
            parent = top[1]
            top[2], top[3] = (key if key is not None else "?"), False
            if parent is not None:
                self.rec.visit((*parent, str(top[2])), line, col)
            if container is not None:
                self.stack.append([container == "map", None, 0, True])
            return
        if top is None:
            path = ()
        else:
            parent = top[1]
            if top[0]:
                tok, top[3] = str(top[2]), True
            else:
                idx = top[2]
                assert isinstance(idx, int)
                tok, top[2] = str(idx), idx + 1
            path = None if parent is None else (*parent, tok)  # type: ignore[misc]
        if path is not None:
            self.rec.visit(path, line, col)
        if container is not None:
            self.stack.append([container == "map", path, 0, True])

    def end(self) -> None:
        if self.stack:
            self.stack.pop()


def locate_yaml(text: str, wanted: Iterable[Pointer]) -> dict[_Key, Position]:
    """Positions of ``wanted`` pointers in YAML ``text`` (1-based line and column)."""
    rec = _Recorder(wanted)
    walker = _Walker(rec)
    try:
        for ev in yaml.parse(text, Loader=_Parser):
            if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                walker.end()
            elif isinstance(ev, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                mark = ev.start_mark
                container = ("map" if isinstance(ev, yaml.MappingStartEvent)
                             else "seq" if isinstance(ev, yaml.SequenceStartEvent) else None)
                key = ev.value if isinstance(ev, yaml.ScalarEvent) else None
                walker.start(mark.line + 1, mark.column + 1, key, container)
    except yaml.YAMLError:
        pass  # positions found so far are still right; parse errors are reported elsewhere
    return rec.result()


_JSON_TOKEN = re.compile(
    r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|\S',
)


def _json_key(raw: str) -> str:
    try:
        value = json.loads(raw)
    except ValueError:
        return raw[1:-1]
    return str(value)


def locate_json(text: str, wanted: Iterable[Pointer]) -> dict[_Key, Position]:
    """Positions of ``wanted`` pointers in JSON ``text``: one regex pass, no tree built."""
    rec = _Recorder(wanted)
    walker = _Walker(rec)
    line_starts = _line_starts(text)
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        if tok in ",:":
            continue
        if tok in "}]":
            walker.end()
            continue
        container = "map" if tok == "{" else "seq" if tok == "[" else None
        key = _json_key(tok) if tok.startswith('"') else tok
        walker.start(*_pos(line_starts, m.start()), key, container)
    return rec.result()


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def _pos(line_starts: list[int], offset: int) -> Position:
    line = bisect.bisect_right(line_starts, offset)
    return line, offset - line_starts[line - 1] + 1


def offset_position(text: str, offset: int) -> Position:
    """1-based line:col of a character offset."""
    return _pos(_line_starts(text), offset)
