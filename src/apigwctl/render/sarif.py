"""Findings as SARIF 2.1.0, for GitHub code scanning and other SARIF consumers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from apigwctl import __version__
from apigwctl.diagnostics import Diagnostic, Severity
from apigwctl.spec.rules.base import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(rule: type[Rule]) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.__name__,
        "shortDescription": {"text": rule.description},
        "helpUri": rule.doc_url,
        "defaultConfiguration": {"level": _LEVEL[rule.severity()]},
    }


def _result(d: Diagnostic, index: dict[str, int]) -> dict[str, Any]:
    text = d.message + (f"\nHint: {d.hint}" if d.hint else "")
    region = {"startLine": max(d.line, 1), "startColumn": max(d.col, 1)}
    return {
        "ruleId": d.rule,
        "ruleIndex": index[d.rule],
        "level": _LEVEL[d.severity],
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": PurePath(d.file).as_posix()},
                "region": region,
            },
            "logicalLocations": [{"fullyQualifiedName": d.pointer_text or "/",
                                  "kind": "object"}],
        }],
    }


def findings_sarif(diagnostics: Sequence[Diagnostic], rules: Sequence[type[Rule]]) -> str:
    index = {r.id: i for i, r in enumerate(rules)}
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "apigwctl",
                "version": __version__,
                "informationUri": "https://github.com/apigwctl/apigwctl",
                "rules": [_rule(r) for r in rules],
            }},
            "results": [_result(d, index) for d in diagnostics if d.rule in index],
        }],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
