"""The deployment file apigwctl.yaml: model and defaults, interpolation, schema findings at
line:col, the stage-variable cross-check, target precedence, and the CLI commands."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from apigwctl.cli import main
from apigwctl.config import (
    ApiMode,
    ConfigResult,
    EndpointType,
    TargetKind,
    TargetSource,
    check_deployment,
    load_config,
)
from apigwctl.diagnostics import Diagnostic, Severity

SPECS = Path(__file__).resolve().parents[2] / "specs"
SPEC = """\
openapi: "3.0.3"
info: {title: t, version: "1"}
paths:
  /pets:
    get:
      responses:
        "200": {description: ok}
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: GET
        uri: https://${stageVariables.backendHost}/pets
"""
MINIMAL = "api:\n  name: petstore\n  spec: openapi.yaml\n"


def _write(tmp_path: Path, text: str, name: str = "apigwctl.yaml") -> Path:
    (tmp_path / "openapi.yaml").write_text(SPEC, encoding="utf-8")
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None,
          target: str | None = None) -> ConfigResult:
    return load_config(_write(tmp_path, text), target=target, env=env or {})


def _found(diags: tuple[Diagnostic, ...]) -> list[tuple[str, int, int]]:
    return [(d.rule, d.line, d.col) for d in diags]


# -- model and defaults ---------------------------------------------------------------------

def test_minimal_file_gets_every_default(tmp_path: Path) -> None:
    result = _load(tmp_path, MINIMAL)
    assert result.diagnostics == ()
    config = result.config
    assert config is not None
    assert config.api.name == "petstore"
    assert config.api.spec == (tmp_path / "openapi.yaml").resolve()
    assert config.api.type == "REST"
    assert config.api.endpoint_type is EndpointType.REGIONAL
    assert config.api.mode is ApiMode.OVERWRITE
    assert config.api.description is None and dict(config.api.tags) == {}
    assert config.stages == ()
    assert config.target.kind is TargetKind.EMULATOR
    assert config.target.region == "us-east-1" and config.target.profile is None
    assert config.target.source is TargetSource.DEFAULT


def test_every_field_is_read(tmp_path: Path) -> None:
    text = """\
api:
  name: shop
  spec: openapi.yaml
  type: REST
  endpoint_type: EDGE
  mode: merge
  description: The shop
  tags: {team: payments, "cost center": "42"}
stages:
  prod:
    description: Production
    variables: {backendHost: api.example.com}
  dev: {}
target:
  kind: aws
  region: eu-west-1
  profile: deploy
