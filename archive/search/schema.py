"""The indexes' fields and how their text is analyzed.

Owns: the analyzers (``text_analyzer``, ``exact_analyzer``), our field types
(``FastText``: Whoosh's terms indexed faster; ``WordPairs``: adjacent-word buckets for
phrases; ``FacetField``), the two schemas and which fields a query may name, and the
word-by-word mirror of an analyzer (``_mirror``) that indexing and snippets share.
Must not: know records (``documents`` maps them to fields) or open an index. The field
classes are pickled into every index's schema: renaming or moving one needs a new
``index.INDEX_FORMAT`` or an alias where the old name was (``archive/index.py``).
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from itertools import chain
from functools import lru_cache
from typing import Callable, Iterable, Iterator, Sequence
from zlib import crc32

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.columns import NumericColumn, VarBytesColumn, VarBytesListColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence, Positions
from whoosh.support.charset import accent_map

from .whoosh_internals import stem_function

DEFAULT_FIELDS = ("title", "content")
SPEAKER_DEFAULT_FIELDS = ("content",)
# Fields whose analyzed text is the segments' text: their query terms are what snippets mark.
SNIPPET_FIELDS = frozenset({"content"})
FACET_FIELDS = {"role": "role_facet", "organization": "organization_facet", "place": "place_facet", "subject": "subject_facet"}


# The field holding the adjacent-word-pair buckets of a text field (see ``WordPairs``).
PAIRS_SUFFIX = "_pairs"
_INTERNAL_FIELDS = ("title_sort", "date_sort", "segments", "version", "content" + PAIRS_SUFFIX)


def text_analyzer():
    """English stemming with accent folding: 'policing' finds 'police', 'Jose' finds 'José'."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter()


