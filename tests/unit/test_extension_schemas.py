"""The bundled extension schemas, and what the extension rules make of them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from apigwctl.spec.loader import ApiKind
from apigwctl.spec.rules.extensions import KNOWN_EXTENSIONS, compile_schema, load_schema
from apigwctl.spec.validate import validate_path

SCHEMAS = Path(__file__).resolve().parents[2] / "src" / "apigwctl" / "spec" / "schemas"

# Every extension of the placement table (reference aws-apigateway.md, section 1.0).
PLACEMENT_TABLE = {
    "x-amazon-apigateway-integration", "x-amazon-apigateway-integrations",
    "x-amazon-apigateway-any-method", "x-amazon-apigateway-authorizer",
    "x-amazon-apigateway-authtype", "x-amazon-apigateway-auth",
    "x-amazon-apigateway-api-key-source", "x-amazon-apigateway-binary-media-types",
    "x-amazon-apigateway-minimum-compression-size", "x-amazon-apigateway-policy",
    "x-amazon-apigateway-gateway-responses", "x-amazon-apigateway-request-validators",
    "x-amazon-apigateway-request-validator", "x-amazon-apigateway-documentation",
    "x-amazon-apigateway-endpoint-configuration", "x-amazon-apigateway-endpoint-access-mode",
    "x-amazon-apigateway-security-policy", "x-amazon-apigateway-cors",
    "x-amazon-apigateway-importexport-version", "x-amazon-apigateway-tag-value",
}


def test_every_extension_of_the_placement_table_has_a_schema_file() -> None:
    assert set(KNOWN_EXTENSIONS) == PLACEMENT_TABLE
    assert {p.stem for p in SCHEMAS.glob("*.json")} >= PLACEMENT_TABLE


@pytest.mark.parametrize("name", sorted(PLACEMENT_TABLE))
def test_schema_is_valid_and_self_describing(name: str) -> None:
    schema = load_schema(name)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(f"/{name}.json")
    assert schema["title"] == name and schema["description"]
    compile_schema(name)  # jsonschema_rs compiles it, cross-file $refs included, offline
    for field, sub in _properties(schema):
        assert sub.get("description") or "$ref" in sub, f"{name}: {field} has no description"


def _properties(schema: dict[str, Any], where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every (name, subschema) of a ``properties`` keyword, at any depth of ``schema``."""
    for key, sub in schema.get("properties", {}).items():
        yield f"{where}.{key}", sub
        yield from _properties(sub, f"{where}.{key}")
    for keyword in ("items", "additionalProperties"):
        if isinstance(schema.get(keyword), dict):
            yield from _properties(schema[keyword], f"{where}[]")
    for key, sub in schema.get("$defs", {}).items():
        yield from _properties(sub, f"#{key}")


_TTL = "authorizerResultTtlInSeconds"


def _valid(name: str, value: Any) -> bool:
    return bool(compile_schema(name).is_valid(value))


@pytest.mark.parametrize(("name", "value", "ok"), [
    ("x-amazon-apigateway-integration", {"type": "aws_proxy"}, True),
    ("x-amazon-apigateway-integration", {"type": "AWS_Proxy"}, True),
    ("x-amazon-apigateway-integration", {"type": "lambda"}, False),
    ("x-amazon-apigateway-integration", {"httpMethod": "POST"}, False),
    ("x-amazon-apigateway-integration",
     {"type": "aws", "responses": {"default": {"statusCode": 200}}}, True),
    ("x-amazon-apigateway-integration", {"type": "http", "timeoutInMillis": "29000"}, False),
    ("x-amazon-apigateway-integration", {"type": "http_proxy", "payloadFormatVersion": 1.0}, True),
    ("x-amazon-apigateway-integrations", {"fn": {"type": "mock"}}, True),
    ("x-amazon-apigateway-integrations", {"fn": {"type": "lambda"}}, False),
    ("x-amazon-apigateway-minimum-compression-size", 10485760, True),
    ("x-amazon-apigateway-minimum-compression-size", 10485761, False),
    ("x-amazon-apigateway-minimum-compression-size", -1, False),
    ("x-amazon-apigateway-authorizer", {"type": "Token", _TTL: 3600}, True),
    ("x-amazon-apigateway-authorizer", {"type": "token", _TTL: 3601}, False),
    ("x-amazon-apigateway-authorizer", {"type": "oauth"}, False),
    ("x-amazon-apigateway-auth", {"type": "aws_iam"}, True),
    ("x-amazon-apigateway-auth", {"type": "cognito"}, False),
    ("x-amazon-apigateway-cors", {"maxAge": -1}, True),
    ("x-amazon-apigateway-cors", {"maxAge": 86401}, False),
    ("x-amazon-apigateway-importexport-version", "1.0", True),
    ("x-amazon-apigateway-importexport-version", 1.0, False),
    ("x-amazon-apigateway-gateway-responses", {"THROTTLED": {"statusCode": "429"}}, True),
    ("x-amazon-apigateway-gateway-responses", {"THROTTLED": {"statusCode": {"v": 429}}}, False),
    ("x-amazon-apigateway-api-key-source", "AUTHORIZER", True),
    ("x-amazon-apigateway-api-key-source", "QUERY", False),
    ("x-amazon-apigateway-endpoint-access-mode", "STRICT", True),
    ("x-amazon-apigateway-endpoint-access-mode", "strict", False),
    ("x-amazon-apigateway-security-policy", "SecurityPolicy_TLS13_1_3_2025_09", True),
    ("x-amazon-apigateway-security-policy", "TLS_1_3", False),
    ("x-amazon-apigateway-policy", {"Statement": {"Effect": "Allow"}}, True),
    ("x-amazon-apigateway-policy", {"Statement": "allow"}, False),
])
def test_schema_behaviour(name: str, value: Any, ok: bool) -> None:
    assert _valid(name, value) is ok


