"""Convergence through the real pipeline: plan -> apply, then plan again finds nothing to do.

For the petstore and every standalone REST document of the corpus (the selection of
``test_import_convergence``), the library runs what ``apigwctl apply`` runs: compile the
desired state, read the live one, diff, plan, apply, all inside a writing emulator session.
Then a NEW read-only ``Emulator`` on the same state directory (it restores the snapshot and
journal as a fresh process does) plans again and must find no change, and a second writing
session (a repeated ``apply``) must plan no operation.

Documents that do not converge are listed with the reason and the exact failure expected, and
reported as xfails; one that starts converging, or fails differently, fails the test so the
list is kept true. The categories:

* refused at import/put: AWS refuses the document itself (the same list as the import test);
* refused because apply sends ``failOnWarnings=True``: the document imports with ``False``;
* imported but not deployable: ``create_deployment`` refuses it as AWS does, so the stage the
  plan creates cannot exist;
* DIFFER: applied, but the re-plan still finds a change (a disagreement between the compiler
  and the emulator's importer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

from apigwctl.apply import ApplyError, apply_plan
from apigwctl.aws.emulator.core import Emulator
from apigwctl.aws.reader import read_api
from apigwctl.compile import ApiSettings, StageSettings, compile_api
from apigwctl.model import ApiState
from apigwctl.plan.planner import Plan, PlanSettings, make_plan
from apigwctl.spec.loader import load_spec
from tests.aws.test_import_convergence import CORPUS, DOCUMENTS, ROOT
from tests.aws.test_import_convergence import REFUSED as REFUSED_AT_IMPORT

NAME = "convergence"
PETSTORE = ROOT / "specs" / "petstore" / "openapi.yaml"

REFUSED_ON_WARNINGS = {
    "specs/sam-cli/sync-definition.json":
        "GET /hello requires security `api_key`, which the document never defines (no "
        "securityDefinitions): an import warning in the emulator's model of AWS, so the "
        "failOnWarnings=True apply sends refuses it; with failOnWarnings=False it imports",
    "specs/awsdocs-apigw-devguide/api-gateway-request-validation-sample-api-swagger__block0.json":
        "POST and GET /validation require security `api_key`, which the document never "
        "defines (the guide's excerpt omits its securityDefinitions): an import warning, so "
        "failOnWarnings=True refuses it; with failOnWarnings=False it imports",
}
NOT_DEPLOYABLE = {
    "specs/moto/test_api_invalid.json":
        "no paths, so no method: create_deployment answers `The REST API doesn't contain any "
        "methods` (as AWS), and the stage the plan creates cannot exist",
    "specs/smithy/cognito-user-pools-security.openapi.json":
        "GET / has no x-amazon-apigateway-integration: create_deployment answers `No "
        "integration defined for method` (BadRequest, as AWS)",
    "specs/awsdocs-apigw-devguide/api-gateway-documenting-api-quick-start-publishing__block6.json":
        "GET / has no x-amazon-apigateway-integration (a documentation-parts excerpt): "
        "create_deployment answers `No integration defined for method` (as AWS)",
    "specs/awsdocs-apigw-devguide/api-gateway-swagger-extensions-authtype__block1.json":
        "GET /protected-by-lambda-authorizer has no x-amazon-apigateway-integration (an "
        "authtype excerpt): create_deployment answers `No integration defined for method`",
}


@dataclass(frozen=True)
class Differ:
    addresses: frozenset[str]  # what the re-plan still changes: anything else fails the test
    reason: str


DIFFER = {
    "specs/serverless-samples/apigw-lambda-powertools-openapi-cdk__openapi.json": Differ(
        frozenset({f"model:{NAME}:Order"}),
        "model Order's property `status` is `{$ref: OrderStatus, readOnly: true}`: the "
        "compiler keeps `readOnly` beside the `$ref`, the emulator's importer stores the bare "
        "`$ref` (what API Gateway stores beside a `$ref` is not verified)"),
    "specs/localstack/openapi.spec.pulumi.json": Differ(
        frozenset({f"authorizer:{NAME}:Auth0"}),
        "TOKEN authorizer Auth0 has `identitySource: \"\"`: the compiler treats it as absent "
        "and defaults it to method.request.header.Authorization (the scheme's `name`), the "
        "emulator's importer stores the empty string, read back as none (what AWS does with "
        "an empty identitySource is not verified)"),
}

REFUSED_MESSAGE = (r"BadRequestException: (Invalid OpenAPI input|Invalid resource path"
                   r"|Unable to parse API definition because of a malformed integration)")
WARNINGS_MESSAGE = r"BadRequestException: Warnings found during import"
UNDEPLOYABLE_MESSAGE = (r"create a deployment .* BadRequestException: (No integration defined "
                        r"for method|The REST API doesn't contain any methods)")


_CLIENTS: list[Any] = []


def _client(em: Emulator) -> Any:
    """One boto3 client for every session of the worker: the emulator's state is not in the
    client, and making one costs ~75 ms of botocore model loading (x3 sessions x 50 files)."""
    if not _CLIENTS:
        _CLIENTS.append(em.client("apigateway"))
    return _CLIENTS[0]


def _desired(path: Path) -> ApiState:
    return compile_api(load_spec(str(path)).documents[0], ApiSettings(NAME, "REGIONAL"),
                       (StageSettings("dev", None, {"k": "v"}),))


def _plan(client: Any, path: Path, desired: ApiState) -> tuple[ApiState | None, Plan]:
    """What `apigwctl plan`/`apply` do between reading the live state and executing."""
    live = read_api(client, NAME)
    settings = PlanSettings(str(path), "REGIONAL", "overwrite")
    return live, make_plan(desired, live, settings)


def _apply_and_replan(path: Path, state_dir: Path) -> Plan:
    """Apply from scratch; the re-plans of a fresh reader and of a second apply must agree."""
    desired = _desired(path)
    with Emulator(state_dir, write=True) as em:
        client = _client(em)
        live, plan = _plan(client, path, desired)
        assert live is None and not plan.empty
        apply_plan(client, plan, {})
    with Emulator(state_dir, write=False) as em:  # restores snapshot + journal, as a new process
        _, fresh = _plan(_client(em), path, desired)
    with Emulator(state_dir, write=True) as em:  # `apply` run a second time
        _, again = _plan(_client(em), path, desired)
    assert again.to_dict() == fresh.to_dict(), "a reader and a writer see different states"
    return fresh


def _changes(plan: Plan) -> dict[str, Any]:
    return plan.changeset.to_dict()


def test_petstore_converges(tmp_path: Path) -> None:
    plan = _apply_and_replan(PETSTORE, tmp_path)
    assert plan.empty, _changes(plan)


def _imports_without_fail_on_warnings(path: Path, state_dir: Path) -> list[str]:
    with Emulator(state_dir, write=True) as em:
        api = _client(em).import_rest_api(body=path.read_bytes(), failOnWarnings=False)
    warnings: list[str] = api.get("warnings", [])
    return warnings


def _expect_apply_error(file: str, pattern: str, tmp_path: Path, reason: str) -> NoReturn:
    try:
        plan = _apply_and_replan(CORPUS / file, tmp_path / "state")
    except ApplyError as exc:
        assert re.search(pattern, str(exc)), exc
        pytest.xfail(reason)
    pytest.fail(f"{file} applies now (re-plan empty: {plan.empty}): take it off its list")


@pytest.mark.skipif(not DOCUMENTS, reason="shared corpus not found; set APIGWCTL_CORPUS")
@pytest.mark.parametrize("file", DOCUMENTS)
def test_corpus_document_converges_through_apply(file: str, tmp_path: Path) -> None:
    if file in REFUSED_AT_IMPORT:
        _expect_apply_error(file, REFUSED_MESSAGE, tmp_path,
                            f"refused at import: {REFUSED_AT_IMPORT[file]}")
    if file in REFUSED_ON_WARNINGS:
        assert _imports_without_fail_on_warnings(CORPUS / file, tmp_path / "lenient")
        _expect_apply_error(file, WARNINGS_MESSAGE, tmp_path, REFUSED_ON_WARNINGS[file])
    if file in NOT_DEPLOYABLE:
        _expect_apply_error(file, UNDEPLOYABLE_MESSAGE, tmp_path, NOT_DEPLOYABLE[file])
    plan = _apply_and_replan(CORPUS / file, tmp_path / "state")
    if file in DIFFER:
        if plan.empty:
            pytest.fail(f"{file} converges now: remove it from DIFFER")
        changed = {c.address for c in plan.changeset.changes}
        assert changed == DIFFER[file].addresses, _changes(plan)
        pytest.xfail(DIFFER[file].reason)
    assert plan.empty, _changes(plan)


def test_counts() -> None:
    """Every list names corpus documents, no document is on two lists; the totals."""
    if not DOCUMENTS:
        pytest.skip("no corpus")
    lists = [set(REFUSED_AT_IMPORT), set(REFUSED_ON_WARNINGS), set(NOT_DEPLOYABLE), set(DIFFER)]
    excluded = set().union(*lists)
    assert excluded <= set(DOCUMENTS)
    assert sum(map(len, lists)) == len(excluded)
    assert (len(DOCUMENTS), len(DOCUMENTS) - len(excluded)) == (49, 27)
