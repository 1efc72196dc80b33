"""Fault storms through the whole apply: success with everything done, or an exact account.

The petstore example (API, 2 stages with settings, a usage plan, an imported and a generated
key) is planned and applied in-process on the embedded emulator, through the same
QuotaClient apply uses, with a seeded FaultInjector answering 30% of requests with
TooManyRequests / Conflict / 5xx (and, for some seeds, a hard LimitExceeded). Time is virtual.
Whatever happens, the run either converges (a fresh plan is empty, nothing exists twice) or
fails with ApplyError naming what was done and what was not — and a second apply without
faults then converges. Never success with work undone.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from apigwctl.apply import ApplyError, apply_plan
from apigwctl.aws.calls import HARD_QUOTA, RETRYABLE, FaultInjector, QuotaClient, botocore_config
from apigwctl.aws.emulator import Emulator
from apigwctl.aws.target import Connection
from apigwctl.cli.project import Prepared, TargetFlags, make_project_plan, prepare

from .support import copy_petstore


@dataclass
class VirtualTime:
    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Prepared]:
    monkeypatch.chdir(copy_petstore(tmp_path))
    monkeypatch.setenv("APIGWCTL_EMULATOR_QUOTAS", "off")  # the injector plays AWS here
    yield prepare("apigwctl.yaml", TargetFlags(), no_color=True)


def _connection(seed: int | None) -> tuple[Connection, FaultInjector | None]:
    raw = boto3.session.Session(region_name="us-east-1").client(
        "apigateway", config=botocore_config())
    injector = None
    if seed is not None:
        faults = (*RETRYABLE, HARD_QUOTA) if seed % 4 == 0 else RETRYABLE
        injector = FaultInjector(seed, rate=0.3, faults=faults)
        injector.install(raw)
    time = VirtualTime()
    client = QuotaClient(raw, clock=time.clock, sleep=time.sleep, rng=random.Random(seed))
    return Connection(client, "us-east-1", "emulator"), injector


def _apply(prepared: Prepared, seed: int | None) -> tuple[list[Any], FaultInjector | None]:
    connection, injector = _connection(seed)
    result = make_project_plan(prepared, connection)
    ids = result.live.ids if result.live else {}
    done = apply_plan(connection.client, result.plan, ids, bodies=prepared.bodies,
                      secrets=prepared.secrets)
    return done, injector


def _assert_converged(prepared: Prepared) -> None:
    connection, _ = _connection(None)
    assert make_project_plan(prepared, connection).plan.empty
    raw = connection.client
    assert [a["name"] for a in raw.get_rest_apis()["items"]] == ["petstore"]
    assert [p["name"] for p in raw.get_usage_plans()["items"]] == ["standard"]
    assert sorted(k["name"] for k in raw.get_api_keys()["items"]) == [
        "demo-partner", "generated-partner"]


@pytest.mark.parametrize("seed", range(24))
def test_a_fault_storm_never_ends_in_success_with_work_undone(project: Prepared,
                                                              seed: int) -> None:
    with Emulator(Path(".apigwctl/emulator"), write=True):
        try:
            done, injector = _apply(project, seed)
        except ApplyError as err:  # exit 1: an exact account, then a clean re-run finishes
            assert err.hint is not None
            assert "already done:" in err.hint and "Not done:" in err.hint
            assert "LimitExceededException" in err.what
            _apply(project, None)
        else:
            assert injector is not None and injector.injected  # the storm did happen
            assert len(done) == 9
        _assert_converged(project)


def test_key_values_never_reach_results_or_errors(project: Prepared) -> None:
    value = project.secrets["demo-partner"]
    with Emulator(Path(".apigwctl/emulator"), write=True):
        connection, _ = _connection(None)
        result = make_project_plan(project, connection)
        reported: list[str] = []
        apply_plan(connection.client, result.plan, {}, lambda op, r: reported.append(r),
                   bodies=project.bodies, secrets=project.secrets)
    texts = [*reported, repr(result.plan), str(result.plan.to_dict()), repr(project)]
    assert not [t for t in texts if value in t]


def test_a_hard_quota_part_way_is_reported_and_the_next_apply_finishes(
        project: Prepared) -> None:
    with Emulator(Path(".apigwctl/emulator"), write=True):
        with pytest.raises(ApplyError) as info:  # seed 4 hits LimitExceeded at create_stage
            _apply(project, 4)
        assert info.value.what.startswith("create stage prod on deployment:petstore failed: "
                                          "LimitExceededException")
        assert info.value.hint is not None
        assert "already done: create REST API petstore" in info.value.hint
        assert "Not done: create stage prod" in info.value.hint
        done, _ = _apply(project, None)
        assert done  # the rest of the work, planned again from the live state
        _assert_converged(project)
