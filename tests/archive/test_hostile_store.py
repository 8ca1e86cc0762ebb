"""The store under odd names and interrupted writes: quarantine never crashes, readers skip what is unfinished."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from oral_archive.archive import Archive
from oral_archive.pipeline import ingest

INTERVIEW = b"Interview with Ann Alder\n\nAnn Alder worked as a nurse in Leeds for nine years. She liked the night shifts.\n"


@pytest.fixture()
def one_record(tmp_path: Path) -> Archive:
    source = tmp_path / "alder.txt"
    source.write_bytes(INTERVIEW)
    archive = Archive(tmp_path / "archive")
    report = ingest([source], archive)
    assert report.counts["ingested"] == 1, report.results
    return archive


def _leave_unfinished_first_version(archive: Archive, record_id: str = "crashed-record-12345678") -> Path:
    """What a writer killed while writing a record's first version leaves behind."""
    temporary = archive.path / "records" / record_id / f".tmp-v1-4242-{'ab' * 4}"
    (temporary / "data").mkdir(parents=True)
    (temporary / "data" / "record.json").write_bytes(b'{"id": "crashed-record-12345')  # cut short
    return temporary


def test_readers_skip_a_record_whose_first_version_never_finished(one_record: Archive) -> None:
    archive = one_record
    (stored,) = archive.ids()
    _leave_unfinished_first_version(archive)
    reader = Archive(archive.path, create=False)  # a reader takes no lock, so nothing is cleaned
    assert reader.ids() == [stored]
    assert len(reader) == 1
    assert [r.id for r in reader.records()] == [stored]
    assert reader.validate() == {stored: []}
    out = io.BytesIO()
    assert reader.export("jsonl", out) == 1
    assert json.loads(out.getvalue())["id"] == stored
    assert reader.verify().ok


def test_a_record_folder_with_a_later_version_only_is_still_a_record(one_record: Archive) -> None:
    """v1 is the quick test for a finished version, not the only one (verify reports a missing v1)."""
    archive = one_record
    (stored,) = archive.ids()
    folder = archive.path / "records" / stored
    (folder / "v1").rename(folder / "v2")
    assert archive.ids() == [stored]


def test_the_next_writer_removes_the_unfinished_version(one_record: Archive) -> None:
    archive = one_record
    temporary = _leave_unfinished_first_version(archive)
    with archive.writing():
        pass
    assert not temporary.exists() and not temporary.parent.exists()


@pytest.mark.skipif(os.name != "posix", reason="file names of any bytes are POSIX")
def test_quarantine_takes_any_file_name_and_reason(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    name = os.fsdecode(b"bad\xff\tname\n.txt")  # as os.listdir hands it over: a lone surrogate
    folder = archive.quarantine(name, b"\x00\x01", "decode: is not text\nsecond line of a parser's message")
    info = json.loads((folder / "reason.json").read_text(encoding="utf-8"))
    assert info["file"] == "bad\\xff\\tname\\n.txt"
    assert info["reason"] == "decode: is not text; second line of a parser's message"
    text = (folder / "reason.txt").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "file: bad\\xff\\tname\\n.txt"
    assert (folder / "original.txt").read_bytes() == b"\x00\x01"
    assert not list((archive.path / "quarantine").glob(".tmp-*"))
    # the same input rejected again is kept once
    assert archive.quarantine(name, b"\x00\x01", "decode: is not text\nsecond line of a parser's message") == folder
    (entry,) = archive.quarantined()
    assert "\n" not in entry["file"] + entry["reason"]


def test_a_hand_edited_quarantine_entry_is_listed_on_one_line(tmp_path: Path) -> None:
    """Entries written before names were escaped (or edited by hand) are made printable when listed."""
    archive = Archive(tmp_path / "archive")
    folder = archive.quarantine("old.txt", b"x", "rejected")
    (folder / "reason.json").write_text(json.dumps({"file": "old\nname.txt", "reason": "first\nsecond"}), encoding="utf-8")
    (entry,) = archive.quarantined()
    assert (entry["file"], entry["reason"]) == ("old\\nname.txt", "first; second")
