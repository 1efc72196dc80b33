"""AWS's control-plane quotas in the emulator: over-quota calls answer 429 as AWS does.

API Gateway's control plane has fixed per-account rates (reference §2.1): some operations have
their own (CreateDeployment 1 per 5 s, UpdateUsagePlan 1 per 20 s, PutRestApi 1 per s,
CreateRestApi/ImportRestApi 1 per 3 s for Regional or private APIs and 1 per 30 s for
edge-optimized ones, CreateApiKey/DeleteApiKey 5 per s, GetResources 5 per 2 s, ...) and every
call, v1 and v2 alike, shares 10 requests per second with a burst of 40. Each is a token bucket
here: capacity = the requests the row allows at once, refill = that count over its window. A
call needs a token from the shared bucket and from its operation's bucket (when the table has
a row for it); it takes both or neither. One row that names several operations is one bucket.

A call without tokens is answered ``TooManyRequestsException`` (HTTP 429, body
``{"message": "Too Many Requests"}``) with a ``Retry-After`` header, the whole seconds until
the emptiest bucket has a token again; botocore reads it as ``retryAfterSeconds`` (the
exception's model binds that member to ``Retry-After``; whether AWS sends it for every
throttle is UNVERIFIED). The refused call reaches neither moto nor the journal: the check wraps
moto's dispatcher outside the journal hook, so a throttled write is never recorded or replayed.

Timing holds across processes that share a state dir: the buckets live in
``<state_dir>/quotas.json`` (0600), read and written under an exclusive ``flock`` of that file
(the emulator's own lock is shared between readers, so it cannot serialise them), against the
wall clock. A second ``apply`` one second after the first therefore finds CreateDeployment's
bucket still empty and is told to wait four seconds more.

``APIGWCTL_EMULATOR_QUOTAS=aws`` (the default) enforces the quotas, ``off`` disables them.
Tests pass their own clock (virtual time) to :func:`enforcing`; nothing here sleeps.

Wiring: :class:`~apigwctl.aws.emulator.core.Emulator` is expected to call :func:`activate` after
it has restored its state and set its journal sink (so replay is never throttled, and the
check wraps the journal hook), and :func:`deactivate` with the returned handle first when it
stops. Activations nest: the innermost one is in force.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moto.apigateway.responses import APIGatewayResponse
from moto.apigatewayv2.responses import ApiGatewayV2Response
from moto.core.routing import get_service_router
from werkzeug.exceptions import NotFound

from apigwctl.errors import ApigwctlError

MODE_ENV = "APIGWCTL_EMULATOR_QUOTAS"
MODES = ("aws", "off")
STATE_FILE = "quotas.json"
EPSILON = 1e-6  # tokens: clock arithmetic in floats must not refuse a call due on time
Clock = Callable[[], float]
Dispatch = Callable[..., Any]


class QuotaModeError(ApigwctlError):
    """``APIGWCTL_EMULATOR_QUOTAS`` names no mode."""


@dataclass(frozen=True)
class Limit:
    """A token bucket: ``capacity`` calls at once, refilled at ``rate`` calls per second."""

    name: str
    capacity: float
    rate: float


def _per(name: str, count: int, seconds: float) -> Limit:
    return Limit(name, float(count), count / seconds)


SHARED = Limit("account", 40.0, 10.0)  # §2.1: all control-plane operations, 10 rps, burst 40
CREATE_REGIONAL = _per("CreateRestApi/ImportRestApi (Regional, private)", 1, 3)
CREATE_EDGE = _per("CreateRestApi/ImportRestApi (edge-optimized)", 1, 30)
# (service, operation) -> bucket; one table row of §2.1 is one bucket.
OPERATION_LIMITS: dict[tuple[str, str], Limit] = {}
for _limit, _ops in (
        (_per("PutRestApi", 1, 1), ("PutRestApi",)),
        (_per("CreateDeployment", 1, 5), ("CreateDeployment",)),
        (_per("DeleteRestApi", 1, 30), ("DeleteRestApi",)),
        (_per("CreateApiKey/DeleteApiKey", 5, 1), ("CreateApiKey", "DeleteApiKey")),
        (_per("CreateResource/DeleteResource", 5, 1), ("CreateResource", "DeleteResource")),
        (_per("GetResources", 5, 2), ("GetResources",)),
        (_per("DomainName", 1, 30),
         ("CreateDomainName", "UpdateDomainName", "DeleteDomainName")),
        (_per("CreateDocumentationVersion", 1, 20), ("CreateDocumentationVersion",)),
        (_per("ImportDocumentationParts", 1, 30), ("ImportDocumentationParts",)),
        (_per("UpdateAccount", 1, 20), ("UpdateAccount",)),
        (_per("UpdateUsagePlan", 1, 20), ("UpdateUsagePlan",))):
    OPERATION_LIMITS.update({("apigateway", op): _limit for op in _ops})
OPERATION_LIMITS[("apigatewayv2", "CreateVpcLink")] = _per("v2 CreateVpcLink", 1, 15)
OPERATION_LIMITS[("apigatewayv2", "DeleteVpcLink")] = _per("v2 DeleteVpcLink", 1, 30)


def mode_from_env() -> str:
    mode = os.environ.get(MODE_ENV, "aws").strip().lower() or "aws"
    if mode not in MODES:
        raise QuotaModeError(f"{MODE_ENV}={mode!r} is not a quota mode",
                             hint=f"use one of: {', '.join(MODES)}")
    return mode


# --- which buckets a request draws on ------------------------------------------------------

def operation_of(service: str, request: Any) -> str | None:
    """The AWS operation a request calls, routed as moto routes it (None when unknown)."""
    try:
        operation, _ = get_service_router(service).match(request)
    except (NotFound, NotImplementedError):
        return None
    return str(operation.name)


def _edge(types: Any) -> bool:
    """EDGE is the default endpoint type of CreateRestApi and of an import without
    ``endpointConfigurationTypes`` (reference Appendix A)."""
    if isinstance(types, str):
        types = [types]
    return not types or "EDGE" in [str(t).upper() for t in types]


def _create_limit(operation: str, request: Any) -> Limit:
    if operation == "ImportRestApi":
        return CREATE_EDGE if _edge(request.args.get("endpointConfigurationTypes")) \
            else CREATE_REGIONAL
    try:
        body = json.loads(request.get_data(cache=True) or b"{}")
    except ValueError:
        body = {}
    config = body.get("endpointConfiguration") if isinstance(body, dict) else None
    types = config.get("types") if isinstance(config, dict) else None
    return CREATE_EDGE if _edge(types) else CREATE_REGIONAL


def limits_for(service: str, operation: str | None, request: Any) -> tuple[Limit, ...]:
    """The buckets a call draws on: its operation's (if §2.1 lists one) and the shared one."""
    if service == "apigateway" and operation in ("CreateRestApi", "ImportRestApi"):
        return _create_limit(operation, request), SHARED
    own = OPERATION_LIMITS.get((service, operation or ""))
    return (own, SHARED) if own is not None else (SHARED,)


