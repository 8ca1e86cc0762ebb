"""``ingest(paths, archive)``: files and folders into the archive, one report per file."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Literal

from oral_archive.archive.core import Archive
from oral_archive.schemas.errors import RecordInvalid, SourceError, StoreError
from oral_archive.schemas.record import Record

from .decode import read_source
from .manifest import Manifest, ManifestProblem, SuppliedRow, load_manifest
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


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    # bad manifest rows/cells (row and column named); the files themselves still ingest
    manifest_problems: list[ManifestProblem] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(r.status for r in self.results)

    @property
    def rejected(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "rejected"]

    def summary(self) -> str:
        counts = self.counts
        new = counts["ingested"] + counts["new-version"]
        extra = f" ({counts['new-version']} new versions)" if counts["new-version"] else ""
        return f"{new} ingested{extra}, {counts['unchanged']} unchanged, {counts['rejected']} rejected"


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, folders walked recursively in sorted order (hidden entries skipped)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        else:
            files.append(path)
    return files


def ingest(paths: Iterable[Path | str], archive: Archive, *, progress: Callable[[FileResult], None] | None = None, manifest: Manifest | Path | str | None = None) -> IngestReport:
    """Ingest files/folders; invalid inputs are quarantined with a reason, never half-stored.

    ``manifest`` (a path or a loaded ``Manifest``) supplies archivist metadata per file; its
    bad rows are listed in ``report.manifest_problems`` and do not stop the batch.

    Holds the archive's write lock for the whole batch and commits the search index once.
    """
    report = IngestReport()
    stored: list[Record] = []
    paths = list(paths)
    files = expand_paths(paths)
    supplied: dict[Path, SuppliedRow] = {}
    if manifest is not None:
        manifest = manifest if isinstance(manifest, Manifest) else load_manifest(manifest)
        # the manifest may sit in the folder it describes: it is not an interview
        files = [f for f in files if f.resolve() != manifest.path.resolve()]
        supplied, unmatched = manifest.match(files, roots=[p for p in paths if Path(p).is_dir()])
        report.manifest_problems = manifest.problems + unmatched
    with archive.writing():
        try:
            for path in files:
                result = _ingest_one(path, archive, stored, supplied.get(path))
                report.results.append(result)
                if progress:
                    progress(result)
        finally:
            if stored:
                archive.index.update(stored)
    return report


def _ingest_one(path: Path, archive: Archive, stored: list[Record], supplied: SuppliedRow | None = None) -> FileResult:
    try:
        source = read_source(path)
    except SourceError as error:
        data = _read_if_possible(path)
        quarantined = archive.quarantine(path.name, data, error.reason) if data is not None else None
        return FileResult(path, "rejected", reason=str(error), quarantined=quarantined)
    existing = archive.find_checksum(source.sha256)
    if existing:
        return FileResult(path, "unchanged", existing[0], existing[1])
    try:
        prepared = prepare(source, archive, supplied=supplied)
        added = archive.add(prepared.record, prepared.tei, source.data, index=False)
    except SourceError as error:
        quarantined = archive.quarantine(path.name, source.data, f"{error.stage}: {error.reason}")
        return FileResult(path, "rejected", reason=str(error), quarantined=quarantined)
    except RecordInvalid as error:
        quarantined = archive.quarantine(path.name, source.data, f"the record built from it is invalid ({len(error.problems)} problems)", error.problems)
        return FileResult(path, "rejected", reason=f"{path}: {error}", quarantined=quarantined)
    except (ValueError, StoreError) as error:  # pydantic ValidationError is a ValueError
        quarantined = archive.quarantine(path.name, source.data, f"cannot build a record: {error}")
        first_line = str(error).splitlines()[0]
        return FileResult(path, "rejected", reason=f"{path}: cannot build a record: {first_line}", quarantined=quarantined)
    if added.status != "unchanged":
        stored.append(prepared.record)
    return FileResult(path, added.status, added.record_id, added.version)


def _read_if_possible(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None
