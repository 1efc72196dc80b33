"""Suite-wide settings.

The embedded emulator enforces AWS's control-plane quotas by default (CreateDeployment 1 per
5 s, ...), across processes. Most tests apply many times in a row and are not about quotas,
so the whole suite (module-scoped fixtures and subprocesses included) runs with the
emulator's quotas off; the tests about quotas turn them on themselves (``mode="aws"``).
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    os.environ["APIGWCTL_EMULATOR_QUOTAS"] = "off"
