"""The interviewee's employer or institution: a named body introduced as where they work.
"""

from __future__ import annotations

import re

from oral_archive.schemas.record import Evidence, Fact

from ..document import Block, Document
from . import nlp
from .common import (
    DATE,
    HONORIFIC,
    OTHER_PERSON,
    OTHER_PERSON_IN_TURN,
    PREVIOUS_EMPLOYER,
    WORK_CONTEXT,
    WORK_VERB,
    document_fields,
    extracted_fact,
    identities,
    reference_blocks,
    sentence_evidence,
    sentences,
    zipf,
)
from .occupation import PHRASE_ENDERS, generic_job, occupation_pattern
from .place import is_place_name

ORG_HEADS = (
    r"Department|School|Library|University|College|Hospital|Museum|Company|Corporation|Agency|Bureau|"
    r"Office|Center|Centre|Institute|Academy|Association|Council|Board|Ministry|Clinic|Church|Foundation|"
    r"District|Station|Unit|Union|Society|Archives?|Court|Prison|Police|Army|Navy|Corps|Railroad|Railway|"
    r"Airlines?|Bank|Firm|Group|Services?|Press|Authority|Commission|Administration|Laborator(?:y|ies)|"
    r"Hotel|Restaurant|Theat(?:er|re)|Orchestra|Parish|Synagogue|Mosque|Temple|Jail|Precinct|Patrol|Force|"
    r"Health|Healthcare|Pharmacy|Systems|Squad|Rescue|Ambulance|Network|Partners|Cooperative|Co-op|Communications|"
    r"Rehabilitation|Care|Ministries|Mission|Shelter|"
    r"Inc\.?|LLC|Ltd\.?|Corp\.?"
)
# "the Juniper hills squad", "the Ridgeford police department": a named unit written in lower case
# ("the Kettle County 911 center": capitalised words and a number may come before the unit)
LOWER_CASE_UNIT = re.compile(
    r"\b(?:at|for|with|from|joined|in)\s+the\s+(?P<org>[A-Z][\w'’-]*(?:\s+(?:[a-z][\w'’-]*|[A-Z][\w'’-]*|\d{1,4})){0,3}\s+"
    r"(?:squad|department|company|crew|hospital|clinic|station|precinct|district|unit|firehouse|fire\s+department|police\s+department|library|school|"
    r"(?:dispatch|call|communications|emergency|911)\s+cent(?:er|re)|cent(?:er|re)))\b"
)
# "Wrenfield, a small bakery", "Tamarack, a 30-seat restaurant": an appositive
# that says the name is a business; then no place of the same name ("Tamarack, Minnesota")
# makes it one
BUSINESS_APPOSITIVE = re.compile(
    r"(?P<org>[A-Z][\w&'’.-]*(?:\s+(?:[A-Z][\w&'’.-]*|&|of|and)){0,4}),\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:carrier|company|firm|restaurant|caf[eé]|bakery|bar|business|chain|store|shop|practice|clinic|agency|nonprofit|non-profit|"
    r"organi[sz]ation|manufacturer|contractor|outfitter|dealership|hotel|inn|farm|ranch|mill|plant|factory|brewery|winery|"
    r"newspaper|station|magazine|publisher|startup|cooperative|co-op|employer)\b"
)
# "working in Costco", "employed by Acme", "my job at Target": a name where someone works
WORKS_AT = re.compile(
    r"\b(?:work(?:s|ing)?|(?:has|have|'ve|’ve)\s+worked|employed|job|position|runs|owns|drives|driving|(?:I'm|I’m|I\s+am|he's|he’s|she's|she’s)(?=\s+(?:at|with)\b))"
    r"\s+(?:[\w-]+\s+){0,2}?(?:at|in|for|with|by)?\s*(?:the\s+)?"
    r"(?P<org>[A-Z][\w&'’.-]*(?:\s+(?:[A-Z][\w&'’.-]*|&|of|and)){0,4})"
)
# front matter about the archive that recorded the interview, not the narrator's employer
# ("This oral history was conducted as part of the X Center Oral History Project")
ARCHIVE_CONTEXT = re.compile(
    r"\b(?:oral\s+histor(?:y|ies)|conducted\s+(?:for|by|as\s+part)|recorded\s+(?:for|by)|transcribed|transcript|copyright|"
    r"rights\s+reserved|reserved\s+by|literary\s+rights|manuscript|permission|made\s+available|deposited|donated|interview\w*\s+(?:\w+\s+){0,4}?for\s+the)\b",
    re.IGNORECASE,
)


