"""Running the real CLI in a subprocess, and golden files for what it prints.

Regenerate goldens (and review the diff!) with APIGWCTL_REGEN_GOLDEN=1.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PETSTORE = ROOT / "specs" / "petstore"
GOLDEN = ROOT / "tests" / "cases" / "plans"
_ISOLATED = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
             "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
             "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1",
             "APIGWCTL_EMULATOR_QUOTAS": "off"}  # tests/conftest.py says why
_DROPPED = ("APIGWCTL_TARGET", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN",
            "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION")


def env(**extra: str) -> dict[str, str]:
    """The environment of a user with fake credentials and no AWS configuration."""
    base = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    return {**base, **_ISOLATED, **extra}


def run(cwd: Path, *args: str, environ: dict[str, str] | None = None,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apigwctl", "--no-color", *args], cwd=cwd,
                          env=environ or env(), input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120, check=False)


def run_on_terminal(cwd: Path, answer: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run with stdin on a pseudo-terminal (so apply asks) and type ``answer``."""
    main, secondary = os.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "apigwctl", "--no-color", *args],
                                cwd=cwd, env=env(), stdin=secondary, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        os.close(secondary)
        os.write(main, answer.encode())
        out, err = proc.communicate(timeout=120)
    finally:
        os.close(main)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def copy_petstore(dest: Path) -> Path:
    """The example's files (spec, deployment file, key file), without any state of a run."""
    shutil.copytree(PETSTORE, dest, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".apigwctl"))
    return dest


_SHA = re.compile(r'"sha256": "[0-9a-f]{64}"')


def golden(name: str, text: str) -> None:
    """Compare with tests/cases/plans/<name> (plans name no ids: they need no masking)."""
    path = GOLDEN / name
    if os.environ.get("APIGWCTL_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


_SALT = re.compile(r'"key_salt": "[0-9a-f]*"')


def mask_live_digest(text: str) -> str:
    """The live digest covers random emulator ids, and the key salt is new per plan; the
    file digests stay (they are stable)."""
    text = _SALT.sub('"key_salt": "<salt>"', text)
    head, sep, tail = text.partition('"live": {')
    return head + sep + _SHA.sub('"sha256": "<live digest>"', tail, count=1) if sep else text
