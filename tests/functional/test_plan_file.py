"""Plan files: `plan -o FILE`, then `apply FILE` runs exactly that plan, or refuses it as stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from apigwctl.plan import ops as op_module

from .support import ROOT, copy_petstore, golden, mask_live_digest, run

LOOKUP = "https://${stageVariables.backendHost}/lookup"


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = copy_petstore(tmp_path_factory.mktemp("applied"))
    assert run(work, "apply", "--auto-approve").returncode == 0
    return work


@pytest.fixture
def edited(applied: Path, tmp_path: Path) -> Path:
    """An applied project whose spec then changed, with the plan for it saved as plan.json."""
    shutil.copytree(applied, tmp_path, dirs_exist_ok=True)
    spec = tmp_path / "openapi.yaml"
    spec.write_text(spec.read_text().replace(LOOKUP, LOOKUP + "-v2"))
    result = run(tmp_path, "plan", "-o", "plan.json")
    assert result.returncode == 0, result.stderr
    assert "plan saved to plan.json" in result.stderr
    return tmp_path


def test_plan_file_is_the_json_format_and_carries_digests(edited: Path) -> None:
    saved = (edited / "plan.json").read_text()
    printed = run(edited, "plan", "--format", "json").stdout
    assert mask_live_digest(saved) == mask_live_digest(printed)  # a new salt per plan
    doc = json.loads(saved)
    assert doc["format"] == "apigwctl-plan" and doc["format_version"] == 1
    assert doc["target"] == {"kind": "emulator", "region": "us-east-1", "profile": None,
                             "endpoint_url": None}
    golden("integration-edit.json", mask_live_digest(saved.replace(
        f'"apigwctl_version": "{doc["apigwctl_version"]}"', '"apigwctl_version": "<version>"')))


def test_plan_documents_follow_the_published_schema(edited: Path) -> None:
    schema = json.loads((ROOT / "docs" / "plan-schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    document = json.loads((edited / "plan.json").read_text())
    jsonschema.validate(document, schema)
    ops = set(schema["$defs"]["op"]["properties"]["op"]["enum"])
    made = {cls.__name__ for cls in vars(op_module).values()
            if isinstance(cls, type) and hasattr(cls, "to_dict") and hasattr(cls, "describe")}
    assert len(ops) == len(made - {"Patch", "KeyRow"})  # every op kind is in the schema


def test_apply_plan_file_runs_it_without_asking_and_converges(edited: Path) -> None:
    result = run(edited, "apply", "plan.json")  # no terminal, no --auto-approve: the file is
    assert result.returncode == 0, result.stderr  # the approval
    assert "target: emulator" in result.stderr and "from the plan file" in result.stderr
    assert "Apply complete: 4 operations." in result.stdout
    assert run(edited, "plan", "--detailed-exitcode").returncode == 0


def test_plan_file_is_stale_once_applied(edited: Path) -> None:
    assert run(edited, "apply", "--auto-approve").returncode == 0
    result = run(edited, "apply", "plan.json")
    assert result.returncode == 1
    assert "the plan in plan.json is stale: the live API changed since" in result.stderr
    assert "apigwctl plan -o plan.json" in result.stderr


def test_plan_file_is_stale_when_the_spec_changes(edited: Path) -> None:
    spec = edited / "openapi.yaml"
    spec.write_text(spec.read_text().replace(LOOKUP + "-v2", LOOKUP + "-v3"))
    result = run(edited, "apply", "plan.json")
    assert result.returncode == 1
    assert "stale: openapi.yaml changed since" in result.stderr
    assert "Apply complete" not in result.stdout


def test_plan_file_is_stale_when_the_deployment_file_changes(edited: Path) -> None:
    config = edited / "apigwctl.yaml"
    config.write_text(config.read_text().replace("lambdaAlias: live", "lambdaAlias: live2"))
    result = run(edited, "apply", "plan.json")
    assert result.returncode == 1
    assert "stale: apigwctl.yaml changed since" in result.stderr


def test_plan_file_target_cannot_be_contradicted(edited: Path) -> None:
    result = run(edited, "apply", "plan.json", "--region", "eu-west-1")
    assert result.returncode == 64
    assert "--region eu-west-1 contradicts the plan file's us-east-1" in result.stderr


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not a plan file: invalid JSON"),
    ('{"format": "terraform"}', "not an apigwctl plan file"),
    ('{"format": "apigwctl-plan", "format_version": 99}', "plan file format 99 is not 1"),
    ('{"format": "apigwctl-plan", "format_version": 1}', "damaged plan file"),
])
def test_bad_plan_files_are_located_errors(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "plan.json").write_text(content)
    result = run(tmp_path, "apply", "plan.json")
    assert result.returncode == 1
    assert message in result.stderr
    assert "at plan.json:1:" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_plan_file(tmp_path: Path) -> None:
    result = run(tmp_path, "apply", "nope.json")
    assert result.returncode == 1
    assert "cannot read the plan file" in result.stderr and "Traceback" not in result.stderr
