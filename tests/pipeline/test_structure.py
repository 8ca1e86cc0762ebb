"""Stage ``structure``: title, subjects, paragraphs, speaker turns and inline parts."""

from __future__ import annotations

import hashlib
from pathlib import Path

from oral_archive.pipeline.clean import clean
from oral_archive.pipeline.decode import decode, read_source
from oral_archive.pipeline.document import Document, Note, PageBreak, Quote, Source, TimeAnchor
from oral_archive.pipeline.stages import document_from
from oral_archive.pipeline.structure import normalize_timestamp, structure

from ..conftest import CORPUS, FIXTURES, SEED

NORMALIZE = FIXTURES / "normalize"


def doc(path: Path) -> Document:
    return document_from(read_source(path))


def doc_text(text: str, lexicon=None) -> Document:  # type: ignore[no-untyped-def]
    data = text.encode()
    source = Source(Path("t.txt"), data, hashlib.sha256(data).hexdigest(), "text/plain")
    return structure(clean(decode(source), lexicon), lexicon)


def kinds(document: Document) -> list[str]:
    return [b.kind for b in document.blocks]


def test_seed_title_subject_rejoined_paragraph_and_attributed_quotes() -> None:
    document = doc(SEED)
    assert document.title == "Interview with law enforcement officer"
    assert [line.text for line in document.subject_lines] == ["Law"]
    assert document.form == "narrative" and kinds(document) == ["head", "head", "p", "p", "p", "p", "p"]
    split = next(b for b in document.blocks if "this important factor in order" in b.text)
    assert any(isinstance(i, PageBreak) and i.artifact.kind == "url" for i in split.inlines)
    assert not any("assignbuster" in b.text for b in document.blocks)
    quotes = [i for b in document.blocks for i in b.inlines if isinstance(i, Quote)]
    assert [q.text for q in quotes] == ["yes", "no, it is not true that police officers have a quota for writing tickets, nor are there any repercussions for not writing them."]
    assert all(q.who == "interviewee" for q in quotes)


def test_narrative_quote_attributed_by_the_speech_verb_before_it() -> None:
    document = doc(CORPUS / "01-detective-career-interview.txt")
    quote = next(i for b in document.blocks for i in b.inlines if isinstance(i, Quote) and i.text.startswith("a real-life nightmare"))
    assert (quote.who, quote.rule) == ("interviewee", "quote.speech-verb-before")


def test_first_person_speech_is_the_interviewer() -> None:
    document = doc_text("A talk with my neighbour\n\nI asked, “How long have you lived here?” She laughed and said “forty years”.\n")
    quotes = [i for i in document.blocks[-1].inlines if isinstance(i, Quote)]
    assert [(q.text, q.who) for q in quotes] == [("How long have you lived here?", "interviewer"), ("forty years", "interviewee")]


def test_indented_paragraphs_and_hard_wrapped_lines() -> None:
    document = doc(NORMALIZE / "indented.txt")
    assert document.title == "Leaving home"
    assert [b.text for b in document.blocks if b.kind == "p"] == [
        "When I was nineteen I packed one suitcase and took the night train to the capital. My mother cried at the station.",
        "The city was loud and bright. I found a room above a bakery and a job at the post office within a week.",
        "Years later I went back and the station was gone.",
    ]


def test_page_of_fixture_is_one_paragraph_with_its_page_breaks() -> None:
    document = doc(NORMALIZE / "page-of.txt")
    assert document.title == "Working the night shift"
    assert [line.text for line in document.subject_lines] == ["Labour"]
    paragraph, last = [b for b in document.blocks if b.kind == "p"]
    assert last.text == "The plant stayed at capacity until the day it closed."
    assert paragraph.text.startswith("The foreman told us") and "sleep in the afternoon." in paragraph.text
    # no lexicon passed: "capacity" is a word because the text itself writes it whole later
    assert "full capacity and nobody" in paragraph.text
    assert sum(isinstance(i, PageBreak) for i in paragraph.inlines) >= 5


def test_line_end_hyphenation_inside_a_paragraph() -> None:
    text = "Notes\n\nThe union organised a meeting in the hall where everyone could par-\nticipate, and the well-\nknown speaker came from the capital to talk to us all.\n"
    document = doc_text(text, lexicon=lambda w: w == "participate")
    assert "could participate, and the well-known speaker came" in document.blocks[-1].text
    assert any("par-|ticipate -> participate" in d.description for d in document.decisions)


