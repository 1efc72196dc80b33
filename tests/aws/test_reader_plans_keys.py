"""Stages in full, usage plans and API keys: created through boto3 against the emulator the
way apply does (create_stage + one update_stage per stage, create_usage_plan with tags, one
import_api_keys CSV with a UsagePlanIds column), read back by the reader, and compared with
what the compiler makes of the deployment file. Also: which plans and keys are read, how
same-named keys are told apart, the read-call budget (reader module docstring), and that no
key value survives the read.

The emulator's quotas are off here: these tests are about state, not timing.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apigwctl import normalize as n
from apigwctl.aws.emulator import Emulator
from apigwctl.aws.reader import Reader, read_api
from apigwctl.compile import (
    ApiSettings,
    compile_api,
    compile_api_key,
    compile_stage,
    compile_usage_plan,
)
from apigwctl.config import load_config
from apigwctl.config.model import DeploymentConfig
from apigwctl.errors import ApigwctlError
from apigwctl.model import ApiKey, ApiState, Stage, UsagePlan
from apigwctl.ownership import ownership_tags
from apigwctl.secrets import value_digest
from apigwctl.spec.loader import load_spec

ROOT = Path(__file__).resolve().parents[2]
SALT = b"0123456789abcdef0123456789abcdef"
ACME = "Zk3u9QpL0aXr7WmT2cVb8YsN"
BOLT = "Hf6Gd2Ks9Lp4Mn7Qw1Er5Ty8"
DEPLOYMENT = """\
api: {name: petstore, spec: openapi.yaml}
stages:
  prod:
    description: Production
    variables: {backendHost: api.example.com, lambdaAlias: live}
    method_settings:
      "*/*":
        throttling: {rate_limit: 100, burst_limit: 200}
        logging: {level: INFO, data_trace: false}
        metrics: true
      "/pets/{petId}/GET":
        caching: {enabled: true, ttl: 600, unauthorized_strategy: FAIL_WITH_403}
    cache_cluster: {enabled: true, size: 1.6}
    tracing: true
    access_log: {destination_arn: "arn:aws:logs:us-east-1:123456789012:log-group:x",
                 format: '{"requestId":"$context.requestId"}'}
    client_certificate_id: abc123
    tags: {env: prod}
  dev:
    variables: {backendHost: dev.example.com, lambdaAlias: dev}
usage_plans:
  gold:
    description: Paying partners
    throttle: {rate_limit: 100, burst_limit: 200}
    quota: {limit: 100000, period: MONTH, offset: 3}
    stages:
      prod:
        throttle: {"/pets/GET": {rate_limit: 10, burst_limit: 20}}
    tags: {tier: gold}
  trial:
    quota: {limit: 100, period: DAY}
    stages: {dev: {}}
api_keys:
  partner-acme:
    description: ACME
    value: ${env:ACME_KEY}
    usage_plans: [gold, trial]
  partner-bolt:
    enabled: false
    value: ${env:BOLT_KEY}
    usage_plans: [gold]
