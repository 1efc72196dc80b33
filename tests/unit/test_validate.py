"""The validation engine: placement, supersession, API kind, templates, stage variables."""

from __future__ import annotations

from pathlib import Path

from apigwctl.spec.loader import ApiKind, load_spec
from apigwctl.spec.validate import detect_kind, validate_path


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_unquoted_swagger_version_is_one_warning_not_a_structural_error(tmp_path: Path) -> None:
    f = _write(tmp_path, "s.yaml", 'swagger: 2.0\ninfo: {title: t, version: "1"}\npaths: {}\n')
    rules = [d.rule for d in validate_path(f).diagnostics]
    assert rules == ["W0021"]


def test_unexpected_property_points_at_the_property(tmp_path: Path) -> None:
    f = _write(tmp_path, "s.yaml",
               'openapi: "3.0.3"\ninfo: {title: t, version: "1"}\npaths: {}\nbogus: 1\n')
    (d,) = [d for d in validate_path(f).diagnostics if d.rule == "E0100"]
    assert (d.pointer, d.line, d.col) == (("bogus",), 4, 1)


def test_cloudformation_body_is_validated_in_place(tmp_path: Path) -> None:
    f = _write(tmp_path, "template.yaml", """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      DefinitionBody:
        openapi: "3.0.1"
        info: {title: !Sub "${AWS::StackName}", version: "1"}
        paths:
          /a:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                $ref: "#/components/x-amazon-apigateway-integrations/missing"
""")
    report = validate_path(f)
    assert report.kinds == (ApiKind.HTTP,)
    (ref,) = [d for d in report.diagnostics if d.rule == "E0012"]
    assert ref.line == 14 and ref.pointer[:4] == ("Resources", "Api", "Properties",
                                                   "DefinitionBody")


def test_kind_detection(tmp_path: Path) -> None:
    http = _write(tmp_path, "h.yaml", 'openapi: "3.0.1"\ninfo: {title: t, version: "1"}\n'
                  "x-amazon-apigateway-cors: {allowOrigins: ['*']}\npaths: {}\n")
    mixed = _write(tmp_path, "m.yaml", 'openapi: "3.0.1"\ninfo: {title: t, version: "1"}\n'
                   "x-amazon-apigateway-cors: {allowOrigins: ['*']}\n"
                   "x-amazon-apigateway-binary-media-types: [image/png]\npaths: {}\n")
    assert detect_kind(load_spec(http).documents[0]) is ApiKind.HTTP
    assert detect_kind(load_spec(mixed).documents[0]) is ApiKind.REST


def test_stage_variable_uses_are_collected_with_locations(tmp_path: Path) -> None:
    f = _write(tmp_path, "s.yaml", """\
openapi: "3.0.3"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: https://${stageVariables.host}/a/${stageVariables.version}
""")
    uses = validate_path(f).stage_variables
    assert [(u.name, u.line) for u in uses] == [("host", 10), ("version", 10)]


def test_refs_into_a_sibling_file_resolve(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    _write(tmp_path, "common/responses.yaml", "Ok:\n  description: 3\n")
    f = _write(tmp_path, "api.yaml", """\
openapi: "3.0.3"
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses: {"200": {$ref: "common/responses.yaml#/Ok"}}
""")
    report = validate_path(f)
    assert not [d for d in report.diagnostics if d.rule.startswith("E001")]
