"""Embedded API Gateway emulator: moto in-process, persisted, with a fidelity layer.

See docs/emulator.md. Entry point: :class:`Emulator`.
"""

from apigwctl.aws.emulator.core import DEFAULT_STATE_DIR, MOTO_VERSION, Emulator
from apigwctl.aws.emulator.errors import EmulatorLockTimeout, EmulatorStateError

__all__ = ["DEFAULT_STATE_DIR", "MOTO_VERSION", "Emulator", "EmulatorLockTimeout",
           "EmulatorStateError"]
