"""Stage ``structure``: title, subjects, paragraphs, speaker turns and inline parts."""

from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import etree

from oral_archive.pipeline.clean import clean
from oral_archive.pipeline.decode import decode, read_source
from oral_archive.pipeline.document import Document, Note, PageBreak, Quote, Source, TimeAnchor
from oral_archive.pipeline.stages import document_from, prepare_path
from oral_archive.pipeline.structure import normalize_timestamp, structure
from oral_archive.schemas.xmlschemas import TEI_NS

from ..conftest import CORPUS, FIXTURES, SEED
from .test_normalize_properties import assert_same_words, rendered, words

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
    assert normalize_timestamp("0:39") == "0:00:39"  # minutes:seconds, as transcription services write it


def test_times_of_day_and_verse_numbers_are_not_anchors() -> None:
    document = doc_text("Notes\n\nWe met at 9:45 in the morning, as John 3:16 says; (12:75) is no time.\n")
    assert not any(isinstance(i, TimeAnchor) for b in document.blocks for i in b.inlines)


# -- "label + time stamp" lines (transcription-service exports) and label aliases -------------------
# The transcripts below are written for these tests.


def written_words(document: Document) -> list[str]:
    """Every word the blocks keep, labels and time stamps as written (see test_normalize_properties)."""
    numbered = {line.number: line.text for line in document.cleaned.lines}
    return words("\n".join(rendered(block, numbered) for block in document.blocks))


def assert_nothing_lost(document: Document) -> None:
    assert_same_words(words("\n".join(line.text for line in document.cleaned.lines)), written_words(document))


def utterances(document: Document) -> list[tuple[str | None, str | None, str | None, str]]:
    return [(b.speaker_label, b.who, b.start, b.text) for b in document.blocks if b.kind == "u"]


OTTER = """Oral history of the Harbour Road bakery
March 18, 1976
Volume 1

Marta Quell 0:00
Thank you for sitting down with me. Could you tell me when you started at the bakery?

Ollie Brandt 0:09
In the winter of 1958. I was fifteen.

MQ 0:15
What did you do there at first?

OB 0:19
I swept the floor and carried flour sacks, fifty pounds each, up from the cellar.
My uncle ran the ovens.

OB 0:41
He started at four in the morning, every day but Sunday.

MQ 1:02:33
And the ovens, were they coal?
"""


def test_label_and_time_stamp_lines_open_turns_and_initials_merge_with_the_full_name() -> None:
    document = doc_text(OTTER)
    assert document.form == "transcript"
    assert document.title == "Oral history of the Harbour Road bakery"
    assert [b.text for b in document.blocks if b.kind == "head"] == ["Oral history of the Harbour Road bakery", "March 18, 1976", "Volume 1"]
    assert [(s.id, s.label, s.role, s.turns) for s in document.speakers] == [
        ("sp-marta-quell", "Marta Quell", "interviewer", 3),
        ("sp-ollie-brandt", "Ollie Brandt", "interviewee", 3),
    ]
    # a block keeps the label as written; who names the one speaker both labels stand for
    assert utterances(document) == [
        ("Marta Quell", "sp-marta-quell", "0:00:00", "Thank you for sitting down with me. Could you tell me when you started at the bakery?"),
        ("Ollie Brandt", "sp-ollie-brandt", "0:00:09", "In the winter of 1958. I was fifteen."),
        ("MQ", "sp-marta-quell", "0:00:15", "What did you do there at first?"),
        ("OB", "sp-ollie-brandt", "0:00:19", "I swept the floor and carried flour sacks, fifty pounds each, up from the cellar."),
        ("OB", "sp-ollie-brandt", None, "My uncle ran the ovens."),  # the same turn's next paragraph
        ("OB", "sp-ollie-brandt", "0:00:41", "He started at four in the morning, every day but Sunday."),
        ("MQ", "sp-marta-quell", "1:02:33", "And the ovens, were they coal?"),
    ]
    first = next(b for b in document.blocks if b.kind == "u")
    assert first.line == 5 and isinstance(first.inlines[0], TimeAnchor) and first.inlines[0].original == "0:00"
    descriptions = [d.description for d in document.decisions]
    assert "merged speaker labels 'Marta Quell' and 'MQ' (its initials) into one speaker, 'Marta Quell'" in descriptions
    assert "merged speaker labels 'Ollie Brandt' and 'OB' (its initials) into one speaker, 'Ollie Brandt'" in descriptions
    assert_nothing_lost(document)