def test_labels_with_timestamps_multi_paragraph_turns_and_notes() -> None:
    document = doc(NORMALIZE / "labels.txt")
    assert document.form == "transcript"
    assert [(s.label, s.role) for s in document.speakers] == [("INTERVIEWER", "interviewer"), ("BERG", "interviewee")]
    turns = [(b.speaker_label, b.start, b.text.strip()) for b in document.blocks if b.kind == "u"]
    assert turns == [
        ("INTERVIEWER", "0:00:12", "Tell me about the strike."),
        ("BERG", "0:00:20", "It started in the spring."),
        ("BERG", None, "It lasted eleven weeks. [pause] We had nothing left by the end."),  # second paragraph, same turn
        ("INTERVIEWER", None, "Did you go back?"),
        ("BERG", "0:14:05", "Yes, in June."),
    ]
    pause = next(i for i in document.blocks[3].inlines if isinstance(i, Note))
    assert pause.text == "pause"
    anchors = [i for b in document.blocks for i in b.inlines if isinstance(i, TimeAnchor)]
    assert [(a.original, a.timestamp) for a in anchors] == [("[00:00:12]", "0:00:12"), ("[00:00:20]", "0:00:20"), ("(14:05)", "0:14:05")]


def test_markdown_headings_bold_labels_and_notes_are_not_speech() -> None:
    document = doc(NORMALIZE / "qa-markdown.md")
    assert document.source.media_type == "text/markdown"
    assert document.title == "Interview with Ana Ruiz"
    assert document.subject_lines == []  # "## Early years" is a section heading, not a subject
    assert [b.text for b in document.blocks if b.kind == "head"] == ["Interview with Ana Ruiz", "Early years"]
    assert [(s.label, s.role) for s in document.speakers] == [("Interviewer", "interviewer"), ("Ana Ruiz", "interviewee")]
    ana = [b for b in document.blocks if b.speaker_label == "Ana Ruiz"]
    assert [b.text for b in ana][:2] == ["In the north, near the mountains. [laughs] We had goats.", "We also had a small orchard. My father pruned the trees every spring."]
    notes = [i.text for b in document.blocks for i in b.inlines if isinstance(i, Note)]
    assert notes == ["laughs", "inaudible"]
    assert not any("**" in b.text for b in document.blocks)


def test_dotted_q_and_a_labels() -> None:
    document = doc(NORMALIZE / "qa-dotted.txt")
    assert [(s.label, s.role) for s in document.speakers] == [("Q", "interviewer"), ("A", "interviewee")]
    assert [b.text for b in document.blocks if b.kind == "u"] == ["Where did you work in 1971?", "At the paper mill on the river.", "For how long?", "Nine years, until it closed."]


def test_corpus_firefighter_labels_and_bracketed_and_braced_notes() -> None:
    document = doc(CORPUS / "04-fire-fighter-interview.txt")
    assert document.title == "Fire Figher Interview"
    assert {(s.label, s.role) for s in document.speakers} == {("P", "interviewer"), ("FF", "interviewee")}
    notes = [(i.open_mark, i.text) for b in document.blocks for i in b.inlines if isinstance(i, Note)]
    assert ("{", "I assure him it will not") in notes and ("[", "Laughs") in notes
    assert next(b for b in document.blocks if b.kind == "u" and b.who == "sp-ff").text == "yes."


def test_corpus_question_answer_labels_even_without_a_space() -> None:
    document = doc(CORPUS / "05-interview-fourth-grade-teacher.txt")
    questions = [b.text for b in document.blocks if b.speaker_label == "Question"]
    assert len(questions) == 5 and questions[3] == "Did you always want to be a teacher? If no, what other job did you want?"
    assert [s.role for s in document.speakers] == ["interviewer", "interviewee"]


def test_corpus_oral_history_title_over_two_lines_and_page_numbers_as_breaks() -> None:
    document = doc(CORPUS / "06-oral-history-james-fuchs.txt")
    assert document.title == "Oral History Interview with James R. Fuchs"
    assert [s.label for s in document.speakers] == ["CURRY", "FUCHS"]
    breaks = [i.artifact.text for b in document.blocks for i in b.inlines if isinstance(i, PageBreak) and i.artifact.kind == "page-number"]
    assert breaks == ["[1]", "[2]"]
    first = next(b for b in document.blocks if b.kind == "u")
    assert (first.speaker_label, first.text) == ("CURRY", "To start, what is oral history?")


def test_normalize_timestamp() -> None:
    assert normalize_timestamp("12:34") == "0:12:34"
    assert normalize_timestamp("01:02:03") == "1:02:03"
    assert normalize_timestamp("1:02:03.5") == "1:02:03.5"


def test_times_of_day_and_verse_numbers_are_not_anchors() -> None:
    document = doc_text("Notes\n\nWe met at 9:45 in the morning, as John 3:16 says; (12:75) is no time.\n")
    assert not any(isinstance(i, TimeAnchor) for b in document.blocks for i in b.inlines)
