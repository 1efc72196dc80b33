"""Write journal hook inside moto's request handling, and replay of journal entries.

Every API Gateway (v1 and v2) request, in-process or served over HTTP, ends in
``BaseResponse._dispatch`` of moto's response class. :func:`install` wraps that method on
``APIGatewayResponse`` and ``ApiGatewayV2Response``: a write request (anything but
GET/HEAD/OPTIONS) is serialised under one lock, moto's RNG is seeded with a per-entry seed
just before moto handles it, and the request is handed to the active :class:`Sink`
(the journal) with moto's status. Replaying an entry seeds the RNG with the same seed and
feeds the request to moto's in-process dispatcher, so moto generates the same ids.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders
from moto.apigateway.responses import APIGatewayResponse
from moto.apigatewayv2.responses import ApiGatewayV2Response
from moto.core.models import botocore_stubber
from moto.moto_api._internal import mock_random

from apigwctl.aws.emulator.errors import RESET_HINT, EmulatorStateError
from apigwctl.aws.emulator.store import JournalEntry

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
KEPT_HEADERS = ("content-type", "accept")
WRITE_LOCK = threading.RLock()

Dispatch = Callable[..., Any]


class Sink(Protocol):
    """Where write requests go: the emulator's journal (or a refusal when read-only)."""

    def next_seed(self) -> int: ...

    def record(self, entry: JournalEntry) -> None: ...


class _State:
    sink: Sink | None = None
    originals: dict[type, Dispatch] = {}
    installed = 0


def _canonical_url(full_url: str, region: str) -> str:
    # Server-mode URLs name 127.0.0.1; the journal stores the AWS host so replay routes
    # in-process and moto reads the region from it.
    parts = urlsplit(full_url)
    query = f"?{parts.query}" if parts.query else ""
    return f"https://apigateway.{region}.amazonaws.com{parts.path}{query}"


def _make_wrapper(cls: type) -> Dispatch:
    original = _State.originals[cls]

    def _dispatch(self: Any, request: Any, full_url: str | None = None,
                  headers: Any = None) -> Any:
        sink = _State.sink
        if sink is None or request.method in READ_METHODS:
            return original(self, request, full_url, headers)
        body = request.get_data(cache=True)
        with WRITE_LOCK:
            seed = sink.next_seed()
            mock_random.seed(seed)
            result = original(self, request, full_url, headers)
            kept = {k: v for k, v in request.headers.items() if k.lower() in KEPT_HEADERS}
            sink.record(JournalEntry(seed=seed, method=request.method,
                                     url=_canonical_url(full_url or request.url, self.region),
                                     headers=kept, body=body, status=int(result[0])))
        return result

    return _dispatch


def install() -> None:
    """Wrap moto's API Gateway dispatchers (idempotent, reference-counted)."""
    if _State.installed == 0:
        for cls in (APIGatewayResponse, ApiGatewayV2Response):
            _State.originals[cls] = getattr(cls, "_dispatch")  # noqa: B009
            setattr(cls, "_dispatch", _make_wrapper(cls))  # noqa: B010
    _State.installed += 1


def uninstall() -> None:
    _State.installed -= 1
    if _State.installed == 0:
        for cls, original in _State.originals.items():
            setattr(cls, "_dispatch", original)  # noqa: B010
        _State.originals.clear()
        _State.sink = None


def set_sink(sink: Sink | None) -> None:
    _State.sink = sink


def replay(entries: list[JournalEntry], where: str) -> None:
    """Re-apply journal entries in-process; a different status means moto diverged."""
    with WRITE_LOCK:
        for number, entry in enumerate(entries, start=1):
            mock_random.seed(entry.seed)
            headers = HTTPHeaders()
            for key, value in entry.headers.items():
                headers[key] = value
            request = AWSPreparedRequest(method=entry.method, url=entry.url, headers=headers,
                                         body=entry.body, stream_output=False)
            response = botocore_stubber.process_request(request)
            status = None if response is None else int(response[0])
            if status != entry.status:
                raise EmulatorStateError(
                    f"emulator journal entry {number} ({entry.method} {urlsplit(entry.url).path})"
                    f" answered {status} on replay, {entry.status} when it was recorded",
                    where=where, hint=RESET_HINT)
