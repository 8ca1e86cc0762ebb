"""``oral-archive export``: stream the archive's metadata in an exchange format."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import main, open_archive, stderr


class _FormatOption(click.Option):
    """The --format option, whose metavar lists the exporters when help is shown (importing
    them loads lxml, which only an export needs)."""

    def make_metavar(self, ctx: click.Context | None = None) -> str:
        from oral_archive.archive.export import EXPORTERS

        return "|".join(EXPORTERS)


@main.command("export")
# Not click.Choice: a bad format must be our one-line error with exit 1, not a usage screen.
@click.option("--format", "fmt", cls=_FormatOption, required=True, help="Metadata format (see docs/export.md).")
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