def exact_analyzer():
    """Lower case and accent folding, no stemming, for names, roles and places."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


class FacetField(KEYWORD):
    """A newline-separated keyword field whose column keeps the list of values per document.

    Whoosh's own KEYWORD column stores the whole string as one value, so counting
    multi-valued facets (subjects) with ``allow_overlap`` would fall back to walking every
    posting of the field on every search. A list column lets facet counts read one column
    entry per hit instead.
    """

    def __init__(self) -> None:
        # Not stored: facet counts read the postings (Whoosh's grouping the column), and
        # nothing shows the stored value.
        super().__init__(stored=False, lowercase=False)
        # One value per line: values such as "Independence, Missouri" keep their commas.
        self.analyzer = self.format.analyzer = RegexTokenizer(r"[^\n]+")
        # KEYWORD(sortable=<column>) ignores the column given and uses its default one.
        self.column_type = VarBytesListColumn()

    def to_column_value(self, value):
        return [v.strip().encode("utf-8") for v in value.split("\n") if v.strip()]

    def from_column_value(self, value):
        return [v.decode("utf-8") for v in value]


class JoinedText:
    """Texts a field indexes as if joined by white space, without making the joined copy.

    A record's body is thousands of segment texts; joined, a 50 MB transcript holding a
    single emoji becomes one string of 200 MB (four bytes a character for all of it).
    ``FastText`` and ``WordPairs`` read the parts in turn, numbering positions on across
    them; ``str()`` joins them, for an analyzer that needs one string.
    """

    __slots__ = ("parts", "separator", "length")

    def __init__(self, parts: Sequence[str], separator: str = "\n\n") -> None:
        if separator.strip():
            raise ValueError("parts are joined by white space only, which holds no word")
        self.parts = parts
        self.separator = separator
        self.length = sum(map(len, parts)) + len(separator) * max(0, len(parts) - 1)  # the joined text's

    def __str__(self) -> str:
        return self.separator.join(self.parts)


class FastText(TEXT):
    """A TEXT field that indexes the same terms, positions and weights as Whoosh's own
    analyzer chain, about three times faster.

    Indexing runs the analyzer as a generator pipeline (tokenizer, then one generator per
    filter) token by token; here each distinct word of the tokenizer is lowercased,
    folded, stop-checked and stemmed once and remembered, and the positions are numbered
    the way ``StopFilter(renumber=True)`` numbers them. Only ``index`` changes: queries,
    snippets and anything else use the analyzer as before. An analyzer of another shape
    falls back to Whoosh's path.
    """

    _CACHE_LIMIT = 200_000

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_fast", None)  # not pickled into the index's schema
        return state

    def _fast_path(self):
        fast = self.__dict__.get("_fast")
        if fast is None:
            fast = self._fast = _fast_indexer(self.analyzer, self.format) or False
        return fast

    def index(self, value, **kwargs):
        fast = self._fast_path() if not kwargs and isinstance(value, (str, JoinedText)) and type(self.format) is Positions else False
        if not fast:
            return super().index(str(value) if isinstance(value, JoinedText) else value, **kwargs)
        return fast(value)


@dataclass(frozen=True)
class _Mirror:
    """What an analyzer of the shape FastText handles does, word by word and remembered.

    ``terms(text)`` gives (term bytes or None when dropped, start, end) per word the
    tokenizer finds; ``renumber`` says whether positions skip dropped words.
    """

    expression: re.Pattern
    renumber: bool
    term_of: Callable[[str], bytes | None]
    cache: dict
    # (text, term -> positions) of the last text ``FastText`` indexed with this analysis,
    # so ``WordPairs`` indexing the same text object next need not analyze it again.
    last: list = field(compare=False)

    def words(self, text: str | JoinedText) -> Iterable[str]:
        """The tokenizer's words of ``text``, in order."""
        if isinstance(text, JoinedText):
            if text.length > _WORDS_AT_ONCE:
                return chain.from_iterable(map(self.words, text.parts))
            text = str(text)  # a short text: joined once, its words found at once
        if self.expression.pattern != _DEFAULT_TOKEN_PATTERN:
            return (match.group(0) for match in self.expression.finditer(text))
        if len(text) <= _WORDS_AT_ONCE:
            return _DEFAULT_TOKENS.findall(text)  # the same matches; findall gives them directly
        # A long text a piece at a time: all the words of a 50 MB transcript as strings at
        # once would take ten times its size. The default pattern's words never hold white
        # space, so cutting there keeps every word whole.
        return chain.from_iterable(map(_DEFAULT_TOKENS.findall, _pieces(text, _WORDS_AT_ONCE)))

    def terms(self, text: str) -> list[bytes | None]:
        """The term (or None when dropped) of each word, in order: ``spans`` without offsets."""
        cache, term_of = self.cache, self.term_of
        out = []
        for word in self.words(text):
            term = cache.get(word, _UNSEEN)
            out.append(term_of(word) if term is _UNSEEN else term)
        return out

    def spans(self, text: str) -> list[tuple[bytes | None, int, int]]:
        cache, term_of = self.cache, self.term_of
        out = []
        for match in self.expression.finditer(text):
            word = match.group(0)
            term = cache.get(word, _UNSEEN)
            if term is _UNSEEN:
                term = term_of(word)
            out.append((term, match.start(), match.end()))
        return out


def _mirror(analyzer) -> _Mirror | None:
    """A ``_Mirror`` of ``RegexTokenizer | LowercaseFilter | CharsetFilter [| StopFilter [| StemFilter]]``, else None."""
    items = list(getattr(analyzer, "items", ()))
    if not items or type(items[0]) is not RegexTokenizer or items[0].gaps:
        return None
    steps = []
    renumber = False
    for item in items[1:]:
        kind = type(item)
        if kind is LowercaseFilter:
            steps.append(("lower", None))
        elif kind is CharsetFilter:
            steps.append(("fold", item.charmap))
        elif kind is StopFilter:
            steps.append(("stop", (item.stops, item.min, item.max)))
            renumber = item.renumber
        elif kind is StemFilter:
            steps.append(("stem", (stem_function(item), item.ignore)))
        else:
            return None
    expression = items[0].expression
    # Shared by every field (and every unpickled schema) with the same analyzer, so the
    # words seen by one commit's writer are known to the next one's, and to snippets.
    signature = (expression.pattern, renumber, tuple((step, _hashable(arg)) for step, arg in steps))
    cache = _WORD_CACHES.setdefault(signature, {})  # word -> UTF-8 term, or None when dropped
    last = _LAST_ANALYSES.setdefault(signature, [(None, None)])

    def term_of(word: str) -> bytes | None:
        original = word
        if len(cache) > FastText._CACHE_LIMIT:
            cache.clear()
        for step, arg in steps:
            if step == "lower":
                word = word.lower()
            elif step == "fold":
                word = word.translate(arg)
            elif step == "stop":
                stops, smallest, largest = arg
                if len(word) < smallest or (largest is not None and len(word) > largest) or word in stops:
                    cache[original] = None
                    return None
            else:
                stem, ignore = arg
                if word not in ignore:
                    word = stem(word)
        term = cache[original] = word.encode("utf-8")
        return term

    return _Mirror(expression, renumber, term_of, cache, last)


