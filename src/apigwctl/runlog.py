"""The run journal: what an apply did, one JSON line per completed op.

``.apigwctl/journal/<run-id>.jsonl`` beside the deployment file (:func:`journal_dir`):

- a header: ``{"type": "header", "run_id", "started" (UTC, ISO 8601), "apigwctl" (version),
  "target" (the target's one-line description), "plan_digest", "planned": [{"op",
  "address"}, ...]}``;
- one line per op as it completes: ``{"type": "op", "op", "address", "ids": {address: AWS
  id}, "calls": {AWS operation: requests sent}}``;
- a last line: ``{"type": "end", "outcome": "complete"}`` or ``{"type": "end", "outcome":
  "failed", "error": <AWS error code or exception class>}``. A journal without one is a run
  that died (killed, machine lost): :attr:`Outcome.INTERRUPTED`.

Each line is flushed and fsynced before the next call, so a run that dies leaves an exact
account. Nothing secret is ever written: the writer takes only these whitelisted fields and
checks their shape, so no request body, error message or key value can reach the file. An
operation name must read like one (a verb of API Gateway's, then capitalised words); an
id longer than 19 characters is refused: AWS ids are 6-10 characters, and an API key value
is 20-128 (reference/aws-apigateway.md §5), so a value passed as an id by mistake never
lands. Userinfo in URLs of the target description (``https://user:pass@host``) is redacted.

:func:`read_runlog` reads one journal back (a torn last line, from a run killed mid-write,
is ignored); :func:`last_incomplete` answers "what was done and what remains" after a run
that did not finish.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from apigwctl import __version__
from apigwctl.errors import ApigwctlError

JOURNAL_DIR = Path(".apigwctl") / "journal"
SUFFIX = ".jsonl"

_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_ADDRESS = re.compile(r"[a-z][a-z_]*:[^\x00-\x1f\x7f]{1,2048}")
_ID = re.compile(r"[A-Za-z0-9]{1,19}")
# Every apigateway and apigatewayv2 operation (botocore 1.44.8) is a verb of this list
# followed by capitalised words: a key value (random letters AND digits) is not.
_OPERATION = re.compile(r"(?:Create|Delete|Disable|Export|Flush|Generate|Get|Import|List|"
                        r"Preview|Publish|Put|Reimport|Reject|Reset|Tag|Test|Untag|Update)"
                        r"(?:[A-Z][a-z]+){0,8}")
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,99}")
_DIGEST = re.compile(r"[A-Za-z0-9:_-]{1,200}")
_RUN_ID = re.compile(r"[0-9]{8}T[0-9]{12}Z-[0-9a-f]{6}")
_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")
_TEXT = re.compile(r"[^\x00-\x1f\x7f]{0,500}")


def journal_dir(deployment_file: Path) -> Path:
    """Where the journals of the deployment file's applies go."""
    return deployment_file.parent / JOURNAL_DIR


class Outcome(Enum):
    COMPLETE = "complete"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # no end line: the process died


@dataclass(frozen=True)
class PlannedOp:
    kind: str  # the op's machine name, as in its to_dict()["op"]
    address: str


@dataclass(frozen=True)
class RunHeader:
    run_id: str
    started: str
    version: str
    target: str
    plan_digest: str
    planned: tuple[PlannedOp, ...]


@dataclass(frozen=True)
class OpRecord:
    kind: str
    address: str
    ids: tuple[tuple[str, str], ...] = ()
    calls: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class RunRecord:
    path: Path
    header: RunHeader
    done: tuple[OpRecord, ...]
    outcome: Outcome
    error: str | None = None

    @property
    def remaining(self) -> tuple[PlannedOp, ...]:
        """The planned ops not done: ops run in plan order, so what follows the done ones."""
        return self.header.planned[len(self.done):]

    def calls(self) -> dict[str, int]:
        """AWS requests sent by the completed ops, by operation."""
        total: dict[str, int] = {}
        for record in self.done:
            for operation, count in record.calls:
                total[operation] = total.get(operation, 0) + count
        return dict(sorted(total.items()))


# -- writing --------------------------------------------------------------------------------

def _checked(pattern: re.Pattern[str], value: str, what: str) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        # The value itself is not shown: it may be exactly what must never be written.
        raise ValueError(f"run journal: refused {what} (not of the expected form)")
    return value


def _op_line(kind: str, address: str, ids: Mapping[str, str],
             calls: Mapping[str, int]) -> dict[str, Any]:
    for count in calls.values():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError("run journal: refused a call count (not a count)")
    return {"type": "op", "op": _checked(_KIND, kind, "an op kind"),
            "address": _checked(_ADDRESS, address, "an address"),
            "ids": {_checked(_ADDRESS, a, "an address"): _checked(_ID, i, "an id")
                    for a, i in ids.items()},
            "calls": {_checked(_OPERATION, o, "an operation name"): c
                      for o, c in calls.items()}}


def _target(text: str) -> str:
    return _checked(_TEXT, _USERINFO.sub("(redacted)@", text), "a target description")


def new_run_id(now: datetime) -> str:
    """Sortable by start time (to the microsecond), then 6 random hex digits."""
    return f"{now.astimezone(timezone.utc):%Y%m%dT%H%M%S%fZ}-{os.urandom(3).hex()}"


