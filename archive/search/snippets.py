"""Snippets: the passages of a hit that hold the query's words, marked, with where they are.

Owns: which query terms are marked (``snippet_terms``), choosing a hit's segments
(``_snippets``, screened by ``_stem_screen``), and marking words with ``<mark>``.
Must not: read the index beyond the hit's stored segments and the query's expanded
terms, or change which records are hits.
"""

from __future__ import annotations

from whoosh import highlight, query as wq
from whoosh.analysis import Token

from .results import Snippet
from .schema import _FOLD, SNIPPET_FIELDS, _Mirror

class _MarkFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{highlight.get_text(text, token, replace)}</mark>"


def snippet_terms(searcher, parsed: wq.Query) -> dict[str, frozenset[str]]:
    """The analyzed words to mark, by field: query terms (wildcards/fuzzy expanded)."""
    # Not Query.existing_terms: in whoosh 2.7.5 it reuses its fieldname argument as a
    # loop variable and so skips every leaf after the first on another field.
    reader = searcher.reader()
    words: dict[str, set[str]] = {}
    for leaf in parsed.leaves():
        if getattr(leaf, "fieldname", None) not in SNIPPET_FIELDS:
            continue
        for fieldname, text in leaf.expanded_terms(reader, phrases=True):
            if fieldname in SNIPPET_FIELDS:
                words.setdefault(fieldname, set()).add(searcher.schema[fieldname].from_bytes(text) if isinstance(text, bytes) else text)
    return {name: frozenset(found) for name, found in words.items()}


def _stem_screen(term: str) -> str:
    """A substring every word stemming to ``term`` contains (after folding and lower case).

    A Porter stem is the word's beginning with at most its last letter or two changed
    (happy -> happi, hoping -> hope, employability -> employable); checked against the
    200,000 commonest English words of ``wordfreq``.
    """
    return term[:-2] if len(term) >= 8 else term[:-1] if len(term) >= 3 else term[:1]


class _FragmentToken:
    """What Whoosh's ``ContextFragmenter`` reads of each word of a segment; ``copy()`` (only
    called for matched words, which the fragment keeps) gives the ``Token`` the analyzer
    would have given. Building a full ``Token`` per word was a third of snippet time."""

    __slots__ = ("text", "startchar", "endchar", "matched")

    def __init__(self, text, startchar: int, endchar: int, matched: bool) -> None:
        self.text, self.startchar, self.endchar, self.matched = text, startchar, endchar, matched

    def copy(self) -> Token:
        return Token(text=self.text, startchar=self.startchar, endchar=self.endchar, matched=self.matched, chars=True)


def _snippets(segments: list, terms: dict[str, frozenset[str]], analyzer, fragmenter, formatter, limit: int, mirror: _Mirror | None = None) -> list[Snippet]:
    """Up to ``limit`` snippets from the segments with the most distinct query words.

    Segments are scored by their query words; only the chosen ones are tokenized with
    character offsets for highlighting (with the analyzer, the scoring pass keeps them).
    Snippets come in reading order, so a researcher sees the passage as it runs. With
    ``mirror`` (the content analyzer's word-by-word mirror) words are looked up, not run
    through the analyzer chain again.
    """
    wanted: frozenset = terms.get("content", frozenset())
    if not wanted:
        return []
    screens = {_stem_screen(term) for term in wanted}
    if mirror is not None:
        wanted = frozenset(term.encode("utf-8") for term in wanted)
    # Stemming every word of every segment is the costly part: skip segments that
    # cannot contain a query word.
    scored = []
    for position, (segment_id, kind, who, start, text) in enumerate(segments):
        folded = text.translate(_FOLD).lower()
        if not any(screen in folded for screen in screens):
            continue
        if mirror is not None:
            tokens = None  # offsets are found again for the chosen segments only
            found = [term for term in mirror.terms(text) if term in wanted]
        else:
            tokens = [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True, mode="index", removestops=False)]
            found = [word for word, _, _ in tokens if word in wanted]
        if found:
            scored.append((-len(set(found)), -len(found), position, tokens))
    chosen = sorted(scored, key=lambda s: s[:3])[:limit]
    snippets = []
    for _, _, position, tokens in sorted(chosen, key=lambda s: s[2]):
        segment_id, kind, who, start, text = segments[position]
        if tokens is None:
            tokens = mirror.spans(text)  # (term or None for a stop word, start, end)
        stream = (_FragmentToken(word, first, last, word in wanted) for word, first, last in tokens)
        fragments = highlight.top_fragments(fragmenter.fragment_tokens(text, stream), 2, highlight.BasicFragmentScorer(), highlight.FIRST)
        marked = formatter(text, fragments)
        if marked:
            snippets.append(Snippet(segment_id, kind, who, start, marked))
    return snippets
