"""The on-disk record store: plain files an archivist can read without this tool.

Layout under the archive folder::

    oral-archive.json                    marker: format and layout version
    records/<id>/v<N>/                   one version of one record, a BagIt bag:
        bagit.txt  bag-info.txt  manifest-sha256.txt  tagmanifest-sha256.txt
        data/original<.ext>              the bytes exactly as received
        data/record.tei.xml              the TEI P5 record
        data/record.json                 the pydantic record (same facts)
    quarantine/<stamp>-<sha8>-<name>/    rejected input: original bytes + reason.txt/.json
    index/                               Whoosh index, rebuildable from records/
    index-pending.txt                    ids stored but maybe not yet indexed (crash recovery)
    .lock                                write lock (one writer at a time)

Every version folder is written under a temporary name, made durable, and renamed into
place, so a crash leaves either no version or a complete one. ``write_versions`` does this
for a batch: all temporary folders first, one durability barrier (``syncfs`` of the
archive's filesystem, or an fsync of every file and folder where ``syncfs`` is missing),
then the renames, then a second barrier. ``docs/store.md`` describes the layout in full.
"""

from __future__ import annotations

import ctypes
import hashlib
import itertools
import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, NamedTuple

from oral_archive.schemas.errors import RecordNotFound, StoreError
from oral_archive.schemas.filenames import one_line, printable_name
from oral_archive.schemas.identifiers import slugify
from oral_archive.schemas.record import RECORD_ID_PATTERN, Record

LAYOUT_VERSION = 1
MARKER = "oral-archive.json"
ORIGINAL_STEM = "original"
TEI_NAME = "record.tei.xml"
JSON_NAME = "record.json"
PAYLOAD_NAMES = (TEI_NAME, JSON_NAME)
INDEX_PENDING = "index-pending.txt"
MANIFEST = "manifest-sha256.txt"
TAG_MANIFEST = "tagmanifest-sha256.txt"
TAG_FILES = ("bagit.txt", "bag-info.txt", MANIFEST)
VERSION_DIR = re.compile(r"^v(\d{1,6})$")
SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")


class NewVersion(NamedTuple):
    """One version to write: the record, its TEI, the original bytes, optionally its JSON."""

    record: Record
    tei: bytes
    original: bytes
    record_json: bytes | None = None


@dataclass(frozen=True)
class StoredVersion:
    """Where one record version lives on disk."""

    record_id: str
    version: int
    path: Path

    @property
    def data(self) -> Path:
        return self.path / "data"

    @property
    def tei_path(self) -> Path:
        return self.data / TEI_NAME

    @property
    def json_path(self) -> Path:
        return self.data / JSON_NAME

    def original_path(self) -> Path:
        found = sorted(self.data.glob(f"{ORIGINAL_STEM}*"))
        if not found:
            raise StoreError(f"record {self.record_id} v{self.version}: original file is missing in {self.data}")
        return found[0]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_file(path: Path, data: bytes, fsync: bool) -> None:
    # os.open/os.write: no buffered file object for a file written in one piece.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if fsync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _libc_syncfs():
    """``syncfs(2)`` where the C library has it (Linux), else None."""
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int]
    return function


_SYNCFS = _libc_syncfs()


def sync_paths(anchor: Path, paths: Iterable[Path]) -> None:
    """Make ``paths`` (files and folders on ``anchor``'s filesystem) durable.

    One ``syncfs`` of the filesystem costs about as much as a dozen single fsyncs, so a
    batch of hundreds of files is made durable for ~1/15 of the cost; without ``syncfs``
    every path is fsynced in turn. Raises ``OSError`` (e.g. EIO, ENOSPC) like fsync does.
    """
    if _SYNCFS is not None:
        fd = os.open(anchor, os.O_RDONLY)
        try:
            if _SYNCFS(fd) != 0:
                number = ctypes.get_errno()
                raise OSError(number, os.strerror(number), str(anchor))
        finally:
            os.close(fd)
        return
    for path in paths:
        if path.is_dir():
            _fsync_dir(path)
        else:
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())


