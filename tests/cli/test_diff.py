"""``apigwctl diff OLD NEW``: goldens for text and json, and the exit codes.

Regenerate (and review the diff!) with: APIGWCTL_REGEN_GOLDEN=1 pytest tests/cli/test_diff.py
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from .conftest import Run

CASE = Path(__file__).resolve().parent.parent / "cases" / "breaking"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_golden(fmt: str, run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASE)
    code, out, err = run("--no-color", "diff", "old.yaml", "new.yaml", "--format", fmt)
    assert (code, err) == (0, "")
    expected = CASE / f"expected.{fmt}"
    if os.environ.get("APIGWCTL_REGEN_GOLDEN"):
        expected.write_text(out, encoding="utf-8")
    assert out == expected.read_text(encoding="utf-8")


def test_json_is_the_report(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASE)
    _, out, _ = run("diff", "old.yaml", "new.yaml", "--format", "json")
    doc = json.loads(out)
    assert (doc["version"], doc["old"], doc["new"]) == (1, "old.yaml", "new.yaml")
    assert doc["summary"] == {"breaking": len(doc["breaking"]),
                              "additions": len(doc["additions"])}
    assert {"route-removed", "method-removed", "api-key-required"} <= {
        f["kind"] for f in doc["breaking"]}


def test_fail_on_breaking(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CASE)
    code, out, err = run("diff", "old.yaml", "new.yaml", "--fail-on-breaking")
    assert code == 1
    assert out.endswith("breaking changes, 6 additions.\n")
    assert "breaking change(s) (--fail-on-breaking)" in err


def test_no_breaking_change_exits_0(run: Run, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    monkeypatch.chdir(CASE)
    code, out, _ = run("diff", "old.yaml", "old.yaml", "--fail-on-breaking")
    assert (code, out) == (0, "0 breaking changes, 0 additions.\n")
    # additions alone never fail
    grown = tmp_path / "grown.yaml"
    grown.write_text((CASE / "old.yaml").read_text(encoding="utf-8").replace(
        "  /health:\n", "  /owners:\n    get:\n      responses:\n"
        "        \"200\": {description: ok}\n  /health:\n"), encoding="utf-8")
    code, out, _ = run("diff", "old.yaml", str(grown), "--fail-on-breaking")
    assert (code, out.splitlines()[-1]) == (0, "0 breaking changes, 1 addition.")


def test_unreadable_spec_is_an_error(run: Run, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: [unclosed\n", encoding="utf-8")
    code, out, err = run("--no-color", "diff", str(broken), str(CASE / "new.yaml"))
    assert (code, out) == (1, "")
    assert f"error: {broken} is not an OpenAPI document apigwctl can read" in err
    code, _, err = run("diff", str(tmp_path / "missing.yaml"), str(CASE / "new.yaml"))
    assert code == 64
