"""Extraction rules on sentences from real transcripts, with the negatives each rule must refuse."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from oral_archive.archive import Archive
from oral_archive.pipeline.cli import main
from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.extract import Metadata, extract, identify_language
from oral_archive.pipeline.stages import document_from

from ..conftest import PROJECT, SEED, TRUTH, corpus_files

SEED_URL = "https://assignbuster.com/interview-with-law-enforcement-officer/"


def metadata_of(text: str, tmp_path: Path, name: str = "t.txt") -> Metadata:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract(document_from(read_source(path)))


def interviewee(metadata: Metadata):
    return next((p for p in metadata.people if p.role == "interviewee"), None)


def value(metadata: Metadata, attribute: str) -> str | None:
    person = interviewee(metadata)
    fact = getattr(person, attribute) if person else None
    if fact is None:
        return None
    return fact.normalized if attribute == "tenure" else fact.value


def essay(*paragraphs: str, title: str = "Interview with a Professional") -> str:
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


# -- source URL ------------------------------------------------------------------------------------


def test_url_alone_on_a_line_is_the_source(tmp_path: Path) -> None:
    metadata = extract(document_from(read_source(SEED)))
    assert metadata.source_url is not None and metadata.source_url.value == SEED_URL
    assert metadata.source_url.evidence.rule == "source-url.standalone-line"


def test_url_cited_in_a_sentence_is_not_provenance(tmp_path: Path) -> None:
    text = essay(
        "I interviewed a registered nurse who has been working there for five years. She said the guidance "
        "at https://www.cdc.gov/handhygiene/ is what the ward follows (Christenbery, 2017).",
        "She also reads https://www.nursingworld.org/ each week.",
    )
    assert metadata_of(text, tmp_path).source_url is None


# -- title, subjects, language ---------------------------------------------------------------------


def test_title_and_subject_lines_of_the_seed() -> None:
    metadata = extract(document_from(read_source(SEED)))
    assert metadata.title.value == "Interview with law enforcement officer"
    assert [s.value for s in metadata.subjects] == ["Law"]
    assert metadata.language == "en"


def test_language_needs_evidence() -> None:
    spanish = ("Entrevisté a una enfermera que trabaja en el hospital de la ciudad desde hace muchos años. "
               "Ella dice que la profesión es difícil pero que le gusta mucho su trabajo y que los pacientes son lo más importante para ella.")
    assert identify_language(spanish)[0] == "es"
    assert identify_language("Interview notes")[0] == "und"  # too little text: no guess


# -- role / occupation -----------------------------------------------------------------------------


def test_role_from_the_interview_sentence_and_specific_form_wins(tmp_path: Path) -> None:
    text = essay("For this paper, the author interviewed a nurse at a local hospital. They have been working there "
                 "for five years as a registered nurse, throughout which they have performed well.")
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "occupation") == "registered nurse"
    assert interviewee(metadata).occupation.evidence.text.startswith("They have been working there")


def test_role_from_an_occupation_field_line(tmp_path: Path) -> None:
    path = corpus_files()[3]  # 04-fire-fighter-interview: "Occupation: Paid Firefighter"
    metadata = extract(document_from(read_source(path)))
    assert value(metadata, "occupation") == "firefighter"


@pytest.mark.parametrize("sentence", [
    "He was asked to officer the local football match on Saturday, which he enjoyed.",  # a verb
    "Brown added that the officer’s actions were abusive and that nobody should respect them.",  # someone else
    "He said that since his childhood he had always wanted to become a law enforcement officer.",  # an aspiration
    "As a nursing student myself, I was curious about the job.",  # the author, not the interviewee
])
def test_officer_in_another_sense_is_not_a_role(tmp_path: Path, sentence: str) -> None:
    assert value(metadata_of(essay(sentence), tmp_path), "occupation") is None


# -- organization and place ------------------------------------------------------------------------


def test_organization_and_place_from_the_department_name(tmp_path: Path) -> None:
    text = essay("On September 1, 2015, I interviewed Mr. John Brown, a detective at the Criminal Intelligence "
                 "Unit of the Vancouver Police Department. We met during his lunch break.")
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "organization") == "Vancouver Police Department"
    assert value(metadata, "place") == "Vancouver"
    assert interviewee(metadata).place.evidence.rule == "place.from-organization-name"


def test_unnamed_workplace_is_not_an_organization(tmp_path: Path) -> None:
    text = essay("For this paper, the author interviewed a nurse at a local hospital. The hospital has reimbursed "
                 "some of them. Police Department officials were not involved in any case.")
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "organization") is None
    assert value(metadata, "place") is None


def test_place_line_and_place_in_a_work_sentence(tmp_path: Path) -> None:
    fuchs = extract(document_from(read_source(corpus_files()[5])))
    assert value(fuchs, "place") == "Independence, Missouri"
    works = metadata_of(essay("I interviewed a teacher who works at a small school in Austin, Texas, and loves it."), tmp_path)
    assert value(works, "place") == "Austin, Texas"
    grew_up = metadata_of(essay("I interviewed a teacher. She grew up in Austin, Texas, with four brothers."), tmp_path, "g.txt")
    assert value(grew_up, "place") is None


# -- tenure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sentence", "expected"), [
    ("He has been an officer for 8 years and states that he has gone through excessive trainings.", "P8Y"),
    ("He has been teaching for the last 12 years, and he clearly affirms his love for the job.", "P12Y"),
    ("They have been working there for five years as a registered nurse.", "P5Y"),
    ("Mr. John Brown added that during his 20-year professional career he had never used force unlawfully.", "P20Y"),
    ("She has served the department for two decades and plans to stay.", "P20Y"),
    ("He has worked as a paramedic since 1998, mostly on night shifts.", "1998"),
    ("She has taught at the school for eleven years.", "P11Y"),
    ("For the past 15 years, she has worked in the emergency room of the county hospital.", "P15Y"),
    ("He's been a deputy for nine years now.", "P9Y"),
    ("She is a 10-year veteran of the fire service.", "P10Y"),
    ("She has over 20 years of nursing experience.", "P20Y"),
    ("Mrs. O has been a teacher for the past 15 years.", "P15Y"),  # an honorific name as subject
    ("Mrs. Irish has been teaching English and History for over more than 25 years.", "P25Y"),
    ("The teacher I interviewed has taught in Olney for 25 years.", "P25Y"),
])
def test_tenure(tmp_path: Path, sentence: str, expected: str) -> None:
    assert value(metadata_of(essay("I interviewed a teacher.", sentence), tmp_path), "tenure") == expected


@pytest.mark.parametrize("sentence", [
    "His father has been a police officer for 30 years and still loves it.",  # someone else's tenure
    "This firefighter is a young male, 27 years of age, who likes the job.",  # an age
    "He and his wife have been married for 20 years.",  # not a job, nor his alone
    "She has been happily married for 20 years.",  # not a job
    "She had been a flight attendant for ten years before she became a teacher.",  # a previous job
])
def test_not_tenure(tmp_path: Path, sentence: str) -> None:
    assert value(metadata_of(essay("I interviewed a teacher.", sentence), tmp_path), "tenure") is None


def test_age_beside_tenure_takes_the_tenure(tmp_path: Path) -> None:
    text = essay("This firefighter is a young male, 27 years of age who has been working as a full time firefighter for 6 years.")
    assert value(metadata_of(text, tmp_path), "tenure") == "P6Y"


def test_previous_job_in_an_interviewee_turn_is_not_tenure() -> None:
    path = corpus_files()[4]  # 05: "another job in the airline industry for many years"
    assert value(extract(document_from(read_source(path))), "tenure") is None


# -- names and date --------------------------------------------------------------------------------


def test_interviewee_name_when_stated_and_not_otherwise(tmp_path: Path) -> None:
    named = metadata_of(essay("On September 1, 2015, I interviewed Mr. John Brown, a detective at the station."), tmp_path)
    assert value(named, "name") == "John Brown"
    unnamed = metadata_of(essay("During one of the class assignments, I decided to have an interview with my teacher."), tmp_path, "u.txt")
    assert value(unnamed, "name") is None


def test_interviewer_by_line_and_field_line(tmp_path: Path) -> None:
    fuchs = extract(document_from(read_source(corpus_files()[5])))
    assert [p.name.value for p in fuchs.people if p.role == "interviewer"] == ["J.T. Curry", "P.D. Lagerquist"]
    text = "Interview with a Nurse\nInterviewer: Jane Doe\nInterviewee: Maria Lopez\n\nShe has been a nurse for ten years at the clinic.\n"
    metadata = metadata_of(text, tmp_path)
    assert next(p for p in metadata.people if p.role == "interviewer").name.value == "Jane Doe"
    assert value(metadata, "name") == "Maria Lopez"


def test_interview_date_when_stated(tmp_path: Path) -> None:
    stated = metadata_of(essay("On September 1, 2015, I interviewed Mr. John Brown, a detective."), tmp_path)
    assert stated.interview_date.normalized == "2015-09-01"
    # a blog's posting date above the title is not the interview date
    posted = metadata_of("Monday, September 04, 2006\n\nFire Figher Interview\n\nI interviewed a firefighter at the station.\n", tmp_path, "p.txt")
    assert posted.interview_date is None


# -- evidence --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [SEED, *corpus_files()], ids=lambda p: p.name)
def test_evidence_spans_point_at_the_value(path: Path) -> None:
    document = document_from(read_source(path))
    metadata = extract(document)
    facts = [metadata.title, metadata.interview_date, *metadata.subjects]
    for person in metadata.people:
        facts += [person.name, person.occupation, person.organization, person.place, person.tenure]
    for fact in filter(None, facts):
        evidence = fact.evidence
        span = document.block(evidence.segment).text[evidence.start: evidence.end]
        assert span.strip(), f"{fact.value!r} ({evidence.rule}) has an empty span"
        # a title split over two lines is quoted whole; every other sentence stands in its segment
        assert evidence.text in document.block(evidence.segment).text or "title" in evidence.rule
        if evidence.rule.startswith(("role.",)):
            assert fact.value.replace(" ", "") in span.lower().replace(" ", "").replace("-", ""), (fact.value, span)
        elif not evidence.rule.startswith(("title.",)):
            assert fact.value == span.strip(), (fact.value, span, evidence.rule)
        assert 0 < evidence.confidence <= 1


# -- measured accuracy and the provenance view --------------------------------------------------------


def _bench():
    spec = importlib.util.spec_from_file_location("extract_eval", PROJECT / "bench" / "extract_eval.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_dev_corpus_meets_the_accuracy_targets() -> None:
    bench = _bench()
    scores = bench.evaluate(TRUTH)  # runs the pipeline on every file; nothing is stored here
    assert not bench.missed_targets(scores), bench.table(scores)


@pytest.mark.parametrize(
    "truth",
    [
        TRUTH.parents[1] / "corpus-excerpts" / "truth.jsonl",  # openings of real pages, with their chrome
        PROJECT / "tests" / "fixtures" / "extraction-holdout" / "truth.jsonl",  # written blind, for evaluation
        PROJECT / "tests" / "fixtures" / "extraction-blind2" / "truth.jsonl",  # a second such set
        PROJECT / "tests" / "fixtures" / "extraction-blind4" / "truth.jsonl",  # a fourth (class papers, notes, small towns)
    ],
    ids=["corpus-excerpts", "extraction-holdout", "extraction-blind2", "extraction-blind4"],
)
def test_other_scored_sets_meet_the_accuracy_targets(truth: Path) -> None:
    if not truth.is_file():
        pytest.fail(f"the scored set is missing: {truth}")
    bench = _bench()
    scores = bench.evaluate(truth, with_seed=False)
    assert not bench.missed_targets(scores), bench.table(scores)


def test_a_list_of_truths_accepts_any_of_them() -> None:
    bench = _bench()
    scores = {f: bench.Score() for f in bench.FIELDS}
    predicted = {f: None for f in bench.FIELDS} | {"place": "Chicago", "role": "nurse", "subjects": []}
    bench.compare(scores, "x", {"place": ["Chicago, IL", "Chicago"], "role": ["registered nurse", "RN"]}, predicted)
    assert (scores["place"].tp, scores["place"].fp, scores["role"].tp, scores["role"].fp, scores["role"].fn) == (1, 0, 0, 1, 1)


def test_scorer_counts_a_wrong_value_as_false_positive_and_negative() -> None:
    bench = _bench()
    scores = {f: bench.Score() for f in bench.FIELDS}
    truth = {"title": "An Interview", "interviewee": "Mr. Gordon", "tenure": "P12Y", "role": None, "subjects": ["Law"]}
    predicted = {f: None for f in bench.FIELDS} | {"title": "an  interview", "interviewee": "Gordon", "tenure": "P10Y", "role": "teacher", "subjects": ["law", "Police"]}
    bench.compare(scores, "x", truth, predicted)
    assert (scores["title"].tp, scores["interviewee"].tp) == (1, 1)
    assert (scores["tenure"].fp, scores["tenure"].fn) == (1, 1)
    assert (scores["role"].fp, scores["role"].fn) == (1, 0)
    assert (scores["subjects"].tp, scores["subjects"].fp) == (1, 1)
    assert scores["place"].f1 is None


def test_show_provenance_prints_rule_and_sentence(built_archive: Archive) -> None:
    (record_id,) = [r for r in built_archive.ids() if built_archive.get(r).source.filename == SEED.name]
    runner = CliRunner()
    text = runner.invoke(main, ["--archive", str(built_archive.path), "show", record_id, "--provenance"])
    assert text.exit_code == 0, text.output
    assert "tenure.has-been-for" in text.output and "He has been an officer for 8 years" in text.output
    assert "language en: function words" in text.output  # how the language was decided
    data = json.loads(runner.invoke(main, ["--archive", str(built_archive.path), "show", record_id, "--provenance", "--json"]).output)
    tenure = next(v for v in data["values"] if v["field"] == "interviewee.tenure")
    assert (tenure["normalized"], tenure["rule"], tenure["segment"]) == ("P8Y", "tenure.has-been-for", tenure["segment"])
    segment = next(s for s in built_archive.get(record_id).segments if s.id == tenure["segment"])
    assert segment.text[tenure["start"]: tenure["end"]] == tenure["value"]


def test_where_someone_studied_is_not_their_employer(tmp_path: Path) -> None:
    text = essay("I interviewed a teacher who works at Lincoln Elementary School. She graduated from the University of Texas in 2001.")
    assert value(metadata_of(text, tmp_path), "organization") == "Lincoln Elementary School"
    only_study = essay("I interviewed a teacher. She graduated from the University of Texas in 2001 with a degree in history.")
    assert value(metadata_of(only_study, tmp_path, "s.txt"), "organization") is None


def test_first_person_in_a_narrative_is_the_author(tmp_path: Path) -> None:
    author = metadata_of(essay("I am a nursing student and I wanted to learn about the job from someone who knows it."), tmp_path)
    assert value(author, "occupation") is None
    friend = metadata_of(essay("I interviewed a family friend who is a 4th grade teacher at Tarver Elementary School."), tmp_path, "f.txt")
    assert value(friend, "occupation") == "4th grade teacher"


def test_a_deadline_in_a_sentence_about_interviews_is_not_the_interview_date(tmp_path: Path) -> None:
    text = essay("The interviews were not conducted in person but each officer was asked to return the answers "
                 "via e-mail no later than Saturday, November 22, 2008.")
    assert metadata_of(text, tmp_path).interview_date is None
    later = metadata_of(essay("I interviewed Officer Jane Roe on Tuesday, March 3, 2009, at the station."), tmp_path, "l.txt")
    assert later.interview_date.normalized == "2009-03-03"


def test_names_paired_with_a_job_or_stated_outright(tmp_path: Path) -> None:
    paired = essay("I scheduled a meeting with Patrick Murphy, a police officer from my county office. "
                   "As I interviewed Sherriff Murphy, he mentioned that he had several impressions of the police.")
    assert value(metadata_of(paired, tmp_path), "name") == "Patrick Murphy"
    stated = essay("In an interview with this officer, I learned what it means to be a good officer. "
                   "I came to understand his name is Officer Jack Rowell.")
    assert value(metadata_of(stated, tmp_path, "s.txt"), "name") == "Jack Rowell"


def test_past_employer_is_not_the_organization(tmp_path: Path) -> None:
    text = essay("For this assignment I interviewed Timothy Espey. He is an instructor and currently works for the "
                 "Union Pacific Railroad. Before that he was employed as a cop at the Warrensburg Police Department.")
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "organization") == "Union Pacific Railroad"
    assert value(metadata, "place") is None


# -- stated fields (catalog pages, transcript headers) -------------------------------------------------


CATALOG_PAGE = """Dawn Thatcher Interview, July 9, 1991
Interviewer
Gladys Peterson
Description
Dawn Thatcher reminisces about her family's history and growing up during the Great Depression. Thatcher discusses her experiences with patients.
Subjects
Women nurses, Montana; Great Depression; World War, 1939-1945
Language
eng
"""


def test_label_line_then_value_line(tmp_path: Path) -> None:
    metadata = metadata_of(CATALOG_PAGE, tmp_path)
    assert next(p for p in metadata.people if p.role == "interviewer").name.value == "Gladys Peterson"
    assert [s.value for s in metadata.subjects] == ["Women nurses, Montana", "Great Depression", "World War, 1939-1945"]
    assert {s.evidence.rule for s in metadata.subjects} == {"subject.field-line"}
    assert metadata.language == "en" and any("stated" in d.description for d in metadata.decisions)
    assert value(metadata, "name") == "Dawn Thatcher"
    assert metadata.interview_date.normalized == "1991-07-09"


def test_topics_field_stops_at_the_next_label(tmp_path: Path) -> None:
    text = ("Interview with Law Enforcement Officer\n\nTopics: Police, Police officer, Constable Pages: 2 (486 words)\n\n"
            "I had an opportunity to interview a police officer while at work. He has been an officer for 8 years.\n")
    metadata = metadata_of(text, tmp_path)
    assert [s.value for s in metadata.subjects] == ["Police", "Police officer", "Constable"]
    assert value(metadata, "name") is None  # "Law Enforcement Officer" is a job, not a name


def test_title_words_are_not_a_name(tmp_path: Path) -> None:
    text = essay("Mr. Brown started our interview with the story of his career.", title="Detective Career Interview Essay Sample")
    assert value(metadata_of(text, tmp_path), "name") in (None, "Mr. Brown")


def test_transcript_header_fields_and_capital_labels(tmp_path: Path) -> None:
    text = ("Oral History Interview\nInterviewer: Jane Doe\nDate: March 3, 2009\n\n"
            "JANE DOE: Can you tell me what you do?\n"
            "MARIA LOPEZ: I'm a registered nurse at Tucson Medical Center. I've been a nurse there for eleven years.\n"
            "JANE DOE: And before that?\n"
            "MARIA LOPEZ: Before that I was a teacher for five years. My husband has been a firefighter for twenty years.\n")
    metadata = metadata_of(text, tmp_path)
    assert next(p for p in metadata.people if p.role == "interviewer").name.value == "Jane Doe"
    assert metadata.interview_date.normalized == "2009-03-03"
    assert value(metadata, "name") == "Maria Lopez"
    assert value(metadata, "occupation") == "registered nurse"  # not the previous job
    assert value(metadata, "organization") == "Tucson Medical Center"
    assert value(metadata, "tenure") == "P11Y"  # not the husband's


def test_a_question_in_an_interviewer_field_is_not_a_name(tmp_path: Path) -> None:
    text = "Interview with a Nurse\n\nInterviewer: What made you choose nursing as a career?\n\nShe has been a nurse for ten years.\n"
    metadata = metadata_of(text, tmp_path)
    interviewer = next((p for p in metadata.people if p.role == "interviewer"), None)
    assert interviewer is None or interviewer.name is None


def test_names_from_speaker_labels(tmp_path: Path) -> None:
    surname_label = metadata_of(
        "Interview with Jonas Berg\n\nINTERVIEWER: Tell me about the strike.\nBERG: It started in the spring.\n"
        "INTERVIEWER: Did you go back?\nBERG: Yes, in June.\n", tmp_path)
    assert value(surname_label, "name") == "Jonas Berg"
    captions = metadata_of(
        "WEBVTT\n\n00:00:01.000 --> 00:00:04.500\n<v Tom Reyes>Where were you born?\n\n"
        "00:00:05.000 --> 00:00:09.250\n<v Rosa Alvarez>In a small town by the river.\n\n"
        "00:00:09.500 --> 00:00:12.000\n<v Tom Reyes>Did you like school?\n\n"
        "00:00:12.500 --> 00:00:15.000\n<v Rosa Alvarez>Very much.\n", tmp_path, "c.vtt")
    names = {p.role: p.name.value for p in captions.people if p.name}
    assert names == {"interviewer": "Tom Reyes", "interviewee": "Rosa Alvarez"}
    assert {p.name.evidence.rule for p in captions.people if p.name} == {"interviewer.speaker-label", "name.speaker-label"}
    short_labels = extract(document_from(read_source(corpus_files()[3])))  # "P:" and "FF:"
    assert all(p.name is None for p in short_labels.people)


def test_the_authors_own_job_and_tenure_are_not_the_interviewees(tmp_path: Path) -> None:
    text = essay("Part of my assignment was to interview a nurse who was to have more experience than myself. First I "
                 "thought, I've been a nurse for thirty-one years myself so my choices will be somewhat limited. I have "
                 "been in cardiology for twenty-five years. I had the opportunity to interview a registered nurse.")
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "tenure") is None
    assert value(metadata, "occupation") == "registered nurse"


def test_numbers_written_out_with_tens(tmp_path: Path) -> None:
    text = essay("I interviewed a pastor. He has served the parish for twenty-five years.")
    assert value(metadata_of(text, tmp_path), "tenure") == "P25Y"


def test_a_large_city_named_with_the_interviewees_job(tmp_path: Path) -> None:
    works = essay("I interviewed a registered nurse. She works as a registered nurse at a hospital in Chicago and loves it.")
    assert value(metadata_of(works, tmp_path), "place") == "Chicago"
    other_job = essay("I interviewed a registered nurse. Her brother works as a chef in Chicago.")
    assert value(metadata_of(other_job, tmp_path, "o.txt"), "place") is None
    month = essay("I interviewed a registered nurse. She started work as a registered nurse in March.")
    assert value(metadata_of(month, tmp_path, "m.txt"), "place") is None


def test_url_alone_on_the_last_line_is_the_source(tmp_path: Path) -> None:
    text = essay("I interviewed a registered nurse who has been working there for five years.") + "\nhttps://example.org/essays/nurse-interview/\n"
    metadata = metadata_of(text, tmp_path)
    assert metadata.source_url is not None and metadata.source_url.value == "https://example.org/essays/nurse-interview/"


def test_source_field_line(tmp_path: Path) -> None:
    text = "Interview with a Nurse\n\nSource: https://example.org/essays/nurse/\n\nI interviewed a registered nurse at the clinic.\n"
    metadata = metadata_of(text, tmp_path)
    assert (metadata.source_url.value, metadata.source_url.evidence.rule) == ("https://example.org/essays/nurse/", "source-url.field-line")


def test_urls_in_a_references_list_are_citations(tmp_path: Path) -> None:
    text = essay(
        "I interviewed a police officer who has been an officer for 8 years.",
        "References",
        "Nolan, J. J. (2021). Doing Right: Police Ethics in an Age of Reform. Palgrave Macmillan.",
        "https://www.example.org/police-ethics/",
    ) + "\nhttps://doi.org/10.1007/978-3-030-00000-0\n"
    assert metadata_of(text, tmp_path).source_url is None


def test_a_doi_alone_on_a_line_is_a_citation(tmp_path: Path) -> None:
    text = essay("I interviewed a police officer who has been an officer for 8 years (Nolan, 2021).") + "\nhttps://doi.org/10.1007/978-3-030-00000-0\n"
    assert metadata_of(text, tmp_path).source_url is None


def test_tenure_and_role_from_answers_to_the_interviewers_questions(tmp_path: Path) -> None:
    text = ("Interview\n\nQuestion: What do you do for a living?\nAnswer: Registered nurse, on the night shift.\n"
            "Question: How long have you been a nurse?\nAnswer: Twelve years. Before that I was a cashier.\n"
            "Question: How old are you?\nAnswer: 27 years old.\n")
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "occupation") == "registered nurse"
    assert value(metadata, "tenure") == "P12Y"
    assert interviewee(metadata).tenure.evidence.rule == "tenure.answer-to-how-long"
    not_job = ("Interview\n\nQuestion: How long have you lived in this town?\nAnswer: Twenty years.\n"
               "Question: What do you like about it?\nAnswer: The people.\n")
    assert value(metadata_of(not_job, tmp_path, "n.txt"), "tenure") is None


def test_tenure_by_the_interviewees_name_not_someone_elses(tmp_path: Path) -> None:
    named = essay("I interviewed John Brown, a detective at the station. Brown has been a detective for 20 years.")
    assert value(metadata_of(named, tmp_path), "tenure") == "P20Y"
    other = essay("I interviewed John Brown, a detective at the station. His partner Ann has been a detective for 3 years.")
    assert value(metadata_of(other, tmp_path, "o.txt"), "tenure") is None


def test_tenure_told_by_the_interviewer(tmp_path: Path) -> None:
    text = ("Interview with a teacher\n\nMyself: You've taught for over twenty years, in two different states. What changed?\n"
            "Teacher: There has been a greater push from above to just pass students.\n"
            "Myself: How do you present material?\nTeacher: The same way as always.\n")
    assert value(metadata_of(text, tmp_path), "tenure") == "P20Y"


@pytest.mark.parametrize(("paragraph", "occupation"), [
    # an honorific name in an essay is the person interviewed
    ("When walking into Ms. O's classroom I am overwhelmed with color. Mrs. O has been a teacher for the past 15 years.", "teacher"),
    # "as a <job>" belongs to whoever the nearest pronoun names: here the author
    ("After interviewing Mrs. Irish, I knew that she was the perfect person to interview after being very "
     "close to her for so many years as an old student.", None),
    ("I interviewed my mother. She has worked at the Shield Institute for twenty-four years as a Special Education Teacher.",
     "special education teacher"),
])
def test_whose_job_it_is(tmp_path: Path, paragraph: str, occupation: str | None) -> None:
    assert value(metadata_of(essay(paragraph), tmp_path), "occupation") == occupation


def test_a_first_line_with_a_colon_can_be_the_title(tmp_path: Path) -> None:
    text = ("Personal Narrative: An Interview With A Registered Nurse\n\n657 Words3 Pages\n"
            "Part of my assignment was to interview a nurse who was to have more experience than myself.\n")
    title = metadata_of(text, tmp_path).title
    # structure reads a "Label: ..." line as a title unless the label is a metadata field's
    assert (title.value, title.evidence.rule) == ("Personal Narrative: An Interview With A Registered Nurse", "title.first-title-line")
    field = metadata_of("Date: March 3, 2009\n\nI interviewed a nurse about her work at the clinic.\n", tmp_path, "d.txt")
    assert field.title is None


def test_employer_and_occupation_fields(tmp_path: Path) -> None:
    text = ("Interview with Maria Lopez\nNarrator\nMaria Lopez\nOccupation\nRegistered Nurse\nEmployer: Tucson Medical Center\n\n"
            "She talked about night shifts and the new wing of the hospital, and about the patients she remembers.\n")
    metadata = metadata_of(text, tmp_path)
    assert (value(metadata, "occupation"), value(metadata, "organization")) == ("registered nurse", "Tucson Medical Center")
    assert interviewee(metadata).organization.evidence.rule == "organization.field-line"


@pytest.mark.parametrize(("paragraph", "name"), [
    ("My interviewee, Sarah Johnson, has been a nurse for ten years.", "Sarah Johnson"),
    ("I had the opportunity to interview Jane Doe about her work at the station.", "Jane Doe"),
    ("I spoke with Mr. Ortiz about his years on the force.", "Mr. Ortiz"),
    ("I had the opportunity to interview Police Officers from two departments.", None),  # job words, not a name
    ("I talked to my teacher about the interview.", None),
])
def test_more_ways_of_naming_the_interviewee(tmp_path: Path, paragraph: str, name: str | None) -> None:
    assert value(metadata_of(essay(paragraph), tmp_path), "name") == name


# -- any text -------------------------------------------------------------------------------------

LINE_PARTS = st.sampled_from([
    "Interview with Jane Doe", "Interviewer: John Smith", "Date: March 3, 2009", "Subjects", "Nursing; Care",
    "https://example.org/a/", "by J.T. Curry and P.D. Lagerquist", "Q: How long have you been a nurse?",
    "A: Twelve years.", "She has been a nurse for 8 years at the Mercy Hospital in Chicago.", "Mr. Gordon",
    "I interviewed Mr. John Brown, a detective of the Vancouver Police Department.", "Occupation", "Teacher",
    "References", "[1]", "", "Language: eng", "He's been a deputy since 1998.", "“Quoted,” he said.",
])


@given(st.lists(st.one_of(LINE_PARTS, st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)), min_size=1, max_size=14))
def test_any_text_gives_evidence_inside_its_segment(tmp_path_factory: pytest.TempPathFactory, lines: list[str]) -> None:
    path = tmp_path_factory.mktemp("any") / "any.txt"
    path.write_text("\n".join(lines) + "\nThis is the closing sentence of the interview text.\n", encoding="utf-8")
    document = document_from(read_source(path))
    metadata = extract(document)
    facts = [metadata.title, metadata.interview_date, metadata.source_url, *metadata.subjects]
    for person in metadata.people:
        facts += [person.name, person.occupation, person.organization, person.place, person.tenure]
    texts = {b.id: b.text for b in document.blocks}
    for fact in filter(None, facts):
        evidence = fact.evidence
        assert evidence.segment in texts
        assert 0 <= evidence.start <= evidence.end <= len(texts[evidence.segment])


# -- regressions found in review ---------------------------------------------------------------


def _narrative(tmp_path, text: str):
    from oral_archive.pipeline.decode import read_source
    from oral_archive.pipeline.stages import document_from

    path = tmp_path / "story.txt"
    path.write_text(text, encoding="utf-8")
    return extract(document_from(read_source(path)))


def test_appositive_role_without_an_honorific(tmp_path) -> None:
    metadata = _narrative(tmp_path, "Working Lives\n\nLast spring I interviewed my neighbor, Dave Miller, an electrician who has been wiring houses in our town for twelve years. He told me about his first job.\n")
    interviewee = next(p for p in metadata.people if p.role == "interviewee")
    assert interviewee.occupation is not None and interviewee.occupation.value == "electrician"
    assert interviewee.occupation.evidence.rule == "role.appositive"


def test_specific_form_extending_the_general_occupation_wins(tmp_path) -> None:
    metadata = _narrative(tmp_path, "Care Work\n\nI interviewed a nurse from my town. She has worked as a nurse practitioner for nine years and sees patients every day.\n")
    interviewee = next(p for p in metadata.people if p.role == "interviewee")
    assert interviewee.occupation.value == "nurse practitioner"


def test_place_from_the_interviewees_own_turn_not_the_interviewers(tmp_path) -> None:
    from oral_archive.pipeline.decode import read_source
    from oral_archive.pipeline.stages import document_from

    path = tmp_path / "factory.txt"
    path.write_text(
        "Factory Memories\n\nQ: Have you ever been to Boston, Massachusetts for work?\nA: No. I worked as a machinist at a plant in Detroit, Michigan for thirty years.\n"
        "Q: What did you make there?\nA: Engine parts, mostly.\n",
        encoding="utf-8",
    )
    metadata = extract(document_from(read_source(path)))
    interviewee = next(p for p in metadata.people if p.role == "interviewee")
    assert interviewee.place is not None and interviewee.place.value == "Detroit, Michigan"


def test_conducted_by_line_names_the_interviewer(tmp_path) -> None:
    metadata = _narrative(tmp_path, "Harbor Memories\nConducted by Tom Baker\n\nI interviewed a fisherman who has worked the harbor for thirty years. He described the boats.\n")
    interviewer = next(p for p in metadata.people if p.role == "interviewer")
    assert interviewer.name is not None and interviewer.name.value == "Tom Baker"
