"""Canary deployments on the emulator behave as on AWS (reference §6.1, §6.4); plain moto 5.2.5
ignores them.

Sources cited by the tests (details in src/apigwctl/aws/emulator/canary.py): [rec] = AWS
responses recorded by LocalStack's AWS-validated canary tests (test_apigateway_canary.py and
its snapshot, 2025-05-30); [guide] = the developer guide's canary pages; [sls] =
serverless/serverless#11518. The plain-moto half of a test pins what moto does instead, so a
moto upgrade that changes it fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from apigwctl.aws.emulator import Emulator
from apigwctl.aws.emulator.server import serving
from tests.emulator.test_fidelity_stages import deployed, error_of

Ctx = Any
CANARY = {"percentTraffic": 10.0, "useStageCache": False,
          "stageVariableOverrides": {"color": "green"}}
PROMOTE = (  # reference §6.4, in the documented order
    ("replace", "/canarySettings/percentTraffic", "0.0"),
    ("copy", "/canarySettings/stageVariableOverrides", "/variables"),
    ("copy", "/canarySettings/deploymentId", "/deploymentId"))


def ops(*items: tuple[str, str, str | None]) -> list[dict[str, str]]:
    """Patch operations; for ``copy`` the second item is ``from`` and the third ``path``."""
    out = []
    for op, first, second in items:
        if op == "copy":
            out.append({"op": op, "from": first, "path": str(second)})
        else:
            out.append({"op": op, "path": first, **({} if second is None else {"value": second})})
    return out


def update(client: Any, api: str, *items: tuple[str, str, str | None]) -> dict[str, Any]:
    return dict(client.update_stage(restApiId=api, stageName="prod", patchOperations=ops(*items)))


def stage_of(client: Any, api: str, name: str = "prod") -> dict[str, Any]:
    return dict(client.get_stage(restApiId=api, stageName=name))


def with_canary(client: Any, **stage_fields: Any) -> tuple[str, str, str]:
    """An API deployed to prod (variables a=1, color=blue), then a canary deployment of 10%
    overriding color; returns (api, stable deployment, canary deployment)."""
    api, stable = deployed(client, variables={"a": "1", "color": "blue"}, **stage_fields)
    new = client.create_deployment(restApiId=api, stageName="prod", canarySettings=CANARY)["id"]
    return api, stable, str(new)


# --- create_deployment with canarySettings (reference §6.1, §6.4) ---------------------------

def test_canary_deployment_leaves_the_stable_deployment_6_1(emu: Ctx, plain: Ctx) -> None:
    """[rec] create-canary-deployment: the new deployment is the canary's; the stage's
    ``deploymentId`` and variables stay."""
    with plain() as client:
        api, stable, new = with_canary(client)
        wrong = stage_of(client, api)
    assert wrong["deploymentId"] == new and "canarySettings" not in wrong  # repointed, dropped
    assert wrong["variables"] == {}
    with emu() as client:
        api, stable, new = with_canary(client)
        stage = stage_of(client, api)
        listed = client.get_stages(restApiId=api)["item"]
    assert new != stable and stage["deploymentId"] == stable
    assert stage["variables"] == {"a": "1", "color": "blue"}
    assert stage["canarySettings"] == {"deploymentId": new, "percentTraffic": 10.0,
                                       "stageVariableOverrides": {"color": "green"},
                                       "useStageCache": False}
    assert listed[0]["canarySettings"] == stage["canarySettings"]


def test_a_second_canary_deployment_replaces_the_canary(emu: Ctx) -> None:
    """[rec] test_create_canary_deployment: a canary deployment onto a stage that has a canary
    moves the canary (percent, overrides) and still not the stable deployment."""
    with emu() as client:
        api, stable, _ = with_canary(client)
        newer = client.create_deployment(restApiId=api, stageName="prod", canarySettings={
            "percentTraffic": 50, "stageVariableOverrides": {"a": "2"}})["id"]
        stage = stage_of(client, api)
    assert stage["deploymentId"] == stable
    assert stage["canarySettings"] == {"deploymentId": newer, "percentTraffic": 50.0,
                                       "stageVariableOverrides": {"a": "2"},
                                       "useStageCache": False}


def test_canary_deployment_needs_an_existing_named_stage_6_1(emu: Ctx, plain: Ctx) -> None:
    """[rec] test_create_canary_deployment_validation, AWS's words; without a stage and
    without a canary, create_deployment still only creates a deployment."""
    with plain() as client:
        api, _ = deployed(client)
        client.create_deployment(restApiId=api, stageName="ghost", canarySettings=CANARY)
        assert "ghost" in [s["stageName"] for s in client.get_stages(restApiId=api)["item"]]
    prefix = "Invalid deployment content specified."
    with emu() as client:
        api, stable = deployed(client)
        errors = [error_of(lambda name=name: client.create_deployment(
            restApiId=api, canarySettings=CANARY, **name))
            for name in ({}, {"stageName": ""}, {"stageName": "ghost"})]
        bare = client.create_deployment(restApiId=api)["id"]
        stages = client.get_stages(restApiId=api)["item"]
        deployments = {d["id"] for d in client.get_deployments(restApiId=api)["items"]}
    assert [e["Code"] for e in errors] == ["BadRequestException"] * 3
    assert [e["Message"] for e in errors] == [
        f"{prefix}Non null and non empty stageName must be provided for canary deployment. "
        "Provided value is null",
        f"{prefix}Non null and non empty stageName must be provided for canary deployment. "
        "Provided value is ",
        f"{prefix}Stage ghost must already be created before making a canary release deployment"]
    assert [(s["stageName"], s["deploymentId"]) for s in stages] == [("prod", stable)]
    assert "canarySettings" not in stages[0] and deployments == {stable, bare}


def test_non_canary_deployment_onto_a_canary_stage_is_refused_6_1(emu: Ctx, plain: Ctx) -> None:
    """Reference §6.1: with a canary enabled the stage cannot be associated with another
    non-canary deployment until the canary is removed; AWS's words from [sls]. After
    ``remove /canarySettings`` the same call deploys."""
    with plain() as client:
        api, _, _ = with_canary(client)
        client.create_deployment(restApiId=api, stageName="prod")
    with emu() as client:
        api, stable, _ = with_canary(client)
        error = error_of(lambda: client.create_deployment(restApiId=api, stageName="prod"))
        assert stage_of(client, api)["deploymentId"] == stable
        update(client, api, ("remove", "/canarySettings", None))
        again = client.create_deployment(restApiId=api, stageName="prod")["id"]
        assert stage_of(client, api)["deploymentId"] == again
    assert error == {"Code": "BadRequestException", "Message": (
        "Invalid deployment content specified.Non canary deployment not supported on stage "
        "prod because Canary is enabled. Provide CanarySettings in deploymentInput.")}


@pytest.mark.parametrize(("settings", "message"), [
    ({"percentTraffic": 100.5}, "percentTraffic must be between 0.0 and 100.0"),
    ({"percentTraffic": -1.0}, "percentTraffic must be between 0.0 and 100.0"),
    ({"stageVariableOverrides": {"bad-name": "x"}}, "Invalid stage variable name 'bad-name'"),
])
def test_canary_deployment_values_are_checked(emu: Ctx, settings: dict[str, Any],
                                              message: str) -> None:
    """``DeploymentCanarySettings.percentTraffic`` is 0.0-100.0 (API reference); overrides are
    stage variables. Nothing is created when they are wrong."""
    with emu() as client:
        api, stable = deployed(client)
        error = error_of(lambda: client.create_deployment(restApiId=api, stageName="prod",
                                                          canarySettings=settings))
        count = len(client.get_deployments(restApiId=api)["items"])
        stage = stage_of(client, api)
    assert error["Code"] == "BadRequestException" and message in error["Message"]
    assert count == 1 and stage["deploymentId"] == stable and "canarySettings" not in stage


def test_create_stage_with_a_canary(emu: Ctx, plain: Ctx) -> None:
    """[rec] test_create_update_stages / test_create_canary_deployment: CreateStage stores the
    canary; a canary deploymentId that does not exist is "Deployment id does not exist"; without
    one the canary starts on the stage's deployment (go-to-k/cdk-real-drift#633)."""
    with plain() as client:
        api, first = deployed(client)
        assert "canarySettings" not in client.create_stage(
            restApiId=api, stageName="beta", deploymentId=first,
            canarySettings={"percentTraffic": 5.0})
    with emu() as client:
        api, first = deployed(client)
        second = client.create_deployment(restApiId=api)["id"]
        beta = client.create_stage(restApiId=api, stageName="beta", deploymentId=first,
                                   variables={"v": "1"},
                                   canarySettings={"deploymentId": second, "percentTraffic": 50,
                                                   "stageVariableOverrides": {"v": "2"}})
        gamma = client.create_stage(restApiId=api, stageName="gamma", deploymentId=first,
                                    canarySettings={"percentTraffic": 5.0,
                                                    "useStageCache": True})
        error = error_of(lambda: client.create_stage(
            restApiId=api, stageName="delta", deploymentId=first,
            canarySettings={"deploymentId": "nope"}))
        names = sorted(s["stageName"] for s in client.get_stages(restApiId=api)["item"])
    assert (beta["deploymentId"], beta["canarySettings"]) == (first, {
        "deploymentId": second, "percentTraffic": 50.0, "stageVariableOverrides": {"v": "2"},
        "useStageCache": False})
    assert gamma["canarySettings"] == {"deploymentId": first, "percentTraffic": 5.0,
                                       "useStageCache": True}
    assert error == {"Code": "BadRequestException", "Message": "Deployment id does not exist"}
    assert names == ["beta", "gamma", "prod"]


