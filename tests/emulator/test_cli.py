"""``apigwctl emulator status|reset`` through the real console entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from apigwctl.aws.emulator import Emulator


def apigwctl(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "apigwctl", *args], capture_output=True,
                          text=True, env=env, stdin=subprocess.DEVNULL, timeout=60,
                          check=False)


def test_status_counts(tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    with Emulator(tmp_path, write=True) as em:
        client = em.client("apigateway")
        api_id = client.create_rest_api(name="a")["id"]
        root = client.get_resources(restApiId=api_id)["items"][0]["id"]
        client.put_method(restApiId=api_id, resourceId=root, httpMethod="GET",
                          authorizationType="NONE")
        client.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET",
                               type="MOCK")
        client.create_deployment(restApiId=api_id, stageName="dev")
        client.create_api_key(name="k")
    out = apigwctl("emulator", "status", "--state-dir", str(tmp_path), env=subprocess_env)
    assert out.returncode == 0, out.stderr
    for line in ("moto: 5.2.5", "REST APIs: 1", "stages: 1", "API keys: 1",
                 "journal entries past the snapshot: 0"):
        assert line in out.stdout


def test_status_on_corrupt_state_is_a_clear_error(tmp_path: Path,
                                                  subprocess_env: dict[str, str]) -> None:
    (tmp_path / "state.pickle").write_bytes(b"junk")
    out = apigwctl("emulator", "status", "--state-dir", str(tmp_path), env=subprocess_env)
    assert out.returncode == 1
    assert "not an apigwctl emulator state file" in out.stderr
    assert "apigwctl emulator reset" in out.stderr and "Traceback" not in out.stderr


def test_reset_needs_yes_without_tty(tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    (tmp_path / "state.pickle").write_bytes(b"junk")
    refused = apigwctl("emulator", "reset", "--state-dir", str(tmp_path), env=subprocess_env)
    assert refused.returncode == 64 and "--yes" in refused.stderr
    assert (tmp_path / "state.pickle").exists()
    done = apigwctl("emulator", "reset", "--yes", "--state-dir", str(tmp_path),
                    env=subprocess_env)
    assert done.returncode == 0 and not tmp_path.exists()