"""


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("APIGWCTL_EMULATOR_QUOTAS", "off")
    with Emulator(tmp_path / "emulator", write=True) as em:
        yield em.client("apigateway")


def _config(tmp_path: Path) -> DeploymentConfig:
    (tmp_path / "openapi.yaml").write_bytes((ROOT / "specs/petstore/openapi.yaml").read_bytes())
    (tmp_path / "apigwctl.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    result = load_config(tmp_path / "apigwctl.yaml", env={"ACME_KEY": ACME, "BOLT_KEY": BOLT})
    assert result.config is not None, result.diagnostics
    return result.config


def _desired(config: DeploymentConfig) -> ApiState:
    """What the lead's prepare() assembles: compile_api, then the file's parts by replace."""
    doc = load_spec(config.api.spec).documents[0]
    api = compile_api(doc, ApiSettings("petstore", tags=ownership_tags("petstore")))
    return dataclasses.replace(
        api, stages=tuple(sorted((compile_stage(s) for s in config.stages),
                                 key=lambda s: s.name)),
        usage_plans=tuple(sorted((compile_usage_plan(p, "petstore") for p in config.usage_plans),
                                 key=lambda p: p.name)),
        api_keys=tuple(sorted((compile_api_key(k, SALT) for k in config.api_keys),
                              key=lambda k: k.name)))


# -- creating it the way apply does -----------------------------------------------------------

def _stage_patches(stage: Stage) -> list[dict[str, str]]:
    """update_stage patch operations for what create_stage cannot set (reference §6.3)."""
    ops = []
    for setting in stage.method_settings:
        prefix = "/" + n.method_key_patch_path(setting.key)
        for name, (_, suffix) in n.METHOD_SETTING_FIELDS.items():
            value = getattr(setting, name)
            text = str(value).lower() if isinstance(value, bool) else str(value)
            ops.append({"op": "replace", "path": f"{prefix}/{suffix}", "value": text})
    if stage.access_log_destination_arn:
        ops += [{"op": "replace", "path": "/accessLogSettings/destinationArn",
                 "value": stage.access_log_destination_arn},
                {"op": "replace", "path": "/accessLogSettings/format",
                 "value": stage.access_log_format or ""}]
    if stage.client_certificate_id:
        ops.append({"op": "replace", "path": "/clientCertificateId",
                    "value": stage.client_certificate_id})
    return ops


def _create_stage(client: Any, api_id: str, deployment: str, stage: Stage) -> None:
    args: dict[str, Any] = {"description": stage.description,
                            "variables": dict(stage.variables) or None,
                            "cacheClusterEnabled": stage.cache_cluster_enabled,
                            "cacheClusterSize": stage.cache_cluster_size,
                            "tracingEnabled": stage.tracing_enabled,
                            "tags": dict(stage.tags) or None}
    client.create_stage(restApiId=api_id, stageName=stage.name, deploymentId=deployment,
                        **{k: v for k, v in args.items() if v is not None})
    patches = _stage_patches(stage)
    if patches:
        client.update_stage(restApiId=api_id, stageName=stage.name, patchOperations=patches)


def _throttle(t: Any) -> dict[str, Any]:
    return {"rateLimit": t.rate_limit, "burstLimit": t.burst_limit}


def _create_plan(client: Any, ids: dict[str, str], plan: UsagePlan) -> str:
    stages = [{"apiId": ids[f"api:{s.api}"], "stage": s.stage,
               **({"throttle": {k: _throttle(t) for k, t in s.throttle}} if s.throttle else {})}
              for s in plan.api_stages]
    args: dict[str, Any] = {"description": plan.description, "apiStages": stages,
                            "tags": dict(plan.tags)}
    if plan.throttle:
        args["throttle"] = _throttle(plan.throttle)
    if plan.quota_limit is not None:
        args["quota"] = {"limit": plan.quota_limit, "period": plan.quota_period,
                         "offset": plan.quota_offset}
    plan_id: str = client.create_usage_plan(
        name=plan.name, **{k: v for k, v in args.items() if v is not None})["id"]
    return plan_id


def _import_keys(client: Any, rows: list[tuple[str, str, bool, str, list[str]]]) -> None:
    """One import_api_keys call: name, key, enabled, description, usage plan ids."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Name", "Key", "Enabled", "Description", "UsagePlanIds"])
    for name, key, enabled, description, plans in rows:
        writer.writerow([name, key, str(enabled).lower(), description, ",".join(plans)])
    client.import_api_keys(body=out.getvalue().encode(), format="csv", failOnWarnings=True)


def _deploy(client: Any, tmp_path: Path) -> tuple[ApiState, dict[str, str]]:
    """Create the whole reference deployment; the desired state and the created ids."""
    config = _config(tmp_path)
    desired = _desired(config)
    client.update_account(patchOperations=[  # execution logging needs the account's role
        {"op": "replace", "path": "/cloudwatchRoleArn",
         "value": "arn:aws:iam::123456789012:role/apigateway-cloudwatch"}])
    api = client.create_rest_api(name="petstore", tags=ownership_tags("petstore"),
                                 endpointConfiguration={"types": ["REGIONAL"]})
    client.put_rest_api(restApiId=api["id"], mode="overwrite", failOnWarnings=False,
                        body=config.api.spec.read_bytes())
    ids = {"api:petstore": api["id"]}
    deployment = client.create_deployment(restApiId=ids["api:petstore"])["id"]
    for stage in desired.stages:
        _create_stage(client, ids["api:petstore"], deployment, stage)
    for plan in desired.usage_plans:
        ids[f"usage_plan:{plan.name}"] = _create_plan(client, ids, plan)
    _import_keys(client, [
        (k.name, (c.value.reveal() if c.value else ""), k.enabled, k.description or "",
         [ids[f"usage_plan:{p}"] for p in k.usage_plans])
        for k, c in zip(desired.api_keys, sorted(config.api_keys, key=lambda c: c.name),
                         strict=True)])
    return desired, ids


