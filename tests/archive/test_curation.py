"""Curation in the library: edit, withdraw, restore, purge, diff, listing (``Archive``)."""

from __future__ import annotations

import io
import itertools
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.archive.curation import Event, now
from oral_archive.archive.export import EXPORTERS
from oral_archive.pipeline import ingest
from oral_archive.schemas.errors import CurationError, RecordInvalid, RecordNotFound
from oral_archive.schemas.supplied import SuppliedValues
from oral_archive.schemas.xmlschemas import TEI_NS

from ..conftest import SEED, corpus_files

NS = {"tei": TEI_NS}
_COPIES = itertools.count()


@pytest.fixture()
def seed_archive(tmp_path: Path) -> tuple[Archive, str]:
    archive = Archive(tmp_path / "archive")
    ingest([SEED], archive)
    (record_id,) = archive.ids()
    return archive, record_id


def body_bytes(tei: bytes) -> bytes:
    return tei[re.search(rb"<text[ >]", tei).start():]


def test_an_edit_is_a_new_version_that_keeps_the_extracted_value_and_the_body(seed_archive) -> None:
    archive, record_id = seed_archive
    before = archive.get(record_id)
    outcome = archive.edit(record_id, SuppliedValues(role="registered nurse", place="Olney, Texas"), by="ana")
    assert (outcome.version, outcome.status) == (2, "edited")
    after = archive.get(record_id)
    person = after.person("interviewee")
    assert person.occupation.value == "registered nurse" and person.occupation.origin == "supplied"
    assert person.occupation.supplied_by == "edit by ana"
    # the extracted value stays beside it, with its evidence
    assert person.occupation.replaces == before.person("interviewee").occupation
    assert person.occupation.replaces.evidence.rule
    assert after.changes[-1].step == "edit" and after.changes[-1].by == "ana" and "registered nurse" in after.changes[-1].description
    assert archive.get(record_id, 1) == before  # the earlier version is untouched
    tei = archive.tei(record_id)
    root = etree.fromstring(tei)
    assert root.xpath("//tei:person[@role='interviewee']/tei:occupation/text()", namespaces=NS) == ["registered nurse"]
    assert root.xpath("//tei:person[@role='interviewee']/tei:occupation/@resp", namespaces=NS) == ["#archivist"]
    (change,) = root.xpath("//tei:revisionDesc/tei:change[@type='edit']", namespaces=NS)
    assert change.get("resp") == "#archivist" and "ana" in change.text
    assert body_bytes(tei) == body_bytes(archive.tei(record_id, 1))  # the transcript is not touched
    assert archive.validate() == {record_id: []} and archive.verify().ok
    assert archive.search("role:nurse").total == 1 and archive.search("role:officer").total == 0


def test_the_same_values_again_change_nothing(seed_archive) -> None:
    archive, record_id = seed_archive
    archive.edit(record_id, SuppliedValues(role="registered nurse"), by="ana")
    again = archive.edit(record_id, SuppliedValues(role="registered nurse"), by="ana")
    assert again.status == "unchanged" and again.version == 2 and len(archive.store.versions(record_id)) == 2


def test_a_second_edit_keeps_the_whole_chain(seed_archive) -> None:
    archive, record_id = seed_archive
    archive.edit(record_id, SuppliedValues(role="registered nurse"), by="ana")
    archive.edit(record_id, SuppliedValues(role="charge nurse"), by="ben")
    fact = archive.get(record_id).person("interviewee").occupation
    assert [fact.value, fact.replaces.value, fact.replaces.replaces.value] == ["charge nurse", "registered nurse", "police officer"]
    assert [fact.origin, fact.replaces.origin, fact.replaces.replaces.origin] == ["supplied", "supplied", "extracted"]