def _pieces(text: str, size: int) -> Iterator[str]:
    """``text`` in consecutive pieces of about ``size`` characters, each cut before white space."""
    start = 0
    while start < len(text):
        space = _SPACE.search(text, start + size)
        end = space.start() if space else len(text)
        yield text[start:end]
        start = end


def _positions_array() -> array:
    return array("i")  # to 2**31 words: a text of 10 GB


def _term_positions(mirror: _Mirror) -> Callable[[str], dict[bytes, Sequence[int]]]:
    """text -> {term: positions} of the kept tokens, numbered as the analyzer numbers them.

    A long text's positions are arrays of machine integers: as lists of Python ints a
    50 MB transcript's nine million positions took 36 bytes each, arrays take four. A
    short text's are lists, quicker to fill and read.
    """
    words_of, term_of, cache, renumber = mirror.words, mirror.term_of, mirror.cache, mirror.renumber

    def term_positions(value: str | JoinedText) -> dict[bytes, Sequence[int]]:
        positions: dict[bytes, Sequence[int]] = {}
        new = _positions_array if (len(value) if isinstance(value, str) else value.length) > _WORDS_AT_ONCE else list
        kept = 0
        first = None
        for position, word in enumerate(words_of(value)):
            term = cache.get(word, _UNSEEN)
            if term is _UNSEEN:
                term = term_of(word)
            if term is None:
                continue
            if renumber:
                # StopFilter(renumber=True): the first kept token keeps its position, the
                # following kept ones count on from it, skipping the removed stop words.
                if first is None:
                    first = position
                position = first + kept
                kept += 1
            found = positions.get(term)
            if found is None:
                found = positions[term] = new()
            found.append(position)
        return positions

    return term_positions


def _fast_indexer(analyzer, format_):
    """(text -> (term bytes, frequency, weight, positions bytes) per distinct term) for an
    analyzer ``_mirror`` handles, else None."""
    mirror = _mirror(analyzer)
    if mirror is None:
        return None
    term_positions, last = _term_positions(mirror), mirror.last
    boost = format_.field_boost
    encode = format_.encode
    single: dict[int, bytes] = {}  # position -> encoded one-position posting value

    def index(value: str):
        positions = term_positions(value)
        postings = []
        for term, found in positions.items():
            count = len(found)
            if count == 1:
                value_bytes = single.get(found[0])
                if value_bytes is None:
                    value_bytes = single[found[0]] = encode(found)
            else:
                value_bytes = encode(found)
            postings.append((term, count, float(count) * boost, value_bytes))
        last[0] = (value, positions)  # one assignment: a reader sees a whole pair
        return postings

    return index


