"""Catalogue subjects in exports come only from ``Record.subjects`` (the text's own subject
lines or the archivist's); the topics a statistical rule found (``Record.topics``) are
exported apart, as keywords: a ``topics`` column / field in CSV and JSON, one
``<note type="keywords">`` in MODS, nowhere in Dublin Core."""

from __future__ import annotations

import csv
import io
import json

import pytest
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.archive.export import (
    MODS_KEYWORDS_NOTE_TYPE,
    MODS_KEYWORDS_SEPARATOR,
    MULTI_VALUE_SEPARATOR,
    write_csv,
    write_jsonl,
    write_mods,
    write_oai_dc,
)
from oral_archive.schemas.record import Evidence, Fact, Record
from oral_archive.schemas.xmlschemas import DC_NS, MODS_NS, OAI_DC_NS

from ..conftest import SCHEMAS_EXTERNAL

NS = {"oai_dc": OAI_DC_NS, "dc": DC_NS, "mods": MODS_NS}
# Terms the old frequency rule put into records of the dev corpus, and that were then
# exported as <dc:subject>: verbs and interview words, no subject a cataloguer would give.
JUNK_TOPICS = ("arrive", "refer", "administered", "interviewee")


def _topic(term: str) -> Fact:
    evidence = Evidence(segment="p1", start=0, end=len(term), text=term, rule="topic.distinctive-term", confidence=0.5)
    return Fact(value=term, origin="extracted", evidence=evidence)


@pytest.fixture(scope="module")
def records(built_archive: Archive) -> list[Record]:
    """Every record of the seed + dev-corpus archive, with the junk terms added to its topics
    (as the old rule found them), so the test does not depend on what today's rule finds."""
    out = []
    for record_id in built_archive.ids():
        record = built_archive.get(record_id)
        out.append(record.model_copy(update={"topics": [*record.topics, *(_topic(t) for t in JUNK_TOPICS)]}))
    assert any(r.subjects for r in out), "the seed states the subject 'Law'"
    return out


def test_dublin_core_subjects_are_the_stated_subjects_only(records: list[Record]) -> None:
    out = io.BytesIO()
    write_oai_dc(records, out)
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS_EXTERNAL / "dc" / "oai_dc.xsd")))
    for record in records:
        (dc,) = etree.fromstring(out.getvalue()).xpath(f"//oai_dc:dc[dc:identifier='{record.id}']", namespaces=NS)
        assert schema.validate(etree.ElementTree(dc)), schema.error_log
        assert dc.xpath("dc:subject/text()", namespaces=NS) == [s.value for s in record.subjects]
        everything = " ".join(dc.itertext())
        for junk in JUNK_TOPICS:
            assert junk not in everything.split(), (record.id, junk)


def test_mods_subjects_are_the_stated_subjects_and_topics_a_keywords_note(records: list[Record]) -> None:
    out = io.BytesIO()
    write_mods(records, out)
    document = etree.fromstring(out.getvalue())
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS_EXTERNAL / "mods" / "mods-3-7.xsd")))
    assert schema.validate(etree.ElementTree(document)), schema.error_log
    for record, mods in zip(records, document.xpath("mods:mods", namespaces=NS)):
        assert mods.xpath("mods:identifier[@type='local']/text()", namespaces=NS) == [record.id]
        assert mods.xpath("mods:subject/mods:topic/text()", namespaces=NS) == [s.value for s in record.subjects]
        (note,) = mods.xpath(f"mods:note[@type='{MODS_KEYWORDS_NOTE_TYPE}']", namespaces=NS)
        assert note.text.split(MODS_KEYWORDS_SEPARATOR) == [t.value for t in record.topics]
        assert "not catalogue subjects" in note.get("displayLabel")


def test_csv_subjects_column_is_the_stated_subjects_and_topics_have_their_own(records: list[Record]) -> None:
    out = io.BytesIO()
    write_csv(records, out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8"), newline="")))
    for record, row in zip(records, rows):
        assert row["id"] == record.id
        assert row["subjects"] == MULTI_VALUE_SEPARATOR.join(s.value for s in record.subjects)
        assert row["topics"].split(MULTI_VALUE_SEPARATOR) == [t.value for t in record.topics]
        assert not set(JUNK_TOPICS) & set(row["subjects"].split(MULTI_VALUE_SEPARATOR))


def test_json_keeps_subjects_and_topics_apart_under_their_old_names(records: list[Record]) -> None:
    out = io.BytesIO()
    write_jsonl(records, out)
    for record, line in zip(records, out.getvalue().splitlines()):
        data = json.loads(line)
        assert [s["value"] for s in data["subjects"]] == [s.value for s in record.subjects]
        assert [t["value"] for t in data["topics"]] == [t.value for t in record.topics]


def test_withheld_topics_leave_no_keywords_note(records: list[Record]) -> None:
    record = records[0].model_copy(update={"restricted": ["topics"]})
    out = io.BytesIO()
    write_mods([record], out)
    assert etree.fromstring(out.getvalue()).xpath(f"//mods:note[@type='{MODS_KEYWORDS_NOTE_TYPE}']", namespaces=NS) == []
