"""The deployment file's stage settings, usage plans and API keys: model, schema ranges at
line:col, ``${file:PATH}``, the cross-checks (E3030-E3036, W3031), and that a key's value
never appears in a finding or a repr."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from apigwctl.cli import main
from apigwctl.config import ConfigResult, check_deployment, load_config
from apigwctl.config.model import ThrottleConfig
from apigwctl.diagnostics import Diagnostic, Severity
from apigwctl.secrets import Secret

SPEC = """\
openapi: "3.0.3"
info: {title: t, version: "1"}
paths:
  /:
    get:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration: {type: mock}
  /pets:
    get:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration: {type: mock}
  /pets/{petId}:
    get:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration: {type: mock}
  /any:
    x-amazon-apigateway-any-method:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration: {type: mock}
"""
HEAD = "api:\n  name: petstore\n  spec: openapi.yaml\n"
ACME = "Zk3u9QpL0aXr7WmT2cVb8YsN"
BOLT = "Hf6Gd2Ks9Lp4Mn7Qw1Er5Ty8"
FULL = HEAD + """\
stages:
  prod:
    description: Production
    method_settings:
      "*/*":
        throttling: {rate_limit: 100, burst_limit: 200}
        logging: {level: INFO, data_trace: false}
        metrics: true
        caching: {enabled: true, ttl: 300, encrypted: false, require_authorization: true,
                  unauthorized_strategy: FAIL_WITH_403}
      "/pets/{petId}/GET":
        caching: {enabled: true, ttl: 600}
    cache_cluster: {enabled: true, size: 118}
    tracing: true
    access_log: {destination_arn: "arn:aws:logs:us-east-1:123456789012:log-group:x",
                 format: '{"requestId":"$context.requestId"}'}
    client_certificate_id: abc123
    tags: {env: prod}
  dev: {}
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
    stages: {dev: {}}
api_keys:
  partner-acme:
    description: ACME
    enabled: false
    customer_id: acme
    value: ${env:ACME_KEY}
    usage_plans: [gold, trial]
    tags: {owner: acme}
  partner-bolt:
    value: ${file:keys/bolt.txt}
  generated: {}
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "openapi.yaml").write_text(SPEC, encoding="utf-8")
    path = tmp_path / "apigwctl.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None) -> ConfigResult:
    return load_config(_write(tmp_path, text), env=env or {})


def _found(diags: tuple[Diagnostic, ...]) -> list[tuple[str, int, int]]:
    return [(d.rule, d.line, d.col) for d in diags]


def _no_secret(diags: tuple[Diagnostic, ...], *secrets: str) -> None:
    for d in diags:
        for secret in secrets:
            assert secret not in f"{d.message} {d.hint}", d


def _bolt_file(tmp_path: Path, text: str = BOLT + "\n") -> None:
    (tmp_path / "keys").mkdir(exist_ok=True)
    (tmp_path / "keys" / "bolt.txt").write_text(text, encoding="utf-8")


# -- the model --------------------------------------------------------------------------------

