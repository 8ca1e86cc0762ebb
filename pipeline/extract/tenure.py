"""How long the interviewee has held the job, as an ISO 8601 duration (``P8Y``).
"""

from __future__ import annotations

import re
from collections import Counter

from oral_archive.schemas.record import Fact

from ..document import Block, Document
from .common import (
    DATE,
    HONORIFIC,
    NAME_WORD,
    NUMBER,
    NUMBER_WORDS,
    OTHER_PERSON_IN_TURN,
    answers_to,
    extracted_fact,
    identities,
    leading_lines,
    per_document,
    sentence_evidence,
    sentences,
)
from .dates import extract_interview_date, parse_date

# "for the past nine years", "a little over 10 years", "going on 12 years"
TENURE_QUANTIFIER = (
    r"(?:(?:the\s+(?:last|past)|(?:a\s+(?:little|bit)\s+|just\s+|well\s+)?(?:over|under|more\s+than|less\s+than)|almost|nearly|about"
    r"|around|roughly|approximately|at\s+least|close\s+to|going\s+on|upwards\s+of)\s+){0,2}"
)
# "three and a half years": the half before the unit (after it: "three years and a half")
HALF_BEFORE_UNIT = r"(?P<halfn>\s+and\s+a\s+half)?"
# "two years and four months"
MONTHS_AFTER = NUMBER.replace("(?P<n>", "(?P<n2>")
AND_MONTHS = rf"(?:,?\s+and\s+{MONTHS_AFTER}\s+months?)?"
# what the job is done "at" between the verb and the number: "working there 20 years"
_WHERE = r"(?:(?:there|here|at\s+(?:the\s+)?[\w'’-]+(?:\s+[A-Z][\w'’-]*){0,3}|in\s+(?:the\s+)?[\w'’-]+(?:\s+[A-Z][\w'’-]*){0,3}|(?:in\s+)?this\s+(?:job|field|position|profession|role))\s+)?"


# what a "has been ... for N years" is about when it is not a job
NOT_TENURE = re.compile(
    r"\b(?:married|retired|alive|friends?|sober|sick|ill|away|gone|dating|together|waiting|living|lived|divorced|single|widowed|"
    r"promising|trying|meaning|planning|thinking|saying|asking|telling|hoping|talking|dreaming|wanting)\b",
    re.IGNORECASE,
)


# a past job, left before the present one ("had been a nurse for ten years before ...")
PREVIOUS_JOB = re.compile(r"\b(?:before|previously|formerly|prior\s+to|used\s+to|until|former|retired|left)\b", re.IGNORECASE)