CAPITALIZED_RUN = re.compile(r"\b[A-Z][\w.&'’-]*(?:\s+(?:[A-Z][\w.&'’-]*|of|the|and|for|de))*")


ORG_HEAD = re.compile(rf"^(?:{ORG_HEADS})$")


ORG_CUE = re.compile(
    r"\b(?:at|for|with|of|from|joined|in|into|by|to|within)\s+(?:the\s+)?$", re.IGNORECASE
)


STUDY_CUE = re.compile(
    r"\b(?:graduated|graduate|degree|diploma|credential|certificate|certification|studied|studying|attended|enrolled|trained|"
    r"alumn\w*|student|majored|school\s+at|college\s+at|went\s+to|study|class(?:es)?|courses?|training|program(?:me)?)\b[^.;]*$",
    re.IGNORECASE,
)
# wordfreq's Zipf scale: "institution" 4.4, "target" 4.8; chains and names ("Costco" 3.3) fall below
COMMON_WORD_ZIPF = 4.0
NOT_ORGANIZATION_WORDS = {"I", "The", "A", "An", "He", "She", "They", "We", "It", "This", "That", "My", "Our", "His", "Her", "Their"}


def extract_organization(document: Document, interviewee_blocks: list[Block]) -> Fact | None:
    """The interviewee's employer or institution: a named body introduced as where they work."""
    # "Employer: Tucson Medical Center" (or the label on a line of its own) says it outright
    for field in document_fields(document):
        value = field.value.rstrip(".")
        if field.kind == "organization" and 0 < len(value.split()) <= 10 and value[:1].isupper():
            begin = field.line.text.find(value, field.start)
            return extracted_fact(value, field.line.evidence(begin, begin + len(value), "organization.field-line", 0.9))
    found: list[tuple[float, str, Evidence]] = []
    interviewee_ids = identities(interviewee_blocks)
    cited = reference_blocks(document)
    for index, block in enumerate(document.blocks):
        if block.kind == "u" and id(block) not in interviewee_ids or block.id in cited:
            continue
        for sentence in sentences(block):
            if block.kind != "u" and ARCHIVE_CONTEXT.search(sentence[2]):
                continue
            # a transcript's prose is its front matter: an employer there is one of a sentence
            # about someone's work ("a 4th grade teacher at X", "she worked at X", "the head
            # sommelier at X": the job-at rule says so itself)
            if block.kind != "u" and document.form == "transcript" and not (WORK_VERB.search(sentence[2]) or occupation_pattern().search(sentence[2])):
                found += [c for c in _unnamed_kind(block, sentence, index) if c[2].rule in {"organization.job-at-name", "organization.works-at-name"}]
                continue
            found += _unnamed_kind(block, sentence, index)
            found += _named_entities(block, sentence, index)
            for match in CAPITALIZED_RUN.finditer(sentence[2]):
                words = match.group(0).split()
                heads = [i for i, w in enumerate(words) if ORG_HEAD.match(re.sub(r"(?:['’]s)?[.,;:’']*$", "", w))]
                if not heads:
                    continue
                last = heads[-1]
                # "University of Texas": a trailing "of <Name>" belongs to the institution
                if last + 2 < len(words) and words[last + 1] == "of" and words[last + 2][0].isupper():
                    last = len(words) - 1
                run = words[: last + 1]
                # "Ed for the Textile Archives": a name before "for/at/with/from" is not part of the body
                cut = next((i for i, w in enumerate(run[:-1]) if w in {"for", "at", "with", "from", "by"} and not any(ORG_HEAD.match(x) for x in run[:i])), None)
                if cut is not None:
                    run = run[cut + 1:]
                while run and (run[0].lower() in {"the", "of", "and", "for", "de"} or run[0] in {"On", "In", "At", "During", "When", "While", "Since", "As", "For", "By", "A", "An", "The"}):
                    run = run[1:]
                if len(run) < 2:
                    continue
                org = " ".join(run).rstrip(".,;:’'")
                # a heading capitalises every word: "in the Guidance Office" there is no name
                if block.kind == "head" and all(zipf(w.strip(".,;:’'")) >= COMMON_WORD_ZIPF - 0.5 for w in run):
                    continue
                start = sentence[2].find(run[0], match.start())
                # "X Unit of the Y Department", "Officer Jane Roe of the Y Department": the larger
                # body is the employer
                # ("Department of Correctional Services" is one name: only a unit or a person before "of")
                nested = re.search(rf"(?:\b(?:Unit|Division|Section|Branch|Squad|Team|Bureau|Precinct|Office)|^(?:{HONORIFIC}\s+)?[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+of\s+(?:the\s+)?(?P<outer>(?:[A-Z][\w.'’-]*\s+){{1,5}}(?:{ORG_HEADS}))$", org)
                if nested:
                    start += nested.start("outer")
                    org = nested.group("outer")
                # an employer is introduced by a preposition or verb ("at", "with the", "joined");
                # a bare mention ("Police Department officials said") is not said to be theirs
                if not ORG_CUE.search(sentence[2][:start]):
                    continue
                if _not_current_work(sentence[2], start, block.kind == "u"):
                    continue
                score = 0.8 - 0.02 * min(index, 10) + (0.05 if re.search(r"Department|School|Library|University|Hospital|College", org) else 0)
                score += 0.05 if WORK_CONTEXT.search(sentence[2]) else 0
                found.append((score, org, sentence_evidence(block, sentence, start, start + len(org), "organization.named-institution", round(score, 2))))
    if not found:
        return None
    best = max(found, key=lambda f: f[0])
    return extracted_fact(best[1], best[2])


