"""Validate every document of the shared corpus (../shared/corpus/MANIFEST.tsv).

- no crash, and a bounded time per file;
- every document whose notes say INVALID gets at least one ERROR;
- every document's findings are recorded in findings.golden.tsv (reviewed; regenerate with
  APIGWCTL_REGEN_GOLDEN=1 and read the diff before committing).

The corpus lives beside the repository (``../shared/corpus``) or where APIGWCTL_CORPUS points.
CI always has it; elsewhere the tests skip with a reason.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from apigwctl.diagnostics import Severity
from apigwctl.spec.loader import ApiKind
from apigwctl.spec.validate import FileReport, validate_path
from tests.support import corpus_dir, manifest_rows

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "findings.golden.tsv"
SECONDS_PER_FILE = 30.0


CORPUS = corpus_dir()
if CORPUS is None and os.environ.get("CI"):
    raise RuntimeError("the shared corpus must be beside the repository in CI (../shared/corpus)")
pytestmark = pytest.mark.skipif(CORPUS is None,
                                reason="shared corpus not found; set APIGWCTL_CORPUS")


ROWS = manifest_rows()
KIND = {"rest": ApiKind.REST, "http": ApiKind.HTTP}


def _validate(row: dict[str, str]) -> tuple[FileReport, float]:
    assert CORPUS is not None
    start = time.perf_counter()
    report = validate_path(str(CORPUS / row["file"]), KIND.get(row["api_kind"]))
    return report, time.perf_counter() - start


def _golden_lines(row: dict[str, str], report: FileReport) -> list[str]:
    assert CORPUS is not None
    lines = []
    for d in report.diagnostics:
        file = os.path.relpath(d.file, CORPUS)
        lines.append(f"{row['file']}\t{file}:{d.line}:{d.col}\t{d.rule}\t{d.message}")
    return lines or [f"{row['file']}\t-\tclean\t-"]


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_document(row: dict[str, str]) -> None:
    report, elapsed = _validate(row)
    assert elapsed < SECONDS_PER_FILE, f"{elapsed:.1f}s"
    assert not any("internal error" in d.message for d in report.diagnostics)
    if "INVALID" in row["notes"]:
        assert any(d.severity is Severity.ERROR for d in report.diagnostics), row["notes"]


def test_findings_match_golden_file() -> None:
    lines = [line for row in ROWS for line in _golden_lines(row, _validate(row)[0])]
    text = "\n".join(lines) + "\n"
    if os.environ.get("APIGWCTL_REGEN_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8").splitlines()
    missing = sorted(set(expected) - set(lines))
    extra = sorted(set(lines) - set(expected))
    assert not missing and not extra, (
        f"{len(missing)} findings gone, {len(extra)} new (first: {(missing + extra)[:5]}); "
        "review, then regenerate with APIGWCTL_REGEN_GOLDEN=1")
