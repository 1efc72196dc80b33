"""User-facing errors that render themselves as what / where / hint.

Anything raised as an :class:`ApigwctlError` is shown without a traceback (unless
``--debug``) and maps to an exit code in one place (``cli``). These are plain exception
classes, not frozen dataclasses: Python sets ``__traceback__``/``__context__`` on exceptions
as they propagate (through context managers, for instance), which a frozen instance refuses.
"""

from __future__ import annotations

from apigwctl.exitcodes import ExitCode


class ApigwctlError(Exception):
    """An error the user can act on."""

    default_exit_code = ExitCode.ERROR

    def __init__(self, what: str, where: str | None = None, hint: str | None = None,
                 exit_code: ExitCode | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.where = where
        self.hint = hint
        self.exit_code = exit_code if exit_code is not None else self.default_exit_code

    def __str__(self) -> str:
        return self.what


class UsageError(ApigwctlError):
    """Wrong command-line usage (exit 64)."""

    default_exit_code = ExitCode.USAGE
