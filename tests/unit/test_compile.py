"""compile_api on the two example specs: the shape API Gateway stores after import."""

from __future__ import annotations

from pathlib import Path

from apigwctl.compile import (
    ApiSettings,
    StageSettings,
    compile_api,
    compile_api_key,
    compile_stage,
    compile_usage_plan,
    spec_routes,
)
from apigwctl.config.model import (
    ApiKeyConfig,
    MethodSettingConfig,
    StageConfig,
    ThrottleConfig,
    UsagePlanConfig,
    UsagePlanStageConfig,
)
from apigwctl.model import (
    ApiKey,
    ApiState,
    Method,
    MethodSetting,
    Stage,
    Throttle,
    UsagePlan,
    UsagePlanStage,
)
from apigwctl.secrets import Secret, value_digest
from apigwctl.spec.loader import load_spec

ROOT = Path(__file__).resolve().parents[2]
VALUE = "Zk3u9QpL0aXr7WmT2cVb8YsN"


def _compile(rel: str, **settings: object) -> ApiState:
    doc = load_spec(ROOT / rel).documents[0]
    return compile_api(doc, ApiSettings("shop", **settings),  # type: ignore[arg-type]
                       (StageSettings("prod", "live", {"backendHost": "h"}),))


def _method(state: ApiState, path: str, verb: str) -> Method:
    return next(m for m in state.methods if (m.path, m.http_method) == (path, verb))


def test_petstore_api_settings() -> None:
    api = _compile("specs/petstore/openapi.yaml", tags={"team": "a"}).api
    assert api.description == "Example pet store API deployed with apigwctl."
    assert api.endpoint_types == ("REGIONAL",)
    assert api.binary_media_types == ("image/jpeg", "image/png")
    assert (api.minimum_compression_size, api.api_key_source) == (1024, "HEADER")
    assert api.tags == (("team", "a"),)


def test_deployment_file_description_wins() -> None:
    assert _compile("specs/petstore/openapi.yaml", description="mine").api.description == "mine"


def test_petstore_tree_and_methods() -> None:
    s = _compile("specs/petstore/openapi.yaml")
    assert [r.path for r in s.resources] == ["/", "/health", "/pets", "/pets/{petId}"]
    assert [(m.path, m.http_method) for m in s.methods] == [
        ("/health", "GET"), ("/pets", "GET"), ("/pets", "POST"),
        ("/pets/{petId}", "DELETE"), ("/pets/{petId}", "GET")]


def test_petstore_security_validators_and_parameters() -> None:
    s = _compile("specs/petstore/openapi.yaml")
    get_pet = _method(s, "/pets/{petId}", "GET")
    assert (get_pet.authorization_type, get_pet.authorizer, get_pet.api_key_required) == (
        "CUSTOM", "tokenAuth", True)
    assert get_pet.request_parameters == (("method.request.path.petId", True),)
    assert get_pet.request_validator == "params-only"
    create = _method(s, "/pets", "POST")
    assert (create.authorization_type, create.authorizer) == ("COGNITO_USER_POOLS", "cognito")
    assert create.request_validator == "all"
    assert create.request_models == (("application/json", "NewPet"),)
    listing = _method(s, "/pets", "GET")
    assert listing.request_parameters == (("method.request.header.X-Tenant", True),
                                          ("method.request.querystring.limit", False))
    assert [r.status_code for r in get_pet.method_responses] == ["200", "404"]


def test_petstore_integrations() -> None:
    s = _compile("specs/petstore/openapi.yaml")
    health = _method(s, "/health", "GET").integration
    assert health is not None
    assert (health.type, health.uri, health.timeout_in_millis) == ("MOCK", None, 29000)
    assert health.cache_namespace == "/health"
    get_pet = _method(s, "/pets/{petId}", "GET").integration
    assert get_pet is not None
    assert get_pet.passthrough_behavior == "WHEN_NO_TEMPLATES"
    assert [(r.status_code, r.selection_pattern) for r in get_pet.responses] == [
        ("200", None), ("404", "4\\d{2}")]
    listing = _method(s, "/pets", "GET").integration
    assert listing is not None
    assert (listing.type, listing.timeout_in_millis) == ("HTTP_PROXY", 10000)
    assert listing.cache_key_parameters == ("method.request.querystring.limit",)


def test_petstore_authorizers_gateway_responses_models_stages() -> None:
    s = _compile("specs/petstore/openapi.yaml")
    token = next(a for a in s.authorizers if a.name == "tokenAuth")
    assert (token.type, token.identity_source, token.result_ttl_in_seconds) == (
        "TOKEN", "method.request.header.Authorization", 300)
    cognito = next(a for a in s.authorizers if a.name == "cognito")
    assert cognito.type == "COGNITO_USER_POOLS" and len(cognito.provider_arns) == 1
    assert [g.response_type for g in s.gateway_responses] == [
        "DEFAULT_4XX", "THROTTLED", "UNAUTHORIZED"]
    assert next(g for g in s.gateway_responses if g.response_type == "THROTTLED"
                ).status_code == "429"
    assert [m.name for m in s.models] == ["Error", "Health", "NewPet", "Pet", "Pets"]
    pets = next(m for m in s.models if m.name == "Pets")
    assert pets.schema == '{"items":{"$ref":"#/models/Pet"},"type":"array"}'
    assert [(v.name, v.validate_request_body) for v in s.validators] == [
        ("all", True), ("params-only", False)]
    assert s.stages[0].variables == (("backendHost", "h"),)