# --- update_stage: attach, shift, fields, remove (reference §6.3, §6.4) ---------------------

def test_attach_a_canary_by_update_stage_6_4(emu: Ctx, plain: Ctx) -> None:
    """[rec] test_create_canary_deployment_by_stage_update: a replace on a stage without a
    canary creates one on the stage's own deployment, 0.0%, no stage cache; the §6.4 attach ops
    in one call."""
    attach = (("replace", "/canarySettings/percentTraffic", "10.0"),
              ("replace", "/canarySettings/useStageCache", "false"),
              ("replace", "/canarySettings/stageVariableOverrides/color", "green"))
    with plain() as client:
        api, _ = deployed(client)
        assert "canarySettings" not in update(client, api, *attach)
    with emu() as client:
        api, stable = deployed(client)
        other = client.create_deployment(restApiId=api)["id"]
        attached = update(client, api, *attach)
        update(client, api, ("remove", "/canarySettings", None))
        by_id = update(client, api, ("replace", "/canarySettings/deploymentId", other))
    assert attached["canarySettings"] == {"deploymentId": stable, "percentTraffic": 10.0,
                                          "stageVariableOverrides": {"color": "green"},
                                          "useStageCache": False}
    assert by_id["canarySettings"] == {"deploymentId": other, "percentTraffic": 0.0,
                                       "useStageCache": False}
    assert by_id["deploymentId"] == stable


