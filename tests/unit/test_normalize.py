"""One test per AWS behaviour encoded in apigwctl.normalize."""

from __future__ import annotations

import json

from apigwctl import normalize as n


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
