"""Properties of decode -> clean -> structure for any input text (hypothesis).

What "word" means here, precisely:

- A **word** is a maximal run of characters for which ``str.isalnum()`` is true.
- Words are compared by their **base letters**: NFD, combining marks dropped. NFC and the
  folding of spaces may compose a letter with a mark that stood apart in the source; that
  changes no base letter.
- The **source** is the input after the mojibake repair ``decode`` records (ftfy, with the
  pipeline's own settings): a repaired character is a recorded change, not a lost word.
- Words on a line that ``clean`` recorded as an artifact (``Artifact.line``) are excluded.
- "Appears in the output in order" is checked strictly: the output's words, concatenated,
  equal the source's words concatenated, and every boundary between two output words is
  also a boundary between source words. So no word is lost, added or reordered; the only
  allowed change is that adjacent source words become one, which happens when a removed
  character separated them (an XML-illegal or zero-width character) or when end-of-line
  hyphenation is undone (recorded).
"""

from __future__ import annotations

import hashlib
import unicodedata
from itertools import accumulate
from pathlib import Path

import ftfy
from hypothesis import assume, example, given
from hypothesis import strategies as st
from lxml import etree

from oral_archive.pipeline import decode as decode_module
from oral_archive.pipeline.clean import clean
from oral_archive.pipeline.decode import decode, looks_binary, looks_utf16
from oral_archive.pipeline.document import Block, Document, Note, PageBreak, Quote, Source, Text, TimeAnchor
from oral_archive.pipeline.structure import _label_of, structure
from oral_archive.schemas.errors import SourceError


def words(text: str) -> list[str]:
    """Base-letter words of a text, per the module docstring."""
    out: list[str] = []
    current: list[str] = []
    for char in text:
        if char.isalnum():
            current.append(char)
        elif current and unicodedata.combining(char):
            continue  # a mark attached to the word so far
        elif current:
            out.append("".join(current))
            current = []
    if current:
        out.append("".join(current))
    return [w for w in (base(w) for w in out) if w]


def base(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def assert_same_words(source: list[str], output: list[str]) -> None:
    """Output words are source words, in order, possibly some adjacent ones merged."""
    assert "".join(output) == "".join(source), (source, output)
    boundaries = set(accumulate(len(w) for w in source))
    assert set(accumulate(len(w) for w in output)) <= boundaries, (source, output)


def rendered(block: Block, lines: dict[int, str]) -> str:
    """All the text a block keeps: label, text, marks of quotes and notes, time stamps as written.

    The speaker label counts where the block's first line opened the turn with it (a turn's
    later paragraphs carry the label too, but the source wrote it once); a time stamp
    written before the label comes first, as in the source.
    """
    inlines = list(block.inlines)
    parts: list[str] = []
    opened = _label_of(lines.get(block.line, "")) if block.speaker_label else None
    if opened and opened[0] == block.speaker_label:
        line = lines[block.line]
        # the stamp may follow a page break that was cut out before the line
        stamp = next((i for i, inline in enumerate(inlines) if not isinstance(inline, PageBreak)), None)
        if words(line[: line.find(block.speaker_label)]) and stamp is not None and isinstance(inlines[stamp], TimeAnchor):
            parts.append(inlines.pop(stamp).original)
        parts.append(block.speaker_label)
    for inline in inlines:
        if isinstance(inline, Text):
            parts.append(inline.text)
        elif isinstance(inline, (Quote, Note)):
            parts.append(f"{inline.open_mark}{inline.text}{inline.close_mark}")
        elif isinstance(inline, TimeAnchor):
            parts.append(f" {inline.original} ")
    return " ".join(parts)


def source_of(data: bytes) -> Source:
    return Source(Path("prop.txt"), data, hashlib.sha256(data).hexdigest(), "text/plain")


def has_content(text: str) -> bool:
    return any(c.isalnum() for c in text)


# Text as transcripts have it (lines, labels, brackets, page furniture) plus any character.
LINE = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80),
    st.sampled_from(["Page 3 of 12", "12", "[4]", "https://example.org/x", "\f", "Q: Where?", "A: Here [laughs].", "CURRY: Yes.", "**Jane Doe:** (12:34) Well-", "known words", "[00:01:02] Jane Doe: yes", "B:", "(1:02:03)", "", "   indented line", "Running Header"]),
)
TEXTS = st.lists(LINE, max_size=30).map("\n".join)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])