def test_shift_traffic_within_0_and_100_6_4(emu: Ctx, plain: Ctx) -> None:
    """§6.4 shift; ``percentTraffic`` is 0.0-100.0 (``CanarySettings`` in the API reference)."""
    with plain() as client:
        api, _, _ = with_canary(client)
        update(client, api, ("replace", "/canarySettings/percentTraffic", "150"))  # accepted
    with emu() as client:
        api, _, new = with_canary(client)
        shifted = update(client, api, ("replace", "/canarySettings/percentTraffic", "50"))
        full = update(client, api, ("replace", "/canarySettings/percentTraffic", "100.0"))
        errors = [error_of(lambda v=value: update(
            client, api, ("replace", "/canarySettings/percentTraffic", v)))
            for value in ("100.5", "-0.1", "ten", "nan")]
        after = stage_of(client, api)["canarySettings"]
    assert shifted["canarySettings"]["percentTraffic"] == 50.0
    assert full["canarySettings"]["percentTraffic"] == 100.0
    assert [e["Code"] for e in errors] == ["BadRequestException"] * 4
    assert "must be between 0.0 and 100.0" in errors[0]["Message"]
    assert "Invalid number value 'ten'" in errors[2]["Message"]
    assert after == {"deploymentId": new, "percentTraffic": 100.0,
                     "stageVariableOverrides": {"color": "green"}, "useStageCache": False}


