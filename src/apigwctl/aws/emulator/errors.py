"""Errors the emulator raises to the user (rendered by the CLI as what / hint)."""

from __future__ import annotations

from apigwctl.errors import ApigwctlError

RESET_HINT = "run `apigwctl emulator reset` to start from an empty emulator"


class EmulatorStateError(ApigwctlError):
    """The persisted state cannot be used: corrupt, or written by another moto or format."""


class EmulatorLockTimeout(ApigwctlError):
    """Another process holds the emulator lock for longer than the timeout."""
