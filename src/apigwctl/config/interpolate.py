"""``${env:NAME}`` interpolation in every string value of the deployment file.

Input: the parsed data and an environment. Output: a copy with each ``${env:NAME}``
replaced, and the problems found, each at the pointer of its string. ``$${...}`` is the
escape for a literal ``${...}``. Every other ``${...}`` is an error rather than left as
text, so a typo never reaches AWS; ``${file:...}`` is reserved for API keys (a later release).
Keys are never interpolated: they are names (stages, tags, variables) AWS checks as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apigwctl.diagnostics import Pointer

ENV_UNSET = "E3010"
BAD_INTERPOLATION = "E3011"

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Problem:
    rule: str
    pointer: Pointer
    message: str
    hint: str


def interpolate(data: Any, env: Mapping[str, str]) -> tuple[Any, list[Problem]]:
    """``data`` with every string value interpolated from ``env``, and the problems found."""
    problems: list[Problem] = []
    return _walk(data, (), env, problems), problems


def _walk(node: Any, pointer: Pointer, env: Mapping[str, str], problems: list[Problem]) -> Any:
    if isinstance(node, str):
        return _string(node, pointer, env, problems) if "${" in node else node
    if isinstance(node, dict):
        return {k: _walk(v, (*pointer, str(k)), env, problems) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, (*pointer, i), env, problems) for i, v in enumerate(node)]
    return node


def _string(text: str, pointer: Pointer, env: Mapping[str, str],
            problems: list[Problem]) -> str:
    def replace(m: re.Match[str]) -> str:
        if m[0] == "$${":
            return "${"
        if m[1] is None:
            problems.append(Problem(
                BAD_INTERPOLATION, pointer, "unterminated `${` (no closing `}`)",
                "close it as `${env:NAME}`, or write `$${` for a literal `${`"))
            return m[0]
        problem = _token_problem(m[1], pointer, env)
        if problem is not None:
            problems.append(problem)
            return m[0]
        return env[m[1][4:]]

    return _TOKEN.sub(replace, text)


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
                       f"`${{{inner}}}`: `${{file:...}}` is reserved for API keys and not "
                       "supported yet", "use `${env:NAME}` for now, or `$${...}` for the "
                       "literal text")
    what = f"`${{{kind}:...}}`" if sep else f"`${{{inner}}}`"
    return Problem(BAD_INTERPOLATION, pointer,
                   f"unsupported interpolation {what}: only `${{env:NAME}}` is known",
                   "write `${env:NAME}`, or `$${...}` for the literal text")
