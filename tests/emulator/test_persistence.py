"""Persistence across real processes, the WAL after a crash, the lock, bad state files."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from apigwctl.aws.emulator import Emulator, EmulatorLockTimeout, EmulatorStateError
from apigwctl.aws.emulator.store import locked
from tests.emulator.conftest import PETSTORE

WRITER = """
import json, os, sys
from pathlib import Path
from apigwctl.aws.emulator import Emulator
with Emulator(Path(sys.argv[1]), write=True) as em:
    c = em.client("apigateway")
    api = c.import_rest_api(body=Path(sys.argv[2]).read_bytes(), failOnWarnings=True)
    c.create_deployment(restApiId=api["id"], stageName="prod")
    ids = sorted(r["id"] for r in c.get_resources(restApiId=api["id"])["items"])
    print(json.dumps({"api": api["id"], "resources": ids}), flush=True)
    if sys.argv[3] == "crash":
        os._exit(3)  # no snapshot: only the journal has the writes
"""
HOLDER = """
import sys, time
from pathlib import Path
from apigwctl.aws.emulator.store import locked
with locked(Path(sys.argv[1]), exclusive=sys.argv[2] == "x", timeout=5):
    print("locked", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def run_writer(state: Path, env: dict[str, str], mode: str) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", WRITER, str(state), str(PETSTORE), mode],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    assert proc.returncode == (3 if mode == "crash" else 0), proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def read_back(state: Path) -> tuple[str, list[str], list[str]]:
    with Emulator(state, write=False) as em:
        c = em.client("apigateway")
        api = c.get_rest_apis()["items"][0]
        ids = sorted(r["id"] for r in c.get_resources(restApiId=api["id"])["items"])
        stages = [s["stageName"] for s in c.get_stages(restApiId=api["id"])["item"]]
    return api["id"], ids, stages


@pytest.mark.parametrize("mode", ["clean", "crash"])
def test_state_survives_processes(tmp_path: Path, subprocess_env: dict[str, str],
                                  mode: str) -> None:
    written = run_writer(tmp_path, subprocess_env, mode)
    assert read_back(tmp_path) == (written["api"], written["resources"], ["prod"])
    journal = (tmp_path / "journal.jsonl").read_text().splitlines()
    assert len(journal) == (3 if mode == "crash" else 1)  # header + import + deployment


def test_writer_after_crash_keeps_ids_and_snapshots(tmp_path: Path,
                                                    subprocess_env: dict[str, str]) -> None:
    written = run_writer(tmp_path, subprocess_env, "crash")
    with Emulator(tmp_path, write=True) as em:
        em.client("apigateway").create_rest_api(name="second")
    assert len((tmp_path / "journal.jsonl").read_text().splitlines()) == 1
    with Emulator(tmp_path, write=False) as em:
        names = {a["name"]: a["id"] for a in em.client("apigateway").get_rest_apis()["items"]}
    assert names["petstore"] == written["api"] and "second" in names
    assert (tmp_path / "state.pickle").stat().st_mode & 0o777 == 0o600


def test_reader_refuses_writes(tmp_path: Path) -> None:
    with Emulator(tmp_path, write=False) as em, pytest.raises(ClientError,
                                                               match="EmulatorReadOnly"):
        em.client("apigateway").create_rest_api(name="x")
    assert not (tmp_path / "state.pickle").exists()


def hold_lock(tmp_path: Path, env: dict[str, str], kind: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path), kind, "3"],
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_exclusive_lock_times_out_with_pid(tmp_path: Path,
                                           subprocess_env: dict[str, str]) -> None:
    proc = hold_lock(tmp_path, subprocess_env, "x")
    try:
        started = time.monotonic()
        with pytest.raises(EmulatorLockTimeout,
                           match=rf"\(pid {proc.pid}\) — waited 0.3 s"), \
                Emulator(tmp_path, write=False, lock_timeout=0.3):
            pass
        assert time.monotonic() - started < 2
    finally:
        proc.kill()
        proc.wait()


def test_shared_lock_admits_readers_not_writers(tmp_path: Path,
                                                subprocess_env: dict[str, str]) -> None:
    proc = hold_lock(tmp_path, subprocess_env, "s")
    try:
        with locked(tmp_path, exclusive=False, timeout=0.3):
            pass
        with pytest.raises(EmulatorLockTimeout), locked(tmp_path, exclusive=True, timeout=0.3):
            pass
    finally:
        proc.kill()
        proc.wait()


def make_state(tmp_path: Path) -> None:
    with Emulator(tmp_path, write=True) as em:
        em.client("apigateway").create_rest_api(name="x")


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.write_bytes(b"garbage"), "not an apigwctl emulator state file"),
    (lambda p: p.write_bytes(p.read_bytes()[:-40]), "cannot load it"),
    (lambda p: p.write_bytes(p.read_bytes().replace(b'"moto": "5.2.5"', b'"moto": "4.0.0"')),
     "written by moto 4.0.0"),
])
def test_bad_snapshot_is_a_clear_error(tmp_path: Path, damage: Any, message: str) -> None:
    make_state(tmp_path)
    damage(tmp_path / "state.pickle")
    with pytest.raises(EmulatorStateError, match=message) as info, \
            Emulator(tmp_path, write=False):
        pass
    assert info.value.hint is not None and "apigwctl emulator reset" in info.value.hint


def test_damaged_journal_is_a_clear_error(tmp_path: Path) -> None:
    make_state(tmp_path)
    with (tmp_path / "journal.jsonl").open("a") as fh:
        fh.write("{not json\n")
    with pytest.raises(EmulatorStateError, match="journal entry is damaged"), \
            Emulator(tmp_path, write=False):
        pass
