"""Command-line interface: the click group lives in ``app``, one module per command family."""

from apigwctl.cli import config_cmds as _config_cmds  # noqa: F401  (registers commands)
from apigwctl.cli import emulator as _emulator  # noqa: F401  (registers commands)
from apigwctl.cli import plan as _plan  # noqa: F401  (registers commands)
from apigwctl.cli import validate as _validate  # noqa: F401  (registers commands)
from apigwctl.cli.app import cli, main

__all__ = ["cli", "main"]
