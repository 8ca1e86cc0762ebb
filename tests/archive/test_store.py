"""The archive store: layout, safe ids, versions, verify, bag export, recovery, storage errors."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.archive import store as store_module
from oral_archive.archive.store import RecordStore, original_name
from oral_archive.pipeline import ingest
from oral_archive.pipeline.cli import main
from oral_archive.schemas.errors import ArchiveLocked, StoreError
from oral_archive.schemas.identifiers import make_record_id, source_key
from oral_archive.schemas.record import RECORD_ID_PATTERN

from ..conftest import SEED, corpus_files

TEI = "{http://www.tei-c.org/ns/1.0}"
BAGIT_CLI = Path(sys.executable).with_name("bagit.py")
ORAL_ARCHIVE = str(Path(sys.executable).with_name("oral-archive"))


def cli(archive: Path, *args: str):
    return CliRunner().invoke(main, ["--archive", str(archive), *args], catch_exceptions=False)


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its bytes (the whole visible state of an archive)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and p.name != ".lock"}


@pytest.fixture()
def seeded(tmp_path: Path) -> tuple[Archive, str]:
    archive = Archive(tmp_path / "archive")
    report = ingest([SEED], archive)
    assert report.counts["ingested"] == 1, report.results
    return archive, report.results[0].record_id


def changed_copy(tmp_path: Path, extra: str = "\nA closing remark added by the transcriber.\n") -> Path:
    """The seed with a changed ending, under the same file name (so: the same source)."""
    folder = tmp_path / "changed"
    folder.mkdir(exist_ok=True)
    path = folder / SEED.name
    path.write_bytes(SEED.read_bytes() + extra.encode())
    return path


# -- layout ---------------------------------------------------------------------------------
def test_version_folder_is_a_valid_bag_with_the_original_bytes(seeded) -> None:
    archive, record_id = seeded
    version = archive.path / "records" / record_id / "v1"
    assert sorted(p.relative_to(version).as_posix() for p in version.rglob("*") if p.is_file()) == [
        "bag-info.txt", "bagit.txt", "data/original.txt", "data/record.json", "data/record.tei.xml",
        "manifest-sha256.txt", "tagmanifest-sha256.txt",
    ]
    assert (version / "data" / "original.txt").read_bytes() == SEED.read_bytes()
    bagit.Bag(str(version)).validate()
    assert json.loads((archive.path / "oral-archive.json").read_text())["format"] == "oral-archive"


# -- ids and names safe as file names -------------------------------------------------------
nasty_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300) | st.sampled_from(
    ["..", "../../etc/passwd", "/", "\\..\\x", "a/b", ".", "~root", "CON", "\x00", "é" * 200, "--", " "]
)


@given(title=nasty_text | st.none(), url=nasty_text | st.none(), filename=nasty_text)
def test_record_ids_are_safe_file_names_whatever_the_input(title, url, filename, tmp_path_factory) -> None:
    record_id = make_record_id(title, source_key(url, filename or "x.txt"))
    import re

    assert re.match(RECORD_ID_PATTERN, record_id), record_id
    assert len(record_id) <= 96
    assert "/" not in record_id and "\\" not in record_id and ".." not in record_id and not record_id.startswith(".")
    root = Path("/archive/records")
    assert (root / record_id).resolve().parent == root
    # same source, same title: same id (stable across runs and versions)
    assert make_record_id(title, source_key(url, filename or "x.txt")) == record_id


@given(filename=nasty_text)
def test_original_and_quarantine_names_stay_inside_their_folder(filename, tmp_path_factory) -> None:
    name = original_name(filename)
    assert name.startswith("original") and "/" not in name and "\\" not in name and ".." not in name
    store = RecordStore(tmp_path_factory.mktemp("q"), fsync=False)
    store.initialize()
    folder = store.quarantine(filename, b"bytes", "reason with\nnew line")
    assert folder.parent == store.quarantine_dir
    assert [p.parent for p in folder.iterdir()] == [folder] * 3


# -- versions -------------------------------------------------------------------------------
def test_identical_bytes_are_unchanged_and_nothing_is_written(seeded) -> None:
    archive, record_id = seeded
    before = tree(archive.path)
    report = ingest([SEED], Archive(archive.path))
    assert [r.status for r in report.results] == ["unchanged"]
    assert report.results[0].record_id == record_id
    assert tree(archive.path) == before


def test_changed_bytes_make_a_new_version_keeping_the_old(seeded, tmp_path: Path) -> None:
    archive, record_id = seeded
    v1_before = tree(archive.path / "records" / record_id / "v1")
    report = ingest([changed_copy(tmp_path)], Archive(archive.path))
    assert [(r.status, r.record_id, r.version) for r in report.results] == [("new-version", record_id, 2)]
    assert tree(archive.path / "records" / record_id / "v1") == v1_before
    # the TEI of v2 lists both versions in revisionDesc
    tei = etree.fromstring(archive.tei(record_id, 2))
    changes = [c.text or "" for c in tei.iter(f"{TEI}change")]
    assert any("version 1" in c for c in changes) and any("version 2" in c for c in changes), changes
    assert [r.version for r in archive.history(record_id)] == [1, 2]
    output = cli(archive.path, "history", record_id).output
    assert output.count("\n") == 2 and output.startswith("v1") and "\nv2" in output
    assert archive.verify().ok


# -- verify ---------------------------------------------------------------------------------
def test_verify_passes_on_a_fresh_archive(archive_copy: Archive) -> None:
    report = archive_copy.verify()
    assert report.ok, report.problems
    assert report.versions == len(archive_copy.ids()) > 0
    result = cli(archive_copy.path, "verify")
    assert result.exit_code == 0 and result.output.startswith("OK")


def test_tampered_original_is_named_by_verify(archive_copy: Archive) -> None:
    record_id = archive_copy.ids()[2]
    original = archive_copy.store.latest(record_id).original_path()
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    original.write_bytes(bytes(data))
    report = archive_copy.verify()
    relative = original.relative_to(archive_copy.path).as_posix()
    assert [(p.kind, p.path) for p in report.problems] == [("altered", relative)]
    result = cli(archive_copy.path, "verify")
    assert result.exit_code == 1
    assert f"altered: {relative}" in result.output


def test_verify_collects_every_missing_and_unexpected_file(archive_copy: Archive) -> None:
    first, second, third = archive_copy.ids()[:3]
    root = archive_copy.path
    (root / "records" / first / "v1" / "data" / "record.tei.xml").unlink()
    (root / "records" / second / "v1" / "data" / "notes.txt").write_text("added by hand")
    (root / "records" / second / "stray.txt").write_text("outside any version")
    (root / "records" / "NOT-AN-ID").mkdir()
    (root / "leftover.zip").write_bytes(b"PK")
    (root / "records" / third / "v1").rename(root / "records" / third / "v2")  # v1 is now missing
    found = {(p.kind, p.path) for p in archive_copy.verify().problems}
    assert found >= {
        ("missing", f"records/{first}/v1/data/record.tei.xml"),
        ("unexpected", f"records/{second}/v1/data/notes.txt"),
        ("unexpected", f"records/{second}/stray.txt"),
        ("unexpected", "records/NOT-AN-ID"),
        ("unexpected", "leftover.zip"),
        ("missing", f"records/{third}/v1"),
        ("inconsistent", f"records/{third}/v2/data/record.json"),  # says v1, stored as v2
    }, found


def test_verify_checks_quarantined_originals(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    report = ingest([bad], archive)
    assert report.counts["rejected"] == 1
    assert archive.verify().ok
    kept = report.results[0].quarantined
    original = next(p for p in kept.iterdir() if p.name.startswith("original"))
    original.write_bytes(b"changed")
    assert [(p.kind, p.path) for p in archive.verify().problems] == [("altered", original.relative_to(archive.path).as_posix())]


# -- bag export -----------------------------------------------------------------------------
def test_bag_export_validates_with_bagit(archive_copy: Archive, tmp_path: Path) -> None:
    ids = archive_copy.ids()[:2]
    out = tmp_path / "bags"
    result = cli(archive_copy.path, "bag", *ids, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{i}-v1" for i in ids)
    for folder in out.iterdir():
        bagit.Bag(str(folder)).validate()
        assert (folder / "data" / "original.txt").read_bytes() == archive_copy.original(folder.name[:-3])
        command = subprocess.run([sys.executable, str(BAGIT_CLI), "--validate", str(folder)], capture_output=True, text=True)
        assert command.returncode == 0, command.stderr
    again = cli(archive_copy.path, "bag", ids[0], "-o", str(out))
    assert again.exit_code == 1 and "already exists" in again.output


def test_bag_export_refuses_a_damaged_record(archive_copy: Archive, tmp_path: Path) -> None:
    record_id = archive_copy.ids()[0]
    (archive_copy.store.latest(record_id).path / "data" / "record.json").write_text("{}")
    with pytest.raises(StoreError, match="fails its fixity check"):
        archive_copy.bag([record_id], tmp_path / "bags")
    assert not (tmp_path / "bags" / f"{record_id}-v1").exists()


# -- recovery -------------------------------------------------------------------------------
def test_reindex_rebuilds_the_index_from_records(archive_copy: Archive) -> None:
    count = len(archive_copy.ids())
    shutil.rmtree(archive_copy.path / "index")
    result = cli(archive_copy.path, "reindex")
    assert result.exit_code == 0 and f"indexed {count} record" in result.output
    assert Archive(archive_copy.path).index.open().doc_count() == count


def test_stale_temporaries_are_removed_and_pending_records_indexed(seeded, tmp_path: Path) -> None:
    archive, record_id = seeded
    # What a writer killed mid-batch leaves: a half-written version and an unindexed one.
    half = archive.path / "records" / record_id / ".tmp-v2-12345-abcd"
    (half / "data").mkdir(parents=True)
    (half / "data" / "original.txt").write_bytes(b"half")
    half_quarantined = archive.path / "quarantine" / ".tmp-0123abcd"
    half_quarantined.mkdir()
    half_file = archive.path / ".index-pending.txt.tmp-123-abcd"
    half_file.write_text("x")
    assert archive.verify().ok  # an interrupted write is not damage...
    assert any(".tmp-v2" in note for note in archive.verify().notes)  # ...but it is mentioned
    shutil.rmtree(archive.path / "index")
    cli(archive.path, "reindex")
    other = tmp_path / "other.txt"
    other.write_bytes(corpus_files()[0].read_bytes())
    fresh = Archive(archive.path)
    with fresh.writing():
        fresh.store.write_versions([_new_version(other)], pending_index=True)
        # killed here: stored, never indexed
    assert fresh.index.open().doc_count() == 1
    with Archive(archive.path).writing():
        pass
    assert not half.exists() and not half_quarantined.exists() and not half_file.exists()
    assert not (archive.path / "index-pending.txt").exists()
    assert Archive(archive.path).index.open().doc_count() == 2


def _new_version(path: Path):
    from oral_archive.archive.store import NewVersion
    from oral_archive.pipeline.decode import read_source
    from oral_archive.pipeline.stages import prepare

    source = read_source(path)
    prepared = prepare(source)
    return NewVersion(prepared.record, prepared.tei, source.data)


# -- storage errors: disk full, read-only ------------------------------------------------------
def failing_after(calls: int, code: int):
    """A stand-in for the store's low-level file write that fails like a full/read-only disk."""
    real = store_module._write_file
    count = {"n": 0}

    def write(path: Path, data: bytes, fsync: bool) -> None:
        count["n"] += 1
        if count["n"] > calls:
            raise OSError(code, os.strerror(code), str(path))
        real(path, data, fsync)

    return write


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_write_failure_gives_one_line_error_and_keeps_the_archive_valid(code: int, tmp_path: Path, monkeypatch) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for path in corpus_files():
        shutil.copy(path, inputs / path.name)
    archive = tmp_path / "archive"
    assert cli(archive, "ingest", str(inputs / corpus_files()[0].name)).exit_code == 0
    before = tree(archive / "records")
    # 6 files make one version: fail inside the third record of the batch
    monkeypatch.setattr(store_module, "_write_file", failing_after(14, code))
    result = CliRunner().invoke(main, ["--archive", str(archive), "ingest", str(inputs)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: cannot write record ") and os.strerror(code) in lines[0], result.output
    assert tree(archive / "records") == before  # the failed batch left nothing, the old state is intact
    assert not list((archive / "records").glob("*/.tmp-*"))
    assert Archive(archive).verify().ok
    monkeypatch.undo()
    again = cli(archive, "ingest", str(inputs))
    assert again.exit_code == 0 and f"{len(corpus_files()) - 1} ingested, 1 unchanged" in again.output


@pytest.fixture()
def tiny_tmpfs(tmp_path: Path):
    """A 3 MB tmpfs (needs root and a kernel that allows the mount, else the test is skipped)."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_real_disk_full_then_read_only_then_room_again(tiny_tmpfs: Path, tmp_path: Path) -> None:
    from .test_crash import stored_originals, write_transcripts

    inputs = write_transcripts(tmp_path / "in", 100, 3_000, seed=7)
    archive = tiny_tmpfs / "archive"
    command = [ORAL_ARCHIVE, "--archive", str(archive), "ingest", str(tmp_path / "in")]
    full = subprocess.run(command, capture_output=True, text=True)
    assert full.returncode == 1
    assert full.stderr.strip().count("\n") == 0 and "No space left on device" in full.stderr, full.stderr
    report = Archive(archive).verify()
    assert report.ok, report.problems
    stored = report.versions
    assert 0 < stored < 100  # the first batch fits, a later one does not

    subprocess.run(["mount", "-o", "remount,ro", str(tiny_tmpfs)], check=True)
    read_only = subprocess.run(command, capture_output=True, text=True)
    assert read_only.returncode == 1
    assert read_only.stderr.strip().count("\n") == 0 and "Read-only file system" in read_only.stderr, read_only.stderr
    assert Archive(archive, create=False).verify().versions == stored

    subprocess.run(["mount", "-o", "remount,rw,size=30m", str(tiny_tmpfs)], check=True)
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert f"{100 - stored} ingested, {stored} unchanged" in again.stdout
    done = Archive(archive)
    assert sorted(stored_originals(done)) == sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs)
    assert done.verify().ok
    assert done.index.open().doc_count() == 100


# -- locking --------------------------------------------------------------------------------
def test_second_writer_waits_then_fails_clearly(seeded, tmp_path: Path) -> None:
    archive, _ = seeded
    other = tmp_path / "other.txt"
    other.write_bytes(corpus_files()[1].read_bytes())
    holder = Archive(archive.path)
    with holder.writing():
        with pytest.raises(ArchiveLocked, match="another process is writing"):
            ingest([other], Archive(archive.path, lock_timeout=0.2))
        command = subprocess.run(
            [ORAL_ARCHIVE, "--archive", str(archive.path), "ingest", "--wait", "0.5", str(other)],
            capture_output=True, text=True,
        )
        assert command.returncode == 1
        assert command.stderr.startswith("error: ") and "another process is writing to this archive" in command.stderr
    assert len(Archive(archive.path).ids()) == 1  # nothing was written while the lock was held
    assert ingest([other], Archive(archive.path)).counts["ingested"] == 1


# -- workers and batches ----------------------------------------------------------------------
@pytest.mark.parametrize("workers", [1, 2])
def test_batch_with_two_versions_of_one_source_and_a_rejected_file(workers: int, tmp_path: Path) -> None:
    """Same file name in two folders, different bytes: v1 and v2 in one run, in input order."""
    inputs = tmp_path / "in"
    for folder, extra in (("a", ""), ("b", "\nA later correction.\n")):
        (inputs / folder).mkdir(parents=True)
        (inputs / folder / SEED.name).write_bytes(SEED.read_bytes() + extra.encode())
    (inputs / "c").mkdir()
    (inputs / "c" / "empty.txt").write_bytes(b"")
    for path in corpus_files():
        shutil.copy(path, inputs / "c" / path.name)
    archive = Archive(tmp_path / "archive")
    report = ingest([inputs], archive, workers=workers, batch_size=3)
    statuses = [(r.path.relative_to(inputs).as_posix(), r.status, r.version) for r in report.results]
    assert statuses[:2] == [(f"a/{SEED.name}", "ingested", 1), (f"b/{SEED.name}", "new-version", 2)]
    assert (("c/empty.txt", "rejected", None)) in statuses
    assert report.counts["ingested"] == 1 + len(corpus_files())
    seed_id = report.results[0].record_id
    assert archive.original(seed_id, 1) == SEED.read_bytes() and archive.original(seed_id, 2) != SEED.read_bytes()
    assert archive.verify().ok
    assert archive.index.open().doc_count() == 1 + len(corpus_files())
    assert not (archive.path / "index-pending.txt").exists()
