"""What every extraction rule reads: sentences, source lines and "Label: value" fields of a
document, the shared vocabulary (numbers, honorifics, name shapes), and how a rule's
match becomes a ``Fact`` with ``Evidence``.
"""

from __future__ import annotations

import re
import threading
import weakref
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache, wraps
from itertools import islice
from typing import Any, Callable, TypeVar

from oral_archive.schemas.record import Evidence, Fact

from ..document import Block, Document

T = TypeVar("T")

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


NOT_NAME_WORDS = {
    "My", "The", "A", "An", "Our", "His", "Her", "Their", "This", "That", "Interview", "Oral", "History",
    # placeholders for a narrator who is not named ("Anonymous Peace Officer #1", "Speaker 2")
    "Anonymous", "Unknown", "Unnamed", "Unidentified", "Narrator", "Interviewee", "Interviewer", "Speaker", "Respondent",
}
# "K. Morrow", "R. W. Hadley": initials before a surname
INITIALS_NAME = rf"(?:[A-Z]\.\s?){{1,2}}{NAME_WORD}"
# initials a transcript header gives a participant: "Howard Sterne [HS]", "Jane Doe (JD)"
LABEL_SUFFIX = r"(?:\s*[\[(][A-Z][A-Z.]{0,5}[\])])?"


FIRST_PERSON = re.compile(r"\b(?:I|we|We|my|My|our|Our)\b")


THIRD_PERSON = re.compile(r"\b(?:he|she|they|his|her|their|him|them|interviewee)\b", re.IGNORECASE)


# a past job: "before that", "used to", "retired (from)", "left"
PREVIOUS_EMPLOYER = re.compile(
    r"\b(?:before\s+(?:that|this|then|joining|becoming)|previously|formerly|used\s+to|prior\s+to|retired|left|"
    # "her former employer", "a former teacher" (not "a former chapel")
    r"former\s+(?:\w+\s+)?(?:employer|job|position|post|role|boss|company|firm|workplace|colleague|\w+(?:er|or|ist|ian)\b))\b",
    re.IGNORECASE,
)


WORK_VERB = re.compile(r"\b(?:work(?:s|ed|ing)?|serv(?:es|ed|ing)|employed|hired|started|began|joined|teach(?:es|ing)?|taught|practi[cs](?:es|ed|ing)|retired|became|becoming|job|career)\b", re.IGNORECASE)


# a sentence about someone's work, where a place or tenure refers to that work
WORK_CONTEXT = re.compile(
    r"\b(?:work(?:s|ed|ing)?|job|employ(?:ed|er)|serv(?:es|ed|ing)|teach(?:es|ing)?|taught|station(?:ed)?|"
    r"department|hospital|school|office|interview(?:ed)?|career|based)\b",
    re.IGNORECASE,
)


PERSON_NAMES = rf"{NAME_WORD}(?:\s+(?:[A-Z]\.\s?)+{NAME_WORD}|(?:\s+{NAME_WORD}){{1,2}})|(?:[A-Z]\.\s?)+\s?{NAME_WORD}"


# what joins the names of several people: "A and B", "A & B", "A, B and C", "A, B, and C", "A; B"
NAME_SEPARATOR = r"(?:\s*[,;]\s*(?:and\s+|&\s*)?|\s+and\s+|\s*&\s*)"


NAME_LIST = rf"(?:{HONORIFIC}\s+)?(?:{PERSON_NAMES})(?:{NAME_SEPARATOR}(?:{HONORIFIC}\s+)?(?:{PERSON_NAMES}))*"


# Labels of metadata fields a page or a transcript header states ("Interviewer: Jane Doe",
# or the label on a line of its own and the value on the next), by what they give.
FIELD_LABELS = {
    "interviewer": "interviewer", "interviewers": "interviewer", "interviewed by": "interviewer", "submitted by": "interviewer",
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
    "originally published at": "url", "available at": "url", "web address": "url", "persistent link": "url",
    "permanent link": "url", "stable url": "url", "stable link": "url", "permanent url": "url", "persistent url": "url",
    "link to this page": "url", "page url": "url",
}


