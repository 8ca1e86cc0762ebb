"""The interviewee's and the interviewer's names, where the text states them.
"""

from __future__ import annotations

import re

from oral_archive.schemas.record import Evidence, Fact

from ..document import Block, Document
from .common import (
    DATE,
    HONORIFIC,
    INITIALS_NAME,
    LABEL_SUFFIX,
    NAME,
    NAME_LIST,
    NAME_SEPARATOR,
    NAME_WORD,
    NOT_NAME_WORDS,
    PERSON_NAMES,
    document_fields,
    extracted_fact,
    leading_lines,
    per_document,
    sentence_evidence,
    sentences,
    title_block,
)
from .occupation import generic_job, occupation_pattern, occupations

INTERVIEWER_SENTENCE = re.compile(
    r"\b(?:I|we|the author|the interviewer)\b(?:\s+[\w-]+){0,5}?\s+(?:interview(?:ed)?|to interview|an interview|the interview)\b"
    r"|\binterview\b[^.]{0,40}\b(?:I|we)\s+(?:talked|spoke|sat\s+down|chatted)\s+(?:to|with)\b"
    r"|\b(?:I|we)\s+(?:sent|e-?mailed|asked|put)\s+(?:him|her|them)\s+(?:\w+\s+){0,2}questions\b",
    re.IGNORECASE,
)


NAME_RULES: list[tuple[str, re.Pattern[str], float]] = [
    # a name paired with a job title names the person the essay is about
    ("name.appositive-occupation", re.compile(rf"\b(?i:with|interviewed|interviewing|met|meet)\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME}),\s+(?:a|an|the)\s+(?P<occ>(?:[\w-]+\s+){{0,3}}[\w-]+(?:\s+[\w-]+)?)"), 0.9),
    ("name.interviewed", re.compile(rf"\b(?i:interviewed)\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME})"), 0.85),
    # "My interviewee, Sarah Johnson, is ...", "the narrator, Mr. Quintero,"
    ("name.interviewee-appositive", re.compile(rf"\b(?i:interviewee|narrator|respondent)\s*,\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME})\s*[,.;(]"), 0.85),
    # "I had the opportunity to interview Jane Doe", "I spoke with Jane Doe about ..."
    ("name.interview-verb", re.compile(rf"\b(?i:to\s+interview|I\s+interview|spoke\s+(?:with|to)|talked\s+(?:with|to)|sat\s+down\s+with|(?:job-)?shadow(?:ed|ing)?|spen[dt]\s+(?:an?\s+(?:hour|day|morning|afternoon|evening|shift)|the\s+(?:morning|afternoon|day|evening)|time)\s+with)\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME})\b"), 0.8),
    ("name.interview-with", re.compile(rf"\b(?i:interview(?:ed)?\s+with)\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME})"), 0.8),
    ("name.name-is", re.compile(rf"\b(?:his|her|their|whose|interviewee's|interviewee’s)\s+(?:full\s+)?name\s+(?:is|was)\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME})"), 0.8),
    # "Dawn Thatcher Interview, July 9, 1991", "Jane Roe Oral History": a title naming its narrator
    # ("Jessica Nail's Interview with a Teacher" is the interviewer's, so no possessive)
    ("name.title-name-interview", re.compile(rf"^(?P<hon>)(?P<name>{PERSON_NAMES})\s+(?:Oral\s+History\s+)?(?:Interview|Oral\s+History)\b"), 0.75),
    ("name.is-honorific", re.compile(rf"\b(?:is|was)\s+(?P<hon>{HONORIFIC}\s+)(?P<name>{NAME})"), 0.7),
    # "These answers are from K. Morrow.": whose answers an e-mail or written interview gives
    ("name.answers-from", re.compile(rf"\b(?i:(?:these|the|his|her|their|my)\s+(?:answers|responses|replies)\s+(?:are|were|came|come)\s+from)\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{INITIALS_NAME}|{NAME})\b"), 0.8),
    # "The E.M.T. I chose to interview was my friend Rob": someone the author knows, by first
    # name (kept only in a sentence about the interview)
    ("name.relation-name", re.compile(
        rf"\b(?i:my|our)\s+(?:\w+['’]s\s+)?(?:(?i:good|best|old|close|longtime|long\s+time|family)\s+)?(?:(?i:great-|great\s+))?(?i:friend|uncle|aunt|cousin|father|mother|dad|mom|"
        rf"grandfather|grandmother|grandpa|grandma|neighbou?r|brother|sister|brother-in-law|sister-in-law|colleague|co-?worker|boss|mentor|"
        rf"stepfather|stepmother|husband|wife)\s*,?\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME})\b"), 0.75),
]
# "My name is Jonah Rivard.": a participant introducing themselves in their own turn
SELF_INTRODUCTION = re.compile(rf"\b(?:[Mm]y\s+(?:full\s+)?name\s+is|I\s+am|I'm|I’m)\s+(?P<name>{PERSON_NAMES})\b")