@given(TEXTS, ENCODINGS)
def test_decode_and_clean_never_fail_except_on_empty_or_binary_input(text: str, encoding: str) -> None:
    try:
        cleaned = clean(decode(source_of(text.encode(encoding, errors="surrogatepass"))))
    except SourceError as error:
        assert "prop.txt" in str(error)
        assert not text.strip() or looks_binary(text) or not has_content(text) or not text.replace("\x00", "").strip(), error
        return
    for line in cleaned.lines:
        element = etree.Element("p")
        element.text = line.text  # lxml refuses any character XML 1.0 forbids
        assert etree.fromstring(etree.tostring(element)).text in (line.text, None)
        assert "\n" not in line.text and "\r" not in line.text
        assert line.text == unicodedata.normalize("NFC", line.text)


@given(TEXTS, ENCODINGS)
@example("À\x1f\x800", "utf-8")  # removing the control must not make its neighbours mojibake
@example("Â\x85", "utf-8")
@example("page one ends in the mid-\nPage 3 of 12\ndle of a word", "utf-16")
def test_every_word_not_in_a_recorded_artifact_survives_decode_and_clean_in_order(text: str, encoding: str) -> None:
    data = text.encode(encoding)
    # Bytes with NULs in every other position are read as UTF-16 (looks_utf16): a UTF-8 text
    # of that shape is the one input whose words are, by design, not its UTF-8 reading.
    assume(encoding != "utf-8" or not looks_utf16(data))
    try:
        decoded = decode(source_of(data))
    except SourceError:
        return  # covered by the test above
    # decode: the source after its recorded mojibake repair, word for word
    lines = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    repaired = ftfy.fix_text(lines, config=decode_module._FTFY_CONFIG)
    assert_same_words(words(repaired), words(decoded.text))
    # clean: every line not recorded as an artifact, word for word
    cleaned = clean(decoded)
    removed = {a.line for a in cleaned.artifacts if a.line}
    kept = [line for n, line in enumerate(decoded.text.split("\n"), start=1) if n not in removed]
    assert_same_words(words("\n".join(kept)), words("\n".join(line.text for line in cleaned.lines)))


@given(TEXTS)
@example("Title\n\nA:\nB:\nB:0\n0000")  # labels alone on a line, a turn of two paragraphs
@example("PAGE0OF0\n[0:00:00] Jane Doe:\nQ:\n**Jane Doe**")  # a stamped label right after a page break
@example("Title\n\nA:\nA:\nQ:\nspeech after a label on its own line")
@example("Title\n\n[00:01:02] JANE: yes\nSMITH: no\nJANE: (12:34) maybe")
def test_structure_keeps_every_cleaned_word_in_order(text: str) -> None:
    try:
        cleaned = clean(decode(source_of(text.encode())))
        document: Document = structure(cleaned)
    except SourceError:
        return
    source_words = words("\n".join(line.text for line in cleaned.lines))
    numbered = {line.number: line.text for line in cleaned.lines}
    output_words = words("\n".join(rendered(block, numbered) for block in document.blocks))
    assert_same_words(source_words, output_words)
    ids = [block.id for block in document.blocks]
    assert len(ids) == len(set(ids))


@given(st.one_of(TEXTS, st.text(), st.text(alphabet="&<>;#ampltÃâ€™‘“”–—…•\x1b\r\n \x85\u2028é\u0301\xa0", max_size=60)))
def test_mojibake_fast_path_equals_ftfy(text: str) -> None:
    """``fix_mojibake`` skips lines ftfy leaves alone: the result must be ftfy's, exactly."""
    assert decode_module.fix_mojibake(text) == ftfy.fix_text(text, config=decode_module._FTFY_CONFIG)