# --- the buckets' state ------------------------------------------------------------------

class Gate:
    """The token buckets of one state dir, kept in ``quotas.json`` and read at ``clock``."""

    def __init__(self, state_dir: Path, clock: Clock = time.time) -> None:
        self.path = Path(state_dir) / STATE_FILE
        self.clock = clock
        self._lock = threading.Lock()

    def admit(self, limits: tuple[Limit, ...]) -> float | None:
        """Take one token from each bucket and return None, or return the seconds until all
        of them have one (taking nothing)."""
        with self._lock, self._file() as fd:
            state = _read(fd)
            now = self.clock()
            levels = {limit.name: _level(state, limit, now) for limit in limits}
            short = [(1.0 - levels[lim.name]) / lim.rate for lim in limits
                     if levels[lim.name] < 1.0 - EPSILON]
            if short:
                return max(short)
            state.update({lim.name: [max(0.0, levels[lim.name] - 1.0), now] for lim in limits})
            _write(fd, state)
            return None

    @contextlib.contextmanager
    def _file(self) -> Iterator[int]:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)  # closing releases the flock


def _read(fd: int) -> dict[str, list[float]]:
    raw = os.pread(fd, 1 << 20, 0)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}  # a torn or foreign file: start with full buckets rather than fail
    buckets = data.get("buckets") if isinstance(data, dict) else None
    return dict(buckets) if isinstance(buckets, dict) else {}


