"""One place that decides how output looks: colour only on a TTY, never with --no-color/NO_COLOR."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from rich.console import Console


def want_color(no_color: bool, stream: TextIO) -> bool:
    if no_color or os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def make_console(no_color: bool = False, stream: TextIO | None = None,
                 width: int | None = None) -> Console:
    """A console for ``stream`` (stdout by default); plain text unless colour is wanted."""
    out = stream or sys.stdout
    color = want_color(no_color, out)
    return Console(
        file=out,
        color_system="auto" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        soft_wrap=True,
        width=width or (None if color else 100),
    )