def write_atomic(path: Path, data: bytes, fsync: bool = True) -> None:
    """Replace ``path`` with ``data`` via a temporary file and rename."""
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    _write_file(temporary, data, fsync)
    os.replace(temporary, path)
    if fsync:
        _fsync_dir(path.parent)


def original_name(filename: str) -> str:
    """``original`` plus the source's suffix when that suffix is harmless."""
    suffix = Path(filename).suffix.lower()
    return ORIGINAL_STEM + (suffix if SAFE_SUFFIX.match(suffix) else "")


class RecordStore:
    """Reads and writes record versions and quarantined inputs under one folder."""

    def __init__(self, root: Path, fsync: bool = True) -> None:
        self.root = root
        self.records_dir = root / "records"
        self.quarantine_dir = root / "quarantine"
        self.fsync = fsync

    # -- layout ---------------------------------------------------------------------------
    def initialize(self) -> None:
        """Create the folder layout (idempotent). Refuses a non-empty folder that is not an archive."""
        marker = self.root / MARKER
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: exists and is not a folder")
        if self.root.is_dir() and not marker.exists() and any(self.root.iterdir()):
            raise StoreError(f"{self.root}: is a non-empty folder that is not an oral-archive archive (no {MARKER})")
        try:
            self.records_dir.mkdir(parents=True, exist_ok=True)
            self.quarantine_dir.mkdir(exist_ok=True)
            if not marker.exists():
                write_atomic(marker, json.dumps({"format": "oral-archive", "layout_version": LAYOUT_VERSION}, indent=2).encode() + b"\n", self.fsync)
        except OSError as error:
            raise StoreError(f"{self.root}: cannot create the archive: {error.strerror or error}") from None

    @property
    def exists(self) -> bool:
        return (self.root / MARKER).exists()

    def record_dir(self, record_id: str) -> Path:
        if not re.match(RECORD_ID_PATTERN, record_id):
            raise RecordNotFound(record_id)
        return self.records_dir / record_id

    # -- reading --------------------------------------------------------------------------
    def record_ids(self) -> list[str]:
        """Ids of the records with at least one finished version, sorted.

        A writer that died during a record's first version leaves ``records/<id>/`` with
        only a ``.tmp-v1-*`` folder in it (the next writer removes it): that is no record,
        and every reader (show, validate, export, bag) must not meet it as one.
        """
        if not self.records_dir.is_dir():
            return []
        with os.scandir(self.records_dir) as entries:
            candidates = [e.name for e in entries if e.is_dir() and re.match(RECORD_ID_PATTERN, e.name)]
        return sorted(name for name in candidates if self._has_finished_version(self.records_dir / name))

    @staticmethod
    def _has_finished_version(folder: Path) -> bool:
        # v1 is never removed once written: one stat for nearly every record, a listing otherwise
        if (folder / "v1").is_dir():
            return True
        try:
            return any(VERSION_DIR.match(name) and (folder / name).is_dir() for name in os.listdir(folder))
        except OSError:
            return False

    def versions(self, record_id: str) -> list[StoredVersion]:
        folder = self.record_dir(record_id)
        if not folder.is_dir():
            return []
        found = [
            StoredVersion(record_id, int(m.group(1)), child)
            for child in folder.iterdir()
            if child.is_dir() and (m := VERSION_DIR.match(child.name))
        ]
        return sorted(found, key=lambda v: v.version)

    def latest(self, record_id: str) -> StoredVersion:
        versions = self.versions(record_id)
        if not versions:
            raise RecordNotFound(record_id)
        return versions[-1]

    def version(self, record_id: str, version: int | None = None) -> StoredVersion:
        if version is None:
            return self.latest(record_id)
        for stored in self.versions(record_id):
            if stored.version == version:
                return stored
        raise RecordNotFound(f"{record_id} v{version}")

    def load_record(self, stored: StoredVersion) -> Record:
        try:
            return Record.model_validate_json(stored.json_path.read_bytes())
        except FileNotFoundError:
            raise StoreError(f"record {stored.record_id} v{stored.version}: {JSON_NAME} is missing") from None
        except OSError as error:
            raise StoreError(f"record {stored.record_id} v{stored.version}: cannot read {stored.json_path}: {error.strerror or error}") from None
        except ValueError as error:  # pydantic's ValidationError: damaged or hand-edited JSON
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise StoreError(
                f"record {stored.record_id} v{stored.version}: {stored.json_path} is not a valid record ({first}); "
                "run 'oral-archive validate' and 'oral-archive verify'"
            ) from None

    def original_checksums(self) -> dict[str, tuple[str, int]]:
        """SHA-256 of every stored original -> (record id, version), from the bag manifests.

        Reads one small manifest per version (no JSON parsing, no model validation), so the
        "already stored?" check stays cheap for large archives. A version whose manifest is
        unreadable falls back to its record.json; one with neither is skipped (``verify``
        reports it).
        """
        found: dict[str, tuple[str, int]] = {}
        for record_id in self.record_ids():
            for stored in self.versions(record_id):
                digest = self._original_digest(stored)
                if digest:
                    found[digest] = (record_id, stored.version)
        return found

    def _original_digest(self, stored: StoredVersion) -> str | None:
        try:
            for line in (stored.path / MANIFEST).read_text(encoding="utf-8").splitlines():
                digest, _, name = line.partition(" ")
                if name.strip().startswith(f"data/{ORIGINAL_STEM}"):
                    return digest.lower()
        except (OSError, UnicodeDecodeError):
            pass
        try:
            return json.loads(stored.json_path.read_bytes())["source"]["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    # -- writing --------------------------------------------------------------------------
    def write_version(self, record: Record, tei: bytes, original: bytes, record_json: bytes | None = None) -> StoredVersion:
        """Write one complete version folder atomically (temporary folder, fsync, rename)."""
        return self.write_versions([NewVersion(record, tei, original, record_json)])[0]

    def write_versions(self, versions: list["NewVersion"], *, pending_index: bool = False) -> list[StoredVersion]:
        """Write a batch of version folders; each appears complete or not at all.

        Order: every temporary folder, one durability barrier, the renames, a second
        barrier. A crash before a rename leaves a ``.tmp-v*`` folder that the next writer
        removes; after it, the version is complete on disk. With ``pending_index`` the ids
        are first added to ``index-pending.txt`` (made durable by the same barrier), so a
        crash before the search index is committed is repaired by the next writer.
        Raises ``StoreError`` naming the record and the reason (disk full, read-only...);
        versions renamed before the failure stay, complete, and stay listed as pending.
        """
        staged: list[tuple[Path, Path, NewVersion]] = []
        renamed = 0
        seen: set[tuple[str, int]] = set()
        current = versions[0] if versions else None
        try:
            for current in versions:
                key = (current.record.id, current.record.version)
                final = self.record_dir(key[0]) / f"v{key[1]}"
                if final.exists() or key in seen:
                    raise StoreError(f"record {key[0]} v{key[1]} already exists")
                seen.add(key)
                staged.append((self._stage(current), final, current))
            if pending_index and staged:
                self._add_index_pending([v.record.id for _, _, v in staged])
            if self.fsync and staged:
                pending = [self.root / INDEX_PENDING, self.root] if pending_index else []
                # A generator: only walked where there is no syncfs (one call covers all).
                sync_paths(self.records_dir, itertools.chain((p for temporary, _, _ in staged for p in (*temporary.rglob("*"), temporary, temporary.parent)), pending))
            for temporary, final, current in staged:
                os.rename(temporary, final)
                renamed += 1
            if self.fsync and staged:
                sync_paths(self.records_dir, {final.parent for _, final, _ in staged} | {self.records_dir})
        except OSError as error:
            for temporary, _, _ in staged[renamed:]:
                shutil.rmtree(temporary, ignore_errors=True)
            for folder in {t.parent for t, _, _ in staged[renamed:]} | ({self.record_dir(current.record.id)} if current else set()):
                try:
                    folder.rmdir()  # a new record's folder, left empty
                except OSError:
                    pass
            where = f"record {current.record.id} v{current.record.version}" if current else "records"
            stored = f" ({renamed} of {len(versions)} versions of this batch were stored, complete)" if renamed else ""
            raise StoreError(f"cannot write {where} to {self.records_dir}: {error.strerror or error}{stored}") from None
        return [StoredVersion(v.record.id, v.record.version, final) for _, final, v in staged]

    def _stage(self, version: "NewVersion") -> Path:
        """Write one version as a complete bag under a temporary name (not yet durable)."""
        record = version.record
        folder = self.record_dir(record.id)
        payload = {
            original_name(record.source.filename): version.original,
            TEI_NAME: version.tei,
            JSON_NAME: version.record_json if version.record_json is not None else record.model_dump_json(indent=2).encode("utf-8"),
        }
        temporary = folder / f".tmp-v{record.version}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (temporary / "data").mkdir(parents=True)
            manifest_lines = []
            for name, data in payload.items():
                _write_file(temporary / "data" / name, data, False)
                manifest_lines.append(f"{hashlib.sha256(data).hexdigest()}  data/{name}\n")
            tags = {
                "bagit.txt": b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n",
                "bag-info.txt": self._bag_info(record, payload).encode("utf-8"),
                MANIFEST: "".join(manifest_lines).encode("utf-8"),
            }
            for name, data in tags.items():
                _write_file(temporary / name, data, False)
            tag_manifest = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in tags.items())
            _write_file(temporary / TAG_MANIFEST, tag_manifest.encode("utf-8"), False)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        return temporary

    # -- index recovery -------------------------------------------------------------------
    def index_pending(self) -> list[str]:
        """Ids stored by a writer that may have died before committing the search index."""
        try:
            text = (self.root / INDEX_PENDING).read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return sorted({line.strip() for line in text.splitlines() if re.match(RECORD_ID_PATTERN, line.strip())})

    def _add_index_pending(self, record_ids: list[str]) -> None:
        ids = sorted(set(self.index_pending()) | set(record_ids))
        # Not fsynced here: the caller's durability barrier covers it, before any rename.
        write_atomic(self.root / INDEX_PENDING, "".join(f"{i}\n" for i in ids).encode("utf-8"), fsync=False)

    def clear_index_pending(self, record_ids: Iterable[str]) -> None:
        """Forget ``record_ids`` once the search index holds them (call under the lock)."""
        left = sorted(set(self.index_pending()) - set(record_ids))
        path = self.root / INDEX_PENDING
        if left:
            write_atomic(path, "".join(f"{i}\n" for i in left).encode("utf-8"), self.fsync)
        elif path.exists():
            path.unlink()

    @staticmethod
    def _bag_info(record: Record, payload: dict[str, bytes]) -> str:
        octets = sum(len(data) for data in payload.values())
        lines = [
            f"Bagging-Date: {record.ingested_at.date().isoformat()}",
            f"Payload-Oxum: {octets}.{len(payload)}",
            f"External-Identifier: {record.id} v{record.version}",
            f"External-Description: {record.display_title[:200]}",
            f"Source-Organization: {record.tool} {record.tool_version}",
        ]
        if record.source.url:
            lines.append(f"Source-URL: {record.source.url}")
        return "".join(f"{line.replace(chr(10), ' ')}\n" for line in lines)

    def remove_stale_temporaries(self) -> list[Path]:
        """Delete what an interrupted writer left half-written (call under the lock).

        Version folders (``records/<id>/.tmp-v*``), quarantine entries
        (``quarantine/.tmp-*``) and ``write_atomic`` files (``.<name>.tmp-*``) in the root.
        """
        removed = []
        for temporary in [*self.records_dir.glob("*/.tmp-v*"), *self.records_dir.glob(".tmp-purge-*"), *self.quarantine_dir.glob(".tmp-*"), *self.root.glob(".*.tmp-*")]:
            if temporary.is_dir():
                shutil.rmtree(temporary, ignore_errors=True)
            else:
                temporary.unlink(missing_ok=True)
            removed.append(temporary)
        for record_dir in self.records_dir.iterdir() if self.records_dir.is_dir() else []:
            if record_dir.is_dir() and not any(record_dir.iterdir()):
                record_dir.rmdir()
        return removed

    def remove_record_folder(self, record_id: str) -> None:
        """Delete a record's folder (a purge): renamed out of the way first, so a crash
        leaves either the whole folder or a ``.tmp-purge-*`` one the next writer removes."""
        folder = self.record_dir(record_id)
        doomed = self.records_dir / f".tmp-purge-{record_id}-{secrets.token_hex(4)}"
        try:
            os.rename(folder, doomed)
            if self.fsync:
                _fsync_dir(self.records_dir)
            shutil.rmtree(doomed)
        except OSError as error:
            raise StoreError(f"cannot delete record {record_id} from {self.records_dir}: {error.strerror or error}") from None

    # -- quarantine -----------------------------------------------------------------------
    def quarantine(self, filename: str, original: bytes, reason: str, details: list[str] | None = None) -> Path:
        """Keep a rejected input with a readable reason; never overwrites an earlier one.

        The same bytes under the same name rejected for the same reason are kept once: a
        re-run of a batch returns the existing folder instead of another copy.
        """
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        digest = hashlib.sha256(original).hexdigest()
        # What is written and listed is one line each, whatever bytes the name or reason hold.
        filename, reason = printable_name(filename), one_line(reason)
        details = [one_line(d) for d in details or []]
        name = slugify(Path(filename).stem, 40)
        for earlier in sorted(self.quarantine_dir.glob(f"*-{digest[:8]}-{name}*")) if self.quarantine_dir.is_dir() else []:
            try:
                info = json.loads((earlier / "reason.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if (info.get("sha256"), info.get("file"), info.get("reason")) == (digest, filename, reason):
                return earlier
        folder = self.quarantine_dir / f"{stamp}-{digest[:8]}-{name}"
        temporary = self.quarantine_dir / f".tmp-{secrets.token_hex(6)}"
        try:
            temporary.mkdir(parents=True)
            _write_file(temporary / original_name(filename), original, self.fsync)
            text = f"file: {filename}\nsha256: {digest}\nreason: {reason}\n" + "".join(f"- {d}\n" for d in details)
            # backslashreplace: a reason file is written whatever it holds, never a crash
            _write_file(temporary / "reason.txt", text.encode("utf-8", "backslashreplace"), self.fsync)
            info = {"file": filename, "sha256": digest, "reason": reason, "details": details, "quarantined_at": stamp}
            _write_file(temporary / "reason.json", json.dumps(info, indent=2).encode("utf-8"), self.fsync)
            if self.fsync:
                _fsync_dir(temporary)
            if folder.exists():
                folder = folder.with_name(folder.name + "-" + secrets.token_hex(3))
            os.rename(temporary, folder)
            if self.fsync:
                _fsync_dir(self.quarantine_dir)
        except OSError as error:
            shutil.rmtree(temporary, ignore_errors=True)
            raise StoreError(f"cannot quarantine {filename}: {error.strerror or error}") from None
        except BaseException:  # a defect or an interrupt: still no half-written entry left behind
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        return folder

    def quarantined(self) -> list[dict]:
        entries = []
        for folder in sorted(self.quarantine_dir.glob("[0-9]*")) if self.quarantine_dir.is_dir() else []:
            try:
                info = json.loads((folder / "reason.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                info = {"file": "?", "reason": "reason.json missing or unreadable"}
            if not isinstance(info, dict):
                info = {"file": "?", "reason": "reason.json is not a JSON object"}
            # entries written before names and reasons were made printable, or edited by hand
            info["file"] = printable_name(str(info.get("file", "?")))
            info["reason"] = one_line(str(info.get("reason", "")))
            info["path"] = str(folder)
            entries.append(info)
        return entries