def test_every_stage_plan_and_key_field_is_read(tmp_path: Path) -> None:
    _bolt_file(tmp_path)
    result = _load(tmp_path, FULL, env={"ACME_KEY": ACME})
    assert result.diagnostics == ()
    config = result.config
    assert config is not None
    prod = config.stage("prod")
    assert prod is not None
    all_methods, get_pet = prod.method_settings
    assert (all_methods.key, all_methods.throttling_rate_limit,
            all_methods.throttling_burst_limit) == ("*/*", 100.0, 200)
    assert (all_methods.logging_level, all_methods.data_trace_enabled,
            all_methods.metrics_enabled) == ("INFO", False, True)
    assert (all_methods.caching_enabled, all_methods.cache_ttl_in_seconds,
            all_methods.cache_data_encrypted, all_methods.require_authorization_for_cache_control,
            all_methods.unauthorized_cache_control_header_strategy) == (
        True, 300, False, True, "FAIL_WITH_403")
    assert (get_pet.key, get_pet.caching_enabled, get_pet.cache_ttl_in_seconds) == (
        "/pets/{petId}/GET", True, 600)
    assert get_pet.throttling_rate_limit is None and get_pet.logging_level is None
    assert (prod.cache_cluster_enabled, prod.cache_cluster_size, prod.tracing_enabled) == (
        True, "118", True)
    assert prod.access_log_destination_arn == "arn:aws:logs:us-east-1:123456789012:log-group:x"
    assert prod.access_log_format == '{"requestId":"$context.requestId"}'
    assert (prod.client_certificate_id, dict(prod.tags)) == ("abc123", {"env": "prod"})
    gold = config.usage_plan("gold")
    assert gold is not None
    assert (gold.description, gold.throttle) == ("Paying partners", ThrottleConfig(100.0, 200))
    assert (gold.quota_limit, gold.quota_period, gold.quota_offset) == (100000, "MONTH", 3)
    assert [(s.stage, dict(s.throttle)) for s in gold.stages] == [
        ("prod", {"/pets/GET": ThrottleConfig(10.0, 20)})]
    assert dict(gold.tags) == {"tier": "gold"}
    acme = config.api_key("partner-acme")
    assert acme is not None
    assert (acme.description, acme.enabled, acme.customer_id, acme.usage_plans,
            dict(acme.tags)) == ("ACME", False, "acme", ("gold", "trial"), {"owner": "acme"})
    assert acme.value == Secret(ACME)
    bolt = config.api_key("partner-bolt")
    assert bolt is not None and bolt.value is not None and bolt.value.reveal() == BOLT


def test_defaults_of_the_new_sections(tmp_path: Path) -> None:
    _bolt_file(tmp_path)
    config = _load(tmp_path, FULL, env={"ACME_KEY": ACME}).config
    assert config is not None
    dev = config.stage("dev")
    assert dev is not None
    assert (dev.method_settings, dev.cache_cluster_enabled, dev.cache_cluster_size,
            dev.tracing_enabled, dev.access_log_destination_arn, dev.access_log_format,
            dev.client_certificate_id, dict(dev.tags)) == ((), False, None, False, None, None,
                                                          None, {})
    trial = config.usage_plan("trial")
    assert trial is not None
    assert (trial.throttle, trial.quota_limit, trial.quota_period, trial.quota_offset) == (
        None, None, None, 0)
    generated = config.api_key("generated")
    assert generated is not None
    assert (generated.enabled, generated.value, generated.usage_plans) == (True, None, ())
    assert config.usage_plan("nope") is None and config.api_key("nope") is None


def test_the_config_never_shows_a_key_value(tmp_path: Path) -> None:
    _bolt_file(tmp_path)
    config = _load(tmp_path, FULL, env={"ACME_KEY": ACME}).config
    assert config is not None
    for text in (repr(config), str(config), f"{config.api_keys}"):
        assert ACME not in text and BOLT not in text
        assert "(sensitive)" in text


# -- schema ranges, at line:col ---------------------------------------------------------------

