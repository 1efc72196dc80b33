"""The deployment file's JSON Schema (``schema.json``, shipped in the package) and its errors.

Input: parsed (interpolated) data. Output: :class:`SchemaProblem` values, each with the
pointer of the offending key or value, a message naming it by its dotted path, and a hint
(the closest allowed key for a misspelt one). jsonschema-rs does the validating; only the
wording is ours.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from apigwctl.diagnostics import Pointer

UNKNOWN_KEY = "E3001"
WRONG_TYPE = "E3002"
INVALID_VALUE = "E3003"
MISSING_KEY = "E3004"

# What each pattern of schema.json allows, in words.
_PATTERNS = {
    "^[A-Za-z0-9_-]+$": "only letters, digits, - and _",
    "^[A-Za-z0-9_]+$": "only letters, digits and _",
    "^[A-Za-z0-9\\-._~:/?#&=,]+$": "only letters, digits and -._~:/?#&=,",
    "^(?![aA][wW][sS]:)(?!apigwctl:)[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+$":
        "letters, digits, spaces and _.:/=+-@, not starting with aws: or apigwctl:",
    "^https?://\\S+$": "an http:// or https:// URL",
    "^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$": "letters, digits, spaces and _.:/=+-@",
    "^[a-z]{2}(-[a-z]+)+-\\d+$": "a region name such as us-east-1",
}
# Patterns that check a value's shape rather than its characters: the whole reason.
_SHAPES = {
    "^arn:aws[a-z-]*:(logs:[a-z0-9-]+:\\d{12}:log-group:\\S+|firehose:[a-z0-9-]+:\\d{12}:"
    "deliverystream/amazon-apigateway-\\S+)$":
        "is not the ARN of a CloudWatch Logs log group, nor of a Firehose delivery stream "
        "named amazon-apigateway-...",
    "\\$context\\.(requestId|extendedRequestId)":
        "does not include $context.requestId or $context.extendedRequestId (AWS requires one)",
}
_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number",
               dict: "mapping", list: "list", type(None): "null"}


@dataclass(frozen=True)
class SchemaProblem:
    rule: str
    pointer: Pointer
    message: str
    hint: str | None = None


def schema_text() -> str:
    """schema.json as shipped (``apigwctl schema`` prints it)."""
    return resources.files("apigwctl.config").joinpath("schema.json").read_text("utf-8")


@cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_text())
    return loaded


@cache
def _validator() -> Any:
    return jsonschema_rs.Draft202012Validator(schema())


def schema_problems(data: Any) -> list[SchemaProblem]:
    """Every schema violation of ``data``, worded for the deployment file."""
    out: list[SchemaProblem] = []
    for err in _validator().iter_errors(data):
        out.extend(_describe(err, tuple(err.instance_path), tuple(err.schema_path)))
    return out


def string_keys(data: Any, pointer: Pointer = ()) -> tuple[Any, list[SchemaProblem]]:
    """``data`` with every key a string, and a problem for each key YAML typed otherwise
    (``on:``, ``yes:``, ``404:``): JSON Schema knows only string keys, and so does AWS."""
    problems: list[SchemaProblem] = []
    if isinstance(data, list):
        items = [string_keys(v, (*pointer, i)) for i, v in enumerate(data)]
        return [v for v, _ in items], [p for _, ps in items for p in ps]
    if not isinstance(data, dict):
        return data, problems
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = key if isinstance(key, str) else json.dumps(key)
        if not isinstance(key, str):
            problems.append(SchemaProblem(
                WRONG_TYPE, (*pointer, name), f"key {name} in `{dotted(pointer)}` is read "
                f"as {_a(_type_name(key))}, not a string", "quote the key"))
        out[name], more = string_keys(value, (*pointer, name))
        problems += more
    return out, problems


def dotted(pointer: Pointer) -> str:
    return ".".join(str(t) for t in pointer) or "the top level"


def _type_name(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _subschema(schema_path: tuple[Any, ...]) -> dict[str, Any]:
    node: Any = schema()
    for token in schema_path:
        node = node[token]
    return node if isinstance(node, dict) else {}


def _describe(err: Any, path: Pointer, schema_path: tuple[Any, ...]) -> list[SchemaProblem]:
    kind = type(err.kind).__name__
    where = f"`{dotted(path)}`" if path else "the deployment file"
    if kind == "AdditionalProperties":
        allowed = sorted(_subschema(schema_path[:-1]).get("properties", {}))
        return [_unknown_key(path, str(key), allowed) for key in err.kind.unexpected]
    if kind == "Required":
        return [SchemaProblem(MISSING_KEY, path, f"{where} is missing the required key "
                              f"{err.kind.property!r}", f"add `{err.kind.property}:`")]
    if kind == "Type":
        want = " or ".join("mapping" if t == "object" else t for t in err.kind.types)
        got = _type_name(err.instance)
        shown = "" if is_secret(path) else f" ({json.dumps(err.instance)})"
        return [SchemaProblem(WRONG_TYPE, path, f"{where} must be {_a(want)}, not {_a(got)}"
                              f"{shown}", _type_hint(want))]
    if kind == "PropertyNames":
        return [_bad_name(path, err.kind.error)]
    return [SchemaProblem(INVALID_VALUE, path, f"{where} {_reason(err, path)}",
                          _value_hint(err, path))]


def is_secret(path: Pointer) -> bool:
    """An API key value (``api_keys.<name>.value``): findings never show it."""
    return len(path) == 3 and path[0] == "api_keys" and path[2] == "value"


def _a(noun: str) -> str:
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def _type_hint(want: str) -> str:
    if want == "string":
        return "quote the value (YAML reads true, 1.0 or 2024-01-01 unquoted as other types)"
    return f"write a {want} here"


def _unknown_key(path: Pointer, key: str, allowed: list[str]) -> SchemaProblem:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        hint = f"did you mean `{close[0]}`?"
    else:
        hint = f"allowed here: {', '.join(allowed)}" if allowed else "remove it"
    where = f"in `{dotted(path)}`" if path else "at the top level"
    return SchemaProblem(UNKNOWN_KEY, (*path, key), f"unknown key {key!r} {where}", hint)


def _bad_name(path: Pointer, inner: Any) -> SchemaProblem:
    name = str(inner.instance)
    what = {"stages": "stage name", "variables": "stage variable name",
            "tags": "tag key", "usage_plans": "usage plan name",
            "api_keys": "API key name"}.get(str(path[-1]) if path else "", "key")
    reason = _reason(inner, (*path, name))
    if what == "tag key" and name.lower().startswith("aws:"):
        reason = "the aws: prefix is reserved for AWS's own tags"
    elif what == "tag key" and name.startswith("apigwctl:"):
        reason = "the apigwctl: prefix is reserved for apigwctl's ownership tags"
    return SchemaProblem(INVALID_VALUE, (*path, name), f"{what} {name!r} is invalid: {reason}",
                         _value_hint(inner, (*path, name)))


def _reason(err: Any, path: Pointer) -> str:
    kind = type(err.kind).__name__
    if kind == "Enum":
        if path == ("api", "type") and err.instance in ("HTTP", "WEBSOCKET"):
            return (f"is {err.instance!r}: only REST APIs are supported for now (HTTP and "
                    "WEBSOCKET come in a later release)")
        # cache sizes are listed as numbers and as strings: name each once
        options = ", ".join(dict.fromkeys(str(o) for o in err.kind.options))
        return f"is {json.dumps(err.instance)}: must be one of {options}"
    if kind == "Pattern" and err.kind.pattern in _SHAPES:
        return _SHAPES[err.kind.pattern]
    if kind == "Pattern":
        allowed = _PATTERNS.get(err.kind.pattern, "must match " + err.kind.pattern)
        return f"has characters that are not allowed ({allowed})"
    if kind == "MinLength":
        return "is empty" if err.kind.limit == 1 else f"is shorter than {err.kind.limit} characters"
    if kind == "MaxLength":
        return f"is {len(err.instance)} characters long, over the limit of {err.kind.limit}"
    if kind == "MaxProperties":
        return f"has {len(err.instance)} entries, over the limit of {err.kind.limit}"
    if kind == "MaxItems":
        return f"has {len(err.instance)} items, over the limit of {err.kind.limit}"
    if kind == "UniqueItems":
        return "lists the same item more than once"
    if kind in ("Minimum", "Maximum"):
        bound = "under the minimum" if kind == "Minimum" else "over the maximum"
        return f"is {json.dumps(err.instance)}, {bound} of {err.kind.limit}{_bound_why(path)}"
    return str(err.message)


def _bound_why(path: Pointer) -> str:
    if path[-2:] == ("quota", "offset"):
        return " for this quota period (DAY: 0, WEEK: 0-6, MONTH: 0-27)"
    return ""


def _value_hint(err: Any, path: Pointer) -> str | None:
    kind = type(err.kind).__name__
    if kind == "Enum" and path == ("api", "type"):
        return "use `type: REST` (or leave it out)"
    if kind == "Enum":
        options = {str(o).lower(): str(o) for o in err.kind.options}
        close = difflib.get_close_matches(str(err.instance).lower(), list(options), n=1,
                                          cutoff=0.5)
        return f"did you mean `{options[close[0]]}`?" if close else None
    if kind == "MaxProperties":
        return "API Gateway refuses more; remove some"
    return "see `apigwctl schema` for what is allowed here"
