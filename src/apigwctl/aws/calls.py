"""Quota-aware calls to API Gateway's control plane: token buckets, retries, accounting.

:class:`QuotaClient` wraps a botocore ``apigateway`` client and is used like it
(``quota_client.create_stage(...)``; ``.meta`` and ``.exceptions`` pass through). Every call

1. waits for a token from its operation's bucket AND from the shared account bucket. AWS's
   control-plane quotas are fixed and cannot be raised (reference/aws-apigateway.md §2.1):
   CreateDeployment 1 per 5 s, UpdateUsagePlan 1 per 20 s, ..., every operation together
   10 rps with a burst of 40. A call never leaves before its buckets allow it, so a plan
   applied alone meets no 429 at all;
2. is classified when it fails (reference §9): TooManyRequestsException is retried after the
   service's ``retryAfterSeconds`` (the ``Retry-After`` header, which botocore binds to that
   field) or a full-jitter backoff; LimitExceededException is retried only with a
   ``retryAfterSeconds`` (without one it is a hard quota, such as "Maximum number of
   Resources", and fails at once); a "concurrent modification" message is retried whatever
   its class (ConflictException, and BadRequestException in older reports); 5xx and
   ServiceUnavailableException are retried with backoff; everything else fails at once.
   Attempts and the total retry wait of one call are capped (:class:`RetryPolicy`);
3. is counted per AWS operation (:class:`Accounting`): requests sent, retries, seconds
   waited for quota, seconds in backoff.

Buckets start full (nothing is known of earlier runs; a 429 from one is retried like any
other) and stop refilling while a call is in flight: the next call of an operation leaves
at least one interval after the previous one ANSWERED, so it reaches AWS at least one
interval after the previous one did, whatever the latency.

botocore must not retry on its own, or a throttled call would be retried twice and slept
for without being counted: wrap only clients made with :func:`botocore_config` (checked).
The client clock and sleep are injectable so tests run in virtual time.

:class:`FaultInjector` is a botocore ``before-send`` hook for tests and benchmarks that
answers a seeded share of requests with AWS-shaped 429/409/503 errors.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

Clock = Callable[[], float]
Sleep = Callable[[float], None]
OnWait = Callable[[str, float, str], None]

QUOTA = "quota"  # on_wait's reason for a wait on our own buckets; else an AWS error code
_EPSILON = 1e-9  # float slack: a bucket refilled for exactly the computed wait is full


def botocore_config(**kwargs: Any) -> Config:
    """A botocore Config for a client :class:`QuotaClient` wraps: botocore never retries."""
    return Config(retries={"mode": "standard", "total_max_attempts": 1}, **kwargs)


def retries_off(client: Any) -> bool:
    """Whether botocore makes exactly one attempt per call on this client."""
    retries = client.meta.config.retries or {}
    return bool(retries.get("total_max_attempts") == 1 or retries.get("max_attempts") == 0)


# -- quotas ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Quota:
    """A token bucket: ``rate`` tokens per second, at most ``burst`` saved up."""

    rate: float
    burst: int

    @classmethod
    def every(cls, requests: int, seconds: float) -> Quota:
        """AWS's "N requests / S s": N at once, then refilled at N/S per second."""
        return cls(requests / seconds, requests)


@dataclass(frozen=True)
class QuotaTable:
    """Per-operation buckets (keyed by :meth:`bucket`) and the account-wide shared one."""

    service: str
    shared: Quota
    operations: Mapping[str, Quota]

    def bucket(self, operation: str, params: Mapping[str, Any] | None = None) -> str | None:
        """The per-operation bucket a call draws from, or None (shared budget only).

        CreateRestApi and ImportRestApi, listed in one row of §2.1, share a bucket whose
        rate depends on the endpoint type: 1 per 3 s Regional or private, 1 per 30 s
        edge-optimized. The type comes from the call (create: ``endpointConfiguration``;
        import: ``parameters.endpointConfigurationTypes``); absent, AWS makes an edge API
        (reference Appendix A), so the edge rate applies.
        """
        if operation in ("CreateRestApi", "ImportRestApi"):
            return f"CreateRestApi/{_endpoint_type(operation, params or {})}"
        return operation if operation in self.operations else None


