"""Reader convergence on PLAIN moto (no import, no emulator fidelity layer).

The petstore is compiled, built in moto with explicit calls by apigwctl.aws.writer, read back
with the reader, and must equal the compiled model. moto 5.2.5 gaps, excluded field by field:

* ``create_rest_api(binaryMediaTypes=...)`` is dropped (api.binary_media_types);
* ``put_integration(cacheKeyParameters=...)`` is dropped (integration.cache_key_parameters);
* ``create_authorizer(identityValidationExpression=...)`` is dropped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from apigwctl.aws.reader import Reader, find_api, read_api
from apigwctl.aws.writer import create_api
from apigwctl.compile import ApiSettings, StageSettings, compile_api
from apigwctl.model import ApiState
from apigwctl.spec.loader import load_spec

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("apigateway", region_name="us-east-1")


def _desired() -> ApiState:
    doc = load_spec(ROOT / "specs/petstore/openapi.yaml").documents[0]
    return compile_api(doc, ApiSettings("petstore", tags={"managed-by": "apigwctl"}),
                       (StageSettings("prod", "live", {"backendHost": "b.example.com"}),
                        StageSettings("dev")))


def _without_moto_gaps(state: ApiState) -> ApiState:
    """Blank exactly the fields moto cannot store (see the module docstring)."""
    methods = tuple(dataclasses.replace(m, integration=dataclasses.replace(
        m.integration, cache_key_parameters=())) if m.integration else m
        for m in state.methods)
    authorizers = tuple(dataclasses.replace(a, identity_validation_expression=None)
                        for a in state.authorizers)
    return dataclasses.replace(state, api=dataclasses.replace(state.api, binary_media_types=()),
                               methods=methods, authorizers=authorizers)


def test_created_petstore_reads_back_equal(client: Any) -> None:
    desired = _desired()
    created = create_api(client, desired)
    reader = Reader(client)
    live = read_api(client, "petstore", reader)
    assert live is not None
    assert live.to_dict() == _without_moto_gaps(desired).to_dict()
    assert live == _without_moto_gaps(desired)
    assert live.ids["api:petstore"] == created["api:petstore"]
    assert live.ids["authorizer:petstore:tokenAuth"] == created["authorizer:petstore:tokenAuth"]
    assert reader.calls == 8  # the API (7) and get_usage_plans


def test_moto_gaps_are_still_gaps(client: Any) -> None:
    """If moto starts storing these, the exclusions above must go: this test says so."""
    desired = _desired()
    create_api(client, desired)
    live = read_api(client, "petstore")
    assert live is not None
    assert live.api.binary_media_types == ()
    assert desired.api.binary_media_types != ()
    assert all(not m.integration.cache_key_parameters for m in live.methods if m.integration)
    assert all(a.identity_validation_expression is None for a in live.authorizers)


def test_a_changed_field_is_seen(client: Any) -> None:
    desired = _desired()
    create_api(client, dataclasses.replace(
        desired, api=dataclasses.replace(desired.api, description="other")))
    live = read_api(client, "petstore")
    assert live is not None and live != _without_moto_gaps(desired)
    assert live.api.description == "other"


def test_unknown_api_is_none(client: Any) -> None:
    client.create_rest_api(name="someone-else")
    assert read_api(client, "petstore") is None
    reader = Reader(client)
    found = find_api(reader, "someone-else")
    assert found is not None and found["name"] == "someone-else"
    assert reader.calls == 1


def test_cache_namespace_set_to_resource_id_reads_as_path(client: Any) -> None:
    api = client.create_rest_api(name="ns")
    root = api["rootResourceId"]
    res = client.create_resource(restApiId=api["id"], parentId=root, pathPart="a")
    client.put_method(restApiId=api["id"], resourceId=res["id"], httpMethod="GET",
                      authorizationType="NONE")
    client.put_integration(restApiId=api["id"], resourceId=res["id"], httpMethod="GET",
                           type="MOCK", cacheNamespace=res["id"])
    live = read_api(client, "ns")
    assert live is not None
    integration = live.methods[0].integration
    assert integration is not None
    assert (integration.cache_namespace, integration.timeout_in_millis) == ("/a", 29000)
    assert integration.passthrough_behavior == "WHEN_NO_MATCH"