# "by R.W. Hadley and E.M. Soderholm", "Interview by Milo Fenwick, Year 10", "By Janine
# Dobrowski | March 8, 2022": a by-line, with what a page adds after the names
BY_LINE = re.compile(
    rf"(?:(?:[Ii]nterviews?|INTERVIEWS?|[Oo]ral\s+[Hh]istory)\s+)?(?:(?:[Ii]nterviewed|[Cc]onducted|[Rr]ecorded|INTERVIEWED|CONDUCTED|RECORDED)\s+)?(?:[Bb]y|BY)\s+"
    rf"(?P<names>(?:{PERSON_NAMES})(?:{NAME_SEPARATOR}(?:{PERSON_NAMES}))*)\.?(?:\s*(?:,|\||–|—|·)\s*[^|]{{1,60}})?"
)


def speaker_label_name(document: Document, label: str, rule: str) -> Fact | None:
    """A speaker label that is a full name ("Jane Doe:", "<v Tom Reyes>"; an all-capitals
    "MARIA LOPEZ" is read as "Maria Lopez"); "Q", "FF" or a bare surname is not."""
    name = label.title() if label.isupper() else label
    if not re.fullmatch(rf"{PERSON_NAMES}", name) or name.split()[0] in NOT_NAME_WORDS or name.lower() in occupations():
        return None
    first = next((b for b in document.blocks if b.speaker_label == label), None)
    if first is None:
        return None
    line = next((l.text for l in document.cleaned.lines if l.number == first.line), "")
    # the label was cut off the utterance: the evidence is the turn's first line, span empty
    return extracted_fact(name, Evidence(segment=first.id, start=0, end=0, text=line.strip() or name, rule=rule, confidence=0.7))


def named_again(document: Document, where: Block, name: str) -> bool:
    """Is ``name`` a person the text talks about: the full name again elsewhere, or its last
    word capitalized inside a sentence ("... Thatcher discusses")? Rules out title words
    such as "Detective Career Interview"."""
    surname = name.split()[-1]
    # a speaker label naming them in full, or by surname ("BERG:" in "Interview with Jonas Berg")
    if any(s.label.casefold() in (name.casefold(), surname.casefold()) for s in document.speakers):
        return True
    for block in document.blocks:
        if block is where:
            continue
        if name in block.text:
            return True
        if any(re.search(rf"(?<=[a-z,;] ){re.escape(surname)}\b", sentence[2]) for sentence in sentences(block)):
            return True
    return False


