"""QuotaClient: AWS's control-plane quotas, the retry classifier and the accounting.

Time is virtual (a clock that only moves when the client sleeps), so the 5 s and 20 s
intervals of reference/aws-apigateway.md §2.1 cost nothing. Success paths go through the
embedded emulator; error shapes moto never produces (429 with Retry-After, 409, 5xx) come
from botocore's Stubber or from FaultInjector, which sends them through botocore's parser.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from apigwctl.aws.calls import (
    AWS_QUOTAS,
    CONFLICT,
    HARD_QUOTA,
    QUOTA,
    THROTTLED,
    UNAVAILABLE,
    Accounting,
    CallEvent,
    FaultInjector,
    OperationCount,
    QuotaClient,
    RetryPolicy,
    botocore_config,
    classify,
    lower_bound,
)
from apigwctl.aws.emulator import Emulator
from apigwctl.aws.emulator.server import serving

REGIONAL = {"types": ["REGIONAL"]}


@dataclass
class VirtualTime:
    """A clock that moves only when slept on (or by ``advance``); records every sleep."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Waits:
    seen: list[tuple[str, float, str]] = field(default_factory=list)

    def __call__(self, operation: str, seconds: float, reason: str) -> None:
        self.seen.append((operation, round(seconds, 6), reason))


def _session() -> Any:
    return boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                 region_name="us-east-1")


@pytest.fixture
def emulated(tmp_path: Path) -> Iterator[Any]:
    """A plain boto3 client (made with botocore_config) on the embedded emulator."""
    with Emulator(tmp_path / "state", write=True):
        yield _session().client("apigateway", config=botocore_config())


@pytest.fixture
def offline() -> Any:
    """A client for Stubber (no request leaves it)."""
    return _session().client("apigateway", config=botocore_config())


def _quota_client(client: Any, vt: VirtualTime, **kwargs: Any) -> QuotaClient:
    return QuotaClient(client, clock=vt.clock, sleep=vt.sleep, **kwargs)


# -- per-operation and shared buckets (reference §2.1) ------------------------------------

def test_create_deployment_waits_5_s_between_calls_2_1(emulated: Any) -> None:
    vt, waits = VirtualTime(), Waits()
    qc = _quota_client(emulated, vt, on_wait=waits)
    api = qc.create_rest_api(name="a", endpointConfiguration=REGIONAL)["id"]
    resource = qc.get_resources(restApiId=api)["items"][0]["id"]
    qc.put_method(restApiId=api, resourceId=resource, httpMethod="GET",
                  authorizationType="NONE")
    qc.put_integration(restApiId=api, resourceId=resource, httpMethod="GET", type="MOCK")
    ids = [qc.create_deployment(restApiId=api)["id"] for _ in range(3)]
    assert len(set(ids)) == 3
    assert vt.sleeps == [5.0, 5.0]
    assert waits.seen == [("CreateDeployment", 5.0, QUOTA)] * 2
    assert qc.accounting.get("CreateDeployment") == OperationCount(calls=3, quota_wait=10.0)


def test_update_usage_plan_waits_20_s_2_1(emulated: Any) -> None:
    vt, waits = VirtualTime(), Waits()
    qc = _quota_client(emulated, vt)
    plan = qc.create_usage_plan(name="gold")["id"]
    qc.on_wait = waits  # attached after the client was made, as apply's progress is
    for text in ("one", "two"):
        qc.update_usage_plan(usagePlanId=plan, patchOperations=[
            {"op": "replace", "path": "/description", "value": text}])
    assert vt.sleeps == [20.0]
    assert waits.seen == [("UpdateUsagePlan", 20.0, QUOTA)]
    assert emulated.get_usage_plan(usagePlanId=plan)["description"] == "two"


def test_shared_budget_10_rps_burst_40_2_1(emulated: Any) -> None:
    vt = VirtualTime()
    qc = _quota_client(emulated, vt)
    for _ in range(45):
        qc.get_rest_apis()
    assert vt.sleeps == pytest.approx([0.1] * 5)
    assert qc.accounting.get("GetRestApis").calls == 45


