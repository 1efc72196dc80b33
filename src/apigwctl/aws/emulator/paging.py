"""``limit``/``position`` pagination for the list operations moto returns in one page.

AWS pages ``GetApiKeys``, ``GetUsagePlans`` and ``GetUsagePlanKeys``: ``limit`` defaults to 25
and may be at most 500; the answer carries ``position`` while more items remain, and the next
request passes it back (``limit`` in the API reference of each operation; reference §5 reads
with ``limit=500``). moto 5.2.5 ignores ``limit`` and never answers ``position`` (findings §1.4).

The order AWS uses is not documented; here items come sorted by id and ``position`` is the id
of the next page's first item, so a page boundary survives items deleted between two calls.
A ``limit`` above 500 is served as 500 (AWS's answer to it is UNVERIFIED).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from apigwctl.aws.emulator.patching import bad_request

DEFAULT_LIMIT = 25
MAX_LIMIT = 500

T = TypeVar("T")


def query(handler: Any, name: str) -> str | None:
    """A query-string parameter, matched case-insensitively as API Gateway does."""
    for key, values in handler.querystring.items():
        if key.lower() == name.lower() and values:
            return str(values[0])
    return None


def _limit(handler: Any) -> int:
    raw = query(handler, "limit")
    if raw is None:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise bad_request(f"Invalid limit {raw!r}: must be an integer") from None
    if limit < 1:
        raise bad_request(f"Invalid limit {raw!r}: must be at least 1")
    return min(limit, MAX_LIMIT)


def page(handler: Any, items: Sequence[T], ident: Callable[[T], str]) -> tuple[list[T], str | None]:
    """The page of ``items`` the request asks for, and the ``position`` of the next one."""
    ordered = sorted(items, key=ident)
    start = query(handler, "position")
    if start is not None:
        ordered = [item for item in ordered if ident(item) >= start]
    limit = _limit(handler)
    rest = ordered[limit:]
    return list(ordered[:limit]), (ident(rest[0]) if rest else None)


def listing(items: list[dict[str, Any]], position: str | None) -> dict[str, Any]:
    """The body of a list answer; ``item`` is the wire name of ``items`` in the model."""
    body: dict[str, Any] = {"item": items}
    if position is not None:
        body["position"] = position
    return body
