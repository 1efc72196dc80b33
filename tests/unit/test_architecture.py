"""House rules that code review alone would miss."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "apigwctl"
_BOTO = re.compile(r"^\s*(import|from)\s+(boto3|botocore)\b", re.M)


def test_only_the_aws_package_imports_boto3() -> None:
    offenders = [str(p.relative_to(SRC)) for p in SRC.rglob("*.py")
                 if "aws" not in p.relative_to(SRC).parts[:1] and _BOTO.search(p.read_text())]
    assert offenders == []


def test_no_mock_patch_of_our_code_in_tests() -> None:
    tests = Path(__file__).resolve().parents[1]
    offenders = [str(p) for p in tests.rglob("*.py")
                 if p != Path(__file__).resolve() and "mock.patch" in p.read_text()]
    assert offenders == []
