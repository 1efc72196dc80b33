"""The emulator's control-plane quotas (reference §2.1) answer 429 as AWS does, in virtual time.

Each test gives the quota layer a clock that moves only when the test moves it, so the 5 s,
20 s and 30 s intervals cost nothing; plain moto never throttles (findings §1.8).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from apigwctl.aws.emulator import Emulator, quotas
from apigwctl.aws.emulator.server import serving
from tests.emulator.conftest import PETSTORE
from tests.emulator.test_fidelity_stages import deployed

REGIONAL = {"endpointConfigurationTypes": "REGIONAL"}


class VirtualClock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


Quoted = Callable[[], AbstractContextManager[Any]]


def no_retry_client() -> Any:
    """A client inside an emulator block whose botocore never retries: a 429 comes straight
    back (botocore's own retries would sleep in real time)."""
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing",
        region_name="us-east-1").client("apigateway",
                                         config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def quoted(tmp_path: Path, clock: VirtualClock) -> Quoted:
    """``with quoted() as client``: the emulator on a fresh state dir, quotas on, virtual time."""
    @contextmanager
    def _open() -> Iterator[Any]:
        with Emulator(tmp_path / "state", write=True) as em, \
                quotas.enforcing(em.state_dir, clock=clock, mode="aws"):
            yield no_retry_client()
    return _open


def throttled(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    response = dict(caught.value.response)
    assert response["Error"] == {"Code": "TooManyRequestsException",
                                 "Message": "Too Many Requests"}
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 429
    return response


def test_create_deployment_one_per_5_s_2_1(quoted: Quoted, clock: VirtualClock,
                                           plain: Any) -> None:
    with plain() as client:  # moto never throttles
        api, _ = deployed(client)
        for _ in range(3):
            client.create_deployment(restApiId=api)
    with quoted() as client:
        api, _ = deployed(client)
        clock.advance(1)
        refused = throttled(lambda: client.create_deployment(restApiId=api))
        clock.advance(4)
        client.create_deployment(restApiId=api)
    assert refused["retryAfterSeconds"] == "4"


def test_update_usage_plan_one_per_20_s_2_1(quoted: Quoted, clock: VirtualClock) -> None:
    ops = [{"op": "replace", "path": "/description", "value": "d"}]
    with quoted() as client:
        plan = client.create_usage_plan(name="gold")["id"]
        client.update_usage_plan(usagePlanId=plan, patchOperations=ops)
        clock.advance(19.5)
        refused = throttled(lambda: client.update_usage_plan(usagePlanId=plan,
                                                             patchOperations=ops))
        clock.advance(0.5)
        client.update_usage_plan(usagePlanId=plan, patchOperations=ops)
    assert refused["retryAfterSeconds"] == "1"  # 0.5 s, in the header's whole seconds


def test_import_one_per_3_s_regional_and_one_per_30_s_edge_2_1(quoted: Quoted,
                                                                clock: VirtualClock) -> None:
    body = PETSTORE.read_bytes()
    with quoted() as client:
        client.import_rest_api(body=body, parameters=REGIONAL)
        client.import_rest_api(body=body)  # EDGE: another bucket
        clock.advance(2)
        regional = throttled(lambda: client.import_rest_api(body=body, parameters=REGIONAL))
        clock.advance(1)
        client.import_rest_api(body=body, parameters=REGIONAL)
        edge = throttled(lambda: client.create_rest_api(name="e"))  # CreateRestApi shares it
        clock.advance(27)
        client.create_rest_api(name="e")
    assert (regional["retryAfterSeconds"], edge["retryAfterSeconds"]) == ("1", "27")


def test_shared_10_per_s_burst_40_2_1(quoted: Quoted, clock: VirtualClock) -> None:
    with quoted() as client:
        for _ in range(40):
            client.get_rest_apis()
        refused = throttled(client.get_rest_apis)
        clock.advance(0.1)
        client.get_rest_apis()
        throttled(client.get_usage_plans)  # every operation shares the budget
    assert refused["retryAfterSeconds"] == "1"


def test_a_refused_call_takes_no_token(quoted: Quoted, clock: VirtualClock) -> None:
    """A refused CreateDeployment must not drain the shared budget (both buckets or neither)."""
    with quoted() as client:
        api, _ = deployed(client)  # 6 calls
        for _ in range(40):
            with suppress(ClientError):
                client.create_deployment(restApiId=api)
        for _ in range(34):
            client.get_rest_apis()
        throttled(client.get_rest_apis)


def test_a_throttled_write_is_not_journaled(tmp_path: Path, clock: VirtualClock) -> None:
    with Emulator(tmp_path, write=True) as em, \
            quotas.enforcing(em.state_dir, clock=clock, mode="aws"):
        client = no_retry_client()
        api, _ = deployed(client)
        throttled(lambda: client.create_deployment(restApiId=api))
        entries = (tmp_path / "journal.jsonl").read_text().splitlines()[1:]
        deployments = [e for e in map(json.loads, entries) if e["url"].endswith("/deployments")]
    assert [e["status"] for e in deployments] == [201]
    with Emulator(tmp_path, write=False) as em:  # the saved state reloads as it was
        assert len(em.client("apigateway").get_deployments(restApiId=api)["items"]) == 1


CHILD = """
import sys
from pathlib import Path
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from apigwctl.aws.emulator import Emulator, quotas
state, api, now = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
with Emulator(state, write=True) as em, \
        quotas.enforcing(em.state_dir, clock=lambda: now, mode="aws"):
    client = boto3.session.Session(region_name="us-east-1").client(
        "apigateway", config=Config(retries={"total_max_attempts": 1}))
    try:
        client.create_deployment(restApiId=api)
        print("deployed")
    except ClientError as error:
        print(error.response["Error"]["Code"], error.response.get("retryAfterSeconds"))
"""


def test_quotas_hold_across_processes_sharing_a_state_dir_2_1(
        tmp_path: Path, clock: VirtualClock, subprocess_env: dict[str, str]) -> None:
    """A second apply one second after the first waits for CreateDeployment's next slot."""
    with Emulator(tmp_path, write=True) as em, \
            quotas.enforcing(em.state_dir, clock=clock, mode="aws"):
        api, _ = deployed(em.client("apigateway"))

    def child(now: float) -> str:
        return subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), api, str(now)],
                              env=subprocess_env, capture_output=True, text=True,
                              check=True).stdout.strip()

    assert child(clock.now + 1) == "TooManyRequestsException 4"
    assert child(clock.now + 5) == "deployed"