def test_canary_fields_and_overrides(emu: Ctx) -> None:
    """[rec] update-stage-canary-settings-overrides and update-stage-no-deployment; [guide]
    update-canary-deployment: replace/remove a canary stage variable, toggle the stage cache,
    point the canary at another deployment (which must exist)."""
    with emu() as client:
        api, stable, _ = with_canary(client)
        other = client.create_deployment(restApiId=api)["id"]
        stage = update(client, api,
                       ("replace", "/canarySettings/stageVariableOverrides/color", "red"),
                       ("replace", "/canarySettings/stageVariableOverrides/extra", "x"),
                       ("replace", "/canarySettings/useStageCache", "true"),
                       ("replace", "/canarySettings/deploymentId", other))
        removed = update(client, api,
                         ("remove", "/canarySettings/stageVariableOverrides/color", None),
                         ("remove", "/canarySettings/stageVariableOverrides/extra", None))
        missing = error_of(lambda: update(
            client, api, ("replace", "/canarySettings/deploymentId", "nope")))
        bad_name = error_of(lambda: update(
            client, api, ("replace", "/canarySettings/stageVariableOverrides/bad-name", "x")))
    assert stage["canarySettings"] == {"deploymentId": other, "percentTraffic": 10.0,
                                       "stageVariableOverrides": {"color": "red", "extra": "x"},
                                       "useStageCache": True}
    assert stage["deploymentId"] == stable and stage["variables"] == {"a": "1", "color": "blue"}
    assert removed["canarySettings"] == {"deploymentId": other, "percentTraffic": 10.0,
                                         "useStageCache": True}  # no empty overrides map [rec]
    assert missing == {"Code": "BadRequestException", "Message": "Deployment id does not exist"}
    assert "Invalid stage variable name 'bad-name'" in bad_name["Message"]


def test_remove_canary_settings_rolls_back_6_4(emu: Ctx, plain: Ctx) -> None:
    """[rec] update-stage-remove-canary-settings: ``remove /canarySettings`` drops the canary
    (no key in the answer) and leaves the stable deployment and variables."""
    with plain() as client:
        api, _, new = with_canary(client)
        assert update(client, api, ("remove", "/canarySettings", None))["deploymentId"] == new
    with emu() as client:
        api, stable, _ = with_canary(client)
        removed = update(client, api, ("remove", "/canarySettings", None))
        again = update(client, api, ("remove", "/canarySettings", None))  # no-op (UNVERIFIED)
        read = stage_of(client, api)
    for stage in (removed, again, read):
        assert "canarySettings" not in stage and stage["deploymentId"] == stable
        assert stage["variables"] == {"a": "1", "color": "blue"}


# --- promote (reference §6.4) ---------------------------------------------------------------

def test_promote_in_one_call_merges_the_overrides_6_4(emu: Ctx, plain: Ctx) -> None:
    """§6.4 promote ops in one call: the canary's deployment becomes the stable one and the
    overrides are merged over the variables (overrides win, others kept: [rec]
    update-stage-with-copy-2); the canary stays, at 0.0% ([guide] promote-canary-deployment),
    until ``remove /canarySettings``."""
    with plain() as client:
        api, _, _ = with_canary(client)
        assert error_of(lambda: update(client, api, *PROMOTE))["Code"] == "ValidationException"
    with emu() as client:
        api, _, new = with_canary(client)
        promoted = update(client, api, *PROMOTE)
        final = update(client, api, ("remove", "/canarySettings", None))
    assert promoted["deploymentId"] == new
    assert promoted["variables"] == {"a": "1", "color": "green"}
    assert promoted["canarySettings"] == {"deploymentId": new, "percentTraffic": 0.0,
                                          "stageVariableOverrides": {"color": "green"},
                                          "useStageCache": False}
    assert (final["deploymentId"], final["variables"]) == (new, {"a": "1", "color": "green"})
    assert "canarySettings" not in final


def test_promote_needs_a_canary_and_the_documented_copies(emu: Ctx) -> None:
    """[rec] copy-with-no-replace and copy-with-bad-statement, AWS's words; [rec]
    update-stage-with-copy: a replace earlier in the same call attaches a canary first, so the
    copies then succeed (and change nothing)."""
    with emu() as client:
        api, stable = deployed(client, variables={"a": "1"})
        no_canary = error_of(lambda: update(client, api, *PROMOTE[1:]))
        reversed_copy = error_of(lambda: update(
            client, api, ("copy", "/variables", "/canarySettings/stageVariableOverrides")))
        crossed = error_of(lambda: update(
            client, api, ("copy", "/canarySettings/deploymentId", "/variables")))
        attached = update(client, api, *PROMOTE)
    assert no_canary == {"Code": "BadRequestException",
                         "Message": "Promotion not available. Canary does not exist."}
    assert reversed_copy["Message"] == (
        "Invalid copy operation with path: /canarySettings/stageVariableOverrides and from "
        "/variables. Valid copy:path are [/deploymentId, /variables] and valid copy:from are "
        "[/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]")
    assert crossed["Message"].startswith("Invalid copy operation with path: /variables and "
                                         "from /canarySettings/deploymentId.")
    assert (attached["deploymentId"], attached["variables"]) == (stable, {"a": "1"})
    assert attached["canarySettings"] == {"deploymentId": stable, "percentTraffic": 0.0,
                                          "useStageCache": False}