def test_label_and_time_stamp_lines_in_the_tei(tmp_path: Path, tei_all_schema: etree.RelaxNG) -> None:
    path = tmp_path / "bakery.txt"
    path.write_text(OTTER, encoding="utf-8")
    tei = etree.fromstring(prepare_path(path).tei)
    assert tei_all_schema.validate(etree.ElementTree(tei)), tei_all_schema.error_log
    ns = {"tei": TEI_NS}
    turns = tei.xpath("//tei:body//tei:u", namespaces=ns)
    assert [u.get("who") for u in turns] == ["#sp-marta-quell", "#sp-ollie-brandt", "#sp-marta-quell", "#sp-ollie-brandt", "#sp-ollie-brandt", "#sp-ollie-brandt", "#sp-marta-quell"]
    assert [u.get("start") is not None for u in turns] == [True, True, True, True, False, True, True]
    assert [a.get("n") for a in tei.xpath("//tei:body//tei:anchor", namespaces=ns)] == ["0:00", "0:09", "0:15", "0:19", "0:41", "1:02:33"]


def test_numbered_speakers_with_long_time_stamps() -> None:
    text = (
        "Transcript\n\n"
        "Speaker 1  00:00:04\nWhere did you grow up?\n\n"
        "Speaker 2  00:00:07\nOn a farm outside the town, with four brothers.\n\n"
        "Speaker 1  00:00:15\nWhat did the farm grow?\n\n"
        "Speaker 2  00:00:18\nWheat, mostly. Some barley.\n\n"
        "Speaker 1  01:00:02\nDid any of your brothers stay on?\n"
    )
    document = doc_text(text)
    assert [(s.label, s.role, s.turns) for s in document.speakers] == [("Speaker 1", "interviewer", 3), ("Speaker 2", "interviewee", 2)]
    assert [(label, who, start) for label, who, start, _ in utterances(document)] == [
        ("Speaker 1", "sp-speaker-1", "0:00:04"),
        ("Speaker 2", "sp-speaker-2", "0:00:07"),
        ("Speaker 1", "sp-speaker-1", "0:00:15"),
        ("Speaker 2", "sp-speaker-2", "0:00:18"),
        ("Speaker 1", "sp-speaker-1", "1:00:02"),
    ]
    assert not any("merged" in d.description for d in document.decisions)
    assert_nothing_lost(document)


def test_bracketed_time_stamps_with_and_without_a_colon() -> None:
    text = (
        "Interviewer [00:00:02]\nWhen did the mill close?\n"
        "Rosa Ibarra [00:00:05]\nIn the autumn of 1982. We heard it on the radio.\n"
        "Interviewer (00:00:12):\nWere you surprised?\n"
        "Rosa Ibarra (00:00:14):\nNo. Orders had been falling for years.\n"
    )
    document = doc_text(text)
    assert document.form == "transcript"
    assert [(s.label, s.role, s.rule, s.turns) for s in document.speakers] == [
        ("Interviewer", "interviewer", "speaker.well-known-label", 2),
        ("Rosa Ibarra", "interviewee", "speaker.most-words", 2),
    ]
    assert [(who, start, text) for _, who, start, text in utterances(document)] == [
        ("sp-interviewer", "0:00:02", "When did the mill close?"),
        ("sp-rosa-ibarra", "0:00:05", "In the autumn of 1982. We heard it on the radio."),
        ("sp-interviewer", "0:00:12", "Were you surprised?"),
        ("sp-rosa-ibarra", "0:00:14", "No. Orders had been falling for years."),
    ]
    anchors = [i.original for b in document.blocks for i in b.inlines if isinstance(i, TimeAnchor)]
    assert anchors == ["[00:00:02]", "[00:00:05]", "(00:00:12)", "(00:00:14)"]
    assert_nothing_lost(document)


