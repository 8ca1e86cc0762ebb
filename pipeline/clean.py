"""Stage ``clean``: take page-break artifacts out of the text and rejoin what they split.

A scraped or printed page leaves lines that are not part of the interview: the site's
URL, "Page 3 of 12", a bare page number, a form feed, a navigation bar, a running
header or footer repeated on every page. Such a line is removed and recorded as an
``Artifact``; where it stood between two halves of one sentence (the line before does
not end a sentence and the line after starts in lower case) the halves are rejoined into
one line, with the break position kept for a TEI ``<pb/>``. A word hyphenated at the end
of the line before is joined again only when the joined form is a word (``dehyphenate``).
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Callable

from .decode import FORM_FEED_LINE
from .document import Artifact, CleanedText, DecodedText, Decision, Line

URL_LINE = re.compile(r"^(?:https?://|www\.)[^\s<>\"]+$", re.IGNORECASE)
# "Page 3 of 12", "page 3", "p. 3", "3 of 12", "[3]", "- 3 -", "3/12", or a bare number.
# A bare number has at most three digits so that a year standing alone stays text.
PAGE_NUMBER_LINE = re.compile(
    r"^(?:(?:page|pg\.?|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|\d{1,4}\s+of\s+\d{1,4}|\[\d{1,4}\]|-\s*\d{1,4}\s*-"
    r"|\d{1,3}|\d{1,4}\s*/\s*\d{1,4})$",
    re.IGNORECASE,
)
# "[Home | About | Contact]": a bracketed run of links separated by bars.
NAVIGATION_LINE = re.compile(r"^\[[^\]]*\|.*$")
SENTENCE_END = re.compile(r"[.!?:;\"”’)\]…]$")
# Kinds that mark a page boundary, next to which a repeated line is a running header/footer.
PAGE_KINDS = {"page-number", "form-feed"}
MAX_RUNNING_HEADER_WORDS = 12
# A page cuts a sentence inside running prose: the line above a mid-sentence page header is
# a full line of text, not one of the short lines of a title block.
MIN_SPLIT_LINE_WORDS = 8
# A line opening with "Label:" is a speaker turn or a field, never page furniture.
_LABELLED = re.compile(r"^\S[^:]{0,40}:(?:\s|$)")
# End-of-line hyphenation: a word broken as "impor-" before a break and "tant" after it.
HYPHENATED_END = re.compile(r"(?<![\w-])(?P<left>[^\W\d_]+)-$")
LOWER_START = re.compile(r"^(?P<right>[^\W\d_]+)")
# wordfreq's Zipf scale: 2.0 is about once per 100 million words; typos score lower.
_MIN_ZIPF = 2.0


# What an artifact line can open with: "http"/"www" (URL), "page"/"pg"/"p." or a digit, "[" or
# "-" (page number), "[" (navigation). A line opening with any other ASCII character is content.
_ARTIFACT_OPENERS = frozenset("hHwWpP[-0123456789")


def classify_artifact_line(text: str) -> str | None:
    """The artifact kind of a whole line, or None when the line is content."""
    if text == FORM_FEED_LINE:
        return "form-feed"
    stripped = text.strip()
    if not stripped:
        return None
    if URL_LINE.match(stripped):
        return "url"
    if PAGE_NUMBER_LINE.match(stripped):
        return "page-number"
    if NAVIGATION_LINE.match(stripped):
        return "navigation"
    return None


@cache
def _wordfreq_lookup() -> Callable[[str], bool]:
    """wordfreq's English list (a runtime dependency), imported on first use: it costs ~0.2 s."""
    from wordfreq import zipf_frequency

    return lambda word: zipf_frequency(word, "en") >= _MIN_ZIPF


