"""``oral-archive show``: a record's TEI, its JSON, or where each of its values came from."""

from __future__ import annotations

import json
import sys
from typing import Any

from typing import TYPE_CHECKING

import click

from .app import main, open_archive, print_json, stdout

if TYPE_CHECKING:
    from oral_archive.schemas.record import Fact, Record


def _fact_provenance(fact: Fact) -> dict[str, Any]:
    entry: dict[str, Any] = {"value": fact.value, "origin": fact.origin}
    if fact.normalized:
        entry["normalized"] = fact.normalized
    if fact.evidence is not None:
        ev = fact.evidence
        entry.update(rule=ev.rule, confidence=ev.confidence, segment=ev.segment, start=ev.start, end=ev.end, sentence=ev.text)
    if fact.supplied_by:
        entry["supplied_by"] = fact.supplied_by
    if fact.replaces is not None:
        entry["replaces"] = _fact_provenance(fact.replaces)
    return entry


def provenance(record: Record) -> list[dict[str, Any]]:
    """One entry per value: field, value, origin, rule, confidence, segment span and sentence."""
    entries = [{"field": path, **_fact_provenance(fact)} for path, fact in record.facts()]
    if record.source.url:
        entry: dict[str, Any] = {"field": "source.url", "value": record.source.url, "origin": "extracted"}
        if record.source.url_evidence is not None:
            ev = record.source.url_evidence
            entry.update(rule=ev.rule, confidence=ev.confidence, segment=ev.segment, start=ev.start, end=ev.end, sentence=ev.text)
        entries.insert(1, entry)
    # the language is a property of the whole text: how it was decided is in the change history
    how = next((c.description for c in reversed(record.changes) if c.description.startswith(f"language {record.language}:")), None)
    entries.insert(1 + bool(record.source.url), {"field": "language", "value": record.language, "origin": "record", **({"reason": how} if how else {})})
    return entries


def _print_entry(entry: dict[str, Any], indent: str = "") -> None:
    value = entry["value"] + (f" [{entry['normalized']}]" if entry.get("normalized") not in (None, entry["value"]) else "")
    stdout.print(f"{indent}{entry.get('field', 'replaces')}: {value}", markup=False)
    if entry["origin"] == "supplied":
        stdout.print(f"{indent}  supplied by {entry['supplied_by']}", markup=False)
    elif "rule" in entry:
        stdout.print(f"{indent}  rule {entry['rule']}, confidence {entry['confidence']:.2f}, {entry['segment']}[{entry['start']}:{entry['end']}]", markup=False)
        stdout.print(f"{indent}  \u201c{entry['sentence']}\u201d", markup=False)
    else:
        stdout.print(f"{indent}  ({entry.get('reason') or entry['origin']})", markup=False)
    if "replaces" in entry:
        _print_entry({"field": "replaces", **entry["replaces"]}, indent + "  ")


@main.command("show")
@click.argument("record_id")
@click.option("--version", "version", type=int, default=None, help="A specific version (default: latest).")
@click.option("--json", "as_json", is_flag=True, help="Print the JSON record instead of the TEI.")
@click.option("--provenance", "show_provenance", is_flag=True, help="Print each metadata value with the rule, confidence and sentence it came from.")
@click.pass_context
def show_command(ctx: click.Context, record_id: str, version: int | None, as_json: bool, show_provenance: bool) -> None:
    """Print a record's TEI (or, with --json, its JSON record; with --provenance, its evidence)."""
    archive = open_archive(ctx)
    record = archive.get(record_id, version)
    stone = archive.tombstone(record_id)
    if stone is not None:  # the archivist may read it; say it is out of view
        click.echo(f"note: record {record_id} is withdrawn ({stone.withdrawn_at:%Y-%m-%d}, by {stone.by}: {stone.reason}); 'oral-archive restore' brings it back", err=True)
    if show_provenance:
        entries = provenance(record)
        if as_json:
            print_json({"id": record.id, "version": record.version, "values": entries})
        else:
            stdout.print(f"{record.id} (version {record.version})", markup=False)
            for entry in entries:
                _print_entry(entry)
    elif as_json:
        print_json(json.loads(record.model_dump_json()))
    else:
        sys.stdout.buffer.write(archive.tei(record_id, version))