def extract_interviewee_name(document: Document, speaker_label: str | None) -> Fact | None:
    """The interviewee's name where the text states it: a field line ("Narrator: Jane Doe"), a
    title "Interview with <Name>", "I interviewed Mr. Alan Pryce", a full-name speaker label,
    or an honorific name the opening paragraphs keep using ("Mr. Pettigrew")."""
    for field in document_fields(document):
        match = re.match(rf"(?:{HONORIFIC}\s+)?(?P<name>{PERSON_NAMES}){LABEL_SUFFIX}\.?$", field.value)
        if field.kind == "interviewee" and match and match.group("name").split()[0] not in NOT_NAME_WORDS:
            begin = field.line.text.find(match.group("name"), field.start)
            return extracted_fact(match.group("name"), field.line.evidence(begin, begin + len(match.group("name")), "name.field-line", 0.9))
    # "Oral History Interview with / Clement R. Haskins": a title split over lines
    if len(document.title_lines) > 1 and document.title:
        match = re.search(rf"\binterview\s+with\s+(?P<name>{NAME})$", document.title, re.IGNORECASE)
        last = document.title_lines[-1]
        block = next(b for b in document.blocks if b.kind == "head" and b.line == last.number)
        if match and match.group("name") == block.text.strip() and match.group("name").split()[0] not in NOT_NAME_WORDS:
            return extracted_fact(match.group("name"), Evidence(segment=block.id, start=0, end=len(block.text), text=document.title, rule="name.title-interview-with", confidence=0.8))
    # "Oral History Interview with Clement R. Haskins", "I interviewed Mr. Alan Pryce", "I met with
    # Patrick Murphy, a police officer", "his name is Officer Jack Rowell"; the most telling wins
    found: list[tuple[float, int, Fact]] = []
    for order, block in enumerate(document.blocks):
        if block.kind == "u":
            continue
        for sentence in sentences(block):
            for rule, rx, confidence in NAME_RULES:
                for match in rx.finditer(sentence[2]):
                    name = match.group("name")
                    if name.split()[0] in NOT_NAME_WORDS or name.lower() in occupations():
                        continue
                    if rule == "name.appositive-occupation" and not occupation_pattern().match(match.group("occ")):
                        continue
                    # a name read off a title line, or one made of job words ("Interview with Law
                    # Enforcement Officer"), must be someone the text goes on to talk about
                    doubtful = block.kind == "head" or any(w.lower() in occupations() or w.lower().removesuffix("s") in occupations() for w in name.split())
                    if doubtful and not named_again(document, block, name):
                        continue
                    hon = match.groupdict().get("hon")
                    # a lone first name counts only for someone the author introduces for the interview
                    if len(name.split()) == 1 and not hon and not (rule == "name.relation-name" and "interview" in sentence[2].lower()):
                        continue
                    # "Mr. Pettigrew" keeps its honorific; a full name stands without it
                    value = f"{hon.strip()} {name}" if len(name.split()) == 1 and hon else name
                    begin = match.start("hon") if len(name.split()) == 1 and hon else match.start("name")
                    found.append((confidence, -order, extracted_fact(value, sentence_evidence(block, sentence, begin, match.end("name"), rule, confidence))))
    found += _subject_of_a_job(document) + _profile_subject(document) + _title_names(document)
    if found:
        return max(found, key=lambda f: (f[0], f[1]))[2]
    # a transcript whose interviewee speaks under a full name ("Jane Doe:"), or says it
    if speaker_label and (fact := speaker_label_name(document, speaker_label, "name.speaker-label")):
        return fact
    if speaker_label and (fact := self_introduction(document, "interviewee")):
        return fact
    # the honorific name mentioned most often in the opening paragraphs
    counts: dict[str, tuple[int, Block, tuple[int, int, str], int, int]] = {}
    for block in [b for b in document.blocks if b.kind == "p"][:4]:
        for sentence in sentences(block):
            for match in re.finditer(rf"\b(?P<hon>{HONORIFIC})\s+(?P<name>{NAME})", sentence[2]):
                key = match.group("name").split()[-1]
                n = counts.get(key, (0, block, sentence, match.start(), match.end()))[0]
                counts[key] = (n + 1, block, sentence, match.start(), match.end())
    if counts:
        surname, (n, block, sentence, start, end) = max(counts.items(), key=lambda kv: kv[1][0])
        if n >= 2 or sentence[2].lstrip().startswith(sentence[2][start:end]):
            return extracted_fact(sentence[2][start:end], sentence_evidence(block, sentence, start, end, "name.frequent-honorific", 0.6))
    return _recurring_surname(document)


def _recurring_surname(document: Document) -> Fact | None:
    """"At 6:10 on a foggy morning, Len Fairweather starts up a ladder ... Fairweather, 49, told me
    ...": in a profile the full name comes early and the surname alone again and again; the
    first full name of the opening paragraphs whose surname recurs alone at least twice."""
    paragraphs = [b for b in document.blocks if b.kind == "p"]
    body = None  # the paragraphs joined, made once a candidate needs it
    for block in paragraphs[:2]:
        for sentence in sentences(block):
            for match in re.finditer(rf"(?<![\w.])(?P<name>{NAME_WORD}\s+{NAME_WORD})\b(?!\s+{NAME_WORD})", sentence[2]):
                first, surname = match.group("name").split()
                if first in NOT_NAME_WORDS or first in MONTHS_AND_DAYS or match.group("name").lower() in occupations():
                    continue
                if body is None:
                    body = " ".join(b.text for b in paragraphs)
                alone = re.findall(rf"(?<!{re.escape(first)} )\b{re.escape(surname)}\b(?!\s+{NAME_WORD})", body)
                if len(alone) >= 2:
                    return extracted_fact(match.group("name"), sentence_evidence(block, sentence, match.start("name"), match.end("name"), "name.recurring-surname", 0.55))
    return None