TENURE_RULES: list[tuple[str, re.Pattern[str], float]] = [
    (
        "tenure.has-been-for",
        re.compile(
            # "for" may be left out: "She has been an LPN at Willow Bend going on 15 years"
            rf"\b(?P<subject>\w+)(?:'ve|’ve|'s|’s| has| have| had)(?:\s+(?:only|just|now|also|already|always|still))?\s+been\s+(?:[\w,'’-]+\s+){{0,12}}?(?:for\s+)?"
            rf"{TENURE_QUANTIFIER}{NUMBER}\s+"
            rf"(?P<unit>years?|yrs?|months?|decades?)(?P<half>\s+and\s+a\s+half)?\b(?!\s+(?:old|of\s+age|ago|later|earlier|before|after))",
            re.IGNORECASE,
        ),
        0.9,
    ),
    (
        "tenure.has-worked-for",
        re.compile(
            rf"\b(?P<subject>\w+)(?:'ve|’ve| has| have)\s+(?:worked|served|taught|practi[cs]ed|coached|nursed|held|led|managed|run|operated|directed|owned)\b"
            rf"(?:\s+[\w-]+){{0,7}}?\s+for\s+{TENURE_QUANTIFIER}{NUMBER}{HALF_BEFORE_UNIT}\s+(?P<unit>years?|yrs?|months?|decades?)(?P<half>\s+and\s+a\s+half)?\b",
            re.IGNORECASE,
        ),
        0.85,
    ),
    (
        "tenure.for-n-years-has",
        re.compile(
            rf"\b(?:for|over)\s+{TENURE_QUANTIFIER}{NUMBER}{HALF_BEFORE_UNIT}\s+(?P<unit>years?|decades?),?\s+(?P<subject>\w+)\s+(?:has|have|'ve|’ve)\s+"
            rf"(?:been|worked|served|taught|practi[cs]ed)\b",
            re.IGNORECASE,
        ),
        0.85,
    ),
    (
        # "has been working there 20 years", "has been teaching in Olney 25 years": no "for"
        "tenure.has-been-doing-n-years",
        re.compile(
            rf"\b(?P<subject>\w+)(?:'ve|’ve|'s|’s| has| have)\s+been\s+(?:working|teaching|serving|nursing|practi[cs]ing|policing|employed|doing\s+(?:this|it|that)(?:\s+job)?)\s+"
            rf"{_WHERE}(?:for\s+)?{TENURE_QUANTIFIER}{NUMBER}{HALF_BEFORE_UNIT}\s+(?P<unit>years?|yrs?|months?|decades?)(?P<half>\s+and\s+a\s+half)?\b",
            re.IGNORECASE,
        ),
        0.85,
    ),
    (
        # "She has had that job for fourteen years" (a job, not "has had diabetes for years")
        "tenure.has-had-the-job",
        re.compile(
            rf"\b(?P<subject>\w+)(?:'ve|’ve|'s|’s| has| have)\s+had\s+(?:that|this|the|her|his|my|their|a)\s+(?:[\w-]+\s+)?(?:job|position|post|role|route|license|licence)\s+"
            rf"(?:[\w,'’-]+\s+){{0,4}}?for\s+{TENURE_QUANTIFIER}{NUMBER}{HALF_BEFORE_UNIT}\s+(?P<unit>years?|yrs?|months?|decades?)(?P<half>\s+and\s+a\s+half)?\b",
            re.IGNORECASE,
        ),
        0.85,
    ),
    (
        # "My interview was with a forty-two year veteran ... nurse": the person interviewed
        "tenure.interviewed-n-year-veteran",
        re.compile(rf"\b(?P<subject>interview(?:ed|ing)?)\s+(?:was\s+)?(?:with\s+)?an?\s+{NUMBER}[- ](?P<unit>year|decade)s?[- ]veteran\b", re.IGNORECASE),
        0.8,
    ),
    (
        # "driving for twenty-six years, the last fourteen with Brisco": the years with the employer
        "tenure.the-last-n-with",
        re.compile(rf"\b(?P<subject>he|she|they|i|who)\b[^.;]{{0,80}}?,\s+the\s+(?:last|past)\s+{NUMBER}(?:\s+(?P<unit>years?))?\s+(?:with|at)\s+(?:the\s+)?[A-Z]", re.IGNORECASE),
        0.92,
    ),
    (
        "tenure.n-year-veteran",
        re.compile(rf"\b(?P<subject>he|she|who|i)\s+(?:is|was|'s|’s|am|'m|’m)\s+(?:now\s+)?an?\s+{NUMBER}[- ](?P<unit>year|decade)[- ]veteran\b", re.IGNORECASE),
        0.8,
    ),
    (
        "tenure.years-of-experience",
        re.compile(
            rf"\b(?P<subject>\w+)\s+(?:has|have|'ve|’ve|brings)\s+{TENURE_QUANTIFIER}{NUMBER}{HALF_BEFORE_UNIT}\s+(?P<unit>years?|decades?)\s+of\s+(?:[\w-]+\s+)?experience\b",
            re.IGNORECASE,
        ),
        0.8,
    ),
    (
        "tenure.n-year-career",
        re.compile(rf"\b(?P<subject>his|her|their|my)\s+(?:[\w-]+\s+)?{NUMBER}[- ](?P<unit>year|month|decade)(?:s)?[- ](?:long\s+)?(?:[\w-]+\s+)?career\b", re.IGNORECASE),
        0.85,
    ),
    (
        "tenure.since-year",
        # "since 2011", "since the spring of 2009", "since the restaurant opened in 2016"
        re.compile(
            r"\b(?P<subject>\w+)\s+(?:has|have|'ve|’ve)\s+(?:been\s+)?(?:[\w'’-]+,?\s+){0,16}?since\s+(?:[\w'’-]+\s+){0,5}?(?P<year>(?:19|20)\d{2})\b",
            re.IGNORECASE,
        ),
        0.8,
    ),
    (
        # "She started in this position six months ago", "I was hired here eleven years ago"
        "tenure.started-ago",
        re.compile(
            rf"\b(?P<subject>\w+)\s+(?:started|began|joined|was\s+hired|got\s+hired)\s+(?:(?:in|at|with|on)\s+(?:this|the|that|her|his|my)\s+(?:job|position|role|post|unit|team|department|office)\s+|"
            rf"(?:working\s+)?(?:here|there)\s+|(?:at|with)\s+[A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){{0,3}}\s+|working\s+)?"
            rf"{TENURE_QUANTIFIER}{NUMBER}{HALF_BEFORE_UNIT}\s+(?P<unit>years?|months?)\s+ago\b",
            re.IGNORECASE,
        ),
        0.8,
    ),
]