# "head sommelier at Fennel & Oak", "funeral director at Pruett & Sons Funeral Home": a job,
# then where it is done
JOB_AT = re.compile(
    r"\b(?P<job>[a-z][\w-]*)\s+(?:at|for|with)\s+(?:the\s+)?(?P<org>[A-Z][\w&'’.-]*(?:\s+(?:[A-Z][\w&'’.-]*|&|of|and)){0,5})"
)


# "who bakes for", "she drives long-haul for": a person doing something for the business
DOES_FOR = re.compile(r"\b(?:who|he|she|they|I)\s+(?:[a-z]+(?:s|ed)|drove|ran|wrote|taught)\s+(?:[\w-]+\s+){0,2}?(?:for|at|with)\s+(?:the\s+)?$")


def _unnamed_kind(block: Block, sentence: tuple[int, int, str], index: int) -> list[tuple[float, str, Evidence]]:
    """Employers without an institution word in their name: a lower-case unit after a
    capitalised name ("from the Juniper hills squad"), or a name the person works at
    ("working in Costco") that is not a place ("working in Chicago")."""
    text = sentence[2]
    found = []
    for match in LOWER_CASE_UNIT.finditer(text):
        if _not_current_work(text, match.start(), block.kind == "u"):
            continue
        score = round(0.75 - 0.02 * min(index, 10), 2)
        found.append((score, match.group("org"), sentence_evidence(block, sentence, match.start("org"), match.end("org"), "organization.named-unit", score)))
    for match in JOB_AT.finditer(text):
        org = match.group("org").rstrip(".,;:’'")
        words = org.split()
        while words and words[-1] in {"&", "of", "and"}:
            words.pop()
        org = " ".join(words)
        job = match.group("job")
        if not words or not (occupation_pattern().fullmatch(job) or generic_job(job)) or words[0] in NOT_ORGANIZATION_WORDS:
            continue
        if is_place_name(org) or is_place_name(words[0]) and len(words) == 1 or DATE.match(org) or _not_current_work(text, match.start("org"), block.kind == "u"):
            continue
        if len(words) == 1 and zipf(org) >= COMMON_WORD_ZIPF:
            continue
        score = round(0.72 - 0.02 * min(index, 10), 2)
        found.append((score, org, sentence_evidence(block, sentence, match.start("org"), match.start("org") + len(org), "organization.job-at-name", score)))
    for match in BUSINESS_APPOSITIVE.finditer(text):
        org = match.group("org").rstrip(".,;:’'")
        words = org.split()
        before = text[: match.start("org")]
        if words[0] in NOT_ORGANIZATION_WORDS or not ORG_CUE.search(before) or not (WORK_VERB.search(before) or occupation_pattern().search(before) or DOES_FOR.search(before)):
            continue  # only where the sentence says someone works there
        if _not_current_work(text, match.start("org"), block.kind == "u"):
            continue
        score = round(0.74 - 0.02 * min(index, 10), 2)
        found.append((score, org, sentence_evidence(block, sentence, match.start("org"), match.start("org") + len(org), "organization.business-appositive", score)))
    for match in WORKS_AT.finditer(text):
        org = match.group("org").rstrip(".,;:’'")
        words = org.split()
        if words[0] in NOT_ORGANIZATION_WORDS or is_place_name(org) or (len(words) == 1 and zipf(org) >= COMMON_WORD_ZIPF) or DATE.match(org) or ORG_HEAD.match(words[-1]):
            continue  # a place, a date, or a name the institution-word rule reads already
        if _not_current_work(text, match.start(), block.kind == "u"):
            continue
        score = round(0.7 - 0.02 * min(index, 10), 2)
        found.append((score, org, sentence_evidence(block, sentence, match.start("org"), match.start("org") + len(org), "organization.works-at-name", score)))
    return found


