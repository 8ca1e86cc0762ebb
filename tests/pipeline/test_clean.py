"""Stage ``clean``: page-break artifacts out, recorded, and the sentences they split rejoined."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@pytest.mark.parametrize(
    "line",
    [
        # site chrome: skip links, menus, account, sharing and post navigation
        "Skip to main content", "SKIP TO CONTENT", "Jump to navigation", "Toggle navigation", "Main menu", "Menu",
        "Search", "Search for:", "Log in", "Sign up", "Subscribe", "Share this:", "Like this:", "Loading...",
        "Advertisement", "Print", "Tweet", "Email", "Related posts", "Leave a reply", "Read more", "Previous post",
        "Next post »", "« Previous", "↑ Back to top", "Top of page", "Open Document", "Download", "Cite this page",
        "Report this Paper", "Report this document",
        # document viewers
        "You are on page 3of 9", "You are on page 2 of 15", "Start display at page:", "Download presentation",
        "Zoom out", "Full screen",
        # essay-site statistics, with or without a bullet
        "• Date Submitted: 11/03/2015 06:40 PM", "  • Flesch-Kincaid Score: 58.1", "Words: 1,204", "• Words: 730",
        "Essay Grade: none", "1204 Words5 Pages", "1,204 Words 5 Pages", "Pages: 6", "Views: 12,480", "3 comments",
        "Comments (12)", "No comments yet",
        # a catalogue field label naming its schema
        "Title (Dublin Core)", "Subject (Dublin Core)", "Rights (DC)",
        # blog chrome (with a date or time)
        "Posted by @ 10:05 pm on March 2nd, 2013", "Posted by editor on June 9, 2014", "Posted on 4 July 2015 by staff",
        "Filed under Interviews, Transport",
        # menus and breadcrumbs without brackets
        # an excerpt marker on a line of its own
        "…show more content…", "...show more content...",
        # "More about ..." by its shape (clean keeps it where prose follows it)
        "More about An Interview With A Bus Driver",
    ],
)
def test_classify_boilerplate_line(line: str) -> None:
    assert classify_artifact_line(line) == "boilerplate"


@pytest.mark.parametrize("line", ["Home | About | Contact | Blog", "Log in | Sign up", "Home · Archive · Contact", "Stories › Transport › Buses"])
def test_a_menu_line_is_navigation(line: str) -> None:
    # like the bracketed "[Home | About]" menus; structure reads the line above one as a masthead
    assert classify_artifact_line(line) == "navigation"


@pytest.mark.parametrize(
    "line",
    [
        "We use cookies to give you the best experience possible. By continuing we'll assume you're on board with our cookie policy. Got it!",
        "This site uses cookies to analyse traffic and personalise content. Accept | Manage preferences",
        "This website uses cookies. Accept all | Reject non-essential | Cookie settings",
    ],
)
def test_a_cookie_notice_is_boilerplate_however_long(line: str) -> None:
    assert classify_artifact_line(line) == "boilerplate"


def test_a_sentence_about_cookies_is_content() -> None:
    line = "On Fridays she baked oatmeal cookies for the whole precinct, and the desk sergeant always took two before roll call."
    assert classify_artifact_line(line) is None


@pytest.mark.parametrize(
    "line",
    [
        # titles and headings
        "Interview with a Nurse", "INTERVIEW WITH A POLICE OFFICER", "Home", "Contact", "Table of Contents", "Notice",
        # speaker turns and field lines
        "Q: Did you search it?", "Interviewer: Jane Doe", "Subject: Life at the depot", "Date: March 3, 1976",
        "Occupation: Paid Firefighter", "Tags: buses, night shifts", "Email: office@example.org", "Length: 45 minutes",
        # a label with nothing after it, even where the label alone would be chrome
        "Words of Wisdom:", "Reply:", "Email:",
        # speaker initials on a line of their own
        "AD", "JR",
        # sentences that merely contain the words of chrome
        "I had to print the report and log in to the system.", "Search warrants take time.",
        "Words cannot describe it.", "We looked at the menu for a long time.", "Next?", "Download the whole thing, he said.",
        # the rest of a hard-wrapped sentence, opening in lower case
        "print", "log in to the", "menu",
        # lines that look like these shapes but are not chrome
        "Posted to Berlin in 1946, he met", "More about my father later.", "John Smith | Interviewer | 1976",
        "Interview with a Driver | Transport Stories | City Archive", "100 times faster", "1976",
        # a bare "(DC)" after a whole sentence of more than twelve words
        "a b c d e f g h i j k l m (DC)",
    ],
)
def test_content_lines_are_not_boilerplate(line: str) -> None:
    assert classify_artifact_line(line) is None


PROSE_WORDS = st.sampled_from(
    ["the", "bus", "Menu", "search", "Print", "log", "in", "Words:", "955", "Posted", "by", "on", "May", "2011",
     "More", "about", "Share", "this:", "Download", "(Dublin", "Core)", "Skip", "to", "content", "we", "drove", "home"]
) | st.text(alphabet=st.characters(categories=("Ll", "Lu")), min_size=1, max_size=9)


@given(st.lists(PROSE_WORDS, min_size=13, max_size=30), st.sampled_from(["", ".", ":", "...", "?"]))
def test_a_line_of_more_than_twelve_words_is_never_boilerplate(words: list[str], end: str) -> None:
    assert classify_artifact_line(" ".join(words) + end) is None


def test_boilerplate_lines_are_removed_recorded_and_the_sentence_rejoined() -> None:
    text = (
        "Skip to main content\nMenu\n\nDriving the Night Bus\n\n• Words: 812\n• Report this Essay\n"
        "She drove the last bus of the night for twenty years, from the depot to the\n"
        "Advertisement\nShare this:\n"
        "river and back, and she never missed a single shift.\n\nBack to top\n"
    )
    cleaned = cleaned_text(text)
    assert content(cleaned) == [
        "Driving the Night Bus",
        "She drove the last bus of the night for twenty years, from the depot to the river and back, and she never missed a single shift.",
    ]
    boilerplate = [(a.text, a.line) for a in cleaned.artifacts if a.kind == "boilerplate"]
    assert boilerplate == [
        ("Skip to main content", 1), ("Menu", 2), ("• Words: 812", 6), ("• Report this Essay", 7),
        ("Advertisement", 9), ("Share this:", 10), ("Back to top", 13),
    ]
    title, body = (line for line in cleaned.lines if not line.blank)
    assert [(offset, a.text) for offset, a in title.breaks] == [(0, "Skip to main content"), (0, "Menu")]
    # the two chrome lines inside the sentence: breaks at the join, and the join is recorded
    offset = body.text.index("river and back")
    assert [(o, a.text) for o, a in body.breaks] == [(0, "• Words: 812"), (0, "• Report this Essay"), (offset, "Advertisement"), (offset, "Share this:"), (len(body.text), "Back to top")]
    assert any("rejoined the sentence" in d.description and "'Advertisement'" in d.description for d in cleaned.decisions)


def test_show_more_content_glued_to_a_line_end_is_cut_and_recorded_with_a_break() -> None:
    text = (
        "Driving the Night Bus\n\n"
        "She drove the last bus of the night for twenty years and never missed a shift.…show more content…\n"
        "The depot closed the year she retired, and the route went to a private company.\n"
    )
    cleaned = cleaned_text(text)
    glued = next(line for line in cleaned.lines if line.number == 3)
    assert glued.text == "She drove the last bus of the night for twenty years and never missed a shift."
    [(offset, artifact)] = glued.breaks
    assert (offset, artifact.kind, artifact.text, artifact.line) == (len(glued.text), "boilerplate", "…show more content…", 3)
    assert artifact in cleaned.artifacts
    assert any("…show more content…" in d.description and "line 3" in d.description for d in cleaned.decisions)
    assert content(cleaned)[-1] == "The depot closed the year she retired, and the route went to a private company."


def test_show_more_content_in_the_middle_of_a_sentence_is_cut_and_the_sentence_rejoined() -> None:
    cleaned = cleaned_text("A title\n\nIn winter the buses were always ...Show More Content...\nlate, and nobody complained.\n")
    assert content(cleaned)[-1] == "In winter the buses were always late, and nobody complained."
    line = next(line for line in cleaned.lines if line.text.startswith("In winter"))
    assert [(offset, a.text) for offset, a in line.breaks] == [(line.text.index("late"), "...Show More Content...")]


def test_more_about_is_boilerplate_only_where_no_prose_follows() -> None:
    prose = "The depot closed the year she retired, and the route went to a private company that cut the night service."
    end = cleaned_text(f"Driving the Night Bus\n\n{prose}\n\nMore about Driving the Night Bus\n\nOpen Document\n")
    assert content(end) == ["Driving the Night Bus", prose]
    assert [a.text for a in end.artifacts if a.kind == "boilerplate"] == ["More about Driving the Night Bus", "Open Document"]
    middle = cleaned_text(f"Driving the Night Bus\n\nMore about the depot\n\n{prose}\n")
    assert "More about the depot" in content(middle)
    assert not middle.artifacts


ASCII_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8)


@given(st.lists(ASCII_WORDS, min_size=1, max_size=20), st.sampled_from(["…show more content…", "...show more content...", " …Show more content…"]))
def test_a_glued_show_more_marker_takes_no_other_word(words: list[str], marker: str) -> None:
    line = " ".join(words)
    cleaned = cleaned_text(f"Title\n\n{line}.{marker}\n")
    assert content(cleaned)[-1] == f"{line}."
    assert [a.text for a in cleaned.artifacts] == [marker.strip()]


def test_excerpt_corpus_chrome_is_recorded_and_no_content_line_is_lost() -> None:
    # the essay-site and catalogue chrome of the excerpt corpus (../shared), checked line by line
    excerpts = CORPUS.parent.parent / "corpus-excerpts" / "files"
    if not excerpts.is_dir():
        pytest.skip("no excerpt corpus beside the clone")
    counts: dict[str, int] = {}
    for path in sorted(excerpts.iterdir()):
        cleaned = clean(decode(read_source(path)))
        removed = {a.line for a in cleaned.artifacts if a.kind == "boilerplate"}
        counts[path.name[:2]] = len(removed)
        kept = {line.number for line in cleaned.lines}
        source_lines = decode(read_source(path)).text.split("\n")
        for number, text in enumerate(source_lines, start=1):
            if text.strip() and number not in removed:
                assert number in kept, (path.name, number, text)
            if number in removed and number in kept:  # a marker cut from a content line: the rest stays
                assert next(line for line in cleaned.lines if line.number == number).text.strip()
    # stat bullets (22), a stat line, a glued marker, "More about" and a viewer link (28), a blog
    # byline (32), two Dublin Core labels (34); nothing elsewhere
    assert counts == {"22": 5, "26": 0, "28": 4, "30": 0, "32": 1, "34": 2, "36": 0, "40": 0}


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


def test_titles_listed_under_a_related_essays_heading_are_boilerplate() -> None:
    text = (
        "Talking with a Glassblower\n\nShe has blown glass in the same shop for twenty years and still burns her fingers.\n\n"
        "Related essays\nInterview With a Potter\nThe Role of Apprenticeships\n"
    )
    cleaned = cleaned_text(text)
    assert content(cleaned) == ["Talking with a Glassblower", "She has blown glass in the same shop for twenty years and still burns her fingers."]
    assert [a.text for a in cleaned.artifacts if a.kind == "boilerplate"] == ["Related essays", "Interview With a Potter", "The Role of Apprenticeships"]


def test_prose_after_a_related_heading_ends_the_list() -> None:
    text = "Related essays\nInterview With a Potter\n\nI went back the next week. She had already started a new vase for the fair.\n"
    assert content(cleaned_text(text)) == ["I went back the next week. She had already started a new vase for the fair."]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("Essay Sample", "boilerplate"),
        ("Free essays > Health > Emergency Medicine", "navigation"),
        ("Words: 903 Pages: 4 Essay Grade: no grades", "boilerplate"),
        ("Essay Hub | Free Essay Examples | Career Interview: Dental Assistant", "navigation"),  # a breadcrumb ending in the title
        ("Essays24x7 | Home | Top Essays | New Essays | Help", "navigation"),  # a site name with digits first
        ("Home Categories Upload Login", "navigation"),  # menu words without separators
        ('Download "My Dad the Truck Driver"', "boilerplate"),
        ("2 http://www.example.org/doc/5530917/my-dad-the-truck-driver", "url"),  # a viewer's page number and the URL
        ("Home Sweet Home", None),
        ("John Smith | Interviewer | 1976", None),
        ("By Kaylee Summers · 1,128 Words · 5 Pages", None),  # a by-line: extraction reads it
    ],
)
def test_essay_site_and_document_viewer_chrome(line: str, kind: str | None) -> None:
    assert classify_artifact_line(line) == kind