def test_several_interviewers_become_several_people(seed_archive) -> None:
    archive, record_id = seed_archive
    archive.edit(record_id, SuppliedValues(interviewer="J.T. Curry; P.D. Lagerquist"), by="ana")
    names = [p.name.value for p in archive.get(record_id).participants if p.role == "interviewer"]
    assert names == ["J.T. Curry", "P.D. Lagerquist"]


def test_an_invalid_result_writes_nothing(seed_archive, monkeypatch: pytest.MonkeyPatch) -> None:
    archive, record_id = seed_archive
    other = Archive(archive.path.parent / "other")
    ingest(corpus_files()[:2], other)
    ids = other.ids()
    # the second record's stored TEI is damaged: its edit cannot validate, so the first is not written either
    tei_path = other.store.latest(ids[1]).tei_path
    tei_path.write_bytes(tei_path.read_bytes().replace(b"<body>", b"<body><bogus/>", 1))
    with pytest.raises(RecordInvalid):
        other.edit_many([(i, SuppliedValues(collection="Nurses"), "test") for i in ids], by="ana")
    assert [len(other.store.versions(i)) for i in ids] == [1, 1]


def test_unknown_fields_and_bad_values_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="colour"):
        SuppliedValues.model_validate({"colour": "red"})
    with pytest.raises(ValueError, match="calendar date"):
        SuppliedValues(date="1976-02-30")
    with pytest.raises(ValueError, match="ISO 8601 duration"):
        SuppliedValues(tenure="eight years")


# When the export was made (OAI-PMH responseDate, the TEI corpus header's date): not the records.
EXPORT_TIME = re.compile(rb"<responseDate[^>]*>[^<]*</responseDate>|<date when=\"[^\"]*\">[^<]*</date>")


def export_all(archive: Archive) -> dict[str, bytes]:
    out = {}
    for fmt in EXPORTERS:
        buffer = io.BytesIO()
        archive.export(fmt, buffer)
        out[fmt] = EXPORT_TIME.sub(b"", buffer.getvalue())
    return out


def test_a_withdrawn_record_leaves_search_exports_and_listings_and_comes_back_whole(archive_copy: Archive) -> None:
    archive = archive_copy
    record_id = next(i for i in archive.ids() if i.startswith("interview-with-law-enforcement"))
    files_before = sorted(p.relative_to(archive.path).as_posix() for p in (archive.path / "records" / record_id).rglob("*"))
    exports_before = export_all(archive)
    hits_before = archive.search("quota").total
    listed_before = archive.listing(limit=100)
    assert hits_before >= 1 and record_id.encode() in exports_before["jsonl"]

    stone = archive.withdraw(record_id, reason="narrator's request", by="ana")
    assert (stone.record_id, stone.reason, stone.purged) == (record_id, "narrator's request", False)
    assert record_id not in archive.ids() and archive.state(record_id) == "withdrawn"
    assert archive.search("quota").total == hits_before - 1
    assert all(h.id != record_id for h in archive.search("police", limit=100).hits)
    for fmt, data in export_all(archive).items():
        assert record_id.encode() not in data, fmt
    buffer = io.BytesIO()
    archive.export("jsonl", buffer, ids=[record_id])  # named on purpose: still not exported
    assert buffer.getvalue() == b""
    assert record_id not in [row.id for row in archive.listing(limit=100).rows]
    assert [row.id for row in archive.listing(withdrawn=True).rows] == [record_id]
    assert archive.index_status().state == "ok"
    report = archive.verify()
    assert report.ok and report.records == listed_before.total  # its bags are still checked
    assert sorted(p.relative_to(archive.path).as_posix() for p in (archive.path / "records" / record_id).rglob("*")) == files_before
    assert archive.get(record_id).id == record_id  # history stays readable

    archive.restore(record_id, by="ana", reason="consent given")
    assert archive.state(record_id) == "active" and archive.search("quota").total == hits_before
    assert export_all(archive) == exports_before
    assert [r.id for r in archive.listing(limit=100).rows] == [r.id for r in listed_before.rows]
    assert [e.action for e in archive.curation_events(record_id)] == ["withdraw", "restore"]
    assert archive.verify().ok