def test_get_resources_5_per_2_s_2_1(emulated: Any) -> None:
    vt = VirtualTime()
    qc = _quota_client(emulated, vt)
    api = qc.create_rest_api(name="a", endpointConfiguration=REGIONAL)["id"]
    for _ in range(7):
        qc.get_resources(restApiId=api)
    assert vt.sleeps == pytest.approx([0.4, 0.4])


@pytest.mark.parametrize(("endpoint", "interval"), [("REGIONAL", 3.0), ("PRIVATE", 3.0),
                                                     ("EDGE", 30.0), (None, 30.0)])
def test_create_rest_api_rate_follows_the_endpoint_type_2_1(
        emulated: Any, endpoint: str | None, interval: float) -> None:
    vt = VirtualTime()
    qc = _quota_client(emulated, vt)
    args = {"endpointConfiguration": {"types": [endpoint]}} if endpoint else {}
    qc.create_rest_api(name="a", **args)
    qc.create_rest_api(name="b", **args)
    assert vt.sleeps == [interval]


def test_import_shares_the_create_bucket_of_its_endpoint_type_2_1(emulated: Any) -> None:
    vt = VirtualTime()
    qc = _quota_client(emulated, vt)
    qc.create_rest_api(name="a", endpointConfiguration=REGIONAL)
    body = b'{"openapi": "3.0.1", "info": {"title": "b", "version": "1"}, "paths": {}}'
    qc.import_rest_api(body=body, parameters={"endpointConfigurationTypes": "REGIONAL"})
    assert vt.sleeps == [3.0]
    assert {a["name"] for a in emulated.get_rest_apis()["items"]} == {"a", "b"}


def test_no_refill_while_a_call_is_in_flight(emulated: Any) -> None:
    """The next CreateDeployment leaves 5 s after the previous one ANSWERED: it then reaches
    AWS at least 5 s after the previous one did, whatever the latency."""
    vt = VirtualTime()
    latency = 2.0
    emulated.meta.events.register("before-send", lambda **_: vt.advance(latency))
    qc = _quota_client(emulated, vt)
    api = qc.create_rest_api(name="a", endpointConfiguration=REGIONAL)["id"]
    resource = qc.get_resources(restApiId=api)["items"][0]["id"]
    qc.put_method(restApiId=api, resourceId=resource, httpMethod="GET",
                  authorizationType="NONE")
    qc.put_integration(restApiId=api, resourceId=resource, httpMethod="GET", type="MOCK")
    qc.create_deployment(restApiId=api)
    qc.create_deployment(restApiId=api)
    assert vt.sleeps == [5.0]  # not 3.0: the 2 s in flight did not refill the bucket


def test_virtual_run_takes_exactly_the_lower_bound(emulated: Any) -> None:
    events: list[CallEvent] = []
    vt = VirtualTime()
    qc = _quota_client(emulated, vt, on_call=events.append)
    api = qc.create_rest_api(name="a", endpointConfiguration=REGIONAL)["id"]
    resource = qc.get_resources(restApiId=api)["items"][0]["id"]
    qc.put_method(restApiId=api, resourceId=resource, httpMethod="GET",
                  authorizationType="NONE")
    qc.put_integration(restApiId=api, resourceId=resource, httpMethod="GET", type="MOCK")
    for i in range(3):
        deployment = qc.create_deployment(restApiId=api)["id"]
        qc.create_stage(restApiId=api, stageName=f"s{i}", deploymentId=deployment)
        for _ in range(20):
            qc.get_stages(restApiId=api)
    keys = [e.bucket or e.operation for e in events]
    assert keys[0] == "CreateRestApi/REGIONAL"
    assert vt.now == pytest.approx(lower_bound(keys))
    assert vt.now == pytest.approx(10.0)


def test_quota_table_names_real_operations_2_1(offline: Any) -> None:
    operations = set(offline.meta.service_model.operation_names)
    keys = {key.split("/")[0] for key in AWS_QUOTAS.operations}
    assert keys <= operations  # a typo would silently leave an operation unthrottled
    intervals = {key: q.burst / q.rate for key, q in AWS_QUOTAS.operations.items()}
    assert intervals["CreateDeployment"] == 5.0
    assert intervals["UpdateUsagePlan"] == 20.0
    assert intervals["CreateRestApi/EDGE"] == 30.0
    assert (AWS_QUOTAS.shared.rate, AWS_QUOTAS.shared.burst) == (10.0, 40)


