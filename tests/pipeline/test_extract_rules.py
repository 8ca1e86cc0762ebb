"""Extraction rules added for texts nobody tuned them to: each rule with sentences of our own,
and the refusals that keep it from firing on what only looks like it.

Every sentence here was written for this test; none comes from the corpora the rules are
scored on (bench/extract_eval.py), so a passing test says the rule is general, not that it
fits a file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.extract import Metadata, extract
from oral_archive.pipeline.stages import document_from


def metadata_of(text: str, tmp_path: Path, name: str = "t.txt") -> Metadata:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract(document_from(read_source(path)))


def person(metadata: Metadata, role: str = "interviewee"):
    return next((p for p in metadata.people if p.role == role), None)


def value(metadata: Metadata, attribute: str, role: str = "interviewee") -> str | None:
    who = person(metadata, role)
    fact = getattr(who, attribute) if who else None
    if fact is None:
        return None
    return fact.normalized if attribute == "tenure" else fact.value


def rule(metadata: Metadata, attribute: str, role: str = "interviewee") -> str | None:
    fact = getattr(person(metadata, role), attribute)
    return fact.evidence.rule if fact is not None and fact.evidence else None


def essay(*paragraphs: str, title: str = "Interview with a Professional") -> str:
    return title + "\n\n" + "\n\n".join(paragraphs) + "\n"


# -- tenure ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "tenure"),
    [
        ("She has been working there 20 years and still likes the night shift.", "P20Y"),
        ("He has been teaching in Millbrook 14 years, mostly third grade.", "P14Y"),
        ("He has been a deputy for a little over 10 years in the county.", "P10Y"),
        ("She has been a paramedic for the past nine years.", "P9Y"),
        ("He has been a dispatcher for just under 3 years.", "P3Y"),
        ("She has worked at the clinic for going on 12 years now.", "P12Y"),
    ],
)
def test_tenure_phrasings(sentence: str, tenure: str, tmp_path: Path) -> None:
    text = essay("I interviewed a nurse at the county clinic for my class on public health.", sentence)
    assert value(metadata_of(text, tmp_path), "tenure") == tenure


def test_tenure_of_an_n_year_veteran_the_author_interviewed(tmp_path: Path) -> None:
    text = essay(
        "I have been a teacher for eleven years myself. My interview was with a thirty-three year veteran "
        "librarian who plans to retire next spring."
    )
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "tenure") == "P33Y"  # not the author's eleven years
    assert rule(metadata, "tenure") == "tenure.interviewed-n-year-veteran"


@pytest.mark.parametrize(
    "sentence",
    [
        "He has been working there since he was 16 years old.",  # an age
        "She has been married 20 years to a firefighter.",  # not a job
        "I have been a nurse for thirty-one years myself.",  # the author, in a narrative
        "He has been retired for 4 years now.",  # retired
    ],
)
def test_tenure_refusals(sentence: str, tmp_path: Path) -> None:
    text = essay("I interviewed a nurse at the county clinic for my class on public health.", sentence)
    assert value(metadata_of(text, tmp_path), "tenure") is None


def test_tenure_answered_in_a_turn_after_a_how_long_question(tmp_path: Path) -> None:
    text = (
        "Interview with a Mail Carrier\n\n"
        "Q: How long have you had this route?\nA: Oh, about fifteen years now, give or take.\n"
        "Q: Do you like it?\nA: Most days, yes.\n"
        "Q: And before that?\nA: I drove a bus when I was 25 years old.\n"
    )
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "tenure") == "P15Y"
    assert rule(metadata, "tenure") == "tenure.answer-to-how-long"


def test_an_age_in_an_answer_is_not_tenure(tmp_path: Path) -> None:
    text = (
        "Interview with a Baker\n\n"
        "Q: How long have you wanted to bake?\nA: Since I was 12 years old, really.\n"
        "Q: Is it hard?\nA: The hours are.\nQ: Thanks.\nA: Sure.\n"
    )
    assert value(metadata_of(text, tmp_path), "tenure") is None


# -- occupation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("The librarian I interviewed has run the branch since it opened.", "librarian"),
        ("I had the chance to interview an E.M.T. from the volunteer squad.", "E.M.T."),
        ("I interviewed a high school English teacher who coaches debate.", "high school English teacher"),
        ("I interviewed a child abuse investigator for the county.", "child abuse investigator"),
        ("I interviewed a young male firefighter at the station.", "firefighter"),  # age and sex are not the job
    ],
)
def test_occupation_phrasings(sentence: str, role: str, tmp_path: Path) -> None:
    assert value(metadata_of(essay(sentence), tmp_path), "occupation") == role


def test_rank_before_a_name_of_a_police_department(tmp_path: Path) -> None:
    text = essay("My neighbor is Officer Dana Whitlock of the Brookfield Police Department, which covers the east side.")
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "occupation") == "police officer"
    assert rule(metadata, "occupation") == "role.rank-of-force"


def test_the_job_i_interviewed_needs_the_job_right_before_i(tmp_path: Path) -> None:
    # "the class I interviewed for" names no job: nothing before "I" is an occupation
    text = essay("The class I interviewed for was about careers, and the speaker talked about farming.")
    assert value(metadata_of(text, tmp_path), "occupation") is None


# -- names -----------------------------------------------------------------------------------------


def test_first_name_of_someone_the_author_knows(tmp_path: Path) -> None:
    text = essay("The nurse I chose to interview was my cousin Renata from the county clinic.")
    assert value(metadata_of(text, tmp_path), "name") == "Renata"


def test_a_first_name_outside_a_sentence_about_the_interview_is_not_taken(tmp_path: Path) -> None:
    text = essay("I interviewed a nurse at the county clinic.", "My cousin Renata drove me there.")
    assert value(metadata_of(text, tmp_path), "name") is None


def test_answers_from_an_initialled_name(tmp_path: Path) -> None:
    text = essay("I sent my questions by e-mail. These answers are from K. Marlow. She runs a small museum.")
    assert value(metadata_of(text, tmp_path), "name") == "K. Marlow"


def test_anonymous_narrator_is_not_a_name(tmp_path: Path) -> None:
    text = "Oral History: Interview with Anonymous Nurse #2\n\nI interviewed a nurse who asked not to be named. She has been a nurse for years.\n"
    assert value(metadata_of(text, tmp_path), "name") is None


def test_interviewer_from_a_header_with_initials(tmp_path: Path) -> None:
    text = (
        "Farm Oral History\n\nInterviewer: Lena Morales [LM]\nInterviewee: Otto Brandt [OB]\n\n"
        "LM: When did you start farming?\nOB: In 1961, with my father.\nLM: Where?\nOB: Near the river.\n"
    )
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "name", "interviewer") == "Lena Morales"
    assert value(metadata, "name") == "Otto Brandt"


def test_interview_conducted_by_line(tmp_path: Path) -> None:
    text = "Otto Brandt Oral History\n\nInterview conducted by Lena Morales\n\nThis interview took place at the farm in 1994. It covers the war years.\n"
    assert value(metadata_of(text, tmp_path), "name", "interviewer") == "Lena Morales"


def test_student_heading_is_the_interviewer_and_not_a_title(tmp_path: Path) -> None:
    text = (
        "Priya Raman\nProfessor Hollis\nSociology 101\nMarch 3, 2019\n"
        "I interviewed Tomas Ruiz, a retired machinist, about his years at the mill.\n"
        "He told me that the work was loud and the pay was steady.\n"
    )
    metadata = metadata_of(text, tmp_path)
    assert metadata.title is None
    assert metadata.subjects == []  # teacher and course lines are no subjects
    assert value(metadata, "name", "interviewer") == "Priya Raman"


def test_a_name_line_without_a_date_below_it_is_no_student_heading(tmp_path: Path) -> None:
    text = "Priya Raman\n\nI interviewed Tomas Ruiz, a machinist, about his years at the mill. He liked the work a lot.\n"
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "name", "interviewer") is None


# -- organization ----------------------------------------------------------------------------------


def test_employer_without_an_institution_word(tmp_path: Path) -> None:
    text = essay("I interviewed a pharmacist who is working at Costvale here in the city, on the night shift.")
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "organization") == "Costvale"
    assert rule(metadata, "organization") == "organization.works-at-name"


def test_a_place_after_working_in_is_not_an_employer(tmp_path: Path) -> None:
    text = essay("I interviewed a pharmacist who is working in Chicago after years of working in Texas.")
    assert value(metadata_of(text, tmp_path), "organization") is None


def test_lower_case_unit_after_a_capitalised_name(tmp_path: Path) -> None:
    text = essay("The paramedic I interviewed was my friend Joel from the Pine hollow squad, a volunteer crew.")
    assert value(metadata_of(text, tmp_path), "organization") == "Pine hollow squad"


def test_where_someone_studied_is_not_the_employer(tmp_path: Path) -> None:
    text = essay("I interviewed a pharmacist. She went to pharmacy school at Dunmore and graduated from the Dunmore College of Pharmacy.")
    assert value(metadata_of(text, tmp_path), "organization") is None


def test_the_archive_that_recorded_an_oral_history_is_not_the_employer(tmp_path: Path) -> None:
    text = (
        "Otto Brandt Oral History\n\n"
        "This oral history was conducted as part of the River Valley Heritage Center Oral History Project. "
        "The recording was transcribed and reviewed by the narrator.\n\n"
        "Otto Brandt farmed near the river for forty years.\n"
    )
    assert value(metadata_of(text, tmp_path), "organization") is None


# -- place -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "place", "rule_id"),
    [
        ("I interviewed a pharmacist who is working at a drugstore here in Peoria, IL.", "Peoria, IL", "place.in-city-region"),
        ("She works as a nurse at a clinic in Olney, Texas.", "Olney, Texas", "place.in-city-region"),
        ("He manages a small library in Vermont.", "Vermont", "place.in-region"),
        ("I've been a deputy for six years in eastern Oregon.", "eastern Oregon", "place.in-region"),
        ("The teacher I interviewed has taught in Olney for 25 years.", "Olney", "place.in-town"),
        ("She works for the city government in Washington, DC.", "Washington, DC", "place.in-city-region"),
    ],
)
def test_place_in_a_sentence_about_the_work(sentence: str, place: str, rule_id: str, tmp_path: Path) -> None:
    metadata = metadata_of(essay("I interviewed a public servant for my civics class.", sentence), tmp_path)
    assert value(metadata, "place") == place
    assert rule(metadata, "place") == rule_id


@pytest.mark.parametrize(
    "sentence",
    [
        "She was born in Olney, Texas and works as a nurse now.",  # birthplace
        "He trained in Forsyth, Georgia before he became a deputy.",  # training, and a past
        "She is a nurse who loves reading in Mobile homes on weekends.",  # ordinary words
        "He works as a nurse and went to college in Austin, Texas.",  # where he studied
        "She is a nurse. Her sister lives in Olney, Texas.",  # no work in that sentence
    ],
)
def test_place_refusals(sentence: str, tmp_path: Path) -> None:
    metadata = metadata_of(essay("I interviewed a public servant for my civics class.", sentence), tmp_path)
    assert value(metadata, "place") is None


def test_interviewer_question_about_the_work_in_a_town(tmp_path: Path) -> None:
    text = (
        "Interview with a Paramedic\n\n"
        "Q: In Olney what kind of calls do you usually get?\nA: Mostly falls and chest pain.\n"
        "Q: Do you like it?\nA: I do.\nQ: Thanks.\nA: Sure.\n"
    )
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "place") == "Olney"
    assert rule(metadata, "place") == "place.asked-about"


def test_interviewer_statement_of_where_the_interview_is_held_is_not_the_workplace(tmp_path: Path) -> None:
    text = (
        "Dock Worker Oral History\n\n"
        "HS: This is Hal Stone in Peoria, Illinois with Ray Dunn, for the county museum.\nRD: Glad to be here.\n"
        "HS: When were you born?\nRD: In 1931.\nHS: Where?\nRD: On a farm.\n"
    )
    assert value(metadata_of(text, tmp_path), "place") is None


# -- occupations the job list does not have ----------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "role", "rule_id"),
    [
        ("She is a glazier, and she has been one since the shop opened.", "glazier", "role.is-a-unlisted"),
        ("He works as a journeyman pipefitter at the paper plant.", "journeyman pipefitter", "role.is-a-unlisted"),
        ("I'm a young saddler from the valley, she joked.", "saddler", "role.is-a-unlisted"),  # "young" describes her
    ],
)
def test_a_job_the_list_does_not_have_in_a_frame_that_says_it_is_one(sentence: str, role: str, rule_id: str, tmp_path: Path) -> None:
    metadata = metadata_of(essay("I interviewed a neighbour about her work.", sentence.replace("I'm", "She's")), tmp_path)
    assert value(metadata, "occupation") == role
    assert rule(metadata, "occupation") == rule_id


@pytest.mark.parametrize(
    "sentence",
    [
        "She is a mother of three and a member of the school board.",  # no job
        "He is a big believer in hard work.",  # an agent noun that is no job
        "She is a xqzzier by trade.",  # not a word
        "He is a journeyman millwright.",  # the phrase goes on past the agent noun: its head is unknown
    ],
)
def test_no_unlisted_job_where_the_frame_holds_none(sentence: str, tmp_path: Path) -> None:
    assert value(metadata_of(essay("I interviewed a neighbour about her life.", sentence), tmp_path), "occupation") is None


def test_a_listed_job_wins_over_an_unlisted_one(tmp_path: Path) -> None:
    text = essay("I interviewed a neighbour about her work.", "She is a registered nurse and she is a beekeeper on weekends.")
    assert value(metadata_of(text, tmp_path), "occupation") == "registered nurse"


@pytest.mark.parametrize(
    ("sentence", "organization"),
    [
        ("She is a lineworker for Tallgrass Electric Cooperative in the county.", "Tallgrass Electric Cooperative"),
        ("He is a dispatcher for Ridge County Emergency Communications.", "Ridge County Emergency Communications"),
        ("She is a nurse at Birch Hollow Nursing and Rehabilitation.", "Birch Hollow Nursing and Rehabilitation"),
    ],
)
def test_institution_words_of_cooperatives_dispatch_centres_and_care_homes(sentence: str, organization: str, tmp_path: Path) -> None:
    assert value(metadata_of(essay("I interviewed a neighbour about her work.", sentence), tmp_path), "organization") == organization


def test_classes_and_training_places_are_not_the_employer(tmp_path: Path) -> None:
    text = essay(
        "I interviewed a firefighter with the Lakeside Fire Protection District.",
        "He later took fire science classes at Lakeside Community College and did his paramedic training at Grant Medical College.",
    )
    assert value(metadata_of(text, tmp_path), "organization") == "Lakeside Fire Protection District"


def test_an_employer_left_at_retirement_is_not_the_current_one(tmp_path: Path) -> None:
    text = essay("My grandfather retired in 1990 after thirty years at the Black Creek Mining Company.")
    assert value(metadata_of(text, tmp_path), "organization") is None


@pytest.mark.parametrize(
    ("sentence", "tenure"),
    [
        ("She has been an aide at Pine Court going on 12 years.", "P12Y"),  # no "for"
        ("He is 48 years old and has been with the district for 16 years.", "P16Y"),  # subject before "and"
    ],
)
def test_tenure_without_for_and_after_and(sentence: str, tenure: str, tmp_path: Path) -> None:
    text = essay("I interviewed a neighbour about his work.", sentence)
    assert value(metadata_of(text, tmp_path), "tenure") == tenure


def test_a_time_ago_is_no_tenure(tmp_path: Path) -> None:
    text = essay("I interviewed a neighbour about her work.", "She has been back at the hospital where she was born 30 years ago.")
    assert value(metadata_of(text, tmp_path), "tenure") is None


@pytest.mark.parametrize(
    ("sentence", "place"),
    [
        ("I'm a rural carrier for the Postal Service, out of the Ainsworth post office.", "Ainsworth"),
        ("She is a nurse practitioner at a clinic in rural Vermont.", "rural Vermont"),
        # an English county is no region of the gazetteer (UK nations are): the town alone
        ("Her round covers farms within about twenty miles of Hexham, Northumberland.", "Hexham"),
        ("He picked up a route for the school district in Fostoria that fall.", "Fostoria"),
        ("She is a dispatcher for Cowley County Emergency Communications in Winfield, Kansas.", "Winfield, Kansas"),
    ],
)
def test_place_cues_of_routes_rounds_and_settings(sentence: str, place: str, tmp_path: Path) -> None:
    assert value(metadata_of(essay("I interviewed a neighbour about the work she does.", sentence), tmp_path), "place") == place


# -- source URL ------------------------------------------------------------------------------------


def test_persistent_link_field_is_the_source(tmp_path: Path) -> None:
    text = "Interview with Edna Voss\n\nPersistent link: https://example.org/stories/voss-edna/\n\nEdna Voss taught in a one-room school for nine years. She loved it.\n"
    metadata = metadata_of(text, tmp_path)
    assert metadata.source_url is not None and metadata.source_url.value == "https://example.org/stories/voss-edna/"


def test_a_pages_citation_of_itself_gives_its_address(tmp_path: Path) -> None:
    text = (
        "Interview With a Beekeeper\n\nShe keeps forty hives on the ridge and sells the honey in town. It is slow work.\n\n"
        "Cite this page\nInterview With a Beekeeper. (2020, May 1). PaperBarn. Retrieved from https://example.org/interview-with-a-beekeeper/\n"
    )
    metadata = metadata_of(text, tmp_path)
    assert metadata.source_url is not None and metadata.source_url.value == "https://example.org/interview-with-a-beekeeper/"
    assert metadata.source_url.evidence.rule == "source-url.self-citation"


def test_a_citation_of_another_work_is_no_source(tmp_path: Path) -> None:
    text = (
        "Interview With a Beekeeper\n\nShe keeps forty hives on the ridge and sells the honey in town. It is slow work.\n\n"
        "References\nSmith, J. (2019). Honey and hives. Bee Press. Retrieved from https://example.org/honey-and-hives/\n"
    )
    assert metadata_of(text, tmp_path).source_url is None


# -- names in feature stories and blog posts ---------------------------------------------------------


def test_a_feature_story_opening_with_its_subjects_name(tmp_path: Path) -> None:
    text = essay(
        "Mara Lindqvist opens the bakery at four every morning, before the street lights go off.",
        "Lindqvist, 44, learned the trade from her father. We asked her about the early hours.",
    )
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "name") == "Mara Lindqvist"
    assert rule(metadata, "name") == "name.profile-subject"


def test_a_name_opening_a_paragraph_that_never_comes_back_is_not_the_subject(tmp_path: Path) -> None:
    text = essay("Harold Wiggins founded the town in 1871, and the square still carries his statue.", "I interviewed a baker on the square about her mornings.")
    assert value(metadata_of(text, tmp_path), "name") is None


def test_a_full_name_whose_predicate_is_a_job(tmp_path: Path) -> None:
    text = essay("I learned a lot from the woman I interviewed. Rosa Delgado, who goes by Ro, is a licensed practical nurse at a care home.")
    assert value(metadata_of(text, tmp_path), "name") == "Rosa Delgado"


def test_relation_with_a_possessive_and_a_great_uncle(tmp_path: Path) -> None:
    assert value(metadata_of(essay("For this interview I talked to my cousin's husband, Trent Olafson. He fixes power lines."), tmp_path), "name") == "Trent Olafson"
    assert value(metadata_of(essay("My great-uncle Delmar Cobb is 78 years old and still wakes at four."), tmp_path), "name") == "Delmar Cobb"


@pytest.mark.parametrize(
    ("line", "interviewer"),
    [("Interview by Ollie Brandt, Year 10", "Ollie Brandt"), ("By Renata Kowal | September 12, 2023", "Renata Kowal")],
)
def test_by_lines_with_what_pages_add_after_the_name(line: str, interviewer: str, tmp_path: Path) -> None:
    text = f"A Day in the Life: Beekeeper\n{line}\n\nI interviewed a beekeeper about her forty hives. She sells the honey in town.\n"
    assert value(metadata_of(text, tmp_path), "name", "interviewer") == interviewer


def test_a_blog_posts_author_is_its_interviewer(tmp_path: Path) -> None:
    text = (
        "Five Questions for a Beekeeper\n\nPosted on October 3, 2019 by Jess Marlow\n\n"
        "For this month's interview I talked to my neighbour, Ana Ruiz. She keeps bees.\n"
    )
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "name", "interviewer") == "Jess Marlow"
    assert rule(metadata, "name", "interviewer") == "interviewer.posted-by"


# -- more ways of stating a job -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "role", "rule_id"),
    [
        (essay("My aunt is an official court reporter for the county court."), "official court reporter", "role.relation-is-a-unlisted"),
        ("E-mail Interview: Certified Nurse-Midwife\n\nI wrote to a midwife I met at a fair. She answered at length about her work.\n", "certified nurse-midwife", "role.interview-title-job"),
        ("Talk with a Teacher\n\nQ: What do you do?\nA: I teach seventh-grade science at Elm Street School.\nQ: Like it?\nA: Yes.\n", "seventh-grade science teacher", "role.i-teach"),
        (essay("I interviewed a medic.", "He works as a Firefighter-Paramedic for the county."), "firefighter-paramedic", "role.is-a"),
    ],
)
def test_more_job_phrasings(text: str, role: str, rule_id: str, tmp_path: Path) -> None:
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "occupation") == role
    assert rule(metadata, "occupation") == rule_id


def test_a_past_job_told_in_a_turn_is_not_the_role(tmp_path: Path) -> None:
    text = (
        "Talk with a Retiree\n\nQ: What was your work?\nA: Went to work for the Ridge Coal Company, first as a trackman and then a bolter.\n"
        "Q: And you liked it?\nA: I was a foreman by the end.\n"
    )
    assert value(metadata_of(text, tmp_path), "occupation") is None


def test_a_relatives_job_is_not_the_interviewees(tmp_path: Path) -> None:
    text = essay("I interviewed a crane operator who lives on our street.", "Their daughter, 24, works as a paramedic in the city.")
    assert value(metadata_of(text, tmp_path), "occupation") == "crane operator"


def test_a_town_name_opening_a_school_name_is_not_the_place(tmp_path: Path) -> None:
    # "Prairie Ridge" is a town too, but here it opens the school's name; the town is Pella
    text = essay("I interviewed a teacher.", "I teach eighth-grade social studies at Prairie Ridge Middle School in Pella.".replace("I teach", "She teaches"))
    assert value(metadata_of(text, tmp_path), "place") == "Pella"


def test_a_life_cue_before_the_work_cue_does_not_refuse_the_place(tmp_path: Path) -> None:
    text = essay("I interviewed our neighbour. She has lived on our street for years, and has been a hygienist at a dental office in Sheboygan, Wisconsin since then.")
    assert value(metadata_of(text, tmp_path), "place") == "Sheboygan, Wisconsin"


def test_a_former_building_is_no_former_job(tmp_path: Path) -> None:
    text = essay("I interviewed a bookbinder.", "She runs a bindery, a workshop in a former chapel on the edge of Ludlow.")
    assert value(metadata_of(text, tmp_path), "place") == "Ludlow"


def test_my_mother_in_a_turn_is_someone_else(tmp_path: Path) -> None:
    text = "Ranger Talk\n\nQ: Where do you work?\nA: At the park. My mom's a nurse back in Lubbock.\nQ: Do you visit?\nA: Twice a year.\n"
    assert value(metadata_of(text, tmp_path), "place") is None


@pytest.mark.parametrize(
    ("text", "tenure"),
    [
        (essay("I interviewed my aunt.", "She has had that job for fourteen years, and she still likes it."), "P14Y"),
        (essay("I interviewed a sommelier.", "He has run the wine program for six years."), "P6Y"),
        ("Ranger Talk\n\nQ: How long have you been at the park?\nA: At Big Bend, a year and a half? Yeah.\nQ: Like it?\nA: I do.\n", "P1Y6M"),
        ("Welder Talk\n\nQ: Where are you working right now?\nA: I'm at Kessler Fabrication. Twelve years with Kessler now.\nQ: Like it?\nA: I do.\n", "P12Y"),
        (essay("I interviewed a hygienist.", "She has been a dental hygienist at a family practice in Sheboygan, Wisconsin for nineteen years."), "P19Y"),
    ],
)
def test_more_tenure_phrasings(text: str, tenure: str, tmp_path: Path) -> None:
    assert value(metadata_of(text, tmp_path), "tenure") == tenure


def test_has_had_and_has_been_doing_what_is_not_a_job(tmp_path: Path) -> None:
    text = "Cook Talk\n\nQ: Any plans?\nA: A garden. My partner says I've been promising that for three years now.\nQ: Ha.\nA: Yes.\n"
    assert value(metadata_of(text, tmp_path), "tenure") is None
    assert value(metadata_of(essay("I interviewed a nurse.", "She has had diabetes for ten years."), tmp_path, "d.txt"), "tenure") is None


@pytest.mark.parametrize(
    ("sentence", "organization"),
    [
        ("He's the head sommelier at Harrow & Vine in Asheville.", "Harrow & Vine"),
        ("Mr. Hartigan is a funeral director at Hartigan & Sons Funeral Home on Main Street.", "Hartigan & Sons Funeral Home"),
        ("Imogen runs Ferncliff Bindery, a two-person workshop.", "Ferncliff Bindery"),
    ],
)
def test_an_employer_named_after_the_job_or_run_by_the_person(sentence: str, organization: str, tmp_path: Path) -> None:
    assert value(metadata_of(essay("I interviewed a neighbour about her work.", sentence), tmp_path), "organization") == organization


def test_a_class_at_a_college_is_no_employer(tmp_path: Path) -> None:
    text = essay("Owen sat in his first aviation class at Kenai River College. Today he is an air traffic controller for the Federal Aviation Administration.")
    assert value(metadata_of(text, tmp_path), "organization") == "Federal Aviation Administration"


@pytest.mark.parametrize(
    ("title", "body", "name"),
    [
        ("Five Questions for a Beekeeper: Ana Ruiz", "Ana keeps forty hives on the ridge. She sells the honey in town.", "Ana Ruiz"),
        ('Ten minutes with Andre "Dre" Pollard', "Brother Pollard welds beams for a fabricator in town.", 'Andre "Dre" Pollard'),
        ("IN THE SHOP: A CONVERSATION WITH BOOKBINDER IMOGEN CRASKE", "Imogen Craske runs a small bindery.", "Imogen Craske"),
    ],
)
def test_the_narrator_a_title_names(title: str, body: str, name: str, tmp_path: Path) -> None:
    metadata = metadata_of(f"{title}\n\n{body}\n", tmp_path)
    assert value(metadata, "name") == name
    assert rule(metadata, "name") == "name.title-names"


def test_a_title_name_the_text_never_uses_again_is_not_taken(tmp_path: Path) -> None:
    assert value(metadata_of("A Conversation with Jane Doe\n\nThe beekeeper I met keeps forty hives on the ridge.\n", tmp_path), "name") is None


def test_title_naming_narrator_and_interviewer(tmp_path: Path) -> None:
    text = "Theresa Okafor, interviewed by Marcus Bell\n\nMB: Today is May 1st.\nTO: Hello.\nMB: What do you do?\nTO: I supervise probation officers in Portland.\n"
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "name", "interviewer") == "Marcus Bell"


@pytest.mark.parametrize(
    ("header", "interviewer"),
    [("Interview by Rosa Delgado, Recording Secretary", "Rosa Delgado"), ("Interviewer: Grant Hofer, volunteer", "Grant Hofer"), ("Submitted by: Tyler Brandt", "Tyler Brandt")],
)
def test_interviewer_lines_with_titles_and_remarks(header: str, interviewer: str, tmp_path: Path) -> None:
    text = f"Talking with a Welder\n{header}\n\nI interviewed a welder about the beams he makes. He has welded for years.\n"
    assert value(metadata_of(text, tmp_path), "name", "interviewer") == interviewer


def test_a_profile_names_its_subject_once_in_full_then_by_surname(tmp_path: Path) -> None:
    text = essay(
        "At dawn on a grey Monday, Wes Kowalczyk climbs into the cab of a gantry crane at the port.",
        "Kowalczyk, 48, has done this since his twenties. Kowalczyk is a gantry crane operator for a shipping line.",
    )
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "name") == "Wes Kowalczyk"
    assert rule(metadata, "name") == "name.recurring-surname"
    assert value(metadata, "occupation") == "gantry crane operator"
    assert rule(metadata, "occupation") == "role.name-is-a"


def test_a_surname_seen_once_more_is_no_profile(tmp_path: Path) -> None:
    text = essay("At dawn on a grey Monday, Wes Kowalczyk opened the gate.", "Kowalczyk waved. The crane started at six and the ships came in.")
    assert value(metadata_of(text, tmp_path), "name") is None


@pytest.mark.parametrize(
    ("text", "tenure"),
    [
        (essay("I interviewed my uncle.", "My uncle has been a deputy with the county sheriff's office for the past eight years."), "P8Y"),
        (essay("I interviewed a nurse named Linda for this paper.", "Linda has worked at Mercy Vale for over fifteen years. Linda likes nights."), "P15Y"),
        (essay("I interviewed a pharmacist.", "He has been a pharmacist for twenty-two years, but he has only been at Ridgeway Drug for three years."), "P3Y"),
        (essay("I interviewed my dad.", "He has been driving over the road for twenty-six years, the last fourteen with Prairie Freight."), "P14Y"),
        ("Welder Talk\n\nQ: Where do you work?\nA: At the yard. I'm a pipe welder. Been there eighteen years this June.\nQ: Like it?\nA: I do.\n", "P18Y"),
    ],
)
def test_tenure_of_relatives_first_names_and_the_current_workplace(text: str, tenure: str, tmp_path: Path) -> None:
    assert value(metadata_of(text, tmp_path), "tenure") == tenure


def test_a_first_name_used_once_is_not_taken_for_the_interviewee(tmp_path: Path) -> None:
    text = essay("I interviewed a nurse for this paper.", "Kevin has worked at the front desk for three years, she told me.")
    assert value(metadata_of(text, tmp_path), "tenure") is None


def test_a_narrators_relatives_jobs_and_employers_are_not_theirs(tmp_path: Path) -> None:
    text = (
        "Yard Talk\n\nQ: What do you do?\nA: I'm a pipe welder at Bayside Marine Fabricators.\n"
        "Q: And your family?\nA: My wife is a nurse at Harbor River Hospital, and my daughter is a process engineer.\n"
    )
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "occupation") == "pipe welder"
    assert value(metadata, "organization") == "Bayside Marine Fabricators"


def test_a_department_of_something_is_one_name(tmp_path: Path) -> None:
    text = essay("I interviewed a probation officer with the Sixth Judicial District Department of Correctional Services.")
    assert value(metadata_of(text, tmp_path), "organization") == "Sixth Judicial District Department of Correctional Services"
    unit = essay("I interviewed Mr. John Stone, a detective at the Fraud Unit of the Lakeside Police Department.")
    assert value(metadata_of(unit, tmp_path, "u.txt"), "organization") == "Lakeside Police Department"


def test_essay_heading_under_the_page_title_and_a_by_line_with_statistics(tmp_path: Path) -> None:
    heading = (
        "Interview With a Deputy Sheriff\n\nKevin Tran\nCriminal Justice 1113\nMr. Dawes\n12 October 2018\n\n"
        "I interviewed my uncle, who is a deputy. He has been a deputy for eight years.\n"
    )
    assert value(metadata_of(heading, tmp_path), "name", "interviewer") == "Kevin Tran"
    by_line = "Interview of a Pharmacist\nBy Kaylee Summers · 1,128 Words · 5 Pages\n\nI interviewed a pharmacist at a drugstore in town. He counts pills.\n"
    assert value(metadata_of(by_line, tmp_path, "b.txt"), "name", "interviewer") == "Kaylee Summers"


def test_a_county_named_as_one_with_its_state(tmp_path: Path) -> None:
    text = essay("I interviewed my cousin.", "She is an EMT for a private ambulance company in Pike County, Kentucky.")
    metadata = metadata_of(text, tmp_path)
    assert value(metadata, "place") == "Pike County, Kentucky"
    assert rule(metadata, "place") == "place.in-region"
    # a region the gazetteer does not know: the county alone, less sure
    unknown = metadata_of(essay("I interviewed my cousin.", "She is an EMT for a private ambulance company in Pike County, Atlantis."), tmp_path, "w.txt")
    assert (value(unknown, "place"), rule(unknown, "place")) == ("Pike County", "place.in-county")


def test_a_driver_drives_for_the_employer(tmp_path: Path) -> None:
    text = essay("I interviewed my dad, a truck driver.", "He drives for Prairie Freight Lines out of Omaha, Nebraska.")
    assert value(metadata_of(text, tmp_path), "organization") == "Prairie Freight Lines"