class Vocabulary:
    """Is a string a word? The document's own words first, then a packaged lexicon.

    The document's words are evidence no lexicon has: a name or a technical term that the
    text spells unhyphenated elsewhere. ``lexicon`` can be passed in (tests, other
    languages); by default it is wordfreq's English list.
    """

    def __init__(self, text: str, lexicon: Callable[[str], bool] | None = None) -> None:
        self._text = text
        self._words: set[str] | None = None
        self._lexicon = lexicon if lexicon is not None else _wordfreq_lookup()

    def _document_words(self) -> set[str]:
        if self._words is None:  # built on first use: most texts have no hyphen to judge
            self._words = {w.lower() for w in re.findall(r"[^\W\d_]+", self._text)}
        return self._words

    def attests_hyphenated(self, left: str, right: str) -> bool:
        """The text itself writes ``left-right`` inside a line, so the hyphen is the author's."""
        return re.search(rf"(?<!\w){re.escape(left)}-{re.escape(right)}(?!\w)", self._text, re.IGNORECASE) is not None

    def __contains__(self, word: str) -> bool:
        if word.lower() in self._document_words():
            return True
        return bool(self._lexicon and self._lexicon(word.lower()))


def dehyphenate(before: str, after: str, vocabulary: Vocabulary) -> tuple[str, str | None]:
    """Join two line halves where ``before`` ends in ``word-``; returns (joined, note or None).

    The hyphen is dropped when the joined word is a word and the text does not itself
    write the hyphenated form; otherwise it is kept ("well-" + "known" -> "well-known").
    Either way the halves join without a space, and the note says what was done.
    """
    if not before.endswith("-"):
        return f"{before} {after}", None
    left_match = HYPHENATED_END.search(before[-64:])
    right_match = LOWER_START.match(after)
    if left_match is None or right_match is None or not after[:1].islower():
        return f"{before} {after}", None
    left, right = left_match.group("left"), right_match.group("right")
    joined = left + right
    if joined in vocabulary and not vocabulary.attests_hyphenated(left, right):
        return before[:-1] + after, f"{left}-|{right} -> {joined}"
    return before + after, f"{left}-|{right} -> {left}-{right} (kept the hyphen)"


def _splits_sentence(before: str, after_text: str) -> bool:
    tail = before.rstrip()
    head = after_text.lstrip()
    return bool(tail and head) and not SENTENCE_END.search(tail) and head[0].islower()


def _neighbour(stripped: list[str], kinds: list[str | None], index: int, step: int) -> int | None:
    """The nearest non-blank line above (step -1) or below (+1)."""
    j = index + step
    while 0 <= j < len(stripped) and not stripped[j] and kinds[j] is None:
        j += step
    return j if 0 <= j < len(stripped) else None


def mark_running_headers(stripped: list[str], kinds: list[str | None]) -> None:
    """Mark repeated short lines that are page furniture as ``running-header`` (in place).

    A short line (no sentence end, no ``Label:``) that occurs at least twice is a running
    header or footer where it stands next to a page mark (page number, form feed) in at
    least two places, or where it splits a sentence of running prose (the content line
    above has at least ``MIN_SPLIT_LINE_WORDS`` words and breaks off, the one below goes on
    in lower case). Its first occurrence as a title line is untouched: only the
    occurrences meeting the rule are marked.
    """
    counts = Counter(stripped)  # in C; the rules below apply to the few lines that repeat
    artifact_texts = {s for s, k in zip(stripped, kinds) if k is not None}  # same text, same kind
    repeated = {
        s for s, n in counts.items()
        # cheap tests first; split stops once there are more words than a header may have
        if n >= 2 and s and not s.endswith((".", "?", "!")) and s not in artifact_texts
        and len(s.split(None, MAX_RUNNING_HEADER_WORDS)) <= MAX_RUNNING_HEADER_WORDS and not _LABELLED.match(s)
    }
    if not repeated:
        return
    at_page_mark: dict[str, list[int]] = {}
    splitting: list[int] = []
    for i, s in enumerate(stripped):
        if s not in repeated or kinds[i] is not None:
            continue
        above, below = _neighbour(stripped, kinds, i, -1), _neighbour(stripped, kinds, i, 1)
        if any(j is not None and kinds[j] in PAGE_KINDS for j in (above, below)):
            at_page_mark.setdefault(s, []).append(i)
        # splitting: the content line above breaks off and the one below goes on in lower case
        up, down = i - 1, i + 1
        while up >= 0 and (not stripped[up] or kinds[up] is not None):
            up -= 1
        while down < len(stripped) and (not stripped[down] or kinds[down] is not None):
            down += 1
        if up >= 0 and down < len(stripped) and _splits_sentence(stripped[up], stripped[down]) and len(stripped[up].split()) >= MIN_SPLIT_LINE_WORDS:
            splitting.append(i)
    for indexes in at_page_mark.values():
        if len(indexes) >= 2:
            for i in indexes:
                kinds[i] = "running-header"
    for i in splitting:
        kinds[i] = "running-header"