def test_a_reindex_and_a_fresh_writer_leave_withdrawn_records_out(archive_copy: Archive) -> None:
    archive = archive_copy
    record_id = archive.ids()[0]
    archive.withdraw(record_id, reason="test", by="ana")
    archive.reindex()
    assert archive.index_status().state == "ok" and all(h.id != record_id for h in archive.search("*", limit=100).hits)
    # a crash after the log was written but before the index commit: the next writer repairs it
    archive.restore(record_id, by="ana")
    archive.curation.append(record_id, Event(now(), "withdraw", "ana", "again"))
    assert archive.index_status().state == "stale"
    with archive.writing():
        pass
    assert archive.index_status().state == "ok" and all(h.id != record_id for h in archive.search("*", limit=100).hits)


def test_purge_removes_the_content_and_keeps_the_tombstone(seed_archive) -> None:
    archive, record_id = seed_archive
    with pytest.raises(CurationError, match="withdraw it first"):
        archive.purge(record_id, by="ana", confirm=True)
    archive.withdraw(record_id, reason="court order", by="ana")
    with pytest.raises(CurationError, match="confirm"):
        archive.purge(record_id, by="ana", confirm=False)
    assert (archive.path / "records" / record_id).is_dir()
    stone = archive.purge(record_id, by="ana", confirm=True)
    assert stone.purged and stone.reason == "court order"
    assert not (archive.path / "records" / record_id).exists()
    assert b"quota" not in b"".join(p.read_bytes() for p in archive.path.rglob("*") if p.is_file() and "index" not in p.parts)
    with pytest.raises(RecordNotFound, match="purged"):
        archive.get(record_id)
    assert [e.action for e in archive.curation_events(record_id)] == ["withdraw", "purge"]
    assert archive.verify().ok
    with pytest.raises(CurationError, match="purged"):
        archive.restore(record_id, by="ana")
    log = json.loads((archive.path / "curation.json").read_text())
    assert log["records"][record_id]["state"] == "purged"


def test_an_interrupted_purge_is_finished_by_the_next_writer(seed_archive) -> None:
    archive, record_id = seed_archive
    archive.withdraw(record_id, reason="court order", by="ana")
    doomed = archive.path / "records" / f".tmp-purge-{record_id}-0000"
    shutil.copytree(archive.path / "records" / record_id, doomed)  # as if killed during rmtree
    archive.curation.append(record_id, Event(now(), "purge", "ana", "court order"))  # killed before the folder went
    assert archive.verify().ok  # a note, not a problem
    with archive.writing():
        pass
    assert not (archive.path / "records" / record_id).exists() and not doomed.exists()


def test_diff_and_version_summaries(seed_archive) -> None:
    archive, record_id = seed_archive
    archive.edit(record_id, SuppliedValues(role="registered nurse", collection="Nurses of Texas"), by="ana")
    changes = {c.field: c for c in archive.diff(record_id)}
    assert set(changes) == {"interviewee.occupation", "collection"}
    assert changes["interviewee.occupation"].before.value == "police officer" and changes["interviewee.occupation"].before.origin == "extracted"
    assert changes["interviewee.occupation"].after.supplied_by == "edit by ana"
    assert changes["collection"].before is None
    assert archive.diff(record_id, 1, 1) == []
    summaries = [line for _, line in archive.version_summaries(record_id)]
    assert summaries[0].startswith("ingested ") and "edited by ana" in summaries[1] and "registered nurse" in summaries[1]


def test_find_record_by_id_url_and_file_name(seed_archive) -> None:
    archive, record_id = seed_archive
    record = archive.get(record_id)
    assert archive.find_record(record_id) == record_id
    assert archive.find_record(record.source.url) == record_id
    assert archive.find_record(record.source.filename) == record_id
    assert archive.find_record(f"some/folder/{record.source.filename}") == record_id
    with pytest.raises(CurationError, match="no record"):
        archive.find_record("nothing.txt")


