"""Faster forms of Whoosh queries: same records, same scores, fewer posting lists read.

Owns, each with the Whoosh form it replaces and is tested against:

* ``DateColumnRange``: a ``DateRange`` on ``date``, read from the ``date_sort`` column
  (``tests/archive/test_search.py``: every range form against Whoosh's);
* ``NumericTermsRange``: a ``NumericRange`` on a field of few values (tenure, version),
  read from its full-precision terms (``test_index_analysis.py``);
* ``ExactPhrase``: a ``Phrase`` of slop 1, matched block by block with sets, narrowed by
  the ``WordPairs`` buckets (``test_index_analysis.py``, ``test_search.py``);
* ``_narrow_and``: an ``And`` of many parts regrouped so matching does not recurse
  one level per part (``test_query_limits.py``);

and ``_faster_leaves``, the ``Query.accept`` step that swaps them in.
Must not: match other records or score them otherwise than the query replaced; a
reader or format a form does not know is left to Whoosh's own query.
"""

from __future__ import annotations

import bisect
from datetime import timedelta

from whoosh import query as wq
from whoosh.formats import Positions
from whoosh.matching import NullMatcher
from whoosh.scoring import WeightLengthScorer

from .postings import all_ids, term_blocks
from .schema import PAIRS_SUFFIX, WordPairs
from .whoosh_internals import SortedIdsMatcher, decode_positions

def _sorted_column(reader, fieldname: str) -> tuple[list, list[int]]:
    """(a segment's column values sorted, their document numbers), read once per segment
    reader and kept on it (segments never change; deletions are checked apart)."""
    cache = reader.__dict__.setdefault("_oral_archive_sorted_columns", {})
    found = cache.get(fieldname)
    if found is None:
        column = reader.column_reader(fieldname, translate=False)
        pairs = sorted(zip(column, range(reader.doc_count_all())))
        found = cache[fieldname] = ([value for value, _ in pairs], [docnum for _, docnum in pairs])
    return found


class DateColumnRange(wq.Query):
    """Records whose interview date lies in a range, read from the ``date_sort`` column.

    Whoosh compiles a date range into one term query per trie level and segment, each
    opening a posting list: a ten-year range over 10,000 records opened about a hundred
    matchers per segment, most of the query's time. Here each segment's column of
    YYYYMMDD values is read once (segments never change) and kept sorted, so a range
    is two bisections. Same documents as the ``date`` range it replaces; constant score.
    """

    def __init__(self, low: int, high: int, boost: float = 1.0, original: wq.Query | None = None) -> None:
        self.fieldname = "date"
        self.low, self.high, self.boost = low, high, boost
        self.original = original

    @classmethod
    def from_date_range(cls, query) -> "DateColumnRange":
        """The same range in YYYYMMDD days; stored dates are midnights, undated records 0."""
        low, high = 1, 99991231
        if query.startdate is not None:
            day = query.startdate.replace(hour=0, minute=0, second=0, microsecond=0)
            if day < query.startdate or query.startexcl:
                day += timedelta(days=1)
            low = int(day.strftime("%Y%m%d")) if day.year <= 9999 else 99999999
        if query.enddate is not None:
            day = query.enddate.replace(hour=0, minute=0, second=0, microsecond=0)
            if query.endexcl and day == query.enddate:
                day -= timedelta(days=1)
            high = int(day.strftime("%Y%m%d")) if day.year >= 1 else 0
        return cls(low, high, query.boost, query)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.low}, {self.high}, boost={self.boost})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and (self.low, self.high, self.boost) == (other.low, other.high, other.boost)

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.low, self.high, self.boost))

    def is_leaf(self) -> bool:
        return True

    def field(self):
        return self.fieldname

    def _ids(self, reader) -> list[int]:
        values, docnums = _sorted_column(reader, "date_sort")
        # The column holds Whoosh's sortable form of each number, which keeps their order.
        field = reader.schema["date_sort"]
        low, high = field.to_column_value(self.low), field.to_column_value(self.high)
        ids = sorted(docnums[bisect.bisect_left(values, low) : bisect.bisect_right(values, high)])
        if reader.has_deletions():
            deleted = reader.deleted_docs_set
            ids = [i for i in ids if i not in deleted]
        return ids

    def estimate_size(self, ixreader) -> int:
        # Whoosh's And asks this of every part on every segment: count, do not collect.
        total = 0
        for reader, _ in ixreader.leaf_readers():
            values, _ = _sorted_column(reader, "date_sort")
            field = reader.schema["date_sort"]
            total += bisect.bisect_right(values, field.to_column_value(self.high)) - bisect.bisect_left(values, field.to_column_value(self.low))
        return total

    def matcher(self, searcher, context=None):
        leaves = searcher.reader().leaf_readers()
        if len(leaves) == 1:
            ids = self._ids(leaves[0][0])
        else:  # a multi-segment reader: documents numbered on from each segment's offset
            ids = [offset + i for reader, offset in leaves for i in self._ids(reader)]
        if not ids:
            return NullMatcher()
        return SortedIdsMatcher(ids, all_weights=self.boost)


