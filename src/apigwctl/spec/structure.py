"""OpenAPI structural validation through openapi-spec-validator, every error, each placed.

Input: a parsed document and its version. Output: ``(pointer, message)`` pairs, pointers
relative to the document. Schema errors carry their path; openapi-spec-validator's keyword
errors (unresolved path parameters, duplicate operation ids, ...) carry only a message, so
the operation they name is recovered from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from apigwctl.diagnostics import Pointer
from apigwctl.spec.loader import SpecVersion

RawError = tuple[Pointer, str]

_OP_IN_PATH = re.compile(r"for '(?P<method>[a-z]+)'(?: operation)? in '(?P<path>[^']*)'")
_TAG = re.compile(r"Duplicate tag name '?(?P<name>[^']+)'?")


def _validator_class(version: SpecVersion) -> Any:
    import openapi_spec_validator as osv

    return {
        SpecVersion.SWAGGER2: osv.OpenAPIV2SpecValidator,
        SpecVersion.OAS30: osv.OpenAPIV30SpecValidator,
        SpecVersion.OAS31: osv.OpenAPIV31SpecValidator,
    }.get(version)


def _pointer_of(err: Any) -> Pointer:
    path = tuple(getattr(err, "absolute_path", ()) or ())
    if path:
        return path
    m = _OP_IN_PATH.search(err.message)
    if m:
        ptr: Pointer = ("paths", m["path"], m["method"])
        if "Operation ID" in err.message:
            ptr = (*ptr, "operationId")
        return ptr
    return ()


def structural_errors(data: Mapping[str, Any], version: SpecVersion,
                      spec_path: Path | None = None) -> Iterator[RawError]:
    """Every error openapi-spec-validator reports for ``data`` (reference implementation)."""
    cls = _validator_class(version)
    if cls is None:
        return
    data = string_keys(data)
    base_uri = spec_path.resolve().as_uri() if spec_path else ""
    try:
        for err in cls(data, base_uri=base_uri).iter_errors():
            yield _pointer_of(err), _first_line(err.message)
    except RecursionError:
        yield (), "the document is nested too deeply for structural validation"
    except Exception as exc:  # openapi-spec-validator raises on some broken refs
        yield (), f"structural validation stopped: {_first_line(str(exc))}"


def string_keys(node: Any) -> Any:
    """A copy with every mapping key as a string (YAML reads `200:` as an int); shares
    untouched subtrees, so a document without such keys is returned as is."""
    if isinstance(node, Mapping):
        items = {k: string_keys(v) for k, v in node.items()}
        if all(isinstance(k, str) for k in items) and all(
                items[k] is node[k] for k in items):
            return node
        return {str(k): v for k, v in items.items()}
    if isinstance(node, list):
        new = [string_keys(v) for v in node]
        return node if all(a is b for a, b in zip(new, node, strict=True)) else new
    return node


_INSTANCE_FIRST = re.compile(r"^(?P<inst>[\[{].*?[\]}]) (?P<rest>(is|has|does) .*)$", re.S)


def tidy(message: str) -> str:
    """First line of a validator message, without a long JSON dump of the value."""
    text = message.strip().splitlines()[0] if message.strip() else message
    if " is not allowed for " in text:
        inst = text.split(" is not allowed for ", 1)[1]
        return f"{_short(inst)} is not allowed here"
    m = _INSTANCE_FIRST.match(text)
    if m and len(m["inst"]) > 60:
        return f"{_short(m['inst'])} {m['rest']}"
    return text


def _short(inst: str) -> str:
    if len(inst) <= 60:
        return inst
    return "the object" if inst.startswith("{") else "the array"


_first_line = tidy
