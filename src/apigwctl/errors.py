"""User-facing errors that render themselves as what / where / hint.

Anything raised as an :class:`ApigwctlError` is shown without a traceback (unless
``--debug``) and maps to an exit code in one place (``cli``).
"""

from __future__ import annotations

from dataclasses import dataclass

from apigwctl.exitcodes import ExitCode


@dataclass(frozen=True)
class ApigwctlError(Exception):
    """An error the user can act on."""

    what: str
    where: str | None = None
    hint: str | None = None
    exit_code: ExitCode = ExitCode.ERROR

    def __str__(self) -> str:
        return self.what


@dataclass(frozen=True)
class UsageError(ApigwctlError):
    """Wrong command-line usage (exit 64)."""

    exit_code: ExitCode = ExitCode.USAGE