def test_canary_operations_apply_all_or_none(emu: Ctx) -> None:
    """One UpdateStage call applies all of its operations or none (reference §6.3)."""
    with emu() as client:
        api, stable, _ = with_canary(client)
        before = stage_of(client, api)
        error = error_of(lambda: update(
            client, api, *PROMOTE, ("remove", "/canarySettings", None),
            ("replace", "/canarySettings/percentTraffic", "101")))
        after = stage_of(client, api)
    assert error["Code"] == "BadRequestException"
    assert after["deploymentId"] == stable and after["variables"] == before["variables"]
    assert after["canarySettings"] == before["canarySettings"]


def test_replace_deployment_id_with_a_canary_keeps_the_canary(emu: Ctx) -> None:
    """Undocumented on AWS (reference §6.1 forbids only a *non-canary deployment* onto the
    stage, which CreateDeployment enforces), so allowed, as promote's copy to /deploymentId
    does with the canary in place: the stable deployment moves, the canary stays."""
    with emu() as client:
        api, _, new = with_canary(client)
        other = client.create_deployment(restApiId=api)["id"]
        stage = update(client, api, ("replace", "/deploymentId", other))
    assert stage["deploymentId"] == other and stage["canarySettings"]["deploymentId"] == new


@pytest.mark.parametrize(("op", "message"), [
    (("add", "/canarySettings/deploymentId", "x"),
     "Invalid add operation with path: /canarySettings/deploymentId"),
    (("remove", "/canarySettings/stageVariableOverrides", None),
     "Cannot remove method setting canarySettings/stageVariableOverrides because there is no "
     "method setting for this method "),
    (("remove", "/canarySettings/badPath", None),
     "Cannot remove method setting canarySettings/badPath because there is no method setting "
     "for this method "),
    (("replace", "/canarySettings", "test"),
     "Invalid method setting path: /canarySettings. Must be one of: [/deploymentId, "),
    (("replace", "/canarySettings/badPath", "x"),
     "Invalid method setting path: /canarySettings/badPath. Must be one of: ["),
])
def test_bad_canary_paths_answer_as_aws_does(emu: Ctx, op: tuple[str, str, str | None],
                                            message: str) -> None:
    """[rec] test_update_stage_canary_deployment_validation (its messages, AWS's)."""
    with emu() as client:
        api, _, _ = with_canary(client)
        error = error_of(lambda: update(client, api, op))
    assert error["Code"] == "BadRequestException" and error["Message"].startswith(message)


# --- persistence and HTTP -------------------------------------------------------------------

@pytest.mark.parametrize("crash", [False, True])
def test_canary_survives_a_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   crash: bool) -> None:
    """The canary is part of the persisted stage: in the snapshot, and rebuilt by replaying
    the journal when the process ended without one."""
    with Emulator(tmp_path, write=True) as em:
        client = em.client("apigateway")
        api, stable, new = with_canary(client)
        update(client, api, ("replace", "/canarySettings/percentTraffic", "25"))
        if crash:
            monkeypatch.setattr(em, "save", lambda: None)  # no snapshot: only the journal
    with Emulator(tmp_path, write=False) as em:
        stage = stage_of(em.client("apigateway"), api)
    assert stage["deploymentId"] == stable
    assert stage["canarySettings"] == {"deploymentId": new, "percentTraffic": 25.0,
                                       "stageVariableOverrides": {"color": "green"},
                                       "useStageCache": False}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Any]:
    with serving(tmp_path, port=0, save_every=3600) as url:
        yield boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name="us-east-1").client("apigateway", endpoint_url=url,
                                             config=Config(retries={"max_attempts": 1}))


def test_canary_lifecycle_over_http(served: Any) -> None:
    """Deploy a canary, shift, promote, remove, over ``apigwctl emulator serve``'s HTTP path."""
    client = served
    api, stable, new = with_canary(client)
    assert stage_of(client, api)["deploymentId"] == stable
    error = error_of(lambda: update(client, api, ("replace", "/canarySettings/percentTraffic",
                                                  "100.5")))
    assert error["Code"] == "BadRequestException"
    assert update(client, api, ("replace", "/canarySettings/percentTraffic", "50"))[
        "canarySettings"]["percentTraffic"] == 50.0
    promoted = update(client, api, *PROMOTE, ("remove", "/canarySettings", None))
    assert (promoted["deploymentId"], promoted["variables"]) == (new, {"a": "1",
                                                                       "color": "green"})
    assert "canarySettings" not in stage_of(client, api)
