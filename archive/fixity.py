"""Fixity: prove that what went in is still there, unchanged, and hand it out as BagIt bags.

``verify(store)`` walks the whole archive folder and collects every problem instead of
stopping at the first, like bagit-python's ``BagValidationError.details``: an archivist
repairs a batch at once. Each record version is a BagIt bag; the ``bagit`` library parses
it (bagit.txt, bag-info.txt, the manifests, unsafe manifest paths) and this module
recomputes every SHA-256 itself, because ``bagit.Bag.validate`` stops at the first failing
stage (Payload-Oxum, then completeness, then checksums) and would hide the rest.

Problem kinds: ``missing`` (listed or implied but absent), ``altered`` (checksum differs),
``unexpected`` (present but listed nowhere, inside or outside version folders),
``unreadable`` (a bag or file that cannot be parsed) and ``inconsistent`` (readable files
that contradict each other, e.g. record.json names another id or another checksum).
Temporary folders of an interrupted or running ingest are not problems: they are listed
as notes, and the next writer removes them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import bagit

from oral_archive.schemas.errors import RecordNotFound, StoreError
from oral_archive.schemas.record import RECORD_ID_PATTERN

from .curation import CURATION_FILE, CurationLog
from .store import INDEX_PENDING, JSON_NAME, MARKER, ORIGINAL_STEM, TAG_MANIFEST, VERSION_DIR, RecordStore, StoredVersion, sync_paths

# bagit logs every file it reads at INFO and problems at WARNING; we report problems ourselves.
logging.getLogger("bagit").addHandler(logging.NullHandler())

Kind = Literal["missing", "altered", "unexpected", "unreadable", "inconsistent"]
# What may sit at the top of an archive folder besides records/ and quarantine/.
# duplicates.sqlite (with SQLite's -wal/-shm companions): the near-duplicate index, derived
# from the records like index/ (archive.core.DUPLICATES_FILE; 'oral-archive reindex' rebuilds it)
ROOT_ENTRIES = {MARKER, "records", "quarantine", "index", ".lock", INDEX_PENDING, CURATION_FILE,
                "duplicates.sqlite", "duplicates.sqlite-wal", "duplicates.sqlite-shm"}
QUARANTINE_FILES = {"reason.txt", "reason.json"}


@dataclass(frozen=True)
class FixityProblem:
    """One thing wrong: what kind, which file (relative to the archive folder), and why."""

    kind: Kind
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.path}: {self.message}"


@dataclass
class VerifyReport:
    """Everything ``verify`` found; ``ok`` when there is no problem (notes are fine)."""

    root: Path
    problems: list[FixityProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    records: int = 0
    versions: int = 0
    files: int = 0
    bytes: int = 0
    quarantined: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def details(self) -> list[FixityProblem]:
        """The problems, under bagit-python's name for them."""
        return self.problems

    def summary(self) -> str:
        state = "OK" if self.ok else f"{len(self.problems)} problem(s)"
        return (
            f"{state}: checked {self.records} records, {self.versions} versions, {self.files} files "
            f"({self.bytes / 1e6:.1f} MB), {self.quarantined} quarantined inputs"
        )

    def add(self, kind: Kind, path: Path, message: str) -> None:
        self.problems.append(FixityProblem(kind, _relative(self.root, path), message))


