"""Where the interviewee works: a city or region the text ties to that work.

A place is taken only where the text gives a place cue, and checked against the packaged
gazetteer (``gazetteer.py``: towns above 1,000 people with their regions, states,
provinces, countries), so that "Mobile" or "Reading" in a sentence are not places:

1. the employer's name opens with one ("Abilene Police Department");
2. a line that is a place alone ("Kokomo, Indiana"), as archive pages print it;
3. "<City>, <Region>" pairs the gazetteer confirms, a region ("in Mississippi"), or a
   direction and a region ("northern Colorado"), in a sentence about the interviewee's work;
4. a town alone ("has taught in Olney") in such a sentence, unless its name is also an
   ordinary English word;
5. the interviewer's question about the work there ("In Tupelo, what calls do you get?").

Never a place the person was born, grew up, studied or trained in, nor a past job's.
"""

from __future__ import annotations

import re
from dataclasses import replace

from oral_archive.schemas.record import Fact

from ..document import Block, Document
from ..gazetteer import Place, lookup_city, lookup_region, parse_place
from .common import (
    OTHER_PERSON,
    OTHER_PERSON_IN_TURN,
    PREVIOUS_EMPLOYER,
    WORK_VERB,
    extracted_fact,
    leading_lines,
    sentence_evidence,
    sentences,
)
from .occupation import occupation_pattern

PLACE_PREFIX = re.compile(
    r"^(?P<place>[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}) (?P<kind>Police|Fire|Sheriff'?s?|Public|City|County|Municipal|Community|Unified|Independent|Metropolitan)\b"
)
# capitalised words, with an optional ", Region" after them ("Chicago, IL", "Olney, Texas")
PLACE_WORDS = r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
# "a clinic in rural Montana": a setting before a region, kept in the value
SETTINGS = r"rural|small-town|downtown|suburban|coastal|urban|inner-city"
CANDIDATE = re.compile(
    rf"\b(?:in|at|of|near|around|outside(?:\s+of)?|out\s+of)\s+(?:the\s+)?(?P<place>(?:(?:northern|southern|eastern|western|central|north|south|east|west|upstate|{SETTINGS})\s+)?"
    rf"{PLACE_WORDS}(?:,\s+{PLACE_WORDS})?)",
)
# the sentence says where the person lives or learned, not where they work
NOT_WORK_PLACE_CUE = re.compile(
    r"\b(?:born|grew\s+up|raised|lived|moved|trained|training|studied|graduated|school\s+(?:in|at)|college|university|academy|vacation|visit(?:ed|ing)?|trip|"
    r"from|student-taught|student\s+teaching)\b",
    re.IGNORECASE,
)
# a sentence about the interviewee's present work: a work verb, or the job named
PRESENT_WORK = re.compile(
    r"\b(?:work(?:s|ing)?|serv(?:es|ing)|employed|manag(?:es|ing)|teach(?:es|ing)?|taught|patrol(?:s|ling)?|stationed|based|runs?|running|"
    r"supervis(?:es|e|ing)|covers?|drives?|driving|carr(?:y|ies)|deliver(?:s|ing)?|"
    r"has\s+(?:worked|served|taught|been)|have\s+(?:worked|served|taught|been)|'ve\s+(?:worked|served|taught|been)|"
    r"(?:I'm|I’m|I\s+am|he's|he’s|she's|she’s|he\s+is|she\s+is)\s+(?:a|an|the|at|with)|"
    # the work's own nouns: "a route for the school district in Paducah", "her round covers ...",
    # and the workplace: "The clinic sits on Front Street in Antigonish, Nova Scotia"
    r"shift|route|round|beat|territory|caseload|post\s+office|district|clinic|practice|restaurant|terminal|waterfront)\b",
    re.IGNORECASE,
)
# the interviewer asks about the work in a place: "In Tupelo what kind of calls do you get?"
PLACE_QUESTION = re.compile(rf"^\s*(?:So\s+)?(?:[Ii]n|[Hh]ere\s+in|[Aa]round)\s+(?P<place>{PLACE_WORDS}),?\s+(?:what|how|where|which|who|do|are|is)\b[^?]*\byou\b[^?]*\?")


def _place_fact(block: Block, sentence: tuple[int, int, str], start: int, place: Place, rule: str, confidence: float) -> Fact:
    end = start + len(place.text)
    return extracted_fact(place.text, sentence_evidence(block, sentence, start, end, rule, confidence))