CONJUNCTIONS = frozenset({"and", "but", "also", "now", "then"})
# how often a capitalised word must recur in an essay to be the name of the person it is about
RECURRING_NAME = 3
# the relative an essay is about ("my uncle has been a deputy for eight years")
ESSAY_RELATIVES = frozenset("uncle aunt cousin friend neighbor neighbour mom mother dad father grandma grandmother grandpa grandfather brother sister".split())
# capitalised words that open a sentence and are no first name
NOT_SUBJECT_WORDS = frozenset("The This That It He She They We I There Here Everyone Nobody Someone Anyone Each".split())
SUBJECTS_FOR = {
    # "the teacher I interviewed has taught ... for 25 years"
    "narrative": {"he", "she", "they", "who", "interviewee", "interviewed", "interview", "interviewing"},
    "interviewee-turn": {"i", "we", "who"},
}


# "How long have you been a nurse?", "How many years have you worked there?" (present perfect:
# "how long did you ..." asks about a past job)
# ("How long have you lived here?" asks about no job)
HOW_LONG_QUESTION = re.compile(
    r"\bhow\s+(?:long|many\s+years)\s+(?:have|'ve)\s+you\b(?![^?]{0,120}\b(?:live|lived|living|married|known|retired|friends?|been\s+alive)\b)",
    re.IGNORECASE,
)
# the number an answer gives ("About fifteen years.", "I've been here 12 years now", "Since 1998.")
ANSWER_DURATION = re.compile(
    rf"\b{TENURE_QUANTIFIER}{NUMBER}{HALF_BEFORE_UNIT}\s+(?P<unit>years?|yrs?|decades?|months?)(?P<half>\s+and\s+a\s+half)?{AND_MONTHS}\b"
    rf"(?!\s+(?:old|of\s+age|ago|later|earlier|before|after))",
    re.IGNORECASE,
)
# "How long ago was that?" after the interviewee told how they started: answered by the time since
HOW_LONG_AGO_QUESTION = re.compile(r"\bhow\s+long\s+ago\b", re.IGNORECASE)
STARTED = re.compile(r"\b(?:started|began|joined|(?:was|got)\s+hired)\b", re.IGNORECASE)
# how many sentences of an answer may come before the one that gives the number
ANSWER_SENTENCES = 3
# the interviewee answering "how long have you ...?" says their own tenure: surer than a
# sentence about "who has been ... for N years", which may be about someone else
ANSWER_CONFIDENCE = 0.88


