"""``apigwctl emulator status|reset|serve``: inspect, wipe or serve the embedded emulator."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click

from apigwctl.aws.emulator import DEFAULT_STATE_DIR, MOTO_VERSION, Emulator
from apigwctl.aws.emulator.store import JOURNAL, LOCK, locked, read_journal
from apigwctl.cli.app import cli

STATE_DIR = click.option("--state-dir", type=click.Path(file_okay=False, path_type=Path),
                         default=DEFAULT_STATE_DIR, show_default=True,
                         help="Where the emulator keeps its state.")


@cli.group()
def emulator() -> None:
    """Inspect, reset or serve the embedded API Gateway emulator."""


def _counts(em: Emulator) -> dict[str, int]:
    client = em.client("apigateway")
    apis = client.get_rest_apis()["items"]
    return {"REST APIs": len(apis),
            "stages": sum(len(client.get_stages(restApiId=a["id"])["item"]) for a in apis),
            "usage plans": len(client.get_usage_plans()["items"]),
            "API keys": len(client.get_api_keys()["items"])}


@emulator.command()
@STATE_DIR
def status(state_dir: Path) -> None:
    """Show where the state lives, moto's version and what the emulator holds."""
    click.echo(f"state dir: {state_dir}")
    click.echo(f"moto: {MOTO_VERSION}")
    if not state_dir.exists():
        click.echo("state: empty (nothing applied yet)")
        return
    with Emulator(state_dir, write=False) as em:
        counts = _counts(em)
    for name, count in counts.items():
        click.echo(f"{name}: {count}")
    _, entries = read_journal(state_dir)
    size = sum(p.stat().st_size for p in state_dir.iterdir() if p.is_file())
    click.echo(f"journal entries past the snapshot: {len(entries)} ({state_dir / JOURNAL})")
    click.echo(f"size on disk: {size} bytes")


@emulator.command()
@STATE_DIR
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(state_dir: Path, yes: bool) -> None:
    """Delete the emulator's state (every emulated API, stage, plan and key)."""
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError("refusing to reset the emulator without confirmation "
                                   "and without a terminal; pass --yes to reset from a script")
        click.confirm(f"Delete all emulator state in {state_dir}?", abort=True)
    if state_dir.exists():
        # Only the lock, not the state: a corrupt state file is a reason to reset.
        with locked(state_dir, exclusive=True, timeout=30.0):
            for path in state_dir.iterdir():
                if path.name != LOCK:
                    path.unlink() if path.is_file() else shutil.rmtree(path)
        shutil.rmtree(state_dir)
    click.echo(f"emulator state in {state_dir} removed")


@emulator.command()
@STATE_DIR
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=4566, show_default=True)
@click.option("--save-every", type=float, default=30.0, show_default=True,
              help="Seconds between snapshots while serving.")
def serve(state_dir: Path, host: str, port: int, save_every: float) -> None:
    """Serve the emulator over HTTP (use --endpoint-url with the AWS CLI or SDKs)."""
    from apigwctl.aws.emulator.server import serving  # moto's server needs flask

    with serving(state_dir, host=host, port=port, save_every=save_every) as url:
        click.echo(f"emulator serving {state_dir} on {url} (Ctrl-C to stop)", err=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopping; state saved", err=True)
