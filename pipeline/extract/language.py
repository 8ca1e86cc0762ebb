"""The language of the text (ISO 639-1), stated or from its function words.
"""

from __future__ import annotations

import re
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