def test_listing_pages(archive_copy: Archive) -> None:
    archive = archive_copy
    ids = archive.ids()
    first, second = archive.listing(limit=3), archive.listing(limit=3, page=2)
    assert [r.id for r in first.rows + second.rows] == ids[:6] and first.total == len(ids)
    assert all(r.version == 1 and r.state == "active" and r.title for r in first.rows)
    assert archive.listing(limit=3, page=99).rows == []
    found = archive.listing("police")
    assert 0 < found.total < len(ids) and {r.id for r in found.rows} <= set(ids)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(["title", "role", "organization", "place", "collection", "rights", "interviewer", "subjects"]),
       value=st.text(min_size=1, max_size=200))
def test_any_value_is_either_refused_in_words_or_stored_valid(seed_archive, field: str, value: str) -> None:
    """Arbitrary text (control characters, markup, lone surrogates, separators only) never
    crashes an edit and never stores an invalid record."""
    template, record_id = seed_archive
    # A fresh copy per example: hypothesis seeds the random module for every example, and
    # Whoosh names new index segments with it, so one archive would get a repeated name.
    copy = template.path.parent / f"copy-{next(_COPIES)}"
    shutil.copytree(template.path, copy)
    archive = Archive(copy)
    try:
        values = SuppliedValues.model_validate({field: value})
    except ValueError as error:
        assert field in str(error)
        return
    versions = len(archive.store.versions(record_id))
    outcome = archive.edit(record_id, values, by="hypothesis")
    assert len(archive.store.versions(record_id)) == versions + bool(outcome.changed)
    assert archive.validate([record_id]) == {record_id: []}


def test_a_purged_source_ingested_again_is_refused_and_not_kept(seed_archive) -> None:
    archive, record_id = seed_archive
    archive.withdraw(record_id, reason="court order", by="ana")
    archive.purge(record_id, by="ana", confirm=True)
    report = ingest([SEED], archive)
    (result,) = report.results
    assert result.status == "rejected" and "was purged" in result.reason and result.quarantined is None
    assert not (archive.path / "records" / record_id).exists() and archive.quarantined() == []
    assert archive.verify().ok


def test_an_archivists_values_and_restrictions_survive_a_new_version_of_the_source(tmp_path: Path) -> None:
    """The source page changes after an edit: the new version is extracted afresh from the
    new bytes, and every supplied value and restriction is kept over it (they were lost)."""
    folder = tmp_path / "in"
    folder.mkdir()
    source = folder / SEED.name
    source.write_bytes(SEED.read_bytes())
    archive = Archive(tmp_path / "archive")
    ingest([folder], archive)
    (record_id,) = archive.ids()
    archive.edit(record_id, SuppliedValues(role="registered nurse", interviewer="J.T. Curry; P.D. Lagerquist", collection="Texas",
                                           restricted="participants.name"), by="ana")
    source.write_bytes(SEED.read_bytes() + b"\nA paragraph the site added later, about the weather in the city.\n")
    report = ingest([folder], archive)
    assert [(r.status, r.record_id, r.version) for r in report.results] == [("new-version", record_id, 3)]
    record = archive.get(record_id)
    assert record.source.sha256 != archive.get(record_id, 2).source.sha256
    occupation = record.person("interviewee").occupation
    assert (occupation.value, occupation.supplied_by, occupation.replaces.value) == ("registered nurse", "edit by ana", "police officer")
    assert occupation.replaces.evidence is not None  # the new bytes' extraction, with its evidence
    assert [p.name.value for p in record.participants if p.role == "interviewer"] == ["J.T. Curry", "P.D. Lagerquist"]
    assert record.collection.value == "Texas" and record.restricted == ["participants.name"]
    assert any(c.step == "carry-over" and "registered nurse" in c.description for c in record.changes)
    assert archive.validate() == {record_id: []}