class NumericTermsRange(wq.NumericRange):
    """A numeric range (tenure in years) read from the field's full-precision terms.

    Whoosh compiles a numeric range into one term query per trie level and segment (a
    64-bit float field: dozens of them, each opening a posting list). A field such as
    tenure holds few distinct values, so the terms at full precision between the two
    bounds, a handful, are read instead and their records joined as a set. Same
    records, same constant score as the ``NumericRange`` it replaces.
    """

    def matcher(self, searcher, context=None):
        field = searcher.schema[self.fieldname]
        reader = searcher.reader()
        ids: set[int] = set()
        for leaf, offset in reader.leaf_readers():
            ids.update(docnum + offset for docnum in self._segment_ids(leaf, field))
        if not ids:
            return NullMatcher()
        return SortedIdsMatcher(sorted(ids), all_weights=self.boost)

    def _terms(self, reader, field):
        """The field's full-precision terms between the bounds, in order."""
        low = field.to_bytes(self.start) if self.start is not None else b"\x00"
        high = field.to_bytes(self.end) if self.end is not None else None
        for _, term in reader.terms_from(self.fieldname, low):
            if term[:1] != b"\x00":
                break  # past the full-precision terms
            if high is not None and (term > high or (self.endexcl and term == high)):
                break
            if self.startexcl and term == low:
                continue
            yield term

    def _segment_ids(self, reader, field) -> set[int]:
        found: set[int] = set()
        for term in self._terms(reader, field):
            found.update(all_ids(reader.postings(self.fieldname, term)))
        return found

    def estimate_size(self, ixreader) -> int:
        # NumericRange's estimate compiles the trie terms this class avoids.
        field = ixreader.schema[self.fieldname]
        return sum(reader.doc_frequency(self.fieldname, term) for reader, _ in ixreader.leaf_readers() for term in self._terms(reader, field))


class ExactPhrase(wq.Phrase):
    """A ``Phrase`` whose exact form (slop 1) is matched with sets, block by block.

    Whoosh walks the intersection of the words' posting lists one record at a time,
    decoding positions through several layers of matchers for each. Here the words'
    postings are read a block at a time: their record sets are intersected (C set
    operations), positions are decoded only for the records holding every word, and
    only the records holding the phrase are scored, with the words' own scorers. Same
    records and scores as Whoosh's ``Phrase`` (property-tested); a reader or posting
    format this does not know is left to Whoosh's ``Phrase``.
    """

    def matcher(self, searcher, context=None):
        if not self.words:
            return NullMatcher()
        reader = searcher.reader()
        field = searcher.schema[self.fieldname] if self.fieldname in searcher.schema else None
        if self.slop != 1 or field is None or not field.format or not field.format.supports("positions") or not reader.is_atomic():
            return super().matcher(searcher, context)
        terms = []
        for word in self.words:
            try:
                word = field.to_bytes(word)
            except ValueError:
                return NullMatcher()
            if (self.fieldname, word) not in reader:
                return NullMatcher()  # a word no record has: no record has the phrase
            terms.append(word)
        # A query's search and its count both ask each segment: match it once. A count
        # (no weighting in the context) takes the records of any earlier answer.
        cache = self.__dict__.setdefault("_by_segment", {})
        segment = reader.segment().segment_id()
        scored = context is not None and context.weighting is not None
        found = cache.get((segment, scored))
        if found is None and not scored:
            found = cache.get((segment, True))
        if found is None:
            found = cache[segment, scored] = _phrase_in_segment(searcher, reader, self.fieldname, terms, context)
        if found is None:  # postings this does not read
            return super().matcher(searcher, context)
        ids, scores = found
        if not ids:
            return NullMatcher()
        if self.boost != 1.0:
            scores = [score * self.boost for score in scores]
        return SortedIdsMatcher(ids, weights=scores)


class _Posting:
    """What a scorer reads of a posting: its record and weight."""

    __slots__ = ("docnum", "weight_")

    def __init__(self, docnum: int, weight: float) -> None:
        self.docnum, self.weight_ = docnum, weight

    def id(self) -> int:
        return self.docnum

    def weight(self) -> float:
        return self.weight_


def _tree_sum(scores: list[float]) -> float:
    """Sum in the order of Whoosh's binary tree of intersection matchers (same floats)."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])


def _pair_filter(searcher, reader, fieldname: str, terms: list[bytes]) -> list[int] | None:
    """Sorted live records of a segment holding every indexed pair bucket of the phrase (a
    superset of the records holding the phrase), or None when the field has no
    ``WordPairs`` or none of the phrase's pairs is indexed (a phrase with a rarer word)."""
    pairs_field = fieldname + PAIRS_SUFFIX
    field = searcher.schema[pairs_field] if pairs_field in searcher.schema else None
    if len(terms) < 2 or not isinstance(field, WordPairs):
        return None
    buckets = {field.pair_term(first, second) for first, second in zip(terms, terms[1:])}
    buckets.discard(None)
    if not buckets:
        return None
    found = None
    for bucket in buckets:
        if (pairs_field, bucket) not in reader:
            return []
        ids = set(all_ids(reader.postings(pairs_field, bucket)))
        found = ids if found is None else found & ids
        if not found:
            return []
    return sorted(found)