def _endpoint_type(operation: str, params: Mapping[str, Any]) -> str:
    if operation == "CreateRestApi":
        types = (params.get("endpointConfiguration") or {}).get("types") or ["EDGE"]
        kind = str(types[0])
    else:
        kind = str((params.get("parameters") or {}).get("endpointConfigurationTypes", "EDGE"))
    return "EDGE" if kind.upper() == "EDGE" else "REGIONAL"


def _every(requests: int, seconds: float, *operations: str) -> dict[str, Quota]:
    return dict.fromkeys(operations, Quota.every(requests, seconds))


# reference/aws-apigateway.md §2.1 ([guide-current] limits.html). Everything not listed only
# shares the 10 rps / burst 40 total (ImportApiKeys, CreateUsagePlanKey, UpdateStage, Get*).
AWS_QUOTAS = QuotaTable(
    service="apigateway",
    shared=Quota(rate=10.0, burst=40),
    operations={
        **_every(1, 3.0, "CreateRestApi/REGIONAL"),
        **_every(1, 30.0, "CreateRestApi/EDGE"),
        **_every(1, 1.0, "PutRestApi"),
        **_every(1, 5.0, "CreateDeployment"),
        **_every(1, 30.0, "DeleteRestApi"),
        **_every(5, 1.0, "CreateApiKey", "DeleteApiKey", "CreateResource", "DeleteResource"),
        **_every(5, 2.0, "GetResources"),
        **_every(1, 30.0, "CreateDomainName", "UpdateDomainName", "DeleteDomainName"),
        **_every(1, 20.0, "CreateDocumentationVersion", "UpdateAccount", "UpdateUsagePlan"),
        **_every(1, 30.0, "ImportDocumentationParts"),
    },
)


class _Bucket:
    """One token bucket on the caller's clock; full until first used."""

    def __init__(self, quota: Quota) -> None:
        self.rate, self.burst = quota.rate, float(quota.burst)
        self.tokens, self.stamp = self.burst, float("-inf")

    def level(self, now: float) -> float:
        return min(self.burst, self.tokens + max(0.0, now - self.stamp) * self.rate)

    def wait(self, now: float) -> float:
        short = 1.0 - self.level(now)
        return 0.0 if short <= _EPSILON else short / self.rate

    def take(self, now: float) -> None:
        self.tokens, self.stamp = self.level(now) - 1.0, now

    def settle(self, now: float) -> None:
        """The call ended at ``now``: no refill for the time it was in flight."""
        self.stamp = max(self.stamp, now)

    def drain(self, now: float) -> None:
        """AWS said we are over: assume the bucket empty (refills from ``now``)."""
        self.tokens, self.stamp = min(self.tokens, 0.0), now


class Limiter:
    """The buckets of one quota table: ``wait`` for a call's buckets, ``take`` a token."""

    def __init__(self, quotas: QuotaTable) -> None:
        self.quotas = quotas
        self._shared = _Bucket(quotas.shared)
        self._buckets: dict[str, _Bucket] = {}

    def buckets(self, key: str | None) -> list[_Bucket]:
        if key is None:
            return [self._shared]
        if key not in self._buckets:
            self._buckets[key] = _Bucket(self.quotas.operations[key])
        return [self._shared, self._buckets[key]]

    def wait(self, key: str | None, now: float) -> float:
        return max(b.wait(now) for b in self.buckets(key))

    def take(self, key: str | None, now: float) -> None:
        for b in self.buckets(key):
            b.take(now)

    def settle(self, key: str | None, now: float) -> None:
        for b in self.buckets(key):
            b.settle(now)

    def drain(self, key: str | None, now: float) -> None:
        self.buckets(key)[-1].drain(now)  # the operation's own bucket (or the shared one)


def lower_bound(ops: Sequence[str], quotas: QuotaTable = AWS_QUOTAS) -> float:
    """Least wall time for these calls, made one after another in this order, to meet the
    quotas, starting with full buckets and counting calls as instantaneous: the time the
    last call may leave. Items are operation names ("CreateDeployment") or bucket keys
    ("CreateRestApi/REGIONAL"; a plain "CreateRestApi" is the edge-optimized default).
    """
    limiter, now = Limiter(quotas), 0.0
    for op in ops:
        key = op if op in quotas.operations else quotas.bucket(op)
        now += limiter.wait(key, now)
        limiter.take(key, now)
    return now


# -- retries --------------------------------------------------------------------------------