class WordPairs(FieldType):
    """Which adjacent pairs of frequent words a text field's document has, hashed into a
    few buckets.

    An exact phrase can only occur in a document holding every pair of its consecutive
    words, so the documents of each pair's bucket narrow down the records whose word
    positions must be read, usually from thousands (every record with both words) to a
    few dozen. Hashing keeps the field small: one term per bucket
    (``PAIR_BUCKETS``), not one per distinct pair, which made the build several times
    slower. A bucket also holds other pairs, so it only filters: the positions decide.

    Only the pairs a phrase is slow without are indexed (all pairs when ``frequent`` is
    None). A phrase is read word by word from its rarest word, so it is slow only when
    every word is in many records: two ``frequent`` terms, or one of the very frequent
    ``anchors`` beside a ``partners`` term (a word in every other record beside one in a
    few thousand: "ranked what" read 4,811 records of 100,000 without its pair, 35 of
    which held it). One rare word already narrows the records to read to its own few,
    so the pairs of rare words would buy nothing but index size and build time.
    ``anchors`` and ``partners`` default to none and to ``frequent``. The sets are pickled
    with the field into the index's schema, so a query always reads the pairs by the
    rule the index was built with.

    Pairs are the consecutive terms of the same analysis as the text field (the
    field's analyzer, positions numbered the same way), so a document matching the
    phrase by positions is always in the filter.
    """

    def __init__(
        self,
        analyzer,
        frequent: frozenset[bytes] | None = None,
        anchors: frozenset[bytes] = frozenset(),
        partners: frozenset[bytes] | None = None,
    ) -> None:
        super().__init__(format=Existence(), analyzer=analyzer, scorable=False, stored=False)
        self.frequent = frequent
        self.anchors = anchors
        self.partners = partners

    _TERM_SETS = ("frequent", "anchors", "partners")

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_analysis", None)  # closures: not pickled into the index's schema
        state.pop("_tiers", None)
        for name in self._TERM_SETS:
            state[name] = _packed_terms(state.get(name))
        return state

    def __setstate__(self, state):
        for name in self._TERM_SETS:
            state[name] = _unpacked_terms(state.get(name, frozenset() if name == "anchors" else None))
        self.__dict__.update(state)

    @property
    def tiers(self) -> PairTiers | None:
        """The field's rule as ``PairTiers`` (None: every pair is indexed)."""
        tiers = self.__dict__.get("_tiers")
        if tiers is None and self.frequent is not None:
            tiers = self._tiers = PairTiers(self.frequent, self.anchors, self.partners)
        return tiers

    def indexed_pair(self, first: bytes, second: bytes) -> bool:
        """Whether the pair of these two consecutive terms is indexed."""
        return self.pair_term(first, second) is not None

    def pair_term(self, first: bytes, second: bytes) -> bytes | None:
        """The bucket term this field indexes the pair of these two consecutive terms
        under, or None when it does not index it."""
        return pair_bucket(first, second) if self.tiers is None else self.tiers.bucket(first, second)

    def index(self, value, **kwargs):
        analysis = self.__dict__.get("_analysis")
        if analysis is None:
            mirror = _mirror(self.analyzer)
            analysis = self._analysis = (mirror.last if mirror else [(None, None)], _analysis_of(self.analyzer))
        last, term_positions = analysis
        seen, positions = last[0]
        last[0] = (None, None)  # not kept once read: a long text's positions are large
        if seen is not value:  # else the text field of the same analysis has just indexed this text
            positions = term_positions(value)
        return [(bucket, 1, 1.0, b"") for bucket in pair_buckets(positions, self.tiers)]


def _packed_terms(terms: frozenset[bytes] | None):
    """A set of terms as one string of lines for the index's schema: Whoosh pickles the
    schema with protocol 2, which writes each ``bytes`` object as a call that rebuilds it
    from text, so 7,000 terms took 200 KB and 7 ms to read back on every opening."""
    if terms is None:
        return None
    try:
        lines = [term.decode("utf-8") for term in sorted(terms)]
    except UnicodeDecodeError:
        return terms  # not text: kept as the set
    if any("\n" in line for line in lines):
        return terms  # not a line each: kept as the set
    return ("lines", "\n".join(lines))


def _unpacked_terms(packed) -> frozenset[bytes] | None:
    """``_packed_terms`` read back (a set pickled as itself is taken as it is)."""
    if isinstance(packed, tuple) and len(packed) == 2 and packed[0] == "lines":
        return frozenset(packed[1].encode("utf-8").split(b"\n")) if packed[1] else frozenset()
    return packed