def extract_interviewer_name(document: Document) -> Fact | None:
    """"by R.W. Hadley and E.M. Soderholm" or "Interviewer: Jane Doe" on a line of its own,
    or "interviewed by Jane Doe" in a sentence."""
    if (titled := _title_interviewer(document)) is not None:
        return titled
    for field in document_fields(document):
        # "Interviewer: Stuart Ellery, volunteer": a remark after the name
        match = re.fullmatch(rf"(?P<names>{NAME_LIST}){LABEL_SUFFIX}(?:\s*,\s*[a-z][\w ]{{0,30}})?\.?", field.value)
        if field.kind == "interviewer" and match and match.group("names").split()[0] not in NOT_NAME_WORDS:
            begin = field.line.text.find(match.group("names"), field.start)
            return extracted_fact(match.group("names"), field.line.evidence(begin, begin + len(match.group("names")), "interviewer.field-line", 0.9))
    for line in leading_lines(document)[:60]:
        text = line.text.strip()
        match = BY_LINE.fullmatch(text)
        if match and match.group("names").split()[0] not in NOT_NAME_WORDS:
            names = _without_titles(match.group("names").strip().rstrip("."))
            begin = line.text.find(names)
            return extracted_fact(names, line.evidence(begin, begin + len(names), "interviewer.by-line", 0.8))
    for block in document.blocks:
        if block.kind == "u":
            continue
        for sentence in sentences(block):
            match = re.search(rf"\binterviewed\s+by\s+(?P<names>{NAME})", sentence[2])
            if match and match.group("names").split()[0] not in NOT_NAME_WORDS:
                return extracted_fact(match.group("names"), sentence_evidence(block, sentence, match.start("names"), match.end("names"), "interviewer.interviewed-by", 0.8))
    return self_introduction(document, "interviewer") or essay_heading_author(document) or _posted_by(document)


# one person of a list of names: a full name ("Harvey Schwartz", "J.T. Curry"), with an
# honorific or not; a single word ("Smith" of "Smith and Wesson") is no person by itself
ONE_PERSON = re.compile(rf"(?:{HONORIFIC}\s+)?(?:{PERSON_NAMES})")


def split_names(fact: Fact | None) -> list[Fact]:
    """The people a name value lists, each its own fact with its own span: "J.T. Curry and
    P.D. Lagerquist" is two interviewers. A value is split only where every part is a full
    name on its own, so "Smith and Wesson" (or "Johnson & Johnson") stays one value."""
    if fact is None:
        return []
    value = fact.value
    separators = list(re.finditer(NAME_SEPARATOR, value))
    if not separators:
        return [fact]
    bounds = [0, *(i for m in separators for i in m.span()), len(value)]
    parts = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    if any(not ONE_PERSON.fullmatch(value[start:end]) or value[start:end].split()[0] in NOT_NAME_WORDS for start, end in parts):
        return [fact]
    evidence = fact.evidence
    # the value's span in its segment, when it has one (a name cut off as a label has none)
    spanned = evidence is not None and evidence.end - evidence.start == len(value)
    facts = []
    for start, end in parts:
        update = {"start": evidence.start + start, "end": evidence.start + end} if spanned else {}
        facts.append(fact.model_copy(update={"value": value[start:end], "evidence": evidence.model_copy(update=update) if evidence else None}))
    return facts


def extract_interviewer_names(document: Document) -> list[Fact]:
    """Each interviewer the text names, in the order named, each with its own evidence."""
    return split_names(extract_interviewer_name(document))


def _without_titles(names: str) -> str:
    """"Odette Farrant, Recording Secretary" -> "Odette Farrant": a list of names ends where a job
    title stands in it."""
    parts = re.split(f"({NAME_SEPARATOR})", names)
    kept = [parts[0]]
    for separator, part in zip(parts[1::2], parts[2::2]):
        if any(w.lower() in occupations() or occupation_pattern().fullmatch(w) for w in part.split()) or occupation_pattern().search(part):
            break
        kept += [separator, part]
    return "".join(kept)


