"""Topics: the terms a transcript talks about that ordinary English does not.

A term (one word, or two adjacent words) is a topic when the text uses it at least
twice and it is rare in general English (``wordfreq``'s packaged Zipf scale). Score:
uses in the text times rarity. Proper nouns (capitalised wherever they occur) are left
out: names and places have their own fields, and may be restricted from export. Each
topic's evidence is its first use. Only for English, the language of the word list.
"""

from __future__ import annotations

import re
from collections import Counter
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


@dataclass
class _Use:
    count: int
    block: Block
    start: int
    end: int


@cache
def _zipf():
    from wordfreq import zipf_frequency

    return lambda word: zipf_frequency(word, "en")


def _content_blocks(document: Document) -> list[Block]:
    return [b for b in document.blocks if b.kind in ("p", "u")]


def _singular(word: str, vocabulary: set[str]) -> str:
    """'officers' counts as 'officer' when the text also uses the singular."""
    if word.endswith("s") and word[:-1] in vocabulary:
        return word[:-1]
    return word


def extract_topics(document: Document, language: str = "en") -> list[Fact]:
    """Up to ``MAX_TOPICS`` distinctive terms, most distinctive first, each with evidence."""
    if language != "en":
        return []
    zipf = _zipf()
    tokens: list[tuple[Block, int, int, str]] = []  # block, start, end, word (lower case)
    for block in _content_blocks(document):
        for match in WORD.finditer(block.text):
            tokens.append((block, match.start(), match.end(), match.group(0).lower().replace("’", "'")))
    vocabulary = {t[3] for t in tokens}
    # a proper noun is never written in lower case (names, places, speaker labels)
    proper = vocabulary - {t[3] for t in tokens if t[0].text[t[1]].islower()}

    def usable(word: str) -> bool:
        return len(word) >= MIN_LENGTH and word not in proper and "'" not in word and zipf(word) > 0

    uses: dict[str, _Use] = {}
    for block, start, end, word in tokens:
        term = _singular(word, vocabulary)
        if not usable(term):
            continue
        if term in uses:
            uses[term].count += 1
        else:
            uses[term] = _Use(1, block, start, end)

    # two adjacent usable words: "police discretion" (the first may be common, the pair is not)
    pair_counts: Counter[str] = Counter()
    pair_first: dict[str, tuple[Block, int, int]] = {}
    for (b1, s1, e1, w1), (b2, s2, e2, w2) in zip(tokens, tokens[1:]):
        if b1 is not b2 or b1.text[e1:s2] != " " or w1 in proper or w2 in proper:
            continue
        if (
            len(w1) < MIN_LENGTH
            or len(w2) < MIN_LENGTH
            or max(zipf(w1), zipf(w2)) > MAX_PAIR_WORD_ZIPF
            or min(zipf(w1), zipf(w2)) > MAX_ZIPF
            or w1 in NOT_PAIR_HEADS
        ):
            continue  # 'different situations', 'myself comfortable': no topic
        pair = f"{w1} {_singular(w2, vocabulary)}"
        pair_counts[pair] += 1
        pair_first.setdefault(pair, (b1, s1, e2))

    scored: list[tuple[float, str, Block, int, int]] = []
    for term, use in uses.items():
        rarity = 7.5 - zipf(term)
        if use.count >= MIN_USES and zipf(term) <= MAX_ZIPF:
            scored.append((use.count * rarity, term, use.block, use.start, use.end))
    for pair, n in pair_counts.items():
        first, second = pair.split(" ")
        if n >= MIN_USES:
            block, start, end = pair_first[pair]
            scored.append((n * (15 - zipf(first) - zipf(second)), pair, block, start, end))
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