@dataclass(frozen=True)
class RetryPolicy:
    """Caps for one call: attempts, and the seconds spent waiting to retry it."""

    max_attempts: int = 8
    max_retry_wait: float = 120.0  # > 5 waits of UpdateUsagePlan's 20 s interval
    backoff_base: float = 0.5
    backoff_cap: float = 20.0  # botocore standard mode's cap (reference §9)

    def backoff(self, retry: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**retry)] (AWS Architecture Blog,
        "Exponential Backoff And Jitter")."""
        return rng.uniform(0.0, min(self.backoff_cap, self.backoff_base * 2 ** retry))


@dataclass(frozen=True)
class Verdict:
    """What to do about one failed call."""

    retry: bool
    throttled: bool = False  # the service's quota said no: a wait for quota, not a fault
    after: float | None = None  # retryAfterSeconds, when the service said how long


_UNAVAILABLE = frozenset({"ServiceUnavailableException", "InternalFailure",
                          "InternalServerError", "InternalServerException"})


def classify(response: Mapping[str, Any]) -> Verdict:
    """Retry or fail, from a botocore error response (reference §9 "Errors a deploy tool
    must handle"; Terraform's apigateway retryer retries the same conflicts)."""
    error = response.get("Error") or {}
    code, message = str(error.get("Code", "")), str(error.get("Message", ""))
    status = int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
    after = retry_after(response)
    if code == "TooManyRequestsException":
        return Verdict(retry=True, throttled=True, after=after)
    if code == "LimitExceededException":  # a hard quota has no retryAfterSeconds
        return Verdict(retry=after is not None, throttled=True, after=after)
    if "concurrent modification" in message.lower():
        return Verdict(retry=True)
    if status >= 500 or code in _UNAVAILABLE:
        return Verdict(retry=True, after=after)
    return Verdict(retry=False)


def retry_after(response: Mapping[str, Any]) -> float | None:
    """``retryAfterSeconds`` as botocore parsed it (from the ``Retry-After`` header the
    service model binds it to), else the raw header; None when absent or not a number."""
    raw = response.get("retryAfterSeconds")
    if raw is None:
        headers = (response.get("ResponseMetadata") or {}).get("HTTPHeaders") or {}
        raw = headers.get("retry-after")
    try:
        seconds = float(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None
    return seconds if seconds is not None and seconds >= 0 else None


# -- accounting -----------------------------------------------------------------------------

@dataclass(frozen=True)
class OperationCount:
    """Requests sent for one AWS operation, retries among them, and the waits."""

    calls: int = 0
    retries: int = 0
    quota_wait: float = 0.0  # on our buckets, and every wait to retry a throttled call
    backoff: float = 0.0  # jittered waits to retry after a conflict or a 5xx

    def plus(self, other: OperationCount) -> OperationCount:
        return OperationCount(self.calls + other.calls, self.retries + other.retries,
                              self.quota_wait + other.quota_wait, self.backoff + other.backoff)

    def minus(self, other: OperationCount) -> OperationCount:
        return OperationCount(self.calls - other.calls, self.retries - other.retries,
                              self.quota_wait - other.quota_wait, self.backoff - other.backoff)

    def to_dict(self) -> dict[str, Any]:
        return {"calls": self.calls, "retries": self.retries,
                "quota_wait_seconds": round(self.quota_wait, 3),
                "backoff_seconds": round(self.backoff, 3)}


@dataclass(frozen=True)
class Accounting:
    """Per AWS operation (sorted by name), plus the total."""

    operations: tuple[tuple[str, OperationCount], ...] = ()

    def get(self, operation: str) -> OperationCount:
        return dict(self.operations).get(operation, OperationCount())

    @property
    def total(self) -> OperationCount:
        out = OperationCount()
        for _, count in self.operations:
            out = out.plus(count)
        return out

    def since(self, earlier: Accounting) -> Accounting:
        """What was counted after ``earlier`` (a snapshot of the same client)."""
        return _accounting((op, count.minus(earlier.get(op))) for op, count in self.operations
                           if count != earlier.get(op))

    def calls(self) -> dict[str, int]:
        return {op: count.calls for op, count in self.operations}

    def to_dict(self) -> dict[str, Any]:
        return {"operations": {op: count.to_dict() for op, count in self.operations},
                "total": self.total.to_dict()}


def _accounting(items: Iterable[tuple[str, OperationCount]]) -> Accounting:
    return Accounting(tuple(sorted(items)))


@dataclass(frozen=True)
class CallEvent:
    """One request sent: ``on_call`` gets one per attempt."""

    operation: str
    bucket: str | None
    attempt: int  # 1 for the first try
    error: str | None  # the AWS error code, or the exception's class; None when it worked
    seconds: float  # in flight


# -- the client -----------------------------------------------------------------------------

@dataclass
class _Counts:
    by_operation: dict[str, OperationCount] = field(default_factory=dict)

    def add(self, operation: str, **delta: Any) -> None:
        now = self.by_operation.get(operation, OperationCount())
        self.by_operation[operation] = now.plus(replace(OperationCount(), **delta))


class QuotaClient:
    """A botocore API Gateway client whose calls respect AWS's quotas and retry what AWS
    says may be retried. Not thread-safe: the executor calls one operation at a time.

    ``on_wait(operation, seconds, reason)`` is told of every wait before it starts (reason
    :data:`QUOTA`, or the AWS error code that is being retried); ``on_call`` gets a
    :class:`CallEvent` per request sent. Both are attributes, so a progress display made
    after the client (apply's, once the plan is known) can be attached to it.
    """

    def __init__(self, client: Any, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep,
                 quotas: QuotaTable = AWS_QUOTAS, on_wait: OnWait | None = None,
                 on_call: Callable[[CallEvent], None] | None = None,
                 policy: RetryPolicy = RetryPolicy(), rng: random.Random | None = None) -> None:
        service = client.meta.service_model.service_name
        if service != quotas.service:
            raise ValueError(f"quota table for {quotas.service}, client for {service}")
        if not retries_off(client):
            raise ValueError("the client retries on its own (a retried call would be slept "
                             "for twice and counted once): make it with botocore_config()")
        self._client, self._clock, self._sleep = client, clock, sleep
        self._limiter = Limiter(quotas)
        self.on_wait, self.on_call = on_wait, on_call
        self._policy, self._rng = policy, rng or random.Random()
        self._counts = _Counts()
        self._methods: dict[str, Callable[..., Any]] = {}

    @property
    def meta(self) -> Any:
        return self._client.meta

    @property
    def exceptions(self) -> Any:
        return self._client.exceptions

    @property
    def accounting(self) -> Accounting:
        return _accounting(self._counts.by_operation.items())

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        operation = self._client.meta.method_to_api_mapping.get(name)
        if operation is None:
            raise AttributeError(f"{name}: not an API Gateway operation (paginators and "
                                 "waiters would call the unwrapped client)")
        if name not in self._methods:
            method = getattr(self._client, name)

            def call(**kwargs: Any) -> Any:
                return self._call(operation, method, kwargs)

            call.__name__ = name
            self._methods[name] = call
        return self._methods[name]

    def _call(self, operation: str, method: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        key = self._limiter.quotas.bucket(operation, kwargs)
        retry_waited = 0.0
        for attempt in itertools.count(1):
            self._acquire(operation, key)
            try:
                return self._send(operation, key, attempt, method, kwargs)
            except ClientError as exc:
                verdict = classify(exc.response)
                wait = self._retry_wait(verdict, attempt, retry_waited)
                if wait is None:
                    raise
                if verdict.throttled and verdict.after is None:
                    self._limiter.drain(key, self._clock())
                code = str(exc.response.get("Error", {}).get("Code", "Unknown"))
                self._wait(operation, wait, code, quota=verdict.throttled)
                retry_waited += wait
                self._counts.add(operation, retries=1)
        raise AssertionError("unreachable")  # pragma: no cover  (count() never ends)

    def _retry_wait(self, verdict: Verdict, attempt: int, waited: float) -> float | None:
        """Seconds to wait before the next attempt, or None to give up now."""
        if not verdict.retry or attempt >= self._policy.max_attempts:
            return None
        wait = verdict.after if verdict.after is not None else \
            self._policy.backoff(attempt - 1, self._rng)
        return None if waited + wait > self._policy.max_retry_wait else wait

    def _send(self, operation: str, key: str | None, attempt: int,
              method: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        start = self._clock()
        self._limiter.take(key, start)
        self._counts.add(operation, calls=1)
        error: str | None = None
        try:
            return method(**kwargs)
        except ClientError as exc:
            error = str(exc.response.get("Error", {}).get("Code", "Unknown"))
            raise
        except Exception as exc:
            error = type(exc).__name__
            raise
        finally:
            end = self._clock()
            self._limiter.settle(key, end)
            if self.on_call is not None:
                self.on_call(CallEvent(operation, key, attempt, error, end - start))

    def _acquire(self, operation: str, key: str | None) -> None:
        """Sleep until the call's buckets have a token (loops: a real sleep may end early)."""
        while (wait := self._limiter.wait(key, self._clock())) > 0:
            self._wait(operation, wait, QUOTA, quota=True)

    def _wait(self, operation: str, seconds: float, reason: str, *, quota: bool) -> None:
        if self.on_wait is not None:
            self.on_wait(operation, seconds, reason)
        start = self._clock()
        self._sleep(seconds)
        slept = max(seconds, self._clock() - start)
        self._counts.add(operation, **({"quota_wait": slept} if quota else {"backoff": slept}))


# -- fault injection ------------------------------------------------------------------------

@dataclass(frozen=True)
class Fault:
    """An error response as API Gateway sends it (rest-json: ``x-amzn-ErrorType`` header,
    ``{"message": ...}`` body; ``Retry-After`` carries retryAfterSeconds, [model])."""

    status: int
    code: str
    message: str
    retry_after: int | None = None

    def response(self, url: str) -> AWSResponse:
        headers = {"x-amzn-ErrorType": self.code, "Content-Type": "application/json"}
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        body = json.dumps({"message": self.message}).encode()
        return AWSResponse(url, self.status, headers, _Raw(body))


class _Raw:
    """The raw body botocore streams from (urllib3's ``stream`` method)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self._body


THROTTLED = Fault(429, "TooManyRequestsException", "Too Many Requests", retry_after=1)
THROTTLED_NO_HINT = Fault(429, "TooManyRequestsException", "Too Many Requests")
CONFLICT = Fault(409, "ConflictException", "Unable to complete operation due to concurrent "
                 "modification. Please try again later.")
UNAVAILABLE = Fault(503, "ServiceUnavailableException", "Service Unavailable")
HARD_QUOTA = Fault(429, "LimitExceededException",
                   "Maximum number of Resources for this API has been reached")
RETRYABLE = (THROTTLED, THROTTLED_NO_HINT, CONFLICT, UNAVAILABLE)

# Readdressed so that no handler after ours executes a refused request: an in-process moto
# is itself a before-send handler, and botocore calls every one (``emit``), taking the
# first answer. ``.invalid`` is reserved (RFC 2606): moto matches no backend on it.
_NOWHERE = "https://apigwctl-fault-injected.invalid/"


class FaultInjector:
    """A botocore ``before-send`` hook answering a seeded share of requests with a fault.

    ``FaultInjector(seed, rate=0.3).install(client)``: each request of the client is refused
    with probability ``rate`` by one of ``faults`` (chosen by the same seeded RNG), so a run
    is reproducible from its seed. A refused request never reaches the service (as with a
    429 from AWS: nothing is done). ``operations`` limits the faults to some operations;
    ``injected`` lists (operation, error code) in order.
    """

    def __init__(self, seed: int, rate: float = 0.3, faults: Sequence[Fault] = RETRYABLE,
                 operations: Iterable[str] | None = None) -> None:
        self.rate, self.faults = rate, tuple(faults)
        self.operations = frozenset(operations) if operations is not None else None
        self.injected: list[tuple[str, str]] = []
        self._rng = random.Random(seed)

    def install(self, client: Any) -> None:
        # More specific than moto's "before-send", so botocore calls it first.
        client.meta.events.register_first(self._event(client), self)

    def uninstall(self, client: Any) -> None:
        client.meta.events.unregister(self._event(client), self)

    @staticmethod
    def _event(client: Any) -> str:
        return f"before-send.{client.meta.service_model.service_id.hyphenize()}"

    def __call__(self, request: Any, event_name: str = "", **_: Any) -> AWSResponse | None:
        operation = event_name.rsplit(".", 1)[-1]
        if self.operations is not None and operation not in self.operations:
            return None
        if self._rng.random() >= self.rate:
            return None
        fault = self._rng.choice(self.faults)
        self.injected.append((operation, fault.code))
        url = request.url
        request.url = _NOWHERE
        return fault.response(url)
