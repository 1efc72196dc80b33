"""Ownership (which live API is apigwctl's) and plan-file staleness, as pure functions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from apigwctl.errors import ApigwctlError
from apigwctl.model import ApiState, RestApi
from apigwctl.ownership import (
    LiveApi,
    UnmanagedApiError,
    choose_managed,
    is_managed,
    ownership_tags,
)
from apigwctl.plan.planfile import Origin, live_sha256, read_plan_file, stale_reasons

MANAGED = ownership_tags("pets")


def test_ownership_tags_name_the_tool_and_the_api() -> None:
    assert MANAGED == {"apigwctl:managed-by": "apigwctl", "apigwctl:api": "pets"}
    assert is_managed(LiveApi("a", "pets", MANAGED), "pets")
    assert not is_managed(LiveApi("a", "pets", {}), "pets")
    assert not is_managed(LiveApi("a", "pets", ownership_tags("other")), "pets")


def test_choose_managed_ignores_other_names_and_picks_the_managed_one() -> None:
    apis = [LiveApi("x", "other", {}), LiveApi("m", "pets", MANAGED)]
    assert choose_managed("pets", apis, "us-east-1") == apis[1]
    assert choose_managed("nothing", apis, "us-east-1") is None


def test_an_unmanaged_namesake_is_refused_with_the_takeover_command() -> None:
    with pytest.raises(UnmanagedApiError) as info:
        choose_managed("pets", [LiveApi("u1", "pets", {"team": "x"})], "eu-west-1")
    assert "already exists (u1)" in info.value.what
    assert info.value.hint is not None
    assert "arn:aws:apigateway:eu-west-1::/restapis/u1" in info.value.hint


def test_a_managed_api_wins_over_an_unmanaged_namesake() -> None:
    apis = [LiveApi("u1", "pets", {}), LiveApi("m", "pets", MANAGED)]
    assert choose_managed("pets", apis, "us-east-1") == apis[1]


def test_two_managed_namesakes_are_ambiguous() -> None:
    apis = [LiveApi("m1", "pets", MANAGED), LiveApi("m2", "pets", MANAGED)]
    with pytest.raises(ApigwctlError, match=r"2 REST APIs named 'pets'.*m1, m2"):
        choose_managed("pets", apis, "us-east-1")


ORIGIN = Origin("apigwctl.yaml", "c" * 64, "openapi.yaml", "s" * 64,
                {"kind": "emulator", "region": "us-east-1"}, "l" * 64)


@pytest.mark.parametrize(("change", "reason"), [
    ({"config_sha256": "d" * 64}, "apigwctl.yaml changed since"),
    ({"spec_sha256": "t" * 64}, "openapi.yaml changed since"),
    ({"live_sha256": "m" * 64}, "the live API changed since"),
    ({"target": {"kind": "aws", "region": "us-east-1"}},
     "made for target kind=emulator, region=us-east-1, not kind=aws, region=us-east-1"),
])
def test_each_stale_reason(change: dict[str, object], reason: str) -> None:
    assert stale_reasons(ORIGIN, ORIGIN) == []
    reasons = stale_reasons(ORIGIN, replace(ORIGIN, **change))  # type: ignore[arg-type]
    assert len(reasons) == 1 and reason in reasons[0]


def test_live_digest_covers_ids_not_only_the_model() -> None:
    state = ApiState(RestApi("pets"), ids={"api:pets": "a1"})
    recreated = ApiState(RestApi("pets"), ids={"api:pets": "b2"})
    assert state == recreated  # the model alone cannot tell them apart
    assert live_sha256(state) != live_sha256(recreated)
    assert live_sha256(None) != live_sha256(state)


def test_plan_file_round_trip_fields(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"format": "apigwctl-plan", "format_version": 1, "apigwctl_version": "9",'
                    ' "config": {"path": "a.yaml", "sha256": "1"}, "spec": {"path": "o.yaml",'
                    ' "sha256": "2"}, "target": {"kind": "aws", "region": null},'
                    ' "live": {"sha256": "3"}, "plan": {"ops": []}}')
    saved = read_plan_file(path)
    assert saved.origin == Origin("a.yaml", "1", "o.yaml", "2",
                                  {"kind": "aws", "region": None}, "3")
    assert saved.plan == {"ops": []} and saved.apigwctl_version == "9"
