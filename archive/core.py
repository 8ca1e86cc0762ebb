"""``Archive``: one archive folder, and everything one can do with it.

The library is the product; the CLI only parses arguments and prints. ``Archive`` never
imports the pipeline: the pipeline builds records and hands them to ``Archive.add``.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator, Literal

from filelock import FileLock, Timeout

from oral_archive.schemas.errors import ArchiveLocked, CurationError, Problem, RecordInvalid, RecordNotFound, StoreError
from oral_archive.schemas.identifiers import is_url_key, source_digest, source_key
from oral_archive.schemas.record import RECORD_ID_PATTERN, Record, Relation
from oral_archive.schemas.supplied import SuppliedValues

from .curation import CurationLog, EditedVersion, Event, FieldChange, State, Tombstone, diff, edited_version, now, version_summary
from .fixity import VerifyReport, export_bags, verify as verify_store
from .export import EXPORTERS, ExportOptions, exporter_for  # noqa: F401  (EXPORTERS: public)
from .search import IndexMissing, IndexStale, IndexStatus, SearchIndex, SearchResults
from .store import NewVersion, RecordStore, StoredVersion
from .validation import TeiSchema, validate_record

DEFAULT_ARCHIVE = Path("archive-data")
DUPLICATES_FILE = "duplicates.sqlite"  # archive.duplicates.DuplicateIndex: derived, rebuilt by reindex
# Relations a new record gets at most (its closest copies). Each is also written into the
# other record as a new version, so a text posted on many sites must not make a version of
# every copy for every new one; `oral-archive duplicates` still lists the whole group.
MAX_COPIES = 10
ENVIRONMENT_VARIABLE = "ORAL_ARCHIVE"


def default_archive_path() -> Path:
    """``$ORAL_ARCHIVE`` if set, else ``./archive-data``."""
    return Path(os.environ.get(ENVIRONMENT_VARIABLE) or DEFAULT_ARCHIVE)


@dataclass(frozen=True)
class AddResult:
    status: Literal["ingested", "new-version", "unchanged"]
    record_id: str
    version: int
    path: Path | None


@dataclass(frozen=True)
class EditOutcome:
    """What an edit did to one record: its version now, and what changed (empty: nothing)."""

    record_id: str
    version: int
    changed: list[str]

    @property
    def status(self) -> str:
        return "edited" if self.changed else "unchanged"


@dataclass(frozen=True)
class ListedRecord:
    """One line of ``listing``: a record (or a withdrawn one's tombstone)."""

    id: str
    title: str | None
    version: int | None
    ingested_at: datetime | None  # when version 1 was stored
    state: str
    tombstone: Tombstone | None = None

    def to_json(self) -> dict:
        data = {"id": self.id, "title": self.title, "version": self.version,
                "ingested_at": self.ingested_at.isoformat(timespec="seconds") if self.ingested_at else None, "status": self.state}
        if self.tombstone is not None:
            data.update(withdrawn_at=self.tombstone.withdrawn_at.isoformat(timespec="seconds"), reason=self.tombstone.reason)
        return data


@dataclass(frozen=True)
class Listing:
    """One page of records and how many there are in all."""

    rows: list[ListedRecord]
    total: int
    page: int
    limit: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.limit))


def signature_for(record: Record):
    """The record's stored MinHash signature, or one computed from its text (records stored
    before signatures were kept)."""
    from .duplicates import Signature, signature_of

    return Signature.from_text(record.signature) if record.signature else signature_of(record)


