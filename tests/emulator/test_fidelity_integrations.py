"""update_integration as AWS's patch-operations table defines it (plain moto: not implemented)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from apigwctl.aws.emulator import Emulator
from tests.emulator.conftest import PETSTORE


@pytest.fixture
def integration(tmp_path: Path) -> Iterator[tuple[Any, dict[str, str]]]:
    with Emulator(tmp_path, write=True) as em:
        client = em.client("apigateway")
        api = client.import_rest_api(body=PETSTORE.read_bytes(), failOnWarnings=True)["id"]
        resources = {r["path"]: r["id"] for r in client.get_resources(restApiId=api)["items"]}
        yield client, {"restApiId": api, "resourceId": resources["/pets/{petId}"],
                       "httpMethod": "GET"}


def test_update_integration_patches_fields_and_maps(
        integration: tuple[Any, dict[str, str]]) -> None:
    client, key = integration
    updated = client.update_integration(**key, patchOperations=[
        {"op": "replace", "path": "/timeoutInMillis", "value": "5000"},
        {"op": "replace", "path": "/uri", "value": "https://example.com/v2"},
        {"op": "add", "path": "/requestParameters/integration.request.header.X-Id",
         "value": "method.request.path.petId"}])
    assert updated["timeoutInMillis"] == 5000
    assert updated["uri"] == "https://example.com/v2"
    again = client.get_integration(**key)
    assert again["requestParameters"]["integration.request.header.X-Id"] == (
        "method.request.path.petId")


def test_update_integration_is_all_or_nothing(integration: tuple[Any, dict[str, str]]) -> None:
    client, key = integration
    before = client.get_integration(**key)
    with pytest.raises(ClientError) as info:
        client.update_integration(**key, patchOperations=[
            {"op": "replace", "path": "/timeoutInMillis", "value": "5000"},
            {"op": "replace", "path": "/timeoutInMillis", "value": "99999"}])  # out of range
    assert info.value.response["Error"]["Code"] == "BadRequestException"
    assert client.get_integration(**key)["timeoutInMillis"] == before["timeoutInMillis"]


def test_plain_moto_does_not_implement_it(plain: Any) -> None:
    with plain() as client:
        api = client.create_rest_api(name="a")["id"]
        root = client.get_resources(restApiId=api)["items"][0]["id"]
        client.put_method(restApiId=api, resourceId=root, httpMethod="GET",
                          authorizationType="NONE")
        client.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
        with pytest.raises(NotImplementedError):
            client.update_integration(restApiId=api, resourceId=root, httpMethod="GET",
                                      patchOperations=[{"op": "replace",
                                                        "path": "/timeoutInMillis",
                                                        "value": "5000"}])
