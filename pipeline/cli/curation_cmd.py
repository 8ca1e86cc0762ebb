"""``oral-archive list``, ``edit``, ``withdraw``, ``restore``, ``purge``, ``diff``: curation.

Each command is a thin shell over an ``Archive`` method (``listing``, ``edit_many``,
``withdraw``, ``restore``, ``purge``, ``diff``); docs/curation.md walks through them.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .app import main, open_archive, print_json, stdout

if TYPE_CHECKING:
    from oral_archive.schemas.supplied import SuppliedValues

BY_VARIABLE = "ORAL_ARCHIVE_USER"


def _who() -> str:
    """Who is curating: $ORAL_ARCHIVE_USER, else the login name."""
    try:
        return os.environ.get(BY_VARIABLE) or getpass.getuser()
    except (KeyError, OSError):  # no login name in a container without /etc/passwd entry
        return "unknown"


by_option = click.option("--by", "by", default=None, metavar="NAME", help=f"Who makes the change (default: ${BY_VARIABLE} or your login name).")


def _fail(lines: list[str], code: int = 1) -> None:
    for line in lines:
        click.echo(f"error: {line}", err=True)
    sys.exit(code)


@main.command("list")
@click.argument("query", required=False)
@click.option("--withdrawn", is_flag=True, help="List withdrawn and purged records (their tombstones) instead.")
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--limit", type=click.IntRange(min=1, max=10000), default=50, show_default=True, help="Records per page.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (id, title, version, ingested_at, status).")
@click.pass_context
def list_command(ctx: click.Context, query: str | None, withdrawn: bool, page: int, limit: int, as_json: bool) -> None:
    """List records: id, version, ingest date, status and title (QUERY: a search query)."""
    listing = open_archive(ctx).listing(query, withdrawn=withdrawn, page=page, limit=limit)
    if as_json:
        for row in listing.rows:
            click.echo(json.dumps(row.to_json(), ensure_ascii=False))
        return
    for row in listing.rows:
        if row.tombstone is not None:
            stone = row.tombstone
            stdout.print(f"{row.id}  {row.state} {stone.withdrawn_at:%Y-%m-%d} by {stone.by}: {stone.reason}", markup=False)
        else:
            stdout.print(f"{row.id}  v{row.version}  {row.ingested_at:%Y-%m-%d}  {row.state}  {row.title}", markup=False)
    what = "withdrawn records" if withdrawn else "records"
    if listing.total == 0:
        click.echo(f"no {what}" + (f" match {query!r}" if query else " in the archive"), err=True)
    elif page > listing.pages:
        click.echo(f"page {page} is past the end: {listing.total} {what} make {listing.pages} page(s) of {limit}", err=True)
    else:
        click.echo(f"page {page} of {listing.pages} ({listing.total} {what})", err=True)


def _parse_settings(settings: tuple[str, ...]) -> SuppliedValues:
    """``--set field=value`` options as validated values; a usage error names the bad one."""
    from pydantic import ValidationError

    from oral_archive.schemas.supplied import SuppliedValues, field_name

    values: dict[str, Any] = {}
    for setting in settings:
        name, equals, value = setting.partition("=")
        field = field_name(name)
        if not equals or not name.strip():
            raise click.BadParameter(f"{setting!r} is not field=value (for example role=\"registered nurse\")", param_hint="--set")
        if field not in SuppliedValues.model_fields:
            raise click.BadParameter(f"{name.strip()!r} is no field an archivist can set; fields: {', '.join(SuppliedValues.settable())}", param_hint="--set")
        if field in values:
            raise click.BadParameter(f"{field!r} is set twice", param_hint="--set")
        if not value.strip():
            raise click.BadParameter(f"{name.strip()}= gives no value", param_hint="--set")
        values[field] = value
    try:
        return SuppliedValues.model_validate(values)
    except ValidationError as error:
        item = error.errors()[0]
        field = str(item["loc"][0]) if item["loc"] else "?"
        raise click.BadParameter(f"{field}={values.get(field, '')!r}: {str(item['msg']).removeprefix('Value error, ')}", param_hint="--set") from None


def _manifest_edits(archive, path: Path) -> list[tuple[str, SuppliedValues, str]]:
    """(record id, values, supplied_by) for each row of an edit manifest; every problem of
    the manifest (bad cell, unknown column, no such record) stops it before anything is written."""
    from oral_archive.pipeline.manifest import EditRow, ManifestProblem, load_manifest
    from oral_archive.schemas.errors import CurationError

    manifest = load_manifest(path, EditRow)
    problems = list(manifest.problems)
    edits: list[tuple[str, Any, str]] = []
    seen: dict[str, str] = {}
    for row in manifest.rows:
        values = row.values
        column = "id" if values.id else "source_url" if values.source_url else "file"
        try:
            record_id = archive.find_record(values.reference)
        except CurationError as error:
            problems.append(ManifestProblem(manifest.path.name, row.row, column, str(error)))
            continue
        if record_id in seen:
            problems.append(ManifestProblem(manifest.path.name, row.row, column, f"record {record_id} already has a row ({seen[record_id]})"))
            continue
        seen[record_id] = row.supplied_by
        edits.append((record_id, values, row.supplied_by))
    if problems:
        _fail([str(p) for p in problems] + [f"{path}: nothing was changed (fix the rows above and run it again)"])
    return edits


@main.command("edit")
@click.argument("record_id", required=False)
@click.option("--set", "settings", multiple=True, metavar="FIELD=VALUE", help="A value to supply, e.g. --set role=\"registered nurse\" (repeatable).")
@click.option("--manifest", type=click.Path(path_type=Path, dir_okay=False, exists=True), help="A CSV/JSON/YAML file with one row per record (column file, id or source_url names it).")
@by_option
@click.option("--json", "as_json", is_flag=True, help="Print what changed as JSON.")
@click.pass_context
def edit_command(ctx: click.Context, record_id: str | None, settings: tuple[str, ...], manifest: Path | None, by: str | None, as_json: bool) -> None:
    """Correct a record's metadata: each edit stores a new version, the extracted value kept beside it."""
    if manifest is not None and (record_id or settings):
        raise click.UsageError("give either RECORD_ID with --set, or --manifest, not both")
    if manifest is None and not (record_id and settings):
        raise click.UsageError("give RECORD_ID and at least one --set FIELD=VALUE, or --manifest FILE")
    by = by or _who()
    archive = open_archive(ctx)
    if manifest is not None:
        edits = _manifest_edits(archive, manifest)
    else:
        values = _parse_settings(settings)
        archive.store.latest(record_id)  # an unknown id: one line, before anything else
        edits = [(record_id, values, f"edit by {by}")]
    outcomes = archive.edit_many(edits, by=by)
    if as_json:
        print_json([{"id": o.record_id, "version": o.version, "status": o.status, "changed": o.changed} for o in outcomes])
        return
    for outcome in outcomes:
        if outcome.changed:
            stdout.print(f"{outcome.record_id}: version {outcome.version}: " + "; ".join(outcome.changed), markup=False)
        else:
            stdout.print(f"{outcome.record_id}: unchanged (version {outcome.version} already says this)", markup=False)
    edited = sum(1 for o in outcomes if o.changed)
    click.echo(f"{edited} edited, {len(outcomes) - edited} unchanged", err=True)


