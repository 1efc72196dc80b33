"""Suite-wide settings.

The embedded emulator enforces AWS's control-plane quotas by default (CreateDeployment 1 per
5 s, ...), across processes. Most tests apply many times in a row and are not about quotas,
so they run with the emulator's quotas off; the tests about quotas turn them on themselves.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _emulator_quotas_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APIGWCTL_EMULATOR_QUOTAS", "off")
