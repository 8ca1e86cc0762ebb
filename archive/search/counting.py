"""Counting matches and facets with set operations, and one hit per record.

Owns: ``matching_docs``/``count_matches`` (a query's documents as a set: leaves read a
block at a time, And/Or/Not as set operations, Whoosh's walk for other shapes),
``facet_counts_of``, what is kept on a searcher for its generation (``_per_searcher``:
facet postings, record ids, speaker filters), collapsing the speakers index's
documents to one per record (``_one_per_record``), and ``speaker_record_counts`` (the
totals of several ``--speaker`` searches of one query, from one set of matches).
Must not: change which documents match (tested against ``Searcher.docs_for_query`` and
Whoosh's grouping), or keep anything beyond the searcher it was read from.
"""

from __future__ import annotations

import threading
from typing import Callable, Iterable

from whoosh import query as wq

from .postings import all_ids
from .schema import FACET_FIELDS

def _one_per_record(searcher, query, wanted: int, options: dict) -> list:
    """The first ``wanted`` hits, in the order of a search with options ``options``, keeping
    each record's first hit only.

    Not Whoosh's ``collapse="id", collapse_limit=1``: it scores and classifies every
    matching document, its total counts replaced records' documents, and with a
    ``filter`` (the speaker) it keeps a record twice. A plain top-N search skips what
    cannot reach the top, so this asks for a few more hits than wanted and only asks
    again, for more, when records repeat too often.
    """
    record_of = _record_ids(searcher)
    asked = max(2 * wanted, 20)
    while True:
        results = searcher.search(query, **{**options, "limit": asked})
        kept, seen = [], set()
        for hit in results:
            record = record_of[hit.docnum]
            if record not in seen:
                seen.add(record)
                kept.append(hit)
                if len(kept) == wanted:
                    return kept
        if results.scored_length() < asked:  # every match seen
            return kept
        asked *= 4


_SPEAKER_FILTERS_KEPT = 8
_SPEAKER_FILTERS_LOCK = threading.Lock()


def _speaker_documents(searcher, speaker_query: wq.Query) -> set[int]:
    """The (top-level, live) documents of the participants ``speaker_query`` names, kept on
    the searcher for the last few speakers asked (``--speaker interviewee`` recurs).
    Shared between searches: callers must not change it."""
    kept = searcher.__dict__.setdefault("_oral_archive_speakers", {})
    key = repr(speaker_query)
    with _SPEAKER_FILTERS_LOCK:  # the searcher is shared by the process's threads
        found = kept.pop(key, None)
    if found is None:
        found = matching_docs(searcher, speaker_query)  # a set: Whoosh's filter takes no frozenset
    with _SPEAKER_FILTERS_LOCK:
        while len(kept) >= _SPEAKER_FILTERS_KEPT:
            kept.pop(next(iter(kept)))
        kept[key] = found  # (re)inserted last: the dict's order is the recency order
    return found


def speaker_record_counts(index, text: str, speakers: Iterable[str]) -> dict[str, int]:
    """For each of ``speakers``, the ``total`` that ``index.search(text, speaker=...)`` gives:
    how many records have words said by that speaker matching ``text``.

    The search page shows these counts for the three roles. Three searches would each
    parse the query, rank a top hit, build its snippets and walk the matches; here the
    query is parsed and its matching documents in the speakers index are found once, then
    intersected with each speaker's documents (kept per searcher) and counted per record,
    exactly as ``SearchIndex.search`` counts a speaker search's total. A ``QueryError`` is
    raised as that search would raise it. ``index`` is a ``SearchIndex``.
    """
    from .index import SPEAKERS
    from .parsing import speaker_query
    from .queries import _faster_leaves, _narrow_and

    parsed = index.parse(text, speaker=True).accept(_faster_leaves).accept(_narrow_and)
    searcher = index.searcher(SPEAKERS)
    matches: set[int] | None = None
    counts: dict[str, int] = {}
    for speaker in speakers:
        spoken_by = _speaker_documents(searcher, speaker_query(speaker, text))
        if not spoken_by:  # nobody by that name (the search's empty-filter case; an empty
            counts[speaker] = 0  # speakers index has no id column to read): no records
            continue
        if matches is None:
            matches = matching_docs(searcher, parsed)
        record_of = _record_ids(searcher)
        counts[speaker] = len({record_of[docnum] for docnum in matches & spoken_by})
    return counts


def _one_document_per_record(searcher, documents: set[int]) -> set[int]:
    """One document of each record among ``documents`` (any one: they share the record's metadata)."""
    record_of = _record_ids(searcher)
    return set({record_of[docnum]: docnum for docnum in documents}.values())


def _record_ids(searcher) -> list[str]:
    """The ``id`` of every document, by top-level document number, read once per searcher
    generation from the column (the speakers index holds several documents per record)."""

    def read(leaves) -> list[str]:
        found: list[str] = []
        for leaf, _ in leaves:
            found.extend(leaf.reader().column_reader("id"))
        return found

    return _per_searcher(searcher, ("record ids",), read)


