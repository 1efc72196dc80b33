"""Command-line interface: the click group lives in ``app``, one module per command family.

The command modules are imported on demand (``app.COMMAND_MODULES``), not here: importing
them all would make every command pay for the heaviest one's imports.
"""

from apigwctl.cli.app import cli, main

__all__ = ["cli", "main"]