# other labels of catalog pages, never subjects themselves
METADATA_LABELS = {
    "description", "summary", "abstract", "rights", "document type", "type", "title", "creator", "publisher",
    "format", "identifier", "source", "notes", "note", "collection", "location", "place", "time period",
    "run time", "media type", "original date", "citation", "files", "duration", "length", "transcript",
}


FIELD_LINE_RX = re.compile(r"(?P<label>[A-Za-z][A-Za-z ]{1,30}?)\s*:\s*(?P<value>\S.*)")


MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]


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


def sentences(block: Block) -> list[tuple[int, int, str]]:
    return _split_cached(block.text)


# Every rule reads the same sentences: each block is split once (callers do not mutate the
# list). The cache holds the last texts split, up to this many characters (and entries) in
# all: it outlives the document, and a long document's text must not stay behind in it.
SENTENCE_CACHE_CHARS = 2_000_000
SENTENCE_CACHE_ENTRIES = 8192
_sentence_cache: OrderedDict[str, list[tuple[int, int, str]]] = OrderedDict()
_sentence_cache_chars = 0
_sentence_cache_lock = threading.Lock()


def _split_cached(text: str) -> list[tuple[int, int, str]]:
    global _sentence_cache_chars
    with _sentence_cache_lock:
        found = _sentence_cache.get(text)
        if found is not None:
            _sentence_cache.move_to_end(text)
            return found
    found = split_sentences(text)
    if len(text) <= SENTENCE_CACHE_CHARS:
        with _sentence_cache_lock:
            if text not in _sentence_cache:
                _sentence_cache[text] = found
                _sentence_cache_chars += len(text)
            while _sentence_cache_chars > SENTENCE_CACHE_CHARS or len(_sentence_cache) > SENTENCE_CACHE_ENTRIES:
                oldest, _ = _sentence_cache.popitem(last=False)
                _sentence_cache_chars -= len(oldest)
    return found


