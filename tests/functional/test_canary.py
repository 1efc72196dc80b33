"""Canary releases end to end: apply deploys a change as prod's canary, then shift, promote
or roll back; afterwards `plan` on the unchanged repository shows no changes.

Through the real CLI on the embedded emulator (and once over HTTP against `emulator serve`).
The petstore example's prod stage has `canary: {percent: 10}`; dev has no canary policy.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apigwctl.aws.emulator.server import serving

from .support import copy_petstore, golden, run

LOOKUP = "https://${stageVariables.backendHost}/lookup"


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = copy_petstore(tmp_path_factory.mktemp("canary"))
    assert run(work, "apply", "--auto-approve").returncode == 0
    return work


def _status(project: Path, *extra: str) -> dict[str, Any]:
    result = run(project, "canary", "status", "prod", "--format", "json", *extra)
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def _change_a_route(project: Path, *extra: str) -> str:
    """Edit one integration and apply: returns the stable deployment id before."""
    before = _status(project, *extra)["stable_deployment"]["id"]
    spec = project / "openapi.yaml"
    spec.write_text(spec.read_text().replace(LOOKUP, LOOKUP + "-v2"))
    applied = run(project, "apply", "--auto-approve", *extra)
    assert applied.returncode == 0, applied.stderr
    return str(before)


@pytest.fixture
def canaried(applied: Path, tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """The example applied, then a route changed and applied: prod has a 10% canary."""
    shutil.copytree(applied, tmp_path, dirs_exist_ok=True)
    yield tmp_path, _change_a_route(tmp_path)


def test_a_definition_change_becomes_prods_canary_and_dev_moves(applied: Path,
                                                                tmp_path: Path) -> None:
    shutil.copytree(applied, tmp_path, dirs_exist_ok=True)
    spec = tmp_path / "openapi.yaml"
    spec.write_text(spec.read_text().replace(LOOKUP, LOOKUP + "-v2"))
    golden("canary-deploy.txt", run(tmp_path, "plan").stdout)


def test_canary_created_with_the_stable_deployment_untouched(
        canaried: tuple[Path, str]) -> None:
    project, stable = canaried
    doc = _status(project)
    assert doc["stable_deployment"]["id"] == stable
    assert doc["canary"]["percent"] == 10.0
    assert doc["canary"]["deployment"]["id"] != stable
    text = run(project, "canary", "status", "prod")
    assert "canary traffic: 10% (it does not use the stage cache)" in text.stdout
    assert run(project, "plan", "--detailed-exitcode").returncode == 0
    refused = run(project, "canary", "promote", "prod")  # no terminal, no --auto-approve
    assert refused.returncode == 1 and "refusing to promote without confirmation" in (
        refused.stderr)


def test_shift_then_promote_then_no_changes(canaried: tuple[Path, str]) -> None:
    project, stable = canaried
    shifted = run(project, "canary", "shift", "prod", "--percent", "50", "--auto-approve")
    assert shifted.returncode == 0, shifted.stderr
    golden("canary-shift.txt", shifted.stdout.split("Done:")[0])
    assert _status(project)["canary"]["percent"] == 50.0
    canary_deployment = _status(project)["canary"]["deployment"]["id"]
    promoted = run(project, "canary", "promote", "prod", "--auto-approve")
    assert promoted.returncode == 0, promoted.stderr
    golden("canary-promote.txt", promoted.stdout.split("Done:")[0])
    doc = _status(project)
    assert doc["canary"] is None
    assert doc["stable_deployment"]["id"] == canary_deployment != stable
    assert run(project, "plan", "--detailed-exitcode").returncode == 0


def test_rollback_then_no_changes(canaried: tuple[Path, str]) -> None:
    project, stable = canaried
    rolled = run(project, "canary", "rollback", "prod", "--auto-approve")
    assert rolled.returncode == 0, rolled.stderr
    golden("canary-rollback.txt", rolled.stdout.split("Done:")[0])
    doc = _status(project)
    assert doc["canary"] is None
    assert doc["stable_deployment"]["id"] == stable
    assert run(project, "plan", "--detailed-exitcode").returncode == 0


def test_json_form_of_a_change(canaried: tuple[Path, str]) -> None:
    project, _ = canaried
    shifted = run(project, "canary", "shift", "prod", "--percent", "25", "--auto-approve",
                  "--format", "json")
    assert shifted.returncode == 0, shifted.stderr
    doc = json.loads(shifted.stdout)
    assert doc["ops"][0]["patches"] == [
        {"op": "replace", "path": "/canarySettings/percentTraffic", "value": "25"}]
    assert doc["status"]["canary"]["percent"] == 25.0


def test_changes_need_a_confirmation_and_a_canary(applied: Path, tmp_path: Path) -> None:
    shutil.copytree(applied, tmp_path, dirs_exist_ok=True)
    refused = run(tmp_path, "canary", "promote", "prod")
    assert refused.returncode == 1
    assert "has no canary" in refused.stderr  # nothing to promote before a change
    assert "no canary" in run(tmp_path, "canary", "status", "prod").stdout
    missing = run(tmp_path, "canary", "status", "qa")
    assert missing.returncode == 1 and "stage qa of petstore does not exist" in missing.stderr


def test_the_whole_flow_over_http(tmp_path: Path) -> None:
    project = copy_petstore(tmp_path / "project")
    with serving(tmp_path / "served", port=0, save_every=3600) as url:
        target = ("--endpoint-url", url)
        assert run(project, "apply", "--auto-approve", *target).returncode == 0
        stable = _change_a_route(project, *target)
        assert _status(project, *target)["canary"]["percent"] == 10.0
        done = run(project, "canary", "promote", "prod", "--auto-approve", *target)
        assert done.returncode == 0, done.stderr
        assert _status(project, *target)["stable_deployment"]["id"] != stable
        assert run(project, "plan", "--detailed-exitcode", *target).returncode == 0