def test_ambiguous_initials_do_not_merge() -> None:
    text = (
        "John Sayer 0:00\nShall we start with the flood?\n\n"
        "Jane Sully 0:06\nThe water came up in one night.\n\n"
        "JS 0:15\nWhich of you saw it first?\n\n"
        "Jane Sully 0:20\nI did, from the attic window.\n\n"
        "JS 0:31\nAnd then?\n\n"
        "John Sayer 0:40\nWe rowed to the church.\n"
    )
    document = doc_text(text)
    assert [(s.label, s.turns) for s in document.speakers] == [("John Sayer", 2), ("Jane Sully", 2), ("JS", 2)]
    assert [who for _, who, _, _ in utterances(document)] == ["sp-john-sayer", "sp-jane-sully", "sp-js", "sp-jane-sully", "sp-js", "sp-john-sayer"]
    assert not any("merged" in d.description for d in document.decisions)
    assert_nothing_lost(document)


def test_colon_labels_merge_initials_with_the_full_name() -> None:
    text = (
        "Interview with a ship clerk\n\n"
        "Hanna Selby: This is Hanna Selby, talking with Dov Wexler. Where were you born?\n"
        "Dov Wexler: In Chicago, in 1931.\n"
        "HS: When did you come to the port?\n"
        "DW: After the war. My cousin found me a job on the docks.\n"
        "HS: Was the work steady?\n"
        "DW: Not at first.\n"
    )
    document = doc_text(text)
    assert [(s.label, s.role, s.turns) for s in document.speakers] == [("Hanna Selby", "interviewer", 3), ("Dov Wexler", "interviewee", 3)]
    assert [(label, who) for label, who, _, _ in utterances(document)] == [
        ("Hanna Selby", "sp-hanna-selby"), ("Dov Wexler", "sp-dov-wexler"), ("HS", "sp-hanna-selby"),
        ("DW", "sp-dov-wexler"), ("HS", "sp-hanna-selby"), ("DW", "sp-dov-wexler"),
    ]
    assert_nothing_lost(document)


def test_lines_ending_in_a_time_of_day_stay_narrative() -> None:
    text = (
        "The night the lights went out\n\n"
        "It was the coldest week of the winter, and the whole town was out in the streets.\n\n"
        "We met at 9:45\n"
        "outside the station and walked to the square, where the band was already playing.\n\n"
        "The power failed at 10:15\n"
        "and nobody could see a thing for an hour, so we sang instead.\n\n"
        "Monday 9:45\nTuesday 10:30\nMonday 11:00\n\n"
        "Lunch 12:30\nDinner 6:45\nLunch 12:15\nDinner 7:00\n\n"
        "By the time it came back at 11:20 the band had gone home. We met at 9:45 again the next week.\n"
    )
    document = doc_text(text)
    assert document.form == "narrative" and document.speakers == []
    assert not any(b.kind == "u" or b.start for b in document.blocks)
    assert "We met at 9:45 outside the station and walked to the square, where the band was already playing." in [b.text for b in document.blocks]
    assert_nothing_lost(document)