def test_served_over_http_answers_429_with_retry_after(tmp_path: Path,
                                                       clock: VirtualClock) -> None:
    with serving(tmp_path, port=0, save_every=3600) as url, \
            quotas.enforcing(tmp_path, clock=clock, mode="aws"):
        client = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name="us-east-1").client("apigateway", endpoint_url=url,
                                             config=Config(retries={"total_max_attempts": 1}))
        client.create_rest_api(name="a", endpointConfiguration={"types": ["REGIONAL"]})
        refused = throttled(lambda: client.create_rest_api(
            name="b", endpointConfiguration={"types": ["REGIONAL"]}))
    assert refused["retryAfterSeconds"] == "3"


def test_mode_off_and_after_the_block_nothing_is_throttled(
        tmp_path: Path, clock: VirtualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(quotas.MODE_ENV, "off")
    with Emulator(tmp_path, write=True) as em:
        client = no_retry_client()
        api, _ = deployed(client)
        with quotas.enforcing(em.state_dir, clock=clock):  # mode from the environment: off
            client.create_deployment(restApiId=api)
        with quotas.enforcing(em.state_dir, clock=clock, mode="aws"):
            client.create_deployment(restApiId=api)
            throttled(lambda: client.create_deployment(restApiId=api))
            with quotas.enforcing(em.state_dir, clock=clock, mode="off"):  # innermost wins
                client.create_deployment(restApiId=api)
            quotas.deactivate(quotas.Activation(None))  # not an activation: nothing happens
            throttled(lambda: client.create_deployment(restApiId=api))
        client.create_deployment(restApiId=api)  # the dispatcher is moto's again


def test_an_unknown_mode_is_a_user_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(quotas.MODE_ENV, "strict")
    with pytest.raises(quotas.QuotaModeError, match="APIGWCTL_EMULATOR_QUOTAS='strict'") as err:
        quotas.mode_from_env()
    assert err.value.hint == "use one of: aws, off"


def test_bucket_arithmetic() -> None:
    """Pure checks of the table: which buckets a call draws on."""
    class Request:
        args: dict[str, str] = {}

        def get_data(self, cache: bool = True) -> bytes:
            return b'{"name": "a", "endpointConfiguration": {"types": ["PRIVATE"]}}'

    assert quotas.limits_for("apigateway", "CreateRestApi", Request()) == (
        quotas.CREATE_REGIONAL, quotas.SHARED)
    assert quotas.limits_for("apigateway", "GetRestApis", Request()) == (quotas.SHARED,)
    assert quotas.limits_for("apigateway", "ImportApiKeys", Request()) == (quotas.SHARED,)
    key_ops = {quotas.limits_for("apigateway", op, Request())[0]
               for op in ("CreateApiKey", "DeleteApiKey")}
    assert [(lim.capacity, lim.rate) for lim in key_ops] == [(5.0, 5.0)]
    assert quotas.limits_for("apigatewayv2", "CreateVpcLink", Request())[0].rate == 1 / 15
