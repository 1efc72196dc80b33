"""The run journal: an exact account of an apply, with no secret in it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from apigwctl import __version__
from apigwctl.errors import ApigwctlError
from apigwctl.runlog import (
    Outcome,
    PlannedOp,
    RunLog,
    journal_dir,
    journals,
    last_incomplete,
    planned_ops,
    prune,
    read_runlog,
)

SECRET = "Zk3u9QpL0aXr7WmT2cVb8YsN"  # an API key value: 24 characters (reference §5)
PLANNED = [PlannedOp("create_rest_api", "api:petstore"),
           PlannedOp("put_rest_api", "api:petstore"),
           PlannedOp("create_deployment", "deployment:petstore"),
           PlannedOp("create_stage", "stage:petstore:prod"),
           PlannedOp("import_api_keys", "api_keys:import")]
T0 = datetime(2026, 11, 25, 10, 15, 30, tzinfo=timezone.utc)


def _start(directory: Path, at: datetime = T0, **kwargs: str) -> RunLog:
    args = {"target": "emulator (state in .apigwctl/emulator, region us-east-1)",
            "plan_digest": "sha256:" + "ab" * 32, **kwargs}
    return RunLog.start(directory, planned=PLANNED, now=lambda: at, **args)


def test_journal_sits_beside_the_deployment_file(tmp_path: Path) -> None:
    assert journal_dir(tmp_path / "deploy" / "apigwctl.yaml") == \
        tmp_path / "deploy" / ".apigwctl" / "journal"


def test_a_complete_run_reads_back(tmp_path: Path) -> None:
    with _start(tmp_path) as log:
        log.op_done("create_rest_api", "api:petstore", ids={"api:petstore": "a1b2c3d4e5"},
                    calls={"CreateRestApi": 1})
        log.op_done("put_rest_api", "api:petstore", calls={"PutRestApi": 2,
                                                            "UpdateRestApi": 1})
    record = read_runlog(log.path)
    assert record.outcome is Outcome.COMPLETE
    assert record.header.version == __version__
    assert record.header.started == "2026-11-25T10:15:30+00:00"
    assert record.header.run_id == log.path.stem
    assert record.header.run_id.startswith("20261125T101530000000Z-")
    assert record.header.planned == tuple(PLANNED)
    assert record.done[0].ids == (("api:petstore", "a1b2c3d4e5"),)
    assert record.calls() == {"CreateRestApi": 1, "PutRestApi": 2, "UpdateRestApi": 1}
    lines = [json.loads(x) for x in log.path.read_text().splitlines()]
    assert [x["type"] for x in lines] == ["header", "op", "op", "end"]


def test_a_failed_run_says_what_was_done_and_what_remains(tmp_path: Path) -> None:
    log = _start(tmp_path)
    log.op_done("create_rest_api", "api:petstore", ids={"api:petstore": "a1b2c3d4e5"})
    log.op_done("put_rest_api", "api:petstore")
    log.failed("TooManyRequestsException")
    log.close()
    record = last_incomplete(tmp_path)
    assert record is not None
    assert (record.outcome, record.error) == (Outcome.FAILED, "TooManyRequestsException")
    assert [r.kind for r in record.done] == ["create_rest_api", "put_rest_api"]
    assert record.remaining == tuple(PLANNED[2:])


def test_an_exception_ends_the_run_failed_with_its_class(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt), _start(tmp_path) as log:
        log.op_done("create_rest_api", "api:petstore")
        raise KeyboardInterrupt
    record = read_runlog(log.path)
    assert (record.outcome, record.error) == (Outcome.FAILED, "KeyboardInterrupt")


def test_a_run_that_died_is_interrupted_and_a_torn_line_ignored(tmp_path: Path) -> None:
    log = _start(tmp_path)
    log.op_done("create_rest_api", "api:petstore")
    # No end line (the process was killed), and half a line written as it died.
    with log.path.open("a") as f:
        f.write('{"type":"op","op":"put_re')
    record = read_runlog(log.path)
    assert record.outcome is Outcome.INTERRUPTED
    assert len(record.done) == 1
    assert [p.kind for p in record.remaining] == [p.kind for p in PLANNED[1:]]


def test_only_the_latest_run_matters(tmp_path: Path) -> None:
    assert last_incomplete(tmp_path / "absent") is None
    failed = _start(tmp_path, T0)
    failed.failed("ConflictException")
    failed.close()
    assert last_incomplete(tmp_path) is not None
    with _start(tmp_path, T0 + timedelta(minutes=1)):
        pass  # the next apply re-planned from the live state and finished
    assert last_incomplete(tmp_path) is None
    assert len(journals(tmp_path)) == 2


def test_runs_sort_by_start_time_within_a_second(tmp_path: Path) -> None:
    paths = [_start(tmp_path, T0 + timedelta(microseconds=us)).path for us in (900, 20, 5)]
    assert journals(tmp_path) == sorted(paths, key=lambda p: p.stem[:23])
    assert journals(tmp_path)[-1] == paths[0]


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    paths = []
    for minute in range(5):
        with _start(tmp_path, T0 + timedelta(minutes=minute)) as log:
            paths.append(log.path)
    assert prune(tmp_path, keep=2) == paths[:3]
    assert journals(tmp_path) == paths[3:]


def test_a_damaged_journal_is_an_error_that_says_so(tmp_path: Path) -> None:
    path = _start(tmp_path).path
    text = path.read_text()
    path.write_text("garbage\n" + text)
    with pytest.raises(ApigwctlError, match="damaged: line 1 is not JSON"):
        read_runlog(path)


def test_planned_ops_take_only_kind_and_address_from_machine_forms() -> None:
    rows = [{"op": "import_api_keys", "address": "api_keys:import",
             "rows": [{"name": "acme", "value": SECRET}]}]
    assert planned_ops(rows) == [PlannedOp("import_api_keys", "api_keys:import")]


# -- never a secret ----------------------------------------------------------------------

@pytest.mark.parametrize("attempt", [
    {"ids": {"api_key:acme": SECRET}},  # a value passed where an id goes
    {"ids": {SECRET: "a1b2c3d4e5"}},  # ... where an address goes
    {"calls": {SECRET: 1}},
    {"calls": {"ImportApiKeys": SECRET}},
    {"kind": SECRET},
    {"address": f"api_key:acme\n{SECRET}"},
])
def test_the_writer_refuses_what_is_not_whitelisted(tmp_path: Path,
                                                    attempt: dict[str, object]) -> None:
    log = _start(tmp_path)
    args: dict[str, object] = {"kind": "import_api_keys", "address": "api_keys:import",
                               **attempt}
    kind, address = args.pop("kind"), args.pop("address")
    with pytest.raises(ValueError, match="refused") as caught:
        log.op_done(kind, address, **args)  # type: ignore[arg-type]
    assert SECRET not in str(caught.value)
    with pytest.raises(ValueError):
        log.failed(f"Bad key {SECRET}")  # a message, not an error code
    log.close()
    assert SECRET not in log.path.read_text()


def test_no_secret_reaches_the_file_through_target_or_digest(tmp_path: Path) -> None:
    log = _start(tmp_path, target=f"aws at https://deploy:{SECRET}@gw.example (region x)")
    log.close()
    text = log.path.read_text()
    assert SECRET not in text
    assert "aws at https://(redacted)@gw.example (region x)" in text
    with pytest.raises(ValueError):
        _start(tmp_path, plan_digest=f"{SECRET} {SECRET}")


def test_a_run_ends_once(tmp_path: Path) -> None:
    log = _start(tmp_path)
    log.complete()
    with pytest.raises(ValueError, match="ended already"):
        log.op_done("create_stage", "stage:petstore:prod")
    with pytest.raises(ValueError, match="ended already"):
        log.failed("X")
    log.close()


def test_every_api_gateway_operation_name_is_accepted(tmp_path: Path) -> None:
    import boto3

    session = boto3.session.Session(region_name="us-east-1")
    names = [name for service in ("apigateway", "apigatewayv2")
             for name in session.client(service).meta.service_model.operation_names]
    with _start(tmp_path) as log:
        log.op_done("import_api_keys", "api_keys:import", calls=dict.fromkeys(names, 1))
    assert set(read_runlog(log.path).calls()) == set(names)
