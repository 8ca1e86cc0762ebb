"""Transcripts that open with short turns, and headings between turns (found in review)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from oral_archive.archive import Archive
from oral_archive.pipeline import ingest
from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.stages import document_from
from oral_archive.schemas.xmlschemas import TEI_NS

NS = {"tei": TEI_NS}
SECTIONS = "# Oral history of Ann\n{gap}INTERVIEWER: Where were you born?\nANN: In Ohio.\n## Early years\n{gap}INTERVIEWER: And then?\nANN: We moved.\n"


def document_of(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return document_from(read_source(path))


def test_a_short_first_turn_starts_the_transcript(tmp_path: Path) -> None:
    document = document_of(tmp_path, "baker.txt", "Machinists of Detroit\n\nBAKER: Where did you work?\nSMITH: At the Ford plant, for thirty years.\nBAKER: Doing what?\nSMITH: I was a machinist.\n")
    assert document.form == "transcript"
    assert document.title == "Machinists of Detroit"
    assert [b.kind for b in document.blocks] == ["head", "u", "u", "u", "u"]


def test_a_question_is_never_the_title(tmp_path: Path) -> None:
    document = document_of(tmp_path, "qa.txt", "Q: What is your job?\nA: I am a welder at the shipyard.\nQ: How long?\nA: Eleven years.\n")
    assert document.form == "transcript"
    assert document.title is None  # the record falls back to the file name, saying so
    assert all(b.kind == "u" for b in document.blocks)


def test_headings_between_turns_open_sections(tmp_path: Path, tei_all_schema: etree.RelaxNG) -> None:
    archive = Archive(tmp_path / "archive")
    for gap in ("", "\n"):  # with and without a blank line after the heading
        path = tmp_path / f"ann{len(gap)}.md"
        path.write_text(SECTIONS.format(gap=gap), encoding="utf-8")
        report = ingest([path], archive)
        assert not report.rejected, [r.reason for r in report.rejected]
    for record_id in archive.ids():
        tei = etree.fromstring(archive.tei(record_id))
        assert tei_all_schema.validate(etree.ElementTree(tei)), tei_all_schema.error_log
        (section,) = tei.xpath("//tei:body/tei:div[@type='section']", namespaces=NS)
        assert [etree.QName(e).localname for e in section] == ["head", "u", "u"]
        assert section[0].text == "Early years"
        assert not tei.xpath("//tei:u[not(node())]", namespaces=NS)  # no empty turn after a heading
