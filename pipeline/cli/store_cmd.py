"""``oral-archive history``, ``quarantine``, ``reindex``, ``verify``, ``bag``."""

from __future__ import annotations

from pathlib import Path

import click

from .app import main, open_archive, print_json, stdout


@main.command("history")
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def history_command(ctx: click.Context, record_id: str, as_json: bool) -> None:
    """List the stored versions of a record, each with one line saying what it changed."""
    archive = open_archive(ctx)
    summaries = archive.version_summaries(record_id)
    rows = [{"version": r.version, "ingested_at": r.ingested_at.isoformat(), "sha256": r.source.sha256, "filename": r.source.filename, "changed": line}
            for r, line in summaries]
    events = [{"when": e.when.isoformat(), "action": e.action, "by": e.by, "reason": e.reason} for e in archive.curation_events(record_id)]
    if as_json:
        print_json(rows)  # the withdraw/restore/purge events: ``list --withdrawn --json``
        return
    for row in rows:
        stdout.print(f"v{row['version']}  {row['ingested_at']}  {row['changed']}", markup=False)
    for event in events:
        stdout.print(f"{event['action']:<8}  {event['when']}  by {event['by']}" + (f": {event['reason']}" if event["reason"] else ""), markup=False)


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
        # Taking the lock already rebuilds an index that was missing or of another version.
        count = archive.index_rebuilt or archive.reindex()
    stdout.print(f"indexed {count} record(s)", markup=False)


@main.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def verify_command(ctx: click.Context, as_json: bool) -> None:
    """Recompute every checksum; report missing, altered and unexpected files (exit 1 if any)."""
    report = open_archive(ctx).verify()
    if as_json:
        print_json({
            "ok": report.ok,
            "problems": [{"kind": p.kind, "path": p.path, "message": p.message} for p in report.problems],
            "notes": report.notes,
            "records": report.records, "versions": report.versions, "files": report.files, "bytes": report.bytes,
            "quarantined": report.quarantined,
        })
    else:
        for problem in report.problems:
            stdout.print(str(problem), markup=False)
        for note in report.notes:
            stdout.print(f"note: {note}", markup=False)
        stdout.print(report.summary(), markup=False)
    if not report.ok:
        ctx.exit(1)


@main.command("bag")
@click.argument("record_ids", nargs=-1, required=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, file_okay=False), required=True, help="Folder to write the bags into (created if needed).")
@click.option("--all-versions", is_flag=True, help="Export every version, not only the latest.")
@click.pass_context
def bag_command(ctx: click.Context, record_ids: tuple[str, ...], output: Path, all_versions: bool) -> None:
    """Export records as BagIt bags (<id>-v<N>/) that any BagIt tool validates."""
    written = open_archive(ctx).bag(record_ids, output, all_versions=all_versions)
    for path in written:
        stdout.print(str(path), markup=False)
    stdout.print(f"{len(written)} bag(s) written to {output}", markup=False)
