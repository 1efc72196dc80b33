"""Every example under specs/ validates with no ERROR and no WARNING."""

from __future__ import annotations

from pathlib import Path

import pytest

from apigwctl.diagnostics import Severity
from apigwctl.spec.validate import validate_path

SPECS = Path(__file__).resolve().parents[2] / "specs"
# .apigwctl/ holds what running the examples leaves (cache, emulator state): not examples
EXAMPLES = sorted(p for p in SPECS.rglob("*") if p.suffix in {".yaml", ".yml", ".json"}
                  and ".apigwctl" not in p.relative_to(SPECS).parts
                  and p.name != "apigwctl.yaml")


def test_there_are_examples() -> None:
    assert any(p.suffix == ".json" for p in EXAMPLES) and any(p.suffix == ".yaml" for p in EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=[str(p.relative_to(SPECS)) for p in EXAMPLES])
def test_example_is_clean(path: Path) -> None:
    report = validate_path(str(path))
    bad = [f"{d.line}:{d.col} {d.rule} {d.message}" for d in report.diagnostics
           if d.severity in (Severity.ERROR, Severity.WARNING)]
    assert bad == []
