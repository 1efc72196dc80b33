"""``${env:NAME}`` interpolation in every string value of the deployment file, and
``${file:PATH}`` in API key values.

Input: the parsed data, an environment and the deployment file's folder. Output: a copy with
each ``${env:NAME}`` replaced, and the problems found, each at the pointer of its string.
``$${...}`` is the escape for a literal ``${...}``. Every other ``${...}`` is an error rather
than left as text, so a typo never reaches AWS.

``${file:PATH}`` is allowed only in ``api_keys.<name>.value`` (a secret kept out of the file):
PATH is relative to the deployment file and must stay inside its folder (no absolute path,
no ``..``, no symlink leading out), so a shared deployment file cannot read arbitrary files.
One trailing newline is dropped (editors add one). Problems never show the value.
Keys are never interpolated: they are names (stages, tags, variables) AWS checks as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from apigwctl.diagnostics import Pointer

ENV_UNSET = "E3010"
BAD_INTERPOLATION = "E3011"
FILE_UNREADABLE = "E3012"
MAX_FILE_BYTES = 4096  # a key value is at most 128 characters; anything far longer is not one

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Problem:
    rule: str
    pointer: Pointer
    message: str
    hint: str


@dataclass(frozen=True)
class _Context:
    env: Mapping[str, str]
    base: Path | None  # the deployment file's folder; None: ${file:} is not available
    problems: list[Problem]


def interpolate(data: Any, env: Mapping[str, str],
                base: Path | None = None) -> tuple[Any, list[Problem]]:
    """``data`` with every string value interpolated from ``env`` (and, in API key values,
    files under ``base``), and the problems found."""
    ctx = _Context(env, base, [])
    return _walk(data, (), ctx), ctx.problems


def is_key_value(pointer: Pointer) -> bool:
    """``api_keys.<name>.value``: the one place ``${file:PATH}`` may be used."""
    return len(pointer) == 3 and pointer[0] == "api_keys" and pointer[2] == "value"


def _walk(node: Any, pointer: Pointer, ctx: _Context) -> Any:
    if isinstance(node, str):
        return _string(node, pointer, ctx) if "${" in node else node
    if isinstance(node, dict):
        return {k: _walk(v, (*pointer, str(k)), ctx) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, (*pointer, i), ctx) for i, v in enumerate(node)]
    return node


def _string(text: str, pointer: Pointer, ctx: _Context) -> str:
    def replace(m: re.Match[str]) -> str:
        if m[0] == "$${":
            return "${"
        if m[1] is None:
            ctx.problems.append(Problem(
                BAD_INTERPOLATION, pointer, "unterminated `${` (no closing `}`)",
                "close it as `${env:NAME}`, or write `$${` for a literal `${`"))
            return m[0]
        value, problem = _resolve(m[1], pointer, ctx)
        if problem is not None:
            ctx.problems.append(problem)
            return m[0]
        return value

    return _TOKEN.sub(replace, text)


def _resolve(inner: str, pointer: Pointer, ctx: _Context) -> tuple[str, Problem | None]:
    """The text of one ``${inner}``, or the problem with it."""
    if inner.startswith("file:") and is_key_value(pointer) and ctx.base is not None:
        return _read_file(inner[5:], pointer, ctx.base)
    problem = _token_problem(inner, pointer, ctx.env)
    return ("", problem) if problem else (ctx.env[inner[4:]], None)


_INSIDE = "name a file inside the deployment file's folder, relative to it"
_ONLY_VALUE = "put only the key's value in the file"
Why = tuple[str, str]  # what is wrong, and the hint


def _read_file(name: str, pointer: Pointer, base: Path) -> tuple[str, Problem | None]:
    """The text of ``${file:name}`` under ``base``, one trailing newline dropped."""
    why = _path_problem(name)
    text = ""
    if why is None:
        text, why = _read_inside(base, name)
    if why is not None:
        return "", Problem(FILE_UNREADABLE, pointer, f"`${{file:{name}}}`: {why[0]}", why[1])
    return _drop_one_newline(text), None


def _path_problem(name: str) -> Why | None:
    """Refuse, before touching the disk, a path that could leave the folder."""
    if not name:
        return "no file named", "write `${file:keys/NAME.txt}`"
    if (PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute()
            or PureWindowsPath(name).drive):
        return "an absolute path is not allowed", _INSIDE
    if ".." in PurePosixPath(name.replace("\\", "/")).parts:
        return "`..` is not allowed: the file must be inside the deployment file's folder", \
            _INSIDE
    return None


def _read_inside(base: Path, name: str) -> tuple[str, Why | None]:
    """Read at most MAX_FILE_BYTES + 1 bytes of ``base/name``, if it resolves inside base."""
    root = base.resolve()
    try:
        resolved = (base / name).resolve(strict=True)
        if resolved != root and root not in resolved.parents:
            return "", ("it leads out of the deployment file's folder (a symlink)", _INSIDE)
        with resolved.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return "", ("no such file", f"create {name} next to the deployment file")
    except OSError as exc:
        return "", (f"cannot be read ({exc.strerror or type(exc).__name__})",
                    "check the file's permissions")
    if len(raw) > MAX_FILE_BYTES:
        return "", (f"the file is over {MAX_FILE_BYTES} bytes: not an API key value", _ONLY_VALUE)
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        return "", ("the file is not UTF-8 text", _ONLY_VALUE)


def _drop_one_newline(text: str) -> str:
    for ending in ("\r\n", "\n"):
        if text.endswith(ending):
            return text[:-len(ending)]
    return text


def _token_problem(inner: str, pointer: Pointer, env: Mapping[str, str]) -> Problem | None:
    kind, sep, name = inner.partition(":")
    if kind == "env" and sep:
        if not _ENV_NAME.match(name):
            return Problem(BAD_INTERPOLATION, pointer,
                           f"`${{{inner}}}`: {name!r} is not an environment variable name",
                           "use letters, digits and _ (not starting with a digit)")
        if name not in env:
            return Problem(ENV_UNSET, pointer,
                           f"environment variable {name} is not set (`${{env:{name}}}`)",
                           f"export {name}=... before running apigwctl, or write "
                           f"`$${{env:{name}}}` for the literal text")
        return None
    if kind == "file" and sep:
        return Problem(BAD_INTERPOLATION, pointer,
                       f"`${{{inner}}}`: `${{file:...}}` is only allowed in an API key's value "
                       "(api_keys.<name>.value)", "use `${env:NAME}` here, or `$${...}` for "
                       "the literal text")
    what = f"`${{{kind}:...}}`" if sep else f"`${{{inner}}}`"
    return Problem(BAD_INTERPOLATION, pointer,
                   f"unsupported interpolation {what}: only `${{env:NAME}}` (and "
                   "`${file:PATH}` in API key values) are known",
                   "write `${env:NAME}`, or `$${...}` for the literal text")
