"""The click group, global options, and the one place exceptions become exit codes.

Usage errors exit 64 (click's own 2 is reserved for "changes present"); an
:class:`ApigwctlError` prints what / where / hint and exits with its code; anything else is
an internal error, shown with a traceback only under ``--debug``.

Commands load lazily: the group knows which module defines each command
(:data:`COMMAND_MODULES`) and imports it only when that command runs or help lists it, so
``validate`` does not import moto and boto3 (the emulator), nor ``plan`` the rule registry.
A command module registers itself on import with ``@cli.command()``, as before.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import sys
import traceback
from dataclasses import dataclass

import click
from rich.text import Text

from apigwctl import __version__
from apigwctl.errors import ApigwctlError
from apigwctl.exitcodes import ExitCode
from apigwctl.render.console import make_console

# At exit, freeze the heap: the collections the interpreter runs while shutting down then
# skip it instead of walking every object (about 0.2 s of CPU once moto and botocore are
# loaded). Objects are still released as modules are torn down. At exit, not at the end of
# main(): tests call main() in-process, whose garbage must stay collectable.
atexit.register(gc.freeze)

# Every top-level command and the module that defines it. A new command module must be
# listed here, or its commands are never imported.
COMMAND_MODULES = {
    "adopt": "apigwctl.cli.adopt",
    "apply": "apigwctl.cli.plan",
    "canary": "apigwctl.cli.canary",
    "diff": "apigwctl.cli.diff",
    "drift": "apigwctl.cli.plan",
    "emulator": "apigwctl.cli.emulator",
    "export": "apigwctl.cli.export",
    "init": "apigwctl.cli.init_cmd",
    "plan": "apigwctl.cli.plan",
    "rules": "apigwctl.cli.validate",
    "schema": "apigwctl.cli.config_cmds",
    "validate": "apigwctl.cli.validate",
}


class LazyGroup(click.Group):
    """A group that imports a command's module the first time the command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMAND_MODULES.get(cmd_name)
        if cmd_name not in self.commands and module is not None:
            _import_for_good(module)  # its @cli.command() adds it to self.commands
        return self.commands.get(cmd_name)


def _import_for_good(module: str) -> None:
    """Import a command's module (for ``plan``: boto3, moto, botocore's models) with the
    cyclic garbage collector paused, then freeze everything allocated so far.

    Modules live until the process exits, so the collector has nothing to find in them; yet
    every full collection walks all of them, and importing allocates enough to trigger
    many: for ``plan`` about 0.06 s of CPU, a tenth of its run. The import's own cyclic
    garbage, if any, is frozen with the rest and never reclaimed; it is small.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        importlib.import_module(module)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()


@dataclass(frozen=True)
class Globals:
    debug: bool
    no_color: bool


@click.group(cls=LazyGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="apigwctl",
                      message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.option("--no-color", is_flag=True, help="Plain output (also: NO_COLOR, or not a TTY).")
@click.pass_context
def cli(ctx: click.Context, debug: bool, no_color: bool) -> None:
    """Validate, plan and apply AWS API Gateway APIs from OpenAPI."""
    ctx.obj = Globals(debug=debug, no_color=no_color)


def globals_of(ctx: click.Context) -> Globals:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Globals) else Globals(debug=False, no_color=False)


def _report_error(err: ApigwctlError, no_color: bool) -> None:
    console = make_console(no_color, sys.stderr)
    msg = Text("error: ", style="bold red")
    msg.append(err.what)
    console.print(msg)
    if err.where:
        console.print(Text(f"  at {err.where}"))
    if err.hint:
        console.print(Text(f"  hint: {err.hint}", style="dim"))


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI and exit with a code from :class:`ExitCode`."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    no_color = "--no-color" in args
    try:
        code = cli.main(args=args, prog_name="apigwctl", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        code = ExitCode.ERROR
    except click.UsageError as exc:
        exc.show()
        code = ExitCode.USAGE
    except click.ClickException as exc:
        exc.show()
        code = ExitCode.ERROR
    except ApigwctlError as exc:
        if debug:
            traceback.print_exc()
        _report_error(exc, no_color)
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        code = 130
    except Exception as exc:  # the last resort: never a bare traceback for users
        if debug:
            traceback.print_exc()
        _report_error(ApigwctlError(
            f"internal error: {type(exc).__name__}: {exc}",
            hint="this is a bug in apigwctl; re-run with --debug and report the traceback"),
            no_color)
        code = ExitCode.ERROR
    sys.exit(int(code or 0))