def test_a_page_break_before_a_label_line_is_kept_in_the_turn() -> None:
    text = "Oral history\n\nAnn Voss 0:00\nWhere were you born?\nBen Ruiz 0:04\nIn Lyon.\n\n- 2 -\n\nAV 0:09\nWhen?\nBR 0:12\nIn 1950.\n"
    document = doc_text(text)
    turn = next(b for b in document.blocks if b.speaker_label == "AV")
    assert (turn.who, turn.start, turn.text) == ("sp-ann-voss", "0:00:09", "When?")
    assert any(isinstance(i, PageBreak) and i.artifact.text == "- 2 -" for i in turn.inlines)
    assert_nothing_lost(document)


# -- titles, double spacing and declared labels (texts written for these tests) ------------------


def test_a_title_may_end_in_an_abbreviation_but_not_in_a_label_colon() -> None:
    document = doc_text("Notes for Readers:\n\nInterview of an R.N.\n\nI interviewed a nurse about her long nights on the ward. She was tired.\n")
    assert [line.text for line in document.title_lines] == ["Interview of an R.N."]
    sentence = doc_text("She was tired of it.\n\nI interviewed a nurse about her long nights on the ward. She was tired.\n")
    assert sentence.title_lines == []  # a sentence's full stop is no abbreviation


def test_double_spaced_lines_that_break_mid_sentence_are_one_paragraph() -> None:
    text = (
        "A Talk with a Ranger\n\nI spent an afternoon with a ranger who works\n\nin the state forest north of town, and\n\n"
        "she showed me the trails.\n\nThe next day it rained.\n"
    )
    document = doc_text(text)
    paragraphs = [b.text for b in document.blocks if b.kind == "p"]
    assert paragraphs == [
        "I spent an afternoon with a ranger who works in the state forest north of town, and she showed me the trails.",
        "The next day it rained.",
    ]
    assert_nothing_lost(document)


def test_labels_declared_in_the_header_make_a_transcript_from_two_turns() -> None:
    text = (
        "River Pilot Oral History\n\nInterviewer: Lena Morales [LM]\nInterviewee: Otto Brandt [OB]\n\n"
        "LM: This is Lena Morales with Otto Brandt, on the 4th of May.\n\n"
        "OB: Well, I was born on the river and I never left it.\n"
    )
    document = doc_text(text)
    assert document.form == "transcript"
    assert [(s.label, s.role, s.rule) for s in document.speakers] == [
        ("LM", "interviewer", "speaker.declared-label"),
        ("OB", "interviewee", "speaker.declared-label"),
    ]
    # the declaring lines are header text, not turns
    assert not any(b.kind == "u" and "Otto Brandt [OB]" in b.text for b in document.blocks)
    assert any("declared in the header" in d.description for d in document.decisions)


def test_one_labelled_line_without_a_declaration_stays_prose() -> None:
    text = "River Pilot\n\nNote: this was typed later.\n\nOB: Well, I was born on the river and I never left it.\n"
    assert doc_text(text).form == "narrative"


def test_a_site_name_over_its_menu_is_no_title() -> None:
    text = (
        "Skip to main content\nPaperMill\nHome | Essays | Topics | Contact\n"
        "We use cookies to give you the best experience possible. By continuing you agree to our cookie policy.\n\n"
        "MY TALK WITH A CROSSING GUARD\n\nI walked to the corner of Fifth and Main with a crossing guard who has done the job for years. She waved.\n"
    )
    document = doc_text(text)
    assert [line.text for line in document.title_lines] == ["MY TALK WITH A CROSSING GUARD"]
    kinds = {a.kind for a in document.cleaned.artifacts}
    assert {"navigation", "boilerplate"} <= kinds  # the menu and the cookie notice are recorded


def test_the_title_naming_the_interview_wins_over_a_series_name_above_it() -> None:
    text = "Prairie Voices Oral History Project\nInterview with Edna Voss\n\nNarrator: Edna Voss\n\nQ: Where did you teach?\nA: In a one-room school.\nQ: For how long?\nA: Nine years.\n"
    assert [line.text for line in doc_text(text).title_lines] == ["Interview with Edna Voss"]