class PairTiers:
    """Which consecutive-term pairs ``WordPairs`` indexes, as a tier per term: 2 for an
    anchor, 1 for a frequent term, 0 for a partner; a pair is indexed when its two
    tiers add up to 2 or more (two frequent terms, or an anchor beside a partner)."""

    __slots__ = ("tier",)

    def __init__(self, frequent: frozenset[bytes], anchors: frozenset[bytes] = frozenset(), partners: frozenset[bytes] | None = None) -> None:
        tier = dict.fromkeys(frequent if partners is None else partners, 0)
        tier.update(dict.fromkeys(frequent, 1))
        tier.update(dict.fromkeys(anchors, 2))
        self.tier = tier

    def indexed(self, first: bytes, second: bytes) -> bool:
        return self.bucket(first, second) is not None

    def bucket(self, first: bytes, second: bytes) -> bytes | None:
        """The term of the pair's bucket, or None when the pair is not indexed: an anchor
        beside a partner has a bucket of its own kind (``pair_bucket``'s ``anchored``)."""
        tier = self.tier
        a, b = tier.get(first), tier.get(second)
        if a is None or b is None or a + b < 2:
            return None
        return pair_bucket(first, second, anchored=not (a and b))


PAIR_BUCKETS = 1 << 14
_BUCKET_TERMS = [b"%04x" % bucket for bucket in range(PAIR_BUCKETS)]
# The pairs of an anchor and a partner have buckets of their own: in the buckets of two
# frequent words' pairs they made each bucket hold a third more records, and the phrases
# of two frequent words (the slowest, with a thousand records truly holding them) read
# that many more records' positions: "but had" 65 -> 77 ms at 100,000 records.
ANCHORED_PAIR_BUCKETS = 1 << 12
_ANCHORED_BUCKET_TERMS = [b"x%03x" % bucket for bucket in range(ANCHORED_PAIR_BUCKETS)]


def pair_bucket(first: bytes, second: bytes, anchored: bool = False) -> bytes:
    """The ``WordPairs`` term of two consecutive terms (stable across processes, unlike ``hash``):
    one of ``PAIR_BUCKETS``, or with ``anchored`` one of ``ANCHORED_PAIR_BUCKETS``.

    Two pairs may share a bucket; a bucket only narrows the records to check.
    """
    code = crc32(first + b"\x00" + second)
    return _ANCHORED_BUCKET_TERMS[code & (ANCHORED_PAIR_BUCKETS - 1)] if anchored else _BUCKET_TERMS[code & (PAIR_BUCKETS - 1)]


def pair_buckets(positions: dict[bytes, Sequence[int]], tiers: PairTiers | frozenset[bytes] | None = None) -> set[bytes]:
    """Buckets of every two terms at consecutive positions, from {term: positions}; with
    ``tiers``, of the pairs it indexes (a set of terms: the pairs of two of them)."""
    if isinstance(tiers, frozenset):
        tiers = PairTiers(tiers)
    if tiers is not None:
        tier = tiers.tier
        positions = {term: found for term, found in positions.items() if term in tier}
    if not positions:
        return set()
    keys = list(positions)
    # The term at each position as its index in ``keys`` (-1: none), in an array: a dict
    # of a long transcript's millions of positions took about 100 bytes an entry.
    # (An analyzer numbers positions in order: a term's last is its largest.)
    size = max(found[-1] for found in positions.values()) + 2
    at = array("i", (-1,)) * size
    for index, found in enumerate(positions.values()):
        for position in found:
            at[position] = index
    if size - at.count(-1) != sum(map(len, positions.values())):
        return _stacked_pair_buckets(positions, tiers)  # several tokens at one position (synonyms, split and joined words)
    terms, mask = _BUCKET_TERMS, PAIR_BUCKETS - 1
    firsts = [key + b"\x00" for key in keys]
    # each key's tier (without tiers, every pair counts as two frequent terms'), and 2
    # minus it: the least tier a term after it needs for the pair
    ranks = [1] * len(keys) if tiers is None else [tier[key] for key in keys]
    needs = [2 - rank for rank in ranks]
    anchored, anchored_mask = _ANCHORED_BUCKET_TERMS, ANCHORED_PAIR_BUCKETS - 1
    return {
        terms[code & mask] if ranks[index] and ranks[following] else anchored[code & anchored_mask]
        for index, found in enumerate(positions.values())
        for position in found
        if (following := at[position + 1]) != -1 and ranks[following] >= needs[index]
        for code in (crc32(firsts[index] + keys[following]),)
    }


