"""Topics: keywords a transcript is about, found by YAKE and filtered to read as keywords.

Candidates (one word, or two adjacent words) come from YAKE (Campos et al., "YAKE! Keyword
extraction from single documents using multiple local features", Information Sciences 509,
2020), through ``yake-rust``: an MIT-licensed port of the algorithm (the reference Python
package, ``yake``, is under the AGPL v3, not a dependency for an MIT-licensed program that
serves a reading room over the network; see docs/extraction.md). YAKE scores a term by where and how it is used in the text (casing,
position, spread over sentences, the words around it): no training, no model, no network.

What YAKE proposes is then filtered, because a catalogue reader should not see it:

- names and places: a term with a word never written in lower case in the text (a proper
  noun; names and places have their own fields and may be restricted from export);
- the interview itself: "interview", "interviewee", "transcript", "recording", speaker labels;
- transcriber notes ("[laughs]", "(pause)", "inaudible"): bracketed notes are not read, and
  their words are refused;
- stop words, numbers written out, words too common in English to say anything alone
  (``wordfreq``'s Zipf scale), adverbs and adjectives standing alone;
- a lone word never used as a noun in the text: "arrive", "refer", "administered" are only
  ever verbs there, "crash" is used as a noun ("the crash was"). A word counts as a noun where
  it follows a determiner, a possessive or a preposition other than "to" and comes before
  punctuation or a function word ("the pager.", "of policing."), or is the plural of such a word;
- anything used once: a topic is used at least twice (a word and its plural count as one).

Each topic's evidence is its first use. Deterministic: the candidates are ranked by YAKE's
score rounded to 10 decimals, then alphabetically. Only for English, the language of
the filters. Of a transcript longer than ``MAX_CHARACTERS``, YAKE reads ``WINDOWS`` runs of
blocks spread over it, about ``MAX_CHARACTERS`` in all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from oral_archive.schemas.record import Evidence, Fact

from .document import Block, Document, Note, Quote, Text

MAX_TOPICS = 8
MIN_USES = 2
MIN_LENGTH = 3
# YAKE reads at most about this many characters (some 7,000 words, most of an hour's talk),
# in WINDOWS runs spread over a longer text: its cost grows with what it reads (about 1.2 us a
# character), and a transcript's subjects recur through it.
MAX_CHARACTERS = 40_000
WINDOWS = 4
# Candidates YAKE ranks (every one it finds, so that its own order of ties cannot decide
# which are kept; rounding the scores makes the order the same in every process).
CANDIDATES = 100_000
SCORE_DIGITS = 10  # decimals of YAKE's score that count (scores run from about 1e-3 to 1e2)
# A word alone must be rarer than this in general English (Zipf 5.0: about once in 100,000
# words: 'police' 5.3 and 'people' 6.2 say nothing alone, 'discretion' 3.9 does); in a pair,
# one word may be common ('history' in 'oral history') but not both beyond 5.9 ('good time').
MAX_SINGLE_ZIPF = 5.0
MAX_PAIR_ZIPF = 5.9
RULE = "topic.distinctive-term"
CONFIDENCE = 0.5
WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W\d_]|[^\W\d_]")


@cache
def _refused_words() -> frozenset[str]:
    """Words that never make a topic, or part of one (``data/topic_stopwords.txt``)."""
    from importlib import resources

    text = resources.files("oral_archive.pipeline").joinpath("data/topic_stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


# words after which a word is used as a noun ("the crash", "of policing"); "to" is left out:
# "to arrive" is a verb
NOUN_CUES = frozenset(
    "a an the my your his her its our their this that these those every each another no some any "
    "of in on at for with from about into by during after before without between through under over".split()
)
ADJECTIVE_OR_ADVERB = re.compile(r".{3,}(?:ly|ous|ive|ful|less|able|ible|ical|ic|al|ary)$")


@cache
def _zipf():
    from wordfreq import zipf_frequency

    return lambda word: zipf_frequency(word, "en")


@cache
def _yake():
    from yake_rust import Yake

    # duplicates are removed below, in a fixed order, not by YAKE's own pass
    return Yake(language="en", ngrams=2, remove_duplicates=False)


def _normal(word: str) -> str:
    return word.lower().replace("’", "'")


def _singular(word: str, vocabulary: set[str] | dict[str, object]) -> str:
    """'officers' counts as 'officer' when the text also uses the singular."""
    if word.endswith("s") and word[:-1] in vocabulary:
        return word[:-1]
    return word


def _content_blocks(document: Document) -> list[Block]:
    return [b for b in document.blocks if b.kind in ("p", "u")]


def _spoken_text(block: Block) -> str:
    """The block's text as ``Block.text`` has it, but a transcriber's note ("[laughs]") is a space."""
    parts: list[str] = []
    for inline in block.inlines:
        if isinstance(inline, Note):
            parts.append(" ")
        elif isinstance(inline, Quote):
            parts.append(f"{inline.open_mark}{inline.text}{inline.close_mark}")
        elif isinstance(inline, Text):
            parts.append(inline.text)
    return "".join(parts)


@dataclass
class _Words:
    """Every word's count, from one pass over the text: memory grows with the vocabulary."""

    counts: dict[str, int]  # lower case (’ as '), notes left out
    lower: set[str]  # written in lower case at least once (the rest are proper nouns)
    nouns: set[str]  # used at least once after a determiner, possessive or preposition
    pairs: dict[tuple[str, str], int]  # two words with only white space between them


