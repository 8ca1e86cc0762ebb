"""The interviewee's occupation (role), from the packaged job list ``data/occupations.txt``.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from oral_archive.schemas.record import Evidence, Fact

from ..document import Block, Document
from . import nlp
from .common import (
    FIRST_PERSON,
    HONORIFIC,
    NAME,
    OTHER_PERSON,
    OTHER_PERSON_IN_TURN,
    PREVIOUS_EMPLOYER,
    THIRD_PERSON,
    WORK_VERB,
    answers_to,
    document_fields,
    extracted_fact,
    identities,
    sentence_evidence,
    sentences,
    title_block,
    zipf,
)

# an interviewer's question whose answer states the job, or how long they have held it
JOB_QUESTION = re.compile(r"\bwhat(?:'s|\s+is)\s+your\s+(?:job|job\s+title|occupation|profession|position|title)\b|\bwhat\s+do\s+you\s+do(?:\s+for\s+(?:a\s+living|work))?\s*\?", re.IGNORECASE)


GRADE_MODIFIER = r"(?:(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth)[- ]grade\s+)?"


@cache
def occupations() -> tuple[str, ...]:
    """Packaged occupation gazetteer, longest first so specific forms win."""
    text = resources.files("oral_archive.pipeline").joinpath("data/occupations.txt").read_text(encoding="utf-8")
    names = {line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    return tuple(sorted(names, key=len, reverse=True))


@cache
def occupation_pattern() -> re.Pattern[str]:
    """Any packaged occupation as a whole word ("E.M.T." ends in a dot, so no trailing \\b)."""
    alternatives = "|".join(re.escape(o).replace(r"\ ", r"[\s-]+") for o in occupations())
    # two jobs joined by a hyphen are one ("Firefighter-Paramedic"); a job never starts mid-compound
    return re.compile(rf"(?<![\w.-])(?P<occ>{GRADE_MODIFIER}(?:{alternatives})(?:-(?:{alternatives}))?)s?(?![\w-])", re.IGNORECASE)


@cache
def _qualifier_list() -> frozenset[str]:
    text = resources.files("oral_archive.pipeline").joinpath("data/occupation_qualifiers.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def _qualifiers() -> re.Pattern[str]:
    """Words that narrow an occupation ("high school", "child abuse", "registered"), from
    ``data/occupation_qualifiers.txt``: up to three of them before a job are part of it."""
    words = sorted(_qualifier_list(), key=len, reverse=True)
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in words)
    # a school subject or language names the teacher ("English teacher", "History professor")
    return re.compile(rf"(?:(?:{alternatives}|[A-Z][a-z]+(?=\s+(?:teacher|professor|instructor|tutor|lecturer)\b))[\s-]+){{1,3}}$", re.IGNORECASE)


def qualified(text: str, occ: re.Match[str]) -> tuple[int, str]:
    """(start, value) of the occupation ``occ`` found in ``text`` with the qualifiers before it.

    Qualifiers are stored in lower case, except a school subject or language, which is a
    proper adjective ("high school English teacher")."""
    # a capital that only opens the sentence or answer is no proper adjective
    value = occupation_value(occ, opens_sentence=not text[: occ.start("occ")].strip() or text[: occ.start("occ")].rstrip()[-1:] in ".!?:")
    before = text[max(0, occ.start("occ") - 60): occ.start("occ")]
    extension = _qualifiers().search(before)
    # a parse knows compounds no list has ("fraud investigator", "crime lab technician")
    if nlp.available() and (analysis := nlp.analyze(text)) is not None:
        head = re.search(r"\S+$", occ.group("occ"))
        compound_start = nlp.compound_modifiers(analysis, occ.start("occ") + head.start()) if head else None
        if compound_start is not None and compound_start < occ.start("occ") and (extension is None or compound_start < occ.start("occ") - len(extension.group(0))):
            words = re.split(r"[\s-]+", text[compound_start: occ.start("occ")].strip())
            # in a title-case heading ("Occupation: Paid Firefighter") every word is capitalised
            # and the parser reads them all as one name: only lower-case compounds count there
            if occ.group("occ")[:1].islower() or all(w[:1].islower() for w in words):
                return compound_start, " ".join([*(w if w[:1].isupper() and w[1:].islower() else w.lower() for w in words), value])
    if extension is None:
        return occ.start("occ"), value
    listed = _qualifier_words()
    words = [w if w[:1].isupper() and w.lower() not in listed else w.lower() for w in re.split(r"[\s-]+", extension.group(0).strip())]
    return occ.start("occ") - len(extension.group(0)), " ".join([*words, value])


@cache
def _qualifier_words() -> frozenset[str]:
    return frozenset(word for phrase in _qualifier_list() for word in phrase.split())


# A job the list does not have, in a frame that says it is one ("She is a farrier", "I'm a
# journeyman lineman for ..."): a lower-case noun phrase whose head has an agent-noun ending.
GENERIC_JOB = re.compile(
    r"(?P<occ>(?:[a-z]+[\s-]){0,2}[a-z]{3,}(?:er|or|ist|ian|ier|eer|man|ant|ent|ic|ive|ee))s?(?![\w-])"
)
# words before such a head that describe the person or the terms, not the job
DESCRIPTIVE = frozenset(
    "young old older elderly male female retired former paid full part time new great good local experienced veteran only main "
    "proud hard big little small real true busy single working very really certified well known".split()
)
# agent nouns that are no occupation ("a mother of two", "a member of", "a big believer")
NOT_JOBS = frozenset(
    "mother father brother sister daughter grandmother grandfather stepmother stepfather member fan lover believer fighter "
    "winner loser beginner newcomer stranger foreigner partner neighbor neighbour owner user reader listener thinker "
    "helper player survivor patient resident parent adolescent immigrant character manner matter number order corner "
    "paper letter water power answer other another together rather whether either neither never ever over under after "
    "later better center centre computer chapter dinner winter summer river weather hour color colour floor door favor "
    "favour error major minor visitor moment present event percent talent amount account government department apartment "
    "environment equipment statement treatment management development agreement employee committee coffee degree "
    "guarantee retiree trainee referee human woman german roman music public clinic topic traffic panic relative native "
    "alternative initiative objective perspective incentive accident incident client president student gentleman teenager "
    "youngster elder newcomer interviewer interviewee narrator speaker".split()
)
GENERIC_MIN_ZIPF = 1.5  # wordfreq: a word at all ("pipefitter" 1.5, "farrier" 2.3), not a typo
# words that may follow a job and end its noun phrase ("a farrier and ...", "a carrier for ...")
PHRASE_ENDERS = frozenset("for at in with and or who whose that since from on of by to out near but so because when while".split())


def generic_job(window: str) -> re.Match[str] | None:
    """A job the list does not know, opening ``window`` (after the article), or None."""
    match = GENERIC_JOB.match(window)
    if match is None:
        return None
    # the phrase must end there ("a journeyman millwright": the head is a word we cannot judge)
    following = re.match(r"\s+([a-z]+)", window[match.end():])
    if following and following.group(1) not in PHRASE_ENDERS:
        return None
    words = re.split(r"[\s-]+", match.group("occ"))
    head = words[-1]
    if head in NOT_JOBS or any(w in NOT_JOBS for w in words[:-1]) or zipf(head) < GENERIC_MIN_ZIPF:
        return None
    # drop the describing words in front ("young", "full time"): the job starts after them
    skip = 0
    while skip < len(words) - 1 and words[skip] in DESCRIPTIVE:
        skip += 1
    if skip:
        offset = match.start("occ") + len(" ".join(words[:skip])) + 1
        return GENERIC_JOB.match(window, offset)
    return match


def _occupation_candidates(document: Document, interviewee_blocks: list[Block]) -> list[tuple[float, str, Evidence]]:
    pattern = occupation_pattern()
    candidates: list[tuple[float, str, Evidence]] = []
    article = r"(?:a|an|the|my|our)\s+(?:[\w-]+\s+){0,2}?"
    rules = [
        ("role.field-line", re.compile(r"^(?:occupation|profession|job(?: title)?|position)\s*:\s*(?P<rest>.+)$", re.IGNORECASE), 0.95),
        ("role.interviewed-a", re.compile(rf"\binterview(?:ed|ing)?\s+(?:with\s+)?(?:[\w.]+\s+){{0,4}}?{article}(?P<rest>.+)$", re.IGNORECASE), 0.9),
        ("role.appositive", re.compile(rf"\b(?:{HONORIFIC}\s+)?{NAME},\s+(?:a|an|the)\s+(?P<rest>.+)$"), 0.85),
        ("role.is-a", re.compile(r"\b(?:he|she|they|who|i)(?:\s+(?:is|was|are|am|has been|have been|works? as|worked as|working as)|'m|’m|'s|’s|(?:'ve|’ve|'s|’s)\s+been)\s+(?:(?:now|still|currently|also|already|actually)\s+)?(?:a|an|the)\s+(?P<rest>.+)$", re.IGNORECASE), 0.8),
        ("role.as-a", re.compile(r"\bas\s+(?:a|an)\s+(?P<rest>.+)$", re.IGNORECASE), 0.75),
        # "The teacher I interviewed has taught ...", "The E.M.T. I chose to interview was ..."
        ("role.the-job-i-interviewed", re.compile(r"\b(?i:the|my|this|our)\s+(?P<rest>(?:[\w.-]+\s+){1,5}?)(?:that\s+|whom\s+)?(?:I|we)\s+(?:interviewed|chose\s+to\s+interview|spoke\s+(?:with|to)|talked\s+(?:with|to))\b"), 0.85),
        # "Officer Neil Garrity of Ridgeford Police Department": a rank before the name, of a police force
        ("role.rank-of-force", re.compile(rf"\b(?P<rank>Officer|Patrolman|Patrolwoman|Trooper|Deputy)\s+{NAME}\s+(?:of|with|from)\s+(?:the\s+)?(?:[A-Z][\w.'’-]*\s+){{1,4}}(?P<force>Police|Sheriff['’]?s?)\b"), 0.8),
        # "My aunt is an official court reporter for ...": the relative the essay is about
        ("role.relation-is-a", re.compile(
            r"\b(?:my|our)\s+(?:[\w-]+\s+){0,2}?(?:aunt|uncle|cousin|neighbou?r|friend|mother|father|mom|dad|grandmother|grandfather|"
            r"brother|sister|sister-in-law|brother-in-law|godmother|godfather|stepmother|stepfather)\s+(?:is|has\s+been|works\s+as)\s+(?:(?:now|still|currently)\s+)?"
            r"(?:a|an|the)\s+(?P<rest>.+)$", re.IGNORECASE), 0.8),
        # "E-mail Interview: Certified Nurse-Midwife": a title naming the job after a colon
        ("role.interview-title-job", re.compile(r"^(?:[\w-]+\s+){0,2}interview\s*:\s*(?:(?:a|an|the)\s+)?(?P<rest>.+)$", re.IGNORECASE), 0.85),
        # "Mrs. O has been a teacher": an honorific name in an essay is the person interviewed
        ("role.honorific-is-a", re.compile(rf"\b{HONORIFIC}\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?\s+(?:is|was|has\s+been|works\s+as|worked\s+as)\s+(?:(?:now|still|currently|also)\s+)?(?:a|an)\s+(?P<rest>.+)$"), 0.8),
        # interview notes in points: "- welder at Mill Falls Boatworks"
        ("role.notes-point", re.compile(r"^\s*[-•*]\s+(?P<rest>.+)$"), 0.7),
    ]
    interviewee_ids = identities(interviewee_blocks)
    title = title_block(document)
    for block in document.blocks:
        if block.kind == "u" and id(block) not in interviewee_ids:
            continue
        # a heading that is not the title ("Interview With a Social Worker" under "Related
        # essays") names another page
        if block.kind == "head" and block is not title and not NOTES_POINT.match(block.text):
            continue
        for sentence in sentences(block):
            s_text = sentence[2]
            # in a narrative, "I am a nursing student" / "As a teacher myself, I ..." is the author
            about_author = block.kind != "u" and bool(FIRST_PERSON.search(s_text)) and not THIRD_PERSON.search(s_text)
            for rule, rx, score in rules:
                if about_author and rule == "role.as-a":
                    continue
                # "Before that I was a teacher": a past job is not the role
                if rule in {"role.is-a", "role.as-a"} and PREVIOUS_EMPLOYER.search(s_text):
                    continue
                for match in rx.finditer(s_text):
                    if rule == "role.is-a" and block.kind != "u" and re.match(r"i\b", match.group(0), re.IGNORECASE):
                        continue  # "I am a nurse too" in a narrative is the author
                    if rule in {"role.is-a", "role.as-a"} and block.kind == "u" and _told_as_past(s_text[: match.start("rest")]):
                        continue  # "I was a line cook in Savannah", "went to work first as a trackman"
                    if rule == "role.interview-title-job" and block.kind != "head":
                        continue
                    if rule == "role.notes-point" and block.kind == "u":
                        continue
                    if rule == "role.relation-is-a" and block.kind == "u":
                        continue  # the narrator's "my daughter is a process engineer" is someone else
                    if block.kind == "u" and OTHER_PERSON_IN_TURN.search(s_text[: match.start("rest")]):
                        continue  # "my wife is a nurse"
                    if rule == "role.as-a" and block.kind != "u" and not _as_a_is_theirs(s_text, match.start()):
                        continue
                    if rule == "role.rank-of-force":
                        value = "police officer" if match.group("force") == "Police" else "deputy sheriff" if match.group("rank") == "Deputy" else match.group("rank").lower()
                        candidates.append((score, value, sentence_evidence(block, sentence, match.start("rank"), match.end("rank"), rule, score)))
                        continue
                    rest_start = match.start("rest")
                    window = s_text[rest_start: rest_start + 80]
                    occ = pattern.search(window)
                    generic = rule in GENERIC_FRAMES and (occ is None or occ.start() > 0) and generic_job(window)
                    if generic:
                        value = " ".join(w.lower() for w in re.split(r"[\s-]+", generic.group("occ")))
                        candidates.append((score - 0.1, value, sentence_evidence(block, sentence, rest_start + generic.start("occ"), rest_start + generic.end("occ"), rule + "-unlisted", round(score - 0.1, 2))))
                        continue
                    if occ is None:
                        continue
                    # only a few modifier words may stand before it ("a young male firefighter")
                    if rule != "role.field-line" and not re.fullmatch(r"(?:[\w.-]+\s+){0,3}", window[: occ.start()]):
                        continue
                    # a point of notes is the job only when it opens with it, then says where
                    if rule == "role.notes-point" and (occ.start() > 0 or not re.match(r"\s+(?:at|for|with|in)\s", window[occ.end():])):
                        continue
                    # "the teacher I interviewed": the job is the whole phrase before "I"
                    if rule == "role.the-job-i-interviewed" and window[occ.end(): match.end("rest") - rest_start].strip():
                        continue
                    begin, value = qualified(window, occ)
                    start, end = rest_start + begin, rest_start + occ.end("occ")
                    candidates.append((score, value, sentence_evidence(block, sentence, start, end, rule, score)))
    return candidates


# a point of notes: "- park ranger at ...", "• 7 yrs at ..."
NOTES_POINT = re.compile(r"^\s*[-•*]\s+\S")
# frames that say outright that what follows is the person's job
GENERIC_FRAMES = frozenset({
    "role.is-a", "role.as-a", "role.field-line", "role.honorific-is-a", "role.appositive", "role.relation-is-a", "role.interviewed-a",
})
# "I teach eighth-grade social studies at ...": a teacher of that subject
I_TEACH = re.compile(r"\b(?:I|he|she)\s+(?:teach|teaches)\s+(?P<subject>(?:[\w-]+\s+){0,3}?[\w-]+)\s+(?:at|in|for|to)\b")
# a past job told in the interviewee's own words ("I was a line cook", "went to work ... as a")
PAST_IN_TURN = re.compile(r"\b(?:was|were|went|worked|started|began|spent|got|hired|used\s+to|back\s+then)\b", re.IGNORECASE)


def _told_as_past(before: str) -> bool:
    """Does the sentence up to a job tell of the past ("Went to work for X, first as a"), with
    no "now"/"today" after the past verb ("I was hired in 2001, and now I'm a nurse")?"""
    past = [m.end() for m in PAST_IN_TURN.finditer(before)]
    now = [m.end() for m in re.finditer(r"\b(?:now|today|currently|these\s+days)\b", before, re.IGNORECASE)]
    return bool(past) and (not now or past[-1] > now[-1])


def _name_is_a(document: Document, name: Fact | None) -> list[tuple[float, str, Evidence]]:
    """"Fairweather is a tower crane operator for ...": the interviewee, by a part of their name."""
    parts = [w for w in re.split(r"\s+", name.value) if re.fullmatch(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", w)] if name else []
    if not parts:
        return []
    pattern = re.compile(rf"\b(?:{'|'.join(map(re.escape, parts))})\s+(?:is|has\s+been|works\s+as)\s+(?:(?:now|still|currently)\s+)?(?:a|an|the)\s+(?P<rest>.+)$")
    found = []
    for block in document.blocks:
        if block.kind != "p":
            continue
        for sentence in sentences(block):
            match = pattern.search(sentence[2])
            if match is None:
                continue
            window = sentence[2][match.start("rest"): match.start("rest") + 80]
            occ = occupation_pattern().search(window)
            generic = (occ is None or occ.start() > 0) and generic_job(window)
            if generic:
                value = " ".join(w.lower() for w in re.split(r"[\s-]+", generic.group("occ")))
                start, end = generic.start("occ"), generic.end("occ")
            elif occ is not None and re.fullmatch(r"(?:[\w.-]+\s+){0,3}", window[: occ.start()]):
                start, value = qualified(window, occ)
                end = occ.end("occ")
            else:
                continue
            rest = match.start("rest")
            found.append((0.8, value, sentence_evidence(block, sentence, rest + start, rest + end, "role.name-is-a", 0.8)))
    return found


def _as_a_is_theirs(sentence: str, at: int) -> bool:
    """Does "as a <job>" at ``at`` describe the interviewee's work? "working there for five
    years as a registered nurse" and "As a police officer, he ..." do; "after being close to
    her for years as an old student" (the author) does not."""
    clause = re.split(r"[,;:(]", sentence[:at])[-1]
    if OTHER_PERSON.search(sentence[:at]):
        return False  # "Their daughter, 24, works as a paramedic"
    pronouns = re.findall(r"\b(?:he|she|they|i|me|my|we|us|her|him|them)\b", clause, re.IGNORECASE)
    if pronouns:  # the nearest one says whose: "she has worked ... as a" vs "close to her ... as a"
        return pronouns[-1].lower() in {"he", "she", "they"}
    if WORK_VERB.search(clause):
        return True
    return not sentence[:at].strip() and bool(re.match(r"[^,]{1,60},\s*(?:he|she|they)\b", sentence[at:], re.IGNORECASE))