def _stacked_pair_buckets(positions: dict[bytes, Sequence[int]], tiers: PairTiers | None = None) -> set[bytes]:
    """``pair_buckets`` where a position may hold several terms: every term at a position
    pairs with every term at the next."""
    every: dict[int, list[bytes]] = {}
    for term, found in positions.items():
        for position in found:
            every.setdefault(position, []).append(term)
    buckets = {
        pair_bucket(term, following) if tiers is None else tiers.bucket(term, following)
        for position, here in every.items()
        for term in here
        for following in every.get(position + 1, ())
    }
    buckets.discard(None)
    return buckets


def _analysis_of(analyzer) -> Callable[[str], dict[bytes, list[int]]]:
    """text -> {term: positions}, as indexing the text with ``analyzer`` numbers them."""
    mirror = _mirror(analyzer)
    if mirror is not None:
        return _term_positions(mirror)

    def by_analyzer(text: str | JoinedText) -> dict[bytes, list[int]]:
        positions: dict[bytes, list[int]] = {}
        for token in analyzer(str(text), positions=True, mode="index"):
            positions.setdefault(token.text.encode("utf-8"), []).append(token.pos)
        return positions

    return by_analyzer


_WORD_CACHES: dict[tuple, dict[str, bytes | None]] = {}
_LAST_ANALYSES: dict[tuple, list] = {}
_UNSEEN = object()
_SPACE = re.compile(r"\s")
# A text longer than this is split into words a piece of about this length at a time.
_WORDS_AT_ONCE = 1 << 18
_DEFAULT_TOKEN_PATTERN = RegexTokenizer().expression.pattern
_DEFAULT_TOKENS = re.compile(_DEFAULT_TOKEN_PATTERN.replace("(", "(?:"))


# How many of the most frequent English words (wordfreq's list) count as frequent for
# ``WordPairs``: at about 500 words a transcript, a word of this rank or better is in
# roughly one record in ten or more; rarer words narrow a phrase's records by themselves.
FREQUENT_WORDS = 1000
# The very frequent words (in most records) whose pairs with any of the
# ``PARTNER_WORDS`` most frequent words are indexed too: beside such a word, even a word
# of rank 3,000 to 10,000 leaves thousands of records to read in a large archive.
ANCHOR_WORDS = 100
PARTNER_WORDS = 10_000


@lru_cache(maxsize=1)
def _frequent_text_terms() -> frozenset[bytes]:
    return frequent_terms(text_analyzer())


@lru_cache(maxsize=1)
def _text_pair_tiers() -> tuple[frozenset[bytes], frozenset[bytes], frozenset[bytes]]:
    """(frequent, anchors, partners) terms of the text analyzer for ``WordPairs``."""
    analyzer = text_analyzer()
    return _frequent_text_terms(), frequent_terms(analyzer, ANCHOR_WORDS), frequent_terms(analyzer, PARTNER_WORDS)


def frequent_terms(analyzer, count: int = FREQUENT_WORDS) -> frozenset[bytes]:
    """The terms ``analyzer`` makes of the ``count`` most frequent English words (stop
    words, which it drops, are not among them)."""
    from wordfreq import top_n_list

    analysis = _analysis_of(analyzer)
    return frozenset(term for word in top_n_list("en", count) for term in analysis(word))