def _count_words(texts: list[str], refused: frozenset[str]) -> _Words:
    counts: dict[str, int] = {}
    lower: set[str] = set()
    nouns: set[str] = set()
    normal: dict[str, str] = {}  # each form is converted once
    pairs: dict[tuple[str, str], int] = {}
    for text in texts:
        # a word heads a noun phrase where a cue comes before it and punctuation, the end of
        # the text or a function word after it: "the crash was", "of policing." ("of oral
        # history" makes 'history' no noun and 'oral' no head)
        before, previous, previous_end, previous_lower = "", "", 0, False  # the two words before this one
        for match in WORD.finditer(text):
            written = match.group()
            word = normal.get(written)
            if word is None:
                word = normal[written] = _normal(written)
            counts[word] = counts.get(word, 0) + 1
            if previous_lower and before in NOUN_CUES and (word in refused or not text[previous_end:match.start()].isspace()):
                nouns.add(previous)
            lowered = written[0].islower()
            if lowered:
                lower.add(word)
            # only a word right after the one before (one space) has it as its cue: "in '68, grew"
            # has none
            gap = text[previous_end:match.start()]
            adjacent = gap == " "
            if previous and (adjacent or gap.isspace()):
                pairs[previous, word] = pairs.get((previous, word), 0) + 1
            before = previous if adjacent else ""
            previous, previous_end, previous_lower = word, match.end(), lowered
        if previous_lower and before in NOUN_CUES:
            nouns.add(previous)
    return _Words(counts, lower, nouns, pairs)


def _is_noun(word: str, words: _Words) -> bool:
    if word in words.nouns:
        return True
    # a plural the text also uses in the singular ("the risks" / "a risk"), or a plural noun use
    return word.endswith("s") and (word[:-1] in words.nouns or word[:-1] + "s" in words.nouns)


def _refuse(term: str, words: _Words, refused: frozenset[str], labels: set[str], zipf_of) -> bool:
    parts = term.split(" ")
    if term in labels or any(p in refused or p in labels for p in parts):
        return True
    if any(len(p) < MIN_LENGTH or p not in words.lower or "'" in p for p in parts):
        return True  # a short word, a contraction, or a proper noun
    if len(parts) == 1:
        word = parts[0]
        if zipf_of(word) > MAX_SINGLE_ZIPF or zipf_of(word) == 0 and not words.counts.get(word, 0) > 2:
            return True  # common in English, or not a word English knows and barely used
        if ADJECTIVE_OR_ADVERB.match(word) and word not in words.nouns:
            return True
        return not _is_noun(word, words)
    if len(parts) != 2:
        return True
    first, second = parts
    if zipf_of(first) > MAX_PAIR_ZIPF and zipf_of(second) > MAX_PAIR_ZIPF:
        return True
    # a pair names a thing ("police discretion", "oral history"), it does not end in an
    # adverb or a past tense ("really enjoyed", "police arrived")
    return second.endswith(("ly", "ed")) and second not in words.nouns


@lru_cache(maxsize=4096)  # bounded: a process ingesting many texts meets many terms
def _pattern(term: str) -> re.Pattern[str]:
    """The term as written in a text: any case, ’ or ', one or more spaces, a plural."""
    words = [re.escape(w).replace("'", "['’]") for w in term.split(" ")]
    return re.compile(r"(?<![\w'’-])" + r"\s+".join(words) + r"s?(?![\w'’-])", re.IGNORECASE)