def _write(fd: int, state: dict[str, list[float]]) -> None:
    data = json.dumps({"format": 1, "buckets": state}).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _level(state: dict[str, list[float]], limit: Limit, now: float) -> float:
    """Tokens in the bucket at ``now``: the stored level refilled since it was stored (a clock
    that went backwards refills nothing)."""
    stored = state.get(limit.name)
    if not isinstance(stored, list) or len(stored) != 2:
        return limit.capacity
    tokens, then = float(stored[0]), float(stored[1])
    return min(limit.capacity, tokens + max(0.0, now - then) * limit.rate)


# --- the hook around moto's dispatcher ---------------------------------------------------

def too_many_requests(wait: float) -> tuple[int, dict[str, str], str]:
    """AWS's throttle answer (reference §9: TooManyRequestsException, 429, Retry-After)."""
    seconds = str(max(1, math.ceil(wait - 1e-6)))  # 1.0000000002 s of float noise is 1 s
    headers = {"status": "429", "X-Amzn-Errortype": "TooManyRequestsException",
               "Content-Type": "application/json", "Retry-After": seconds}
    return 429, headers, json.dumps({"message": "Too Many Requests"})


class Activation:
    """One :func:`activate`; its ``gate`` is None when the mode is ``off``."""

    def __init__(self, gate: Gate | None) -> None:
        self.gate = gate


class _State:
    stack: list[Activation] = []  # innermost activation last
    originals: dict[type, Dispatch] = {}


SERVICES: dict[type, str] = {APIGatewayResponse: "apigateway",
                             ApiGatewayV2Response: "apigatewayv2"}


def _make_wrapper(cls: type, original: Dispatch) -> Dispatch:
    service = SERVICES[cls]

    def _dispatch(self: Any, request: Any, full_url: str | None = None,
                  headers: Any = None) -> Any:
        gate = _State.stack[-1].gate if _State.stack else None
        if gate is not None:
            limits = limits_for(service, operation_of(service, request), request)
            wait = gate.admit(limits)
            if wait is not None:
                return too_many_requests(wait)
        return original(self, request, full_url, headers)

    _dispatch.__wrapped__ = original  # type: ignore[attr-defined]
    return _dispatch


def activate(state_dir: Path, *, clock: Clock | None = None,
             mode: str | None = None) -> Activation:
    """Enforce the quotas for requests from now on (``mode`` defaults to the environment's);
    returns the handle :func:`deactivate` takes.

    The first activation wraps moto's dispatchers: call it inside an emulator block (after
    the journal hook is installed), so that the quota check runs before the journal records a
    request; activated outside, a refused write would be journaled and break replay.
    """
    chosen = mode or mode_from_env()
    if chosen not in MODES:
        raise QuotaModeError(f"{chosen!r} is not a quota mode",
                             hint=f"use one of: {', '.join(MODES)}")
    if not _State.stack:
        for cls in SERVICES:
            original = getattr(cls, "_dispatch")  # noqa: B009
            _State.originals[cls] = original
            setattr(cls, "_dispatch", _make_wrapper(cls, original))  # noqa: B010
    activation = Activation(Gate(state_dir, clock or time.time) if chosen == "aws" else None)
    _State.stack.append(activation)
    return activation


def deactivate(activation: Activation) -> None:
    """Undo one :func:`activate` (unknown or already undone: nothing happens); the last one
    restores moto's dispatchers (unless something re-patched them meanwhile)."""
    if activation not in _State.stack:
        return
    _State.stack.remove(activation)
    if not _State.stack:
        for cls, original in _State.originals.items():
            if getattr(getattr(cls, "_dispatch"), "__wrapped__", None) is original:  # noqa: B009
                setattr(cls, "_dispatch", original)  # noqa: B010
        _State.originals.clear()


@contextlib.contextmanager
def enforcing(state_dir: Path, *, clock: Clock | None = None,
              mode: str | None = None) -> Iterator[None]:
    """``with enforcing(em.state_dir, clock=virtual.clock):`` quotas for the block."""
    activation = activate(state_dir, clock=clock, mode=mode)
    try:
        yield
    finally:
        deactivate(activation)
