"""``oral-archive export``: stream the archive's metadata in an exchange format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import main, open_archive, stderr


class _ExportFormat(click.Choice):
    """``click.Choice`` of the exporters' names, read when first needed (importing the
    exporters loads lxml, which only an export needs, not the CLI's start-up).

    A format not among them is a usage error (exit 2) that names the allowed formats.
    """

    def __init__(self) -> None:
        super().__init__((), case_sensitive=True)

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        from oral_archive.archive.export import EXPORTERS

        return tuple(EXPORTERS)

    @choices.setter
    def choices(self, value: object) -> None:  # click.Choice.__init__ assigns it
        pass


@main.command("export")
@click.option("--format", "fmt", type=_ExportFormat(), required=True, help="Metadata format (see docs/export.md).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to this file, replaced atomically (default: stdout).")
@click.option("--bom", is_flag=True, help="csv only: start with a UTF-8 byte order mark, so Excel reads UTF-8.")
@click.option("--include-restricted", is_flag=True, help="Also export the fields records mark restricted.")
@click.argument("query", nargs=-1)
@click.pass_context
def export_command(ctx: click.Context, fmt: str, output: Path | None, bom: bool, include_restricted: bool, query: tuple[str, ...]) -> None:
    """Export the metadata of every record, or of those a search QUERY selects.

    Formats: oai_dc (OAI-PMH ListRecords), mods (MODS 3.7 modsCollection), csv, jsonl,
    tei-corpus (one TEI teiCorpus). Memory stays flat for any archive size.
    """
    from oral_archive.archive.export import ExportError, atomic_output, exporter_for

    exporter_for(fmt)  # fail on a bad format before touching the archive or the output
    if bom and fmt != "csv":
        raise ExportError("--bom applies to the csv format only")
    archive = open_archive(ctx)
    if output is not None and archive.contains(output):
        raise click.ClickException(f"{output}: is inside the archive {archive.path}; write exports elsewhere (the archive holds only records)")
    text = " ".join(query).strip()
    # The query is checked (and its first page searched) before any output is written.
    ids = archive.matching_ids(text) if text else None
    options = {"include_restricted": include_restricted, "bom": bom}
    if output is None:
        count = archive.export(fmt, sys.stdout.buffer, ids, **options)
        sys.stdout.buffer.flush()
    else:
        with atomic_output(output) as handle:
            count = archive.export(fmt, handle, ids, **options)
    selected = f" matching {text!r}" if text else ""
    stderr.print(f"exported {count} record(s){selected} as {fmt}" + (f" to {output}" if output else ""), markup=False)