def _posted_by(document: Document) -> Fact | None:
    """"Posted on June 14, 2018 by Tess Vandermolen": the author of a blog post that says "I
    interviewed" / "I talked to" is the interviewer. The line itself is page chrome (clean cut
    it out), so the evidence is the first sentence of the interview with an empty span."""
    evidence = interviewer_evidence(document)
    if evidence is None:
        return None
    for artifact in document.cleaned.artifacts:
        if artifact.kind == "boilerplate" and artifact.text.lower().startswith("posted"):
            match = re.search(rf"\b[Bb]y\s+(?P<name>{PERSON_NAMES})\b", artifact.text)
            if match and match.group("name").split()[0] not in NOT_NAME_WORDS:
                return extracted_fact(match.group("name"), evidence.model_copy(update={"start": evidence.start, "end": evidence.start, "rule": "interviewer.posted-by", "confidence": 0.6}))
    return None


# names a title gives its narrator: "Five Questions for a Sommelier: Julian Verhoeven", "Ten
# minutes with Desmond \"Dez\" Pennock", "A Conversation with Bookbinder Rowena Stoddart",
# "Priscilla Owusu-Lang, interviewed by Victor Lisle"
TITLE_NAMES = (
    re.compile(rf":\s*(?P<name>{PERSON_NAMES})(?:\s*\([^()]*\))?\s*$"),
    re.compile(
        rf"\b(?i:conversation|minutes|talk|chat|visit|afternoon|day|evening|morning|hour)\s+(?i:with)\s+(?:(?i:a|an|the)\s+)?(?:[A-Z][a-z]+\s+)??"
        rf"(?P<name>{NAME_WORD}(?:\s+[\"“][^\"”]{{1,20}}[\"”])?(?:\s+{NAME_WORD}){{1,2}})\s*$"
    ),
    re.compile(rf"^(?P<name>{PERSON_NAMES}),\s+(?i:interviewed\s+by)\s+(?P<by>{PERSON_NAMES})\s*$"),
)


def _title_names(document: Document) -> list[tuple[float, int, Fact]]:
    """The narrator a title names, when the text names them again (a capitalised title is
    read in title case)."""
    block = title_block(document)
    if block is None:
        return []
    text = block.text.title() if block.text.isupper() else block.text
    for pattern in TITLE_NAMES:
        match = pattern.search(text)
        if match is None or match.group("name").split()[0] in NOT_NAME_WORDS or match.group("name").lower() in occupations():
            continue
        name, start = match.group("name"), match.start("name")
        words = name.split()
        if len(words) > 2 and (words[0].lower() in occupations() or generic_job(words[0].lower())):
            start += len(words[0]) + 1  # "Bookbinder Rowena Stoddart": the job is no part of the name
            name = " ".join(words[1:])
        # the text goes on to call them by one part of the name ("Julian poured me ..."); a
        # part (no white space in it) is found in one block or another, never across two
        plain = re.sub(r"\s+[\"“][^\"”]*[\"”]", "", name).split()
        if any(_in_other_blocks(document, block, re.compile(rf"\b{re.escape(part)}\b")) for part in (plain[0], plain[-1])):
            return [(0.75, 0, extracted_fact(name, Evidence(segment=block.id, start=start, end=start + len(name), text=block.text, rule="name.title-names", confidence=0.75)))]
    return []


def _in_other_blocks(document: Document, block: Block, pattern: re.Pattern[str]) -> bool:
    """Does ``pattern`` match the text of a block other than ``block`` (as it would the
    blocks' texts joined with spaces, for a pattern that matches no space)?"""
    return any(pattern.search(other.text) for other in document.blocks if other is not block)


def _title_interviewer(document: Document) -> Fact | None:
    """"Priscilla Owusu-Lang, interviewed by Victor Lisle": the interviewer a title names."""
    block = title_block(document)
    match = TITLE_NAMES[2].search(block.text) if block is not None else None
    if match is None:
        return None
    return extracted_fact(match.group("by"), Evidence(segment=block.id, start=match.start("by"), end=match.end("by"), text=block.text, rule="interviewer.title", confidence=0.8))


MONTHS_AND_DAYS = frozenset(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
)