def test_lower_bound_arithmetic_appendix_a() -> None:
    assert lower_bound([]) == 0.0
    assert lower_bound(["CreateDeployment"] * 3) == 10.0
    assert lower_bound(["UpdateUsagePlan", "CreateDeployment", "UpdateUsagePlan"]) == 20.0
    assert lower_bound(["GetRestApis"] * 50) == pytest.approx(1.0)
    assert lower_bound(["CreateRestApi"] * 2) == 30.0  # edge-optimized when not said
    assert lower_bound(["CreateRestApi/REGIONAL", "ImportRestApi"]) == 0.0  # two buckets
    assert lower_bound(["ImportApiKeys", "CreateUsagePlanKey", "UpdateStage"]) == 0.0


# -- the retry classifier (reference §9) ------------------------------------------------

def _stubbed(client: Any, vt: VirtualTime, **kwargs: Any) -> tuple[QuotaClient, Stubber]:
    return _quota_client(client, vt, rng=random.Random(7), **kwargs), Stubber(client)


def test_too_many_requests_honours_retry_after_header_9(offline: Any) -> None:
    vt, waits = VirtualTime(), Waits()
    qc, stub = _stubbed(offline, vt, on_wait=waits)
    stub.add_client_error("get_rest_apis", "TooManyRequestsException", "Too Many Requests",
                          429, response_meta={"HTTPHeaders": {"retry-after": "3"}})
    stub.add_response("get_rest_apis", {"items": []})
    with stub:
        assert qc.get_rest_apis()["items"] == []
    assert vt.sleeps == [3.0]
    assert waits.seen == [("GetRestApis", 3.0, "TooManyRequestsException")]
    assert qc.accounting.get("GetRestApis") == OperationCount(calls=2, retries=1, quota_wait=3.0)


def test_too_many_requests_honours_parsed_retry_after_seconds_9(offline: Any) -> None:
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt)
    stub.add_client_error("get_rest_apis", "TooManyRequestsException", "slow down", 429,
                          modeled_fields={"retryAfterSeconds": "4"})
    stub.add_response("get_rest_apis", {"items": []})
    with stub:
        qc.get_rest_apis()
    assert vt.sleeps == [4.0]


def test_throttle_without_hint_backs_off_and_empties_the_bucket_9(offline: Any) -> None:
    """UpdateUsagePlan throttled with no Retry-After: the retry waits out the 20 s interval
    rather than hammering the operation within the attempt cap."""
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt)
    stub.add_client_error("update_usage_plan", "TooManyRequestsException", "slow", 429)
    stub.add_response("update_usage_plan", {"id": "p1"})
    with stub:
        qc.update_usage_plan(usagePlanId="p1", patchOperations=[])
    jitter = random.Random(7).uniform(0.0, 0.5)
    assert vt.sleeps == pytest.approx([jitter, 20.0 - jitter])
    assert vt.now == pytest.approx(20.0)
    assert qc.accounting.get("UpdateUsagePlan").quota_wait == pytest.approx(20.0)


def test_throttle_without_hint_drains_a_bucket_that_had_tokens_left_9(offline: Any) -> None:
    """CreateApiKey (5/s) still had 4 tokens here: AWS saying no means it has none."""
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt)
    stub.add_client_error("create_api_key", "TooManyRequestsException", "slow", 429)
    stub.add_response("create_api_key", {"id": "k1"})
    with stub:
        qc.create_api_key(name="k")
    jitter = random.Random(7).uniform(0.0, 0.5)
    assert jitter < 0.2  # else the refill alone would cover the interval
    assert vt.sleeps == pytest.approx([jitter, (1.0 - 5 * jitter) / 5])


def test_limit_exceeded_without_retry_after_is_a_hard_quota_9(offline: Any) -> None:
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt)
    stub.add_client_error("put_rest_api", "LimitExceededException",
                          "Maximum number of Resources for this API has been reached", 429)
    with stub, pytest.raises(ClientError, match="Maximum number of Resources"):
        qc.put_rest_api(restApiId="a1", body=b"{}")
    assert vt.sleeps == []
    assert qc.accounting.get("PutRestApi") == OperationCount(calls=1)


