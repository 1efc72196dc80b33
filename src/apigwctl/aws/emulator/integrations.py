"""``update_integration`` (moto 5.2.5: NotImplementedError), as the console edits one.

``PATCH /restapis/{id}/resources/{rid}/methods/{verb}/integration`` with patch operations
(AWS's patch-operations table for Integration): replace ``/uri``, ``/httpMethod``,
``/timeoutInMillis`` (50-29000), ``/passthroughBehavior``, ``/contentHandling``,
``/credentials``, ``/connectionType``, ``/connectionId``, ``/cacheNamespace``; add, replace or
remove ``/requestTemplates/{content type}`` and ``/requestParameters/{name}``; add or remove
``/cacheKeyParameters/{name}``. All operations of one call apply, or none. Drift tests use it
the way a console edit changes a live API behind apigwctl's back.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from apigwctl.aws.emulator.patching import (
    PatchOp,
    bad_request,
    invalid_path,
    op_value,
    parse_enum,
    parse_int,
    patch_operations,
    path_parts,
    reply,
    unescape,
)

_SCALARS: dict[str, tuple[str, Callable[[PatchOp], Any]]] = {
    "/uri": ("uri", op_value),
    "/httpMethod": ("http_method", op_value),
    "/timeoutInMillis": ("timeout_in_millis", lambda op: parse_int(op, 50, 29000)),
    "/passthroughBehavior": ("passthrough_behaviour", lambda op: parse_enum(
        op, ("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"))),
    "/contentHandling": ("content_handling", lambda op: parse_enum(
        op, ("CONVERT_TO_BINARY", "CONVERT_TO_TEXT"))),
    "/credentials": ("credentials", op_value),
    "/connectionType": ("connection_type", lambda op: parse_enum(op, ("INTERNET", "VPC_LINK"))),
    "/connectionId": ("connection_id", op_value),
    "/cacheNamespace": ("cache_namespace", op_value),
}
_MAPS = {"requestTemplates": "request_templates", "requestParameters": "request_parameters"}


def handle_update_integration(self: Any) -> Any:
    parts = path_parts(self)  # restapis, id, resources, rid, methods, verb, integration
    api_id, resource_id, verb = parts[1], parts[3], parts[5]
    integration = self.backend.get_integration(api_id, resource_id, verb)
    changed = copy.copy(integration)  # all or nothing: patch a copy, then keep it
    for name in ("request_templates", "request_parameters", "cache_key_parameters"):
        setattr(changed, name, copy.copy(getattr(integration, name)))
    for op in patch_operations(self):
        _apply(changed, op)
    integration.__dict__.update(changed.__dict__)
    return reply(integration.to_json())


def _apply(integration: Any, op: PatchOp) -> None:
    path, kind = op["path"], op.get("op")
    if path in _SCALARS and kind == "replace":
        name, parse = _SCALARS[path]
        setattr(integration, name, parse(op))
        return
    head, _, key = path[1:].partition("/")
    if head in _MAPS and key:
        _patch_map(integration, _MAPS[head], unescape(key), op)
    elif head == "cacheKeyParameters" and key and kind in ("add", "remove"):
        keys = list(integration.cache_key_parameters or [])
        name = unescape(key)
        integration.cache_key_parameters = ([*keys, name] if kind == "add" and name not in keys
                                            else [k for k in keys if k != name])
    else:
        raise invalid_path(path, str(kind))


def _patch_map(integration: Any, attribute: str, key: str, op: PatchOp) -> None:
    values = dict(getattr(integration, attribute) or {})
    if op.get("op") in ("add", "replace"):
        values[key] = op_value(op)
    elif op.get("op") == "remove":
        if key not in values:
            raise bad_request(f"Invalid mapping expression specified: {key} is not set")
        del values[key]
    else:
        raise invalid_path(op["path"], str(op.get("op")))
    setattr(integration, attribute, values or None)
