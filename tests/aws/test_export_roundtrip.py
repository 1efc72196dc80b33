"""Export round trip: an API made with plain boto3 -> read -> export -> compile == what was read.

For the petstore (with stages, method settings, cache, canary, access log, a usage plan and
API keys added by hand) and every standalone REST document of the corpus (the selection of
``test_import_convergence``), the API is created with plain boto3 calls on the embedded
emulator (``import_rest_api``, ``create_deployment``/``create_stage``), not through apigwctl.
The reader reads it, :mod:`apigwctl.export` writes ``openapi.yaml`` + ``apigwctl.yaml``, and
those files, compiled as ``apigwctl plan`` compiles them (``cli.project._compile``), must give
exactly the state read, ownership tags aside (``adopt`` adds them): so adopting the export
would plan nothing but the tagging. Exporting twice gives the same bytes, and the files
validate without ERROR.

Reviewed exclusions, each checked exactly:

* REFUSED_AT_IMPORT (strict xfail): the import refuses the document, so there is no API.
* INHERITED (asserted, not xfailed): the round trip holds, but the exported spec carries the
  ERROR findings the source document already has (the live API is exactly as odd as the
  document: e.g. a `{param}` path whose method declares no path parameter).
* DIFFER (strict xfail): the exported file compiles to another state, at these addresses.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from apigwctl.aws.emulator.core import Emulator
from apigwctl.aws.emulator.server import serving
from apigwctl.aws.reader import read_api
from apigwctl.cli.app import main
from apigwctl.cli.project import _compile
from apigwctl.config.loader import check_deployment
from apigwctl.diagnostics import Severity
from apigwctl.export import key_env_name, render_export
from apigwctl.model import ApiState, Canary, GatewayState
from apigwctl.ownership import RESERVED_PREFIX, ownership_tags
from apigwctl.spec.loader import load_spec
from apigwctl.spec.validate import validate_path
from tests.aws.test_import_convergence import CORPUS, DOCUMENTS, ROOT
from tests.aws.test_import_convergence import REFUSED as REFUSED_AT_IMPORT

PETSTORE = ROOT / "specs" / "petstore" / "openapi.yaml"
SALT = b"export-roundtrip"
KEY_VALUES = {"partner-a": "a" * 30, "partner b": "b" * 30}

_UNDECLARED_PATH_PARAM = ("a method under a `{param}` path declares no path parameter, in the "
                          "source as live (E2604): OpenAPI cannot say it without adding one")
INHERITED: dict[str, tuple[frozenset[str], str]] = {
    "specs/serverless-samples/serverless-rest-api-python-terraform__openapi.tftpl.yaml":
        (frozenset({"E2604"}), _UNDECLARED_PATH_PARAM),
    "specs/localstack/openapi.spec.global-auth.json":
        (frozenset({"E2604"}), _UNDECLARED_PATH_PARAM),
    "specs/localstack/openapi.spec.pulumi.json":
        (frozenset({"E2604"}), _UNDECLARED_PATH_PARAM),
    "specs/localstack/swagger-mock-cors.json": (frozenset({"E2604"}), _UNDECLARED_PATH_PARAM),
    "specs/sam/integ-swagger1.json": (frozenset({"E2604"}), _UNDECLARED_PATH_PARAM),
    "specs/smithy/cognito-user-pools-security.openapi.json":
        (frozenset({"E2303"}), "the Cognito authorizer's provider ARN is `arn:foo:baz`, in the "
         "source as live"),
    "specs/aws-apigateway-importer/apigateway.json":
        (frozenset({"E2105"}), "an integration response maps a header the method response "
         "does not declare, in the source as live (the emulator imports it leniently)"),
    "specs/awsdocs-apigw-devguide/api-gateway-request-validation-sample-api-swagger__block0.json":
        (frozenset({"E2105"}), "an integration response maps a header of a method response "
         "that does not exist, in the source as live"),
    "specs/lambda-tools/microservice-api.INVALID-before-fix.json":
        (frozenset({"E2102"}), "an integration reads a method header parameter the method "
         "does not declare, in the source as live"),
}
DIFFER: dict[str, tuple[frozenset[str], str]] = {
    "specs/localstack/openapi.spec.pulumi.json": (
        frozenset({"authorizer:apiGateway:Auth0"}),
        "TOKEN authorizer Auth0 was imported with identitySource \"\" (live: none); a "
        "security scheme must name its header, and the compiler defaults a TOKEN authorizer's "
        "identitySource to it (the same disagreement as in test_import_convergence)"),
}


def _without_ownership(state: ApiState) -> ApiState:
    def own(tags: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        return tuple(t for t in tags if not t[0].startswith(RESERVED_PREFIX))

    return dataclasses.replace(
        state, api=dataclasses.replace(state.api, tags=own(state.api.tags)),
        usage_plans=tuple(dataclasses.replace(p, tags=own(p.tags)) for p in state.usage_plans))


def _errors(diagnostics: Any) -> set[str]:
    return {d.rule for d in diagnostics if d.severity is Severity.ERROR}


@dataclasses.dataclass(frozen=True)
class RoundTrip:
    live: ApiState
    desired: ApiState
    spec_errors: set[str]
    files: tuple[str, str]


def _round_trip(live: ApiState, folder: Path, fmt: str = "oas30") -> RoundTrip:
    """Export ``live`` to ``folder``, check determinism and the deployment file, compile."""
    spec_text, config_text = render_export(live, fmt)
    assert render_export(live, fmt) == (spec_text, config_text), "export is not deterministic"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "openapi.yaml").write_text(spec_text, encoding="utf-8")
    (folder / "apigwctl.yaml").write_text(config_text, encoding="utf-8")
    for value in KEY_VALUES.values():
        assert value not in config_text
    env = {key_env_name(name): value for name, value in KEY_VALUES.items()}
    report = check_deployment(folder / "apigwctl.yaml", env=env)
    assert not _errors(report.config.diagnostics), report.config.diagnostics
    config = report.config.config
    assert config is not None
    desired = _compile(config, load_spec(str(config.api.spec)).documents[0], SALT)
    spec_errors = _errors(validate_path(str(folder / "openapi.yaml")).diagnostics)
    return RoundTrip(_without_ownership(live), _without_ownership(desired), spec_errors,
                     (spec_text, config_text))


def _differing(trip: RoundTrip) -> set[str]:
    """The addresses whose objects differ between the live and the compiled state."""
    live = GatewayState((trip.live,)).to_dict()
    desired = GatewayState((trip.desired,)).to_dict()
    return {k for k in live.keys() | desired.keys() if live.get(k) != desired.get(k)}


# -- the petstore, with everything a deployment file can say ----------------------------------


def _make_petstore(client: Any) -> str:
    """The petstore as someone would build it by hand: import, stages, plan, keys, tags."""
    api = client.import_rest_api(body=PETSTORE.read_bytes(), failOnWarnings=True)
    api_id = api["id"]
    client.tag_resource(resourceArn=f"arn:aws:apigateway:us-east-1::/restapis/{api_id}",
                        tags={"team": "payments"})
    dep = client.create_deployment(restApiId=api_id)["id"]
    client.create_stage(restApiId=api_id, stageName="dev", deploymentId=dep,
                        description="Development",
                        variables={"backendHost": "dev.example.com", "lambdaAlias": "dev"})
    client.create_stage(restApiId=api_id, stageName="prod", deploymentId=dep,
                        variables={"backendHost": "example.com", "lambdaAlias": "live"},
                        tracingEnabled=True, tags={"env": "prod"})
    client.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "100"},
        {"op": "replace", "path": "/*/*/metrics/enabled", "value": "true"},
        {"op": "replace", "path": "/~1pets/GET/throttling/burstLimit", "value": "100"},
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
        {"op": "replace", "path": "/cacheClusterSize", "value": "1.6"},
        {"op": "replace", "path": "/accessLogSettings/destinationArn",
         "value": "arn:aws:logs:us-east-1:123456789012:log-group:api-access"},
        {"op": "replace", "path": "/accessLogSettings/format",
         "value": '{"requestId":"$context.requestId"}'},
    ])
    client.create_deployment(restApiId=api_id, stageName="prod", canarySettings={
        "percentTraffic": 10.0, "stageVariableOverrides": {"lambdaAlias": "canary"}})
    plan = client.create_usage_plan(
        name="standard", description="Partners", throttle={"rateLimit": 20, "burstLimit": 40},
        quota={"limit": 1000, "period": "MONTH"},
        apiStages=[{"apiId": api_id, "stage": "prod",
                    "throttle": {"/pets/GET": {"rateLimit": 10, "burstLimit": 20}}}],
        tags={**ownership_tags("petstore"), "tier": "standard"})
    for name, value in KEY_VALUES.items():
        key = client.create_api_key(name=name, value=value, enabled=name == "partner-a",
                                    description=f"key {name}")
        client.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    return str(api_id)


@pytest.mark.parametrize("fmt", ["oas30", "swagger2"])
def test_petstore_round_trip(fmt: str, tmp_path: Path) -> None:
    with Emulator(tmp_path / "state", write=True) as em:
        client = em.client("apigateway")
        _make_petstore(client)
        live = read_api(client, "petstore", salt=SALT, key_names=frozenset(KEY_VALUES))
    assert live is not None
    assert len(live.stages) == 2 and live.usage_plans and len(live.api_keys) == 2
    trip = _round_trip(live, tmp_path / "out", fmt)
    assert not trip.spec_errors
    assert trip.desired == trip.live, _differing(trip)
    canaries = {s.name: s.canary for s in trip.desired.stages}  # not compared by ==
    assert canaries == {"dev": None, "prod": Canary(10.0, (("lambdaAlias", "canary"),))}
    config_text = trip.files[1]
    assert "${env:APIGWCTL_KEY_PARTNER_A}" in config_text
    assert "# the live value is not exported" in config_text
    assert "apigwctl:" not in config_text.replace("`apigwctl", "")


# -- the corpus -----------------------------------------------------------------------------


def _import_by_hand(path: Path, state_dir: Path) -> ApiState:
    with Emulator(state_dir, write=True) as em:
        client = em.client("apigateway")
        api = client.import_rest_api(body=path.read_bytes(), failOnWarnings=False)
        try:
            dep = client.create_deployment(restApiId=api["id"])["id"]
            client.create_stage(restApiId=api["id"], stageName="prod", deploymentId=dep,
                                variables={"k": "v"})
        except ClientError:
            pass  # not deployable (no method, or no integration): an API without stages
        live = read_api(client, api["name"])
    assert live is not None
    return live


@pytest.mark.skipif(not DOCUMENTS, reason="shared corpus not found; set APIGWCTL_CORPUS")
@pytest.mark.parametrize("file", DOCUMENTS)
def test_corpus_document_round_trips(file: str, tmp_path: Path) -> None:
    if file in REFUSED_AT_IMPORT:
        with pytest.raises(ClientError, match="BadRequestException"):
            _import_by_hand(CORPUS / file, tmp_path / "state")
        pytest.xfail(f"refused at import: {REFUSED_AT_IMPORT[file]}")
    trip = _round_trip(_import_by_hand(CORPUS / file, tmp_path / "state"), tmp_path / "out")
    expected_errors, _ = INHERITED.get(file, (frozenset(), ""))
    assert trip.spec_errors == expected_errors
    if expected_errors:
        source = _errors(validate_path(str(CORPUS / file)).diagnostics)
        assert expected_errors <= source, "an exported finding the source does not have"
    if file in DIFFER:
        fields, reason = DIFFER[file]
        if trip.desired == trip.live:
            pytest.fail(f"{file} round-trips now: remove it from DIFFER")
        assert _differing(trip) == fields
        pytest.xfail(reason)
    assert trip.desired == trip.live, _differing(trip)


def test_counts() -> None:
    if not DOCUMENTS:
        pytest.skip("no corpus")
    assert set(INHERITED) | set(DIFFER) <= set(DOCUMENTS)
    assert not set(REFUSED_AT_IMPORT) & (set(INHERITED) | set(DIFFER))
    assert (len(DOCUMENTS), len(REFUSED_AT_IMPORT), len(DIFFER)) == (49, 14, 1)


# -- the command, over HTTP -----------------------------------------------------------------


def test_export_command_over_http(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.chdir(tmp_path)
    with serving(tmp_path / "served", port=0, save_every=3600) as url:
        client = boto3.session.Session(region_name="us-east-1").client(
            "apigateway", endpoint_url=url)
        api_id = _make_petstore(client)
        argv = ["export", "--api", api_id, "--endpoint-url", url, "--region", "us-east-1",
                "--stage", "prod", "-o", "out"]
        with pytest.raises(SystemExit) as first:
            main(argv)
        assert first.value.code == 0
        written = capsys.readouterr().out
        assert "wrote out/openapi.yaml" in written and "wrote out/apigwctl.yaml" in written
        spec_bytes = (tmp_path / "out" / "openapi.yaml").read_bytes()
        config_text = (tmp_path / "out" / "apigwctl.yaml").read_text()
        with pytest.raises(SystemExit) as refused:
            main(argv)
        assert refused.value.code == 1
        assert "already exist" in capsys.readouterr().err
        with pytest.raises(SystemExit) as forced:
            main([*argv, "--force"])
        assert forced.value.code == 0
    assert (tmp_path / "out" / "openapi.yaml").read_bytes() == spec_bytes
    assert "  prod:" in config_text and "  dev:" not in config_text
    assert "kind: aws" in config_text and "${env:APIGWCTL_KEY_PARTNER_A}" in config_text
    assert not _errors(validate_path(str(tmp_path / "out" / "openapi.yaml")).diagnostics)