def _read(client: Any, desired: ApiState, reader: Reader | None = None) -> ApiState:
    live = read_api(client, "petstore", reader, salt=SALT,
                    key_names=frozenset(k.name for k in desired.api_keys))
    assert live is not None
    return live


# -- round trips ------------------------------------------------------------------------------

def test_stages_read_back_as_compiled(client: Any, tmp_path: Path) -> None:
    desired, _ = _deploy(client, tmp_path)
    live = _read(client, desired)
    assert [s.to_dict() for s in live.stages] == [s.to_dict() for s in desired.stages]
    assert live.stages == desired.stages


def test_usage_plans_read_back_as_compiled(client: Any, tmp_path: Path) -> None:
    desired, ids = _deploy(client, tmp_path)
    live = _read(client, desired)
    assert [p.to_dict() for p in live.usage_plans] == [p.to_dict() for p in desired.usage_plans]
    assert live.ids["usage_plan:gold"] == ids["usage_plan:gold"]


def test_api_keys_read_back_as_compiled(client: Any, tmp_path: Path) -> None:
    desired, _ = _deploy(client, tmp_path)
    live = _read(client, desired)
    assert [k.to_dict() for k in live.api_keys] == [k.to_dict() for k in desired.api_keys]
    assert {"api_key:partner-acme", "api_key:partner-bolt"} <= set(live.ids)


def test_the_whole_state_reads_back_equal(client: Any, tmp_path: Path) -> None:
    desired, _ = _deploy(client, tmp_path)
    assert _read(client, desired) == desired


def test_read_calls_stay_within_the_budget(client: Any, tmp_path: Path) -> None:
    """Reference deployment (API + 2 plans + N keys): 10 + ceil(N/500) read calls."""
    desired, _ = _deploy(client, tmp_path)
    reader = Reader(client)
    _read(client, desired, reader)
    assert reader.calls == 10 + math.ceil(len(desired.api_keys) / 500)


def test_read_calls_with_more_than_one_page_of_keys(client: Any, tmp_path: Path) -> None:
    desired, ids = _deploy(client, tmp_path)
    extra = [(f"k{i:04d}", f"value-{i:04d}-{'x' * 16}", True, "",
              [ids["usage_plan:gold" if i % 2 else "usage_plan:trial"]]) for i in range(600)]
    _import_keys(client, extra)
    reader = Reader(client)
    live = _read(client, desired, reader)
    assert len(live.api_keys) == 602
    assert reader.calls == 10 + math.ceil(602 / 500)


def test_a_key_with_a_changed_value_reads_a_different_digest(client: Any, tmp_path: Path
                                                             ) -> None:
    desired, _ = _deploy(client, tmp_path)
    _import_keys(client, [("partner-acme", ACME, True, "ACME", [])])  # same value: overwrite
    key_id = _read(client, desired).ids["api_key:partner-acme"]
    client.delete_api_key(apiKey=key_id)
    _import_keys(client, [("partner-acme", ACME[::-1], True, "ACME", [])])
    live = _read(client, desired)
    acme = next(k for k in live.api_keys if k.name == "partner-acme")
    assert acme.value_digest == value_digest(SALT, ACME[::-1])
    assert acme.value_digest != next(k for k in desired.api_keys
                                     if k.name == "partner-acme").value_digest


def test_no_key_value_survives_the_read(client: Any, tmp_path: Path) -> None:
    desired, _ = _deploy(client, tmp_path)
    live = _read(client, desired)
    for text in (repr(live), str(live.to_dict()), str(dict(live.ids))):
        assert ACME not in text and BOLT not in text


# -- what is read -----------------------------------------------------------------------------

def test_only_managed_plans_of_this_api_are_read(client: Any, tmp_path: Path) -> None:
    desired, _ = _deploy(client, tmp_path)
    client.create_usage_plan(name="someone-elses")
    client.create_usage_plan(name="other-api", tags=ownership_tags("other"))
    client.create_usage_plan(name="half", tags={"apigwctl:api": "petstore"})
    live = _read(client, desired)
    assert [p.name for p in live.usage_plans] == ["gold", "trial"]