def test_limit_exceeded_with_retry_after_is_retried_9(offline: Any) -> None:
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt)
    stub.add_client_error("create_api_key", "LimitExceededException", "rate", 429,
                          response_meta={"HTTPHeaders": {"retry-after": "2"}})
    stub.add_response("create_api_key", {"id": "k1"})
    with stub:
        assert qc.create_api_key(name="k")["id"] == "k1"
    assert vt.sleeps == [2.0]


@pytest.mark.parametrize("code", ["ConflictException", "BadRequestException"])
def test_concurrent_modification_is_retried_whatever_the_class_9(offline: Any,
                                                                 code: str) -> None:
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt)
    stub.add_client_error("update_stage", code, "Unable to complete operation due to "
                          "concurrent modification. Please try again later.", 409)
    stub.add_response("update_stage", {"stageName": "prod"})
    with stub:
        qc.update_stage(restApiId="a1", stageName="prod", patchOperations=[])
    assert vt.sleeps == [pytest.approx(random.Random(7).uniform(0.0, 0.5))]
    count = qc.accounting.get("UpdateStage")
    assert (count.calls, count.retries, count.quota_wait) == (2, 1, 0.0)
    assert count.backoff == pytest.approx(vt.sleeps[0])


def test_other_conflicts_fail_at_once_9(offline: Any) -> None:
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt)
    stub.add_client_error("create_stage", "ConflictException", "Stage already exists", 409)
    with stub, pytest.raises(ClientError, match="already exists"):
        qc.create_stage(restApiId="a1", stageName="prod", deploymentId="d1")
    assert vt.sleeps == []


@pytest.mark.parametrize(("code", "status"), [("ServiceUnavailableException", 503),
                                              ("InternalServerError", 500),
                                              ("BadGateway", 502)])
def test_5xx_is_retried_with_full_jitter_backoff_9(offline: Any, code: str,
                                                    status: int) -> None:
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt)
    for _ in range(3):
        stub.add_client_error("get_stages", code, "oops", status)
    stub.add_response("get_stages", {"item": []})
    with stub:
        qc.get_stages(restApiId="a1")
    rng = random.Random(7)
    assert vt.sleeps == pytest.approx([rng.uniform(0, 0.5), rng.uniform(0, 1.0),
                                       rng.uniform(0, 2.0)])
    assert qc.accounting.get("GetStages").retries == 3


@pytest.mark.parametrize("code", ["NotFoundException", "BadRequestException",
                                  "UnauthorizedException", "AccessDeniedException"])
def test_everything_else_fails_at_once_9(offline: Any, code: str) -> None:
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt)
    stub.add_client_error("get_stages", code, "no", 400)
    with stub, pytest.raises(ClientError):
        qc.get_stages(restApiId="a1")
    assert vt.sleeps == []
    assert qc.accounting.get("GetStages") == OperationCount(calls=1)


def test_attempts_are_capped(offline: Any) -> None:
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt, policy=RetryPolicy(max_attempts=3))
    for _ in range(3):
        stub.add_client_error("get_stages", "TooManyRequestsException", "slow", 429,
                              response_meta={"HTTPHeaders": {"retry-after": "1"}})
    with stub, pytest.raises(ClientError, match="slow"):
        qc.get_stages(restApiId="a1")
    assert vt.sleeps == [1.0, 1.0]
    assert qc.accounting.get("GetStages") == OperationCount(calls=3, retries=2,
                                                           quota_wait=2.0)


def test_total_retry_wait_is_capped_before_sleeping(offline: Any) -> None:
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt, policy=RetryPolicy(max_retry_wait=60.0))
    stub.add_client_error("get_stages", "TooManyRequestsException", "slow", 429,
                          response_meta={"HTTPHeaders": {"retry-after": "30"}})
    stub.add_client_error("get_stages", "TooManyRequestsException", "slow", 429,
                          response_meta={"HTTPHeaders": {"retry-after": "31"}})
    with stub, pytest.raises(ClientError):
        qc.get_stages(restApiId="a1")
    assert vt.sleeps == [30.0]  # 30 + 31 > 60: gave up without the pointless 31 s


