"""The emulator served over HTTP (moto's ThreadedMotoServer on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from apigwctl.aws.emulator import Emulator
from apigwctl.aws.emulator.server import serving
from tests.emulator.conftest import PETSTORE


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Any, Path]]:
    with serving(tmp_path, port=0, save_every=3600) as url:
        client = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name="us-east-1").client("apigateway", endpoint_url=url,
                                             config=Config(retries={"max_attempts": 1}))
        yield client, tmp_path


def test_import_resources_tags_over_http_then_persisted(served: tuple[Any, Path]) -> None:
    client, state = served
    api = client.import_rest_api(body=PETSTORE.read_bytes(), failOnWarnings=True)
    paths = {r["path"] for r in client.get_resources(restApiId=api["id"])["items"]}
    assert paths == {"/", "/health", "/pets", "/pets/{petId}"}
    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api['id']}"
    client.tag_resource(resourceArn=arn, tags={"owner": "apigwctl"})
    assert client.get_tags(resourceArn=arn)["tags"] == {"owner": "apigwctl"}
    journal = (state / "journal.jsonl").read_text().splitlines()
    assert len(journal) == 3  # header, import, tag: journaled while serving


def test_served_state_is_saved_on_shutdown(tmp_path: Path) -> None:
    with serving(tmp_path, port=0) as url:
        client = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name="us-east-1").client("apigateway", endpoint_url=url)
        api_id = client.import_rest_api(body=PETSTORE.read_bytes())["id"]
    with Emulator(tmp_path, write=False) as em:
        assert [a["id"] for a in em.client("apigateway").get_rest_apis()["items"]] == [api_id]