def _hashable(arg):
    if arg is None:
        return None
    if isinstance(arg, dict):  # a charset map
        return tuple(sorted(arg.items()))
    stops_or_stem, *rest = arg
    if callable(stops_or_stem):  # (cached stem function, ignored words)
        return (getattr(stops_or_stem, "__wrapped__", stops_or_stem), frozenset(rest[0]))
    return (frozenset(stops_or_stem), *rest)


def _exact_numbers(field):
    """``field`` indexed at full precision only (``shift_step`` 0): one term per value.

    Whoosh also indexes each number at coarser precisions (8 terms per date, 16 per
    64-bit float) to speed up range queries over its terms, but the archive's ranges on
    these fields never read them: ``date`` ranges read the ``date_sort`` column, tenure
    and version ranges the full-precision terms (``queries``). A range Whoosh runs itself
    still finds the same documents, from the full-precision terms.
    """
    field.shift_step = 0
    return field


def _metadata_fields() -> dict:
    """Fields shared by both indexes, so field queries mean the same in ``--speaker`` searches."""
    return dict(
        id=ID(stored=True, sortable=True),
        version=_exact_numbers(NUMERIC(stored=True)),
        title=FastText(analyzer=text_analyzer(), stored=True, field_boost=2.0),
        # A sort key only: a column of UTF-8 bytes (the same order as the strings), no terms.
        title_sort=COLUMN(VarBytesColumn()),
        content=FastText(analyzer=text_analyzer()),
        content_pairs=WordPairs(text_analyzer(), *_text_pair_tiers()),
        role=FastText(analyzer=exact_analyzer()),
        organization=FastText(analyzer=exact_analyzer()),
        place=FastText(analyzer=exact_analyzer()),
        subject=FastText(analyzer=exact_analyzer()),
        topic=FastText(analyzer=text_analyzer()),
        name=FastText(analyzer=exact_analyzer()),
        speaker=FastText(analyzer=exact_analyzer()),
        role_facet=FacetField(),
        organization_facet=FacetField(),
        place_facet=FacetField(),
        subject_facet=FacetField(),
        tenure_years=_exact_numbers(NUMERIC(float, bits=64, stored=True)),
        date=_exact_numbers(DATETIME(stored=True)),
        # Sort key for the interview date: YYYYMMDD, 0 when unknown. A DATETIME column gives
        # documents without a value a default that sorts before every real date when
        # reversed, which would list undated interviews as the newest. A column only, no
        # terms: ranges on ``date`` (``DateColumnRange``) and sorting read it, nothing queries it.
        date_sort=COLUMN(NumericColumn("i")),
        ingested=DATETIME(stored=True, sortable=True),
        source_url=ID(stored=True),
        site=ID(stored=True),
        format=ID(stored=True),
    )


def build_schema() -> Schema:
    """Schema of the ``records`` index (one document per record)."""
    fields = _metadata_fields()
    fields["id"] = ID(stored=True, unique=True, sortable=True)
    fields["segments"] = STORED()
    return Schema(**fields)


def build_speaker_schema() -> Schema:
    """Schema of the ``speakers`` index (one document per record and speaking participant).

    It holds what a ``--speaker`` search matches, scores, filters and sorts on; a hit's
    segments, for its snippets, are read from the ``records`` document of its record.
    """
    fields = _metadata_fields()
    # Ranges on when a record was ingested are rare and still answered from the exact
    # terms; in this index they are only filters of a --speaker search.
    fields["ingested"] = _exact_numbers(DATETIME(sortable=True))
    # A hit's title, dates and version are its record's: read from the records index
    # with its segments, so only what tells the hit's speaker is stored here.
    for name, field in fields.items():
        if name != "id":
            field.stored = False
    fields["participant"] = ID(stored=True)
    fields["speaker_name"] = STORED()
    return Schema(**fields)


def searchable_fields(schema: Schema) -> list[str]:
    """Field names a user may put in a query (internal bookkeeping fields left out)."""
    return sorted(n for n in schema.names() if not n.endswith("_facet") and n not in _INTERNAL_FIELDS and n not in ("participant", "speaker_name"))


# Accent folding as the analyzers fold (for sort keys and the snippet screen).
_FOLD = str.maketrans(accent_map)
