"""The seed, ingested end to end: every promised fact, read back from the stored TEI."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime

import pytest
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.pipeline import ingest
from oral_archive.pipeline.stages import tool_version
from oral_archive.schemas.xmlschemas import TEI_NS, XML_NS

from ..conftest import SCHEMAS_EXTERNAL, SEED, SEEDS

NS = {"tei": TEI_NS}
SEED_URL = "https://assignbuster.com/interview-with-law-enforcement-officer/"


@pytest.fixture(scope="module")
def seed_archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    archive = Archive(tmp_path_factory.mktemp("seed") / "archive")
    report = ingest([SEEDS], archive)
    assert report.counts["ingested"] == 1, report.summary()
    return archive


@pytest.fixture(scope="module")
def tei(seed_archive: Archive) -> etree._Element:
    (record_id,) = seed_archive.ids()
    return etree.fromstring(seed_archive.tei(record_id))


def one(tei: etree._Element, xpath: str) -> etree._Element:
    found = tei.xpath(xpath, namespaces=NS)
    assert len(found) == 1, f"{xpath}: expected one match, found {len(found)}"
    return found[0]


def normalized(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_seed_tei_is_valid_tei_p5(tei: etree._Element, tei_all_schema: etree.RelaxNG) -> None:
    assert tei_all_schema.validate(etree.ElementTree(tei)), tei_all_schema.error_log


def test_title_and_subject(tei: etree._Element) -> None:
    assert one(tei, "tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:title").text == "Interview with law enforcement officer"
    terms = [t.text for t in tei.xpath("//tei:profileDesc/tei:textClass/tei:keywords[not(@n)]/tei:term", namespaces=NS)]
    assert terms == ["Law"]


def test_source_url_is_provenance_not_text(tei: etree._Element) -> None:
    ptr = one(tei, "//tei:sourceDesc//tei:ptr[@type='source-url']")
    assert ptr.get("target") == SEED_URL
    body = one(tei, "tei:text/tei:body")
    assert "assignbuster" not in "".join(body.itertext())
    assert not [a for e in body.iter() for a in e.attrib.values() if "assignbuster" in a]
    # the page break is marked where the URL stood
    assert body.xpath(".//tei:pb[@type='url']", namespaces=NS)


def test_split_sentence_is_rejoined_in_one_paragraph(tei: etree._Element) -> None:
    paragraphs = [normalized("".join(p.itertext())) for p in tei.xpath("//tei:body/tei:p", namespaces=NS)]
    rejoined = [p for p in paragraphs if "live with this important factor in order to get the job done." in p]
    assert len(rejoined) == 1
    assert rejoined[0].startswith("He goes on to say")


def test_checksum_time_and_tool_version(tei: etree._Element) -> None:
    expected = hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert one(tei, "//tei:sourceDesc//tei:idno[@type='sha256']").text == expected
    assert one(tei, "//tei:sourceDesc//tei:idno[@type='filename']").text == SEED.name
    when = one(tei, "//tei:publicationStmt/tei:date").get("when")
    assert datetime.fromisoformat(when).tzinfo is not None
    application = one(tei, "//tei:encodingDesc/tei:appInfo/tei:application")
    assert (application.get("ident"), application.get("version")) == ("oral-archive", tool_version())
    assert tei.xpath("//tei:revisionDesc/tei:change", namespaces=NS)


def test_interviewee_facts_with_evidence(tei: etree._Element) -> None:
    person = one(tei, "//tei:particDesc/tei:listPerson/tei:person[@role='interviewee']")
    occupation = one(person, "tei:occupation")
    assert occupation.text == "police officer"
    assert one(person, "tei:affiliation[not(@type)]/tei:orgName").text == "El Paso Police Department"
    assert one(person, "tei:affiliation[@type='place']/tei:placeName").text == "El Paso"
    tenure = one(person, "tei:state[@type='tenure']//tei:time")
    assert tenure.get("dur") == "P8Y"
    # evidence: @source points at an existing paragraph, @resp at a declared rule
    ids = {e.get(f"{{{XML_NS}}}id") for e in tei.iter()}
    for fact in (occupation, one(person, "tei:state[@type='tenure']")):
        assert fact.get("source", "").lstrip("#") in ids
        assert fact.get("resp", "").lstrip("#") in ids
        assert fact.get("cert") in {"high", "medium", "low"}
    tenure_source = one(person, "tei:state[@type='tenure']").get("source")[1:]
    evidence_paragraph = one(tei, f"//tei:body/*[@xml:id='{tenure_source}']")
    assert "officer for 8 years" in "".join(evidence_paragraph.itertext())


def test_there_is_an_interviewer(tei: etree._Element) -> None:
    one(tei, "//tei:particDesc/tei:listPerson/tei:person[@role='interviewer']")


def test_direct_quotes_are_spoken_by_the_interviewee(tei: etree._Element) -> None:
    interviewee_id = one(tei, "//tei:person[@role='interviewee']").get(f"{{{XML_NS}}}id")
    quotes = tei.xpath("//tei:body//tei:q", namespaces=NS)
    assert [q.get("who") for q in quotes] == [f"#{interviewee_id}"] * 2
    assert quotes[0].text == "yes"
    assert quotes[1].text.startswith("no, it is not true that police officers have a quota")


def test_search_finds_quota_with_highlight(seed_archive: Archive) -> None:
    results = seed_archive.search("quota")
    assert results.total == 1
    (hit,) = results.hits
    assert hit.title == "Interview with law enforcement officer"
    assert any("<mark>quota</mark>" in s.text for s in hit.snippets)
    assert {s.segment for s in hit.snippets} <= {s.id for s in seed_archive.get(hit.id).segments}


def test_search_by_role_phrase(seed_archive: Archive) -> None:
    assert [h.title for h in seed_archive.search('role:"police officer"').hits] == ["Interview with law enforcement officer"]
    assert seed_archive.search('role:"registered nurse"').total == 0


def test_oai_dc_export_is_valid_dublin_core(seed_archive: Archive) -> None:
    buffer = io.BytesIO()
    assert seed_archive.export("oai_dc", buffer) == 1
    document = etree.fromstring(buffer.getvalue())
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS_EXTERNAL / "dc" / "oai_dc.xsd")))
    records = document.xpath("//oai_dc:dc", namespaces={"oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/"})
    assert len(records) == 1
    assert schema.validate(etree.ElementTree(records[0])), schema.error_log
    titles = records[0].xpath("dc:title/text()", namespaces={"dc": "http://purl.org/dc/elements/1.1/"})
    assert titles == ["Interview with law enforcement officer"]


def test_ingesting_twice_stores_one_record(tmp_path) -> None:
    archive = Archive(tmp_path / "archive")
    first = ingest([SEED], archive)
    second = ingest([SEED], archive)
    assert (first.counts["ingested"], second.counts["unchanged"]) == (1, 1)
    assert len(archive.ids()) == 1
    assert [v.version for v in archive.store.versions(archive.ids()[0])] == [1]
