"""On-disk state of the embedded emulator: lock, snapshot and write journal.

Layout of ``state_dir`` (all files mode 0600, the directory 0700):

- ``lock``: ``fcntl.flock`` target; shared for readers, exclusive for writers. Holds the pid
  of the last process that took it, for the timeout message.
- ``state.pickle``: a magic line, one JSON header line (format version, moto version,
  journal generation and how many journal entries the pickle already contains), then the
  pickled moto backends and RNG state. Written atomically (tmp, fsync, ``os.replace``).
  Pickle runs code on load, which is why the file is private to the user and never fetched.
- ``journal.jsonl``: the write-ahead journal. First line ``{"generation": G}``, then one JSON
  entry per write request moto answered. After a snapshot is saved the journal is replaced by
  an empty one with a new generation, so a journal whose generation differs from the
  snapshot's is already contained in the snapshot (a crash between the two replaces).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import pickle
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apigwctl.aws.emulator.errors import RESET_HINT, EmulatorLockTimeout, EmulatorStateError

FORMAT_VERSION = 1
MAGIC = b"APIGWCTL-EMULATOR-STATE\n"
SNAPSHOT = "state.pickle"
JOURNAL = "journal.jsonl"
LOCK = "lock"


@dataclass(frozen=True)
class JournalEntry:
    """One write request as moto received it, with the RNG seed used just before it."""

    seed: int
    method: str
    url: str
    headers: dict[str, str]
    body: bytes
    status: int

    def to_json(self) -> str:
        return json.dumps({"seed": self.seed, "method": self.method, "url": self.url,
                           "headers": self.headers, "status": self.status,
                           "body": base64.b64encode(self.body).decode("ascii")})

    @classmethod
    def from_json(cls, line: str) -> JournalEntry:
        raw = json.loads(line)
        return cls(seed=int(raw["seed"]), method=str(raw["method"]), url=str(raw["url"]),
                   headers={str(k): str(v) for k, v in raw["headers"].items()},
                   body=base64.b64decode(raw["body"]), status=int(raw["status"]))


@dataclass(frozen=True)
class SnapshotHeader:
    format: int
    moto: str
    generation: str
    journal_len: int


def _private_file(path: Path) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o600)


def ensure_dir(state_dir: Path) -> None:
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)


@contextlib.contextmanager
def locked(state_dir: Path, *, exclusive: bool, timeout: float) -> Iterator[None]:
    """Hold ``state_dir/lock`` (shared or exclusive) for the duration of the block."""
    ensure_dir(state_dir)
    fd = _private_file(state_dir / LOCK)
    try:
        _acquire(fd, exclusive=exclusive, timeout=timeout)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _acquire(fd: int, *, exclusive: bool, timeout: float) -> None:
    flag = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, flag)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                raise EmulatorLockTimeout(
                    f"another apigwctl holds the emulator lock (pid {holder}) — waited "
                    f"{timeout:g} s",
                    hint="wait for the other command to finish, or stop `apigwctl emulator "
                         "serve`") from None
            time.sleep(0.05)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _corrupt(path: Path, why: str) -> EmulatorStateError:
    return EmulatorStateError(f"emulator state file {path} is unusable: {why}",
                              where=str(path), hint=RESET_HINT)


def read_header(state_dir: Path) -> tuple[SnapshotHeader, bytes] | None:
    """The snapshot's header and pickled payload, or None when there is no snapshot."""
    path = state_dir / SNAPSHOT
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if not data.startswith(MAGIC):
        raise _corrupt(path, "not an apigwctl emulator state file")
    head, sep, payload = data[len(MAGIC):].partition(b"\n")
    try:
        raw = json.loads(head)
        header = SnapshotHeader(format=int(raw["format"]), moto=str(raw["moto"]),
                                generation=str(raw["generation"]),
                                journal_len=int(raw["journal_len"]))
    except (ValueError, KeyError, TypeError):
        raise _corrupt(path, "the header is damaged") from None
    if not sep:
        raise _corrupt(path, "the file is truncated")
    return header, payload


def load_snapshot(state_dir: Path, moto_version: str) -> tuple[SnapshotHeader, Any] | None:
    """Unpickle the snapshot after checking it was written by this format and moto."""
    found = read_header(state_dir)
    if found is None:
        return None
    header, payload = found
    path = state_dir / SNAPSHOT
    if header.format != FORMAT_VERSION or header.moto != moto_version:
        raise EmulatorStateError(
            f"emulator state in {path} was written by moto {header.moto} (format "
            f"{header.format}); this apigwctl uses moto {moto_version} (format "
            f"{FORMAT_VERSION})", where=str(path), hint=RESET_HINT)
    try:
        return header, pickle.loads(payload)
    except Exception as exc:  # any unpickling failure means the file is unusable
        raise _corrupt(path, f"cannot load it ({type(exc).__name__})") from None


def new_generation() -> str:
    return uuid.uuid4().hex


def save_snapshot_journal(state_dir: Path, generation: str) -> None:
    """Start an empty journal that belongs to the snapshot of ``generation``."""
    _atomic_write(state_dir / JOURNAL, json.dumps({"generation": generation}).encode() + b"\n")


def save_snapshot(state_dir: Path, state: Any, moto_version: str) -> str:
    """Write the snapshot with a fresh generation, then start an empty journal for it."""
    generation = new_generation()
    header = {"format": FORMAT_VERSION, "moto": moto_version, "generation": generation,
              "journal_len": 0}
    payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    _atomic_write(state_dir / SNAPSHOT,
                  MAGIC + json.dumps(header).encode() + b"\n" + payload)
    save_snapshot_journal(state_dir, generation)
    return generation


def read_journal(state_dir: Path) -> tuple[str | None, list[JournalEntry]]:
    """The journal's generation and entries; a torn last line (crash mid-append) is dropped."""
    path = state_dir / JOURNAL
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        return None, []
    complete, torn = lines[:-1], lines[-1]
    del torn  # an unterminated last line was never acknowledged to a client
    if not complete:
        return None, []
    try:
        generation = str(json.loads(complete[0])["generation"])
        return generation, [JournalEntry.from_json(line) for line in complete[1:] if line]
    except (ValueError, KeyError, TypeError):
        raise _corrupt(path, "a journal entry is damaged") from None


class JournalWriter:
    """Appends entries to the journal, each flushed and fsynced before moto's answer returns."""

    def __init__(self, state_dir: Path, generation: str) -> None:
        self._path = state_dir / JOURNAL
        self._fd = _private_file(self._path)
        if os.fstat(self._fd).st_size == 0:
            os.write(self._fd, json.dumps({"generation": generation}).encode() + b"\n")
        os.lseek(self._fd, 0, os.SEEK_END)

    def append(self, entry: JournalEntry) -> None:
        os.write(self._fd, entry.to_json().encode() + b"\n")
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)
