"""Every rule has a good and a bad example under tests/cases/rules/<RULE-ID>/.

- ``good.yaml|json``: the rule reports nothing.
- ``bad.yaml|json``: the rule reports at least once; if the file's first line is
  ``# expect: LINE:COL`` the first finding of the rule is placed exactly there.
- an optional ``kind`` file holds REST or HTTP (default: detected from the document).
- deployment-file rules (E3xxx) have ``good/apigwctl.yaml`` and ``bad/apigwctl.yaml`` instead,
  checked with their spec (usually ``../openapi.yaml``) by ``check_deployment``.
Rules whose bad input cannot be a small file (size, depth and alias bounds) are tested in
test_loader.py or test_generated_cases.py instead and listed in GENERATED.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apigwctl.config import check_deployment
from apigwctl.spec.loader import ApiKind, Limits
from apigwctl.spec.rules import all_rules
from apigwctl.spec.validate import validate_path

CASES = Path(__file__).resolve().parent.parent / "cases" / "rules"
GENERATED = {"E0002", "E0003", "E0004", "E2205"}
_EXPECT = re.compile(r"#\s*expect:\s*(\d+):(\d+)")
RULE_IDS = [r.id for r in all_rules()]


def _case(rule_id: str, name: str) -> Path:
    deployment = CASES / rule_id / name / "apigwctl.yaml"
    if deployment.exists():
        return deployment
    found = sorted((CASES / rule_id).glob(f"{name}.*"))
    assert found, f"missing tests/cases/rules/{rule_id}/{name}.yaml (or .json)"
    return found[0]


def _kind(rule_id: str) -> ApiKind | None:
    f = CASES / rule_id / "kind"
    return ApiKind(f.read_text().strip()) if f.exists() else None


def _findings(path: Path, rule_id: str) -> list[tuple[int, int, str]]:
    if path.name == "apigwctl.yaml":
        diags = check_deployment(path).diagnostics
        return [(d.line, d.col, d.message) for d in diags if d.rule == rule_id]
    report = validate_path(str(path), kind=_kind(rule_id), limits=Limits(max_bytes=1 << 20))
    return [(d.line, d.col, d.message) for d in report.diagnostics if d.rule == rule_id]


@pytest.mark.parametrize("rule_id", [r for r in RULE_IDS if r not in GENERATED])
def test_good_example_is_clean(rule_id: str) -> None:
    assert _findings(_case(rule_id, "good"), rule_id) == []


@pytest.mark.parametrize("rule_id", [r for r in RULE_IDS if r not in GENERATED])
def test_bad_example_is_reported(rule_id: str) -> None:
    path = _case(rule_id, "bad")
    found = _findings(path, rule_id)
    assert found, f"{rule_id} reported nothing for {path.name}"
    m = _EXPECT.search(path.read_text(encoding="utf-8", errors="replace").splitlines()[0])
    if m:
        assert found[0][:2] == (int(m[1]), int(m[2])), found


def test_at_least_forty_rules() -> None:
    assert len(RULE_IDS) >= 40, len(RULE_IDS)


def test_every_rule_is_documented() -> None:
    for rule in all_rules():
        assert rule.description and rule.doc_url.startswith("https://"), rule.id