def _report(tmp_path: Path, text: str, kind: ApiKind | None = None,
            name: str = "api.yaml") -> list[tuple[str, int, int, str, str | None]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return [(d.rule, d.line, d.col, d.message, d.hint)
            for d in validate_path(str(path), kind=kind).diagnostics]


_HEAD = 'openapi: "3.0.3"\ninfo: {title: t, version: "1"}\n'
_OP = """paths:
  /a:
    get:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
"""


def _rules(found: list[tuple[str, int, int, str, str | None]]) -> list[str]:
    return [f[0] for f in found]


def test_intrinsic_is_reported_once_by_e1090_not_by_the_schema(tmp_path: Path) -> None:
    found = _report(tmp_path, _HEAD + _OP + """        type: aws_proxy
        httpMethod: POST
        uri: {"Fn::GetAtt": [Fn, Arn]}
        timeoutInMillis: {Ref: Timeout}
""")
    assert _rules(found).count("E1090") == 2
    assert "E1001" not in _rules(found) and "W1102" not in _rules(found)


def test_intrinsics_in_a_template_body_are_left_to_cloudformation(tmp_path: Path) -> None:
    found = _report(tmp_path, """Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      DefinitionBody:
        openapi: "3.0.3"
        info: {title: t, version: "1"}
        paths:
          /a:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub "arn:aws:apigateway:${AWS::Region}:lambda:path/fn"
""", name="template.yaml")
    assert "E1090" not in _rules(found)


def test_ref_integration_is_checked_once_where_it_is_written(tmp_path: Path) -> None:
    ref = '        $ref: "#/components/x-amazon-apigateway-integrations/fn"\n'
    second = _OP.replace("/a", "/b").removeprefix("paths:\n")
    found = _report(tmp_path, _HEAD + _OP + ref + second + ref + """
components:
  x-amazon-apigateway-integrations:
    fn: {type: aws_proxy, httpMethod: POST, payloadFormatVersion: "2.0", uri: x,
         timeoutInMillis: slow, timeoutInMilis: 5}
""", ApiKind.HTTP)
    e1002 = [f for f in found if f[0] == "E1002"]
    assert [f[1:3] for f in e1002] == [(18, 10)], found
    assert "E1001" not in _rules(found)
    assert [f[4] for f in found if f[0] == "W1102"] == ["did you mean `timeoutInMillis`?"]


def test_template_placeholder_standing_for_a_number_is_not_a_type_error(tmp_path: Path) -> None:
    found = _report(tmp_path, _HEAD + _OP + """        type: aws_proxy
        httpMethod: POST
        uri: x
        timeoutInMillis: ${timeout}
""")
    assert "E1001" not in _rules(found)


def test_endpoint_configuration_placement_depends_on_the_version(tmp_path: Path) -> None:
    ext = "x-amazon-apigateway-endpoint-configuration: {disableExecuteApiEndpoint: true}\n"
    oas3 = _report(tmp_path, _HEAD + ext + "paths: {}\n")
    assert [(f[0], f[1]) for f in oas3 if f[0] == "W1101"] == [("W1101", 3)]
    assert "servers" in str(oas3[[f[0] for f in oas3].index("W1101")][4])
    swagger = _report(tmp_path, 'swagger: "2.0"\ninfo: {title: t, version: "1"}\n' + ext
                      + "paths: {}\n")
    assert "W1101" not in _rules(swagger)


def test_misspelt_extension_prefix_is_caught(tmp_path: Path) -> None:
    found = _report(tmp_path, _HEAD + _OP.replace("x-amazon-apigateway", "x-amazon-api-gateway")
                    + "        type: mock\n")
    w1100 = [f for f in found if f[0] == "W1100"]
    assert [(f[1], f[2], f[4]) for f in w1100] == [
        (7, 7, "did you mean `x-amazon-apigateway-integration`?")]


def test_maps_and_vendor_extensions_are_not_unknown_fields(tmp_path: Path) -> None:
    found = _report(tmp_path, _HEAD + _OP + """        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:sqs:path/123456789012/q
        x-vendor-note: kept for our own tooling
        requestTemplates: {application/json: "{}"}
        responses:
          default:
            statusCode: "200"
            application/json: "{}"
""")
    unknown = [f for f in found if f[0] == "W1102"]
    assert [f[1:3] for f in unknown] == [(16, 13)], unknown
    assert "responseTemplates" in str(unknown[0][4])


def test_fields_of_the_other_api_kind(tmp_path: Path) -> None:
    integration = """        type: aws_proxy
        httpMethod: POST
        uri: x
        payloadFormatVersion: "2.0"
        requestTemplates: {application/json: "{}"}
"""
    rest = _report(tmp_path, _HEAD + _OP + integration, ApiKind.REST)
    http = _report(tmp_path, _HEAD + _OP + integration, ApiKind.HTTP)
    assert [f[3].split("`")[1] for f in rest if f[0] == "W2501"] == ["payloadFormatVersion"]
    assert [f[3].split("`")[1] for f in http if f[0] == "W2502"] == ["requestTemplates"]
