"""``oral-archive export``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from oral_archive.archive.export import EXPORTERS
from oral_archive.archive.store import write_atomic

from .app import main, open_archive, stderr


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORTERS)), required=True, help="Metadata format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file (default: stdout).")
@click.pass_context
def export_command(ctx: click.Context, fmt: str, output: Path | None) -> None:
    """Export every record's metadata (oai_dc, csv, jsonl)."""
    archive = open_archive(ctx)
    if output is None:
        count = archive.export(fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        import io
        buffer = io.BytesIO()
        count = archive.export(fmt, buffer)
        try:
            write_atomic(output, buffer.getvalue())
        except OSError as error:
            raise click.ClickException(f"{output}: cannot write: {error.strerror or error}") from None
    stderr.print(f"exported {count} record(s) as {fmt}" + (f" to {output}" if output else ""), markup=False)
