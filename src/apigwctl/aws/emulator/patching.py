"""Shared pieces of the fidelity handlers: AWS's errors, patch paths and typed patch values.

PATCH values always arrive as strings (reference §6.3); AWS converts them to the field's type
and answers ``BadRequestException`` when it cannot. Paths are JSON pointers: ``~1`` stands for
``/`` and ``~0`` for ``~`` inside a segment (``PatchOperation.path`` in the API reference).
Messages quote AWS where a source records its words (cited where used); the rest are ours and
say so.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterable
from typing import Any, TypeVar

from moto.apigateway.exceptions import BadRequestException, ConflictException, NotFoundException

PatchOp = dict[str, Any]
N = TypeVar("N", int, float)
# Stage variable names and values AWS accepts (reference §6.1); canary overrides are variables too.
VARIABLE_NAME = re.compile(r"^[A-Za-z0-9_]+$")
VARIABLE_VALUE = re.compile(r"^[A-Za-z0-9\-._~:/?#&=,]+$")


class NotFound(NotFoundException):  # type: ignore[misc]  # moto is untyped for mypy
    """``NotFoundException`` with AWS's HTTP status (moto's base class answers 400)."""

    code = 404


def bad_request(message: str) -> BadRequestException:
    return BadRequestException(message)


def conflict(message: str) -> ConflictException:
    return ConflictException(message)


def now() -> int:
    """AWS's timestamps: whole seconds since the epoch (``createdDate`` in the API reference)."""
    return int(time.time())


def unescape(segment: str) -> str:
    """One JSON-pointer segment back to text (RFC 6901: ``~1`` first, then ``~0``)."""
    return segment.replace("~1", "/").replace("~0", "~")


def escape(text: str) -> str:
    return text.replace("~", "~0").replace("/", "~1")


def invalid_path(path: str, op: str, allowed: Iterable[str] | None = None) -> BadRequestException:
    """AWS's words for a path or op it does not support (boto/boto3#2629, its double space)."""
    tail = ("Please choose supported operations" if allowed is None
            else f"Must be one of: [{', '.join(allowed)}]")
    return BadRequestException(f"Invalid patch path  '{path}' specified for op '{op}'. {tail}")


def op_value(op: PatchOp) -> str:
    value = op.get("value")
    if value is None:
        raise BadRequestException(f"Invalid null or empty value for patch path {op['path']}")
    return str(value)


def parse_bool(op: PatchOp) -> bool:
    """``"true"``/``"false"`` in any case, as AWS reads them (api-key-file-format: booleans)."""
    text = op_value(op).strip().lower()
    if text not in ("true", "false"):
        raise BadRequestException(f"Invalid boolean value {op_value(op)!r} for {op['path']}")
    return text == "true"


def parse_int(op: PatchOp, low: int = 0, high: int | None = None) -> int:
    text = op_value(op).strip()
    try:
        number = int(text)
    except ValueError:
        raise BadRequestException(f"Invalid integer value {text!r} for {op['path']}") from None
    return _in_range(op, number, low, high)


def parse_float(op: PatchOp, low: float = 0.0, high: float | None = None) -> float:
    text = op_value(op).strip()
    try:
        number = float(text)
    except ValueError:
        raise BadRequestException(f"Invalid number value {text!r} for {op['path']}") from None
    if not math.isfinite(number):
        raise BadRequestException(f"Invalid number value {text!r} for {op['path']}")
    return _in_range(op, number, low, high)


def _in_range(op: PatchOp, number: N, low: N, high: N | None) -> N:
    if number < low or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequestException(f"The value of {op['path']} must be {bounds}")
    return number


def parse_enum(op: PatchOp, allowed: tuple[str, ...]) -> str:
    text = op_value(op)
    if text not in allowed:
        raise BadRequestException(
            f"Invalid value {text!r} for {op['path']}. Must be one of: [{', '.join(allowed)}]")
    return text


def check_variables(variables: Any) -> dict[str, str]:
    """Stage variables (or canary overrides) as AWS accepts them (reference §6.1)."""
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise BadRequestException("Invalid stage variables: must be a map of strings")
    for name, value in variables.items():
        check_variable(str(name), value)
    return {str(k): str(v) for k, v in variables.items()}


def check_variable(name: str, value: Any) -> None:
    if not VARIABLE_NAME.match(name):
        raise BadRequestException(f"Invalid stage variable name {name!r}: only alphanumerics "
                                  "and underscores are allowed")
    if not isinstance(value, str) or not VARIABLE_VALUE.match(value):
        raise BadRequestException(f"Invalid stage variable value for {name!r}: must match "
                                  "[A-Za-z0-9-._~:/?#&=,]+")


def patch_operations(handler: Any) -> list[PatchOp]:
    ops = handler._get_param("patchOperations") or []
    for op in ops:
        if not isinstance(op, dict) or not isinstance(op.get("path"), str):
            raise BadRequestException("Invalid patch operation specified")
    return list(ops)


def reply(body: dict[str, Any], status: int = 200) -> tuple[int, dict[str, str], str]:
    return status, {"status": str(status)}, json.dumps(body)


def request_json(handler: Any) -> dict[str, Any]:
    raw = handler.body
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        raise BadRequestException("Invalid request body: not JSON") from None
    if not isinstance(data, dict):
        raise BadRequestException("Invalid request body: not a JSON object")
    return data


def path_parts(handler: Any) -> list[str]:
    """The URL path's segments, percent-decoding left to moto (``/usageplans/x/keys`` ->
    ``["usageplans", "x", "keys"]``)."""
    return [part for part in handler.path.split("?")[0].split("/") if part]