def test_classify_reads_status_and_garbage_retry_after() -> None:
    def response(code: str, status: int, after: str | None = None) -> dict[str, Any]:
        headers = {"retry-after": after} if after is not None else {}
        return {"Error": {"Code": code, "Message": ""},
                "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": headers}}

    assert classify(response("LimitExceededException", 429, "soon")).retry is False
    assert classify(response("TooManyRequestsException", 429, "-1")).after is None
    assert classify(response("Whatever", 504)).retry is True
    assert classify(response("ServiceUnavailableException", 503, "2")).after == 2.0


def test_on_call_reports_every_attempt(offline: Any) -> None:
    events: list[CallEvent] = []
    vt = VirtualTime()
    qc, stub = _stubbed(offline, vt, on_call=events.append)
    stub.add_client_error("create_deployment", "ServiceUnavailableException", "x", 503)
    stub.add_response("create_deployment", {"id": "d1"})
    with stub:
        qc.create_deployment(restApiId="a1")
    assert [(e.operation, e.bucket, e.attempt, e.error) for e in events] == [
        ("CreateDeployment", "CreateDeployment", 1, "ServiceUnavailableException"),
        ("CreateDeployment", "CreateDeployment", 2, None)]


# -- botocore must not retry ------------------------------------------------------------

def test_refuses_a_client_that_retries_on_its_own() -> None:
    for config in (None, Config(retries={"mode": "standard", "max_attempts": 5}),
                   Config(retries={"max_attempts": 1})):  # legacy: 1 RETRY, 2 attempts
        client = _session().client("apigateway", config=config)
        with pytest.raises(ValueError, match="botocore_config"):
            QuotaClient(client)


def test_refuses_a_quota_table_of_another_service() -> None:
    client = _session().client("apigatewayv2", config=botocore_config())
    with pytest.raises(ValueError, match="quota table for apigateway"):
        QuotaClient(client)


def test_botocore_config_sends_one_request_per_attempt(emulated: Any) -> None:
    injector = FaultInjector(seed=1, rate=1.0, faults=[UNAVAILABLE])
    injector.install(emulated)
    qc = _quota_client(emulated, VirtualTime(), policy=RetryPolicy(max_attempts=2))
    with pytest.raises(ClientError, match="Service Unavailable"):
        qc.get_rest_apis()
    assert injector.injected == [("GetRestApis", "ServiceUnavailableException")] * 2


def test_only_operations_and_meta_pass_through(offline: Any) -> None:
    qc = QuotaClient(offline)
    assert qc.meta is offline.meta
    assert qc.exceptions is offline.exceptions
    assert qc.get_rest_apis.__name__ == "get_rest_apis"
    with pytest.raises(AttributeError, match="paginators"):
        _ = qc.get_paginator


# -- accounting -------------------------------------------------------------------------

def test_accounting_snapshots_subtract_and_serialise(emulated: Any) -> None:
    vt = VirtualTime()
    qc = _quota_client(emulated, vt)
    qc.create_rest_api(name="a", endpointConfiguration=REGIONAL)
    before = qc.accounting
    qc.create_rest_api(name="b", endpointConfiguration=REGIONAL)
    qc.get_rest_apis()
    delta = qc.accounting.since(before)
    assert delta.calls() == {"CreateRestApi": 1, "GetRestApis": 1}
    assert delta.to_dict() == {
        "operations": {
            "CreateRestApi": {"calls": 1, "retries": 0, "quota_wait_seconds": 3.0,
                              "backoff_seconds": 0.0},
            "GetRestApis": {"calls": 1, "retries": 0, "quota_wait_seconds": 0.0,
                            "backoff_seconds": 0.0}},
        "total": {"calls": 2, "retries": 0, "quota_wait_seconds": 3.0,
                  "backoff_seconds": 0.0}}
    assert Accounting().to_dict()["total"]["calls"] == 0
    with pytest.raises(AttributeError):
        before.operations = ()  # type: ignore[misc]  # frozen


# -- fault injection --------------------------------------------------------------------

