"""API key values appear in no output, plan file, run journal or cache apigwctl writes.

The value is set through the environment (a distinctive one) and through the example's
key file; every command that could show it is run, with --debug too, and everything it
printed or wrote outside the emulator's own state is searched for it. (The emulator keeps
values as AWS does, to answer get_api_keys(includeValues); see the README's Emulator limits.)
"""

from __future__ import annotations

from pathlib import Path

from .support import copy_petstore, env, run

VALUE = "ZZsecretZZ-apigwctl-test-value-42"


def test_key_values_are_never_printed_or_written(tmp_path: Path) -> None:
    project = copy_petstore(tmp_path)
    config = project / "apigwctl.yaml"
    config.write_text(config.read_text().replace(
        "value: ${file:keys/demo-partner.key}", "value: ${env:PARTNER_KEY}"))
    file_value = (project / "keys" / "demo-partner.key").read_text().strip()
    environ = env(PARTNER_KEY=VALUE)
    outputs = [run(project, *args, environ=environ) for args in (
        ("validate", "-c", "apigwctl.yaml"), ("plan", "-o", "plan.json"),
        ("--debug", "plan", "--format", "json"), ("apply", "plan.json"),
        ("--debug", "apply", "--auto-approve", "--format", "json"))]
    assert [o.returncode for o in outputs] == [0, 0, 0, 0, 0], outputs[-1].stderr
    config.write_text(config.read_text().replace("${env:PARTNER_KEY}", "${env:UNSET_KEY}"))
    outputs.append(run(project, "--debug", "plan", environ=environ))  # an error path too
    assert outputs[-1].returncode == 1
    written = [p for p in project.rglob("*") if p.is_file()
               and "emulator" not in p.relative_to(project).parts]
    assert any(p.suffix == ".jsonl" for p in written)  # the run journals were searched
    for secret in (VALUE, file_value):
        assert not [o.args for o in outputs if secret in o.stdout + o.stderr]
        assert not [p for p in written if secret.encode() in p.read_bytes()
                    and p.name != "demo-partner.key"]
