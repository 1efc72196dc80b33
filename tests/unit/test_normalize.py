"""One test per AWS behaviour encoded in apigwctl.normalize."""

from __future__ import annotations

import dataclasses
import json

from apigwctl import normalize as n
from apigwctl.model import MethodSetting, Throttle


def test_integration_type_is_upper_case() -> None:
    assert n.integration_type("aws_proxy") == "AWS_PROXY"


def test_passthrough_behavior_upper_case_default_when_no_match() -> None:
    assert n.passthrough_behavior("when_no_templates") == "WHEN_NO_TEMPLATES"
    assert n.passthrough_behavior(None) == "WHEN_NO_MATCH"


def test_timeout_default_29000() -> None:
    assert n.timeout_in_millis(None) == 29000
    assert n.timeout_in_millis(10000) == 10000


def test_connection_type_default_internet() -> None:
    assert n.connection_type(None) == "INTERNET"
    assert n.connection_type("vpc_link") == "VPC_LINK"


def test_cache_namespace_defaults_to_resource_stored_as_path() -> None:
    assert n.cache_namespace(None, "/pets") == "/pets"
    assert n.cache_namespace("res123", "/pets", "res123") == "/pets"
    assert n.cache_namespace("shared", "/pets", "res123") == "shared"


def test_cache_key_parameters_order_insensitive() -> None:
    assert n.cache_key_parameters(["b", "a", "a"]) == ("a", "b")


def test_mock_has_no_uri() -> None:
    assert n.integration_uri("MOCK", "") is None
    assert n.integration_uri("HTTP", "https://x") == "https://x"


def test_selection_pattern_default_is_none() -> None:
    assert n.selection_pattern("default") is None
    assert n.selection_pattern("") is None
    assert n.selection_pattern("4\\d{2}") == "4\\d{2}"


def test_authorization_type_from_security_scheme() -> None:
    cognito = {"x-amazon-apigateway-authorizer": {"type": "cognito_user_pools"}}
    assert n.authorization_type_of(cognito) == "COGNITO_USER_POOLS"
    assert n.authorization_type_of({"x-amazon-apigateway-authorizer": {"type": "request"}}) \
        == "CUSTOM"
    assert n.authorization_type_of({"x-amazon-apigateway-authtype": "awsSigv4"}) == "AWS_IAM"
    assert n.authorization_type_of({"type": "apiKey"}) is None


def test_api_key_required_from_api_key_scheme() -> None:
    assert n.is_api_key_scheme({"type": "apiKey", "name": "x-api-key", "in": "header"})
    assert not n.is_api_key_scheme({"type": "apiKey", "name": "Authorization", "in": "header"})


def test_api_key_scheme_with_a_non_iam_authtype_is_still_the_api_key() -> None:
    # bench/gen_spec.py's scheme; the emulator's importer requires the key for it too
    key = {"type": "apiKey", "name": "x-api-key", "in": "header"}
    assert n.is_api_key_scheme({**key, "x-amazon-apigateway-authtype": "apiKey"})
    assert not n.is_api_key_scheme({**key, "x-amazon-apigateway-authtype": "awsSigv4"})
    assert not n.is_api_key_scheme({**key, "x-amazon-apigateway-authorizer": {"type": "token"}})


def test_request_parameter_names_and_required() -> None:
    assert n.request_parameter("query", "limit") == "method.request.querystring.limit"
    assert n.request_parameter("cookie", "c") is None
    assert n.parameter_required("path", False) is True
    assert n.parameter_required("query", None) is False


def test_status_code_is_a_string() -> None:
    assert n.status_code(200) == "200"


def test_templates_keyed_by_content_type_empty_equals_absent() -> None:
    assert n.content_type_map({" application/json ": "x"}) == (("application/json", "x"),)
    assert n.content_type_map({}) == n.content_type_map(None) == ()


def test_empty_template_returned_as_null_equals_empty_string() -> None:
    assert n.content_type_map({"application/json": None}) == n.content_type_map(
        {"application/json": ""}) == (("application/json", ""),)


def test_policy_shorthand_kept_and_expanded_arn_folded() -> None:
    doc = {"Statement": [{"Effect": "Allow", "Resource": ["execute-api:/*"]}]}
    shorthand = n.canonical_policy(doc)
    assert shorthand is not None
    live = n.expand_policy(shorthand, "aws", "eu-west-1", "111122223333", "abc123")
    assert "arn:aws:execute-api:eu-west-1:111122223333:abc123/*" in live
    assert n.canonical_policy(live, "abc123") == shorthand
    assert n.canonical_policy(live, "other") != shorthand


def test_policy_escaped_quotes_as_aws_returns_them() -> None:
    text = json.dumps({"Version": "2012-10-17"}).replace('"', '\\"')
    assert n.canonical_policy(text) == '{"Version":"2012-10-17"}'


def test_binary_media_types_sorted_set_and_patch_escape() -> None:
    assert n.binary_media_types(["image/png", "image~1jpeg", "image/png"]) == (
        "image/jpeg", "image/png")


def test_endpoint_types_upper_default_edge() -> None:
    assert n.endpoint_types(["regional"]) == ("REGIONAL",)
    assert n.endpoint_types(None) == ("EDGE",)


def test_empty_maps_equal_absent() -> None:
    assert n.str_map(None) == n.str_map({}) == ()
    assert n.bool_map({"b": 1, "a": 0}) == (("a", False), ("b", True))


def test_authorizer_defaults_ttl_and_token_identity_source() -> None:
    assert n.authorizer_ttl(None) == 300
    scheme = {"name": "Authorization"}
    assert n.identity_source("TOKEN", None, scheme) == "method.request.header.Authorization"
    assert n.identity_source("REQUEST", None, scheme) is None
    assert n.identity_source("REQUEST", "a, b", scheme) == "a,b"


