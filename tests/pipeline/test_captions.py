"""Caption files as they come: no cue lost, no timing tag in the text.

The fixtures in tests/fixtures/captions are real files from public test suites (see its
README); the expected texts below were written by hand from reading each file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import srt
import webvtt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from oral_archive.archive.validation import validate_record
from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.document import Document, TimeAnchor
from oral_archive.pipeline.readers import read_document
from oral_archive.pipeline.readers.cuefile import parse_captions
from oral_archive.pipeline.stages import prepare
from oral_archive.schemas.errors import SourceError

CAPTIONS = Path(__file__).resolve().parents[1] / "fixtures" / "captions"
TEI_NS = "{http://www.tei-c.org/ns/1.0}"


def doc(path: Path) -> Document:
    return read_document(read_source(path))


def spoken(document: Document) -> list[tuple[str | None, str]]:
    return [(b.start, b.text) for b in document.blocks if b.kind == "u"]


def decisions(document: Document) -> str:
    return "\n".join(d.description for d in document.decisions + document.cleaned.decisions)


# -- real auto-captions, written by yt-dlp / youtube-dl ------------------------------------------


def test_rolling_auto_captions_are_said_once_with_word_timings_as_anchors() -> None:
    document = doc(CAPTIONS / "ragtitles-yt-dlp-auto.vtt")
    assert spoken(document) == [
        ("0:00:00.160", "lost another colony to Raiders let's"),
        ("0:00:02.360", "make sure the next one doesn't suffer"),
        ("0:00:04.279", "the same fate shall we today we're going"),
    ]
    first = document.blocks[0].inlines
    anchors = [i.original for i in first if isinstance(i, TimeAnchor)]
    assert anchors == ["00:00:00.160", "00:00:00.520", "00:00:00.880", "00:00:01.240", "00:00:01.439", "00:00:02.120"]
    assert "collapsed rolling captions: removed 5 lines" in decisions(document)
    assert any(a.kind == "rolling-captions" for a in document.cleaned.artifacts)
    assert document.stated_language is not None and document.stated_language[0] == "en"


def test_youtube_dl_captions_with_a_style_header_and_nested_colour_spans() -> None:
    document = doc(CAPTIONS / "webvttpy-youtube_dl.vtt")
    assert [text for _, text in spoken(document)] == ["yeah", "what", "this will happen is I'm telling"]
    text = decisions(document)
    assert "removed caption header line 'Kind: captions' (line 2)" in text
    assert "removed caption header line 'Style:' (line 4)" in text


# -- what the libraries lost ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["webvttpy-missing_timeframe.vtt", "webvttpy-missing_timeframe.srt"])
def test_a_cue_without_a_timing_line_keeps_its_text_untimed_and_is_reported(name: str) -> None:
    document = doc(CAPTIONS / name)
    cues = spoken(document)
    assert cues[0] == ("0:00:00.500", "Caption text #1")
    assert cues[1] == (None, "Caption text #2")  # not glued to #1, and its number is not speech
    assert cues[2] == ("0:00:11.890", "Caption text #3")
    assert "line 6:" in decisions(document) and "has no timing line; its text is kept as an untimed utterance" in decisions(document)


@pytest.mark.parametrize("name", ["webvttpy-invalid_timeframe.vtt", "webvttpy-invalid_timeframe.srt"])
def test_a_malformed_timing_keeps_the_cue_and_names_the_line(name: str) -> None:
    document = doc(CAPTIONS / name)
    texts = [text for _, text in spoken(document)]
    assert texts[:3] == ["Caption text #1", "Caption text #2", "Caption text #3"]
    if name.endswith(".vtt"):  # "00:00:1d.890": the start is readable, the end is not
        second = document.blocks[1]
        assert (second.start, second.end) == ("0:00:07.000", None)
        assert "line 6: the end time of cue timing '00:00:07.000 --> 00:00:1d.890' is malformed" in decisions(document)
        assert any(a.kind == "caption-timing" and a.line == 6 for a in document.cleaned.artifacts)


def test_subrip_cue_missing_its_timing_is_not_glued_to_the_previous_one(tmp_path: Path) -> None:
    path = tmp_path / "glued.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nCaption text #1\n\n2\nCaption text #2\n\n3\n00:00:03,000 --> 00:00:04,000\nCaption text #3\n", encoding="utf-8")
    assert [text for _, text in spoken(doc(path))] == ["Caption text #1", "Caption text #2", "Caption text #3"]


def test_a_cue_run_on_without_a_blank_line_is_split_at_its_number(tmp_path: Path) -> None:
    path = tmp_path / "runon.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nFirst line\n2\n00:00:02,500 --> 00:00:03,000\nSecond line\n", encoding="utf-8")
    assert spoken(doc(path)) == [("0:00:01.000", "First line"), ("0:00:02.500", "Second line")]


def test_inline_timestamps_and_class_spans_are_markup_not_text() -> None:
    document = doc(CAPTIONS / "webvttpy-cue_tags.vtt")
    assert [text for _, text in spoken(document)] == ["When the moon hits your eye", "Like a big-a pizza pie", "That's amore"]
    second = document.blocks[1]
    assert [i.timestamp for i in second.inlines if isinstance(i, TimeAnchor)] == ["0:00:18.500", "0:00:19.000", "0:00:19.500", "0:00:20.000"]


def test_inline_timestamps_become_tei_anchors_inside_the_utterance() -> None:
    prepared = prepare(read_source(CAPTIONS / "webvttpy-cue_tags.vtt"))
    tree = etree.fromstring(prepared.tei)
    utterance = tree.find(f".//{TEI_NS}u[@start]")
    anchors = utterance.findall(f"{TEI_NS}anchor")
    assert [a.get("n") for a in anchors] == ["00:16.500", "00:17.500"]
    points = {w.get("{http://www.w3.org/XML/1998/namespace}id"): w.get("interval") for w in tree.iter(f"{TEI_NS}when")}
    assert points[anchors[1].get("synch").lstrip("#")] == "17.5"
    assert "".join(utterance.itertext()).split() == ["When", "the", "moon", "hits", "your", "eye"]


def test_header_fields_notes_styles_identifiers_and_settings_stay_out_of_the_text() -> None:
    for name in ["webvttpy-metadata_headers_multiline.vtt", "webvttpy-comments.vtt", "webvttpy-styles.vtt", "webvttpy-netflix_chicas_del_cable.vtt", "webvttpy-captions_with_bom.vtt"]:
        document = doc(CAPTIONS / name)
        text = " ".join(b.text for b in document.blocks)
        for leftover in ["Kind:", "Language:", "NOTE", "STYLE", "::cue", "align:", "position:", "-->", "<", "\ufeff", "WEBVTT"]:
            assert leftover not in text, (name, leftover)
    comments = doc(CAPTIONS / "webvttpy-comments.vtt")
    assert comments.title == "Translation of that film I like"
    assert "removed caption NOTE block 'NOTE This last line may not translate well.' (line 17)" in decisions(comments)


def test_the_language_header_becomes_the_record_language(tmp_path: Path) -> None:
    path = tmp_path / "es.vtt"
    path.write_text("WEBVTT\nKind: captions\nLanguage: es-ES\n\n00:00:01.000 --> 00:00:02.000\nHello there, this is English text.\n", encoding="utf-8")
    prepared = prepare(read_source(path))
    assert prepared.record.language == "es-ES"
    assert any("declared by the file: caption header 'Language: es-ES' (line 3)" in c.description for c in prepared.record.changes)


def test_a_file_with_no_cue_timing_is_rejected_by_name() -> None:
    with pytest.raises(SourceError, match="webvttpy-no_captions.vtt: is not valid WebVTT: no cue timing line"):
        doc(CAPTIONS / "webvttpy-no_captions.vtt")
    with pytest.raises(SourceError, match="webvttpy-invalid_format2.srt: is not valid SubRip"):
        doc(CAPTIONS / "webvttpy-invalid_format2.srt")


# -- the same cues as the reference libraries on well-formed files ---------------------------------


@pytest.mark.parametrize("name", ["webvttpy-sample.vtt", "webvttpy-netflix_chicas_del_cable.vtt", "webvttpy-comments.vtt", "webvttpy-using_identifiers.vtt", "webvttpy-captions_with_bom.vtt"])
def test_well_formed_webvtt_reads_as_webvtt_py_reads_it(name: str) -> None:
    ours = [(b.start, b.end, b.text) for b in doc(CAPTIONS / name).blocks if b.kind == "u"]
    theirs = [
        (_clock(c.start_time.in_milliseconds()), _clock(c.end_time.in_milliseconds()), " ".join(c.text.split()))
        for c in webvtt.read(str(CAPTIONS / name)).captions
    ]
    assert ours == theirs


@pytest.mark.parametrize("name", ["webvttpy-sample.srt", "webvttpy-one_caption.srt"])
def test_well_formed_subrip_reads_as_srt_reads_it(name: str) -> None:
    ours = [(b.start, b.end, b.text) for b in doc(CAPTIONS / name).blocks if b.kind == "u"]
    text = (CAPTIONS / name).read_text(encoding="utf-8")
    theirs = [(_clock(s.start.total_seconds() * 1000), _clock(s.end.total_seconds() * 1000), " ".join(s.content.split())) for s in srt.parse(text)]
    assert ours == theirs


def _clock(millis: float) -> str:
    millis = round(millis)
    return f"{millis // 3_600_000}:{millis // 60_000 % 60:02d}:{millis // 1000 % 60:02d}.{millis % 1000:03d}"


def test_an_ordinary_file_with_one_repeated_line_is_not_taken_for_rolling(tmp_path: Path) -> None:
    path = tmp_path / "echo.vtt"
    cues = ["Are you ready?", "Yes.", "Yes.", "Then we begin.", "Where were you born?", "In Ohio.", "And your parents?", "Farmers.", "Both of them?", "Both."]
    path.write_text("WEBVTT\n\n" + "".join(f"00:00:{i:02d}.000 --> 00:00:{i:02d}.900\n{text}\n\n" for i, text in enumerate(cues)), encoding="utf-8")
    assert [text for _, text in spoken(doc(path))] == cues


# -- property: every word of every cue reaches the stored record, in order -----------------------

_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8)
_TIMING = st.sampled_from(["good", "good", "good", "broken-end", "broken-start", "missing"])
_DECORATION = st.sampled_from(["", "<i>", "<c.colorE5E5E5>", "<b>", "<v Jane Doe>", "<00:00:01.500>", "{\\an8}", "<font color=\"red\">"])


@st.composite
def caption_files(draw) -> tuple[str, str, list[list[str]], list[str]]:
    fmt = draw(st.sampled_from(["vtt", "srt"]))
    count = draw(st.integers(1, 8))
    lines: list[str] = ["WEBVTT", "Kind: captions", "Language: en", ""] if fmt == "vtt" else []
    cues: list[list[str]] = []
    notes: list[str] = []
    for index in range(count):
        # words unique to the cue, so that no two cues repeat a line (that is rolling captions)
        words = [f"{w}q{index}x{n}" for n, w in enumerate(draw(st.lists(_WORD, min_size=1, max_size=6)))]
        cues.append(words)
        if fmt == "vtt" and draw(st.booleans()):
            note = f"notewordq{index}"
            notes.append(note)
            lines += [f"NOTE {note}", ""]
        if draw(st.booleans()):
            lines.append(str(index + 1) if fmt == "srt" else draw(st.sampled_from([str(index + 1), f"cue-{index}"])))
        timing = draw(_TIMING)
        start, end = f"00:00:{index:02d}.000", f"00:00:{index:02d}.900"
        if fmt == "srt":
            start, end = start.replace(".", ","), end.replace(".", ",")
        settings_text = " align:start position:0%" if draw(st.booleans()) else ""
        if timing == "good":
            lines.append(f"{start} --> {end}{settings_text}")
        elif timing == "broken-end":
            lines.append(f"{start} --> 00:00:1d.890{settings_text}")
        elif timing == "broken-start":
            lines.append(f"00:0x:{index:02d}.000 --> {end}")
        decorated = []
        for word in words:
            tag = draw(_DECORATION)
            closing = {"<i>": "</i>", "<b>": "</b>", "<c.colorE5E5E5>": "</c>", "<font color=\"red\">": "</font>"}.get(tag, "")
            decorated.append(f"{tag}{word}{closing}")
        split = draw(st.integers(1, len(decorated)))
        lines += [" ".join(decorated[:split])] + ([" ".join(decorated[split:])] if decorated[split:] else [])
        lines.append("")
    return fmt, "\n".join(lines) + "\n", cues, notes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(caption_files())
def test_every_word_of_every_cue_reaches_the_record_in_order_and_no_tag_does(tmp_path: Path, case: tuple[str, str, list[list[str]], list[str]]) -> None:
    fmt, text, cues, notes = case
    path = tmp_path / f"random.{fmt}"
    path.write_text(text, encoding="utf-8")
    if "-->" not in text:  # no cue has a timing line at all: not a caption file, rejected by name
        with pytest.raises(SourceError, match=f"random.{fmt}: is not valid"):
            prepare(read_source(path))
        return
    prepared = prepare(read_source(path))
    stored = " ".join(segment.text for segment in prepared.record.segments).split()
    expected = [word for cue in cues for word in cue]
    assert [w for w in stored if "q" in w and "x" in w and not w.startswith("noteword")] == expected
    assert not any(note in stored for note in notes)
    assert "<" not in " ".join(stored) and "-->" not in " ".join(stored)
    tree = etree.fromstring(prepared.tei)
    body_text = "".join(tree.find(f"{TEI_NS}text").itertext())
    assert "<" not in body_text and "-->" not in body_text
    assert validate_record(prepared.record.model_dump_json().encode(), prepared.tei, path.read_bytes(), "subset") == []


def test_parser_reports_each_untimed_block_once() -> None:
    parsed = parse_captions("WEBVTT\n\nlonely words\n\n00:00:01.000 --> 00:00:02.000\nhello\n\n7\n", "vtt")
    assert [(c.start, c.payload) for c in parsed.cues] == [(None, ["lonely words"]), (1.0, ["hello"])]
    assert [(s.kind, s.text) for s in parsed.skipped] == [("caption-identifier", "7")]
