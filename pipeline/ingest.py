"""``ingest(paths, archive)``: files and folders into the archive, one report per file."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal

from oral_archive.archive.core import Archive, signature_for
from oral_archive.archive.tei_header import replace_header
from oral_archive.archive.store import NewVersion
from oral_archive.archive.validation import read_valid_record
from oral_archive.schemas.errors import Problem, RecordInvalid, SourceError, StoreError
from oral_archive.schemas.filenames import one_line, printable_path
from oral_archive.schemas.identifiers import source_key
from oral_archive.schemas.record import Record, Relation

from .decode import DEFAULT_MAX_BYTES, InputRefused, read_input_bytes, read_source
from .document import Source
from .manifest import Manifest, ManifestProblem, SuppliedRow, load_manifest
from .memory import RELEASE_AFTER_BYTES, release_freed_memory
from .stages import prepare

Status = Literal["ingested", "new-version", "unchanged", "rejected"]


@dataclass
class FileResult:
    path: Path
    status: Status
    record_id: str | None = None
    version: int | None = None
    reason: str | None = None
    quarantined: Path | None = None
    # other records with the same text (record id, estimated similarity): possible duplicates
    copies: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    # bad manifest rows/cells (row and column named); the files themselves still ingest
    manifest_problems: list[ManifestProblem] = field(default_factory=list)
    # records indexed afresh because the index was missing or built by another version
    index_rebuilt: int = 0

    @property
    def counts(self) -> Counter[str]:
        return Counter(r.status for r in self.results)

    @property
    def rejected(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "rejected"]

    @property
    def possible_duplicates(self) -> list[FileResult]:
        """Files whose record has the same text as another record of the archive."""
        return [r for r in self.results if r.copies]

    def summary(self) -> str:
        counts = self.counts
        new = counts["ingested"] + counts["new-version"]
        extra = f" ({counts['new-version']} new versions)" if counts["new-version"] else ""
        copies = f", {len(self.possible_duplicates)} possible duplicate(s)" if self.possible_duplicates else ""
        rebuilt = f"; search index rebuilt from {self.index_rebuilt} record(s) (it was missing or built by another version)" if self.index_rebuilt else ""
        return f"{new} ingested{extra}, {counts['unchanged']} unchanged, {counts['rejected']} rejected{copies}{rebuilt}"


def collect_inputs(paths: Iterable[Path | str]) -> tuple[list[Path], dict[Path, SourceError]]:
    """(every input in order, the ones refused unread with the reason).

    A path given as such is an input whatever it is (a link the caller named is followed;
    reading says what is wrong with it). A folder is walked in sorted order, hidden
    entries skipped; inside it only regular files and folders are taken: a symbolic link
    (to a file or a folder) could lead anywhere on the machine, and a pipe or device
    could block a read forever, so they are refused with a message, never read.
    """
    files: list[Path] = []
    refused: dict[Path, SourceError] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found, refused_here = _walk(path)
            files.extend(sorted([*found, *refused_here]))
            refused.update(refused_here)
        else:
            files.append(path)
    return files, refused


def _walk(root: Path) -> tuple[list[Path], dict[Path, SourceError]]:
    """(regular files below ``root``, entries refused with the reason), links never followed."""
    found: list[Path] = []
    refused: dict[Path, SourceError] = {}
    folders = [root]  # a stack, not recursion: a folder may be nested thousands deep
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as error:
            refused[folder] = InputRefused(printable_path(folder), f"cannot list this folder: {error.strerror or error}")
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            try:
                if entry.is_symlink():
                    kind = "folder" if entry.is_dir() else "file" if entry.is_file() else "missing or special file"
                    refused[path] = InputRefused(printable_path(path), f"is a symbolic link (to a {kind}); links in a batch folder are not followed: ingest what it points to by naming it")
                elif entry.is_dir(follow_symlinks=False):
                    folders.append(path)
                elif entry.is_file(follow_symlinks=False):
                    found.append(path)
                else:
                    refused[path] = InputRefused(printable_path(path), "is not a regular file (a pipe, socket or device); only files are read")
            except OSError as error:
                refused[path] = SourceError(printable_path(path), f"cannot read: {error.strerror or error}")
    return found, refused


def ingest(
    paths: Iterable[Path | str],
    archive: Archive,
    *,
    progress: Callable[[FileResult], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    manifest: Manifest | Path | str | None = None,
    workers: int = 1,
    batch_size: int = 64,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> IngestReport:
    """Ingest files/folders; invalid inputs are quarantined with a reason, never half-stored.

    Each file succeeds or is rejected on its own, with a one-line reason naming it; none
    can stop the batch. A file larger than ``max_bytes`` (``None``: no limit) is refused
    unread, as is a symbolic link or special file found inside a folder (neither is
    copied into quarantine).

    ``progress`` is called with each file's result as it is done; ``on_total`` once, before
    the first, with the number of files the batch holds (so a progress bar knows its end).

    ``manifest`` (a path or a loaded ``Manifest``) supplies archivist metadata per file; its
    bad rows are listed in ``report.manifest_problems`` and do not stop the batch.

    Holds the archive's write lock for the whole batch. With ``workers > 1`` records are
    prepared (decoded, normalized, TEI built and validated) in that many worker processes
    while this process stores and indexes them (as with any multiprocessing, a script
    calling this needs the ``if __name__ == "__main__":`` guard). Versions are stored
    ``batch_size`` at a time, each batch made durable at once; the search index is
    committed every ``INDEX_EVERY`` records (``INDEX_EVERY_WITH_WORKERS`` with workers)
    and at the end. A storage failure (disk full, read-only archive) stops the batch with
    a ``StoreError``: what was stored before stays complete and indexed, and re-running
    the same ingest completes it.
    """
    report = IngestReport()
    paths = list(paths)
    files, refused = collect_inputs(paths)
    named = {Path(p) for p in paths}  # given by the caller: a link among them is followed
    supplied: dict[Path, SuppliedRow] = {}
    if manifest is not None:
        manifest = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
        # the manifest may sit in the folder it describes: it is not an interview
        files = [f for f in files if f in refused or f.resolve() != manifest.path.resolve()]
        supplied, unmatched = manifest.match([f for f in files if f not in refused], roots=[p for p in paths if Path(p).is_dir()])
        report.manifest_problems = manifest.problems + unmatched
    if on_total is not None:
        on_total(len(files))  # one ``progress`` call per file follows, refused ones included
    # Started before taking the lock, so no worker inherits the lock's file descriptor.
    pool = _start_pool(workers) if workers > 1 and len(files) > 1 else None
    try:
        with archive.writing():
            report.index_rebuilt = archive.index_rebuilt
            inputs = _Inputs(max_bytes, refused, named)
            batch = _Batch(archive, report, progress, batch_size, INDEX_EVERY_WITH_WORKERS if pool else INDEX_EVERY, original_of=inputs.original)
            try:
                for path, item, row, outcome in _outcomes(files, supplied, archive, pool, ahead=LOOKAHEAD_GROUPS if pool else 1, read=inputs.read):
                    batch.handle(path, item, row, outcome)
                batch.flush()
                batch.commit_index()
            except BaseException:
                batch.commit_index(quietly=True)  # index what is stored; what fails stays pending
                raise
            finally:
                report.index_rebuilt = max(report.index_rebuilt, archive.index_rebuilt)
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    # a row whose file is already stored with the same bytes was not applied: say so
    report.manifest_problems += [supplied[r.path].not_applied(r.record_id) for r in report.results if r.status == "unchanged" and r.path in supplied]
    return report


# Index commit every this many stored records (and at the end): fewer commits mean fewer
# Whoosh segments to merge; the pending list in the archive covers a crash in between.
INDEX_EVERY = 2000
# With workers, commit more often and let the workers run further ahead: this process
# indexes while they prepare, instead of everyone waiting for one big commit at the end.
INDEX_EVERY_WITH_WORKERS = 256
LOOKAHEAD_GROUPS = 32
# ...but no more than this many input bytes in flight (large transcripts).
LOOKAHEAD_BYTES = 16_000_000
INDEX_EVERY_BYTES = 64_000_000
BATCH_BYTES = 32_000_000


@dataclass
class Outcome:
    """What preparing one source gave: a validated record, or why it is rejected."""

    record: Record | None = None
    tei: bytes = b""
    record_json: bytes = b""
    reason: str | None = None  # for the report (names the file)
    quarantine_reason: str | None = None  # for reason.txt
    problems: list[Problem] = field(default_factory=list)


def prepare_one(source: Source, supplied: SuppliedRow | None = None, archive: Archive | None = None) -> Outcome:
    """Every stage up to a validated record for one source; never raises for bad input.

    Runs in a worker process when ``archive`` is None (the record is then version 1; the
    caller prepares again against the archive when the source already has versions).
    Running out of memory on one file rejects that file (its memory is free again once
    the stages have unwound), not the batch.
    """
    shown = printable_path(source.path)
    try:
        try:
            prepared = prepare(source, archive, supplied=supplied)
        except SourceError as error:
            return Outcome(reason=f"{shown}: {one_line(error.reason)}", quarantine_reason=f"{error.stage}: {error.reason}")
        except ValueError as error:  # pydantic ValidationError is a ValueError
            first_line = str(error).splitlines()[0]
            return Outcome(reason=f"{shown}: cannot build a record: {one_line(first_line)}", quarantine_reason=f"cannot build a record: {error}")
        except MemoryError:
            raise
        except Exception as error:  # a bug, not bad input: stop, but say which file (a worker's traceback would not)
            raise RuntimeError(f"{shown}: unexpected error while preparing the record: {error!r}") from error
        record, tei = prepared.record, prepared.tei
        del prepared  # the document (many times the input's size) is not needed to validate
        # record.model_dump_json(indent=2).encode("utf-8"), without the str in between (pydantic
        # makes the JSON as UTF-8 bytes; a str of a long record is up to four times their size)
        record_json = record.__pydantic_serializer__.to_json(record, indent=2)
        record_id = record.id
        # Validation reads the record back from its JSON: that copy is the one stored and
        # indexed, so this one goes first (two records of a long transcript at once were
        # the largest part of its ingest's memory).
        del record
        if len(source.data) >= RELEASE_AFTER_BYTES:
            release_freed_memory()  # the document's millions of small objects are gone
        validated, problems = read_valid_record(record_json, tei, source.data, "subset")
    except MemoryError:
        size = f"{len(source.data):,} bytes"
        return Outcome(reason=f"{shown}: ran out of memory while preparing its record ({size}); try it alone, or with more memory", quarantine_reason=f"ran out of memory while preparing the record ({size})")
    finally:
        if len(source.data) >= RELEASE_AFTER_BYTES:
            release_freed_memory()  # validation's TEI tree and any stage a failure unwound
    if problems or validated is None:
        invalid = RecordInvalid(record_id, problems)
        return Outcome(reason=f"{shown}: {one_line(str(invalid))}", quarantine_reason=f"the record built from it is invalid ({len(problems)} problems)", problems=problems)
    return Outcome(validated, tei, record_json)


class _Inputs:
    """How one batch reads its inputs: refused entries stay unread, the size limit holds,
    and only a path the caller named is followed when it is a link."""

    def __init__(self, max_bytes: int | None, refused: dict[Path, SourceError], named: set[Path]) -> None:
        self.max_bytes = max_bytes
        self.refused = refused
        self.named = named

    def read(self, path: Path) -> Source:
        if path in self.refused:
            raise self.refused[path]
        # A file found in a folder is opened without following links: one swapped in
        # after the folder was listed is refused too.
        return read_source(path, max_bytes=self.max_bytes, follow_symlinks=path in self.named)

    def original(self, path: Path) -> bytes | None:
        """The bytes of an input that could not be read as a source, to quarantine them."""
        try:
            return read_input_bytes(path, self.max_bytes, follow_symlinks=path in self.named)
        except (SourceError, MemoryError):
            return None


def _outcomes(files: list[Path], supplied: dict[Path, SuppliedRow], archive: Archive, pool, group: int = 32, ahead: int = 1, ahead_bytes: int = LOOKAHEAD_BYTES,
              read: Callable[[Path], Source] = read_source) -> Iterator[tuple]:
    """(path, Source | FileResult | SourceError, manifest row, Outcome | None), in input order.

    Files are read here, in groups of ``group`` files or ``ahead_bytes`` of input, whichever
    comes first (a folder of large files is never all in memory at once); bytes already in
    the archive are not prepared again. With a pool, ``ahead`` more groups (at most
    ``ahead_bytes`` of input) are being prepared while the caller stores and indexes this
    one, so the workers keep busy during an index commit.
    """
    queue: deque = deque()
    in_flight = 0  # input bytes of the groups in the queue
    unread = iter(files)
    while True:
        entries: list[tuple] = []
        group_bytes = 0
        for path in unread:  # resumes where the previous group stopped
            try:
                source = read(path)
            except SourceError as error:
                entries.append((path, error, None))
            else:
                existing = archive.find_checksum(source.sha256)
                if existing:
                    entries.append((path, FileResult(path, "unchanged", existing[0], existing[1]), None))
                else:
                    entries.append((path, source, supplied.get(path)))
                    group_bytes += len(source.data)
            if len(entries) >= group or group_bytes >= ahead_bytes:
                break
        if not entries:
            break
        jobs = [(item, row) for _, item, row in entries if isinstance(item, Source)]
        size = sum(len(item.data) for item, _ in jobs)
        queue.append((entries, pool.starmap_async(prepare_one, jobs, chunksize=4) if pool is not None and jobs else None, size))
        in_flight += size
        # Keep the workers supplied while this process stores and commits the index: an
        # index commit (with its segment merges) can outlast a few groups' preparing.
        while len(queue) > ahead or (len(queue) > 1 and in_flight > ahead_bytes):
            entries, pending, size = queue.popleft()
            in_flight -= size
            yield from _resolve(entries, pending)
    while queue:
        entries, pending, _ = queue.popleft()
        yield from _resolve(entries, pending)


def _resolve(entries: list[tuple], pending) -> Iterator[tuple]:
    prepared = iter(pending.get()) if pending is not None else None
    for path, item, row in entries:
        if not isinstance(item, Source):
            yield path, item, row, None
        else:
            yield path, item, row, next(prepared) if prepared is not None else prepare_one(item, row)


class _Batch:
    """Collects prepared versions, stores them a batch at a time, indexes them in bulk."""

    def __init__(self, archive: Archive, report: IngestReport, progress: Callable[[FileResult], None] | None, size: int, index_every: int,
                 original_of: Callable[[Path], bytes | None] = lambda path: None) -> None:
        self.archive = archive
        self.original_of = original_of  # the bytes of a file that could not be read as a source, for quarantine
        self.index_every = index_every
        self.report = report
        self.progress = progress
        self.size = max(1, size)
        self.versions: list[NewVersion] = []
        self.ids: set[str] = set()
        self.sources: set[str] = set()
        self.checksums: dict[str, tuple[str, int]] = {}
        self.unindexed: list[Record] = []
        # relations to record in records already stored, once this batch is stored
        self.reverse_relations: list[tuple[str, Relation]] = []
        # signatures of the records stored but not yet in the duplicates index (it is written
        # with the search index)
        from oral_archive.archive.duplicates import SignatureSet  # loads datasketch (and scipy): only when ingesting

        self.pending_signatures = SignatureSet()

    def handle(self, path: Path, item, row: SuppliedRow | None, outcome: Outcome | None) -> None:
        if isinstance(item, FileResult):
            result = item
        elif isinstance(item, SourceError):
            # a refused input is not read, not even to keep a copy (see InputRefused)
            data = None if isinstance(item, InputRefused) else self.original_of(path)
            quarantined = self.archive.quarantine(path.name, data, item.reason) if data is not None else None
            result = FileResult(path, "rejected", reason=f"{printable_path(path)}: {one_line(item.reason)}", quarantined=quarantined)
        else:
            result = self._add(path, item, row, outcome)
        self.report.results.append(result)
        if self.progress:
            self.progress(result)

    def _add(self, path: Path, source: Source, row: SuppliedRow | None, outcome: Outcome) -> FileResult:
        existing = self.archive.find_checksum(source.sha256) or self.checksums.get(source.sha256)
        if existing:  # the same bytes twice in this run
            return FileResult(path, "unchanged", existing[0], existing[1])
        if outcome.record is not None:
            key = source_key(outcome.record.source.url, outcome.record.source.filename)
            if outcome.record.id in self.ids or key in self.sources:
                self.flush()  # a second version of a source in this batch: store the first
            if self.archive.find_source(key) is not None:
                # A changed source (maybe with a changed title): build the new version
                # against the stored history, under the record id it already has.
                outcome = prepare_one(source, row, self.archive)
        if outcome.record is None:
            quarantined = self.archive.quarantine(path.name, source.data, outcome.quarantine_reason or "rejected", outcome.problems)
            return FileResult(path, "rejected", reason=outcome.reason, quarantined=quarantined)
        record = outcome.record
        stone = self.archive.tombstone(record.id)
        if stone is not None and stone.purged:
            # A legal takedown stays done: the source is refused, and not kept in quarantine either.
            reason = f"{printable_path(path)}: record {record.id} was purged on {stone.withdrawn_at:%Y-%m-%d} ({one_line(stone.reason)}); this source is not taken in again (nothing of it was kept)"
            return FileResult(path, "rejected", record.id, reason=reason)
        copies = self.archive.copies_of(record, pending=self.pending_signatures)
        if copies:
            outcome = self._with_relations(path, source, outcome, copies)
            if outcome.record is None:
                quarantined = self.archive.quarantine(path.name, source.data, outcome.quarantine_reason or "rejected", outcome.problems)
                return FileResult(path, "rejected", reason=outcome.reason, quarantined=quarantined)
            record = outcome.record
        self.pending_signatures.add(record.id, signature_for(record))  # later files of this run compare with it
        self.versions.append(NewVersion(record, outcome.tei, source.data, outcome.record_json))
        # the batch holds the TEI and JSON until they are stored: the outcome need not hold
        # them too while the search index is committed (for a long record, both are large)
        outcome.tei, outcome.record_json = b"", b""
        self.ids.add(record.id)
        self.sources.add(source_key(record.source.url, record.source.filename))
        self.checksums[source.sha256] = (record.id, record.version)
        if len(self.versions) >= self.size or sum(len(v.original) + len(v.tei) for v in self.versions) >= BATCH_BYTES:
            self.flush()
        return FileResult(path, "ingested" if record.version == 1 else "new-version", record.id, record.version, copies=copies)

    def _with_relations(self, path: Path, source: Source, outcome: Outcome, copies: list[tuple[str, float]]) -> Outcome:
        """The outcome's record with a "same text as" relation to each copy (TEI header and JSON
        made again, and validated again); the copies get the reverse relation once stored."""
        found = outcome.record.ingested_at
        # a shallow copy with its own relations: the segments (a long transcript) are shared
        record = outcome.record.model_copy(update={"relations": [*outcome.record.relations, *(Relation(record=other, similarity=round(similarity, 2), found=found) for other, similarity in copies)]})
        tei = replace_header(outcome.tei, record)
        record_json = record.__pydantic_serializer__.to_json(record, indent=2)
        validated, problems = read_valid_record(record_json, tei, source.data, "subset")
        if problems or validated is None:
            invalid = RecordInvalid(record.id, problems)
            return Outcome(reason=f"{printable_path(path)}: {one_line(str(invalid))}", quarantine_reason=f"the record built from it is invalid ({len(problems)} problems)", problems=problems)
        self.reverse_relations.extend((other, Relation(record=record.id, similarity=round(similarity, 2), found=found)) for other, similarity in copies)
        return Outcome(validated, tei, record_json)

    def flush(self) -> None:
        """Store the collected versions as one durable batch."""
        if not self.versions:
            return
        self.archive.add_validated(self.versions)  # a failure here ends the ingest
        self.unindexed.extend(v.record for v in self.versions)
        if self.reverse_relations:  # the copies found say so too, each in a new version
            self.unindexed.extend(self.archive.add_relations(self.reverse_relations))
            self.reverse_relations = []
        self.versions, self.ids, self.sources, self.checksums = [], set(), set(), {}
        if len(self.unindexed) >= self.index_every or sum(r.source.size for r in self.unindexed) >= INDEX_EVERY_BYTES:
            self.commit_index()

    def commit_index(self, quietly: bool = False) -> None:
        """One index commit for everything stored since the last one."""
        if not self.unindexed:
            return
        try:
            self.archive.index_records(self.unindexed)
            for record in self.unindexed:
                self.pending_signatures.discard(record.id)
        except Exception as error:
            if quietly:
                return  # already failing; the ids stay pending and the next writer indexes them
            raise StoreError(f"{self.archive.path}: records are stored but the search index could not be updated ({error}); the next ingest or 'oral-archive reindex' indexes them") from None
        self.unindexed = []


def _start_pool(workers: int):
    """A process pool that prepares records; its workers exit if this process dies."""
    methods = multiprocessing.get_all_start_methods()
    # forkserver: workers are forked from a clean server process, never from this one
    # (which may hold locks and threads, e.g. rich's progress display).
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["oral_archive.pipeline.stages"])
    return context.Pool(workers, initializer=_worker_started, initargs=(os.getpid(),))


def _worker_started(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled once, by the parent
    threading.Thread(target=_exit_with_parent, args=(parent, os.getppid()), daemon=True).start()


def _exit_with_parent(parent: int, server: int) -> None:
    """Leave when the ingesting process is gone (e.g. killed), instead of lingering."""
    while True:
        time.sleep(0.5)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            os._exit(0)
        if os.getppid() != server:
            os._exit(0)