def extract_occupation(document: Document, interviewee_blocks: list[Block], name: Fact | None = None) -> Fact | None:
    """The interviewee's job title from the packaged gazetteer, the most telling rule winning;
    ``name`` (the interviewee's, if known) lets "Fairweather is a tower crane operator" count."""
    candidates = _occupation_candidates(document, interviewee_blocks)
    candidates += _name_is_a(document, name)
    # "Occupation" on a line of its own, the job on the next (a catalog page)
    for field in document_fields(document):
        if field.kind == "role" and (occ := occupation_pattern().search(field.line.text, field.start)):
            begin, value = qualified(field.line.text, occ)
            candidates.append((0.95, value, field.line.evidence(max(begin, field.start), occ.end("occ"), "role.field-line", 0.95)))
    # "What is your job title?" - "Firefighter-Paramedic.": the answer opens with the job
    for block, sentence in answers_to(document, JOB_QUESTION):
        occ = occupation_pattern().search(sentence[2])
        if occ and re.fullmatch(r"\s*(?:(?:i'?m|i\s+am|i\s+work\s+as)\s+)?(?:(?:a|an)\s+)?(?:[\w-]+\s+){0,2}", sentence[2][: occ.start()], re.IGNORECASE):
            begin, value = qualified(sentence[2], occ)
            candidates.append((0.85, value, sentence_evidence(block, sentence, begin, occ.end("occ"), "role.answer-to-job-question", 0.85)))
    own = identities(interviewee_blocks)
    for block in document.blocks:
        if block.kind == "u" and id(block) not in own:
            continue
        for sentence in sentences(block):
            match = I_TEACH.search(sentence[2])
            if match and not (block.kind != "u" and match.group(0).startswith("I ")) and not re.search(r"\b(?:them|him|her|us|you|kids|children|students)\b", match.group("subject")):
                value = re.sub(r"\s+", " ", match.group("subject")).lower() + " teacher"
                candidates.append((0.8, value, sentence_evidence(block, sentence, match.start("subject"), match.end("subject"), "role.i-teach", 0.8)))
    if not candidates:
        return None
    best_score = max(c[0] for c in candidates)
    best = next(c for c in candidates if c[0] == best_score)
    # a more specific form of the same occupation elsewhere wins ("registered nurse" or
    # "nurse practitioner" over "nurse")
    specific = [c for c in candidates if c[1] != best[1] and (c[1].endswith(" " + best[1]) or c[1].startswith(best[1] + " "))]
    if specific:
        best = max(specific, key=lambda c: c[0])
    return extracted_fact(best[1], best[2])


def occupation_value(occ: re.Match[str], opens_sentence: bool = False) -> str:
    """An occupation as stored: lower case, single spaces, one spelling of 'firefighter'.

    An abbreviation keeps its capitals ("E.M.T.", "EMT"), and so does a proper adjective
    before a job written in lower case ("English teacher"; but "Registered Nurse" in a
    title-case heading is "registered nurse")."""
    text = re.sub(r"\s+", " ", occ.group("occ"))
    if re.fullmatch(r"(?:[A-Z]\.?){2,5}", text):
        return text
    # words keep the hyphens the text writes them with ("nurse-midwife")
    words = re.findall(r"[^\s-]+-?|-", text.replace(" -", "-"))
    head_lower = words[-1][:1].islower()
    kept = [w if head_lower and w[:1].isupper() and w[1:].islower() and not (i == 0 and opens_sentence) else w.lower() for i, w in enumerate(words)]
    value = "".join(w if w.endswith("-") else w + " " for w in kept).strip()
    return re.sub(r"\bfire[ -]fighter", "firefighter", value)