def _named_entities(block: Block, sentence: tuple[int, int, str], index: int) -> list[tuple[float, str, Evidence]]:
    """With a statistical model installed (``nlp.py``): an ORG entity introduced as where
    someone works ("works for Baylor Scott & White Health"), which no institution word marks.
    Only sentences about work, with a preposition or verb before a capital, are parsed."""
    text = sentence[2]
    if not nlp.available() or not WORK_CONTEXT.search(text) or not re.search(r"\b(?:at|for|with|from|joined|by|in|of)\s+(?:the\s+)?[A-Z]", text):
        return []
    analysis = nlp.analyze(text)
    found = []
    for entity in analysis.entities if analysis else ():
        org = re.sub(r"^(?i:the)\s+", "", entity.text).rstrip(".,;:’'")
        start = text.find(org, entity.start)
        if entity.label != "ORG" or start < 0 or not ORG_CUE.search(text[:start]) or is_place_name(org) or org.split()[0] in NOT_ORGANIZATION_WORDS:
            continue
        # one capitalised common noun ("the Institution") is no name, nor is a name used to
        # describe a noun ("the COVID-19 surge")
        if len(org.split()) == 1 and zipf(org) >= COMMON_WORD_ZIPF:
            continue
        following = re.match(r"\s+([a-z]+)", text[start + len(org):])
        if following and following.group(1) not in PHRASE_ENDERS | {"is", "was", "has", "had", "which", "where", "since"}:
            continue
        if _not_current_work(text, start, block.kind == "u"):
            continue
        score = round(0.72 - 0.02 * min(index, 10), 2)
        found.append((score, org, sentence_evidence(block, sentence, start, start + len(org), "organization.named-entity", score)))
    return found


def _not_current_work(text: str, start: int, in_turn: bool) -> bool:
    """Is the name at ``start`` where someone studied ("graduated from the University of X",
    "classes at ..."), worked before ("Before that he was employed at ...", "retired from"), or
    where one of their people works ("his wife is a nurse at ...", in a turn "my wife ...")?"""
    return bool(
        STUDY_CUE.search(text[max(0, start - 60): start]) or PREVIOUS_EMPLOYER.search(text[:start])
        or OTHER_PERSON.search(text[:start]) or (in_turn and OTHER_PERSON_IN_TURN.search(text[:start]))
        or FAMILY_SUBJECT.match(text)
    )


# "Daddy loaded coal for the Laurel Fork company": a parent's work, told without "my"
FAMILY_SUBJECT = re.compile(r"\s*(?:Daddy|Mommy|Dad|Mom|Mum|Mama|Papa|Pa|Ma|Father|Mother|Grandpa|Grandma|Granddad|Grandad|Grandmother|Grandfather|Granny)\b")
