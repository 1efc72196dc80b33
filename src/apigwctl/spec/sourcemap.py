"""Line:col positions for JSON pointers, computed lazily and in one pass per batch.

Parsing for values is done by the fastest parser available; positions are only needed when
there is a finding to place, so they are computed afterwards, for all findings of a file at
once. A pointer that does not exist (a missing property) is placed at its deepest existing
parent.

The fast locators only descend where a wanted pointer leads: in JSON, the members of the
objects and arrays on the way are read one by one and everything else is skipped by the C
scanner of the json module; in YAML, rapidyaml parses the text in place and the tree is
followed down, each node's position being where its key or value lies in the buffer. They
give the positions the reference locators give (libyaml's marks, or the JSON tokens), and
fall back to them for anything they do not read the same way (anchors, tags, flow
collections where a sequence item starts, JSON-like YAML).
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any, cast

import yaml

try:
    import ryml
except ImportError:  # pragma: no cover - rapidyaml missing: the reference locators serve
    ryml = None

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
                self.rec.visit((*cast(_Key, parent), str(top[2])), line, col)
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


def locate_yaml_events(text: str, wanted: Iterable[Pointer]) -> dict[_Key, Position]:
    """Positions of ``wanted`` pointers in YAML ``text`` from libyaml's event stream (the
    reference; it reads the whole text in Python objects)."""
    rec = _Recorder(wanted)
    walker = _Walker(rec)
    try:
        for ev in yaml.parse(text, Loader=_Parser):
            if isinstance(ev, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                walker.end()
            elif isinstance(ev, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                mark = ev.start_mark
                if mark is None:
                    continue
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


def locate_json_tokens(text: str, wanted: Iterable[Pointer]) -> dict[_Key, Position]:
    """Positions of ``wanted`` pointers in JSON ``text`` from a regex tokenizer (the
    reference; it also reads JSON-like YAML)."""
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


# --------------------------------------------------------------------------- fast locators

def locate_json(text: str, wanted: Iterable[Pointer]) -> dict[_Key, Position]:
    """Positions of ``wanted`` pointers in JSON ``text`` (1-based line and column)."""
    rec = _Recorder(wanted)
    if not rec.wanted:
        return {}
    offsets: dict[_Key, int] = {}
    try:
        _JsonLocator(text, rec, offsets).value(0, ())
    except (ValueError, IndexError, RecursionError):
        return locate_json_tokens(text, rec.wanted)
    rec.found = _line_cols(text, offsets)
    return rec.result()


def _line_cols(text: str, offsets: dict[_Key, int]) -> dict[_Key, Position]:
    """Character offsets to 1-based line:col, counting newlines once over the text."""
    where: dict[int, Position] = {}
    line, line_start, last = 1, 0, 0
    for offset in sorted(set(offsets.values())):
        newlines = text.count("\n", last, offset)
        if newlines:
            line += newlines
            line_start = text.rindex("\n", last, offset) + 1
        where[offset] = (line, offset - line_start + 1)
        last = offset
    return {k: where[off] for k, off in offsets.items()}


def _inner(wanted: set[_Key]) -> set[_Key]:
    """Paths with a wanted pointer strictly below them: the containers to read."""
    return {w[:i] for w in wanted for i in range(len(w))}


_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


class _JsonLocator:
    """Reads only the objects and arrays on the way to a wanted pointer; a member is placed
    at its key, an array item at its first character (as the token locator places them)."""

    def __init__(self, text: str, rec: _Recorder, offsets: dict[_Key, int]) -> None:
        self.text, self.offsets = text, offsets
        self.prefixes, self.inner = rec.prefixes, _inner(rec.wanted)

    def ws(self, i: int) -> int:
        m = _WS.match(self.text, i)
        return m.end() if m else i

    def value(self, i: int, path: _Key) -> int:
        """Read the value at ``i`` (after whitespace); the index after it."""
        i = self.ws(i)
        if path in self.prefixes:
            self.offsets.setdefault(path, i)
        return self.contents(i, path)

    def contents(self, i: int, path: _Key) -> int:
        if path in self.inner:
            char = self.text[i]
            if char == "{":
                return self.members(self.ws(i + 1), path)
            if char == "[":
                return self.items(self.ws(i + 1), path)
        return _DECODER.raw_decode(self.text, i)[1]

    def members(self, i: int, path: _Key) -> int:
        text = self.text
        if text[i] == "}":
            return i + 1
        while True:
            if text[i] != '"':
                raise ValueError("expected a key")
            key, end = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
            child = (*path, key)
            if child in self.prefixes:
                self.offsets.setdefault(child, i)
            end = self.ws(end)
            if text[end] != ":":
                raise ValueError("expected ':'")
            i = self.ws(self.contents(self.ws(end + 1), child))
            if text[i] == "}":
                return i + 1
            if text[i] != ",":
                raise ValueError("expected ','")
            i = self.ws(i + 1)

    def items(self, i: int, path: _Key) -> int:
        text = self.text
        if text[i] == "]":
            return i + 1
        index = 0
        while True:
            i = self.ws(self.value(i, (*path, str(index))))
            index += 1
            if text[i] == "]":
                return i + 1
            if text[i] != ",":
                raise ValueError("expected ','")
            i += 1


def locate_yaml(text: str, wanted: Iterable[Pointer]) -> dict[_Key, Position]:
    """Positions of ``wanted`` pointers in YAML ``text`` (1-based line and column)."""
    rec = _Recorder(wanted)
    if not rec.wanted:
        return {}
    if ryml is not None:
        raw = text.encode("utf-8")
        try:
            offsets = _YamlLocator(raw, rec).run()
        except _Fallback:
            pass
        else:
            rec.found = _byte_line_cols(raw, offsets)
            return rec.result()
    return locate_yaml_events(text, rec.wanted)


@contextlib.contextmanager
def quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 (rapidyaml writes its parse errors there before raising;
    the error is reported from PyYAML instead, with our wording and position)."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class _Fallback(Exception):
    """The fast YAML locator would not place this the way libyaml does."""


class _PyBuffer(ctypes.Structure):
    _fields_ = [("buf", ctypes.c_void_p), ("obj", ctypes.c_void_p), ("len", ctypes.c_ssize_t),
                ("itemsize", ctypes.c_ssize_t), ("readonly", ctypes.c_int),
                ("ndim", ctypes.c_int), ("format", ctypes.c_char_p),
                ("shape", ctypes.c_void_p), ("strides", ctypes.c_void_p),
                ("suboffsets", ctypes.c_void_p), ("internal", ctypes.c_void_p)]


_get_buffer = ctypes.pythonapi.PyObject_GetBuffer
_get_buffer.argtypes = [ctypes.py_object, ctypes.POINTER(_PyBuffer), ctypes.c_int]
_release_buffer = ctypes.pythonapi.PyBuffer_Release
_release_buffer.argtypes = [ctypes.POINTER(_PyBuffer)]


def _address(obj: Any) -> int:
    """Where a buffer's memory starts (rapidyaml hands out views into the parsed text)."""
    view = _PyBuffer()
    _get_buffer(obj, ctypes.byref(view), 0)
    try:
        return int(view.buf or 0)
    finally:
        _release_buffer(ctypes.byref(view))


