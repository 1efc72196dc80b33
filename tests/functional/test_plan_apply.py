"""plan / apply / plan across separate processes on the embedded emulator (issue 3 slice).

Each test runs the real CLI (``python -m apigwctl``) in a copy of specs/petstore. The
applied state is made once per module and copied (deployment file, spec and emulator state
dir together) into each test's own folder, so tests do not depend on each other's order.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PETSTORE = ROOT / "specs" / "petstore"
LOOKUP = "https://${stageVariables.backendHost}/lookup"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "APIGWCTL_TARGET"}
    return subprocess.run([sys.executable, "-m", "apigwctl", "--no-color", *args], cwd=cwd,
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the petstore example with nothing applied; its first plan is checked here."""
    work = tmp_path_factory.mktemp("fresh")
    for name in ("openapi.yaml", "apigwctl.yaml"):
        shutil.copy(PETSTORE / name, work / name)
    return work


@pytest.fixture(scope="module")
def applied(fresh: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("applied")
    shutil.copytree(fresh, work, dirs_exist_ok=True)
    result = run(work, "apply", "--auto-approve")
    assert result.returncode == 0, result.stderr
    assert "Apply complete: 4 operations." in result.stdout
    assert "target: emulator" in result.stderr
    return work


@pytest.fixture
def project(applied: Path, tmp_path: Path) -> Path:
    shutil.copytree(applied, tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_plan_on_nothing_shows_creates(fresh: Path) -> None:
    result = run(fresh, "plan", "--detailed-exitcode")
    assert result.returncode == 2, result.stderr
    assert "target: emulator" in result.stderr
    assert "+ api:petstore" in result.stdout
    assert "+ method:petstore:/pets:GET" in result.stdout
    assert "+ stage:petstore:prod" in result.stdout
    ops = [line.split(". ", 1)[1] for line in result.stdout.splitlines()
           if line.startswith("  ") and line.strip()[:2] in ("1.", "2.", "3.", "4.", "5.")]
    assert [op.split(" ")[0:2] for op in ops] == [
        ["import", "REST"], ["create", "a"], ["create", "stage"], ["create", "stage"]]
    assert "Plan: 24 to add, 0 to change, 0 to destroy." in result.stdout


def test_plan_after_apply_has_no_changes(applied: Path) -> None:
    result = run(applied, "plan", "--detailed-exitcode")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("No changes.")
    assert "target: emulator" in result.stderr


def test_one_integration_edit_plans_that_route_and_one_deployment(project: Path) -> None:
    spec = project / "openapi.yaml"
    spec.write_text(spec.read_text().replace(LOOKUP, LOOKUP + "-v2"))
    result = run(project, "plan", "--detailed-exitcode", "--format", "json")
    assert result.returncode == 2, result.stderr
    plan = json.loads(result.stdout)
    assert [(c["address"], c["action"], [f["path"] for f in c["fields"]])
            for c in plan["changes"]] == [
        ("method:petstore:/pets/{petId}:GET", "update", ["integration.uri"])]
    kinds = [op["op"] for op in plan["ops"]]
    assert kinds == ["put_rest_api", "create_deployment", "update_stage", "update_stage"]
    assert plan["ops"][1]["reasons"] == ["route GET /pets/{petId} updated (integration)"]
    text = run(project, "plan").stdout
    assert f'integration.uri: "{LOOKUP}" -> "{LOOKUP}-v2"' in text
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in text
    assert run(project, "apply", "--auto-approve").returncode == 0
    assert run(project, "plan", "--detailed-exitcode").returncode == 0


def test_stage_variable_change_plans_no_deployment(project: Path) -> None:
    config = project / "apigwctl.yaml"
    config.write_text(config.read_text().replace("lambdaAlias: live", "lambdaAlias: live2"))
    result = run(project, "plan", "--detailed-exitcode")
    assert result.returncode == 2, result.stderr
    assert "~ stage:petstore:prod" in result.stdout
    assert 'variables.lambdaAlias: "live" -> "live2"' in result.stdout
    assert "deployment" not in result.stdout
    assert "1. update stage prod: replace /variables/lambdaAlias" in result.stdout
    applied = run(project, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete: 1 operation." in applied.stdout
    assert run(project, "plan", "--detailed-exitcode").returncode == 0


def test_apply_without_tty_or_auto_approve_is_refused(fresh: Path) -> None:
    result = run(fresh, "apply")
    assert result.returncode == 1
    assert "refusing to apply without confirmation" in result.stderr
    assert "--auto-approve" in result.stderr
    assert "target: emulator" in result.stderr


def test_target_aws_is_not_implemented_yet(fresh: Path) -> None:
    result = run(fresh, "plan", "--target", "aws")
    assert result.returncode == 1
    assert "not implemented yet" in result.stderr


def test_removed_route_is_destroyed_by_overwrite_and_converges(project: Path) -> None:
    spec = project / "openapi.yaml"
    text = spec.read_text()
    start, end = text.index("  /health:\n"), text.index("  /pets:\n")
    spec.write_text(text[:start] + text[end:])
    result = run(project, "plan")
    assert "- method:petstore:/health:GET" in result.stdout
    assert "- resource:petstore:/health" in result.stdout
    assert "Plan: 0 to add, 0 to change, 2 to destroy." in result.stdout
    assert run(project, "apply", "--auto-approve").returncode == 0
    assert run(project, "plan", "--detailed-exitcode").returncode == 0
