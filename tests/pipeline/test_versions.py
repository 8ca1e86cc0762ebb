"""Changed bytes of the same source become a new version of the same record, even with a new title."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.pipeline import ingest
from oral_archive.schemas.xmlschemas import TEI_NS

from ..conftest import SEED, corpus_files


def _write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / SEED.name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("workers", [1, 2])
def test_retitled_source_is_a_new_version_of_its_record(tmp_path: Path, workers: int) -> None:
    archive = Archive(tmp_path / "archive")
    original = SEED.read_text(encoding="utf-8")
    first = ingest([_write(tmp_path / "a", original)], archive, workers=workers)
    (record_id,) = archive.ids()
    retitled = original.replace("Interview with law enforcement officer", "Conversation with a patrol officer", 1)
    second = ingest([_write(tmp_path / "b", retitled)], archive, workers=workers)

    assert (first.counts["ingested"], second.counts["new-version"]) == (1, 1)
    assert archive.ids() == [record_id]
    history = archive.history(record_id)
    assert [(r.version, r.title.value) for r in history] == [
        (1, "Interview with law enforcement officer"),
        (2, "Conversation with a patrol officer"),
    ]
    tei = etree.fromstring(archive.tei(record_id))
    changes = tei.xpath("//tei:revisionDesc/tei:change/text()", namespaces={"tei": TEI_NS})
    assert any("version 1" in c for c in changes) and any("version 2" in c for c in changes)
    assert archive.search('"patrol officer"').total == 1


def test_without_a_url_a_source_is_known_by_its_file_name(tmp_path: Path) -> None:
    """Other bytes under the same file name are a new version; the same bytes under another name are unchanged."""
    (no_url,) = [p for p in corpus_files() if p.name.startswith("03-")]
    text = no_url.read_text(encoding="utf-8")
    archive = Archive(tmp_path / "archive")
    ingest([no_url], archive)
    assert archive.get(archive.ids()[0]).source.url is None
    changed = tmp_path / "b" / no_url.name
    changed.parent.mkdir()
    changed.write_text(text.replace("five years", "six years"), encoding="utf-8")
    assert ingest([changed], archive).counts["new-version"] == 1
    other_name = tmp_path / "c" / "another-name.txt"
    other_name.parent.mkdir()
    other_name.write_text(text.replace("five years", "seven years"), encoding="utf-8")
    assert ingest([other_name], archive).counts["ingested"] == 1
    assert len(archive.ids()) == 2


def test_different_interviews_with_the_same_file_name_stay_apart(tmp_path: Path) -> None:
    """Without a URL, the file name and the stated title together identify a source."""
    teacher, firefighter = [p for p in corpus_files() if p.name.startswith(("02-", "04-"))]
    archive = Archive(tmp_path / "archive")
    for folder, path in (("a", teacher), ("b", firefighter)):
        target = tmp_path / folder / "interview.txt"
        target.parent.mkdir()
        target.write_bytes(path.read_bytes())
    report = ingest([tmp_path / "a", tmp_path / "b"], archive)
    assert report.counts["ingested"] == 2 and report.counts["new-version"] == 0
    assert len(archive.ids()) == 2
    assert archive.search("teacher").total >= 1 and archive.search("firefighter").total >= 1


def test_restricted_names_stay_out_of_the_record_id(tmp_path: Path) -> None:
    """No record id holds a participant's name, and what is restricted never changes the id
    (a manifest restricting names used to turn it into "restricted-record-...")."""
    (fuchs,) = [p for p in corpus_files() if p.name.startswith("06-")]
    ids = {}
    for restricted in ("participants.name;participants.label", ""):
        batch = tmp_path / f"batch{bool(restricted)}"
        batch.mkdir()
        (batch / fuchs.name).write_bytes(fuchs.read_bytes())
        manifest = tmp_path / f"manifest{bool(restricted)}.csv"
        manifest.write_text(f"file,restricted,interviewee\n{fuchs.name},{restricted},James R. Fuchs\n", encoding="utf-8")
        archive = Archive(tmp_path / f"archive{bool(restricted)}")
        report = ingest([batch], archive, manifest=manifest)
        assert not report.rejected and not report.manifest_problems, report.summary()
        (ids[restricted],) = archive.ids()
    assert ids[""] == ids["participants.name;participants.label"]
    assert "fuchs" not in ids[""] and "james" not in ids[""], ids