class Archive:
    """An archive folder: records store, quarantine and search index."""

    def __init__(self, path: Path | str | None = None, *, create: bool = True, fsync: bool = True, lock_timeout: float = 60.0) -> None:
        self.path = Path(path) if path is not None else default_archive_path()
        self.store = RecordStore(self.path, fsync=fsync)
        self.index = SearchIndex(self.path / "index")
        self.curation = CurationLog(self.path, fsync=fsync)
        self._duplicates = None  # archive.duplicates.DuplicateIndex, opened when first needed
        self._filenames: dict[str, list[str]] | None = None  # source file name -> record ids (find_record)
        self.lock_timeout = lock_timeout
        self._checksums: dict[str, tuple[str, int]] | None = None
        self._by_digest: dict[str, list[str]] | None = None  # source digest -> record ids
        # Records indexed afresh by the last ``writing()`` because the index was missing or
        # built by another version of oral-archive (0 when it was usable).
        self.index_rebuilt = 0
        if create:
            self.store.initialize()
        elif not self.store.exists:
            raise StoreError(f"{self.path}: no archive here (run 'oral-archive ingest' first, or pass --archive)")

    def __repr__(self) -> str:
        return f"Archive({str(self.path)!r})"

    # -- locking --------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator["Archive"]:
        """Hold the archive's write lock; a second writer waits, then fails with a clear message."""
        lock = FileLock(str(self.path / ".lock"))
        try:
            lock.acquire(timeout=self.lock_timeout)
        except Timeout:
            raise ArchiveLocked(f"{self.path}: another process is writing to this archive (waited {self.lock_timeout:g} s for its lock)") from None
        except OSError as error:  # read-only filesystem, permissions, disk full
            raise StoreError(f"{self.path}: cannot take the write lock: {error.strerror or error}") from None
        try:
            try:
                self.store.remove_stale_temporaries()
            except OSError as error:
                raise StoreError(f"{self.path}: cannot clean up after an interrupted write: {error.strerror or error}") from None
            self._checksums = None  # another process may have written since we last looked
            self._by_digest = None
            self._filenames = None
            self._repair_index()
            yield self
        finally:
            lock.release()

    # -- reading --------------------------------------------------------------------------
    def ids(self) -> list[str]:
        """Ids of the records in the archive now, sorted; withdrawn and purged ones are left out
        (they are searched, exported, listed and harvested by no one: see ``tombstones``)."""
        ids = self.store.record_ids()
        hidden = self.curation.hidden()
        return [i for i in ids if i not in hidden] if hidden else ids

    def all_ids(self) -> list[str]:
        """Ids of every stored record, withdrawn ones included (for checks and curation)."""
        return self.store.record_ids()

    def state(self, record_id: str) -> State:
        """"active", "withdrawn" or "purged"."""
        return self.curation.state(record_id)

    def tombstone(self, record_id: str) -> Tombstone | None:
        """The tombstone of a withdrawn or purged record (id, date, reason); None if active."""
        return self.curation.tombstone(record_id)

    def tombstones(self) -> list[Tombstone]:
        """Every withdrawn or purged record's tombstone, by id (for harvesters and the web)."""
        return self.curation.tombstones()

    def __len__(self) -> int:
        return len(self.ids())

    def get(self, record_id: str, version: int | None = None) -> Record:
        """A record version (latest by default), withdrawn ones too; a purged one is gone."""
        try:
            return self.store.load_record(self.store.version(record_id, version))
        except RecordNotFound:
            stone = self.curation.tombstone(record_id)
            if stone is not None and stone.purged:
                raise RecordNotFound(record_id, f"record {record_id!r} was purged (withdrawn {stone.withdrawn_at:%Y-%m-%d}: {stone.reason})") from None
            raise

    def tei(self, record_id: str, version: int | None = None) -> bytes:
        return self.store.version(record_id, version).tei_path.read_bytes()

    def original(self, record_id: str, version: int | None = None) -> bytes:
        return self.store.version(record_id, version).original_path().read_bytes()

    def history(self, record_id: str) -> list[Record]:
        versions = self.store.versions(record_id)
        if not versions:
            raise RecordNotFound(record_id)
        return [self.store.load_record(v) for v in versions]

    def records(self, ids: Iterable[str] | None = None) -> Iterator[Record]:
        """Latest version of each record, one at a time (constant memory)."""
        for record_id in ids if ids is not None else self.ids():
            yield self.get(record_id)

    def find_checksum(self, sha256: str) -> tuple[str, int] | None:
        """(record id, version) already holding these exact original bytes, if any."""
        if self._checksums is None:
            self._checksums = self.store.original_checksums()
        return self._checksums.get(sha256)

    def find_source(self, key: str, title: str | None = None) -> str | None:
        """Id of the record already holding this source, if any.

        With a URL key, the URL decides: a changed title is a new version of the same
        record. With a file-name key, the title the text states (``title``) must match too,
        so two different interviews both called ``interview.txt`` are never merged. Ids end
        with the key's digest, so only those records are opened; the stored source is
        compared as well, so a digest collision never merges two sources.
        """
        digest = source_digest(key)
        if self._by_digest is None:  # one folder listing per write session, not one per file
            self._by_digest = {}
            for record_id in self.all_ids():  # a withdrawn source's new bytes stay its record's
                self._by_digest.setdefault(record_id.rsplit("-", 1)[-1], []).append(record_id)
        for record_id in self._by_digest.get(digest, []):
            if self.store.versions(record_id):
                record = self.get(record_id)
                if source_key(record.source.url, record.source.filename) != key:
                    continue
                if title is None or is_url_key(key) or record.stated_title == title:
                    return record_id
        return None

    def _remember_ids(self, record_ids: Iterable[str]) -> None:
        if self._by_digest is not None:
            for record_id in record_ids:
                ids = self._by_digest.setdefault(record_id.rsplit("-", 1)[-1], [])
                if record_id not in ids:
                    ids.append(record_id)

    def contains(self, path: Path | str) -> bool:
        """Whether ``path`` lies inside this archive's folder (never an input or an output)."""
        try:
            Path(path).resolve().relative_to(self.path.resolve())
        except ValueError:
            return False
        return True

    def next_version(self, record_id: str) -> int:
        versions = self.store.versions(record_id)
        return versions[-1].version + 1 if versions else 1

    # -- writing --------------------------------------------------------------------------
    def add(self, record: Record, tei: bytes, original: bytes, *, index: bool = True, schema: TeiSchema = "subset") -> AddResult:
        """Validate and store one record version; raises ``RecordInvalid`` (nothing written) if invalid."""
        existing = self.find_checksum(record.source.sha256)
        if existing:
            return AddResult("unchanged", existing[0], existing[1], None)
        record_json = record.model_dump_json(indent=2).encode("utf-8")
        problems = validate_record(record_json, tei, original, schema)
        if problems:
            raise RecordInvalid(record.id, problems)
        stored = self.store.write_version(record, tei, original, record_json)
        if self._checksums is not None:
            self._checksums[record.source.sha256] = (record.id, record.version)
        self._remember_ids([record.id])
        if index:
            self._index([record])
        return AddResult("ingested" if record.version == 1 else "new-version", record.id, record.version, stored.path)

    def add_validated(self, versions: list[NewVersion]) -> list[AddResult]:
        """Store versions already checked with ``validate_record`` as one durable batch.

        For batch ingest (caller holds ``writing()``): the ids are marked pending in the
        archive until ``index_records`` commits them, so a crash in between is repaired by
        the next writer. Identical bytes already stored come back "unchanged".
        """
        results: dict[int, AddResult] = {}
        fresh = []
        for position, version in enumerate(versions):
            existing = self.find_checksum(version.record.source.sha256)
            if existing:
                results[position] = AddResult("unchanged", existing[0], existing[1], None)
            else:
                fresh.append((position, version))
        stored = self.store.write_versions([v for _, v in fresh], pending_index=True)
        for (position, version), written in zip(fresh, stored):
            record = version.record
            if self._checksums is not None:
                self._checksums[record.source.sha256] = (record.id, record.version)
            self._remember_ids([record.id])
            results[position] = AddResult("ingested" if record.version == 1 else "new-version", record.id, record.version, written.path)
        return [results[position] for position in range(len(versions))]

    def index_records(self, records: list[Record]) -> int:
        """Add records to the search index in one commit, then clear them from the pending list."""
        count = self._index(records)
        self.store.clear_index_pending([r.id for r in records])
        return count

    def _index(self, records: list[Record]) -> int:
        """Add stored records to the index (rebuilding it instead, with these, if unusable).

        A withdrawn record's new version (its source changed) is stored, never indexed.
        """
        hidden = self.curation.hidden()
        records = [r for r in records if r.id not in hidden]
        self._index_signatures(records)
        if self._rebuild_unusable_index(adding=len({r.id for r in records})):
            return len(records)
        return self.index.update(records) if records else 0

    def _rebuild_unusable_index(self, adding: int = 0) -> bool:
        """Rebuild a missing index, or one of another version, from every stored record when
        the store holds more than the ``adding`` records about to be indexed: adding only
        those to a new empty index would leave the others unsearchable."""
        if self.index.usable() or self.index.store_count(self.store.records_dir) - self._withdrawn_count() <= adding:
            return False
        self.index_rebuilt = self.index.rebuild(self.records())
        self.store.clear_index_pending(self.store.index_pending())
        return True

    def _withdrawn_count(self) -> int:
        """Withdrawn records whose folders are in the store (a purged record has none)."""
        return sum(1 for state in self.curation.hidden().values() if state == "withdrawn")

    def _repair_index(self) -> None:
        """Bring the index level with the store before a writer starts (under the lock): a
        missing index, or one built by another version of oral-archive, is rebuilt from
        every record; else what a writer that died stored but never indexed is indexed."""
        self.index_rebuilt = 0
        self._finish_purges()
        if self._rebuild_unusable_index():
            return
        # a withdrawal whose index commit a crash prevented: take the record out now
        hidden = self.curation.hidden()
        if hidden and self.index.usable():
            searcher = self.index.searcher()
            indexed = [i for i in hidden if searcher.document_number(id=i) is not None]
            if indexed:
                self.index.remove(indexed)
        pending = [i for i in self.store.index_pending() if self.store.versions(i)]
        if pending:
            self.index_records(list(self.records(pending)))
        elif self.store.index_pending():
            self.store.clear_index_pending(self.store.index_pending())

    def verify(self) -> VerifyReport:
        """Recompute every checksum; report missing, altered and unexpected files (see ``fixity``)."""
        return verify_store(self.store)

    def bag(self, record_ids: Iterable[str], out: Path | str, *, all_versions: bool = False) -> list[Path]:
        """Export record versions as standalone BagIt bags under ``out`` (see ``fixity.export_bags``)."""
        if self.contains(out):
            raise StoreError(f"{out}: is inside the archive {self.path}; write bags elsewhere (the archive holds only records)")
        return export_bags(self.store, list(record_ids), Path(out), all_versions=all_versions)

    def quarantine(self, filename: str, original: bytes, reason: str, problems: list[Problem] | None = None) -> Path:
        return self.store.quarantine(filename, original, reason, [str(p) for p in problems or []])

    def quarantined(self) -> list[dict]:
        return self.store.quarantined()

    def reindex(self) -> int:
        """Rebuild the search index and the near-duplicate index from the stored records."""
        count = self.index.rebuild(self.records())
        self.rebuild_duplicates()
        return count

    # -- curation ---------------------------------------------------------------------------
    def find_record(self, reference: str) -> str:
        """The id of the stored record ``reference`` names: its record id, its source URL, or
        the file name it was ingested from; ``CurationError`` if none or several match."""
        reference = reference.strip()
        if re.fullmatch(RECORD_ID_PATTERN, reference) and self.store.versions(reference):
            return reference
        if is_url_key(reference):
            digest = source_digest(reference)
            found = [i for i in self.all_ids() if i.endswith(f"-{digest}") and self.get(i).source.url == reference]
        else:
            found = self._ids_by_filename().get(reference.replace("\\", "/").rsplit("/", 1)[-1], [])
        if len(found) == 1:
            return found[0]
        if not found:
            raise CurationError(f"no record in the archive is {reference!r} (give a record id, a source URL or the file name it was ingested from)")
        raise CurationError(f"{reference!r} names {len(found)} records ({', '.join(found[:5])}); give the record id")

    def _ids_by_filename(self) -> dict[str, list[str]]:
        """One pass over the records for a whole manifest, not one per row (reset by ``writing``)."""
        if self._filenames is None:
            self._filenames = {}
            for record in self.records(self.all_ids()):
                self._filenames.setdefault(record.source.filename, []).append(record.id)
        return self._filenames

    def edit(self, record_id: str, values: SuppliedValues, *, by: str, supplied_by: str | None = None) -> "EditOutcome":
        """Apply archivist-supplied ``values`` to a record as a new version (see ``edit_many``)."""
        return self.edit_many([(record_id, values, supplied_by or f"edit by {by}")], by=by)[0]

    def edit_many(self, edits: list[tuple[str, SuppliedValues, str]], *, by: str, batch_size: int = 64) -> list["EditOutcome"]:
        """Apply supplied values to stored records, each changed record as a new version.

        ``edits`` are (record id, values, supplied_by) with supplied_by saying where the
        values came from ("m.csv row 3"). Every edit is made and validated before anything
        is written: one invalid result raises ``RecordInvalid`` and nothing is stored.
        Versions are then written in atomic batches (each record is either at its old or
        its new version, never between); the same values again change nothing
        ("unchanged"), so re-running an interrupted batch finishes it.
        """
        with self.writing():
            when = now()
            # Each edit is made twice: once to validate them all (nothing is written if one is
            # invalid), then again to write them in batches. Keeping every made version of a
            # large manifest in memory between the two passes would cost its TEI and originals.
            for record_id, values, supplied_by in edits:  # first pass: everything valid?
                made = self._edited(record_id, values, supplied_by, by, when)
                if made is not None:
                    problems = validate_record(made[0].record.model_dump_json(indent=2).encode("utf-8"), made[0].tei, made[1])
                    if problems:
                        raise RecordInvalid(record_id, problems)
            outcomes: list[EditOutcome] = []
            batch: list[NewVersion] = []
            for record_id, values, supplied_by in edits:
                made = self._edited(record_id, values, supplied_by, by, when)
                if made is None:
                    outcomes.append(EditOutcome(record_id, self.store.latest(record_id).version, []))
                    continue
                batch.append(NewVersion(made[0].record, made[0].tei, made[1]))
                outcomes.append(EditOutcome(record_id, made[0].record.version, made[0].changed))
                if len(batch) >= batch_size:
                    self._write_edits(batch)
                    batch = []
            self._write_edits(batch)
            return outcomes

    def _edited(self, record_id: str, values: SuppliedValues, supplied_by: str, by: str, when) -> tuple[EditedVersion, bytes] | None:
        stored = self.store.latest(record_id)
        record = self.store.load_record(stored)
        made = edited_version(record, stored.tei_path.read_bytes(), values, supplied_by=supplied_by, by=by, when=when)
        return None if made is None else (made, stored.original_path().read_bytes())

    def _write_edits(self, batch: list[NewVersion]) -> None:
        if batch:
            self.store.write_versions(batch, pending_index=True)
            self.index_records([v.record for v in batch])

    def withdraw(self, record_id: str, *, reason: str, by: str) -> Tombstone:
        """Take a record out of search, exports, listings and harvesting; keep its files.

        It becomes a tombstone (id, date, reason); ``restore`` brings it back whole.
        """
        if not reason.strip():
            raise CurationError("a withdrawal needs a reason (it is kept in the tombstone)")
        with self.writing():
            self.store.latest(record_id)  # RecordNotFound for an unknown id
            state = self.state(record_id)
            if state != "active":
                raise CurationError(f"record {record_id} is already {state}")
            self.curation.append(record_id, Event(now(), "withdraw", by, reason.strip()))
            self.index.remove([record_id])
            if self._duplicate_index_exists():
                self.duplicate_index().remove(record_id)
            return self.curation.tombstone(record_id)  # type: ignore[return-value]

    def restore(self, record_id: str, *, by: str, reason: str = "") -> Record:
        """Bring a withdrawn record back into search, exports, listings and harvesting."""
        with self.writing():
            if self.state(record_id) == "purged":
                raise CurationError(f"record {record_id} was purged: its content is gone and cannot be restored")
            record = self.get(record_id)
            if self.state(record_id) != "withdrawn":
                raise CurationError(f"record {record_id} is not withdrawn")
            self.curation.append(record_id, Event(now(), "restore", by, reason.strip()))
            self._index([record])
            return record

    def purge(self, record_id: str, *, by: str, confirm: bool, reason: str = "") -> Tombstone:
        """Delete a withdrawn record's files for good (a legal takedown), keeping its
        tombstone and a purge event. ``confirm`` must be True."""
        if not confirm:
            raise CurationError(f"purging {record_id} deletes every version of it for good; confirm it (--confirm)")
        with self.writing():
            state = self.state(record_id)
            if state != "withdrawn":
                raise CurationError(f"record {record_id} is {state}: only a withdrawn record can be purged (withdraw it first)")
            self.curation.append(record_id, Event(now(), "purge", by, reason.strip() or "content removed"))
            self._finish_purges()
            return self.curation.tombstone(record_id)  # type: ignore[return-value]

    def _finish_purges(self) -> None:
        """Delete the folders of purged records (again, after a crash in the middle of one)."""
        for record_id, state in self.curation.hidden().items():
            folder = self.store.records_dir / record_id
            if state == "purged" and folder.exists():
                self.store.remove_record_folder(record_id)
                self._checksums = None
                self._by_digest = None

    def curation_events(self, record_id: str) -> list[Event]:
        """The withdraw/restore/purge events of a record, oldest first."""
        return self.curation.events(record_id)

    def diff(self, record_id: str, before: int | None = None, after: int | None = None) -> list[FieldChange]:
        """Field-by-field changes between two versions (default: the last two)."""
        versions = [v.version for v in self.store.versions(record_id)]
        if not versions:
            self.get(record_id)  # the purged / not found message
        after = after or versions[-1]
        before = before or (after - 1 if after > 1 else after)
        return diff(self.get(record_id, before), self.get(record_id, after))

    def version_summaries(self, record_id: str) -> list[tuple[Record, str]]:
        """Each version with one line saying what it changed."""
        summaries, previous = [], None
        for record in self.history(record_id):
            summaries.append((record, version_summary(record, previous)))
            previous = record
        return summaries

    def listing(self, query: str | None = None, *, withdrawn: bool = False, page: int = 1, limit: int = 50) -> "Listing":
        """One page of records: id, title, version, ingest date, state.

        Without a query, every record by id; with one, the records the search query
        matches (relevance order). ``withdrawn`` lists the withdrawn and purged records
        instead (a query then matches their id or reason).
        """
        if page < 1 or limit < 1:
            raise CurationError("page and limit start at 1")
        start = (page - 1) * limit
        if withdrawn:
            stones = [t for t in self.tombstones() if not query or query.casefold() in f"{t.record_id} {t.reason}".casefold()]
            rows = [ListedRecord(t.record_id, None, None, None, "purged" if t.purged else "withdrawn", t) for t in stones[start:start + limit]]
            return Listing(rows, len(stones), page, limit)
        if query:
            total = self.search(query, limit=1).total
            ids = [h.id for h in self.index.search(query, limit=limit, page=page, snippets=0).hits] if start < total else []
        else:
            all_ids = self.ids()
            total, ids = len(all_ids), all_ids[start:start + limit]
        rows = []
        for record in self.records(ids):
            # the ingest date is version 1's (a later version's is when it was stored)
            first = record if record.version == 1 else self.get(record.id, 1)
            rows.append(ListedRecord(record.id, record.display_title, record.version, first.ingested_at, "active", None))
        return Listing(rows, total, page, limit)

    # -- copies of the same text ------------------------------------------------------------
    def _duplicate_index_exists(self) -> bool:
        return self._duplicates is not None or (self.path / DUPLICATES_FILE).exists()

    def duplicate_index(self):
        """The near-duplicate index (``archive.duplicates.DuplicateIndex``, ``duplicates.sqlite``).

        Built from every record in view when missing (an archive made before it existed);
        call under the write lock when it may be missing.
        """
        if self._duplicates is None:
            from .duplicates import DuplicateIndex  # datasketch loads scipy: about a second

            missing = not (self.path / DUPLICATES_FILE).exists()
            self._duplicates = DuplicateIndex(self.path / DUPLICATES_FILE)
            if missing and self.ids():
                self.rebuild_duplicates()
        return self._duplicates

    def rebuild_duplicates(self) -> int:
        """Rebuild the near-duplicate index from the records in view (streamed)."""
        from .duplicates import DuplicateIndex

        if self._duplicates is None:
            self._duplicates = DuplicateIndex(self.path / DUPLICATES_FILE)
        return self._duplicates.rebuild((r.id, signature_for(r)) for r in self.records())

    def _index_signatures(self, records: list[Record]) -> None:
        # With the search index: derived data, written after the records are stored (a crash
        # in between is repaired with the index, from index-pending.txt).
        if records and (self._duplicate_index_exists() or any(r.signature for r in records)):
            self.duplicate_index().add_many((record.id, signature_for(record)) for record in records)

    def copies_of(self, record: Record, *, pending=None, threshold: float | None = None, limit: int = MAX_COPIES) -> list[tuple[str, float]]:
        """(record id, estimated similarity) of the records in view whose text is the same as
        ``record``'s (its own earlier versions left out), the ``limit`` most similar first.

        ``pending``: a ``duplicates.SignatureSet`` of the records of this write not yet in
        the index (an ingest adds its records to it with the search index, every few
        thousand), compared all at once.
        """
        from .duplicates import DEFAULT_THRESHOLD

        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        signature = signature_for(record)
        found = dict(self.duplicate_index().candidates(signature, threshold, exclude=record.id))
        if pending is not None:
            found.update((other, similarity) for other, similarity in pending.similar(signature, threshold) if other != record.id)
        hidden = self.curation.hidden()
        ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))
        return [(i, s) for i, s in ranked if i not in hidden and ((pending is not None and i in pending) or self.store.versions(i))][:limit]

    def add_relations(self, relations: list[tuple[str, Relation]]) -> list[Record]:
        """Record each (record id, relation) in that record as a new version (caller holds
        ``writing()``); a relation it already has is skipped. Returns the new versions, for
        the caller to index."""
        from .curation import related_version

        written: list[Record] = []
        for record_id, relation in relations:
            stored = self.store.latest(record_id)
            record = self.store.load_record(stored)
            made = related_version(record, stored.tei_path.read_bytes(), relation)
            if made is None:
                continue
            original = stored.original_path().read_bytes()
            problems = validate_record(made.record.model_dump_json(indent=2).encode("utf-8"), made.tei, original)
            if problems:
                raise RecordInvalid(record_id, problems)
            # one at a time: two new copies of one record make two successive versions of it
            self.store.write_versions([NewVersion(made.record, made.tei, original)], pending_index=True)
            written.append(made.record)
        return written

    def duplicate_clusters(self, threshold: float | None = None) -> list[tuple[object, dict]]:
        """Groups of records holding the same text: (``duplicates.Cluster``, the fields where
        the copies' metadata disagree, {field: {record id: value or None}})."""
        from .duplicate_clusters import clusters, disagreements
        from .duplicates import DEFAULT_THRESHOLD

        groups = []
        for cluster in clusters(self.duplicate_index(), DEFAULT_THRESHOLD if threshold is None else threshold):
            present = [i for i in cluster.record_ids if self.store.versions(i)]
            if len(present) > 1:
                groups.append((cluster, disagreements([self.get(i) for i in present])))
        return groups

    # -- search, export, validation ---------------------------------------------------------
    def index_status(self, *, deep: bool = False) -> IndexStatus:
        """How the search index compares with the records (missing, outdated, stale, locked, ok).

        The quick check compares record counts; ``deep`` also compares every record's
        latest stored version with the indexed one (reads every version folder).
        """
        latest = (lambda: {i: self.store.latest(i).version for i in self.ids()}) if deep else None
        return self.index.status(self.store.records_dir, latest, withdrawn=self._withdrawn_count())

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        page: int = 1,
        sort: str = "relevance",
        reverse: bool = False,
        facets: bool = False,
        speaker: str | None = None,
        allow_stale: bool = False,
    ) -> SearchResults:
        """Full-text search (Whoosh query syntax) returning one page of typed hits.

        ``speaker`` (participant id, label, name or role) searches only what that person
        said. Raises ``QueryError`` for a bad query, ``IndexMissing`` without a usable
        index, and ``IndexStale`` when records are missing from the index (unless
        ``allow_stale``: then the results carry a warning instead).
        """
        self.index.check_query(query)
        status = self.index_status()
        if status.state == "empty":
            # Nothing stored, nothing indexed: an empty archive simply has no hits.
            return SearchResults(query=query, total=0, page=page, limit=limit, pages=1, sort=sort, hits=[], speaker=speaker)
        if status.state in ("missing", "outdated"):
            raise IndexMissing(f"{self.path}: {status.message}")
        if status.state == "stale" and not allow_stale:
            raise IndexStale(f"{self.path}: {status.message} (or search with --allow-stale)")
        results = self.index.search(query, limit=limit, page=page, sort=sort, reverse=reverse, facets=facets, speaker=speaker)
        if status.state in ("stale", "locked"):
            results.warnings.append(status.message)
        return results

    def matching_ids(self, query: str, *, page_size: int = 500) -> Iterator[str]:
        """Ids of every record the search query matches (relevance order), page by page.

        The query and the index are checked at once (``QueryError``, ``IndexMissing``...),
        so export fails before writing anything; pages are fetched as they are consumed.
        """
        if self.search(query, limit=1).total == 0:
            return iter(())

        def pages() -> Iterator[str]:
            page = 1
            while True:
                # snippets=0: export needs ids only, and highlighting every hit is the costly part.
                results = self.index.search(query, limit=page_size, page=page, snippets=0)
                yield from (hit.id for hit in results.hits)
                if page * page_size >= results.total:
                    return
                page += 1

        return pages()

    def export(self, fmt: str, out: BinaryIO, ids: Iterable[str] | None = None, *, include_restricted: bool = False, bom: bool = False) -> int:
        """Write the records' metadata to ``out`` in ``fmt``; returns the number of records.

        Restricted fields are withheld unless ``include_restricted``; ``bom`` is for csv.
        Withdrawn records are never exported.
        """
        exporter = exporter_for(fmt)
        options = ExportOptions(include_restricted=include_restricted, bom=bom, tei=lambda record: self.tei(record.id, record.version))
        if ids is not None:  # a withdrawn record is exported by no one, even when named
            hidden = self.curation.hidden()
            ids = (i for i in ids if i not in hidden) if hidden else ids
        return exporter(self.records(ids), out, options)

    def validate(self, ids: Iterable[str] | None = None, *, schema: TeiSchema = "subset") -> dict[str, list[Problem]]:
        """Re-check stored records; maps record id -> problems (empty when valid)."""
        report: dict[str, list[Problem]] = {}
        for record_id in ids if ids is not None else self.all_ids():  # withdrawn records are kept, so checked
            stored: StoredVersion = self.store.version(record_id)
            try:
                original = stored.original_path().read_bytes()
                report[record_id] = validate_record(stored.json_path.read_bytes(), stored.tei_path.read_bytes(), original, schema)
            except (OSError, StoreError) as error:
                report[record_id] = [Problem("fixity", str(stored.path), f"cannot read the stored record: {error}")]
        return report
