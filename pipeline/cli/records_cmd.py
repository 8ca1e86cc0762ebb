"""``oral-archive show``."""

from __future__ import annotations

import json
import sys

import click

from .app import main, open_archive, print_json, stdout


@main.command("show")
@click.argument("record_id")
@click.option("--version", "version", type=int, default=None, help="A specific version (default: latest).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON record instead of the TEI.")
@click.pass_context
def show_command(ctx: click.Context, record_id: str, version: int | None, as_json: bool) -> None:
    """Print a record's TEI (or, with --json, its JSON record)."""
    archive = open_archive(ctx)
    if as_json:
        print_json(json.loads(archive.get(record_id, version).model_dump_json()))
    else:
        sys.stdout.buffer.write(archive.tei(record_id, version))
