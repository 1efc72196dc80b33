"""The CLI skeleton: version, exit codes, colour policy, no tracebacks on bad input."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from apigwctl import __version__
from apigwctl.render.console import make_console

from .conftest import Run

CASES = Path(__file__).resolve().parent.parent / "cases"
GOOD = CASES / "rules" / "E0001" / "good.yaml"
BAD = CASES / "rules" / "E0001" / "bad.yaml"


def test_version(run: Run) -> None:
    code, out, _ = run("--version")
    assert (code, out.strip()) == (0, f"apigwctl {__version__}")


def test_python_dash_m_runs_the_cli() -> None:
    proc = subprocess.run([sys.executable, "-m", "apigwctl", "--version"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and __version__ in proc.stdout


def test_usage_error_exits_64_not_2(run: Run) -> None:
    code, _, err = run("validate", "--no-such-option", str(GOOD))
    assert code == 64 and "No such option" in err


def test_missing_argument_is_usage_error(run: Run) -> None:
    assert run("validate")[0] == 64


def test_clean_file_exits_0(run: Run) -> None:
    code, out, _ = run("--no-color", "validate", str(GOOD))
    assert code == 0 and out.rstrip().endswith("0 errors, 0 warnings, 0 info in 1 file")


def test_errors_exit_1_with_location_and_hint(run: Run) -> None:
    code, out, err = run("--no-color", "validate", str(BAD))
    assert code == 1
    assert f"{BAD}:4:14  ERROR   E0001  invalid YAML" in out
    assert "hint:" in out and "Traceback" not in out + err


def test_missing_file_is_a_finding_not_a_traceback(run: Run, tmp_path: Path) -> None:
    code, out, err = run("validate", "--format", "json", str(tmp_path / "nope.yaml"))
    assert code == 1 and "Traceback" not in err
    assert json.loads(out)[0]["rule"] == "E0001"


def test_several_files_at_once(run: Run) -> None:
    code, out, _ = run("validate", "--format", "json", str(GOOD), str(BAD))
    assert code == 1
    assert {f["file"] for f in json.loads(out)} == {str(BAD)}


def test_output_file(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "out.sarif"
    code, out, _ = run("validate", "--format", "sarif", "-o", str(target), str(BAD))
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"


def test_rules_lists_every_rule(run: Run) -> None:
    code, out, _ = run("rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and len(rules) >= 40
    assert all(r["id"][0] == r["severity"][0] for r in rules)


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert make_console(stream=_Tty()).color_system is not None
    assert make_console(stream=io.StringIO()).color_system is None
    assert make_console(no_color=True, stream=_Tty()).color_system is None


def test_no_color_env_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert make_console(stream=_Tty()).color_system is None


def test_docs_rules_md_is_current() -> None:
    from apigwctl.cli.validate import rules_markdown

    docs = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    assert docs.read_text(encoding="utf-8") == rules_markdown(), (
        "regenerate: apigwctl rules --format markdown > docs/rules.md")


def test_user_errors_survive_context_managers() -> None:
    """Python sets __traceback__ on exceptions leaving a `with`; ours must allow it."""
    from contextlib import contextmanager

    from apigwctl.errors import ApigwctlError

    @contextmanager
    def scope() -> Iterator[None]:
        yield

    with pytest.raises(ApigwctlError) as exc, scope():
        raise ApigwctlError("boom", hint="do this")
    assert (exc.value.what, exc.value.hint, int(exc.value.exit_code)) == ("boom", "do this", 1)


def test_every_command_is_listed_for_lazy_loading() -> None:
    """A command module that COMMAND_MODULES does not name would never be imported."""
    import importlib
    import pkgutil

    import apigwctl.cli as package
    from apigwctl.cli.app import COMMAND_MODULES, cli

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"apigwctl.cli.{module.name}")
    registered = {name: command.callback.__module__ if command.callback else ""
                  for name, command in cli.commands.items()}
    for name, module_name in registered.items():
        assert COMMAND_MODULES.get(name) == module_name, name