class BlockTexts(Sequence[str]):
    """The texts of ``blocks``, each made when it is read (``Block.text`` joins the block's
    inlines): a rule reading the whole text holds one block's text at a time, not a copy of
    the document."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        self._blocks = blocks

    def __len__(self) -> int:
        return len(self._blocks)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [block.text for block in self._blocks[index]]
        return self._blocks[index].text


def identities(blocks: list[Block]) -> set[int]:
    # identity, not dataclass equality: comparing every field of every block is quadratic work
    return {id(b) for b in blocks}


def sentence_evidence(block: Block, sentence: tuple[int, int, str], start: int, end: int, rule: str, confidence: float) -> Evidence:
    s_start, _, s_text = sentence
    return Evidence(
        segment=block.id,
        start=s_start + start,
        end=s_start + end,
        text=s_text.strip(),
        rule=rule,
        confidence=confidence,
    )


def extracted_fact(value: str, evidence: Evidence, normalized: str | None = None) -> Fact:
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


def per_document(function: Callable[..., T]) -> Callable[..., T]:
    """Remember ``function``'s answer for the last document (and arguments) it was asked about:
    several rules ask for the same document's lines, fields or heading. Documents are compared
    by identity: comparing every field of every block would cost more than the work saved.

    The document is held by a weak reference, and the answer forgotten when the document
    goes: a document is many times its text's size, and the memo must not keep it (or the
    blocks an answer points into) alive after extraction."""
    memo: list[Any] = []  # [weak reference to the document, arguments, answer]

    def forget(reference: weakref.ref) -> None:
        if memo and memo[0] is reference:
            memo.clear()

    @wraps(function)
    def remembered(document: Document, *args: Any) -> T:
        if memo and memo[0]() is document and memo[1] == args:
            return memo[2]
        result = function(document, *args)
        memo[:] = [weakref.ref(document, forget), args, result]
        return result

    return remembered


@per_document
def document_lines(document: Document, kinds: tuple[str, ...] = ("head", "p")) -> list[LineSpan]:
    """The cleaned lines found in the blocks that hold them, in order.

    Line-shaped facts ("by R.W. Hadley", "Kokomo, Indiana", "Interviewer: ...") must be
    read per line even when structure joined several lines into one paragraph. A line
    whose text cannot be found verbatim in its block (time stamps, speaker labels) is left
    out rather than guessed at. (The rules read ``leading_lines``, or ``iter_document_lines``
    when they read on: a list of every line of a long text is not needed.)
    """
    return list(iter_document_lines(document, kinds))


# Where pages and transcripts put their metadata: the rules that read lines read no further.
LEADING_LINES = 80


@per_document
def leading_lines(document: Document) -> list[LineSpan]:
    """The first ``LEADING_LINES`` of ``document_lines(document)``, found without the rest."""
    return list(islice(iter_document_lines(document), LEADING_LINES))


def iter_document_lines(document: Document, kinds: tuple[str, ...] = ("head", "p")) -> Iterator[LineSpan]:
    """``document_lines``, one at a time."""
    blocks = sorted((b for b in document.blocks if b.kind in kinds), key=lambda b: b.line)
    starts = [b.line for b in blocks]
    cursors: dict[str, int] = {}
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
                    yield LineSpan(block, at, at + len(text))
                    break


@dataclass(frozen=True)
class FieldValue:
    """A stated metadata field: what it gives, and where its value stands."""

    kind: str  # a value of FIELD_LABELS
    line: LineSpan  # the line holding the value
    start: int  # offset of the value in that line's text

    @property
    def value(self) -> str:
        return self.line.text[self.start:].strip()


@per_document
def document_fields(document: Document, limit: int = 80) -> list[FieldValue]:
    """"Label: value" lines, and a label alone on a line with its value on the next, in the
    first ``limit`` lines (where pages and transcripts put their metadata)."""
    lines = leading_lines(document)[:limit] if limit <= LEADING_LINES else document_lines(document)[:limit]
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


def answers_to(document: Document, question: re.Pattern[str]) -> list[tuple[Block, tuple[int, int, str]]]:
    """The interviewee's first sentence right after an interviewer's turn matching ``question``."""
    roles = {s.id: s.role for s in document.speakers}
    found = []
    for asked, answer in zip(document.blocks, document.blocks[1:]):
        if asked.kind == "u" and answer.kind == "u" and roles.get(asked.who or "") == "interviewer" and roles.get(answer.who or "") == "interviewee":
            if question.search(asked.text) and (answer_sentences := sentences(answer)):
                found.append((answer, answer_sentences[0]))
    return found


_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
DATE = re.compile(
    rf"(?P<mdy>(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}}))"
    rf"|(?P<dmy>(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH}),?\s+(?P<y2>\d{{4}}))"
    rf"|(?P<iso>(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}}))"
)


# someone else than the interviewee, one of their own people: "Her brother works as a chef",
# "Their daughter, 24, works as" (an essay's "my uncle" is often the interviewee)
_FAMILY = (
    r"(?:brother|sister|father|mother|dad|mom|son|daughter|husband|wife|uncle|aunt|cousin|grandfather|grandmother|friend|partner|"
    r"colleague|co-?worker|boss|neighbou?r|parents?|family)"
)
OTHER_PERSON = re.compile(rf"\b(?:his|her|their)\s+{_FAMILY}\b", re.IGNORECASE)
# in the interviewee's own turn, "my mom" is someone else too ("My mom's a nurse back in Amarillo")
OTHER_PERSON_IN_TURN = re.compile(rf"\b(?:his|her|their|my|our)\s+{_FAMILY}\b", re.IGNORECASE)


@per_document
def title_block(document: Document) -> Block | None:
    """The heading block that holds the document's (first) title line, if structure found one."""
    if not document.title_lines:
        return None
    first = document.title_lines[0].number
    return next((b for b in document.blocks if b.kind == "head" and b.line == first), None)


@lru_cache(maxsize=4096)
def zipf(word: str) -> float:
    """wordfreq's Zipf frequency of an English word (a runtime dependency, imported on first use):
    "institution" 4.4, "farrier" 2.3, a typo 0."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en")


# "References", "Works Cited": what follows cites other works, it says nothing of the interviewee
REFERENCES_HEADING = re.compile(r"(?:references?|works\s+cited|bibliography|sources|citations?|reference\s+list)\s*:?", re.IGNORECASE)


@per_document
def reference_blocks(document: Document) -> frozenset[str]:
    """Ids of the blocks from a references heading to the end of the text."""
    ids: set[str] = set()
    cited = False
    for block in document.blocks:
        cited = cited or bool(REFERENCES_HEADING.fullmatch(block.text.strip()))
        if cited:
            ids.add(block.id)
    return frozenset(ids)