class _NoSetForm(Exception):
    """A query shape ``_matching_docs`` does not turn into set operations."""


def _leaf_docs(searcher, query) -> set[int]:
    """Top-level document numbers a leaf query matches (live documents only)."""
    found: set[int] = set()
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher)
        found.update(docnum + offset for docnum in all_ids(matcher))
    return found


def _matching_docs(searcher, query) -> set[int]:
    """The documents ``query`` matches, its And/Or/AndNot/Require as set operations."""
    if isinstance(query, wq.And):
        positive = [q for q in query.subqueries if not isinstance(q, wq.Not)]
        negative = [q.query for q in query.subqueries if isinstance(q, wq.Not)]
        if not positive:
            raise _NoSetForm(query)
        sets = sorted((_matching_docs(searcher, q) for q in positive), key=len)
        found = sets[0].intersection(*sets[1:])
        for q in negative:
            if not found:
                break
            found -= _matching_docs(searcher, q)
        return found
    if isinstance(query, (wq.Or, wq.DisjunctionMax)):
        if any(isinstance(q, wq.Not) for q in query.subqueries) or getattr(query, "minmatch", 0) > 1:
            raise _NoSetForm(query)
        return set().union(*(_matching_docs(searcher, q) for q in query.subqueries))
    if isinstance(query, wq.AndNot):
        return _matching_docs(searcher, query.a) - _matching_docs(searcher, query.b)
    if isinstance(query, wq.AndMaybe):
        return _matching_docs(searcher, query.a)
    if isinstance(query, wq.Require):
        return _matching_docs(searcher, query.a) & _matching_docs(searcher, query.b)
    if isinstance(query, wq.Not):
        # Every live document but the child's (Whoosh's own walk of a Not counts deleted
        # documents of earlier segments too).
        return set(searcher.reader().all_doc_ids()) - _matching_docs(searcher, query.query)
    if isinstance(query, wq.ConstantScoreQuery):
        return _matching_docs(searcher, query.child)
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return set()
    if query.is_leaf():
        return _leaf_docs(searcher, query)
    raise _NoSetForm(query)


def matching_docs(searcher, query) -> set[int]:
    """The (top-level, live) documents ``query`` matches, without walking its matcher tree.

    Whoosh finds the top hits skipping blocks that cannot reach them, and so must walk
    the whole query again, document by document in Python, for the total a results page
    shows. Here each leaf's documents are read as a set (a term's postings a block at a
    time) and the boolean structure is done with set operations; a shape without a set
    form falls back to Whoosh's walk.
    """
    try:
        return _matching_docs(searcher, query)
    except _NoSetForm:
        reader = searcher.reader()
        return {docnum for docnum in searcher.docs_for_query(query) if not reader.is_deleted(docnum)}


def count_matches(searcher, query) -> int:
    """How many documents match (``matching_docs``)."""
    return len(matching_docs(searcher, query))


def _per_searcher(searcher, what: tuple, read: Callable[[list], object]):
    """``read(leaf searchers)``, remembered on the searcher itself.

    The archive keeps one searcher per index open and opens a new one after each commit,
    so this is read once per index generation, and dropped with the searcher. (A global
    cache keyed by segment ids mixed up indexes whose ids repeat: Whoosh draws them from
    the ``random`` module, which a caller, or hypothesis in the tests, may seed.)
    """
    cache = searcher.__dict__.setdefault("_oral_archive_cache", {})
    found = cache.get(what)
    if found is None:
        found = cache[what] = read(searcher.leaf_searchers())
    return found


def _facet_docs(searcher, fieldname: str) -> dict[str, set[int]]:
    """Each value of a facet field and the (top-level) documents holding it, read from its
    postings once per searcher generation."""

    def read(leaves) -> dict[str, set[int]]:
        found: dict[str, set[int]] = {}
        for leaf, offset in leaves:
            reader = leaf.reader()
            for term in reader.lexicon(fieldname):
                documents = found.setdefault(term.decode("utf-8"), set())
                documents.update(docnum + offset for docnum in all_ids(reader.postings(fieldname, term)))
        return found

    return _per_searcher(searcher, ("facet", fieldname), read)


def facet_counts_of(searcher, matches: set[int]) -> dict[str, dict[str, int]]:
    """Records per value of each facet (role, organization, place, subject) among ``matches``.

    Whoosh's grouping scores every matching record and reads its column entry, in Python;
    here each value's records are intersected with the matches, a C set operation per
    value. Same counts (tested against Whoosh's grouping).
    """
    out: dict[str, dict[str, int]] = {}
    for name, fieldname in FACET_FIELDS.items():
        counts = {value: count for value, documents in _facet_docs(searcher, fieldname).items() if (count := len(documents.intersection(matches)))}
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out