def _duration(match: re.Match[str]) -> str:
    """ISO 8601 duration from a rule's ``n`` (digits or words) and ``unit`` groups: P8Y, P6M,
    P20Y; "a year and a half" is P1Y6M."""
    raw = match.group("n").lower()
    n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    unit = (match.group("unit") or "years").lower()  # "the last fourteen with Brisco": years, unsaid
    groups = match.groupdict()
    half = bool(groups.get("half") or groups.get("halfn"))
    if unit.startswith("decade"):
        return f"P{n * 10 + (5 if half else 0)}Y"
    if unit.startswith("month"):
        return f"P{n}M"
    months = 6 if half else 0
    if groups.get("n2"):  # "two years and four months"
        extra = groups["n2"].lower()
        months = int(extra) if extra.isdigit() else NUMBER_WORDS[extra]
    return f"P{n}Y{months}M" if months else f"P{n}Y"


def _tenure_from_answer(document: Document) -> list[tuple[float, int, Fact]]:
    """"How long have you been a teacher?" - "Twelve years.": the number the answer's first sentence gives."""
    found = []
    answers = [(block, "tenure.answer-to-how-long") for block, _ in answers_to(document, HOW_LONG_QUESTION)]
    answers += [(block, "tenure.answer-to-how-long-ago") for block, _ in answers_to(document, HOW_LONG_AGO_QUESTION) if STARTED.search(block.text)]
    for block, rule in answers:
        for sentence in sentences(block)[:ANSWER_SENTENCES]:
            match = ANSWER_DURATION.search(sentence[2])
            # the answer's own number, not a child's age or a year long past ("when I was 12 years"),
            # nor what came before ("Before that I cashiered ... for five years")
            if match and not re.search(r"\b(?:when|age|aged|old|before|previously)\b", sentence[2][: match.start()], re.IGNORECASE):
                start = match.start("n")
                fact = extracted_fact(sentence[2][start: match.end()], sentence_evidence(block, sentence, start, match.end(), rule, ANSWER_CONFIDENCE), _duration(match))
                found.append((ANSWER_CONFIDENCE, -next(i for i, b in enumerate(document.blocks) if b is block), fact))
                break
    return found


# "Twelve years with Brannock now.", "Going on nine years at the plant.": a turn that answers
# with the number alone, the workplace after it
VERBLESS_TENURE = re.compile(
    rf"^\s*(?:(?:I've|I’ve|I\s+have)?\s*been\s+(?:there|here|with\s+them|at\s+it)\s+)?(?:(?:oh|well|yeah|about|almost|nearly|over|going\s+on|just\s+over|close\s+to),?\s+)*{NUMBER}{HALF_BEFORE_UNIT}\s+(?P<unit>years?|decades?)(?P<half>\s+and\s+a\s+half)?"
    rf"(?:\s+(?:(?:with|at|in|on)\s+(?:the\s+)?[A-Z][\w&'’-]*|now\b|this\s+(?:June|spring|summer|fall|winter|year|month)\b))",
    re.IGNORECASE,
)


# point-form notes: "- 7 yrs at Mill Falls, seasonal before that"
NOTES_TENURE = re.compile(rf"(?:^|\s)[-•*]\s+(?:~\s*|(?:about|over|almost|nearly)\s+)?{NUMBER}\s+(?P<unit>yrs?|years?)\s+(?:at|with)\s+[A-Z]")
# "I interviewed Marta Quillen, who ...": the name right after these is the person interviewed
_INTERVIEWED_BEFORE = re.compile(r"\b(?:interview(?:ed|ing)?|met\s+with|spoke\s+(?:with|to)|talked\s+(?:with|to)|visited)\s+(?:[\w-]+\s+){0,4}?$", re.IGNORECASE)
_NAME_BEFORE_WHO = re.compile(r"((?:[A-Z][\w'’.-]*\s+){0,3}[A-Z][\w'’.-]*),?\s*$")