SUBJECT_OF_A_JOB = re.compile(rf"^\s*(?P<hon>)(?P<name>{PERSON_NAMES})(?:,\s+[^,]{{1,40}},)?\s+(?:is|was|has\s+been|works\s+as)\s+(?:a|an|the)\s+(?P<rest>.{{1,60}})")


def _subject_of_a_job(document: Document) -> list[tuple[float, int, Fact]]:
    """"Philippa Norcross, who goes by Pip, is a licensed practical nurse at ...": a full name
    whose predicate is a job, in the narrative."""
    found = []
    for order, block in enumerate(document.blocks):
        if block.kind != "p":
            continue
        for sentence in sentences(block):
            match = SUBJECT_OF_A_JOB.search(sentence[2])
            if match and match.group("name").split()[0] not in NOT_NAME_WORDS and occupation_pattern().match(match.group("rest")):
                found.append((0.7, -order, extracted_fact(match.group("name"), sentence_evidence(block, sentence, match.start("name"), match.end("name"), "name.subject-of-a-job", 0.7))))
    return found


def _profile_subject(document: Document) -> list[tuple[float, int, Fact]]:
    """"Anika Dhaliwal arrives at ...", "Molly Harcourt's van smells of ...": a feature story opens
    its first paragraph with the full name of the person it is about, then calls them by one
    part of it ("Dhaliwal, 29, was born ...", "Molly grew up ...")."""
    paragraphs = [b for b in document.blocks if b.kind == "p"][:2]
    body = None  # the text joined, made once a paragraph opens with a name
    for order, block in enumerate(paragraphs):
        match = re.match(rf"\s*(?P<name>{NAME_WORD}(?:\s+{NAME_WORD}){{1,2}})(?:['’]s)?\s+[a-z]", block.text)
        if match is None or match.group("name").split()[0] in NOT_NAME_WORDS:
            continue
        if body is None:
            body = " ".join(b.text for b in document.blocks if b.kind in ("p", "u"))
        parts = match.group("name").split()
        later = body[body.find(block.text) + match.end():]
        if any(re.search(rf"\b{re.escape(part)}\b(?!\s+{NAME_WORD})", later) for part in (parts[0], parts[-1])):
            sentence = sentences(block)[0]
            return [(0.6, -order, extracted_fact(match.group("name"), sentence_evidence(block, sentence, match.start("name"), match.end("name"), "name.profile-subject", 0.6)))]
    return []


def self_introduction(document: Document, role: str) -> Fact | None:
    """"My name is Jonah Rivard." in an early turn of a speaker with ``role``."""
    speakers = {s.id for s in document.speakers if s.role == role}
    for block in [b for b in document.blocks if b.kind == "u" and b.who in speakers][:3]:
        for sentence in sentences(block)[:3]:
            match = SELF_INTRODUCTION.search(sentence[2])
            if match and match.group("name").split()[0] not in NOT_NAME_WORDS and match.group("name").lower() not in occupations():
                return extracted_fact(match.group("name"), sentence_evidence(block, sentence, match.start("name"), match.end("name"), f"{'name' if role == 'interviewee' else 'interviewer'}.self-introduction", 0.75))
    return None


@per_document
def essay_heading_author(document: Document) -> Fact | None:
    """The student's name heading an essay (MLA style: name, then teacher or course, then the
    date, each on a line of its own), at the top or under the page's own title; in an essay
    reporting "I interviewed", the interviewer."""
    lines = leading_lines(document)[:16]
    for index, line in enumerate(lines):
        name = line.text.strip()
        if not re.fullmatch(PERSON_NAMES, name) or name.split()[0] in NOT_NAME_WORDS:
            continue
        below = lines[index + 1: index + 5]
        dated = next((i for i, other in enumerate(below) if DATE.fullmatch(other.text.strip().rstrip("."))), None)
        if dated is None or dated == 0 or any(len(other.text.split()) > 8 for other in below[:dated]):
            continue
        if interviewer_evidence(document) is None:
            return None
        return extracted_fact(name, line.evidence(0, len(name), "interviewer.essay-heading", 0.7))
    return None


@per_document
def interviewer_evidence(document: Document) -> Evidence | None:
    for block in document.blocks:
        if block.kind != "p":
            continue
        for sentence in sentences(block):
            match = INTERVIEWER_SENTENCE.search(sentence[2])
            if match:
                return sentence_evidence(block, sentence, match.start(), match.end(), "interviewer.first-person-interview", 0.8)
    return None