def _relative(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in chunks (originals may be large)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _files_below(folder: Path) -> list[str]:
    """Every file below ``folder`` as a POSIX path relative to it (symlinks count as files)."""
    found = []
    for directory, folders, files in os.walk(folder):
        for name in files + [f for f in folders if os.path.islink(os.path.join(directory, f))]:
            found.append(Path(directory, name).relative_to(folder).as_posix())
    return sorted(found)


def verify(store: RecordStore) -> VerifyReport:
    """Check the whole archive folder; every checksum is recomputed from the bytes on disk."""
    root = store.root
    report = VerifyReport(root)
    _check_root(store, report)
    if store.records_dir.is_dir():
        for folder in sorted(store.records_dir.iterdir()):
            _check_record_folder(folder, report)
    if store.quarantine_dir.is_dir():
        for folder in sorted(store.quarantine_dir.iterdir()):
            _check_quarantined(folder, report)
    _check_curation(store, report)
    return report


def _check_curation(store: RecordStore, report: VerifyReport) -> None:
    """The curation log reads, every withdrawn record's files are still there (withdrawal
    keeps them), and no purged record's are (a purge deletes them)."""
    log = CurationLog(store.root)
    try:
        hidden = log.hidden()
    except StoreError as error:
        report.add("unreadable", log.path, str(error))
        return
    for record_id, state in sorted(hidden.items()):
        folder = store.records_dir / record_id
        if state == "withdrawn" and not folder.is_dir():
            report.add("missing", folder, f"record {record_id} is withdrawn, and a withdrawn record keeps its files")
        elif state == "purged" and folder.exists():
            report.notes.append(f"{_relative(report.root, folder)}: record purged but its folder is still there (the next writer deletes it)")


def _check_root(store: RecordStore, report: VerifyReport) -> None:
    marker = store.root / MARKER
    try:
        info = json.loads(marker.read_bytes())
        if not isinstance(info, dict) or info.get("format") != "oral-archive":
            report.add("inconsistent", marker, "is not an oral-archive marker (no \"format\": \"oral-archive\")")
    except FileNotFoundError:
        report.add("missing", marker, "the archive marker is missing")
    except (OSError, ValueError) as error:
        report.add("unreadable", marker, f"cannot read the archive marker: {error}")
    for required in (store.records_dir, store.quarantine_dir):
        if not required.is_dir():
            report.add("missing", required, "folder is missing")
    for entry in sorted(store.root.iterdir()) if store.root.is_dir() else []:
        if entry.name in ROOT_ENTRIES:
            continue
        if entry.name.startswith(".") and ".tmp-" in entry.name:
            report.notes.append(f"{entry.name}: temporary file of an interrupted or running write")
            continue
        report.add("unexpected", entry, "is not part of the archive layout")


def _check_record_folder(folder: Path, report: VerifyReport) -> None:
    if folder.name.startswith(".tmp-purge-"):
        report.notes.append(f"{_relative(report.root, folder)}: record folder of an interrupted purge (the next writer deletes it)")
        return
    if not folder.is_dir() or not re.match(RECORD_ID_PATTERN, folder.name):
        report.add("unexpected", folder, "is not a record folder (records/ holds only folders named by record id)")
        return
    versions: dict[int, Path] = {}
    for entry in sorted(folder.iterdir()):
        match = VERSION_DIR.match(entry.name)
        if entry.is_dir() and not entry.is_symlink() and match:
            versions[int(match.group(1))] = entry
        elif entry.is_dir() and entry.name.startswith(".tmp-v"):
            report.notes.append(f"{_relative(report.root, entry)}: half-written version of an interrupted or running ingest (the next ingest removes it)")
        else:
            report.add("unexpected", entry, "is not a version folder (v1, v2, ...)")
    if not versions:
        report.notes.append(f"{_relative(report.root, folder)}: record folder without a finished version (interrupted first ingest)")
        return
    report.records += 1
    for number in range(1, max(versions) + 1):
        if number not in versions:
            report.add("missing", folder / f"v{number}", f"version {number} of {max(versions)} is missing")
    for number, path in sorted(versions.items()):
        check_version(StoredVersion(folder.name, number, path), report)


def check_version(stored: StoredVersion, report: VerifyReport) -> None:
    """Check one version folder as a BagIt bag, adding every problem found to ``report``."""
    report.versions += 1
    path = stored.path
    try:
        bag = bagit.Bag(str(path))
    except (bagit.BagError, OSError, UnicodeDecodeError, ValueError) as error:
        report.add("unreadable", path, f"not a readable BagIt bag: {error}")
        return
    expected = {name: hashes for name, hashes in bag.entries.items()}
    on_disk = set(_files_below(path)) - {TAG_MANIFEST}
    if not (path / TAG_MANIFEST).is_file():
        report.add("missing", path / TAG_MANIFEST, "tag manifest is missing: bagit.txt, bag-info.txt and the manifest are unprotected")
    for name in sorted(set(expected) - on_disk):
        report.add("missing", path / name, "listed in the manifest but not on disk")
    for name in sorted(on_disk - set(expected)):
        report.add("unexpected", path / name, "on disk but listed in no manifest")
    digests: dict[str, str] = {}
    for name in sorted(set(expected) & on_disk):
        stored_hash = (expected[name].get("sha256") or "").lower()
        file_path = path / name
        try:
            found = sha256_of(file_path)
        except OSError as error:
            report.add("unreadable", file_path, f"cannot read: {error.strerror or error}")
            continue
        report.files += 1
        report.bytes += file_path.stat().st_size
        digests[name] = found
        if not stored_hash:
            report.add("inconsistent", file_path, "has no SHA-256 in the manifests")
        elif stored_hash != found:
            report.add("altered", file_path, f"SHA-256 is {found}, the manifest says {stored_hash}")
    _check_record_json(stored, expected, digests, report)


def _check_record_json(stored: StoredVersion, expected: dict[str, dict[str, str]], digests: dict[str, str], report: VerifyReport) -> None:
    """The parts of one version must agree: one original, and record.json naming it."""
    originals = [name for name in expected if name.startswith(f"data/{ORIGINAL_STEM}")]
    for name in (f"data/{JSON_NAME}", "data/record.tei.xml"):
        if name not in expected:
            report.add("missing", stored.path / name, "the manifest does not list it (every version holds the TEI and JSON records)")
    if len(originals) != 1:
        report.add("inconsistent", stored.path / "data", f"expected exactly one original file in the manifest, found {len(originals)}")
        return
    json_path = stored.path / "data" / JSON_NAME
    if f"data/{JSON_NAME}" not in digests:
        return  # missing or unreadable: already reported
    try:
        data = json.loads(json_path.read_bytes())
        facts = (data["id"], data["version"], data["source"]["sha256"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        report.add("unreadable", json_path, f"is not a readable record: {error}")
        return
    if facts[0] != stored.record_id or facts[1] != stored.version:
        report.add("inconsistent", json_path, f"describes {facts[0]} v{facts[1]}, but is stored as {stored.record_id} v{stored.version}")
    manifest_digest = (expected[originals[0]].get("sha256") or "").lower()
    if facts[2] != manifest_digest:
        report.add("inconsistent", json_path, f"source.sha256 {facts[2]} differs from the manifest's {manifest_digest} for {originals[0]}")


def _check_quarantined(folder: Path, report: VerifyReport) -> None:
    if folder.name.startswith(".tmp-"):
        report.notes.append(f"{_relative(report.root, folder)}: half-written quarantine entry of an interrupted or running ingest")
        return
    if not folder.is_dir() or not folder.name[:1].isdigit():
        report.add("unexpected", folder, "is not a quarantine entry")
        return
    report.quarantined += 1
    names = set(os.listdir(folder))
    for required in sorted(QUARANTINE_FILES - names):
        report.add("missing", folder / required, "the reason file is missing")
    originals = sorted(names - QUARANTINE_FILES)
    if len(originals) != 1 or not originals[0].startswith(ORIGINAL_STEM):
        for name in originals:
            if not name.startswith(ORIGINAL_STEM):
                report.add("unexpected", folder / name, "is not part of a quarantine entry")
        if not any(n.startswith(ORIGINAL_STEM) for n in originals):
            report.add("missing", folder / ORIGINAL_STEM, "the quarantined original is missing")
        return
    try:
        recorded = json.loads((folder / "reason.json").read_bytes())["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return  # reported above as missing, or not checkable
    original = folder / originals[0]
    found = sha256_of(original)
    report.files += 1
    report.bytes += original.stat().st_size
    if found != recorded:
        report.add("altered", original, f"SHA-256 is {found}, reason.json says {recorded}")


def export_bags(store: RecordStore, record_ids: list[str], out: Path, *, all_versions: bool = False) -> list[Path]:
    """Copy record versions out as standalone BagIt bags named ``<id>-v<N>`` under ``out``.

    Every version is verified first and nothing is exported if any fails its fixity check
    or a target already exists (never overwrites). Each copy is validated with
    ``bagit.Bag(...).validate()`` before it is renamed into place, so a bag under its
    final name is complete and valid.
    """
    chosen: list[StoredVersion] = []
    for record_id in record_ids:
        versions = store.versions(record_id)
        if not versions:
            raise RecordNotFound(record_id)
        chosen.extend(versions if all_versions else versions[-1:])
    for stored in chosen:
        report = VerifyReport(store.root)
        check_version(stored, report)
        if not report.ok:
            more = f" (+{len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
            raise StoreError(f"record {stored.record_id} v{stored.version} fails its fixity check, nothing exported: {report.problems[0]}{more}; run 'oral-archive verify'")
        target = out / f"{stored.record_id}-v{stored.version}"
        if target.exists():
            raise StoreError(f"{target}: already exists; not overwriting it")
    written = []
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"{out}: cannot create the output folder: {error.strerror or error}") from None
    for stored in chosen:
        target = out / f"{stored.record_id}-v{stored.version}"
        temporary = out / f".tmp-{target.name}-{secrets.token_hex(4)}"
        try:
            shutil.copytree(stored.path, temporary)
            bagit.Bag(str(temporary)).validate()
            sync_paths(temporary, [*temporary.rglob("*"), temporary])
            os.rename(temporary, target)
        except (OSError, bagit.BagError) as error:
            shutil.rmtree(temporary, ignore_errors=True)
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            raise StoreError(f"cannot export record {stored.record_id} v{stored.version} to {target}: {reason}") from None
        written.append(target)
    try:
        sync_paths(out, [out])  # the renames themselves
    except OSError as error:
        raise StoreError(f"{out}: cannot make the exported bags durable: {error.strerror or error}") from None
    return written
