"""Stages on the emulator behave as on AWS (reference §6), and on plain moto 5.2.5 they do not.

The plain-moto half of each test pins moto's behaviour (findings §1.4), so a moto upgrade that
changes it fails here and the fix in stages.py can be dropped or revisited.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

Ctx = Any
ROLE = "arn:aws:iam::123456789012:role/apigw-logs"
LOG_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:access"


def deployed(client: Any, stage: str = "prod", **deployment: Any) -> tuple[str, str]:
    """A REST API with GET /pets (an HTTP integration, which plain moto can store too),
    deployed to ``stage``; returns (api id, deployment id)."""
    api = client.create_rest_api(name="pets")["id"]
    root = client.get_resources(restApiId=api)["items"][0]["id"]
    pets = client.create_resource(restApiId=api, parentId=root, pathPart="pets")["id"]
    client.put_method(restApiId=api, resourceId=pets, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api, resourceId=pets, httpMethod="GET", type="HTTP",
                           integrationHttpMethod="GET", uri="https://example.com/pets")
    deployment_id = client.create_deployment(restApiId=api, stageName=stage, **deployment)["id"]
    return str(api), str(deployment_id)


def patch(client: Any, api: str, *ops: tuple[str, str, str | None]) -> dict[str, Any]:
    operations = [{"op": op, "path": path, **({} if value is None else {"value": value})}
                  for op, path, value in ops]
    return dict(client.update_stage(restApiId=api, stageName="prod",
                                    patchOperations=operations))


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    return dict(caught.value.response["Error"])


# --- create_deployment ----------------------------------------------------------------------

def test_deploying_onto_an_existing_stage_keeps_its_settings_6_1(emu: Ctx, plain: Ctx) -> None:
    def settle(client: Any) -> tuple[str, dict[str, Any]]:
        api, _ = deployed(client, variables={"host": "a.example.com"})
        patch(client, api, ("replace", "/*/*/metrics/enabled", "true"),
              ("replace", "/tracingEnabled", "true"))
        client.tag_resource(resourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api}"
                                        "/stages/prod", tags={"env": "prod"})
        second = client.create_deployment(restApiId=api, stageName="prod",
                                          variables={"color": "blue"})["id"]
        return second, client.get_stage(restApiId=api, stageName="prod")

    with plain() as client:
        _, wrong = settle(client)
    assert wrong["variables"] == {"color": "blue"} and wrong["methodSettings"] == {}
    assert "tags" not in wrong and "tracingEnabled" not in wrong
    with emu() as client:
        second, stage = settle(client)
    assert stage["deploymentId"] == second
    assert stage["variables"] == {"host": "a.example.com", "color": "blue"}
    assert stage["methodSettings"]["*/*"]["metricsEnabled"] is True
    assert (stage["tracingEnabled"], stage["tags"]) == (True, {"env": "prod"})


def test_deployment_creates_the_stage_with_its_stage_fields_6_1(emu: Ctx, plain: Ctx) -> None:
    fields: dict[str, Any] = {"stageDescription": "Production", "cacheClusterEnabled": True,
                              "cacheClusterSize": "1.6", "tracingEnabled": True}
    with plain() as client:
        api, _ = deployed(client, **fields)
        wrong = client.get_stage(restApiId=api, stageName="prod")
    assert wrong["description"] == "" and wrong["cacheClusterEnabled"] is False
    with emu() as client:
        api, _ = deployed(client, **fields)
        stage = client.get_stage(restApiId=api, stageName="prod")
    assert (stage["description"], stage["cacheClusterSize"]) == ("Production", "1.6")
    assert (stage["cacheClusterEnabled"], stage["cacheClusterStatus"]) == (True, "AVAILABLE")
    assert stage["tracingEnabled"] is True


# --- create_stage and the read-back shape ---------------------------------------------------

def test_create_stage_needs_a_deployment_that_exists_6_2(emu: Ctx, plain: Ctx) -> None:
    with plain() as client:
        api, _ = deployed(client)
        assert client.create_stage(restApiId=api, stageName="ghost", deploymentId="nope")
    with emu() as client:
        api, _ = deployed(client)
        error = error_of(lambda: client.create_stage(restApiId=api, stageName="ghost",
                                                     deploymentId="nope"))
    assert error == {"Code": "NotFoundException",
                     "Message": "Invalid Deployment identifier specified"}


def test_create_stage_fields_and_aws_read_back_shape_6_2(emu: Ctx, plain: Ctx) -> None:
    with plain() as client:
        api, deployment = deployed(client)
        client.create_stage(restApiId=api, stageName="beta", deploymentId=deployment)
        wrong = client.get_stage(restApiId=api, stageName="beta")
    assert "createdDate" not in wrong and "cacheClusterStatus" not in wrong
    with emu() as client:
        api, deployment = deployed(client)
        client.create_stage(restApiId=api, stageName="beta", deploymentId=deployment,
                            description="Beta", variables={"v": "1"}, tracingEnabled=True,
                            cacheClusterEnabled=True, cacheClusterSize="0.5",
                            tags={"team": "pets"})
        beta = client.get_stage(restApiId=api, stageName="beta")
        prod = client.get_stage(restApiId=api, stageName="prod")
        listed = client.get_stages(restApiId=api)["item"]
    assert (beta["description"], beta["variables"], beta["tags"]) == (
        "Beta", {"v": "1"}, {"team": "pets"})
    assert (beta["tracingEnabled"], beta["cacheClusterStatus"]) == (True, "AVAILABLE")
    assert "createdDate" in beta and "lastUpdatedDate" in beta
    # a fresh stage as aws-cli's get-stage example and LocalStack's AWS snapshots show it
    assert (prod["cacheClusterEnabled"], prod["cacheClusterStatus"]) == (False, "NOT_AVAILABLE")
    assert prod["tracingEnabled"] is False and prod["methodSettings"] == {}
    assert "variables" not in prod and "description" not in prod
    assert sorted(s["stageName"] for s in listed) == ["beta", "prod"]


def test_get_stages_filters_by_deployment(emu: Ctx, plain: Ctx) -> None:
    def stages_of_first(client: Any) -> list[str]:
        api, first = deployed(client)
        second = client.create_deployment(restApiId=api)["id"]
        client.create_stage(restApiId=api, stageName="beta", deploymentId=second)
        return [s["stageName"] for s in client.get_stages(restApiId=api,
                                                          deploymentId=first)["item"]]

    with plain() as client:
        assert sorted(stages_of_first(client)) == ["beta", "prod"]  # the filter is ignored
    with emu() as client:
        assert stages_of_first(client) == ["prod"]


def test_tags_on_a_stage_arn(emu: Ctx, plain: Ctx) -> None:
    """Tags given to create_stage and set through the stage's ARN read back the same."""
    def tags(client: Any) -> dict[str, str]:
        api, deployment = deployed(client)
        client.create_stage(restApiId=api, stageName="beta", deploymentId=deployment,
                            tags={"a": "1"})
        arn = f"arn:aws:apigateway:us-east-1::/restapis/{api}/stages/beta"
        client.tag_resource(resourceArn=arn, tags={"b": "2", "c": "3"})
        client.untag_resource(resourceArn=arn, tagKeys=["c"])
        assert client.get_tags(resourceArn=arn)["tags"] == {"a": "1", "b": "2"}
        return dict(client.get_stage(restApiId=api, stageName="beta")["tags"])

    with plain() as client:  # moto's own stage-ARN route works (findings §1.6)
        assert tags(client) == {"a": "1", "b": "2"}
    with emu() as client:
        assert tags(client) == {"a": "1", "b": "2"}


