"""Stage settings, usage plans and API keys -> the fewest ops and patches (pure planning)."""

from __future__ import annotations

from dataclasses import replace

from apigwctl.model import (
    ApiKey,
    ApiState,
    MethodSetting,
    RestApi,
    Stage,
    Throttle,
    UsagePlan,
    UsagePlanStage,
)
from apigwctl.plan.accounts import account_ops, usage_plan_patches
from apigwctl.plan.ops import (
    CreateApiKey,
    CreateUsagePlan,
    DeleteApiKey,
    DeleteUsagePlan,
    ImportApiKeys,
    LinkApiKey,
    Patch,
    TagResource,
    UpdateApiKey,
    UpdateStage,
    UpdateUsagePlan,
)
from apigwctl.plan.planner import PlanSettings, make_plan
from apigwctl.plan.stage_patch import method_key_path, stage_patches


def test_method_key_paths_are_json_pointer_escaped() -> None:
    assert method_key_path("*/*") == "/*/*"
    assert method_key_path("/pets/{petId}/GET") == "/~1pets~1{petId}/GET"
    assert method_key_path("/a~b/POST") == "/~1a~0b/POST"


def test_a_new_method_setting_sends_only_what_differs_from_aws_defaults() -> None:
    old = Stage("prod")
    new = Stage("prod", method_settings=(
        MethodSetting("*/*", throttling_rate_limit=100.0, throttling_burst_limit=200),
        MethodSetting("/pets/GET", caching_enabled=True, cache_ttl_in_seconds=600)))
    assert stage_patches(old, new) == [
        Patch("replace", "/*/*/throttling/burstLimit", "200"),
        Patch("replace", "/*/*/throttling/rateLimit", "100"),
        Patch("replace", "/~1pets/GET/caching/enabled", "true"),
        Patch("replace", "/~1pets/GET/caching/ttlInSeconds", "600")]


def test_a_method_setting_of_all_defaults_still_gets_created() -> None:
    new = Stage("prod", method_settings=(MethodSetting("*/*"),))
    assert stage_patches(Stage("prod"), new) == [
        Patch("replace", "/*/*/metrics/enabled", "false")]


def test_changed_and_removed_settings_and_stage_fields() -> None:
    old = Stage("prod", "old", (("a", "1"), ("b", "2")),
                (MethodSetting("*/*", metrics_enabled=True), MethodSetting("/x/GET")),
                cache_cluster_enabled=False, access_log_destination_arn="arn:1",
                access_log_format="f")
    new = Stage("prod", "new", (("a", "9"),), (MethodSetting("*/*", logging_level="INFO",
                                                            metrics_enabled=True),),
                cache_cluster_enabled=True, cache_cluster_size="6.1", tracing_enabled=True)
    assert stage_patches(old, new) == [
        Patch("replace", "/description", "new"),
        Patch("replace", "/variables/a", "9"), Patch("remove", "/variables/b"),
        Patch("replace", "/cacheClusterEnabled", "true"),
        Patch("replace", "/cacheClusterSize", "6.1"),
        Patch("replace", "/tracingEnabled", "true"),
        Patch("remove", "/accessLogSettings"),
        Patch("remove", "/~1x/GET"),
        Patch("replace", "/*/*/logging/loglevel", "INFO")]


def test_a_new_stage_patches_only_what_create_stage_cannot_carry() -> None:
    new = Stage("prod", "d", (("a", "1"),), (MethodSetting("*/*", metrics_enabled=True),),
                cache_cluster_enabled=True, cache_cluster_size="0.5", tracing_enabled=True,
                access_log_destination_arn="arn:aws:logs:x", access_log_format="$context.requestId",
                client_certificate_id="cc")
    assert stage_patches(None, new) == [
        Patch("replace", "/accessLogSettings/destinationArn", "arn:aws:logs:x"),
        Patch("replace", "/accessLogSettings/format", "$context.requestId"),
        Patch("replace", "/clientCertificateId", "cc"),
        Patch("replace", "/*/*/metrics/enabled", "true")]


GOLD = UsagePlan("gold", "Paying", Throttle(200, 100.0), 1000, "MONTH", 0,
                 (UsagePlanStage("pets", "prod", (("/pets/GET", Throttle(20, 10.0)),)),),
                 (("tier", "gold"),))