def _trimmed(text: str) -> list[str]:
    """The candidate, and without what follows a comma ("Oakham, Rutland" -> "Oakham"). A
    shorter run of its capitalised words is never tried: "Eagle Grove Middle School" names a
    school, not the town of Eagle Grove."""
    head, comma, tail = text.partition(",")
    forms = [text, head] if comma else [head]
    # each first without a sentence's full stop ("in Vermont."), then with it ("D.C.", "Tex.")
    return [f for form in forms for f in dict.fromkeys((form.rstrip("."), form))]


def _last_work_cue(before: str) -> int | None:
    """Where the last work verb or job before a place starts, or None."""
    starts = [m.start() for rx in (PRESENT_WORK, WORK_VERB, occupation_pattern()) for m in rx.finditer(before)]
    return max(starts) if starts else None


def _work_sentence(text: str) -> bool:
    return bool(PRESENT_WORK.search(text) or occupation_pattern().search(text)) and not PREVIOUS_EMPLOYER.search(text)


# "Tolliver County, Kentucky", "Orleans Parish": a county the gazetteer has no table of, taken
# when it is named as one (with its state when the text gives it)
COUNTY = re.compile(r"(?P<county>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+(?:County|Parish|Borough))(?:,\s+(?P<region>[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?))?")


def _county(form: str) -> Place | None:
    match = COUNTY.fullmatch(form)
    if match is None:
        return None
    region = lookup_region(match.group("region")) if match.group("region") else None
    if match.group("region") and region is None:
        return None
    return Place(text=form, kind="area", confidence=0.85 if region else 0.6, region=region)


# "Larch Bend, SK": a town too small for the gazetteer, named with its state or province; the
# abbreviations that are also words or credentials ("Smith, MD", "Jones, PA") are not taken
UNLISTED_TOWN = re.compile(r"(?P<town>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}),\s+(?P<region>[A-Z][\w.]*(?:\s+[A-Z][\w.]*)?)")
AMBIGUOUS_ABBREVIATIONS = frozenset("MD PA ME OR IN OK HI OH DE CO LA MA ID AL AS GA MI MO MS NE ON PE RN NP DO".split())


def _unlisted_town(form: str) -> Place | None:
    match = UNLISTED_TOWN.fullmatch(form)
    if match is None or match.group("region") in AMBIGUOUS_ABBREVIATIONS:
        return None
    region = lookup_region(match.group("region"))
    if region is None or region.kind == "country" or lookup_region(match.group("town")) is not None:
        return None
    return Place(text=form, kind="city+region", confidence=0.6, region=region)


def _best_place(text: str) -> Place | None:
    """The longest form of the candidate the gazetteer knows, if any ("rural Montana"
    is Montana in a setting: the value keeps the setting as written)."""
    setting = re.match(rf"(?:{SETTINGS})\s+", text)
    for form in _trimmed(text[setting.end():] if setting else text):
        place = parse_place(form) or _county(form) or _unlisted_town(form)
        if place is not None and place.text == form:
            return replace(place, text=setting.group(0) + form) if setting else place
    return None


def extract_place(
    document: Document, organization: Fact | None, occupation: Fact | None = None, interviewee_blocks: list[Block] | None = None
) -> Fact | None:
    """Where the interviewee works (see the module docstring for the rules and refusals).

    Work sentences are read in narrative paragraphs and in the interviewee's own turns
    (``interviewee_blocks``); of the interviewer's, only a question about the work there.
    """
    own_turns = {b.id for b in interviewee_blocks or []}
    found: list[tuple[float, int, Fact]] = []
    # "Abilene Police Department": the employer's name opens with its town (a county's name is
    # weaker: "Osler County Emergency Communications in Chanute, Kansas" names the town too)
    if organization is not None and organization.evidence is not None:
        match = PLACE_PREFIX.match(organization.value)
        if match and (lookup_city(match.group("place")) or lookup_region(match.group("place"))):
            ev = organization.evidence
            confidence = 0.6 if match.group("kind") == "County" else 0.8
            found.append((confidence, 0, extracted_fact(match.group("place"), ev.model_copy(update={"end": ev.start + len(match.group("place")), "rule": "place.from-organization-name", "confidence": confidence}))))
    for line in leading_lines(document)[:80]:
        text = line.text.strip()
        if "," in text and len(text.split()) <= 6 and (place := parse_place(text)) is not None and place.kind == "city+region" and place.text == text:
            return extracted_fact(text, line.evidence(0, len(text), "place.city-region-line", 0.75))
    interviewers = {s.id for s in document.speakers if s.role == "interviewer"}
    for order, block in enumerate(document.blocks):
        if block.kind == "u" and block.who in interviewers:
            found += _asked_place(block, order)
            continue
        if block.kind == "u" and block.id not in own_turns:
            continue
        for sentence in sentences(block):
            text = sentence[2]
            matches = list(CANDIDATE.finditer(text))  # most sentences name no place: test that first
            if not matches or not _work_sentence(text):
                continue
            for match in matches:
                before = text[: match.start()]
                work = _last_work_cue(before)
                if work is None or (OTHER_PERSON_IN_TURN if block.kind == "u" else OTHER_PERSON).search(before):
                    continue  # the work (verb or job) comes first: "a nurse in Austin", "works in Olney"
                # "has lived on our street ..., and has been a hygienist ... in Wausau": the
                # life cue refuses the place only when it comes after the work cue
                life = [m.start() for m in NOT_WORK_PLACE_CUE.finditer(before)]
                if life and life[-1] > work:
                    continue
                place = _best_place(match.group("place"))
                if place is None:
                    continue
                scored = _score(place)
                if scored is not None:
                    found.append((scored[0], -order, _place_fact(block, sentence, match.start("place"), place, scored[1], scored[0])))
    found += _home_place(document, own_turns)
    if not found:
        return None
    return max(found, key=lambda f: (f[0], f[1]))[2]