# --- update_stage ---------------------------------------------------------------------------

EVERY_PATH = (
    ("replace", "/description", "Production"),
    ("replace", "/*/*/throttling/rateLimit", "100.5"),
    ("replace", "/*/*/throttling/burstLimit", "200"),
    ("replace", "/*/*/logging/loglevel", "INFO"),
    ("replace", "/*/*/logging/dataTrace", "false"),
    ("replace", "/*/*/metrics/enabled", "TRUE"),
    ("replace", "/~1pets/GET/caching/enabled", "true"),
    ("replace", "/~1pets/GET/caching/ttlInSeconds", "600"),
    ("replace", "/~1pets/GET/caching/dataEncrypted", "true"),
    ("replace", "/~1pets/GET/caching/requireAuthorizationForCacheControl", "false"),
    ("replace", "/~1pets/GET/caching/unauthorizedCacheControlHeaderStrategy", "FAIL_WITH_403"),
    ("replace", "/cacheClusterEnabled", "true"),
    ("replace", "/cacheClusterSize", "6.1"),
    ("replace", "/tracingEnabled", "true"),
    ("add", "/accessLogSettings/destinationArn", LOG_ARN),
    ("replace", "/accessLogSettings/format", '{"id":"$context.requestId"}'),
    ("replace", "/clientCertificateId", "cert1"),
    ("replace", "/variables/backendHost", "api.example.com"),
)


