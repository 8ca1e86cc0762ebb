"""Topics: the terms a transcript talks about that ordinary English does not.

A term (one word, or two adjacent words) is a topic when the text uses it at least
twice and it is rare in general English (``wordfreq``'s packaged Zipf scale). Score:
uses in the text times rarity. Proper nouns (capitalised wherever they occur) are left
out: names and places have their own fields, and may be restricted from export. Each
topic's evidence is its first use. Only for English, the language of the word list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from oral_archive.schemas.record import Evidence, Fact

from .document import Block, Document

MAX_TOPICS = 8
MIN_USES = 2
# Zipf 4.6 is about once in 25,000 words: 'police' (5.3) is too common to say much alone,
# 'discretion' (3.9), 'quota' (3.5) are not.
MAX_ZIPF = 4.6
MIN_LENGTH = 4
# One word of a pair may be common ('history' in 'oral history'), but not as common as
# 'different' or 'really', and one must be rare; pronouns and quantifiers never start one.
MAX_PAIR_WORD_ZIPF = 5.5
NOT_PAIR_HEADS = frozenset(
    "myself yourself himself herself itself ourselves themselves very really many much more most "
    "other others some such every each several few those these their there where which".split()
)
RULE = "topic.distinctive-term"
WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W\d_]|[^\W\d_]")


@cache
def _zipf():
    from wordfreq import zipf_frequency

    return lambda word: zipf_frequency(word, "en")


def _content_blocks(document: Document) -> list[Block]:
    return [b for b in document.blocks if b.kind in ("p", "u")]


def _singular(word: str, vocabulary: set[str] | dict[str, object]) -> str:
    """'officers' counts as 'officer' when the text also uses the singular."""
    if word.endswith("s") and word[:-1] in vocabulary:
        return word[:-1]
    return word


# What a word can be in a pair (``_pair_kind``): too short or too common, a word that may
# be part of one, or a rare one (a pair needs one of those).
_NO_PAIR, _PAIR_WORD, _RARE_PAIR_WORD = 0, 1, 2


def _pair_kind(word: str, zipf_of) -> int:
    if len(word) < MIN_LENGTH:
        return _NO_PAIR
    frequency = zipf_of(word)
    if frequency > MAX_PAIR_WORD_ZIPF:
        return _NO_PAIR
    return _RARE_PAIR_WORD if frequency <= MAX_ZIPF else _PAIR_WORD


@dataclass
class _Words:
    """Every word's count and first use (block index, start, end), from one pass over the
    text: memory grows with the vocabulary, not with the length of the text."""

    counts: dict[str, int]  # lower case (’ as '), in first-seen order
    first: dict[str, tuple[int, int, int]]
    lower: set[str]  # written in lower case at least once (the rest are proper nouns)
    normal: dict[str, str]  # each word as written -> its lower-case form


def _count_words(blocks: list[Block]) -> _Words:
    counts: dict[str, int] = {}
    first: dict[str, tuple[int, int, int]] = {}
    lower: set[str] = set()
    normal: dict[str, str] = {}  # each form is converted once
    for index, block in enumerate(blocks):
        for match in WORD.finditer(block.text):
            written = match.group()
            word = normal.get(written)
            if word is None:
                word = normal[written] = written.lower().replace("’", "'")
            if word in counts:
                counts[word] += 1
            else:
                counts[word] = 1
                first[word] = (index, *match.span())
            if word not in lower and written[0].islower():
                lower.add(word)
    return _Words(counts, first, lower, normal)


def _count_pairs(blocks: list[Block], words: _Words, zipf_of) -> dict[tuple[str, str], list[int]]:
    """{(first word, second word as a term): [uses, block index of the first, its start]} for
    two adjacent words with one space between that may make a topic ("police discretion": the
    first may be common, the pair is not; pronouns and quantifiers never start one; proper
    nouns never take part). A second pass, knowing every word of the text: only pairs that can
    count are kept, and "police officers" counts as "police officer" at once."""
    vocabulary, lower, normal = words.counts, words.lower, words.normal
    heads: dict[str, int] = {}  # word -> its pair kind, for words that can open a pair
    tails: dict[str, tuple[int, str]] = {}  # word -> (pair kind, as a term), for words that can close one
    for word in vocabulary:
        kind = _pair_kind(word, zipf_of) if word in lower else _NO_PAIR
        if kind:
            tails[word] = (kind, _singular(word, vocabulary))
            if word not in NOT_PAIR_HEADS:
                heads[word] = kind
    pairs: dict[tuple[str, str], list[int]] = {}
    for index, block in enumerate(blocks):
        text = block.text
        previous, previous_kind, previous_start, previous_end = "", _NO_PAIR, -2, -2
        for match in WORD.finditer(text):
            word = normal[match.group()]
            start = match.start()
            if previous_kind and previous_end + 1 == start and text[previous_end] == " ":
                tail = tails.get(word)
                if tail is not None and (tail[0] == _RARE_PAIR_WORD or previous_kind == _RARE_PAIR_WORD):
                    key = (previous, tail[1])
                    found = pairs.get(key)
                    if found is None:
                        pairs[key] = [1, index, previous_start]
                    else:
                        found[0] += 1
            previous_kind = heads.get(word, _NO_PAIR)
            if previous_kind:
                previous, previous_start, previous_end = word, start, match.end()
    return pairs


def extract_topics(document: Document, language: str = "en") -> list[Fact]:
    """Up to ``MAX_TOPICS`` distinctive terms, most distinctive first, each with evidence.

    The text is read twice, counting words, then adjacent pairs, keeping only where each is
    first used: no list of the text's words (a long transcript has millions).
    """
    if language != "en":
        return []
    zipf = _zipf()
    frequencies: dict[str, float] = {}

    def zipf_of(word: str) -> float:
        frequency = frequencies.get(word)
        if frequency is None:
            frequency = frequencies[word] = zipf(word)
        return frequency

    blocks = _content_blocks(document)
    words = _count_words(blocks)
    vocabulary, lower = words.counts, words.lower

    def usable(word: str) -> bool:
        # a proper noun is never written in lower case (names, places, speaker labels)
        return len(word) >= MIN_LENGTH and word in lower and "'" not in word and zipf_of(word) > 0

    # a word and its plural are one term, counted together, first used where either was
    uses: dict[str, list] = {}  # term -> [count, first position]
    for word, count in vocabulary.items():
        term = _singular(word, vocabulary)
        if not usable(term):
            continue
        use = uses.get(term)
        if use is None:
            uses[term] = [count, words.first[word]]
        else:
            use[0] += count
            use[1] = min(use[1], words.first[word])

    scored: list[tuple[float, str, Block, int, int]] = []
    for term, (count, (index, start, end)) in uses.items():
        rarity = 7.5 - zipf_of(term)
        if count >= MIN_USES and zipf_of(term) <= MAX_ZIPF:
            scored.append((count * rarity, term, blocks[index], start, end))
    for (first, second), (count, index, start) in _count_pairs(blocks, words, zipf_of).items():
        if count >= MIN_USES:
            text = blocks[index].text
            end = WORD.match(text, WORD.match(text, start).end() + 1).end()  # the pair's second word's end
            scored.append((count * (15 - zipf_of(first) - zipf_of(second)), f"{first} {second}", blocks[index], start, end))
    scored.sort(key=lambda item: (-item[0], item[1]))

    chosen: list[tuple[str, Block, int, int]] = []
    for _, term, block, start, end in scored:
        # a pair already chosen covers its words, and a word already chosen its pairs' half
        if any(term in other.split(" ") or other in term.split(" ") for other, *_ in chosen):
            continue
        chosen.append((term, block, start, end))
        if len(chosen) == MAX_TOPICS:
            break
    facts = []
    for term, block, start, end in chosen:
        sentence = _sentence_around(block.text, start, end)
        facts.append(
            Fact(
                value=term,
                origin="extracted",
                evidence=Evidence(segment=block.id, start=start, end=end, text=sentence, rule=RULE, confidence=0.5),
            )
        )
    return facts


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in re.finditer(r"[.!?][\"”’)]?\s+", text[:start])), default=0)
    right_match = re.search(r"[.!?][\"”’)]?(?:\s|$)", text[end:])
    right = end + right_match.end() if right_match else len(text)
    return text[left:right].strip() or text[start:end]
