"""apigwctl.export, pure: model -> OpenAPI + deployment file -> the same model; the YAML writer."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from apigwctl.cli.project import _compile
from apigwctl.config.loader import check_deployment, load_config
from apigwctl.diagnostics import Severity
from apigwctl.export import (
    dump_yaml,
    export_deployment,
    export_openapi,
    key_env_names,
    render_export,
)
from apigwctl.model import (
    ApiKey,
    ApiState,
    Authorizer,
    Integration,
    Method,
    Resource,
    RestApi,
)
from apigwctl.ownership import RESERVED_PREFIX
from apigwctl.spec.loader import load_spec

ROOT = Path(__file__).resolve().parents[2]
PETSTORE_CONFIG = ROOT / "specs" / "petstore" / "apigwctl.yaml"
SALT = b"unit"


def _own(state: ApiState) -> ApiState:
    """Ownership tags and generated key values aside (neither is exported)."""
    def own(tags: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple(t for t in tags if not t[0].startswith(RESERVED_PREFIX))

    return dataclasses.replace(
        state, api=dataclasses.replace(state.api, tags=own(state.api.tags)),
        usage_plans=tuple(dataclasses.replace(p, tags=own(p.tags)) for p in state.usage_plans),
        api_keys=tuple(dataclasses.replace(k, value_digest=None) for k in state.api_keys))


def _compile_folder(folder: Path, env: dict[str, str]) -> ApiState:
    report = check_deployment(folder / "apigwctl.yaml", env=env)
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    assert not errors, errors
    assert report.spec is not None
    assert not [d for d in report.spec.diagnostics if d.severity is Severity.ERROR]
    config = report.config.config
    assert config is not None
    return _compile(config, load_spec(str(config.api.spec)).documents[0], SALT)


@pytest.mark.parametrize("fmt", ["oas30", "swagger2"])
def test_petstore_desired_state_round_trips(fmt: str, tmp_path: Path) -> None:
    config = load_config(PETSTORE_CONFIG).config
    assert config is not None
    desired = _compile(config, load_spec(str(config.api.spec)).documents[0], SALT)
    spec_text, config_text = render_export(desired, fmt)
    (tmp_path / "openapi.yaml").write_text(spec_text)
    (tmp_path / "apigwctl.yaml").write_text(config_text)
    env = {v: f"{v}-value-{'x' * 20}"
           for v in key_env_names(k.name for k in desired.api_keys).values()}
    again = _compile_folder(tmp_path, env)
    assert _own(again) == _own(desired)
    assert [s.canary for s in again.stages] == [s.canary for s in desired.stages]
    assert render_export(again, fmt) == (spec_text, config_text)  # a fixed point


def _method(**kw: Any) -> Method:
    base: dict[str, Any] = {"path": "/a", "http_method": "GET",
                            "integration": Integration(type="MOCK", cache_namespace="/a")}
    return Method(**{**base, **kw})


def _state(*methods: Method, **kw: Any) -> ApiState:
    return ApiState(api=RestApi(name="t", endpoint_types=("REGIONAL",)),
                    resources=(Resource("/"), Resource("/a")), methods=methods, **kw)


def test_security_schemes_for_iam_api_key_and_authorizers_avoid_name_clashes(
        tmp_path: Path) -> None:
    state = _state(
        _method(http_method="GET", authorization_type="AWS_IAM", api_key_required=True),
        _method(http_method="POST", authorization_type="COGNITO_USER_POOLS",
                authorizer="api_key", authorization_scopes=("a/read",)),
        authorizers=(Authorizer("api_key", "COGNITO_USER_POOLS",
                                identity_source="method.request.header.Authorization",
                                provider_arns=("arn:aws:cognito-idp:us-east-1:123456789012:"
                                               "userpool/us-east-1_abc",)),))
    doc = export_openapi(state)
    schemes = doc["components"]["securitySchemes"]
    assert sorted(schemes) == ["api_key", "api_key2", "sigv4"]
    assert schemes["api_key2"] == {"type": "apiKey", "name": "x-api-key", "in": "header"}
    assert doc["paths"]["/a"]["get"]["security"] == [{"sigv4": [], "api_key2": []}]
    assert doc["paths"]["/a"]["post"]["security"] == [{"api_key": ["a/read"]}]
    spec_text, config_text = render_export(state)
    (tmp_path / "openapi.yaml").write_text(spec_text)
    (tmp_path / "apigwctl.yaml").write_text(config_text)
    assert _own(_compile_folder(tmp_path, {})) == _own(state)


def test_endpoint_configuration_where_each_format_puts_it() -> None:
    state = dataclasses.replace(_state(_method()), api=RestApi(
        name="t", endpoint_types=("PRIVATE",), vpc_endpoint_ids=("vpce-1",),
        disable_execute_api_endpoint=True))
    oas = export_openapi(state, "oas30")
    expected = {"vpcEndpointIds": ["vpce-1"], "disableExecuteApiEndpoint": True}
    assert oas["servers"] == [{"url": "/",
                               "x-amazon-apigateway-endpoint-configuration": expected}]
    swagger = export_openapi(state, "swagger2")
    assert swagger["x-amazon-apigateway-endpoint-configuration"] == expected
    assert list(oas)[:4] == ["openapi", "info", "servers", "paths"]
    assert export_deployment(state, "openapi.yaml")["api"]["endpoint_type"] == "PRIVATE"
    with pytest.raises(ValueError, match="unknown format"):
        export_openapi(state, "oas31")


def test_method_less_leaf_resources_are_empty_path_items() -> None:
    state = dataclasses.replace(_state(_method()), resources=(
        Resource("/"), Resource("/a"), Resource("/b"), Resource("/b/c")))
    assert export_openapi(state)["paths"] == {
        "/a": {"get": {"responses": {"default": {"description": "Default response"}},
                       "x-amazon-apigateway-integration": {
                           "type": "mock", "passthroughBehavior": "when_no_match"}}},
        "/b/c": {}}


def test_key_values_are_references_with_a_comment_and_never_values() -> None:
    state = _state(_method(), api_keys=(
        ApiKey("partner-a", value_digest="digest-not-a-value"),
        ApiKey("partner_a", enabled=False)))
    _, config_text = render_export(state)
    assert "digest-not-a-value" not in config_text
    assert "    # the live value is not exported\n    value: ${env:APIGWCTL_KEY_PARTNER_A}\n" \
        in config_text
    assert "value: ${env:APIGWCTL_KEY_PARTNER_A_2}" in config_text
    assert config_text.count("# the live value is not exported") == 2
    assert "\n# API key values are never exported" in config_text


def test_interpolation_in_exported_values_is_escaped(tmp_path: Path) -> None:
    state = dataclasses.replace(_state(_method()), api=RestApi(
        name="${title}", description="uses $${x} and ${y}", endpoint_types=("EDGE",)))
    doc = export_deployment(state, "openapi.yaml")
    assert doc["api"]["name"] == "$${title}"
    spec_text, config_text = render_export(state)
    (tmp_path / "openapi.yaml").write_text(spec_text)
    (tmp_path / "apigwctl.yaml").write_text(config_text)
    config = load_config(tmp_path / "apigwctl.yaml", env={}).config
    assert config is not None
    assert (config.api.name, config.api.description) == ("${title}", "uses $${x} and ${y}")


def test_target_defaults_to_aws_and_ownership_tags_are_dropped() -> None:
    state = dataclasses.replace(_state(_method()), api=RestApi(
        name="t", tags=(("apigwctl:api", "t"), ("apigwctl:managed-by", "apigwctl"),
                        ("team", "x"))))
    doc = export_deployment(state, "openapi.yaml")
    assert doc["target"] == {"kind": "aws"}
    assert doc["api"]["tags"] == {"team": "x"}
    assert export_deployment(state, "s.yaml", {"kind": "emulator"})["target"] == {
        "kind": "emulator"}


TRICKY: dict[str, Any] = {
    "plain": "text", "number-like": "200", "bool-like": "yes", "null-like": "null",
    "empty": "", "colon": "a: b", "hash": "a #b", "leading space": " x", "quote": "'q'",
    "template": "#set($x = 1)\n{\"a\": \"$x\"}\n", "no final newline": "line1\nline2",
    "trailing spaces": "a  \nb", "blank lines": "a\n\n\nb\n", "two newlines": "a\n\n",
    "cr": "a\r\nb", "tab": "a\tb\nc", "unicode": "héllo ✓", "int": 5, "float": 0.5,
    "bool": True, "none": None, "empty map": {}, "empty list": [],
    "list": [1, "two", {"k": "v", "k2": ["x", {"deep": "y"}]}, [1, 2], "multi\nline"],
    "/pets/{id}": {"get": {"$ref": "#/components/schemas/X"}}, "*/*": {"a": 1},
    "${env:X}": "$${y}",
}


def test_dump_yaml_reads_back_as_the_same_document() -> None:
    text = dump_yaml(TRICKY)
    assert yaml.safe_load(text) == TRICKY
    assert dump_yaml(TRICKY) == text
    assert "template: |\n  #set($x = 1)\n" in text  # a template is a readable block
    assert "\nlist:\n  - 1\n  - two\n  - k: v\n    k2:\n      - x\n" in text  # block style


def test_dump_yaml_comments_and_header() -> None:
    text = dump_yaml({"a": {"b": 1, "c": 2}}, {("a", "c"): "about c", ("a",): "about a"},
                     header=("first", ""))
    assert text == "# first\n#\n# about a\na:\n  b: 1\n  # about c\n  c: 2\n"