def test_model_refs_canonical_both_sides() -> None:
    spec = n.model_schema({"items": {"$ref": "#/components/schemas/Pet"}})
    live = n.model_schema(json.dumps(
        {"items": {"$ref": "https://apigateway.amazonaws.com/restapis/x1/models/Pet"}}))
    assert spec == live == '{"items":{"$ref":"#/models/Pet"}}'
    assert n.live_model_ref("#/models/Pet", "x1").endswith("/restapis/x1/models/Pet")


def test_empty_string_equals_absent() -> None:
    assert n.optional_str("") is None
    assert n.api_key_source(None) == "HEADER"


# -- stages, usage plans, API keys (reference aws-apigateway.md §5-§7) --------------------------

def test_method_key_folds_every_form_aws_and_tools_use() -> None:
    for form in ("/pets/{petId}/GET", "~1pets~1{petId}/GET", "pets/{petId}/GET",
                 "/~1pets~1{petId}/GET", "~1pets~1{petId}/get"):
        assert n.method_key(form) == "/pets/{petId}/GET", form
    assert n.method_key("*/*") == "*/*"
    assert n.method_key("~1/GET") == n.method_key("//GET") == "//GET"  # the root resource
    assert n.method_key("~1a~0b/GET") == "/a~b/GET"  # JSON pointer: ~1 then ~0


def test_method_key_patch_path_is_the_escaped_form() -> None:
    assert n.method_key_patch_path("/pets/{petId}/GET") == "~1pets~1{petId}/GET"
    assert n.method_key_patch_path("//GET") == "~1/GET"
    assert n.method_key_patch_path("*/*") == "*/*"
    assert n.method_key_patch_path("/a~b/GET") == "~1a~0b/GET"
    for key in ("/pets/{petId}/GET", "//GET", "/a~b/*"):
        assert n.method_key(n.method_key_patch_path(key)) == key


def test_logging_level_absent_means_off() -> None:
    assert n.logging_level(None) == "OFF"
    assert n.logging_level("info") == "INFO"


def test_method_setting_members_aws_omits_take_aws_defaults() -> None:
    """aws-cli update-stage example: a new setting reads 10000/5000, TTL 300, not encrypted."""
    setting = n.method_setting("~1pets/GET", {"throttlingRateLimit": 100})
    assert setting == MethodSetting(key="/pets/GET", throttling_rate_limit=100.0)
    assert (setting.throttling_burst_limit, setting.logging_level, setting.cache_ttl_in_seconds,
            setting.cache_data_encrypted) == (5000, "OFF", 300, False)
    patched = n.method_setting("*/*", {"cachingEnabled": "true", "cacheTtlInSeconds": "600",
                                       "metricsEnabled": False, "loggingLevel": "ERROR"})
    assert (patched.caching_enabled, patched.cache_ttl_in_seconds, patched.metrics_enabled,
            patched.logging_level) == (True, 600, False, "ERROR")


def test_method_setting_fields_cover_the_model() -> None:
    names = {f.name for f in dataclasses.fields(MethodSetting)} - {"key"}
    assert set(n.METHOD_SETTING_FIELDS) == names


def test_cache_cluster_size_none_while_the_cache_is_off() -> None:
    """aws-cli get-stage example: cacheClusterEnabled false with cacheClusterSize "0.5"."""
    assert n.cache_cluster_size(False, "0.5") is None
    assert n.cache_cluster_size(True, None) == "0.5"
    assert n.cache_cluster_size(True, 118.0) == n.cache_cluster_size(True, "118") == "118"
    assert n.cache_cluster_size(True, 6.1) == "6.1"


def test_tracing_enabled_absent_is_false() -> None:
    assert n.tracing_enabled(None) is False
    assert n.tracing_enabled(True) is True


def test_access_log_absent_and_empty_are_one() -> None:
    assert n.access_log(None) == n.access_log({}) == n.access_log(
        {"destinationArn": "", "format": ""}) == (None, None)
    assert n.access_log({"destinationArn": "arn:x", "format": "$context.requestId"}) == (
        "arn:x", "$context.requestId")


def test_usage_plan_throttle_absent_is_none_a_missing_member_zero() -> None:
    assert n.usage_plan_throttle(None) is None
    assert n.usage_plan_throttle({}) is None
    assert n.usage_plan_throttle({"rateLimit": 5}) == Throttle(burst_limit=0, rate_limit=5.0)
    assert n.throttle(None, None) == Throttle(0, 0.0)
    assert n.throttle(10, "20") == Throttle(20, 10.0)


def test_quota_absent_and_offset_default() -> None:
    assert n.quota(None) == n.quota({}) == (None, None, 0)
    assert n.quota({"limit": 10, "period": "day"}) == (10, "DAY", 0)
    assert n.quota({"limit": 10, "period": "WEEK", "offset": 2}) == (10, "WEEK", 2)


def test_api_stage_throttle_keys_and_values() -> None:
    raw = {"/pets/GET": {"rateLimit": 5, "burstLimit": 10}, "~1pets~1{id}/get": {},
           "//GET": {"rateLimit": 1.5}}
    assert n.api_stage_throttle(raw) == (
        ("//GET", Throttle(0, 1.5)), ("/pets/GET", Throttle(10, 5.0)),
        ("/pets/{id}/GET", Throttle(0, 0.0)))
    assert n.api_stage_throttle(None) == ()


def test_api_key_enabled_defaults() -> None:
    """ImportApiKeys' Enabled defaults to true (the file's default); CreateApiKey's to false."""
    assert n.api_key_enabled(None) is True
    assert n.api_key_enabled(False) is False
    assert n.live_api_key_enabled(None) is False
    assert n.live_api_key_enabled(True) is True
