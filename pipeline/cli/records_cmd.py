"""``oral-archive show``, ``validate``, ``history``, ``quarantine``, ``reindex``."""

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


@main.command("validate")
@click.argument("record_ids", nargs=-1)
@click.option("--tei-all", is_flag=True, help="Also validate against the full TEI P5 schema (slow to load).")
@click.option("--json", "as_json", is_flag=True, help="Print problems as JSON.")
@click.pass_context
def validate_command(ctx: click.Context, record_ids: tuple[str, ...], tei_all: bool, as_json: bool) -> None:
    """Re-validate stored records (model, TEI schema, cross-references, checksums)."""
    archive = open_archive(ctx)
    report = archive.validate(record_ids or None, schema="full" if tei_all else "subset")
    failing = {rid: problems for rid, problems in report.items() if problems}
    if as_json:
        print_json({rid: [{"layer": p.layer, "location": p.location, "message": p.message} for p in problems] for rid, problems in report.items()})
    else:
        for rid, problems in failing.items():
            for problem in problems:
                stdout.print(f"{rid}: {problem}", markup=False)
        stdout.print(f"{len(report) - len(failing)} valid, {len(failing)} invalid", markup=False)
    if failing:
        ctx.exit(1)


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
