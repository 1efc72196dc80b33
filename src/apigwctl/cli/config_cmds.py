"""`apigwctl schema`: the deployment file's JSON Schema, for editor completion."""

from __future__ import annotations

import sys

from apigwctl.config import schema_text

from .app import cli


@cli.command()
def schema() -> None:
    """Print the JSON Schema of apigwctl.yaml (draft 2020-12).

    Save it and point your editor at it, e.g. with a first line
    `# yaml-language-server: $schema=apigwctl.schema.json`.
    """
    sys.stdout.write(schema_text())