def _describe(pending: list[Artifact]) -> str:
    return (
        f"removed {', '.join(a.kind for a in pending)} artifact "
        f"{' / '.join(repr(a.text) for a in pending)} (line {pending[0].line})"
    )


def clean(decoded: DecodedText, lexicon: Callable[[str], bool] | None = None) -> CleanedText:
    """Remove artifact lines, recording each, and rejoin sentences they interrupted."""
    out: list[Line] = []
    artifacts: list[Artifact] = list(decoded.artifacts)
    decisions: list[Decision] = []
    pending: list[Artifact] = []  # removed since the last content line
    raw_lines = decoded.text.split("\n")
    stripped = [text.strip() for text in raw_lines]
    # the patterns run only on lines opening as one of them could (or with a non-ASCII character)
    kinds = [
        classify_artifact_line(raw) if s[:1] in _ARTIFACT_OPENERS or not s[:1].isascii() or raw == FORM_FEED_LINE else None
        for raw, s in zip(raw_lines, stripped)
    ]
    mark_running_headers(stripped, kinds)
    vocabulary = Vocabulary(decoded.text, lexicon)
    joins: list[str] = []

    for number, (raw, text, kind) in enumerate(zip(raw_lines, stripped, kinds), start=1):
        if kind is not None:
            artifact = Artifact(kind, "\\f" if raw == FORM_FEED_LINE else text, number)
            artifacts.append(artifact)
            pending.append(artifact)
            continue
        indent = len(raw) - len(raw.lstrip(" ")) if raw[:1] == " " else 0
        if text and pending:
            previous = next((line for line in reversed(out) if not line.blank), None)
            if previous is not None and _splits_sentence(previous.text, text):
                while out and out[-1].blank:
                    out.pop()
                joined, note = dehyphenate(previous.text, text, vocabulary)
                offset = len(joined) - len(text)
                previous.text = joined
                previous.breaks.extend((offset, artifact) for artifact in pending)
                if note:
                    joins.append(note)
                decisions.append(Decision("clean", f"{_describe(pending)} and rejoined the sentence it split (lines {previous.number} and {number})"))
                pending = []
                continue
            decisions.append(Decision("clean", _describe(pending)))
            out.append(Line(text, number, breaks=[(0, artifact) for artifact in pending], indent=indent))
            pending = []
            continue
        out.append(Line(text, number, [], indent))  # positional: a keyword call costs twice as much

    if pending:  # artifacts after the last content line: the break closes the text
        last = next((line for line in reversed(out) if not line.blank), None)
        if last is not None:
            last.breaks.extend((len(last.text), artifact) for artifact in pending)
        decisions.append(Decision("clean", f"removed trailing {', '.join(a.kind + ' ' + repr(a.text) for a in pending)}"))
    if joins:
        decisions.append(Decision("clean", f"joined {len(joins)} word(s) hyphenated across a page break: {'; '.join(joins)}"))
    return CleanedText(decoded=decoded, lines=out, artifacts=artifacts, decisions=decisions)