# "She lives in Larch Bend, SK", "I live over in Port Clement": where the person lives, taken
# only when the text places no work
LIVES_IN = re.compile(
    rf"\b(?P<who>I|he|she|they|who)\s+(?:still\s+|now\s+)?(?:lives?|resides?)\s+(?:(?:over|out|up|down|right)\s+)?(?:in|near|outside(?:\s+of)?)\s+(?P<place>{PLACE_WORDS}(?:,\s+{PLACE_WORDS})?)"
    r"|(?:^|[-•*]\s+)(?P<bare>lives)\s+in\s+(?P<place2>" + PLACE_WORDS + r"(?:,\s+" + PLACE_WORDS + r")?)"
)
HOME_CONFIDENCE = 0.4


def _home_place(document: Document, own_turns: set[str]) -> list[tuple[float, int, Fact]]:
    found = []
    for order, block in enumerate(document.blocks):
        if block.kind == "u" and block.id not in own_turns or block.kind == "head":
            continue
        for sentence in sentences(block):
            for match in LIVES_IN.finditer(sentence[2]):
                who = match.group("who")
                if who == "I" and block.kind != "u" or who in {"he", "she", "they", "who"} and block.kind == "u":
                    continue  # the essay's author, or someone the interviewee speaks of
                if (OTHER_PERSON_IN_TURN if block.kind == "u" else OTHER_PERSON).search(sentence[2][: match.start()]):
                    continue
                group = "place" if match.group("place") else "place2"
                place = _best_place(match.group(group))
                if place is None or place.kind == "city" and place.common_word:
                    continue
                found.append((HOME_CONFIDENCE, -order, _place_fact(block, sentence, match.start(group), place, "place.lives-in", HOME_CONFIDENCE)))
    return found


def _score(place: Place) -> tuple[float, str] | None:
    """(confidence, rule) of a place in a work sentence, or None when it is too doubtful."""
    if place.kind == "city+region":
        return 0.7, "place.in-city-region"
    if place.kind in {"region", "area"}:
        return (0.65, "place.in-region") if place.confidence >= 0.85 else (0.5, "place.in-county") if place.confidence >= 0.6 else None
    if place.kind == "country":
        return 0.5, "place.in-country"
    if place.kind == "city" and not place.common_word:
        return 0.55, "place.in-town"
    return None


def _asked_place(block: Block, order: int) -> list[tuple[float, int, Fact]]:
    """"In Tupelo what kind of calls do you get?": the interviewer places the work."""
    found = []
    for sentence in sentences(block):
        match = PLACE_QUESTION.match(sentence[2])
        if match is None:
            continue
        place = _best_place(match.group("place"))
        if place is not None and place.kind in {"city", "city+region", "region", "area"} and not place.common_word:
            found.append((0.45, -order, _place_fact(block, sentence, match.start("place"), place, "place.asked-about", 0.45)))
    return found


def is_place_name(text: str) -> bool:
    """Is ``text`` the name of a town, state or country (whatever the sentence says of it)?"""
    place = parse_place(text)
    return place is not None and place.text == text and not (place.kind == "city" and place.common_word)