def test_swagger2_example() -> None:
    s = _compile("specs/petstore-swagger2/swagger.json")
    assert [r.path for r in s.resources] == ["/", "/pets", "/pets/{petId}"]
    get_pet = _method(s, "/pets/{petId}", "GET")
    assert (get_pet.authorization_type, get_pet.authorizer) == ("AWS_IAM", None)
    listing = _method(s, "/pets", "GET")
    assert listing.api_key_required and listing.request_validator == "params-only"
    assert listing.method_responses[0].response_models == (("application/json", "Pets"),)
    assert s.authorizers == ()
    assert [m.name for m in s.models] == ["Pet", "Pets"]


# -- stages, usage plans, API keys ----------------------------------------------------------

def test_compile_stage_fills_aws_defaults_for_unset_method_setting_fields() -> None:
    stage = compile_stage(StageConfig(
        "prod", "Production", {"b": "x"},
        method_settings=(MethodSettingConfig("/pets/{petId}/GET", caching_enabled=True,
                                             cache_ttl_in_seconds=600),
                         MethodSettingConfig("*/*", throttling_rate_limit=100,
                                             throttling_burst_limit=200, logging_level="info",
                                             metrics_enabled=True)),
        cache_cluster_enabled=True, cache_cluster_size="118.0", tracing_enabled=True,
        access_log_destination_arn="arn:aws:logs:us-east-1:123456789012:log-group:x",
        access_log_format="$context.requestId", client_certificate_id="abc",
        tags={"env": "prod"}))
    assert stage == Stage(
        name="prod", description="Production", variables=(("b", "x"),),
        method_settings=(
            MethodSetting("*/*", metrics_enabled=True, logging_level="INFO",
                          throttling_burst_limit=200, throttling_rate_limit=100.0),
            MethodSetting("/pets/{petId}/GET", caching_enabled=True, cache_ttl_in_seconds=600)),
        cache_cluster_enabled=True, cache_cluster_size="118", tracing_enabled=True,
        access_log_destination_arn="arn:aws:logs:us-east-1:123456789012:log-group:x",
        access_log_format="$context.requestId", client_certificate_id="abc",
        tags=(("env", "prod"),))
    assert isinstance(stage.method_settings[0].throttling_rate_limit, float)


def test_compile_stage_cache_size_follows_the_cluster() -> None:
    assert compile_stage(StageConfig("p", cache_cluster_size="6.1")).cache_cluster_size is None
    assert compile_stage(StageConfig("p", cache_cluster_enabled=True)).cache_cluster_size == "0.5"
    assert compile_stage(StageConfig("p")) == Stage("p")


def test_compile_stage_matches_the_settings_only_path_of_compile_api() -> None:
    """compile_api's StageSettings (name, description, variables) still give the same Stage."""
    state = _compile("specs/petstore/openapi.yaml")
    assert state.stages == (compile_stage(StageConfig("prod", "live", {"backendHost": "h"})),)


def test_compile_usage_plan_carries_the_ownership_tags() -> None:
    plan = compile_usage_plan(UsagePlanConfig(
        "gold", "Paying", ThrottleConfig(100, 200), quota_limit=1000, quota_period="MONTH",
        quota_offset=2,
        stages=(UsagePlanStageConfig("prod", {"/pets/GET": ThrottleConfig(10, 20),
                                              "//GET": ThrottleConfig(1.5, 3)}),
                UsagePlanStageConfig("dev")),
        tags={"tier": "gold"}), "shop")
    assert plan == UsagePlan(
        name="gold", description="Paying", throttle=Throttle(200, 100.0), quota_limit=1000,
        quota_period="MONTH", quota_offset=2,
        api_stages=(UsagePlanStage("shop", "dev"),
                    UsagePlanStage("shop", "prod", (("//GET", Throttle(3, 1.5)),
                                                    ("/pets/GET", Throttle(20, 10.0))))),
        tags=(("apigwctl:api", "shop"), ("apigwctl:managed-by", "apigwctl"), ("tier", "gold")))


def test_compile_usage_plan_without_quota_or_throttle() -> None:
    plan = compile_usage_plan(UsagePlanConfig("free", quota_offset=0), "shop")
    assert (plan.throttle, plan.quota_limit, plan.quota_period, plan.quota_offset,
            plan.api_stages) == (None, None, None, 0, ())


def test_compile_api_key_digests_the_value_and_adds_no_tags() -> None:
    salt = b"salt" * 8
    key = compile_api_key(ApiKeyConfig("acme", "ACME", True, "cust", Secret(VALUE),
                                       ("silver", "gold"), {"o": "a"}), salt)
    assert key == ApiKey(name="acme", description="ACME", enabled=True, customer_id="cust",
                         value_digest=value_digest(salt, VALUE), usage_plans=("gold", "silver"),
                         tags=(("o", "a"),))
    assert VALUE not in repr(key) and VALUE not in str(key.to_dict())
    generated = compile_api_key(ApiKeyConfig("gen", enabled=False), salt)
    assert (generated.value_digest, generated.enabled, generated.tags) == (None, False, ())


def test_spec_routes_are_method_keys() -> None:
    routes = spec_routes(load_spec(ROOT / "specs/petstore/openapi.yaml").documents[0].data)
    assert routes.methods == {"/health/GET", "/pets/GET", "/pets/POST", "/pets/{petId}/DELETE",
                              "/pets/{petId}/GET"}
    assert routes.resources == {"/", "/health", "/pets", "/pets/{petId}"}