def _phrase_in_segment(searcher, reader, fieldname: str, terms: list[bytes], context):
    """(sorted records holding the words consecutively, their scores) in one segment."""
    format_ = searcher.schema[fieldname].format
    decode = decode_positions if type(format_) is Positions else format_.decode_positions
    within = _pair_filter(searcher, reader, fieldname, terms)
    if within is not None and not within:
        return [], []
    # The rarest word first: the records it leaves are the only blocks read of the others,
    # so a phrase with one rare word reads few postings whether or not its pairs are indexed.
    read: list = [None] * len(terms)
    candidates = None if within is None else set(within)
    for number in sorted(range(len(terms)), key=lambda n: reader.doc_frequency(fieldname, terms[n])):
        found = term_blocks(reader, fieldname, terms[number], None if candidates is None else sorted(candidates))
        if found is None:
            return None
        read[number] = found
        blocks, deleted = found
        ids = set().union(*(block.ids for block in blocks))
        candidates = ids if candidates is None else candidates & ids
        candidates -= deleted
        if not candidates:
            return [], []
    # per term: record -> (its block, its place in the block), for the candidates only; a
    # block's values are decoded for its candidates, its weights for the matches alone
    postings: list[dict[int, tuple]] = []
    for blocks, _ in read:
        found = {}
        for block in blocks:
            ids = block.ids
            for docnum in candidates.intersection(ids):
                found[docnum] = (block, bisect.bisect_left(ids, docnum))
        postings.append(found)
    matches = []
    for docnum in sorted(candidates):
        block, index = postings[0][docnum]
        starts = set(decode(block.values[index]))
        for shift, found in enumerate(postings[1:], 1):
            block, index = found[docnum]
            starts.intersection_update([p - shift for p in decode(block.values[index])])
            if not starts:
                break
        if starts:
            matches.append(docnum)
    weighting = (context.weighting if context is not None else None) or searcher.weighting
    scorers = [weighting.scorer(searcher, fieldname, term) for term in terms]

    def weight(found: dict, docnum: int) -> float:
        block, index = found[docnum]
        return block.weights[index]

    if all(type(scorer).score is WeightLengthScorer.score for scorer in scorers):
        # What WeightLengthScorer.score(matcher) computes, without a matcher object per
        # posting: a common phrase scores a thousand records per segment.
        scores = [_tree_sum([scorer._score(weight(found, docnum), scorer.dfl(docnum)) for scorer, found in zip(scorers, postings)]) for docnum in matches]
    else:
        scores = [_tree_sum([scorer.score(_Posting(docnum, weight(found, docnum))) for scorer, found in zip(scorers, postings)]) for docnum in matches]
    return matches, scores


# Numeric fields with few distinct values, whose ranges NumericTermsRange reads term by term.
_FEW_VALUED_NUMBERS = frozenset({"tenure_years", "version"})


def _faster_leaves(node):
    """``Query.accept`` step: a range on ``date`` becomes a ``DateColumnRange``, a phrase an ``ExactPhrase``."""
    if isinstance(node, wq.DateRange) and node.fieldname == "date":
        return DateColumnRange.from_date_range(node)
    if type(node) is wq.NumericRange and node.constantscore and node.fieldname in _FEW_VALUED_NUMBERS:
        return NumericTermsRange(node.fieldname, node.start, node.end, node.startexcl, node.endexcl, node.boost)
    if type(node) is wq.Phrase:
        return ExactPhrase(node.fieldname, node.words, slop=node.slop, boost=node.boost, char_ranges=node.char_ranges)
    return node


# The most parts an And is matched with at once (``_narrow_and``).
AND_FAN_IN = 64


def _narrow_and(node):
    """``Query.accept`` step: an And of more than ``AND_FAN_IN`` parts becomes an And of
    Ands of at most that many (the same records; the same scores up to the order in which
    they are added).

    Whoosh matches an And's parts in a tree weighted by their sizes, which, its weights
    being negative, is a chain one level per part: a 1,100-word query exceeded Python's
    recursion limit while matching. Groups of ``AND_FAN_IN`` keep the tree a few levels
    deep; a NOT goes after the words, so a group of NOTs alone only comes of more than
    ``AND_FAN_IN`` of them.
    """
    if type(node) is not wq.And or len(node.subqueries) <= AND_FAN_IN:
        return node
    parts = [q for q in node.subqueries if not isinstance(q, wq.Not)] + [q for q in node.subqueries if isinstance(q, wq.Not)]
    while len(parts) > AND_FAN_IN:
        groups = [parts[start : start + AND_FAN_IN] for start in range(0, len(parts), AND_FAN_IN)]
        parts = [wq.And(group) if len(group) > 1 else group[0] for group in groups]
    return wq.And(parts, boost=node.boost)