@pytest.mark.parametrize(("extra", "rule", "where", "words"), [
    ("stages:\n  p:\n    method_settings:\n      '*/*': {caching: {ttl: 3601}}\n",
     "E3003", (7, 25), "over the maximum of 3600"),
    ("stages:\n  p:\n    method_settings:\n      '*/*': {logging: {level: DEBUG}}\n",
     "E3003", (7, 25), "must be one of OFF, ERROR, INFO"),
    ("stages:\n  p:\n    method_settings:\n      '*/*': {throttling: {rate_limit: -1}}\n",
     "E3003", (7, 28), "under the minimum of 0"),
    ("stages:\n  p:\n    method_settings:\n      '*/*': {throttling: {burst_limit: 1.5}}\n",
     "E3002", (7, 28), "must be an integer"),
    ("stages:\n  p:\n    method_settings:\n"
     "      '*/*': {caching: {unauthorized_strategy: FAIL}}\n", "E3003", (7, 25), "FAIL_WITH_403"),
    ("stages:\n  p:\n    cache_cluster: {enabled: true, size: 1.0}\n",
     "E3003", (6, 36), "0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237"),
    ("stages:\n  p:\n    cache_cluster: {size: 0.5}\n", "E3004", (6, 5), "'enabled'"),
    ("stages:\n  p:\n    access_log: {destination_arn: 'arn:aws:s3:::b', format: "
     "'$context.requestId'}\n", "E3003", (6, 18), "not the ARN of a CloudWatch Logs log group"),
    ("stages:\n  p:\n    access_log: {destination_arn: "
     "'arn:aws:logs:us-east-1:123456789012:log-group:x', format: '$context.status'}\n",
     "E3003", (6, 86), "does not include $context.requestId"),
    ("usage_plans:\n  g:\n    quota: {limit: 10, period: YEAR}\n",
     "E3003", (6, 24), "DAY, WEEK, MONTH"),
    ("usage_plans:\n  g:\n    quota: {limit: 10, period: WEEK, offset: 7}\n",
     "E3003", (6, 38), "over the maximum of 6 for this quota period"),
    ("usage_plans:\n  g:\n    quota: {limit: 10, period: DAY, offset: 1}\n",
     "E3003", (6, 37), "over the maximum of 0"),
    ("usage_plans:\n  g:\n    quota: {period: DAY}\n", "E3004", (6, 5), "'limit'"),
    ("usage_plans:\n  g:\n    throttle: {rate_limit: 10}\n", "E3004", (6, 5), "'burst_limit'"),
    ("usage_plans:\n  g:\n    tags: {'apigwctl:api': x}\n", "E3003", (6, 12), "reserved"),
    ("api_keys:\n  k:\n    usage_plans: [a, a]\n", "E3003", (6, 5), "more than once"),
])
def test_out_of_range_values_are_findings(tmp_path: Path, extra: str, rule: str,
                                          where: tuple[int, int], words: str) -> None:
    result = _load(tmp_path, HEAD + extra)
    assert result.config is None
    assert _found(result.diagnostics)[:1] == [(rule, *where)], result.diagnostics
    assert words in result.diagnostics[0].message


def test_more_than_20_method_throttles_in_a_plan_stage(tmp_path: Path) -> None:
    throttles = ", ".join(f"'/p{i}/GET': {{rate_limit: 1, burst_limit: 1}}" for i in range(21))
    result = _load(tmp_path, HEAD + "stages: {prod: {}}\nusage_plans:\n  g:\n    stages:\n"
                   f"      prod:\n        throttle: {{{throttles}}}\n")
    assert [d.rule for d in result.diagnostics] == ["E3003"]
    assert "21 entries, over the limit of 20" in result.diagnostics[0].message


def test_a_key_value_of_the_wrong_type_is_not_shown(tmp_path: Path) -> None:
    result = _load(tmp_path, HEAD + "api_keys:\n  k:\n    value: 123456789012345678901234\n")
    assert _found(result.diagnostics) == [("E3002", 6, 5)]
    assert result.diagnostics[0].message == "`api_keys.k.value` must be a string, not an integer"
    _no_secret(result.diagnostics, "123456789012345678901234")


# -- ${file:PATH} -----------------------------------------------------------------------------

def _key_file(tmp_path: Path, name: str, data: bytes) -> ConfigResult:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return _load(tmp_path, HEAD + f"api_keys:\n  k:\n    value: ${{file:{name}}}\n")


