"""`apigwctl adopt`: an API made by hand becomes apigwctl's with only tagging."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from apigwctl.aws.emulator import Emulator

from .support import PETSTORE, env, run

CONFIG = """\
api:
  name: handmade
  spec: openapi.yaml
  endpoint_type: REGIONAL
stages:
  live:
    description: Made by hand
    variables: {backendHost: petstore.example.com, lambdaAlias: live}
usage_plans:
  basic:
    throttle: {rate_limit: 5, burst_limit: 10}
    stages: {live: {}}
"""


@contextlib.contextmanager
def _client(project: Path) -> Iterator[Any]:
    with Emulator(project / ".apigwctl" / "emulator", write=True) as em:
        yield em.client("apigateway")


def _made_by_hand(project: Path) -> str:
    """The API, a stage and a usage plan created with plain boto3 calls, as a console would."""
    (project / "openapi.yaml").write_bytes((PETSTORE / "openapi.yaml").read_bytes())
    (project / "apigwctl.yaml").write_text(CONFIG)
    with _client(project) as client:
        api = client.import_rest_api(body=(project / "openapi.yaml").read_bytes(),
                                     failOnWarnings=True,
                                     parameters={"endpointConfigurationTypes": "REGIONAL"})["id"]
        client.update_rest_api(restApiId=api, patchOperations=[
            {"op": "replace", "path": "/name", "value": "handmade"}])
        deployment = client.create_deployment(restApiId=api)["id"]
        client.create_stage(restApiId=api, stageName="live", deploymentId=deployment,
                            description="Made by hand", variables={
                                "backendHost": "petstore.example.com", "lambdaAlias": "live"})
        client.create_usage_plan(name="basic", throttle={"rateLimit": 5.0, "burstLimit": 10},
                                 apiStages=[{"apiId": api, "stage": "live"}])
    return str(api)


def test_adopt_only_tags_and_then_plan_has_no_changes(tmp_path: Path) -> None:
    api = _made_by_hand(tmp_path)
    refused = run(tmp_path, "plan")
    assert refused.returncode == 1 and "`apigwctl adopt`" in refused.stderr
    adopted = run(tmp_path, "adopt", "--auto-approve")
    assert adopted.returncode == 0, adopted.stderr
    assert adopted.stdout.splitlines()[:3] == [
        "Adopt: only tags change; nothing else is touched.",
        "  1. tag api:handmade: set apigwctl:api, apigwctl:managed-by",
        "  2. tag usage_plan:basic: set apigwctl:api, apigwctl:managed-by"]
    planned = run(tmp_path, "plan", "--detailed-exitcode")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    with _client(tmp_path) as client:
        assert [a["id"] for a in client.get_rest_apis()["items"]] == [api]
    again = run(tmp_path, "adopt", "--auto-approve")
    assert again.returncode == 0 and "Nothing to adopt" in again.stdout


def test_adopt_needs_confirmation_and_an_api(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_bytes((PETSTORE / "openapi.yaml").read_bytes())
    (tmp_path / "apigwctl.yaml").write_text(CONFIG)
    missing = run(tmp_path, "adopt", "--auto-approve")
    assert missing.returncode == 1 and "no REST API 'handmade'" in missing.stderr
    _made_by_hand(tmp_path)
    refused = run(tmp_path, "adopt")
    assert refused.returncode == 1 and "refusing to adopt without confirmation" in (
        refused.stderr)


def test_export_adopt_plan_drift_of_a_handmade_api(tmp_path: Path) -> None:
    """The issue's "done when": made by hand, exported, adopted, no changes, drift seen."""
    _made_by_hand(tmp_path)
    key = "handmade-partner-key-0123456789"
    with _client(tmp_path) as client:
        plan_id = client.get_usage_plans()["items"][0]["id"]
        client.import_api_keys(body=f"name,key,usageplanids\npartner,{key},{plan_id}\n",
                               format="csv", failOnWarnings=True)
    (tmp_path / "openapi.yaml").unlink()
    (tmp_path / "apigwctl.yaml").unlink()
    exported = run(tmp_path, "export", "--api", "handmade", "-o", ".")
    assert exported.returncode == 0, exported.stderr
    written = (tmp_path / "apigwctl.yaml").read_text()
    assert key not in written and "${env:APIGWCTL_KEY_PARTNER}" in written
    environ = env(APIGWCTL_KEY_PARTNER=key)  # the key's owner supplies its value
    assert run(tmp_path, "validate", "-c", "apigwctl.yaml", environ=environ).returncode == 0
    adopted = run(tmp_path, "adopt", "--auto-approve", environ=environ)
    assert adopted.returncode == 0, adopted.stderr
    planned = run(tmp_path, "plan", "--detailed-exitcode", environ=environ)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    with _client(tmp_path) as client:
        api = client.get_rest_apis()["items"][0]["id"]
        paths = {r["path"]: r["id"] for r in client.get_resources(restApiId=api)["items"]}
        client.update_integration(restApiId=api, resourceId=paths["/pets/{petId}"],
                                  httpMethod="GET", patchOperations=[
                                      {"op": "replace", "path": "/timeoutInMillis",
                                       "value": "5000"}])
    drift = run(tmp_path, "drift", environ=environ)
    assert drift.returncode == 2, drift.stderr
    assert "integration.timeout_in_millis: file 29000, live 5000" in drift.stdout


def test_init_writes_a_starter_that_plans(tmp_path: Path) -> None:
    (tmp_path / "openapi.yaml").write_bytes((PETSTORE / "openapi.yaml").read_bytes())
    written = run(tmp_path, "init", "openapi.yaml")
    assert written.returncode == 0, written.stderr
    text = (tmp_path / "apigwctl.yaml").read_text()
    assert "name: petstore" in text and "backendHost: change-me" in text
    assert run(tmp_path, "plan", "--detailed-exitcode").returncode == 2
    again = run(tmp_path, "init", "openapi.yaml")
    assert again.returncode == 1 and "exists already" in again.stderr