def _storm(client: Any, seed: int) -> tuple[FaultInjector, QuotaClient]:
    """Creates an API with 5 resources, a deployment, 2 stages, a plan and 5 keys."""
    injector = FaultInjector(seed, rate=0.3)
    injector.install(client)
    qc = _quota_client(client, VirtualTime(), rng=random.Random(seed))
    api = qc.create_rest_api(name="storm", endpointConfiguration=REGIONAL)["id"]
    root = qc.get_resources(restApiId=api)["items"][0]["id"]
    for i in range(5):
        qc.create_resource(restApiId=api, parentId=root, pathPart=f"r{i}")
    qc.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    qc.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = qc.create_deployment(restApiId=api)["id"]
    for stage in ("dev", "prod"):
        qc.create_stage(restApiId=api, stageName=stage, deploymentId=deployment)
    qc.create_usage_plan(name="gold", apiStages=[{"apiId": api, "stage": "prod"}])
    for i in range(5):
        qc.create_api_key(name=f"k{i}", enabled=True)
    injector.uninstall(client)
    return injector, qc


def test_fault_storm_ends_with_everything_done_once(emulated: Any) -> None:
    injector, qc = _storm(emulated, seed=3)
    assert len(injector.injected) >= 5  # the storm did happen
    assert qc.accounting.total.retries == len(injector.injected)
    apis = emulated.get_rest_apis()["items"]
    assert [a["name"] for a in apis] == ["storm"]
    api = apis[0]["id"]
    assert len(emulated.get_resources(restApiId=api)["items"]) == 6
    assert len(emulated.get_deployments(restApiId=api)["items"]) == 1
    assert {s["stageName"] for s in emulated.get_stages(restApiId=api)["item"]} == {
        "dev", "prod"}
    assert len(emulated.get_usage_plans()["items"]) == 1
    assert sorted(k["name"] for k in emulated.get_api_keys()["items"]) == [
        f"k{i}" for i in range(5)]


def test_fault_injection_is_reproducible_by_seed(tmp_path: Path) -> None:
    runs = []
    for run in ("a", "b"):
        with Emulator(tmp_path / run, write=True):
            client = _session().client("apigateway", config=botocore_config())
            runs.append(_storm(client, seed=11)[0].injected)
    assert runs[0] == runs[1]
    assert {code for _, code in runs[0]} >= {"TooManyRequestsException", "ConflictException"}


def test_a_refused_request_does_nothing(emulated: Any) -> None:
    injector = FaultInjector(seed=0, rate=1.0, faults=[HARD_QUOTA],
                             operations=["CreateRestApi"])
    injector.install(emulated)
    qc = _quota_client(emulated, VirtualTime())
    with pytest.raises(ClientError, match="LimitExceededException"):
        qc.create_rest_api(name="never", endpointConfiguration=REGIONAL)
    assert qc.get_rest_apis()["items"] == []  # other operations pass
    assert injector.injected == [("CreateRestApi", "LimitExceededException")]


def test_injected_throttle_goes_through_botocores_parser(emulated: Any) -> None:
    injector = FaultInjector(seed=0, rate=1.0, faults=[THROTTLED])
    injector.install(emulated)
    with pytest.raises(ClientError) as caught:
        emulated.get_rest_apis()
    assert caught.value.response["retryAfterSeconds"] == "1"  # Retry-After, as AWS binds it
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_faults_over_http_on_the_served_emulator(tmp_path: Path) -> None:
    with serving(tmp_path, port=0, save_every=3600) as url:
        client = _session().client("apigateway", endpoint_url=url, config=botocore_config())
        injector = FaultInjector(seed=1, rate=0.5, faults=[CONFLICT, THROTTLED])
        injector.install(client)
        vt = VirtualTime()
        qc = _quota_client(client, vt, rng=random.Random(1))
        for i in range(6):
            qc.create_api_key(name=f"k{i}")
        injector.uninstall(client)
        assert injector.injected
        assert sorted(k["name"] for k in client.get_api_keys()["items"]) == [
            f"k{i}" for i in range(6)]
        assert qc.accounting.get("CreateApiKey").calls == 6 + len(injector.injected)
