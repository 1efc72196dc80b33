"""Apply's progress output: plain lines off a terminal (golden), a bar on one.

The waits come from a real QuotaClient on the embedded emulator in virtual time, so the
lines show what AWS's quotas (reference/aws-apigateway.md §2.1) make an apply wait for.

Regenerate (and review the diff!) with: APIGWCTL_REGEN_GOLDEN=1 pytest tests/cli/test_progress.py
"""

from __future__ import annotations

import io
import os
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from rich.console import Console

from apigwctl.aws.calls import CONFLICT, FaultInjector, QuotaClient, botocore_config
from apigwctl.aws.emulator import Emulator
from apigwctl.render.console import make_console
from apigwctl.render.progress import Progress, render_accounting, render_incomplete
from apigwctl.runlog import PlannedOp, RunLog, read_runlog

GOLDEN = Path(__file__).resolve().parent.parent / "cases" / "progress" / "expected.text"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class VirtualTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _apply(client: Any, progress: Progress) -> QuotaClient:
    """The shape of a real apply: API, deployment, stage, a stage update that meets
    concurrent-modification conflicts, two usage plans each updated once."""
    vt = VirtualTime()
    injector = FaultInjector(seed=1, rate=0.5, faults=[CONFLICT], operations=["UpdateStage"])
    injector.install(client)
    qc = QuotaClient(client, clock=vt.clock, sleep=vt.sleep, on_wait=progress.waiting,
                     rng=random.Random(1))
    ids: dict[str, str] = {}

    def op(description: str, result: str, work: Callable[[], object]) -> None:
        progress.started(description)
        work()
        progress.done(description, result)

    def create_api() -> None:
        api = ids["api"] = qc.create_rest_api(
            name="petstore", endpointConfiguration={"types": ["REGIONAL"]})["id"]
        root = qc.get_resources(restApiId=api)["items"][0]["id"]
        qc.put_method(restApiId=api, resourceId=root, httpMethod="GET",
                      authorizationType="NONE")
        qc.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")

    def deploy() -> None:
        ids["deployment"] = qc.create_deployment(restApiId=ids["api"])["id"]

    def describe(plan: str) -> Callable[[], object]:
        return lambda: qc.update_usage_plan(usagePlanId=plan, patchOperations=[
            {"op": "replace", "path": "/description", "value": "tier"}])

    op("create REST API petstore (REGIONAL, 2 tags)", "created petstore", create_api)
    op("create deployment of petstore", "created deployment", deploy)
    op("create stage prod", "created stage prod", lambda: qc.create_stage(
        restApiId=ids["api"], stageName="prod", deploymentId=ids["deployment"]))
    op("update stage prod", "updated stage prod (1 patch operation(s))",
       lambda: qc.update_stage(restApiId=ids["api"], stageName="prod", patchOperations=[
           {"op": "replace", "path": "/description", "value": "Production"}]))
    for name in ("gold", "silver"):
        plan = qc.create_usage_plan(name=name)["id"]
        op(f"update usage plan {name}", "updated (1 patch operation(s))", describe(plan))
    injector.uninstall(client)
    return qc


def _run(tmp_path: Path, console: Console) -> QuotaClient:
    with Emulator(tmp_path / "state", write=True):
        client = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing",
            region_name="us-east-1").client("apigateway", config=botocore_config())
        with Progress(console, total=6) as progress:
            qc = _apply(client, progress)
    return qc


def test_plain_lines_off_a_terminal_golden(tmp_path: Path) -> None:
    out = io.StringIO()
    qc = _run(tmp_path, make_console(no_color=True, stream=out, width=80))
    text = out.getvalue() + "\n" + render_accounting(qc.accounting)
    if os.environ.get("APIGWCTL_REGEN_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
    assert "\x1b" not in text and "applying" not in text


def test_a_bar_on_a_terminal(tmp_path: Path) -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=None, width=100)
    _run(tmp_path, console)
    raw = out.getvalue()
    assert "\x1b[" in raw  # the bar is redrawn in place
    screen = ANSI.sub("", raw)
    assert "applying" in screen and "6/6" in screen
    assert "  done: create stage prod -> created stage prod" in screen
    assert "  waiting 20.0 s for UpdateUsagePlan quota" in screen
    assert "━" in screen  # the bar itself


def test_render_incomplete_says_what_was_done_and_what_remains(tmp_path: Path) -> None:
    planned = [PlannedOp("create_rest_api", "api:petstore"),
               PlannedOp("create_deployment", "deployment:petstore"),
               PlannedOp("create_stage", "stage:petstore:prod")]
    log = RunLog.start(tmp_path, target="emulator (region us-east-1)", plan_digest="abc",
                       planned=planned)
    log.op_done("create_rest_api", "api:petstore")
    log.failed("TooManyRequestsException")
    log.close()
    record = read_runlog(log.path)
    assert render_incomplete(record) == (
        f"The last apply (run {record.header.run_id}, started {record.header.started}, "
        "against emulator (region us-east-1)) failed (TooManyRequestsException) after 1 of "
        "3 operations.\n"
        "  done:    create_rest_api api:petstore\n"
        "  remains: create_deployment deployment:petstore\n"
        "  remains: create_stage stage:petstore:prod\n")
