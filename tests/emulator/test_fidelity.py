"""Each fidelity fix: the emulator behaves as AWS does, and plain moto 5.2.5 does not.

The plain-moto half of each test pins moto's wrong behaviour, so a moto upgrade that fixes
or changes it fails here and the fix can be dropped or revisited.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

from tests.emulator.conftest import PETSTORE


def oas(paths: dict[str, Any], **root: Any) -> bytes:
    doc = {"openapi": "3.0.1", "info": {"title": "t", "description": "d", "version": "1"},
           "paths": paths, **root}
    return json.dumps(doc).encode()


MOCK = {"type": "mock", "uri": "", "httpMethod": "POST",
        "requestTemplates": {"application/json": '{"statusCode": 200}'}}
GET_MOCK = {"get": {"responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": MOCK}}


def methods(client: Any, api_id: str) -> dict[str, dict[str, Any]]:
    items = client.get_resources(restApiId=api_id, embed=["methods"])["items"]
    return {f"{verb} {r['path']}": m for r in items
            for verb, m in (r.get("resourceMethods") or {}).items()}


Ctx = Any


def test_root_extensions(emu: Ctx, plain: Ctx) -> None:
    body = oas({"/a": GET_MOCK}, **{
        "x-amazon-apigateway-api-key-source": "AUTHORIZER",
        "x-amazon-apigateway-binary-media-types": ["image/png"],
        "x-amazon-apigateway-minimum-compression-size": 1024,
        "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
             "Resource": ["execute-api:/*"]}]}})
    with plain() as client:
        wrong = client.import_rest_api(body=body)
    assert (wrong["apiKeySource"], wrong["binaryMediaTypes"]) == ("HEADER", [])
    assert "policy" not in wrong and "minimumCompressionSize" not in wrong
    with emu() as client:
        api = client.import_rest_api(body=body)
        got = client.get_rest_api(restApiId=api["id"])
    assert (got["apiKeySource"], got["binaryMediaTypes"]) == ("AUTHORIZER", ["image/png"])
    assert got["minimumCompressionSize"] == 1024
    policy = json.loads(got["policy"])
    assert policy["Statement"][0]["Resource"] == [
        f"arn:aws:execute-api:us-east-1:123456789012:{api['id']}/*"]


def test_endpoint_configuration(emu: Ctx, plain: Ctx) -> None:
    body = oas({"/a": GET_MOCK}, servers=[{"url": "https://x.example.com/",
               "x-amazon-apigateway-endpoint-configuration": {"disableExecuteApiEndpoint": True}}])
    params = {"endpointConfigurationTypes": "REGIONAL"}
    with plain() as client:
        wrong = client.import_rest_api(body=body, parameters=params)
    assert (wrong["endpointConfiguration"]["types"], wrong["disableExecuteApiEndpoint"]) == (
        ["EDGE"], False)
    with emu() as client:
        api = client.import_rest_api(body=body, parameters=params)
    assert api["endpointConfiguration"]["types"] == ["REGIONAL"]
    assert api["disableExecuteApiEndpoint"] is True


def test_petstore_path_level_parameters(emu: Ctx, plain: Ctx) -> None:
    padded = PETSTORE.read_bytes().replace(
        b"type: mock", b"type: mock\n        uri: ''\n        httpMethod: POST")
    with plain() as client, pytest.raises(AttributeError, match="'list' object"):
        client.import_rest_api(body=padded)  # moto reads path-level `parameters` as a verb
    with emu() as client:
        api_id = client.import_rest_api(body=padded)["id"]
        assert "GET /pets/{petId}" in methods(client, api_id)


def test_extensions_dropped_by_moto(plain: Ctx) -> None:
    doc = yaml.safe_load(PETSTORE.read_text())
    del doc["paths"]["/pets/{petId}"]["parameters"]
    doc["paths"]["/health"]["get"]["x-amazon-apigateway-integration"].update(
        uri="", httpMethod="POST")
    with plain() as client:
        api_id = client.import_rest_api(body=json.dumps(doc).encode())["id"]
        assert client.get_request_validators(restApiId=api_id)["items"] == []
        assert client.get_gateway_responses(restApiId=api_id)["items"] == []
        assert client.get_authorizers(restApiId=api_id)["items"] == []
        get_pet = methods(client, api_id)["GET /pets/{petId}"]
    assert "authorizationType" not in get_pet and get_pet["apiKeyRequired"] is False
    assert "operationName" not in get_pet and "requestParameters" not in get_pet


def test_petstore_extensions_on_emulator(emu: Ctx) -> None:
    with emu() as client:
        api = client.import_rest_api(body=PETSTORE.read_bytes(), failOnWarnings=True)
        validators = {v["name"]: v for v in
                      client.get_request_validators(restApiId=api["id"])["items"]}
        responses = {r["responseType"]: r for r in
                     client.get_gateway_responses(restApiId=api["id"])["items"]}
        authorizers = {a["name"]: a for a in client.get_authorizers(restApiId=api["id"])["items"]}
        found = methods(client, api["id"])
        models = {m["name"] for m in client.get_models(restApiId=api["id"])["items"]}
    assert validators["all"]["validateRequestBody"] is True
    assert responses["THROTTLED"]["statusCode"] == "429"
    assert authorizers["tokenAuth"]["identityValidationExpression"] == "^Bearer [-0-9a-zA-Z._]+$"
    get_pet, post_pets = found["GET /pets/{petId}"], found["POST /pets"]
    assert (get_pet["authorizationType"], get_pet["authorizerId"]) == (
        "CUSTOM", authorizers["tokenAuth"]["id"])
    assert get_pet["apiKeyRequired"] is True
    assert get_pet["requestParameters"] == {"method.request.path.petId": True}
    assert get_pet["operationName"] == "getPet"
    assert get_pet["requestValidatorId"] == validators["params-only"]["id"]
    assert post_pets["authorizationType"] == "COGNITO_USER_POOLS"
    assert post_pets["requestValidatorId"] == validators["all"]["id"]
    assert post_pets["requestModels"] == {"application/json": "NewPet"}
    assert found["GET /health"]["authorizationType"] == "NONE"
    assert {"Pet", "NewPet", "Error"} <= models


def test_mock_integration_without_uri(emu: Ctx, plain: Ctx) -> None:
    body = oas({"/a": {"get": {"responses": {"200": {"description": "ok"}},
                               "x-amazon-apigateway-integration": {"type": "mock"}}}})
    with plain() as client, pytest.raises(TypeError, match="uri"):
        client.import_rest_api(body=body)
    with emu() as client:
        api = client.import_rest_api(body=body)
        integration = methods(client, api["id"])["GET /a"]["methodIntegration"]
    assert integration["type"] == "MOCK" and "uri" not in integration


def test_integration_normalised(emu: Ctx, plain: Ctx) -> None:
    body = oas({"/a": {"get": {"responses": {"200": {"description": "ok"}},
                               "x-amazon-apigateway-integration": {
                                   "type": "http_proxy", "httpMethod": "get",
                                   "uri": "https://example.com/",
                                   "passthroughBehavior": "when_no_templates"}}}})
    with plain() as client:
        bad = methods(client, client.import_rest_api(body=body)["id"])["GET /a"]
    assert bad["methodIntegration"]["type"] == "http_proxy"
    assert "timeoutInMillis" not in bad["methodIntegration"]
    with emu() as client:
        api_id = client.import_rest_api(body=body)["id"]
        resources = {r["path"]: r["id"] for r in client.get_resources(restApiId=api_id)["items"]}
        good = methods(client, api_id)["GET /a"]["methodIntegration"]
    assert (good["type"], good["httpMethod"], good["passthroughBehavior"]) == (
        "HTTP_PROXY", "GET", "WHEN_NO_TEMPLATES")
    assert (good["timeoutInMillis"], good["cacheNamespace"], good["connectionType"]) == (
        29000, resources["/a"], "INTERNET")


def test_swagger2_and_optional_description(emu: Ctx, plain: Ctx) -> None:
    info = {"title": "s", "version": "1", "description": "d"}
    swagger = yaml.safe_dump({"swagger": "2.0", "info": info, "paths": {"/b": GET_MOCK}}).encode()
    no_description = json.dumps({"openapi": "3.0.1", "info": {"title": "t", "version": "1"},
                                 "paths": {"/a": GET_MOCK}}).encode()
    with plain() as client:
        with pytest.raises(ClientError, match="Only OpenAPI 3"):
            client.import_rest_api(body=swagger)
        with pytest.raises(KeyError, match="description"):
            client.import_rest_api(body=no_description)
    with emu() as client:
        assert "GET /b" in methods(client, client.import_rest_api(body=swagger)["id"])
        assert "description" not in client.import_rest_api(body=no_description)


def test_put_overwrite_keeps_root(emu: Ctx, plain: Ctx) -> None:
    for ctx, ok in ((plain, False), (emu, True)):
        with ctx() as client:
            api_id = client.import_rest_api(body=oas({"/a": GET_MOCK}))["id"]
            client.put_rest_api(restApiId=api_id, mode="overwrite", body=oas({"/b": GET_MOCK}))
            root = client.get_rest_api(restApiId=api_id)["rootResourceId"]
            paths = {r["id"]: r["path"] for r in client.get_resources(restApiId=api_id)["items"]}
        assert (paths.get(root) == "/") is ok
        assert sorted(paths.values()) == ["/", "/b"]


def test_put_merge_no_duplicates(emu: Ctx, plain: Ctx) -> None:
    for ctx, copies in ((plain, 3), (emu, 1)):
        with ctx() as client:
            api_id = client.import_rest_api(body=oas({"/a": GET_MOCK}))["id"]
            for _ in range(2):
                client.put_rest_api(restApiId=api_id, mode="merge",
                                    body=oas({"/a": GET_MOCK, "/c": GET_MOCK}))
            paths = [r["path"] for r in client.get_resources(restApiId=api_id)["items"]]
        assert paths.count("/a") == copies


def test_fail_on_warnings_undefined_validator(emu: Ctx, plain: Ctx) -> None:
    op = {**GET_MOCK["get"], "x-amazon-apigateway-request-validator": "nope"}
    body = oas({"/a": {"get": op}})
    with plain() as client:
        client.import_rest_api(body=body, failOnWarnings=True)  # moto has no warnings at all
    with emu() as client:
        with pytest.raises(ClientError, match="Invalid request validator name 'nope'"):
            client.import_rest_api(body=body, failOnWarnings=True)
        assert client.get_rest_apis()["items"] == []
        assert client.import_rest_api(body=body)["warnings"]


def test_tags_on_rest_api(emu: Ctx, plain: Ctx) -> None:
    with plain() as client:
        arn = f"arn:aws:apigateway:us-east-1::/restapis/{client.create_rest_api(name='t')['id']}"
        with pytest.raises(ClientError, match="NotFound"):
            client.tag_resource(resourceArn=arn, tags={"owner": "apigwctl"})
    with emu() as client:
        arn = f"arn:aws:apigateway:us-east-1::/restapis/{client.create_rest_api(name='t')['id']}"
        client.tag_resource(resourceArn=arn, tags={"owner": "apigwctl", "x": "1"})
        client.untag_resource(resourceArn=arn, tagKeys=["x"])
        assert client.get_tags(resourceArn=arn)["tags"] == {"owner": "apigwctl"}
        assert client.get_rest_apis()["items"][0]["tags"] == {"owner": "apigwctl"}


FN_JOIN = {"Fn::Join": ["", ["http://", {"Fn::GetAtt": "LoadBalancer.DNSName"}, "/items"]]}


def test_unresolved_cloudformation_function_is_bad_request(emu: Ctx, plain: Ctx) -> None:
    titled = json.loads(oas({"/a": GET_MOCK}))
    titled["info"]["title"] = {"Fn::Sub": "${AWS::StackName}-API"}
    joined = oas({"/a": {"get": {"responses": {"200": {"description": "ok"}},
                                 "x-amazon-apigateway-integration": {
                                     "type": "http_proxy", "httpMethod": "GET",
                                     "uri": FN_JOIN}}}})
    with plain() as client:
        with pytest.raises(TypeError, match="expected str instance, dict found"):
            client.import_rest_api(body=json.dumps(titled).encode())
        stored = methods(client, client.import_rest_api(body=joined)["id"])["GET /a"]
    assert stored["methodIntegration"]["uri"] == FN_JOIN  # an object where AWS keeps text
    with emu() as client:
        with pytest.raises(ClientError, match=r"info\.title must be a string") as title_error:
            client.import_rest_api(body=json.dumps(titled).encode())
        with pytest.raises(ClientError, match="malformed integration at path /a") as uri_error:
            client.import_rest_api(body=joined, failOnWarnings=True)
        api_id = client.import_rest_api(body=oas({"/a": GET_MOCK}))["id"]
        with pytest.raises(ClientError, match="malformed integration"):
            client.put_rest_api(restApiId=api_id, mode="overwrite", body=joined)
        assert [a["id"] for a in client.get_rest_apis()["items"]] == [api_id]
        assert methods(client, api_id)["GET /a"]["methodIntegration"]["type"] == "MOCK"
    for error in (title_error, uri_error):
        assert error.value.response["Error"]["Code"] == "BadRequestException"


def test_connection_id_stored(emu: Ctx, plain: Ctx) -> None:
    vpc_link = {"type": "http_proxy", "httpMethod": "GET", "uri": "http://nlb.example.com",
                "connectionType": "VPC_LINK", "connectionId": "${stageVariables.vpcLinkId}"}
    body = oas({"/a": {"get": {"responses": {"200": {"description": "ok"}},
                               "x-amazon-apigateway-integration": vpc_link}}})
    with plain() as client:
        dropped = methods(client, client.import_rest_api(body=body)["id"])["GET /a"]
    assert "connectionId" not in dropped["methodIntegration"]
    with emu() as client:
        api_id = client.import_rest_api(body=body)["id"]
        embedded = methods(client, api_id)["GET /a"]["methodIntegration"]
        resource = next(r["id"] for r in client.get_resources(restApiId=api_id)["items"]
                        if r["path"] == "/a")
        got = client.get_integration(restApiId=api_id, resourceId=resource, httpMethod="GET")
    assert embedded["connectionId"] == got["connectionId"] == "${stageVariables.vpcLinkId}"


def _two_methods_one_integrated(client: Any) -> str:
    api = client.create_rest_api(name="t")
    resources = [client.create_resource(restApiId=api["id"], parentId=api["rootResourceId"],
                                        pathPart=part)["id"] for part in ("a", "b")]
    for resource in resources:
        client.put_method(restApiId=api["id"], resourceId=resource, httpMethod="GET",
                          authorizationType="NONE")
    client.put_integration(restApiId=api["id"], resourceId=resources[0], httpMethod="GET",
                           type="MOCK", uri="", integrationHttpMethod="POST")
    return str(api["id"])


def test_deployment_refused_while_a_method_has_no_integration(emu: Ctx, plain: Ctx) -> None:
    with plain() as client:  # moto refuses only when no method at all has an integration
        assert client.create_deployment(restApiId=_two_methods_one_integrated(client),
                                        stageName="s")["id"]
    with emu() as client:
        api_id = _two_methods_one_integrated(client)
        with pytest.raises(ClientError, match="No integration defined for method") as error:
            client.create_deployment(restApiId=api_id, stageName="s")
        assert client.get_stages(restApiId=api_id)["item"] == []
    assert error.value.response["Error"]["Code"] == "BadRequestException"


@pytest.mark.parametrize("field", [
    {"credentials": {"Fn::GetAtt": ["Role", "Arn"]}},
    {"connectionType": "VPC_LINK", "connectionId": {"Ref": "VpcLink"}},
    {"requestTemplates": {"application/json": {"Fn::Sub": "{\"t\": \"${Table}\"}"}}},
    {"timeoutInMillis": {"Ref": "Timeout"}},
    {"responses": {"default": {"statusCode": "200", "responseParameters": {
        "method.response.header.X": {"Fn::If": ["IsProd", "'a'", "'b'"]}}}}},
])
def test_object_in_any_integration_text_field_is_bad_request(emu: Ctx, field: Any) -> None:
    integration = {"type": "aws", "httpMethod": "POST",
                   "uri": "arn:aws:apigateway:us-east-1:dynamodb:action/PutItem", **field}
    body = oas({"/t": {"post": {"responses": {"200": {"description": "ok"}},
                                "x-amazon-apigateway-integration": integration}}})
    with emu() as client:
        with pytest.raises(ClientError, match="malformed integration at path /t"):
            client.import_rest_api(body=body)
        assert client.get_rest_apis()["items"] == []
