"""Targets other than the in-process emulator, and ownership of what apigwctl manages.

`--endpoint-url` runs the aws target's code path (a boto3 session from the SDK's chain) over
HTTP against `apigwctl emulator serve` (served in this process on 127.0.0.1), and a plain
`aws apigateway` (the AWS CLI) sees what apigwctl applied there. A plain moto server stands
in for a third-party endpoint such as LocalStack.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from apigwctl.aws.emulator import Emulator
from apigwctl.aws.emulator.server import serving

from .support import copy_petstore, env, run


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with serving(tmp_path / "served-state", port=0, save_every=3600) as url:
        yield url


def aws_cli(url: str, *args: str) -> Any:
    """The AWS CLI (v1, installed by the test extra) against the endpoint, parsed JSON."""
    aws = Path(sys.executable).with_name("aws")
    result = subprocess.run([str(aws), "apigateway", *args, "--endpoint-url", url,
                             "--region", "us-east-1", "--output", "json"],
                            env=env(), capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_plan_apply_plan_through_the_served_emulator(tmp_path: Path, served: str) -> None:
    project = copy_petstore(tmp_path)
    first = run(project, "plan", "--endpoint-url", served, "--detailed-exitcode")
    assert first.returncode == 2, first.stderr
    assert f"target: aws at {served} (region us-east-1); from --endpoint-url" in first.stderr
    applied = run(project, "apply", "--endpoint-url", served, "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    again = run(project, "plan", "--endpoint-url", served, "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    assert not (project / ".apigwctl" / "emulator").exists()  # the server keeps the state
    apis = aws_cli(served, "get-rest-apis")["items"]
    assert [(a["name"], a["tags"]["apigwctl:managed-by"]) for a in apis] == [
        ("petstore", "apigwctl")]
    stages = aws_cli(served, "get-stages", "--rest-api-id", apis[0]["id"])["item"]
    assert sorted(s["stageName"] for s in stages) == ["dev", "prod"]


def test_sdk_chain_target_from_the_environment(tmp_path: Path, served: str) -> None:
    project = copy_petstore(tmp_path)
    environ = env(APIGWCTL_TARGET="aws", AWS_ENDPOINT_URL=served, AWS_REGION="us-east-1")
    result = run(project, "plan", environ=environ)
    assert result.returncode == 0, result.stderr
    assert "target: aws (region us-east-1); from APIGWCTL_TARGET" in result.stderr
    assert "+ api:petstore" in result.stdout


def test_endpoint_url_in_the_deployment_file(tmp_path: Path, served: str) -> None:
    project = copy_petstore(tmp_path)
    config = project / "apigwctl.yaml"
    config.write_text(config.read_text().replace(
        "  kind: emulator\n", f"  endpoint_url: {served}\n"))
    result = run(project, "plan")
    assert result.returncode == 0, result.stderr
    assert f"target: aws at {served} (region us-east-1); from apigwctl.yaml" in result.stderr


def test_endpoint_url_with_the_emulator_kind_is_a_finding(tmp_path: Path) -> None:
    project = copy_petstore(tmp_path)
    config = project / "apigwctl.yaml"
    config.write_text(config.read_text().replace(
        "  kind: emulator\n", "  kind: emulator\n  endpoint_url: http://127.0.0.1:1\n"))
    line = config.read_text().splitlines().index("  endpoint_url: http://127.0.0.1:1") + 1
    result = run(project, "plan")
    assert result.returncode == 1
    assert f"apigwctl.yaml:{line}:3" in result.stderr and "E3003" in result.stderr


def test_plain_moto_server_as_a_third_party_endpoint(tmp_path: Path) -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        result = run(copy_petstore(tmp_path), "plan", "--endpoint-url",
                     f"http://{host}:{port}", "--detailed-exitcode")
    finally:
        server.stop()
    assert result.returncode == 2, result.stderr
    assert "Plan: 27 to add, 0 to change, 0 to destroy." in result.stdout


def test_no_credentials_is_a_clear_error(tmp_path: Path) -> None:
    environ = {k: v for k, v in env().items()
               if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    result = run(copy_petstore(tmp_path), "plan", "--target", "aws", environ=environ)
    assert result.returncode == 1
    assert "no usable AWS credentials" in result.stderr
    assert "--target emulator" in result.stderr and "Traceback" not in result.stderr


def test_unknown_profile_is_a_clear_error(tmp_path: Path) -> None:
    result = run(copy_petstore(tmp_path), "plan", "--target", "aws", "--profile", "nope")
    assert result.returncode == 1
    assert "nope" in result.stderr and "list-profiles" in result.stderr


def test_unreachable_endpoint_is_a_clear_error(tmp_path: Path) -> None:
    result = run(copy_petstore(tmp_path), "plan", "--endpoint-url", "http://127.0.0.1:9")
    assert result.returncode == 1
    assert "cannot reach http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_endpoint_url_and_emulator_target_conflict(tmp_path: Path) -> None:
    result = run(copy_petstore(tmp_path), "plan", "--target", "emulator",
                 "--endpoint-url", "http://127.0.0.1:9")
    assert result.returncode == 64
    assert "--endpoint-url" in result.stderr


@contextlib.contextmanager
def _emulator_client(project: Path) -> Iterator[Any]:
    with Emulator(project / ".apigwctl" / "emulator", write=True) as em:
        yield em.client("apigateway")


def test_unmanaged_api_of_the_same_name_is_refused_until_taken_over(tmp_path: Path) -> None:
    project = copy_petstore(tmp_path)
    with _emulator_client(project) as client:
        api_id = client.create_rest_api(name="petstore")["id"]
    refused = run(project, "plan")
    assert refused.returncode == 1
    assert f"a REST API named 'petstore' already exists ({api_id})" in refused.stderr
    assert "apigwctl does not manage it" in refused.stderr
    hint = f"--resource-arn arn:aws:apigateway:us-east-1::/restapis/{api_id}"
    assert hint in refused.stderr
    with _emulator_client(project) as client:  # what the hint says, through boto3
        client.tag_resource(resourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api_id}",
                            tags={"apigwctl:managed-by": "apigwctl", "apigwctl:api": "petstore"})
    applied = run(project, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert "create REST API" not in applied.stdout  # the taken-over API is filled, not made
    assert run(project, "plan", "--detailed-exitcode").returncode == 0
    with _emulator_client(project) as client:
        assert [a["id"] for a in client.get_rest_apis()["items"]] == [api_id]


def test_two_managed_apis_of_one_name_are_ambiguous(tmp_path: Path) -> None:
    project = copy_petstore(tmp_path)
    tags = {"apigwctl:managed-by": "apigwctl", "apigwctl:api": "petstore"}
    with _emulator_client(project) as client:
        for _ in range(2):
            client.create_rest_api(name="petstore", tags=tags)
    result = run(project, "plan")
    assert result.returncode == 1
    assert "2 REST APIs named 'petstore' are tagged as managed by apigwctl" in result.stderr


def test_other_apis_in_the_account_are_left_alone(tmp_path: Path) -> None:
    project = copy_petstore(tmp_path)
    with _emulator_client(project) as client:
        other = client.create_rest_api(name="someone-else")["id"]
    assert run(project, "apply", "--auto-approve").returncode == 0
    with _emulator_client(project) as client:
        names = sorted((a["name"], a["id"] == other) for a in client.get_rest_apis()["items"])
        assert names == [("petstore", False), ("someone-else", True)]