def test_every_change_of_a_plan_is_one_update_call() -> None:
    new = replace(GOLD, description=None, throttle=Throttle(400, 100.0), quota_limit=None,
                  quota_period=None, api_stages=(
                      UsagePlanStage("pets", "dev"),
                      UsagePlanStage("pets", "prod", (("/pets/POST", Throttle(1, 1.0)),))))
    assert usage_plan_patches(GOLD, new) == [
        Patch("replace", "/description", ""),
        Patch("replace", "/throttle/burstLimit", "400"),
        Patch("remove", "/quota"),
        Patch("add", "/apiStages", "{api:pets}:dev"),
        Patch("remove", "/apiStages/{api:pets}:prod/throttle//pets/GET"),
        Patch("replace", "/apiStages/{api:pets}:prod/throttle//pets/POST/rateLimit", "1"),
        Patch("replace", "/apiStages/{api:pets}:prod/throttle//pets/POST/burstLimit", "1")]


def _state(plans: tuple[UsagePlan, ...] = (), keys: tuple[ApiKey, ...] = ()) -> ApiState:
    return ApiState(RestApi("pets"), stages=(Stage("prod"),), usage_plans=plans, api_keys=keys)


def _key(name: str, digest: str | None = "d1", plans: tuple[str, ...] = ("gold",),
         **kw: object) -> ApiKey:
    return ApiKey(name, value_digest=digest, usage_plans=plans, **kw)  # type: ignore[arg-type]


def test_new_keys_with_values_are_one_import_with_their_plans() -> None:
    desired = _state((GOLD,), tuple(_key(f"k{i}") for i in range(100)))
    creates, deletions = account_ops(desired, _state())
    assert [type(op) for op in creates] == [CreateUsagePlan, ImportApiKeys]
    imported = creates[1]
    assert isinstance(imported, ImportApiKeys) and len(imported.rows) == 100
    assert imported.rows[0].usage_plans == ("usage_plan:gold",)
    assert "(sensitive)" in str(imported.to_dict()) and deletions == []


def test_generated_keys_customer_ids_and_tags_cost_their_own_calls() -> None:
    desired = _state((GOLD,), (_key("gen", digest=None), _key("cust", customer_id="acme",
                                                                tags=(("t", "1"),))))
    creates, _ = account_ops(desired, _state((GOLD,)))
    assert [type(op) for op in creates] == [ImportApiKeys, CreateApiKey, UpdateApiKey,
                                            TagResource]


def test_changed_value_replaces_the_key_and_other_changes_patch_it() -> None:
    live = _state((GOLD, replace(GOLD, name="silver")),
                  (_key("a"), _key("b", plans=("gold", "silver")), _key("gone")))
    desired = _state((GOLD,), (_key("a", digest="d2"), _key("b", enabled=False)))
    creates, deletions = account_ops(desired, live)
    assert creates == [DeleteApiKey("api_key:a", "a", "its value changed"),
                       ImportApiKeys("api_keys:import", creates[1].rows),  # type: ignore[union-attr]
                       UpdateApiKey("api_key:b", "b", (Patch("replace", "/enabled", "false"),)),
                       LinkApiKey("api_key:b", "usage_plan:silver", remove=True)]
    assert deletions == [DeleteApiKey("api_key:gone", "gone"),
                         DeleteUsagePlan("usage_plan:silver", "silver", ("{api:pets}:prod",))]


def test_unchanged_accounts_plan_nothing_and_come_after_stages() -> None:
    state = _state((GOLD,), (_key("a"),))
    assert account_ops(state, state) == ([], [])
    settings = PlanSettings("openapi.yaml")
    desired = replace(state, stages=(Stage("prod", "changed"),),
                      usage_plans=(replace(GOLD, description="x"),))
    ops = make_plan(desired, state, settings).ops
    assert [type(op) for op in ops] == [UpdateStage, UpdateUsagePlan]


def test_a_definition_change_goes_to_a_canary_stage_as_its_canary() -> None:
    from apigwctl.model import Canary, Integration, Method
    from apigwctl.plan.ops import CreateDeployment, DeployCanary, PutRestApi

    def api(uri: str, live_canary: Canary | None = None) -> ApiState:
        method = Method("/", "GET", integration=Integration("HTTP", "GET", uri))
        return ApiState(RestApi("pets"), methods=(method,), stages=(
            Stage("dev"), Stage("prod", canary=live_canary or Canary(10.0, (("c", "1"),)))))

    settings = PlanSettings("openapi.yaml")
    live = api("https://a", Canary(50.0, (("old", "x"),), deployment_id="d1"))
    ops = make_plan(api("https://b"), live, settings).ops
    assert [type(op) for op in ops] == [PutRestApi, CreateDeployment, UpdateStage,
                                        DeployCanary]
    canary = ops[-1]
    assert isinstance(canary, DeployCanary)
    assert (canary.percent, canary.variables, canary.drop_variables) == (
        10.0, (("c", "1"),), ("old",))
    assert canary.describe() == "prod: canary 10% -> new deployment; stable deployment unchanged"
    assert make_plan(api("https://a"), live, settings).empty  # no change, no canary
