"""Findings as JSON: a list of objects (rule, severity, file, pointer, line, col, message, hint)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from apigwctl.diagnostics import Diagnostic


def findings_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False) + "\n"
