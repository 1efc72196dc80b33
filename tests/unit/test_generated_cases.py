"""Bad examples too big to keep as files are generated here."""

from __future__ import annotations

from pathlib import Path

from apigwctl.spec.validate import validate_path

CASES = Path(__file__).resolve().parent.parent / "cases" / "rules"


def test_e2205_template_over_300kb(tmp_path: Path) -> None:
    good = (CASES / "E2205" / "good.yaml").read_text()
    padding = "".join(f'\n  "p{i}": "{"x" * 90}",' for i in range(3500))
    bad = good.replace('{"statusCode": 200}', '{"statusCode": 200,' +
                       padding.replace("\n", "\n            ") + '\n            "end": 1}')
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    assert path.stat().st_size > 307_200
    found = [d for d in validate_path(str(path)).diagnostics if d.rule == "E2205"]
    assert [(d.line, d.col) for d in found] == [(11, 11)]