"""
    config = _load(tmp_path, text).config
    assert config is not None
    assert (config.api.endpoint_type, config.api.mode) == (EndpointType.EDGE, ApiMode.MERGE)
    assert config.api.description == "The shop"
    assert dict(config.api.tags) == {"team": "payments", "cost center": "42"}
    assert [s.name for s in config.stages] == ["prod", "dev"]
    prod = config.stage("prod")
    assert prod is not None and prod.description == "Production"
    assert dict(prod.variables) == {"backendHost": "api.example.com"}
    dev = config.stage("dev")
    assert dev is not None and dev.description is None and dict(dev.variables) == {}
    assert config.stage("nope") is None
    assert (config.target.kind, config.target.region, config.target.profile,
            config.target.source) == (TargetKind.AWS, "eu-west-1", "deploy", TargetSource.FILE)


def test_model_is_frozen(tmp_path: Path) -> None:
    config = _load(tmp_path, MINIMAL + "  tags: {a: b}\n").config
    assert config is not None
    with pytest.raises(AttributeError):
        config.api.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.api.tags["a"] = "c"  # type: ignore[index]


def test_aws_target_without_region_leaves_it_to_the_sdk(tmp_path: Path) -> None:
    config = _load(tmp_path, MINIMAL + "target: {kind: aws}\n").config
    assert config is not None and config.target.region is None


def test_json_deployment_file(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"api": {"name": "p", "spec": "openapi.yaml", "mode": 1}}',
                  "apigwctl.json")
    result = load_config(path, env={})
    assert _found(result.diagnostics) == [("E3003", 1, 47)]


def test_spec_path_is_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    _write(tmp_path, "")
    path = tmp_path / "deploy" / "apigwctl.yaml"
    path.write_text("api: {name: p, spec: ../openapi.yaml}\n", encoding="utf-8")
    config = load_config(path, env={}).config
    assert config is not None and config.api.spec == (tmp_path / "openapi.yaml").resolve()


def test_missing_spec_is_an_error(tmp_path: Path) -> None:
    result = _load(tmp_path, "api:\n  name: p\n  spec: nope.yaml\n")
    assert result.config is None
    assert _found(result.diagnostics) == [("E3020", 3, 3)]
    assert "nope.yaml does not exist" in result.diagnostics[0].message


# -- parse errors -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "rule", "where"), [
    ("api:\n  name: a\n  name: b\n  spec: openapi.yaml\n", "E0006", (3, 3)),
    ("api: [\n", "E0001", (2, 1)),
    ("- just a list\n", "E0005", (1, 1)),
    ("", "E0005", (1, 1)),
])
def test_parse_problems(tmp_path: Path, text: str, rule: str, where: tuple[int, int]) -> None:
    result = _load(tmp_path, text)
    assert result.config is None
    assert (result.diagnostics[0].rule, result.diagnostics[0].line,
            result.diagnostics[0].col) == (rule, *where)


def test_unreadable_file(tmp_path: Path) -> None:
    result = load_config(tmp_path / "absent.yaml", env={})
    assert result.config is None and [d.rule for d in result.diagnostics] == ["E0001"]


# -- schema findings ------------------------------------------------------------------------

def test_unknown_keys_are_located_with_a_suggestion(tmp_path: Path) -> None:
    text = MINIMAL + "  endpont_type: EDGE\nstages:\n  prod:\n    varibles: {}\ntargte: {}\n"
    result = _load(tmp_path, text)
    assert result.config is None
    assert _found(result.diagnostics) == [("E3001", 4, 3), ("E3001", 7, 5), ("E3001", 8, 1)]
    hints = [d.hint for d in result.diagnostics]
    assert hints == ["did you mean `endpoint_type`?", "did you mean `variables`?",
                     "did you mean `target`?"]
    assert result.diagnostics[0].message == "unknown key 'endpont_type' in `api`"


def test_unknown_key_far_from_any_lists_the_allowed_keys(tmp_path: Path) -> None:
    result = _load(tmp_path, MINIMAL + "domains: {}\n")
    assert _found(result.diagnostics) == [("E3001", 4, 1)]
    assert result.diagnostics[0].hint == "allowed here: api, api_keys, stages, target, usage_plans"


def test_wrong_types_are_located(tmp_path: Path) -> None:
    text = "api:\n  name: 12\n  spec: openapi.yaml\n  tags: {on: yes}\nstages: []\n"
    result = _load(tmp_path, text)
    found = {(d.rule, d.line, d.col, d.message) for d in result.diagnostics}
    assert ("E3002", 2, 3, "`api.name` must be a string, not an integer (12)") in found
    assert ("E3002", 5, 1, "`stages` must be a mapping, not a list ([])") in found
    assert any(r == "E3002" and line == 4 for r, line, _, _ in found)  # YAML 1.1 `yes`


def test_missing_required_keys(tmp_path: Path) -> None:
    result = _load(tmp_path, "stages: {}\n")
    assert [(d.rule, d.message) for d in result.diagnostics] == [
        ("E3004", "the deployment file is missing the required key 'api'")]
    result = _load(tmp_path, "api:\n  spec: openapi.yaml\n")
    assert _found(result.diagnostics) == [("E3004", 1, 1)]


def test_http_api_type_says_later(tmp_path: Path) -> None:
    result = _load(tmp_path, MINIMAL + "  type: HTTP\n")
    assert _found(result.diagnostics) == [("E3003", 4, 3)]
    assert "only REST APIs are supported for now" in result.diagnostics[0].message
    assert "later release" in result.diagnostics[0].message


def test_enum_suggests_the_right_case(tmp_path: Path) -> None:
    result = _load(tmp_path, MINIMAL + "  endpoint_type: regional\n")
    assert result.diagnostics[0].hint == "did you mean `REGIONAL`?"


@pytest.mark.parametrize(("extra", "where", "words"), [
    ("stages:\n  'pro d': {}\n", (5, 3), "stage name 'pro d'"),
    ("stages:\n  " + "s" * 129 + ": {}\n", (5, 3), "over the limit of 128"),
    ("stages:\n  p:\n    variables: {bad-name: x}\n", (6, 17), "stage variable name"),
    ("stages:\n  p:\n    variables: {ok: 'has space'}\n", (6, 17), "not allowed"),
    ("  tags: {'aws:owner': x}\n", (4, 10), "aws: prefix is reserved"),
    ("  tags: {'apigwctl:api': x}\n", (4, 10), "apigwctl: prefix is reserved"),
    ("target: {kind: aws, endpoint_url: 'localhost:4566'}\n", (4, 21), "http:// or https://"),
    ("target: {kind: emulator, endpoint_url: 'http://h:1'}\n", (4, 26), "aws target"),
    ("  tags: {k: '" + "v" * 257 + "'}\n", (4, 10), "over the limit of 256"),
    ("target: {region: Europe}\n", (4, 10), "region name"),
])
def test_invalid_names_and_values(tmp_path: Path, extra: str, where: tuple[int, int],
                                  words: str) -> None:
    result = _load(tmp_path, MINIMAL + extra)
    assert [(d.rule, d.line, d.col) for d in result.diagnostics] == [("E3003", *where)]
    assert words in result.diagnostics[0].message


def test_at_most_100_stage_variables(tmp_path: Path) -> None:
    variables = ", ".join(f"v{i}: x" for i in range(101))
    result = _load(tmp_path, MINIMAL + f"stages:\n  p:\n    variables: {{{variables}}}\n")
    assert [d.rule for d in result.diagnostics] == ["E3003"]
    assert "101 entries, over the limit of 100" in result.diagnostics[0].message


# -- interpolation ----------------------------------------------------------------------------

def test_env_interpolation_set(tmp_path: Path) -> None:
    text = MINIMAL + "  description: by ${env:TEAM} for ${env:TEAM}\nstages:\n  p:\n" \
        "    variables: {backendHost: '${env:HOST}'}\n"
    config = _load(tmp_path, text, env={"TEAM": "pay", "HOST": "api.example.com"}).config
    assert config is not None
    assert config.api.description == "by pay for pay"
    stage = config.stage("p")
    assert stage is not None and stage.variables["backendHost"] == "api.example.com"


def test_env_interpolation_unset_names_the_variable_at_its_value(tmp_path: Path) -> None:
    text = MINIMAL + "stages:\n  p:\n    variables:\n      backendHost: ${env:BACKEND_HOST}\n"
    result = _load(tmp_path, text)
    # one finding: the unresolved text is not also reported as a bad variable value
    assert _found(result.diagnostics) == [("E3010", 7, 7)]
    diag = result.diagnostics[0]
    assert "BACKEND_HOST is not set" in diag.message and diag.severity is Severity.ERROR
    assert diag.hint is not None and "export BACKEND_HOST" in diag.hint
    assert result.config is None


def test_escaped_interpolation_is_literal(tmp_path: Path) -> None:
    config = _load(tmp_path, MINIMAL + "  description: 'use $${env:X} and $${x}'\n").config
    assert config is not None and config.api.description == "use ${env:X} and ${x}"


@pytest.mark.parametrize(("value", "words"), [
    ("${file:keys.csv}", "only allowed in an API key's value"),
    ("${ssm:/param}", "unsupported interpolation `${ssm:...}`"),
    ("${HOME}", "unsupported interpolation `${HOME}`"),
    ("${env:1BAD}", "not an environment variable name"),
    ("${env:X", "unterminated"),
])
def test_other_interpolations_are_errors(tmp_path: Path, value: str, words: str) -> None:
    result = _load(tmp_path, MINIMAL + f"  description: '{value}'\n", env={"X": "1"})
    assert _found(result.diagnostics) == [("E3011", 4, 3)]
    assert words in result.diagnostics[0].message


def test_keys_are_not_interpolated(tmp_path: Path) -> None:
    result = _load(tmp_path, MINIMAL + "  tags: {'${env:X}': v}\n", env={"X": "k"})
    assert [d.rule for d in result.diagnostics] == ["E3003"]


# -- target precedence ------------------------------------------------------------------------

@pytest.mark.parametrize(("flag", "env", "in_file", "expected"), [
    ("aws", "emulator", "emulator", (TargetKind.AWS, TargetSource.FLAG)),
    (None, "aws", "emulator", (TargetKind.AWS, TargetSource.ENV)),
    (None, "", "aws", (TargetKind.AWS, TargetSource.FILE)),
    (None, "EMULATOR", "aws", (TargetKind.EMULATOR, TargetSource.ENV)),
    ("emulator", "aws", "aws", (TargetKind.EMULATOR, TargetSource.FLAG)),
    (None, "", None, (TargetKind.EMULATOR, TargetSource.DEFAULT)),
])
def test_target_precedence(tmp_path: Path, flag: str | None, env: str, in_file: str | None,
                           expected: tuple[TargetKind, TargetSource]) -> None:
    text = MINIMAL + (f"target: {{kind: {in_file}}}\n" if in_file else "")
    config = _load(tmp_path, text, env={"APIGWCTL_TARGET": env}, target=flag).config
    assert config is not None
    assert (config.target.kind, config.target.source) == expected


def test_endpoint_url_alone_means_an_aws_compatible_endpoint(tmp_path: Path) -> None:
    config = _load(tmp_path, MINIMAL + "target: {endpoint_url: 'http://127.0.0.1:4566'}\n",
                   ).config
    assert config is not None
    assert (config.target.kind, config.target.source) == (TargetKind.AWS, TargetSource.FILE)
    assert config.target.endpoint_url == "http://127.0.0.1:4566"


def test_bad_target_env_is_a_finding(tmp_path: Path) -> None:
    result = _load(tmp_path, MINIMAL, env={"APIGWCTL_TARGET": "localstack"})
    assert [d.rule for d in result.diagnostics] == ["E3003"]
    assert "APIGWCTL_TARGET='localstack'" in result.diagnostics[0].message


# -- stage-variable cross-check ----------------------------------------------------------------

def test_undefined_stage_variable_names_both_places(tmp_path: Path) -> None:
    text = MINIMAL + "stages:\n  prod:\n    description: no variables\n"
    report = check_deployment(_write(tmp_path, text), env={})
    found = [d for d in report.config.diagnostics if d.rule == "W3021"]
    spec = str(tmp_path / "openapi.yaml")
    config = str(tmp_path / "apigwctl.yaml")
    assert [(d.severity, d.line, d.col, d.message) for d in found] == [
        (Severity.WARNING, 5, 3, f"stage variable 'backendHost' ({spec}:11:9) is not defined "
         f"in stage 'prod' ({config}:5:3)")]
    assert report.spec is not None and report.spec.diagnostics == ()


def test_defined_but_unreferenced_variable_is_info(tmp_path: Path) -> None:
    text = MINIMAL + "stages:\n  prod:\n    variables: {backendHost: h, backendHots: h}\n"
    report = check_deployment(_write(tmp_path, text), env={})
    assert [(d.rule, d.severity, d.line, d.col) for d in report.diagnostics] == [
        ("I3022", Severity.INFO, 6, 33)]


def test_variable_read_without_placeholder_counts_as_referenced(tmp_path: Path) -> None:
    spec = SPEC + "        requestParameters:\n" \
        "          integration.request.header.x-alias: stageVariables.alias\n"
    path = _write(tmp_path, MINIMAL + "stages:\n  p:\n    variables: {backendHost: h, alias: a}\n")
    (tmp_path / "openapi.yaml").write_text(spec, encoding="utf-8")
    assert check_deployment(path, env={}).diagnostics == ()


def test_all_defined_means_no_finding(tmp_path: Path) -> None:
    text = MINIMAL + "stages:\n  a:\n    variables: {backendHost: x}\n" \
        "  b:\n    variables: {backendHost: y}\n"
    assert check_deployment(_write(tmp_path, text), env={}).diagnostics == ()


def test_no_cross_check_when_the_file_has_errors(tmp_path: Path) -> None:
    report = check_deployment(_write(tmp_path, MINIMAL + "stages:\n  p: {oops: 1}\n"), env={})
    assert report.spec is None and [d.rule for d in report.diagnostics] == ["E3001"]


# -- the JSON Schema --------------------------------------------------------------------------

def _properties(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{path}.{name}", sub
            yield from _properties(sub, f"{path}.{name}")
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            yield f"{path}.*", extra
            yield from _properties(extra, f"{path}.*")


def test_schema_is_documented_draft_2020_12(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                             ) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["schema"])
    assert exc.value.code in (0, None)
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"] and schema["additionalProperties"] is False
    jsonschema_rs.meta.validate(schema)
    undocumented = [p for p, sub in _properties(schema) if not sub.get("description")]
    assert undocumented == []
    api = schema["properties"]["api"]["properties"]
    assert api["endpoint_type"]["default"] == "REGIONAL"
    assert "slower" in api["endpoint_type"]["description"]


# -- examples and the CLI -------------------------------------------------------------------

@pytest.mark.parametrize("example", ["petstore", "petstore-swagger2"])
def test_example_deployment_files_are_clean(example: str) -> None:
    report = check_deployment(SPECS / example / "apigwctl.yaml", env={})
    assert report.config.config is not None and report.spec is not None
    bad = [f"{d.file}:{d.line}:{d.col} {d.rule} {d.message}" for d in report.diagnostics
           if d.severity in (Severity.ERROR, Severity.WARNING)]
    assert bad == []


def test_petstore_deployment_defines_what_the_spec_uses() -> None:
    config = check_deployment(SPECS / "petstore" / "apigwctl.yaml", env={}).config.config
    assert config is not None and {s.name for s in config.stages} == {"dev", "prod"}
    for stage in config.stages:
        assert set(stage.variables) == {"backendHost", "lambdaAlias"}


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> Any:
    monkeypatch.setenv("APIGWCTL_NO_CACHE", "1")
    monkeypatch.delenv("APIGWCTL_TARGET", raising=False)
    monkeypatch.chdir(tmp_path)

    def _run(*args: str) -> tuple[int, str, str]:
        with pytest.raises(SystemExit) as exc:
            main(list(args))
        out, err = capsys.readouterr()
        return int(exc.value.code or 0), out, err

    return _run


def test_validate_dash_c_on_the_example(cli: Any) -> None:
    code, out, _ = cli("--no-color", "validate", "-c", str(SPECS / "petstore" / "apigwctl.yaml"))
    assert code == 0
    assert "apigwctl.yaml: ok" in out and "openapi.yaml: ok" in out


def test_validate_without_files_uses_local_apigwctl_yaml(cli: Any, tmp_path: Path) -> None:
    _write(tmp_path, MINIMAL + "stages:\n  prod: {}\n")
    code, out, _ = cli("--no-color", "validate")
    assert code == 0  # a warning only
    assert "W3021" in out and "backendHost" in out


def test_validate_without_files_or_config_is_a_usage_error(cli: Any) -> None:
    code, _, err = cli("validate")
    assert code == 64 and "apigwctl.yaml" in err


def test_validate_config_errors_in_json_and_sarif(cli: Any, tmp_path: Path) -> None:
    _write(tmp_path, MINIMAL + "  modee: merge\n")
    code, out, _ = cli("validate", "-c", "apigwctl.yaml", "--format", "json")
    assert code == 1
    assert '"E3001"' in out and '"line": 4' in out
    code, out, _ = cli("validate", "-c", "apigwctl.yaml", "--format", "sarif")
    assert code == 1
    results = json.loads(out)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["E3001"]


def test_validate_files_still_work_next_to_a_config(cli: Any, tmp_path: Path) -> None:
    _write(tmp_path, "api: {}\n")  # broken, but not asked for
    code, out, _ = cli("--no-color", "validate", "openapi.yaml")
    assert code == 0 and "E3004" not in out


def test_canary_policy_is_read_and_its_percent_checked(tmp_path: Path) -> None:
    text = MINIMAL + ("stages:\n  prod:\n    canary: {percent: 10, variables: {color: green},"
                      " use_stage_cache: true}\n")
    config = _load(tmp_path, text).config
    assert config is not None and config.stages[0].canary is not None
    canary = config.stages[0].canary
    assert (canary.percent, dict(canary.variables), canary.use_stage_cache) == (
        10.0, {"color": "green"}, True)
    bad = _load(tmp_path, MINIMAL + "stages:\n  prod:\n    canary: {percent: 150}\n")
    assert [(d.rule, d.line) for d in bad.diagnostics] == [("E3003", 6)]
    assert "150" in bad.diagnostics[0].message