class _YamlLocator:
    """Follows wanted pointers down a rapidyaml tree parsed in place; a map member is placed
    at its key, a sequence item at its scalar or at the first key of its block mapping
    (where libyaml's marks are). A quoted scalar starts at its quote."""

    def __init__(self, raw: bytes, rec: _Recorder) -> None:
        self.raw = raw
        self.buf = bytearray(raw)
        self.rec, self.inner = rec, _inner(rec.wanted)
        self.offsets: dict[_Key, int] = {}
        self.base = _address(self.buf)

    def run(self) -> dict[_Key, int]:
        try:
            with quiet_stderr():
                tree = ryml.parse_in_place(self.buf)
        except Exception:
            raise _Fallback from None
        self.tree = tree
        root = tree.root_id()
        if (tree.type(root) & ryml.STREAM) == ryml.STREAM:  # STREAM has the SEQ bit
            if tree.num_children(root) != 1:
                raise _Fallback
            root = tree.first_child(root)
        self.offsets[()] = self.item_offset(root)
        if () in self.inner:
            self.walk(root, ())
        return self.offsets

    def walk(self, node: int, path: _Key) -> None:
        tree, prefixes, inner = self.tree, self.rec.prefixes, self.inner
        is_map = tree.is_map(node)
        child = tree.first_child(node)
        index = 0
        while child != ryml.NONE:
            kind = tree.type(child)
            token = str(tree.key(child), "utf-8") if is_map else str(index)
            sub = (*path, token)
            if sub in prefixes and sub not in self.offsets:
                self.offsets[sub] = self.key_offset(child) if is_map else self.item_offset(child)
                if sub in inner and kind & (ryml.MAP | ryml.SEQ):
                    self.walk(child, sub)
            child = tree.next_sibling(child)
            index += 1

    def offset(self, view: Any) -> int:
        off = _address(view) - self.base
        if not 0 <= off <= len(self.buf):
            raise _Fallback
        return off

    def key_offset(self, node: int) -> int:
        kind = self.tree.type(node)
        if kind & (ryml.KEY_LITERAL | ryml.KEY_FOLDED | ryml.KEYANCH | ryml.KEYTAG | ryml.KEYREF):
            raise _Fallback
        quoted = 1 if kind & (ryml.KEY_SQUO | ryml.KEY_DQUO) else 0
        return self.offset(self.tree.key(node)) - quoted

    def item_offset(self, node: int) -> int:
        tree = self.tree
        kind = tree.type(node)
        if kind & _PROPERTIES:
            raise _Fallback
        if kind & ryml.MAP:
            first = tree.first_child(node)
            if first == ryml.NONE:
                raise _Fallback
            offset = self.key_offset(first)
            # libyaml starts a block mapping at its first key; a flow mapping at `{`, an
            # explicit key at `?`: only the first is read here.
            line_start = self.raw.rfind(b"\n", 0, offset) + 1
            if self.raw[line_start:offset].strip(b" -"):
                raise _Fallback
            return offset
        if kind & ryml.SEQ or not kind & ryml.VAL or tree.val_is_null(node):
            raise _Fallback
        if kind & (ryml.VAL_LITERAL | ryml.VAL_FOLDED):
            raise _Fallback
        quoted = 1 if kind & (ryml.VAL_SQUO | ryml.VAL_DQUO) else 0
        return self.offset(tree.val(node)) - quoted


_PROPERTIES = 0 if ryml is None else (
    ryml.KEYANCH | ryml.VALANCH | ryml.KEYREF | ryml.VALREF | ryml.KEYTAG | ryml.VALTAG)


def _byte_line_cols(raw: bytes, offsets: dict[_Key, int]) -> dict[_Key, Position]:
    """Byte offsets to 1-based line:col, the column counted in characters as libyaml does."""
    where: dict[int, Position] = {}
    line, line_start, last = 1, 0, 0
    for offset in sorted(set(offsets.values())):
        newlines = raw.count(b"\n", last, offset)
        if newlines:
            line += newlines
            line_start = raw.rindex(b"\n", last, offset) + 1
        where[offset] = (line, len(raw[line_start:offset].decode("utf-8", "replace")) + 1)
        last = offset
    return {k: where[off] for k, off in offsets.items()}