def _who_is_someone_else(before: str, name_words: set[str]) -> bool:
    """"Judge Walter Pemberton, who has been on the bench ...", "Lyle, who's been here ...", "my son,
    who ...": a "who" after another person's name, title or relation, not the interviewee's."""
    if OTHER_PERSON_IN_TURN.search(before[-40:]):
        return True
    match = _NAME_BEFORE_WHO.search(before)
    if match is None:
        return False
    words = match.group(1).split()
    if words == ["I"] or any(w in name_words for w in words):
        return False
    return _INTERVIEWED_BEFORE.search(before[: match.start()]) is None


@per_document
def reference_year(document: Document) -> tuple[int, str] | None:
    """(year, what says so) that "since 2011" counts to: the interview's date, else a date line
    heading the text (a class paper's "March 4, 2019"); None when the text gives neither."""
    interview = extract_interview_date(document)
    if interview is not None and interview.normalized:
        return int(interview.normalized[:4]), f"interview date {interview.value}"
    for line in leading_lines(document)[:15]:
        text = line.text.strip().rstrip(".")
        if (match := DATE.fullmatch(text)) and (iso := parse_date(match)):
            return int(iso[:4]), f"dated {text}"
    return None


def _since_year(document: Document, year: str) -> tuple[str, str]:
    """("P8Y", rule) from a start year and the text's own date; the year itself when it has none."""
    reference = reference_year(document)
    if reference is None or reference[0] <= int(year):
        return year, "tenure.since-year"
    return f"P{reference[0] - int(year)}Y", "tenure.since-year-to-text-date"


def _verbless_tenure(document: Document, interviewee_blocks: list[Block]) -> list[tuple[float, int, Fact]]:
    found = []
    own = identities(interviewee_blocks)
    for order, block in enumerate(document.blocks):
        if id(block) not in own:
            continue
        for sentence in sentences(block):
            match = VERBLESS_TENURE.match(sentence[2])
            if match:
                start = match.start("n")
                found.append((0.7, -order, extracted_fact(sentence[2][start: match.end("unit")], sentence_evidence(block, sentence, start, match.end("unit"), "tenure.n-years-with", 0.7), _duration(match))))
    return found


def _notes_tenure(document: Document) -> list[tuple[float, int, Fact]]:
    """A point of interview notes that opens with the years at a workplace."""
    found = []
    for order, block in enumerate(document.blocks):
        # a short point may stand alone and be read as a heading line
        if block.kind == "u" or "-" not in block.text and "•" not in block.text and "*" not in block.text:
            continue
        for sentence in sentences(block):
            if match := NOTES_TENURE.search(sentence[2]):
                start = match.start("n")
                found.append((0.7, -order, extracted_fact(sentence[2][start: match.end("unit")], sentence_evidence(block, sentence, start, match.end("unit"), "tenure.notes-n-years-at", 0.7), _duration(match))))
                break
    return found


