"""Apply's progress: one line per op, quota waits shown as such, and the call accounting.

:class:`Progress` takes the executor's events: ``started(description)`` as an op begins,
``done(description, result)`` as it completes, and ``waiting(operation, seconds, reason)``,
which has the signature of :class:`apigwctl.aws.calls.QuotaClient`'s ``on_wait``. On a
terminal (``console.is_terminal``) a rich progress bar at the bottom shows how many ops are
done and what is happening now; the finished ops and the waits scroll above it, and the
bar goes away at the end. Anywhere else (a pipe, CI, a log file) there is no bar: one plain
line per op and per wait, nothing rewritten, so logs read top to bottom::

      done: create deployment of petstore -> created deployment abc123
      waiting 4.2 s for CreateDeployment quota
      waiting 1.3 s to retry UpdateStage after ConflictException

:func:`render_accounting` is the summary table of AWS calls per operation; and
:func:`render_incomplete` says what a run that did not finish did and left to do.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgress

from apigwctl.aws.calls import QUOTA

if TYPE_CHECKING:
    from apigwctl.aws.calls import Accounting
    from apigwctl.runlog import RunRecord


def wait_line(operation: str, seconds: float, reason: str) -> str:
    """"waiting 4.2 s for CreateDeployment quota" (or "... to retry X after CODE")."""
    if reason == QUOTA:
        return f"waiting {seconds:.1f} s for {operation} quota"
    return f"waiting {seconds:.1f} s to retry {operation} after {reason}"


class Progress:
    """Progress of ``total`` ops on ``console``; a bar only when the console is a terminal.

    Use as a context manager around the run: the bar (if any) starts and stops with it.
    """

    def __init__(self, console: Console, total: int) -> None:
        self.console, self.total = console, total
        self.finished = 0
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None
        if console.is_terminal:
            # rich's timer redraws 4 times a second, so the elapsed time goes on during a
            # 20 s quota wait (a frozen clock looks hung); each event also redraws at once.
            self._bar = RichProgress(TextColumn("applying"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), TextColumn("{task.description}"),
                                     console=console, transient=True, refresh_per_second=4)
            self._task = self._bar.add_task("", total=total)

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def started(self, description: str) -> None:
        self._status(description)

    def done(self, description: str, result: str) -> None:
        self.finished += 1
        self._line(f"  done: {description} -> {result}")
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self.finished, description="")
            self._bar.refresh()

    def waiting(self, operation: str, seconds: float, reason: str) -> None:
        text = wait_line(operation, seconds, reason)
        self._line(f"  {text}", style="dim")
        self._status(text)

    def _line(self, text: str, style: str | None = None) -> None:
        # Through the bar's console while it runs, so the line lands above the bar.
        console = self._bar.console if self._bar is not None else self.console
        console.print(text, style=style, markup=False, highlight=False)

    def _status(self, text: str) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=text)
            self._bar.refresh()


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def render_accounting(accounting: Accounting) -> str:
    """AWS calls per operation: requests sent, retries among them, seconds waited."""
    rows = [(op, c.calls, c.retries, c.quota_wait, c.backoff)
            for op, c in accounting.operations]
    total = accounting.total
    rows.append(("total", total.calls, total.retries, total.quota_wait, total.backoff))
    width = max(len("AWS operation"), *(len(r[0]) for r in rows))
    lines = [f"{'AWS operation':<{width}}  calls  retries  quota wait  backoff"]
    for op, calls, retries, quota, backoff in rows:
        lines.append(f"{op:<{width}}  {calls:>5}  {retries:>7}  {_seconds(quota):>10}"
                     f"  {_seconds(backoff):>7}")
    return "\n".join(lines) + "\n"


def render_incomplete(record: RunRecord) -> str:
    """What an unfinished run (from its journal) did and what it left to do."""
    header = record.header
    why = record.outcome.value + (f" ({record.error})" if record.error else "")
    lines = [f"The last apply (run {header.run_id}, started {header.started}, against "
             f"{header.target}) {why} after {len(record.done)} of {len(header.planned)} "
             "operations."]
    lines += [f"  done:    {r.kind} {r.address}" for r in record.done]
    lines += [f"  remains: {p.kind} {p.address}" for p in record.remaining]
    return "\n".join(lines) + "\n"
