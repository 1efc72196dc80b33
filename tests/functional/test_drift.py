"""`apigwctl drift` (= `plan --refresh-only --detailed-exitcode`): changes made outside
apigwctl, per route and field; a fresh apply never shows drift."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from apigwctl.aws.emulator import Emulator

from .support import copy_petstore, golden, run


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = copy_petstore(tmp_path_factory.mktemp("drift"))
    assert run(work, "apply", "--auto-approve").returncode == 0
    return work


def test_a_fresh_apply_shows_no_drift(applied: Path) -> None:
    result = run(applied, "drift")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "No drift. The live API matches the deployment file and spec.\n"


def test_a_console_edit_is_reported_as_exactly_that_field(applied: Path,
                                                         tmp_path: Path) -> None:
    shutil.copytree(applied, tmp_path, dirs_exist_ok=True)
    with Emulator(tmp_path / ".apigwctl" / "emulator", write=True) as em:
        client = em.client("apigateway")
        api = client.get_rest_apis()["items"][0]["id"]
        paths = {r["path"]: r["id"] for r in client.get_resources(restApiId=api)["items"]}
        client.update_integration(restApiId=api, resourceId=paths["/pets/{petId}"],
                                  httpMethod="GET", patchOperations=[
                                      {"op": "replace", "path": "/timeoutInMillis",
                                       "value": "5000"}])
    result = run(tmp_path, "drift")
    assert result.returncode == 2, result.stderr
    golden("drift.txt", result.stdout)
    same = run(tmp_path, "plan", "--refresh-only", "--detailed-exitcode")
    assert (same.returncode, same.stdout) == (2, result.stdout)
    doc = json.loads(run(tmp_path, "drift", "--format", "json").stdout)
    assert doc["drifted"] is True
    assert [(c["address"], [f["path"] for f in c["fields"]]) for c in doc["changes"]] == [
        ("method:petstore:/pets/{petId}:GET", ["integration.timeout_in_millis"])]
    assert run(tmp_path, "apply", "--auto-approve").returncode == 0  # puts the file's back
    assert run(tmp_path, "drift").returncode == 0


def test_no_api_is_no_drift(tmp_path: Path) -> None:
    result = run(copy_petstore(tmp_path), "drift")
    assert result.returncode == 0
    assert "does not exist: nothing has drifted" in result.stdout