def test_a_title_under_a_label_that_is_no_metadata_field() -> None:
    assert [line.text for line in doc_text("A Day in the Life: Beekeeper\n\nShe keeps forty hives on the ridge and sells the honey in town. It is slow work.\n").title_lines] == [
        "A Day in the Life: Beekeeper"
    ]
    quoted = 'Local Voices: "Every hive has a temper of its own"\n\nShe keeps forty hives on the ridge and sells the honey in town. It is slow work.\n'
    assert [line.text for line in doc_text(quoted).title_lines] == ['Local Voices: "Every hive has a temper of its own"']
    assert doc_text("Date: May 3, 2001\n\nShe keeps forty hives on the ridge and sells the honey in town. It is slow work.\n").title_lines == []


def test_a_long_title_followed_by_its_by_line() -> None:
    text = "An E-mail Interview with a Retired Ferry Captain\nby Sam Ortega\n\nI wrote to a ferry captain who retired last year. He answered every question.\n"
    assert [line.text for line in doc_text(text).title_lines] == ["An E-mail Interview with a Retired Ferry Captain"]


def test_a_title_in_capitals_or_title_case_may_end_in_a_full_stop() -> None:
    body = "\n\nI interviewed a deputy who has worked the night shift for years. He likes the quiet hours.\n"
    assert [line.text for line in doc_text("AN INTERVIEW WITH A DEPUTY SHERIFF." + body).title_lines] == ["AN INTERVIEW WITH A DEPUTY SHERIFF."]
    assert [line.text for line in doc_text("An Interview With A Deputy Sheriff." + body).title_lines] == ["An Interview With A Deputy Sheriff."]
    assert doc_text("I went to see a deputy sheriff at night." + body).title_lines == []  # a sentence stays prose


def test_a_newspaper_headline_is_the_line_above_its_by_line() -> None:
    text = (
        "THE RIVERTON ECHO\nThe valley's weekly since 1921\n\nWORKING LIVES\n\n"
        "Forty feet down, Ada Moss keeps the town's water clean\n\nBy Lena Ortiz\nPublished June 8, 2023\n\n"
        "Ada Moss starts her shift at the treatment plant before dawn. She has done so for years.\n"
    )
    assert [line.text for line in doc_text(text).title_lines] == ["Forty feet down, Ada Moss keeps the town's water clean"]


def test_institution_names_numbering_and_section_labels_are_no_titles() -> None:
    text = (
        "HARLAN COUNTY HISTORICAL SOCIETY\nTranscript No. 12\n\nNarrator: Ada Moss\nInterviewer: Lena Ortiz\n\n"
        "Q: What do you do?\nA: I test the water.\nQ: For how long?\nA: Nine years.\n"
    )
    assert doc_text(text).title_lines == []
    newsletter = "THE LOCAL 9 LINK\nVol. 22, No. 3 - Fall 2022\n\nMEMBER SPOTLIGHT\n\n\"Every weld tells on you\": Ten minutes with Ada Moss\n\nShe welds.\n"
    assert [line.text for line in doc_text(newsletter).title_lines] == ['"Every weld tells on you": Ten minutes with Ada Moss']


def test_a_labelled_sentence_at_the_top_is_a_turn_not_a_title() -> None:
    text = "Ada Moss: Well, I was born on the river in 1931 and never really left it.\nLena Ortiz: Never?\nAda Moss: Never.\nLena Ortiz: Why?\n"
    assert doc_text(text).title_lines == []


def test_a_stamped_turn_right_after_a_page_break_keeps_its_start() -> None:
    text = "Title\n\n[00:01:00] SMITH: yes\nJONES: no\nPage 2 of 5\n[00:01:02] SMITH: again\nJONES: fine\n"
    turns = [b for b in doc_text(text).blocks if b.kind == "u"]
    assert [b.start for b in turns] == ["0:01:00", None, "0:01:02", None]
    assert any(isinstance(i, PageBreak) for i in turns[2].inlines)
