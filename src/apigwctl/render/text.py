"""Findings as text: ``path:line:col  SEVERITY  RULE  message`` plus a hint line, per file."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.text import Text

from apigwctl.diagnostics import Diagnostic, Severity, Summary

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(summary: Summary) -> str:
    return (f"{_plural(summary.errors, 'error')}, {_plural(summary.warnings, 'warning')}, "
            f"{summary.infos} info in {_plural(summary.files, 'file')}")


def render_findings(console: Console,
                    groups: Sequence[tuple[str, Sequence[Diagnostic]]]) -> None:
    """One group per input file (with findings in the files it references); clean -> ``ok``."""
    everything: list[Diagnostic] = []
    for name, diagnostics in groups:
        everything.extend(diagnostics)
        if not diagnostics:
            console.print(Text(f"{name}: ok", style="green"))
            continue
        for d in diagnostics:
            where = f"{d.file}:{d.line}:{d.col}" if d.line else d.file
            line = Text(f"{where}  ")
            line.append(f"{d.severity.value:<8}", style=_STYLE[d.severity])
            line.append(f"{d.rule}  ", style="bold")
            line.append(d.message)
            console.print(line)
            if d.hint:
                console.print(Text(f"    hint: {d.hint}", style="dim"))
        console.print()
    console.print(Text(summary_line(Summary.of(everything, len(groups))), style="bold"))