def extract_tenure(document: Document, interviewee_blocks: list[Block], name: Fact | None = None) -> Fact | None:
    """How long the interviewee has done the job: ``P8Y`` from "has been an officer for 8 years".

    Only the interviewee's own tenure counts: the grammatical subject must be the
    interviewee (he/she/they/who in a narrative, I/we in their own turns), so "my father has
    been a teacher for 30 years" is not it. Negatives: ages ("27 years of age"), things that
    are not jobs ("married for 20 years"), and past jobs ("had been ... before", "used to").
    """
    candidates: list[tuple[float, int, Fact]] = _tenure_from_answer(document) + _verbless_tenure(document, interviewee_blocks) + _notes_tenure(document)
    interviewee_ids = identities(interviewee_blocks)
    interviewers = {s.id for s in document.speakers if s.role == "interviewer"}
    # the interviewee by name: "Mrs. O has been a teacher", "Pettigrew has taught ..."
    name_words = {w for w in (name.value.split() if name else []) if re.fullmatch(NAME_WORD, w)}
    # the person an essay keeps naming is the one it is about ("Marisa is 38. ... Marisa said")
    # (counted block by block, not in the blocks' texts joined: a name never spans a space)
    paragraphs = [b for b in document.blocks if b.kind == "p"]
    name_counts: Counter[str] = Counter()
    for block in paragraphs:
        name_counts.update(re.findall(NAME_WORD, block.text))
    mentions: dict[str, int] = {}

    def mentioned(word: str) -> int:
        """How often the narrative uses ``word`` (a name: letters and hyphens) as a word."""
        if word not in mentions:
            pattern = re.compile(rf"\b{word}\b")
            mentions[word] = sum(len(pattern.findall(b.text)) for b in paragraphs)
        return mentions[word]

    recurring_names = {w for w, count in name_counts.items() if count >= RECURRING_NAME and w not in NOT_SUBJECT_WORDS}
    for order, block in enumerate(document.blocks):
        asking = block.kind == "u" and block.who in interviewers
        if block.kind == "u" and id(block) not in interviewee_ids and not asking:
            continue
        if asking:  # "You've taught for over twenty years": the interviewer tells the interviewee's tenure
            allowed = {"you"}
        else:
            allowed = SUBJECTS_FOR["interviewee-turn"] | {"my"} if block.kind == "u" else SUBJECTS_FOR["narrative"] | {"his", "her", "their"}
        for sentence in sentences(block):
            text = sentence[2]
            for rule, rx, confidence in TENURE_RULES:
                for match in rx.finditer(text):
                    subject = match.group("subject").lower()
                    # "He is 52 years old and has been with the district for 17 years": the
                    # subject of "and has been" is the clause's before it
                    resolved = match.group("subject")
                    if subject in CONJUNCTIONS:
                        earlier = re.findall(r"\b[\w'’]+\b", text[: match.start("subject")])
                        resolved = next((w for w in reversed(earlier) if w.lower() in allowed or w in name_words), resolved)
                        subject = resolved.lower()
                    named = block.kind != "u" and (resolved in name_words or bool(re.search(rf"\b{HONORIFIC}\s*$", text[: match.start("subject")])))
                    # an essay's "my uncle has been a deputy ...", or a first name the essay keeps
                    # using ("Nora has worked at Linden Vale ...") while no name is known
                    relative = block.kind != "u" and subject in ESSAY_RELATIVES and re.search(r"\b(?:my|our)\s+(?:[\w-]+\s+)?$", text[: match.start("subject")], re.IGNORECASE)
                    first_name = block.kind != "u" and not name_words and re.fullmatch(NAME_WORD, match.group("subject")) and match.group("subject") not in NOT_SUBJECT_WORDS and mentioned(match.group("subject")) >= 2
                    if subject not in allowed and not named and not relative and not first_name:
                        continue
                    if subject == "who" and _who_is_someone_else(text[: match.start("subject")], name_words | recurring_names):
                        continue
                    span_start = match.start("n") if match.groupdict().get("n") else match.start("year")
                    if NOT_TENURE.search(text[match.start(): span_start]) or re.match(r"\s*(?:old|of\s+age)\b", text[match.end():]):
                        continue
                    if re.search(r"\bhad\b", match.group(0), re.IGNORECASE) and PREVIOUS_JOB.search(text):
                        continue
                    applied = rule
                    if match.groupdict().get("year"):
                        normalized, applied = _since_year(document, match.group("year"))
                    else:
                        normalized = _duration(match)
                    # "who" may be someone else the sentence mentions; "had been" may be over
                    score = confidence - (0.1 if subject in {"who", "you"} or first_name else 0) - (0.1 if re.search(r"\bhad\b", match.group(0), re.IGNORECASE) else 0)
                    # "a pharmacist for 22 years, but only at Dunlap Drug for three": the years at the workplace
                    if re.search(r"\b(?:at|with)\s+(?:the\s+)?[A-Z]", match.group(0)):
                        score += 0.03
                    fact = extracted_fact(text[span_start: match.end()], sentence_evidence(block, sentence, span_start, match.end(), applied, round(score, 2)), normalized)
                    candidates.append((score, -order, fact))
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c[0], c[1]))[2]
