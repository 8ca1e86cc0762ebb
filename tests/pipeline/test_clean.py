"""Stage ``clean``: page-break artifacts out, recorded, and the sentences they split rejoined."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from oral_archive.pipeline.clean import Vocabulary, classify_artifact_line, clean, dehyphenate
from oral_archive.pipeline.decode import decode, read_source
from oral_archive.pipeline.document import CleanedText, Source

from ..conftest import CORPUS, FIXTURES, SEED

NORMALIZE = FIXTURES / "normalize"
WORDS = {"capacity", "important", "interview", "cooperate"}


def lexicon(word: str) -> bool:
    """A tiny fixed lexicon, so the tests do not depend on which word list is installed."""
    return word in WORDS


def cleaned_text(text: str) -> CleanedText:
    data = text.encode()
    return clean(decode(Source(Path("t.txt"), data, hashlib.sha256(data).hexdigest(), "text/plain")), lexicon)


def content(cleaned: CleanedText) -> list[str]:
    return [line.text for line in cleaned.lines if not line.blank]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("https://example.org/interviews/42/", "url"),
        ("www.example.org/a", "url"),
        ("Page 3 of 12", "page-number"),
        ("page 7", "page-number"),
        ("p. 14", "page-number"),
        ("3 of 12", "page-number"),
        ("[45]", "page-number"),
        ("- 12 -", "page-number"),
        ("12", "page-number"),
        ("3/12", "page-number"),
        ("[Home | About | Contact]", "navigation"),
        ("\f", "form-feed"),
        ("1976", None),  # a year standing alone is text, not a page number
        ("Page two was the best part.", None),
        ("He went to https://example.org later", None),
        ("", None),
    ],
)
def test_classify_artifact_line(line: str, kind: str | None) -> None:
    assert classify_artifact_line(line) == kind


def test_seed_url_is_removed_recorded_and_the_sentence_rejoined() -> None:
    cleaned = clean(decode(read_source(SEED)))
    urls = [a for a in cleaned.artifacts if a.kind == "url"]
    assert [a.text for a in urls] == ["https://assignbuster.com/interview-with-law-enforcement-officer/"]
    joined = next(line for line in cleaned.lines if "this important factor in order" in line.text)
    offset, artifact = joined.breaks[0]
    assert artifact is urls[0]
    assert joined.text[offset:].startswith("factor in order")
    assert not any("assignbuster" in line.text for line in cleaned.lines)
    assert any("rejoined the sentence" in d.description for d in cleaned.decisions)


def test_page_of_running_header_and_bare_number_between_sentence_halves() -> None:
    cleaned = clean(decode(read_source(NORMALIZE / "page-of.txt")), lexicon)
    lines = content(cleaned)
    assert "Archive of Workplace Memories" not in lines
    assert not any(line.startswith("Page ") for line in lines)
    kinds = [(a.kind, a.text) for a in cleaned.artifacts]
    assert kinds.count(("running-header", "Archive of Workplace Memories")) == 3
    assert ("page-number", "Page 2 of 3") in kinds and ("page-number", "3") in kinds
    # the halves around "Archive ... / Page 2 of 3" are one line again, with two breaks at the join
    split = next(line for line in cleaned.lines if line.text.endswith("learned to sleep in the afternoon. She remembers the noise most of all, a constant roar that followed her home and stayed"))
    assert [a.text for _, a in split.breaks] == ["Archive of Workplace Memories", "Page 2 of 3"]
    # "capac-" / "3" / "ity": the bare page number goes, and the word is whole again
    assert any(line.endswith("running at full capacity and nobody dared to complain about the overtime they were asked to work every single week.") for line in lines)
    assert lines[-1] == "The plant stayed at capacity until the day it closed."
    assert any("capac-|ity -> capacity" in d.description for d in cleaned.decisions)
    assert any("removed trailing" in d.description and "Page 3 of 3" in d.description for d in cleaned.decisions)


def test_a_repeated_line_away_from_page_marks_is_kept() -> None:
    # the teacher essay repeats its title (page header + heading); nothing splits there
    cleaned = clean(decode(read_source(CORPUS / "02-an-interview-with-my-teacher.txt")))
    assert content(cleaned)[:2] == ["An Interview with My Teacher", "An Interview with My Teacher"]
    assert not any(a.kind == "running-header" for a in cleaned.artifacts)


def test_header_lines_that_repeat_in_a_title_block_are_kept() -> None:
    cleaned = clean(decode(read_source(CORPUS / "06-oral-history-james-fuchs.txt")))
    lines = content(cleaned)
    assert lines.count("Independence, Missouri") == 3 and lines.count("March 18, 1976") == 2
    assert [a.text for a in cleaned.artifacts if a.kind == "page-number"] == ["[1]", "[2]"]
    assert len([a for a in cleaned.artifacts if a.kind == "navigation"]) == 2


def test_form_feed_page_with_running_footer() -> None:
    text = "Life on the farm\n\nWe got up before the sun and milked the cows, then walked the long road to\nThe Valley Oral History Project\n\f\nThe Valley Oral History Project\nschool in the next village. It was cold.\n"
    cleaned = cleaned_text(text)
    assert content(cleaned)[-1] == "We got up before the sun and milked the cows, then walked the long road to school in the next village. It was cold."
    assert [a.kind for a in cleaned.artifacts] == ["running-header", "form-feed", "running-header"]


def test_artifact_between_two_sentences_is_removed_without_joining() -> None:
    cleaned = cleaned_text("Title line\n\nThe first page ends here.\n\nPage 1 of 2\n\nThe second page starts here.\n")
    assert content(cleaned)[-2:] == ["The first page ends here.", "The second page starts here."]
    second = next(line for line in cleaned.lines if line.text.startswith("The second"))
    assert second.breaks and second.breaks[0][0] == 0


def test_indentation_is_kept_on_the_line() -> None:
    cleaned = cleaned_text("Title\n\n    An indented first line\nand its second line.\n")
    assert [(line.text, line.indent) for line in cleaned.lines if not line.blank] == [("Title", 0), ("An indented first line", 4), ("and its second line.", 0)]


def test_dehyphenate_joins_only_real_words() -> None:
    vocabulary = Vocabulary("", lexicon)
    assert dehyphenate("at full capac-", "ity and", vocabulary) == ("at full capacity and", "capac-|ity -> capacity")
    # "wellknown" is not a word: the hyphen is the author's
    assert dehyphenate("a well-", "known man", vocabulary) == ("a well-known man", "well-|known -> well-known (kept the hyphen)")
    # no hyphen at the end, or a capital after it: an ordinary join with a space
    assert dehyphenate("the end", "of it", vocabulary) == ("the end of it", None)
    assert dehyphenate("East-", "West relations", vocabulary) == ("East- West relations", None)


def test_dehyphenate_trusts_the_document_over_the_lexicon() -> None:
    # the text writes "co-operate" elsewhere: keep the author's hyphen even though "cooperate" is a word
    assert dehyphenate("we co-", "operate", Vocabulary("They co-operate daily.", lexicon))[0] == "we co-operate"
    # a word the lexicon lacks but the text spells whole elsewhere is a word
    assert dehyphenate("the Kessel-", "ring", Vocabulary("Kesselring was there.", lambda w: False))[0] == "the Kesselring"


def test_default_lexicon_is_wordfreq() -> None:
    vocabulary = Vocabulary("nothing relevant here")
    assert dehyphenate("an impor-", "tant day", vocabulary)[0] == "an important day"
    assert dehyphenate("a xylo-", "zzqk thing", vocabulary)[0] == "a xylo-zzqk thing"
