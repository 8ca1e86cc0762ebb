"""Readers per input format: dispatch, what each reads, and the TEI that comes out."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Pt
from lxml import etree

from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.document import Document, Note, PageBreak, Quote, TimeAnchor
from oral_archive.pipeline.ingest import ingest
from oral_archive.pipeline.readers import format_for
from oral_archive.pipeline.stages import document_from, prepare
from oral_archive.schemas.errors import SourceError
from oral_archive.schemas.xmlschemas import TEI_NS, tei_subset

from ..conftest import CORPUS, FIXTURES, SEED

NORMALIZE = FIXTURES / "normalize"
NS = {"tei": TEI_NS}


def doc(path: Path) -> Document:
    return document_from(read_source(path))


def write_docx(path: Path) -> Path:
    """A Word transcript: Title style, an intro paragraph, bold speaker labels, a table turn."""
    document = docx.Document()
    document.add_paragraph("Interview with Grace Okafor", style="Title")
    document.add_paragraph("Recorded at her home in the spring. The interviewer is her grandson.")
    for label, text in [
        ("Interviewer:", "When did you arrive in the city?"),
        ("Grace Okafor:", "In 1968, on a cold morning. [laughs] I had one coat."),
        ("Interviewer:", "What was your first job?"),
    ]:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(label)
        run.bold = True
        paragraph.add_run(" " + text)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Grace Okafor"
    table.rows[0].cells[1].text = "A seamstress, at a factory by the docks."
    plain = document.add_paragraph("An ordinary closing paragraph with ")
    plain.add_run("bold words").bold = True
    plain.runs[0].font.size = Pt(11)
    document.save(str(path))
    return path


# -- dispatch -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("a.txt", "text/plain"), ("a.TXT", "text/plain"), ("a.md", "text/markdown"), ("a.vtt", "text/vtt"),
        ("a.srt", "application/x-subrip"), ("a.xml", "application/tei+xml"),
        ("a.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_format_by_suffix(name: str, media_type: str) -> None:
    assert format_for(Path(name)).media_type == media_type


@pytest.mark.parametrize("name", ["a.pdf", "a.doc", "a.rtf", "noext"])
def test_unknown_formats_are_rejected_with_the_file_named(name: str) -> None:
    with pytest.raises(SourceError, match=rf"^{name}: unsupported file type"):
        format_for(Path(name))


# -- captions -----------------------------------------------------------------------------------


def test_webvtt_cues_become_timed_utterances_with_voice_speakers() -> None:
    document = doc(NORMALIZE / "interview.vtt")
    assert document.title == "Oral history interview with Jane Doe"
    assert document.form == "transcript"
    assert [(s.label, s.role) for s in document.speakers] == [("Interviewer", "interviewer"), ("Jane Doe", "interviewee")]
    utterances = [(b.speaker_label, b.start, b.end, b.text) for b in document.blocks if b.kind == "u"]
    assert utterances == [
        ("Interviewer", "0:00:01.000", "0:00:04.500", "Where were you born?"),
        ("Jane Doe", "0:00:05.000", "0:00:09.250", "In a small town by the river. It flooded every spring."),
        ("Jane Doe", "0:00:09.500", "0:00:12.000", "[laughs] We kept a boat in the yard."),  # no voice: same speaker goes on
        ("Interviewer", "0:00:12.500", "0:00:15.000", "Did you like school?"),
        ("Jane Doe", "0:00:15.200", "0:01:02.040", "Very much. My teacher said “read everything”."),
    ]
    third = document.blocks[3]
    assert isinstance(third.inlines[0], TimeAnchor) and third.inlines[0].original == "00:00:09.500"
    assert isinstance(third.inlines[1], Note) and third.inlines[1].text == "laughs"
    assert any("removed 6 cue markup tags" in d.description for d in document.cleaned.decisions)


def test_subrip_cues_with_name_prefixes() -> None:
    document = doc(NORMALIZE / "interview.srt")
    assert [(s.label, s.role) for s in document.speakers] == [("INTERVIEWER", "interviewer"), ("MARTINEZ", "interviewee")]
    utterances = [(b.speaker_label, b.start, b.end, b.text) for b in document.blocks]
    assert utterances[1] == ("MARTINEZ", "0:00:03.200", "0:00:07.800", "I worked in a bakery, six days a week.")
    assert utterances[2][0] == "MARTINEZ"  # the cue without a prefix continues the turn
    assert utterances[4][3] == "The railway. [inaudible] for thirty years."
    assert document.blocks[0].inlines[0] == TimeAnchor("00:00:00,500", "0:00:00.500")


def test_malformed_captions_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "broken.vtt"
    bad.write_text("not a caption file\n\nhello\n")
    with pytest.raises(SourceError, match="broken.vtt: is not valid WebVTT"):
        doc(bad)
    empty = tmp_path / "empty.srt"
    empty.write_text("1\n00:00:01,000 --> 00:00:02,000\n\n")
    with pytest.raises(SourceError, match="empty.srt"):
        doc(empty)


# -- docx ---------------------------------------------------------------------------------------


def test_docx_paragraphs_title_style_bold_labels_and_table_turns(tmp_path: Path) -> None:
    document = doc(write_docx(tmp_path / "okafor.docx"))
    assert document.title == "Interview with Grace Okafor"
    assert document.cleaned.decoded.encoding == "docx (UTF-8 XML)"
    assert [(s.label, s.role) for s in document.speakers] == [("Interviewer", "interviewer"), ("Grace Okafor", "interviewee")]
    turns = [(b.speaker_label, b.text) for b in document.blocks if b.kind == "u"]
    assert turns[:4] == [
        ("Interviewer", "When did you arrive in the city?"),
        ("Grace Okafor", "In 1968, on a cold morning. [laughs] I had one coat."),
        ("Interviewer", "What was your first job?"),
        ("Grace Okafor", "A seamstress, at a factory by the docks."),
    ]
    intro = next(b for b in document.blocks if b.kind == "p")
    assert intro.text.startswith("Recorded at her home in the spring.")
    assert any("bold run(s)" in d.description for d in document.cleaned.decoded.decisions)


def test_not_a_docx_is_rejected(tmp_path: Path) -> None:
    fake = tmp_path / "fake.docx"
    fake.write_bytes(b"PK\x03\x04 this is no zip at all")
    with pytest.raises(SourceError, match="fake.docx: is not a valid .docx"):
        doc(fake)


def _with_document_part(original: Path, target: Path, document_xml: bytes | None) -> Path:
    """A copy of a .docx with its word/document.xml replaced (or left out when None)."""
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(target, "w") as copy:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                copy.writestr(item, source.read(item))
            elif document_xml is not None:
                copy.writestr(item, document_xml)
    return target


def test_docx_without_its_main_part_is_rejected(tmp_path: Path) -> None:
    broken = _with_document_part(write_docx(tmp_path / "whole.docx"), tmp_path / "hollow.docx", None)
    with pytest.raises(SourceError, match="hollow.docx: is not a valid .docx"):
        doc(broken)


def test_docx_entities_are_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<w:document xmlns:w="{w}"><w:body><w:p><w:r><w:t>before &x; after</w:t></w:r></w:p></w:body></w:document>'
    ).encode()
    crafted = _with_document_part(write_docx(tmp_path / "whole.docx"), tmp_path / "crafted.docx", xml)
    document = doc(crafted)
    assert "TOP-SECRET" not in document.cleaned.decoded.text
    assert "before" in document.cleaned.decoded.text


# -- TEI ----------------------------------------------------------------------------------------


def test_tei_is_re_derived_speakers_anchors_breaks_notes_quotes() -> None:
    document = doc(NORMALIZE / "interview.tei.xml")
    assert document.title == "Oral history interview with Rosa Alvarez"
    assert [(s.label, s.role, s.id) for s in document.speakers] == [("Tom Reyes", "interviewer", "sp-int"), ("Rosa Alvarez", "interviewee", "sp-ra")]
    utterances = [b for b in document.blocks if b.kind == "u"]
    assert [b.text for b in utterances] == [
        "Where did you work first?",
        "At the cannery, for twelve years. [laughs] My mother said “never again”. We walked there.",
        "And then?",
        "[pause]Then the war.",
    ]
    second = utterances[1].inlines
    assert second[0] == TimeAnchor("0:12:34.000", "0:12:34.000") and utterances[1].start == "0:12:34.000"
    assert any(isinstance(i, PageBreak) and i.artifact.text == "2" for i in second)
    assert any(isinstance(i, Quote) and i.text == "never again" and i.who is None for i in second)
    assert any("1 hi" in d.description and "1 unclear" in d.description for d in document.cleaned.decisions)


def test_tei_with_entity_declarations_is_refused_and_nothing_is_read() -> None:
    with pytest.raises(SourceError) as error:
        doc(NORMALIZE / "xxe.tei.xml")
    assert "xxe.tei.xml: declares XML entities (secret)" in str(error.value)
    assert "root:" not in str(error.value)


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>&b;</p></body></text></TEI>', "declares XML entities"),
        (b"<html><body><p>hi</p></body></html>", "is XML but not TEI"),
        (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt></fileDesc></teiHeader></TEI>', "text/body is missing"),
        (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>x</p></body></text></TEI>', "titleStmt/title is missing"),
        (b"<TEI><unclosed>", "is not well-formed XML"),
        (b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p>&undeclared;</p></body></text></TEI>', "is not well-formed XML"),
    ],
)
def test_untrusted_tei_is_rejected_with_a_reason(tmp_path: Path, xml: bytes, message: str) -> None:
    path = tmp_path / "in.xml"
    path.write_bytes(xml)
    with pytest.raises(SourceError, match=message):
        doc(path)


# -- end to end: every format to valid TEI ------------------------------------------------------

FORMAT_FILES = ["interview.vtt", "interview.srt", "interview.tei.xml", "qa-markdown.md", "utf16-bom.txt", "cp1252.txt", "mojibake.txt", "page-of.txt", "labels.txt"]


@pytest.mark.slow
def test_every_format_builds_tei_valid_against_tei_all_and_our_subset(tmp_path: Path, tei_all_schema: etree.RelaxNG) -> None:
    paths = [NORMALIZE / name for name in FORMAT_FILES] + [write_docx(tmp_path / "okafor.docx")]
    subset = tei_subset()
    for path in paths:
        tree = etree.fromstring(prepare(read_source(path)).tei).getroottree()
        assert tei_all_schema.validate(tree), (path.name, tei_all_schema.error_log)
        if subset is not None:
            assert subset.validate(tree), (path.name, subset.error_log)


def test_timed_utterances_point_at_timeline_points() -> None:
    tree = etree.fromstring(prepare(read_source(NORMALIZE / "interview.vtt")).tei)
    whens = {w.get("{http://www.w3.org/XML/1998/namespace}id"): w.get("interval") for w in tree.iterfind(".//tei:timeline/tei:when", NS)}
    last = tree.findall(".//tei:body/tei:u", NS)[-1]
    assert whens[last.get("start").lstrip("#")] == "15.2" and whens[last.get("end").lstrip("#")] == "62.04"
    assert last.get("who") == "#sp-jane-doe"
    people = tree.findall(".//tei:particDesc//tei:person", NS)
    assert {p.get("{http://www.w3.org/XML/1998/namespace}id") for p in people} == {"sp-interviewer", "sp-jane-doe"}


def test_every_fixture_and_corpus_file_ingests(tmp_path: Path) -> None:
    from oral_archive.archive import Archive

    archive = Archive(tmp_path / "archive")
    paths = [SEED, *sorted(CORPUS.iterdir()), *[NORMALIZE / n for n in FORMAT_FILES], write_docx(tmp_path / "okafor.docx"), NORMALIZE / "xxe.tei.xml"]
    report = ingest(paths, archive)
    rejected = {r.path.name: r.reason for r in report.rejected}
    assert list(rejected) == ["xxe.tei.xml"], rejected
    assert report.counts["ingested"] == len(paths) - 1


def test_source_bytes_of_a_docx_are_fingerprinted_unchanged(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "okafor.docx")
    source = read_source(path)
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_tei_sp_turns_inside_divs_become_utterances(tmp_path: Path) -> None:
    path = tmp_path / "sp.xml"
    path.write_bytes(
        b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>Two voices</title></titleStmt>'
        b"<publicationStmt><p/></publicationStmt><sourceDesc><p/></sourceDesc></fileDesc></teiHeader>"
        b'<text><body><div type="session"><head>Session one</head>'
        b'<sp who="#q"><speaker>Q</speaker><p>Where  were you?</p></sp>'
        b'<sp who="#a"><speaker>A</speaker><p>At <placeName>home</placeName>.</p><p>All day.</p></sp>'
        b"</div></body></text></TEI>"
    )
    document = doc(path)
    assert document.title == "Two voices"
    assert [(b.kind, b.who, b.text) for b in document.blocks] == [
        ("head", None, "Two voices"),  # the header's title, given a heading of its own
        ("head", None, "Session one"),
        ("u", "sp-q", "Where were you?"),
        ("u", "sp-a", "At home."),
        ("u", "sp-a", "All day."),
    ]
    assert [(s.label, s.role) for s in document.speakers] == [("q", "interviewer"), ("a", "interviewee")]


def test_a_caption_prefix_used_once_is_text_not_a_speaker(tmp_path: Path) -> None:
    path = tmp_path / "talk.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nMARIA: We lived by the sea.\n\n"
        "2\n00:00:02,500 --> 00:00:04,000\nHowever: the winters were long.\n\n"
        "3\n00:00:04,500 --> 00:00:06,000\nMARIA: And the boats froze.\n",
        encoding="utf-8",
    )
    document = doc(path)
    assert [s.label for s in document.speakers] == ["MARIA"]
    assert [(b.speaker_label, b.text) for b in document.blocks] == [
        ("MARIA", "We lived by the sea."),
        ("MARIA", "However: the winters were long."),  # continues MARIA's turn, text kept whole
        ("MARIA", "And the boats froze."),
    ]
