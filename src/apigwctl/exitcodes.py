"""Process exit codes, defined once for every command.

2 is reserved for "changes present" (``--detailed-exitcode``), so click's own usage-error
code 2 is remapped to 64 (EX_USAGE from sysexits.h).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    CHANGES = 2
    USAGE = 64
