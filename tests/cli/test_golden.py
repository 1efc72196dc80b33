"""Golden outputs for text, json and sarif on a colourless fixed-width console.

Regenerate (and review the diff!) with: APIGWCTL_REGEN_GOLDEN=1 pytest tests/cli/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from apigwctl import __version__

from .conftest import Run

CASE = Path(__file__).resolve().parent.parent / "cases" / "output"
INPUTS = ["mixed.yaml", "swagger2.json", "clean.yaml"]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_golden(fmt: str, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASE)
    code, out, err = run("--no-color", "validate", "--format", fmt, *INPUTS)
    assert err == ""
    assert code == 1
    out = out.replace(__version__, "{version}")
    expected = CASE / f"expected.{fmt}"
    if os.environ.get("APIGWCTL_REGEN_GOLDEN"):
        expected.write_text(out, encoding="utf-8")
    assert out == expected.read_text(encoding="utf-8")
