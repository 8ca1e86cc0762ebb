"""Curation after ingest: an archivist's edits, withdrawals, restorations and purges.

Two things live here, both used by ``Archive`` (``archive.core``):

- ``CurationLog``: ``curation.json`` in the archive folder, the state of every record an
  archivist ever withdrew (withdrawn, active again, purged) and the dated events that got
  it there. Records never withdrawn are not in it. It is small, read whole, and replaced
  atomically (``write_atomic``) under the archive's write lock.
- ``edited_version``: a stored record with supplied values applied, as a new version (new
  JSON, the stored TEI with its header rebuilt, the same original bytes), and
  ``field_values``/``diff`` to say what changed between two versions.

A withdrawn record keeps its version folders (its bags and history, which ``verify``
still checks); it only leaves search, exports, listings and harvesting, where it becomes a
tombstone (id, date, reason). A purge removes the record's folder for a legal takedown and
keeps the tombstone and the events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from oral_archive.schemas.errors import StoreError
from oral_archive.schemas.record import Change, Record, Relation
from oral_archive.schemas.supplied import SuppliedValues, apply_supplied

from .store import write_atomic
from .tei_header import replace_header

CURATION_FILE = "curation.json"
CURATION_FORMAT = 1
State = Literal["active", "withdrawn", "purged"]
Action = Literal["withdraw", "restore", "purge"]


@dataclass(frozen=True)
class Event:
    """One curation event of a record: what was done, when, by whom and why."""

    when: datetime
    action: Action
    by: str
    reason: str = ""

    def to_json(self) -> dict[str, str]:
        return {"when": self.when.isoformat(timespec="seconds"), "action": self.action, "by": self.by, "reason": self.reason}

    @classmethod
    def from_json(cls, data: dict) -> "Event":
        return cls(datetime.fromisoformat(data["when"]), data["action"], data.get("by", ""), data.get("reason", ""))


@dataclass(frozen=True)
class Tombstone:
    """What stays public of a withdrawn or purged record: its id, when and why."""

    record_id: str
    withdrawn_at: datetime
    reason: str
    by: str
    purged: bool = False


class CurationLog:
    """``curation.json``: the withdrawal state and events of records (see module docstring)."""

    def __init__(self, root: Path, fsync: bool = True) -> None:
        self.path = root / CURATION_FILE
        self.fsync = fsync
        self._cache: tuple[int, int, dict[str, list[Event]]] | None = None

    def _load(self) -> dict[str, list[Event]]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        key = (stat.st_mtime_ns, stat.st_size)
        if self._cache is not None and self._cache[:2] == key:
            return self._cache[2]
        try:
            data = json.loads(self.path.read_bytes())
            events = {record_id: [Event.from_json(e) for e in entry["events"]] for record_id, entry in data["records"].items()}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise StoreError(f"{self.path}: cannot read the curation log ({error}); restore it from a backup or run 'oral-archive verify'") from None
        self._cache = (*key, events)
        return events

    def events(self, record_id: str) -> list[Event]:
        return list(self._load().get(record_id, []))

    def state(self, record_id: str) -> State:
        events = self._load().get(record_id)
        return _state_of(events) if events else "active"

    def hidden(self) -> dict[str, State]:
        """Every record id that is withdrawn or purged, with its state."""
        states = {record_id: _state_of(events) for record_id, events in self._load().items()}
        return {record_id: state for record_id, state in states.items() if state != "active"}

    def tombstones(self) -> list[Tombstone]:
        """A tombstone for every record withdrawn or purged now, by record id."""
        return [self.tombstone(record_id) for record_id in sorted(self.hidden())]  # type: ignore[misc]

    def tombstone(self, record_id: str) -> Tombstone | None:
        events = self._load().get(record_id)
        if not events or _state_of(events) == "active":
            return None
        withdrawal = next(e for e in reversed(events) if e.action == "withdraw")
        return Tombstone(record_id, withdrawal.when, withdrawal.reason, withdrawal.by, _state_of(events) == "purged")

    def append(self, record_id: str, event: Event) -> None:
        """Add one event and replace the file atomically (call under the write lock)."""
        events = {k: list(v) for k, v in self._load().items()}
        events.setdefault(record_id, []).append(event)
        data = {"format": CURATION_FORMAT, "records": {k: {"state": _state_of(v), "events": [e.to_json() for e in v]} for k, v in sorted(events.items())}}
        try:
            write_atomic(self.path, json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8") + b"\n", self.fsync)
        except OSError as error:
            raise StoreError(f"{self.path}: cannot write the curation log: {error.strerror or error}") from None
        self._cache = None


def _state_of(events: list[Event]) -> State:
    last = events[-1].action
    return "withdrawn" if last == "withdraw" else "purged" if last == "purge" else "active"


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


# -- edits ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EditedVersion:
    """A new version made by an edit: the record, its TEI, and what changed (one phrase each)."""

    record: Record
    tei: bytes
    changed: list[str]


def edited_version(record: Record, tei: bytes, values: SuppliedValues, *, supplied_by: str, by: str, when: datetime | None = None) -> EditedVersion | None:
    """``record`` (the latest stored version) with ``values`` applied, as version N+1.

    None when nothing would change (the same values again). The TEI is the stored one with
    its header rebuilt from the new record: the body is not touched. The caller validates
    before storing.
    """
    edited = record.model_copy(deep=True)
    changed = apply_supplied(edited, edited.participants, values, supplied_by)
    if not changed:
        return None
    return _next_version(record, edited, tei, Change(when=when or now(), step="edit", by=by, description=f"edited by {by} ({supplied_by}): " + "; ".join(changed)), changed)


def related_version(record: Record, tei: bytes, relation: Relation, when: datetime | None = None) -> EditedVersion | None:
    """``record`` with ``relation`` added, as version N+1 (None if it already has it)."""
    if any(r.kind == relation.kind and r.record == relation.record for r in record.relations):
        return None
    related = record.model_copy(deep=True)
    related.relations.append(relation)
    description = f"same text as record {relation.record} (estimated similarity {relation.similarity:.2f}), found when it was ingested"
    return _next_version(record, related, tei, Change(when=when or now(), step="relation", description=description), [description])


def _next_version(record: Record, changed: Record, tei: bytes, change: Change, phrases: list[str]) -> EditedVersion:
    """``changed`` (a copy of ``record`` with new values) as version N+1 with ``change`` in its
    history, and the stored TEI ``tei`` with its header rebuilt from it."""
    changed.version = record.version + 1
    changed.ingested_at = change.when
    changed.changes.append(change)
    try:
        new_tei = replace_header(tei, changed)
    except ValueError as error:
        raise StoreError(f"record {record.id} v{record.version}: its stored TEI cannot be re-described ({error}); run 'oral-archive validate'") from None
    return EditedVersion(changed, new_tei, phrases)


# -- comparing versions ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldValue:
    """One field of a record version as a person reads it: value, origin, who supplied it."""

    value: str
    origin: str  # "extracted", "supplied", "record"
    supplied_by: str | None = None

    def describe(self) -> str:
        return f"{self.value!r} ({self.origin}{', ' + self.supplied_by if self.supplied_by else ''})"


@dataclass(frozen=True)
class FieldChange:
    """A field whose value differs between two versions (``None``: absent in that version)."""

    field: str
    before: FieldValue | None
    after: FieldValue | None

    def to_json(self) -> dict:
        def side(value: FieldValue | None) -> dict | None:
            return None if value is None else {"value": value.value, "origin": value.origin, "supplied_by": value.supplied_by}

        return {"field": self.field, "before": side(self.before), "after": side(self.after)}


def field_values(record: Record) -> dict[str, FieldValue]:
    """Every descriptive field of a record version by path (``Record.facts``, the paths of
    ``show --provenance``), with the language, the restrictions and the source URL."""
    fields = {path: FieldValue(fact.value, fact.origin, fact.supplied_by) for path, fact in record.facts()}
    fields["language"] = FieldValue(record.language, "record")
    if record.restricted:
        fields["restricted"] = FieldValue(", ".join(sorted(record.restricted)), "record")
    if record.source.url:
        fields["source.url"] = FieldValue(record.source.url, "extracted")
    return fields


def diff(before: Record, after: Record) -> list[FieldChange]:
    """Field-by-field changes from ``before`` to ``after`` (values, origins, suppliers)."""
    old, new = field_values(before), field_values(after)
    paths = list(old) + [p for p in new if p not in old]
    return [FieldChange(p, old.get(p), new.get(p)) for p in paths if old.get(p) != new.get(p)]


def version_summary(record: Record, previous: Record | None) -> str:
    """One line saying what this version changed (ingest, changed source bytes, an edit)."""
    new_changes = record.changes[len(previous.changes):] if previous is not None else record.changes
    for step in ("edit", "relation", "new-version", "ingest"):
        change = next((c for c in new_changes if c.step == step), None)
        if change is not None:
            return change.description
    if previous is not None:
        changed = diff(previous, record)
        return "changed " + ", ".join(c.field for c in changed) if changed else "no change of metadata"
    return "first version"
