"""diff (desired vs live -> Changeset), planner (Changeset -> ops) and the executor's error path."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from apigwctl.apply import ApplyError, apply_plan
from apigwctl.aws.emulator import Emulator
from apigwctl.aws.reader import read_api
from apigwctl.compile import ApiSettings, StageSettings, compile_api
from apigwctl.diff import Action, Changeset, FieldChange, ResourceChange, diff_api
from apigwctl.model import ApiState, Integration, Method, RestApi, Stage
from apigwctl.plan.ops import (
    CreateDeployment,
    CreateRestApi,
    CreateStage,
    Patch,
    PutRestApi,
    TagResource,
    UpdateStage,
)
from apigwctl.plan.planner import Plan, PlanSettings, make_plan
from apigwctl.render.plan_text import render_plan
from apigwctl.spec.loader import load_spec

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "specs" / "petstore" / "openapi.yaml"
SETTINGS = PlanSettings(spec=str(SPEC), endpoint_type="REGIONAL", mode="overwrite")


def _state(uri: str = "https://a", variables: tuple[tuple[str, str], ...] = (("v", "1"),),
           stages: tuple[str, ...] = ("dev",)) -> ApiState:
    method = Method("/pets", "GET", integration=Integration("HTTP", "GET", uri))
    return ApiState(api=RestApi("pets"), methods=(method,),
                    stages=tuple(Stage(s, "d", variables) for s in stages))


def test_equal_states_have_no_changes_and_an_empty_plan() -> None:
    changeset = diff_api(_state(), _state())
    assert changeset.changes == ()
    plan = make_plan(_state(), _state(), SETTINGS)
    assert plan.empty and render_plan(plan).startswith("No changes.")


def test_a_field_change_is_reported_at_its_leaf_with_before_and_after() -> None:
    changeset = diff_api(_state(uri="https://b"), _state())
    assert changeset.changes == (ResourceChange(
        "method:pets:/pets:GET", Action.UPDATE,
        (FieldChange("integration.uri", "https://a", "https://b"),)),)
    assert changeset.stages == ()


def test_missing_api_creates_everything_in_order() -> None:
    changeset = diff_api(_state(), None)
    assert not changeset.api_exists
    assert [(c.address, c.action) for c in changeset.changes] == [
        ("api:pets", Action.CREATE), ("method:pets:/pets:GET", Action.CREATE),
        ("stage:pets:dev", Action.CREATE)]
    assert FieldChange("variables", None, {"v": "1"}) in changeset.changes[-1].fields
    ops = make_plan(_state(), None, SETTINGS).ops
    assert [type(op) for op in ops] == [CreateRestApi, PutRestApi, CreateDeployment,
                                        CreateStage]
    assert isinstance(ops[0], CreateRestApi) and ops[0].endpoint_type == "REGIONAL"
    assert isinstance(ops[1], PutRestApi) and ops[1].fail_on_warnings
    assert ops[1].mode == "overwrite"  # a new API is filled whole, whatever the file's mode


def test_definition_change_puts_deploys_once_and_repoints_every_stage() -> None:
    desired = _state(uri="https://b", stages=("dev", "prod", "qa"))
    live = _state(stages=("dev", "prod"))
    plan = make_plan(desired, live, replace(SETTINGS, mode="merge"))
    assert [type(op) for op in plan.ops] == [PutRestApi, CreateDeployment, UpdateStage,
                                             UpdateStage, CreateStage]
    put, deploy = plan.ops[0], plan.ops[1]
    assert isinstance(put, PutRestApi) and put.mode == "merge" and put.fail_on_warnings
    assert isinstance(deploy, CreateDeployment)
    assert deploy.reasons == ("route GET /pets updated (integration)",)
    assert all(op.patches == (Patch("replace", "/deploymentId", "deployment:pets"),)
               for op in plan.ops if isinstance(op, UpdateStage))
    assert plan.counts() == (1, 1, 0)


def test_stage_only_change_patches_variables_without_a_deployment() -> None:
    desired = replace(_state(variables=(("n", "2"),)),
                      stages=(Stage("dev", "new", (("n", "2"),)),))
    plan = make_plan(desired, _state(), SETTINGS)
    assert len(plan.ops) == 1 and isinstance(plan.ops[0], UpdateStage)
    assert set(plan.ops[0].patches) == {Patch("replace", "/description", "new"),
                                        Patch("replace", "/variables/n", "2"),
                                        Patch("remove", "/variables/v")}
    assert "deployment" not in render_plan(plan)


def test_removed_route_is_a_destroy_and_unmanaged_stages_are_left_alone() -> None:
    desired = replace(_state(), methods=())
    live = _state(stages=("dev", "manual"))
    changeset = diff_api(desired, live)
    assert [(c.address, c.action) for c in changeset.changes] == [
        ("method:pets:/pets:GET", Action.DELETE)]
    text = render_plan(make_plan(desired, live, SETTINGS))
    assert "- method:pets:/pets:GET" in text
    assert "Plan: 0 to add, 0 to change, 1 to destroy." in text


def test_a_new_stage_alone_gets_a_deployment_with_its_reason() -> None:
    desired = _state(stages=("dev", "prod"))
    ops = make_plan(desired, _state(), SETTINGS).ops
    assert [type(op) for op in ops] == [CreateDeployment, CreateStage]
    assert isinstance(ops[0], CreateDeployment)
    assert ops[0].reasons == ("new stage prod needs a deployment",)


def _petstore() -> ApiState:
    return compile_api(load_spec(str(SPEC)).documents[0],
                       ApiSettings("petstore", "REGIONAL", tags={"team": "a"}),
                       (StageSettings("dev", "Dev", {"backendHost": "h", "lambdaAlias": "a"}),))


def test_apply_converges_in_process_and_reports_each_op(tmp_path: Path) -> None:
    desired = _petstore()
    reported: list[str] = []
    with Emulator(tmp_path, write=True) as em:
        client = em.client("apigateway")
        plan = make_plan(desired, None, SETTINGS)
        apply_plan(client, plan, {}, lambda op, result: reported.append(result))
        live = read_api(client, "petstore")
    assert len(reported) == 4 and reported[0].startswith("created petstore as ")
    assert diff_api(desired, live).changes == ()


def test_an_aws_error_names_the_op_the_code_and_what_was_done(tmp_path: Path) -> None:
    desired = _petstore()
    broken = UpdateStage("stage:petstore:nope", "api:petstore", "nope",
                         (Patch("replace", "/description", "x"),))
    plan = make_plan(desired, None, SETTINGS)
    plan = Plan(plan.changeset, (plan.ops[0], broken))
    with Emulator(tmp_path, write=True) as em, pytest.raises(ApplyError) as info:
        apply_plan(em.client("apigateway"), plan, {})
    err = info.value
    assert err.what.startswith("update stage nope: replace /description = \"x\" failed: NotFound")
    assert err.hint is not None and "already done: create REST API petstore" in err.hint
    assert err.where == "stage:petstore:nope"


def test_ops_have_a_machine_form() -> None:
    ops: list[Any] = list(make_plan(_state(), None, SETTINGS).ops)
    assert [op.to_dict()["op"] for op in ops] == [
        "create_rest_api", "put_rest_api", "create_deployment", "create_stage"]
    assert Changeset("x", True).to_dict() == {"api": "x", "api_exists": True, "changes": []}


def test_merge_leaves_removed_routes_behind_without_a_put() -> None:
    desired = replace(_state(), methods=())
    plan = make_plan(desired, _state(), replace(SETTINGS, mode="merge"))
    assert plan.ops == ()
    assert [c.address for c in plan.left_behind] == ["method:pets:/pets:GET"]
    assert plan.counts() == (0, 0, 0)
    text = render_plan(plan)
    assert text.startswith("No changes.") and "! method:pets:/pets:GET" in text
    assert plan.to_dict()["left_behind_by_merge"] == ["method:pets:/pets:GET"]


def test_tags_only_change_tags_without_put_or_deployment() -> None:
    live = replace(_state(), api=RestApi("pets", tags=(("gone", "x"), ("team", "a"))))
    desired = replace(_state(), api=RestApi("pets", tags=(("team", "b"),)))
    plan = make_plan(desired, live, SETTINGS)
    assert plan.ops == (TagResource("api:pets", (("team", "b"),), ("gone",)),)


def test_tag_change_applies_and_converges(tmp_path: Path) -> None:
    desired = _petstore()
    retagged = replace(desired, api=replace(desired.api, tags=(("owner", "me"),)))
    with Emulator(tmp_path, write=True) as em:
        client = em.client("apigateway")
        apply_plan(client, make_plan(desired, None, SETTINGS), {})
        live = read_api(client, "petstore")
        assert live is not None
        plan = make_plan(retagged, live, SETTINGS)
        assert [type(op) for op in plan.ops] == [TagResource]
        apply_plan(client, plan, live.ids)
        assert diff_api(retagged, read_api(client, "petstore")).changes == ()


def test_only_the_diff_module_imports_deepdiff() -> None:
    src = ROOT / "src" / "apigwctl"
    users = sorted(str(p.relative_to(src)) for p in src.rglob("*.py")
                   if re.search(r"^\s*(import|from)\s+deepdiff\b", p.read_text(), re.M))
    assert users == ["diff.py"]