class RunLog:
    """The journal of one run, written as it goes. Use :meth:`start`; as a context manager
    a run left without an end line ends ``failed`` with the exception's class, or
    ``complete`` when none was raised."""

    def __init__(self, path: Path, file: IO[str]) -> None:
        self.path, self._file = path, file
        self.finished = False

    @classmethod
    def start(cls, directory: Path, *, target: str, plan_digest: str,
              planned: Iterable[PlannedOp], version: str = __version__,
              now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> RunLog:
        started = now()
        run_id = new_run_id(started)
        header = {"type": "header", "run_id": run_id,
                  "started": started.astimezone(timezone.utc).isoformat(timespec="seconds"),
                  "apigwctl": _checked(_TEXT, version, "a version"),
                  "target": _target(target),
                  "plan_digest": _checked(_DIGEST, plan_digest, "a plan digest"),
                  "planned": [{"op": _checked(_KIND, p.kind, "an op kind"),
                               "address": _checked(_ADDRESS, p.address, "an address")}
                              for p in planned]}
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{run_id}{SUFFIX}"
        log = cls(path, path.open("x", encoding="utf-8"))
        log._write(header)
        return log

    def op_done(self, kind: str, address: str, *, ids: Mapping[str, str] | None = None,
                calls: Mapping[str, int] | None = None) -> None:
        """One completed op: the ids it created or found, the AWS requests it sent."""
        self._write(_op_line(kind, address, ids or {}, calls or {}))

    def complete(self) -> None:
        self._end({"type": "end", "outcome": Outcome.COMPLETE.value})

    def failed(self, error: str) -> None:
        """The run stopped on ``error``: an AWS error code or an exception's class name,
        never a message (AWS messages may quote what was sent)."""
        self._end({"type": "end", "outcome": Outcome.FAILED.value,
                   "error": _checked(_CODE, error, "an error code")})

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> RunLog:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if not self.finished:
                if exc_type is None:
                    self.complete()
                else:
                    self.failed(exc_type.__name__)
        finally:
            self.close()

    def _end(self, line: dict[str, Any]) -> None:
        if self.finished:
            raise ValueError("run journal: the run has ended already")
        self._write(line)
        self.finished = True

    def _write(self, line: dict[str, Any]) -> None:
        if self.finished:
            raise ValueError("run journal: the run has ended already")
        self._file.write(json.dumps(line, separators=(",", ":"), sort_keys=True) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())


# -- reading --------------------------------------------------------------------------------

def read_runlog(path: Path) -> RunRecord:
    """One journal back. A last line cut short (a run killed while writing) is ignored."""
    lines = path.read_text(encoding="utf-8").splitlines()
    parsed: list[dict[str, Any]] = []
    for number, text in enumerate(lines, start=1):
        try:
            parsed.append(json.loads(text))
        except json.JSONDecodeError:
            if number == len(lines):
                break
            raise _corrupt(path, f"line {number} is not JSON") from None
    if not parsed or parsed[0].get("type") != "header":
        raise _corrupt(path, "no header line")
    header = _header(parsed[0])
    done = tuple(_record(line) for line in parsed[1:] if line.get("type") == "op")
    end = next((line for line in parsed[1:] if line.get("type") == "end"), None)
    if end is None:
        return RunRecord(path, header, done, Outcome.INTERRUPTED)
    return RunRecord(path, header, done, Outcome(end["outcome"]), end.get("error"))


def _corrupt(path: Path, why: str) -> ApigwctlError:
    return ApigwctlError(f"run journal {path} is damaged: {why}", where=str(path),
                         hint="it is only a record: move it aside; `apigwctl plan` reads "
                              "the live state, not the journal")


def _header(line: Mapping[str, Any]) -> RunHeader:
    planned = tuple(PlannedOp(p["op"], p["address"]) for p in line.get("planned", ()))
    return RunHeader(line["run_id"], line["started"], line["apigwctl"], line["target"],
                     line["plan_digest"], planned)


def _record(line: Mapping[str, Any]) -> OpRecord:
    return OpRecord(line["op"], line["address"], tuple(sorted(line["ids"].items())),
                    tuple(sorted(line["calls"].items())))


def journals(directory: Path) -> list[Path]:
    """The journals in ``directory``, oldest first (run ids sort by start time)."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob(f"*{SUFFIX}") if _RUN_ID.fullmatch(p.stem))


def last_incomplete(directory: Path) -> RunRecord | None:
    """The latest run, if it did not complete (failed or interrupted); else None.

    An earlier unfinished run followed by a complete one is not returned: that later apply
    planned from the live state and finished its work.
    """
    paths = journals(directory)
    if not paths:
        return None
    record = read_runlog(paths[-1])
    return None if record.outcome is Outcome.COMPLETE else record


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` journals; returns the deleted paths."""
    paths = journals(directory)
    old = paths[:max(0, len(paths) - keep)]
    for path in old:
        path.unlink()
    return old


def planned_ops(items: Sequence[Mapping[str, Any]]) -> list[PlannedOp]:
    """PlannedOps from ops' machine forms (``op.to_dict()``): only kind and address."""
    return [PlannedOp(str(item["op"]), str(item["address"])) for item in items]