def test_a_stage_of_another_api_in_a_managed_plan_is_kept_by_id(client: Any, tmp_path: Path
                                                                ) -> None:
    desired, ids = _deploy(client, tmp_path)
    other = client.create_rest_api(name="other")
    root = other["rootResourceId"]
    client.put_method(restApiId=other["id"], resourceId=root, httpMethod="GET",
                      authorizationType="NONE")
    client.put_integration(restApiId=other["id"], resourceId=root, httpMethod="GET",
                           type="MOCK")
    client.create_deployment(restApiId=other["id"], stageName="v1")
    client.update_usage_plan(usagePlanId=ids["usage_plan:trial"], patchOperations=[
        {"op": "add", "path": "/apiStages", "value": f"{other['id']}:v1"}])
    trial = next(p for p in _read(client, desired).usage_plans if p.name == "trial")
    assert [(s.api, s.stage) for s in trial.api_stages] == [
        ("id:" + other["id"], "v1"), ("petstore", "dev")]


def test_keys_read_are_named_in_the_file_or_in_a_managed_plan(client: Any, tmp_path: Path
                                                             ) -> None:
    _, ids = _deploy(client, tmp_path)
    client.create_api_key(name="stranger", value="s" * 24)
    orphan = client.create_api_key(name="orphan", value="o" * 24, enabled=True)
    client.create_usage_plan_key(usagePlanId=ids["usage_plan:gold"], keyId=orphan["id"],
                                 keyType="API_KEY")
    client.create_api_key(name="named-only", value="n" * 24, enabled=True, customerId="c",
                          tags={"t": "v"})
    live = read_api(client, "petstore", salt=SALT,
                    key_names=frozenset({"partner-acme", "partner-bolt", "named-only"}))
    assert live is not None
    assert [k.name for k in live.api_keys] == ["named-only", "orphan", "partner-acme",
                                               "partner-bolt"]
    named = live.api_keys[0]
    assert named == ApiKey(name="named-only", enabled=True, customer_id="c",
                           value_digest=value_digest(SALT, "n" * 24), tags=(("t", "v"),))
    assert live.api_keys[1].usage_plans == ("gold",)


def test_no_key_call_when_nothing_asks_for_keys(client: Any) -> None:
    api = client.create_rest_api(name="bare", tags=ownership_tags("bare"))
    client.create_api_key(name="k", value="k" * 24)
    reader = Reader(client)
    live = read_api(client, "bare", reader, salt=SALT)
    assert live is not None and live.api_keys == () and live.usage_plans == ()
    assert reader.calls == 8  # 7 for the API, get_usage_plans; no get_api_keys
    assert live.ids["api:bare"] == api["id"]


def test_same_named_keys_prefer_the_one_in_a_managed_plan(client: Any, tmp_path: Path) -> None:
    desired, _ = _deploy(client, tmp_path)
    client.create_api_key(name="partner-acme", value="d" * 24, enabled=True)
    live = _read(client, desired)
    acme = next(k for k in live.api_keys if k.name == "partner-acme")
    assert acme.value_digest == value_digest(SALT, ACME)


@pytest.mark.parametrize("linked", [0, 2])
def test_same_named_keys_without_one_managed_choice_are_an_error(client: Any, linked: int
                                                                 ) -> None:
    api = client.create_rest_api(name="shop", tags=ownership_tags("shop"))
    plan = client.create_usage_plan(name="p", tags=ownership_tags("shop"))
    for i in range(2):
        key = client.create_api_key(name="twin", value=f"{i}" * 24)
        if i < linked:
            client.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"],
                                         keyType="API_KEY")
    with pytest.raises(ApigwctlError) as exc:
        read_api(client, "shop", salt=SALT, key_names=frozenset({"twin"}))
    assert "2 API keys are named 'twin'" in str(exc.value)
    assert exc.value.where == "api_key:twin" and api["id"]


def test_two_managed_plans_of_one_name_are_an_error(client: Any) -> None:
    client.create_rest_api(name="shop", tags=ownership_tags("shop"))
    for _ in range(2):
        client.create_usage_plan(name="gold", tags=ownership_tags("shop"))
    with pytest.raises(ApigwctlError) as exc:
        read_api(client, "shop")
    assert "2 usage plans named 'gold'" in str(exc.value)
