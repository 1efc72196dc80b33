"""Fixtures for the emulator tests: an in-process emulator, plain moto, and a served one."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws

from apigwctl.aws.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]
PETSTORE = REPO / "specs" / "petstore" / "openapi.yaml"


def plain_client() -> Any:
    return boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing",
        region_name="us-east-1").client("apigateway", config=Config(retries={"max_attempts": 1}))


@contextlib.contextmanager
def _plain() -> Iterator[Any]:
    with mock_aws():
        yield plain_client()


@pytest.fixture
def plain() -> Callable[[], contextlib.AbstractContextManager[Any]]:
    """``with plain() as client``: plain moto 5.2.5, no fidelity layer (never nested in emu)."""
    return _plain


@pytest.fixture
def emu(tmp_path: Path) -> Callable[[], contextlib.AbstractContextManager[Any]]:
    """``with emu() as client``: the embedded emulator on a fresh state dir."""
    @contextlib.contextmanager
    def _emu() -> Iterator[Any]:
        with Emulator(tmp_path / "state", write=True) as em:
            yield em.client("apigateway")
    return _emu


@pytest.fixture
def subprocess_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "src")}