def _sample(blocks: list[Block]) -> list[str]:
    """What YAKE reads: every block's words, or for a text longer than ``MAX_CHARACTERS``,
    ``WINDOWS`` runs of whole blocks spread evenly over it (the start of each part), so a long
    transcript's later hours count too and the cost stays bounded."""
    lengths = [len(b.text) for b in blocks]
    total = sum(lengths)
    if total <= MAX_CHARACTERS:
        return [_spoken_text(b) for b in blocks]
    texts: list[str] = []
    position, part, taken = 0, 0, 0  # where this block starts; the window being filled; its size so far
    for block, length in zip(blocks, lengths):
        while part + 1 < WINDOWS and position >= (part + 1) * total / WINDOWS:
            part, taken = part + 1, 0
        if position >= part * total / WINDOWS and taken < MAX_CHARACTERS / WINDOWS:
            texts.append(_spoken_text(block)[: MAX_CHARACTERS // WINDOWS])
            taken += length
        position += length
    return texts


def extract_topics(document: Document, language: str = "en") -> list[Fact]:
    """Up to ``MAX_TOPICS`` keywords, most telling first, each with the evidence of its first use."""
    if language != "en":
        return []
    blocks = _content_blocks(document)
    if not blocks:
        return []
    texts = _sample(blocks)
    refused = _refused_words()
    words = _count_words(texts, refused)
    if not words.lower:
        return []
    zipf = _zipf()
    frequencies: dict[str, float] = {}

    def zipf_of(word: str) -> float:
        frequency = frequencies.get(word)
        if frequency is None:
            frequency = frequencies[word] = zipf(word)
        return frequency

    labels = {_normal(s.label) for s in document.speakers} | {_normal(b.speaker_label) for b in blocks if b.speaker_label}
    candidates = _yake().get_n_best("\n\n".join(texts), n=CANDIDATES)
    # rounded: the port sums in hash-map order, which may change the last bits from one process
    # to the next; ties are broken by the term
    ranked = sorted((round(score, SCORE_DIGITS), term.lower()) for term, score in candidates)

    chosen: list[str] = []
    for _, term in ranked:
        parts = [_normal(w) for w in term.split()]
        term = " ".join([*parts[:-1], _singular(parts[-1], words.counts)])
        if term in chosen or _refuse(term, words, refused, labels, zipf_of):
            continue
        # a word and its plural are one term; a pair is searched for as written
        parts = term.split(" ")
        if len(parts) == 1:
            uses = words.counts.get(term, 0) + words.counts.get(term + "s", 0)
        elif min(words.counts.get(w, 0) + words.counts.get(w + "s", 0) for w in parts) < MIN_USES:
            continue  # a pair is used no more often than its rarer word
        else:  # as written: the two words with only white space between, the second maybe plural
            uses = words.pairs.get((parts[0], parts[1]), 0) + words.pairs.get((parts[0], parts[1] + "s"), 0)
        if uses < MIN_USES:
            continue
        # a pair already chosen covers its words, and a word already chosen its pairs
        if any(term in other.split(" ") or other in parts for other in chosen):
            continue
        chosen.append(term)
        if len(chosen) == MAX_TOPICS:
            break

    facts = []
    for term in chosen:
        found = _first_use(blocks, term)
        if found is None:  # the term is only in a note or beyond what was read: no evidence, no topic
            continue
        block, start, end = found
        facts.append(
            Fact(
                value=term,
                origin="extracted",
                evidence=Evidence(segment=block.id, start=start, end=end, text=_sentence_around(block.text, start, end), rule=RULE, confidence=CONFIDENCE),
            )
        )
    return facts


def _first_use(blocks: list[Block], term: str) -> tuple[Block, int, int] | None:
    pattern = _pattern(term)
    for block in blocks:
        match = pattern.search(block.text)
        if match:
            return block, match.start(), match.end()
    return None


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in re.finditer(r"[.!?][\"”’)]?\s+", text[:start])), default=0)
    right_match = re.search(r"[.!?][\"”’)]?(?:\s|$)", text[end:])
    right = end + right_match.end() if right_match else len(text)
    return text[left:right].strip() or text[start:end]
