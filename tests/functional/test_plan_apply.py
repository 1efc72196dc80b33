"""plan / apply / plan across separate processes on the embedded emulator.

Each test runs the real CLI (``python -m apigwctl``) in a copy of specs/petstore. The
applied state is made once per module and copied (deployment file, spec and emulator state
dir together) into each test's own folder, so tests do not depend on each other's order.
Rendered plans are golden files (tests/cases/plans).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from .support import copy_petstore, env, golden, run, run_on_terminal

LOOKUP = "https://${stageVariables.backendHost}/lookup"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the petstore example with nothing applied."""
    return copy_petstore(tmp_path_factory.mktemp("fresh"))


@pytest.fixture(scope="module")
def applied(fresh: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("applied")
    shutil.copytree(fresh, work, dirs_exist_ok=True)
    result = run(work, "apply", "--auto-approve")
    assert result.returncode == 0, result.stderr
    assert "Apply complete: 9 operations." in result.stdout
    assert re.search(r"done: create REST API petstore .* -> created petstore as \w+",
                     result.stdout)
    assert "target: emulator (state in .apigwctl/emulator, region us-east-1)" in result.stderr
    return work


@pytest.fixture
def project(applied: Path, tmp_path: Path) -> Path:
    shutil.copytree(applied, tmp_path, dirs_exist_ok=True)
    return tmp_path


def test_plan_on_nothing_shows_creates(fresh: Path) -> None:
    result = run(fresh, "plan", "--detailed-exitcode")
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[:2] == [
        "target: emulator (state in .apigwctl/emulator, region us-east-1); from apigwctl.yaml",
        "read the live state of petstore: 1 API call"]
    golden("create.txt", result.stdout)


def test_plan_after_apply_has_no_changes_and_reads_little(applied: Path) -> None:
    result = run(applied, "plan", "--detailed-exitcode")
    assert result.returncode == 0, result.stdout + result.stderr
    golden("no-changes.txt", result.stdout)
    assert "read the live state of petstore: 10 API calls" in result.stderr


def test_one_integration_edit_plans_that_route_and_one_deployment(project: Path) -> None:
    spec = project / "openapi.yaml"
    spec.write_text(spec.read_text().replace(LOOKUP, LOOKUP + "-v2"))
    result = run(project, "plan", "--detailed-exitcode", "--format", "json")
    assert result.returncode == 2, result.stderr
    plan = json.loads(result.stdout)["plan"]
    assert [(c["address"], c["action"], [f["path"] for f in c["fields"]])
            for c in plan["changes"]] == [
        ("method:petstore:/pets/{petId}:GET", "update", ["integration.uri"])]
    kinds = [op["op"] for op in plan["ops"]]
    assert kinds == ["put_rest_api", "create_deployment", "update_stage", "deploy_canary"]
    assert plan["ops"][1]["reasons"] == ["route GET /pets/{petId} updated (integration)"]
    golden("integration-edit.txt", run(project, "plan").stdout)
    golden("integration-edit.md", run(project, "plan", "--format", "markdown").stdout)
    assert run(project, "apply", "--auto-approve").returncode == 0
    assert run(project, "plan", "--detailed-exitcode").returncode == 0


def test_stage_variable_change_plans_no_deployment(project: Path) -> None:
    config = project / "apigwctl.yaml"
    config.write_text(config.read_text().replace("lambdaAlias: live", "lambdaAlias: live2"))
    result = run(project, "plan", "--detailed-exitcode")
    assert result.returncode == 2, result.stderr
    golden("stage-variable.txt", result.stdout)
    assert "deployment" not in result.stdout
    applied = run(project, "apply", "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    assert "Apply complete: 1 operation." in applied.stdout
    assert run(project, "plan", "--detailed-exitcode").returncode == 0


def test_apply_without_tty_or_auto_approve_is_refused(fresh: Path) -> None:
    result = run(fresh, "apply")
    assert result.returncode == 1
    assert "refusing to apply without confirmation" in result.stderr
    assert "--auto-approve" in result.stderr
    assert "target: emulator" in result.stderr


def _drop_health(project: Path) -> None:
    spec = project / "openapi.yaml"
    text = spec.read_text()
    start, end = text.index("  /health:\n"), text.index("  /pets:\n")
    spec.write_text(text[:start] + text[end:])


def test_removed_route_is_destroyed_by_overwrite_and_converges(project: Path) -> None:
    _drop_health(project)
    result = run(project, "plan")
    golden("overwrite-deletes.txt", result.stdout)
    assert run(project, "apply", "--auto-approve").returncode == 0
    assert run(project, "plan", "--detailed-exitcode").returncode == 0


def test_merge_leaves_removed_route_and_says_so(project: Path) -> None:
    _drop_health(project)
    config = project / "apigwctl.yaml"
    config.write_text(config.read_text().replace("mode: overwrite", "mode: merge"))
    result = run(project, "plan", "--detailed-exitcode")
    assert result.returncode == 0, result.stderr  # merge deletes nothing: nothing to do
    golden("merge-leaves-behind.txt", result.stdout)


def test_tag_change_is_one_tag_call_and_no_deployment(project: Path) -> None:
    config = project / "apigwctl.yaml"
    config.write_text(config.read_text().replace("team: payments", "team: checkout"))
    result = run(project, "plan")
    golden("tags.txt", result.stdout)
    assert run(project, "apply", "--auto-approve").returncode == 0
    assert run(project, "plan", "--detailed-exitcode").returncode == 0


def test_interactive_confirmation_yes_and_no(project: Path) -> None:
    config = project / "apigwctl.yaml"
    config.write_text(config.read_text().replace("lambdaAlias: dev", "lambdaAlias: dev2"))
    declined = run_on_terminal(project, "n\n", "apply")
    assert declined.returncode == 1, declined.stderr
    assert "Apply these changes?" in declined.stdout and "aborted" in declined.stderr
    assert run(project, "plan", "--detailed-exitcode").returncode == 2  # nothing was done
    accepted = run_on_terminal(project, "y\n", "apply")
    assert accepted.returncode == 0, accepted.stderr
    assert "Apply complete: 1 operation." in accepted.stdout
    assert run(project, "plan", "--detailed-exitcode").returncode == 0


def test_endpoint_type_and_description_change_without_put_or_deployment(
        project: Path) -> None:
    config = project / "apigwctl.yaml"
    text = config.read_text().replace("endpoint_type: REGIONAL", "endpoint_type: EDGE")
    config.write_text(text.replace("mode: overwrite\n", "mode: overwrite\n  description: Pets\n"))
    result = run(project, "plan")
    golden("api-settings.txt", result.stdout)
    assert "put REST API" not in result.stdout and "deployment" not in result.stdout
    assert run(project, "apply", "--auto-approve").returncode == 0
    assert run(project, "plan", "--detailed-exitcode").returncode == 0


def test_failed_apply_says_what_was_done_and_the_next_apply_finishes(tmp_path: Path) -> None:
    project = copy_petstore(tmp_path)
    spec = project / "openapi.yaml"
    good = spec.read_text()
    start = good.index("      x-amazon-apigateway-integration:\n        type: mock")
    spec.write_text(good[:start] + good[good.index("  /pets:\n"):])  # W2610: no integration
    failed = run(project, "apply", "--auto-approve")
    assert failed.returncode == 1
    assert "WARNING W2610  GET /health has no x-amazon-apigateway-integration" in failed.stderr
    assert ("create a deployment of api:petstore: REST API petstore is new failed: "
            "BadRequestException: No integration defined for method") in failed.stderr
    assert "already done: create REST API petstore (REGIONAL, 4 tags); put REST API" in (
        " ".join(failed.stderr.split()))
    assert "Traceback" not in failed.stderr
    journals = list((project / ".apigwctl" / "journal").glob("*.jsonl"))
    assert len(journals) == 1 and '"outcome":"failed"' in journals[0].read_text()
    spec.write_text(good)
    finished = run(project, "apply", "--auto-approve")
    assert finished.returncode == 0, finished.stderr
    assert "The last apply (run " in finished.stderr  # what the journal says was left
    assert "failed (BadRequestException) after 2 of 9 operations" in finished.stderr
    assert "remains: create_deployment deployment:petstore" in finished.stderr
    assert "create REST API" not in finished.stdout  # the API made before is reused
    assert "create stage dev" in finished.stdout
    assert run(project, "plan", "--detailed-exitcode").returncode == 0


def test_emulator_quotas_make_a_second_deployment_wait_and_apply_says_so(
        tmp_path: Path) -> None:
    """CreateDeployment is 1 per 5 s on AWS and on the emulator (across processes): an apply
    right after another waits, shows the wait, and counts the retry (reference §2.1)."""
    project = copy_petstore(tmp_path)
    quotas_on = env(APIGWCTL_EMULATOR_QUOTAS="aws")
    assert run(project, "apply", "--auto-approve", environ=quotas_on).returncode == 0
    spec = project / "openapi.yaml"
    spec.write_text(spec.read_text().replace(LOOKUP, LOOKUP + "-v2"))
    again = run(project, "apply", "--auto-approve", environ=quotas_on)
    assert again.returncode == 0, again.stderr
    assert re.search(r"waiting \d+\.\d s to retry CreateDeployment after "
                     r"TooManyRequestsException", again.stdout), again.stdout
    row = next(line for line in again.stdout.splitlines() if line.startswith("CreateDeployment"))
    assert row.split()[1:3] == ["2", "1"]  # 2 calls, 1 of them a retry
    assert run(project, "plan", "--detailed-exitcode", environ=quotas_on).returncode == 0


def test_a_removed_route_is_breaking_in_the_markdown_plan_and_can_fail_it(
        project: Path) -> None:
    _drop_health(project)
    markdown = run(project, "plan", "--format", "markdown")
    assert markdown.returncode == 0, markdown.stderr
    assert "#### Client impact" in markdown.stdout
    assert "/health" in markdown.stdout.split("#### Client impact")[1]
    failed = run(project, "plan", "--fail-on-breaking")
    assert failed.returncode == 1
    assert "breaks existing clients" in failed.stderr
    assert run(project, "plan").returncode == 0  # without the flag it only reports
