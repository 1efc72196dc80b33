"""The CI recipes' own shell steps, run against the embedded emulator.

The GitHub Actions workflow and the GitLab CI file in examples/ci/ and the pre-commit hook in
.pre-commit-hooks.yaml are parsed, and every step that runs apigwctl is run as written, in a
copy of the petstore example, with the target switched from `aws` to the emulator (the only
change) and `apigwctl` on PATH. Steps that install the tool or fetch credentials are skipped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from .support import ROOT, copy_petstore, env

RECIPES = ROOT / "examples" / "ci"


def _shell(project: Path, command: str) -> subprocess.CompletedProcess[str]:
    environ = env(APIGWCTL_CONFIG="apigwctl.yaml", APIGWCTL_TARGET="emulator",
                  PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(["bash", "-e", "-c", command], cwd=project, env=environ,
                          capture_output=True, text=True, timeout=180, check=False)


def _runs(job: dict[str, Any]) -> list[str]:
    return [s["run"] for s in job.get("steps", []) if "run" in s and "apigwctl" in s["run"]
            and not s["run"].startswith("pip ")]


def _run_all(project: Path, commands: list[str]) -> None:
    for command in commands:
        done = _shell(project, command)
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"


def test_github_actions_steps(tmp_path: Path) -> None:
    workflow = yaml.safe_load((RECIPES / "github-actions.yml").read_text())
    assert workflow["env"]["APIGWCTL_TARGET"] == "aws"  # what the test switches
    jobs = workflow["jobs"]
    project = copy_petstore(tmp_path)
    _run_all(project, _runs(jobs["validate"]))
    assert '"version": "2.1.0"' in (project / "apigwctl.sarif").read_text()
    _run_all(project, _runs(jobs["plan"]))
    assert (project / "plan.md").read_text().startswith("### apigwctl plan: REST API")
    _run_all(project, _runs(jobs["apply"]))
    assert _shell(project, "apigwctl plan --detailed-exitcode").returncode == 0


def test_gitlab_ci_scripts(tmp_path: Path) -> None:
    pipeline = yaml.safe_load((RECIPES / "gitlab-ci.yml").read_text())
    project = copy_petstore(tmp_path)
    for job in ("validate", "plan", "apply"):
        _run_all(project, [line for line in pipeline[job]["script"] if "apigwctl" in line])
    assert (project / "plan.md").exists() and (project / "apigwctl.sarif").exists()
    assert _shell(project, "apigwctl plan --detailed-exitcode").returncode == 0


def test_pre_commit_hook(tmp_path: Path) -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "apigwctl-validate")
    assert hook["pass_filenames"] is False
    project = copy_petstore(tmp_path)
    assert _shell(project, hook["entry"]).returncode == 0
    (project / "openapi.yaml").write_text("openapi: 3.0.3\npaths: {}\n")  # no info: an error
    assert _shell(project, hook["entry"]).returncode == 1
