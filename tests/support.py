"""Where the shared corpus is, and what its MANIFEST lists; one place for every test.

The corpus lives beside the repository (``../shared/corpus``) or where APIGWCTL_CORPUS
points. CI always has it; elsewhere the tests that need it skip.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def corpus_dir() -> Path | None:
    env = os.environ.get("APIGWCTL_CORPUS")
    for cand in ([Path(env)] if env else []) + [ROOT.parent / "shared" / "corpus"]:
        if (cand / "MANIFEST.tsv").is_file():
            return cand
    return None


def manifest_rows() -> list[dict[str, str]]:
    """The MANIFEST's rows (file, api_kind, notes, ...); empty without a corpus."""
    corpus = corpus_dir()
    if corpus is None:
        return []
    with (corpus / "MANIFEST.tsv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def corpus_files() -> list[Path]:
    corpus = corpus_dir()
    return [corpus / row["file"] for row in manifest_rows()] if corpus else []
