"""``oral-archive history``, ``quarantine``, ``reindex``."""

from __future__ import annotations

import click

from .app import main, open_archive, print_json, stdout


@main.command("history")
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def history_command(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """List the stored versions of a record."""
    versions = open_archive(ctx).history(record_id)
    rows = [{"version": r.version, "ingested_at": r.ingested_at.isoformat(), "sha256": r.source.sha256, "filename": r.source.filename} for r in versions]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        stdout.print(f"v{row['version']}  {row['ingested_at']}  {row['sha256'][:16]}  {row['filename']}", markup=False)


@main.command("quarantine")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def quarantine_command(ctx: click.Context, as_json: bool) -> None:
    """List rejected inputs kept in quarantine, with their reasons."""
    entries = open_archive(ctx).quarantined()
    if as_json:
        print_json(entries)
        return
    for entry in entries:
        stdout.print(f"{entry['path']}\n  {entry.get('file')}: {entry.get('reason')}", markup=False)
    stdout.print(f"{len(entries)} quarantined", markup=False)


@main.command("reindex")
@click.pass_context
def reindex_command(ctx: click.Context) -> None:
    """Rebuild the search index from the stored records."""
    archive = open_archive(ctx)
    with archive.writing():
        count = archive.reindex()
    stdout.print(f"indexed {count} record(s)", markup=False)
