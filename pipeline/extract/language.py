"""The language of the text (ISO 639-1), stated or from its function words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cache

LANGUAGE_NAMES = {
    "english": "en", "eng": "en", "en": "en", "spanish": "es", "español": "es", "spa": "es", "es": "es",
    "french": "fr", "français": "fr", "fra": "fr", "fre": "fr", "fr": "fr", "german": "de", "deutsch": "de",
    "deu": "de", "ger": "de", "de": "de", "italian": "it", "ita": "it", "it": "it", "portuguese": "pt",
    "por": "pt", "pt": "pt", "dutch": "nl", "nld": "nl", "dut": "nl", "nl": "nl",
}


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


@cache
def _function_words() -> dict[str, frozenset[str]]:
    return {lang: frozenset(vocab.split()) for lang, vocab in FUNCTION_WORDS.items()}


_WORD = re.compile(r"[^\W\d_]+")
# Text is lower-cased and split into words this many characters at a time (at white space,
# which no word spans): the words of a long text are counted, never all listed at once.
CHUNK_CHARS = 1 << 16
_SPACE = re.compile(r"\s")


def identify_language(text: str | Iterable[str]) -> tuple[str, str]:
    """(ISO 639 code, why) from the share of each language's function words in the text.

    ``text`` is one string, or a document's pieces (its blocks' texts) read as if joined
    with spaces, without joining them. Too little text, or no clear winner, gives ``und``
    (undetermined) rather than a guess.
    """
    counts = word_counts([text] if isinstance(text, str) else text)
    total = sum(counts.values())
    if total < 20:
        return "und", f"too little text ({total} words)"
    shares = {lang: sum(counts[w] for w in vocab) / total for lang, vocab in _function_words().items()}
    ranked = sorted(shares.items(), key=lambda kv: kv[1], reverse=True)
    (best, share), (second, second_share) = ranked[0], ranked[1]
    why = f"function words {share:.0%} {best}, next {second_share:.0%} {second}"
    if share < 0.15 or share < 1.5 * second_share:
        return "und", "no clear language; " + why
    return best, why


def word_counts(pieces: Iterable[str]) -> Counter[str]:
    """How often each lower-case word occurs in the pieces: the words of ``" ".join(pieces).lower()``,
    counted a chunk of one piece at a time (memory grows with the vocabulary, not the text)."""
    counts: Counter[str] = Counter()
    for piece in pieces:
        for chunk in _chunks(piece):
            counts.update(_WORD.findall(chunk.lower()))
    return counts


def _chunks(text: str) -> Iterator[str]:
    """``text`` in pieces of about ``CHUNK_CHARS``, each cut after white space (a word never
    spans white space, and lower-casing looks no further than a word: the words of the
    pieces are the words of the text)."""
    start = 0
    while len(text) - start > CHUNK_CHARS:
        space = _SPACE.search(text, start + CHUNK_CHARS)
        if space is None:
            break
        yield text[start: space.end()]
        start = space.end()
    yield text[start:] if start else text


_TAG = re.compile(r"^(?P<primary>[A-Za-z]{2,3})(?P<rest>(?:-[A-Za-z0-9]{1,8})*)$")


def language_tag(declared: str) -> str | None:
    """A declared language as a BCP 47 tag ("en", "en-US", "English" -> "en"), None if unreadable."""
    value = declared.strip().replace("_", "-")
    if value.lower().rstrip(".") in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[value.lower().rstrip(".")]
    match = _TAG.match(value)
    if match is None:
        return None
    return match.group("primary").lower() + match.group("rest")