@main.command("withdraw")
@click.argument("record_id")
@click.option("--reason", required=True, help="Why (kept in the tombstone, e.g. \"narrator's request\").")
@by_option
@click.pass_context
def withdraw_command(ctx: click.Context, record_id: str, reason: str, by: str | None) -> None:
    """Take a record out of search, exports, listings and harvesting; its files stay."""
    stone = open_archive(ctx).withdraw(record_id, reason=reason, by=by or _who())
    stdout.print(f"{stone.record_id}: withdrawn {stone.withdrawn_at:%Y-%m-%d %H:%M:%S} by {stone.by}: {stone.reason}", markup=False)


@main.command("restore")
@click.argument("record_id")
@click.option("--reason", default="", help="Why it comes back (kept with the record's events).")
@by_option
@click.pass_context
def restore_command(ctx: click.Context, record_id: str, reason: str, by: str | None) -> None:
    """Bring a withdrawn record back, whole, into search, exports, listings and harvesting."""
    record = open_archive(ctx).restore(record_id, by=by or _who(), reason=reason)
    stdout.print(f"{record.id}: restored (version {record.version})", markup=False)


@main.command("purge")
@click.argument("record_id")
@click.option("--confirm", is_flag=True, help="Required: every version of the record is deleted for good.")
@click.option("--reason", default="", help="Why (kept with the tombstone's events).")
@by_option
@click.pass_context
def purge_command(ctx: click.Context, record_id: str, confirm: bool, reason: str, by: str | None) -> None:
    """Delete a withdrawn record's content for good (legal takedown); its tombstone stays."""
    if not confirm:
        _fail([f"purging {record_id} deletes every version of it for good; run it again with --confirm"], 2)
    stone = open_archive(ctx).purge(record_id, by=by or _who(), confirm=True, reason=reason)
    stdout.print(f"{stone.record_id}: purged; its tombstone stays (withdrawn {stone.withdrawn_at:%Y-%m-%d}: {stone.reason})", markup=False)


@main.command("diff")
@click.argument("record_id")
@click.argument("versions", nargs=-1, type=click.IntRange(min=1))
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@click.pass_context
def diff_command(ctx: click.Context, record_id: str, versions: tuple[int, ...], as_json: bool) -> None:
    """Field-by-field changes between two versions of a record (default: the last two)."""
    if len(versions) not in (0, 2):
        raise click.UsageError("give two versions (diff ID 1 3) or none (the last two)")
    archive = open_archive(ctx)
    before, after = versions if versions else (None, None)
    changes = archive.diff(record_id, before, after)
    if as_json:
        print_json([c.to_json() for c in changes])
        return
    if not changes:
        click.echo("no field differs between these versions", err=True)
    for change in changes:
        old = change.before.describe() if change.before else "(none)"
        new = change.after.describe() if change.after else "(none)"
        stdout.print(f"{change.field}: {old} -> {new}", markup=False)