def test_one_update_stage_sets_every_path_of_6_3(emu: Ctx, plain: Ctx) -> None:
    with plain() as client:
        api, _ = deployed(client)
        error = error_of(lambda: patch(client, api, *EVERY_PATH))  # `add` is allowed on AWS
        wrong = patch(client, api, *(("replace", *op[1:]) for op in EVERY_PATH))
    assert error["Code"] == "ValidationException"
    assert "clientCertificateId" not in wrong  # ignored by moto
    assert wrong["methodSettings"]["~1pets/GET"]["throttlingRateLimit"] == 1000.0
    with emu() as client:
        api, _ = deployed(client)
        client.update_account(patchOperations=[
            {"op": "replace", "path": "/cloudwatchRoleArn", "value": ROLE}])
        patch(client, api, *EVERY_PATH)
        stage = client.get_stage(restApiId=api, stageName="prod")
    every, pets = stage["methodSettings"]["*/*"], stage["methodSettings"]["~1pets/GET"]
    assert (every["throttlingRateLimit"], every["throttlingBurstLimit"]) == (100.5, 200)
    assert (every["loggingLevel"], every["metricsEnabled"]) == ("INFO", True)
    assert pets == {"metricsEnabled": False, "loggingLevel": "OFF", "dataTraceEnabled": False,
                    "throttlingBurstLimit": 5000, "throttlingRateLimit": 10000.0,
                    "cachingEnabled": True, "cacheTtlInSeconds": 600,
                    "cacheDataEncrypted": True, "requireAuthorizationForCacheControl": False,
                    "unauthorizedCacheControlHeaderStrategy": "FAIL_WITH_403"}
    assert (stage["cacheClusterEnabled"], stage["cacheClusterSize"]) == (True, "6.1")
    assert stage["accessLogSettings"] == {"destinationArn": LOG_ARN,
                                          "format": '{"id":"$context.requestId"}'}
    assert (stage["clientCertificateId"], stage["tracingEnabled"]) == ("cert1", True)
    assert (stage["description"], stage["variables"]) == (
        "Production", {"backendHost": "api.example.com"})


def test_escaped_and_raw_resource_paths_are_one_method_setting(emu: Ctx, plain: Ctx) -> None:
    """``/~1pets~1{id}/GET/...`` (the documented form) and ``/pets/{id}/GET/...`` (Terraform's)
    name the same method; AWS reads it back as ``~1pets~1{id}/GET`` (aws-cli's get-stage)."""
    ops = (("replace", "/~1pets~1{id}/GET/metrics/enabled", "true"),
           ("replace", "/pets/{id}/GET/caching/ttlInSeconds", "60"))
    with plain() as client:  # moto drops the raw form
        api, _ = deployed(client)
        wrong = patch(client, api, *ops)["methodSettings"]
    assert wrong["~1pets~1{id}/GET"]["cacheTtlInSeconds"] == 300
    with emu() as client:
        api, _ = deployed(client)
        settings = patch(client, api, *ops)["methodSettings"]
    assert list(settings) == ["~1pets~1{id}/GET"]
    assert settings["~1pets~1{id}/GET"]["metricsEnabled"] is True
    assert settings["~1pets~1{id}/GET"]["cacheTtlInSeconds"] == 60


def test_remove_a_method_setting_6_3(emu: Ctx, plain: Ctx) -> None:
    with plain() as client:
        api, _ = deployed(client)
        patch(client, api, ("replace", "/~1pets/GET/metrics/enabled", "true"))
        assert "~1pets/GET" in patch(client, api, ("remove", "/~1pets/GET", None))[
            "methodSettings"]  # ignored
    with emu() as client:
        api, _ = deployed(client)
        patch(client, api, ("replace", "/~1pets/GET/metrics/enabled", "true"),
              ("replace", "/*/*/metrics/enabled", "true"))
        assert list(patch(client, api, ("remove", "/~1pets/GET", None))["methodSettings"]) == [
            "*/*"]
        error = error_of(lambda: patch(client, api, ("remove", "/~1pets/GET", None)))
    assert error["Message"] == ("Cannot remove method setting ~1pets/GET because there is no "
                                "method setting for this method ")


def test_remove_stage_variables_and_access_log(emu: Ctx) -> None:
    with emu() as client:
        api, _ = deployed(client, variables={"a": "1", "b": "2"})
        patch(client, api, ("replace", "/accessLogSettings/destinationArn", LOG_ARN),
              ("replace", "/accessLogSettings/format", "$context.requestId"))
        stage = patch(client, api, ("remove", "/variables/a", None),
                      ("remove", "/accessLogSettings", None))
    assert stage["variables"] == {"b": "2"} and "accessLogSettings" not in stage