@pytest.mark.parametrize(("data", "value"), [
    (ACME.encode() + b"\n", ACME),
    (ACME.encode() + b"\r\n", ACME),
    (ACME.encode(), ACME),
    (ACME.encode() + b"\n\n", ACME + "\n"),  # one newline only: the rest is the value's
])
def test_file_value_drops_one_trailing_newline(tmp_path: Path, data: bytes, value: str) -> None:
    result = _key_file(tmp_path, "keys/k.txt", data)
    config = result.config
    if value.endswith("\n"):  # a newline inside the value is then an E3034
        assert [d.rule for d in result.diagnostics] == ["E3034"]
        return
    assert config is not None and result.diagnostics == ()
    key = config.api_key("k")
    assert key is not None and key.value is not None and key.value.reveal() == value


def test_file_value_relative_to_the_deployment_file_not_the_cwd(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    result = _key_file(tmp_path, "k.txt", ACME.encode())
    assert result.config is not None and result.diagnostics == ()


@pytest.mark.parametrize(("name", "words"), [
    ("missing.txt", "no such file"),
    ("/etc/hostname", "an absolute path is not allowed"),
    ("../outside.txt", "`..` is not allowed"),
    ("keys/../../outside.txt", "`..` is not allowed"),
    ("", "no file named"),
])
def test_file_value_outside_or_missing(tmp_path: Path, name: str, words: str) -> None:
    (tmp_path.parent / "outside.txt").write_text(ACME)
    result = _load(tmp_path, HEAD + f"api_keys:\n  k:\n    value: '${{file:{name}}}'\n")
    assert _found(result.diagnostics) == [("E3012", 6, 5)]
    assert words in result.diagnostics[0].message and result.config is None
    _no_secret(result.diagnostics, ACME)


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_file_value_through_a_symlink_out_of_the_folder(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "secret.txt").write_text(ACME)
    (project / "k.txt").symlink_to(tmp_path / "secret.txt")
    result = _load(project, HEAD + "api_keys:\n  k:\n    value: ${file:k.txt}\n")
    assert [d.rule for d in result.diagnostics] == ["E3012"]
    assert "leads out of the deployment file's folder" in result.diagnostics[0].message
    _no_secret(result.diagnostics, ACME)


@pytest.mark.parametrize(("data", "words"), [
    (b"\xff\xfe" + ACME.encode(), "not UTF-8"),
    (b"x" * 5000, "over 4096 bytes"),
])
def test_file_value_that_is_not_a_key(tmp_path: Path, data: bytes, words: str) -> None:
    result = _key_file(tmp_path, "k.txt", data)
    assert [d.rule for d in result.diagnostics] == ["E3012"]
    assert words in result.diagnostics[0].message


def test_file_value_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    result = _load(tmp_path, HEAD + "api_keys:\n  k:\n    value: ${file:keys}\n")
    assert [d.rule for d in result.diagnostics] == ["E3012"]
    assert "cannot be read" in result.diagnostics[0].message


@pytest.mark.parametrize("where", [
    "  description: ${file:k.txt}\n",
    "api_keys:\n  k:\n    description: ${file:k.txt}\n",
    "stages:\n  p:\n    variables: {v: '${file:k.txt}'}\n",
])
def test_file_interpolation_only_in_key_values(tmp_path: Path, where: str) -> None:
    (tmp_path / "k.txt").write_text(ACME)
    result = _load(tmp_path, HEAD + where)
    assert [d.rule for d in result.diagnostics] == ["E3011"]
    assert "only allowed in an API key's value" in result.diagnostics[0].message


def test_env_value_for_a_key(tmp_path: Path) -> None:
    result = _load(tmp_path, HEAD + "api_keys:\n  k:\n    value: ${env:K}\n", env={"K": ACME})
    assert result.config is not None
    key = result.config.api_key("k")
    assert key is not None and key.value == Secret(ACME)


# -- cross-checks ---------------------------------------------------------------------------

def _check(tmp_path: Path, text: str, env: dict[str, str] | None = None
           ) -> tuple[Diagnostic, ...]:
    return check_deployment(_write(tmp_path, text), env=env or {}).diagnostics


@pytest.mark.parametrize(("key", "words"), [
    ("/pets/get", "upper case: `/pets/GET`"),
    ("pets/GET", "write `/path/METHOD`"),
    ("/GET", "the root's GET is `//GET`"),
    ("~1pets/GET", "write `/path/METHOD`"),
    ("/pets//GET", "write `/path/METHOD`"),
    ("/pets/FETCH", "'FETCH' is not one method"),
    ("/pets/*", "'*' is not one method: use one of DELETE, GET"),
    ("/pets/ANY", "(`*/*` covers every method)"),
])
def test_malformed_method_setting_keys(tmp_path: Path, key: str, words: str) -> None:
    diags = _check(tmp_path, HEAD + f"stages:\n  p:\n    method_settings:\n"
                   f"      '{key}': {{metrics: true}}\n")
    assert _found(diags) == [("E3030", 7, 7)]
    assert diags[0].message == f"method key {key!r} is malformed"
    assert diags[0].hint is not None and words in diags[0].hint


@pytest.mark.parametrize(("key", "words"), [
    ("*/*", "`*/*` is not allowed here"),
    ("/pets/*", "'*' is not one method"),
    ("/pets/ANY", "'ANY' is not one method"),
])
def test_plan_throttle_keys_name_one_route(tmp_path: Path, key: str, words: str) -> None:
    diags = _check(tmp_path, HEAD + "stages: {p: {}}\nusage_plans:\n  g:\n    stages:\n"
                   f"      p:\n        throttle: {{'{key}': {{rate_limit: 1, burst_limit: 1}}}}\n")
    assert [d.rule for d in diags] == ["E3030"]
    assert diags[0].hint is not None and words in diags[0].hint


def test_method_keys_must_be_routes_of_the_spec(tmp_path: Path) -> None:
    diags = _check(tmp_path, HEAD + "stages:\n  p:\n    method_settings:\n"
                   "      '*/*': {metrics: true}\n"
                   "      '//GET': {metrics: true}\n"
                   "      '/any/DELETE': {metrics: true}\n"
                   "      '/pets/{id}/GET': {metrics: true}\n"
                   "      '/pets/POST': {metrics: true}\n"
                   "      '/cats/GET': {metrics: true}\n"
                   "usage_plans:\n  g:\n    stages:\n      p:\n        throttle:\n"
                   "          '/pets/{petId}/GET': {rate_limit: 1, burst_limit: 1}\n"
                   "          '/pets/{petId}/PUT': {rate_limit: 1, burst_limit: 1}\n")
    diags = tuple(d for d in diags if d.rule.startswith("E30"))  # not the spec's own
    assert _found(diags) == [("E3030", 10, 7), ("E3030", 11, 7), ("E3030", 12, 7),
                             ("E3030", 19, 11)]
    assert "'/pets/{id}/GET' is not a route of" in diags[0].message
    assert diags[0].hint == "did you mean `/pets/{petId}/GET`?"


def test_caching_without_a_cache_cluster_is_a_warning(tmp_path: Path) -> None:
    text = HEAD + "stages:\n  p:\n    method_settings:\n      '*/*': {caching: {enabled: true}}\n"
    result = _load(tmp_path, text)
    assert _found(result.diagnostics) == [("W3031", 7, 25)]
    assert result.diagnostics[0].severity is Severity.WARNING
    assert result.config is not None  # a warning does not stop the plan
    clean = _load(tmp_path, text + "    cache_cluster: {enabled: true}\n")
    assert clean.diagnostics == ()


def test_plan_stage_and_key_plan_must_be_defined(tmp_path: Path) -> None:
    result = _load(tmp_path, HEAD + "stages: {prod: {}}\nusage_plans:\n  gold:\n"
                   "    stages: {prd: {}}\napi_keys:\n  k:\n    usage_plans: [gold, glod, x]\n")
    assert _found(result.diagnostics) == [("E3032", 7, 14), ("E3033", 10, 25),
                                          ("E3033", 10, 31)]
    messages = [d.message for d in result.diagnostics]
    assert "usage plan 'gold' names stage 'prd'" in messages[0]
    assert result.diagnostics[0].hint == "did you mean `prod`?"
    assert result.diagnostics[1].hint == "did you mean `gold`?"
    assert result.diagnostics[2].hint == "define 'x' under `usage_plans` (defined: gold)"
    assert result.config is None


@pytest.mark.parametrize(("value", "words"), [
    ("a" * 19, "shorter than 20 characters"),
    ("a" * 129, "longer than 128 characters"),
    ("abcdefghij klmnopqrstu", "a space, a control or a non-ASCII character"),
    ("abcdefghijklmnopqrstué", "a space, a control or a non-ASCII character"),
])
def test_key_value_length_and_characters_never_shown(tmp_path: Path, value: str,
                                                     words: str) -> None:
    result = _load(tmp_path, HEAD + "api_keys:\n  acme:\n    value: ${env:V}\n",
                   env={"V": value})
    assert _found(result.diagnostics) == [("E3034", 6, 5)]
    assert result.diagnostics[0].message.startswith("the value of API key 'acme' ")
    assert words in result.diagnostics[0].message
    assert str(len(value)) not in result.diagnostics[0].message
    _no_secret(result.diagnostics, value)


def test_twenty_and_128_characters_are_fine(tmp_path: Path) -> None:
    result = _load(tmp_path, HEAD + "api_keys:\n  a: {value: '${env:A}'}\n"
                   "  b: {value: '${env:B}'}\n", env={"A": "a" * 20, "B": "b" * 128})
    assert result.diagnostics == ()


def test_same_value_twice_names_the_keys_only(tmp_path: Path) -> None:
    result = _load(tmp_path, HEAD + "api_keys:\n  a: {value: '${env:V}'}\n"
                   "  b: {value: '${env:V}'}\n  c: {value: '${env:V}'}\n  d: {value: '${env:W}'}\n",
                   env={"V": ACME, "W": BOLT})
    assert _found(result.diagnostics) == [("E3035", 6, 7), ("E3035", 7, 7)]
    assert result.diagnostics[0].message == (
        "API key 'b' has the same value as API key 'a': AWS would treat them as one key")
    assert "API key 'c' has the same value as API key 'a'" in result.diagnostics[1].message
    _no_secret(result.diagnostics, ACME, BOLT)


def test_key_in_two_plans_of_one_stage(tmp_path: Path) -> None:
    result = _load(tmp_path, HEAD + "stages: {prod: {}, dev: {}}\nusage_plans:\n"
                   "  gold: {stages: {prod: {}, dev: {}}}\n  silver: {stages: {prod: {}}}\n"
                   "  trial: {stages: {dev: {}}}\n"
                   "api_keys:\n  a: {usage_plans: [gold, silver]}\n"
                   "  b: {usage_plans: [silver, trial]}\n")
    assert [(d.rule, d.message) for d in result.diagnostics] == [
        ("E3036", "API key 'a' is in usage plans 'gold' and 'silver', which both serve stage "
                  "'prod'")]


# -- through the CLI: no value in any output format -------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_validate_output_never_has_a_key_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str],
                                               fmt: str) -> None:
    short, dup = "tooShortValue1", "Dup1icateValue-1234567890"
    monkeypatch.setenv("APIGWCTL_NO_CACHE", "1")
    monkeypatch.setenv("SHORT", short)
    monkeypatch.setenv("DUP", dup)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "dup.txt").write_text(dup + "\n")
    _write(tmp_path, HEAD + "api_keys:\n  a: {value: '${env:SHORT}'}\n"
           "  b: {value: '${env:DUP}'}\n  c: {value: '${file:keys/dup.txt}'}\n")
    with pytest.raises(SystemExit) as exc:
        main(["--no-color", "validate", "-c", "apigwctl.yaml", "--format", fmt])
    out, err = capsys.readouterr()
    assert exc.value.code == 1
    assert "E3034" in out and "E3035" in out
    for secret in (short, dup):
        assert secret not in out and secret not in err