def test_add_on_a_variable_is_a_bad_request_not_a_crash(emu: Ctx, plain: Ctx) -> None:
    """The table allows replace and remove on ``/variables/*``; moto crashed on add."""
    with plain() as client:
        api, _ = deployed(client)
        with pytest.raises(Exception, match='Patch operation "add" not implemented'):
            patch(client, api, ("add", "/variables/x", "1"))
    with emu() as client:
        api, _ = deployed(client)
        error = error_of(lambda: patch(client, api, ("add", "/variables/x", "1")))
    assert error == {"Code": "BadRequestException", "Message": "Invalid patch path  "
                     "'/variables/x' specified for op 'add'. Please choose supported operations"}


@pytest.mark.parametrize(("path", "value", "message"), [
    ("/bogus/path", "1", "Invalid method setting path: /bogus/path. Must be one of: ["),
    ("/*/*/accessLogSettings/format", "x",
     "Invalid method setting path: accessLogSettings/format. Must be one of: [.../metrics/"),
    ("/~1pets/ANY/metrics/enabled", "true", "Invalid method setting path: /~1pets/ANY/"),
    ("/~1pets/*/metrics/enabled", "true", "Invalid method setting path: /~1pets/*/"),
    ("/*/*/caching/ttlInSeconds", "3601", "must be between 0 and 3600"),
    ("/*/*/throttling/rateLimit", "fast", "Invalid number value 'fast'"),
    ("/*/*/throttling/burstLimit", "-1", "must be at least 0"),
    ("/*/*/logging/loglevel", "DEBUG", "Must be one of: [OFF, ERROR, INFO]"),
    ("/cacheClusterSize", "3", "Must be one of: [0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237]"),
    ("/tracingEnabled", "yes", "Invalid boolean value 'yes'"),
    ("/deploymentId", "nope", "Deployment id does not exist"),
    ("/variables/bad-name", "1", "Invalid stage variable name 'bad-name'"),
    ("/accessLogSettings/format", "$context.status", "must include at least $context.requestId"),
])
def test_bad_paths_and_values_are_bad_requests(emu: Ctx, plain: Ctx, path: str, value: str,
                                               message: str) -> None:
    with plain() as client:
        api, _ = deployed(client)
        if not path.startswith(("/*/*/throttling/rateLimit", "/tracingEnabled")):
            patch(client, api, ("replace", path, value))  # moto accepts (or ignores) it
    with emu() as client:
        api, _ = deployed(client)
        error = error_of(lambda: patch(client, api, ("replace", path, value)))
    assert error["Code"] == "BadRequestException" and message in error["Message"]


def test_logging_needs_the_account_cloudwatch_role(emu: Ctx, plain: Ctx) -> None:
    """AWS: "CloudWatch Logs role ARN must be set in account settings to enable logging"
    (Miserlou/Zappa#1946); OFF needs no role."""
    with plain() as client:
        api, _ = deployed(client)
        patch(client, api, ("replace", "/*/*/logging/loglevel", "ERROR"))
    with emu() as client:
        api, _ = deployed(client)
        error = error_of(lambda: patch(client, api, ("replace", "/*/*/logging/loglevel", "INFO")))
        patch(client, api, ("replace", "/*/*/logging/loglevel", "OFF"))
        client.update_account(patchOperations=[
            {"op": "replace", "path": "/cloudwatchRoleArn", "value": ROLE}])
        stage = patch(client, api, ("replace", "/*/*/logging/loglevel", "INFO"))
    assert error["Message"] == ("CloudWatch Logs role ARN must be set in account settings to "
                                "enable logging")
    assert stage["methodSettings"]["*/*"]["loggingLevel"] == "INFO"


def test_update_stage_applies_all_operations_or_none(emu: Ctx, plain: Ctx) -> None:
    ops = (("replace", "/description", "changed"), ("add", "/variables/x", "1"))
    with plain() as client:
        api, _ = deployed(client)
        with pytest.raises(Exception, match="not implemented"):
            patch(client, api, *ops)
        assert client.get_stage(restApiId=api, stageName="prod")["description"] == "changed"
    with emu() as client:
        api, _ = deployed(client)
        error_of(lambda: patch(client, api, *ops))
        assert "description" not in client.get_stage(restApiId=api, stageName="prod")

