"""Whoosh full-text index over the stored records, and search with snippets.

The index is derived data: it can always be rebuilt from ``records/`` (``Archive.reindex``).
It lives in ``index/`` as two Whoosh indexes side by side:

* ``records``: one document per record (its latest version): full text, title, the
  interviewee's role, organization, place and tenure, subjects, names, dates, source
  URL/site, format. Ordinary searches run here.
* ``speakers``: the speaker-attributed text: one document per (record, participant who
  speaks), holding only that person's utterances plus a copy of the record's metadata
  fields. ``--speaker`` searches run here (by participant id, label, name or role, so
  ``--speaker interviewee`` is "what interviewees said"), so "only what this person said"
  is a property of the document, not a filter over positions, and the ordinary index's
  statistics stay untouched. (Per-role text fields in ``records`` would index every
  utterance a third time; the bench showed build time is dominated by text indexing.)

Searchers are kept open, one per index per process, and refreshed when a writer has
committed since. Snippets are computed only for the hits of the page shown, per segment,
so each names the paragraph/utterance (and its time stamp when the source has one).
"""

from __future__ import annotations

import bisect
import json
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path
from pickle import loads
from typing import Callable, Iterable, Literal
from zlib import crc32

from whoosh import highlight, qparser, query as wq
from whoosh import index as whoosh_index
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter, Token
from whoosh.columns import VarBytesListColumn
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence, Positions
from whoosh.system import _INT_SIZE
from whoosh.matching import FilterMatcher, ListMatcher, NullMatcher, ReadTooFar
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.index import LockError
from whoosh.qparser import syntax
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.support.charset import accent_map
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F
from whoosh.writing import CLEAR, SegmentWriter

from oral_archive.archive.postings import ArchiveCodec
from oral_archive.schemas.errors import ArchiveLocked, QueryError, StoreError
from oral_archive.schemas.record import RECORD_ID_PATTERN, Record

RECORDS = "records"
SPEAKERS = "speakers"
# Bump when the schema or what goes into a field changes: an index of another format must
# be rebuilt, and saying so beats returning subtly wrong results.
# 5: topic field; 6: FastText fields (same terms, faster indexing); 7: content_pairs;
# 8: ArchiveCodec posting blocks
INDEX_FORMAT = 8
STATE_FILE = "state.json"

DEFAULT_FIELDS = ("title", "content")
SPEAKER_DEFAULT_FIELDS = ("content",)
# Fields whose analyzed text is the segments' text: their query terms are what snippets mark.
SNIPPET_FIELDS = frozenset({"content"})
FACET_FIELDS = {"role": "role_facet", "organization": "organization_facet", "place": "place_facet", "subject": "subject_facet"}
SORTS = ("relevance", "date", "title")
SNIPPETS_PER_HIT = 3
# The field holding the adjacent-word-pair buckets of a text field (see ``WordPairs``).
PAIRS_SUFFIX = "_pairs"
_INTERNAL_FIELDS = ("title_sort", "date_sort", "segments", "key", "version", "sha256", "content" + PAIRS_SUFFIX)

# The largest query searched (``query_size_problem``). A researcher's longest queries are
# a pasted paragraph or a long OR list of names and places: a few hundred words, a few
# KB. 1,000 words (6 to 8 KB of English) is several times that, and with parsing linear
# it parses in about 0.1 s and is searched in about 0.3 s over 2,000 transcripts
# (bench/query_scaling.py); 10,000 characters bounds the work done before words are even
# counted. Time still grows with the words, and Whoosh's own parsing grew with their
# square (4,000 words: 4.7 s; 100 KB ran for minutes): without a cap, one request could
# keep a server busy.
MAX_QUERY_CHARS = 10_000
MAX_QUERY_WORDS = 1_000
# Brackets, and NOT/ANDNOT/ANDMAYBE/REQUIRE, nest Whoosh's syntax tree; its parser and
# query objects recurse on it, so deep nesting fails on Python's recursion limit.
MAX_QUERY_NESTING = 50


class IndexMissing(StoreError):
    """The archive has records but no (usable) search index."""


class IndexStale(StoreError):
    """The records store holds records the index does not reflect."""


class IndexLocked(ArchiveLocked):
    """Another process is writing the search index."""


class QueryTooLong(QueryError):
    """A query over the size limits; its message quotes only the query's beginning."""

    def __init__(self, query: str, reason: str) -> None:
        super().__init__(query if len(query) <= 60 else f"{query[:60]}…", reason)
        self.query = query


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
        super().__init__(stored=True, lowercase=False)
        # One value per line: values such as "Independence, Missouri" keep their commas.
        self.analyzer = self.format.analyzer = RegexTokenizer(r"[^\n]+")
        # KEYWORD(sortable=<column>) ignores the column given and uses its default one.
        self.column_type = VarBytesListColumn()

    def to_column_value(self, value):
        return [v.strip().encode("utf-8") for v in value.split("\n") if v.strip()]

    def from_column_value(self, value):
        return [v.decode("utf-8") for v in value]


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
        fast = self._fast_path() if not kwargs and isinstance(value, str) and type(self.format) is Positions else False
        if not fast:
            return super().index(value, **kwargs)
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

    def words(self, text: str) -> list[str]:
        if self.expression.pattern == _DEFAULT_TOKEN_PATTERN:
            return _DEFAULT_TOKENS.findall(text)  # the same matches; findall gives them directly
        return [match.group(0) for match in self.expression.finditer(text)]

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
            steps.append(("stem", (item._stem, item.ignore)))
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


def _term_positions(mirror: _Mirror) -> Callable[[str], dict[bytes, list[int]]]:
    """text -> {term: positions} of the kept tokens, numbered as the analyzer numbers them."""
    words_of, term_of, cache, renumber = mirror.words, mirror.term_of, mirror.cache, mirror.renumber

    def term_positions(value: str) -> dict[bytes, list[int]]:
        positions: dict[bytes, list[int]] = {}
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
                positions[term] = [position]
            else:
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
    """Which adjacent word pairs of a text field a document has, hashed into a few buckets.

    An exact phrase can only occur in a document holding every pair of its consecutive
    words, so the documents of each pair's bucket narrow down the records whose word
    positions must be read, usually from thousands (every record with both words) to a
    few dozen. Hashing keeps the field small: one term per bucket
    (``PAIR_BUCKETS``), not one per distinct pair, which made the build several times
    slower. A bucket also holds other pairs, so it only filters: the positions decide.

    Pairs are the consecutive terms of the same analysis as the text field (the
    field's analyzer, positions numbered the same way), so a document matching the
    phrase by positions is always in the filter.
    """

    def __init__(self, analyzer) -> None:
        super().__init__(format=Existence(), analyzer=analyzer, scorable=False, stored=False)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_analysis", None)  # closures: not pickled into the index's schema
        return state

    def index(self, value, **kwargs):
        analysis = self.__dict__.get("_analysis")
        if analysis is None:
            mirror = _mirror(self.analyzer)
            analysis = self._analysis = (mirror.last if mirror else [(None, None)], _analysis_of(self.analyzer))
        last, term_positions = analysis
        seen, positions = last[0]
        if seen is not value:  # else the text field of the same analysis has just indexed this text
            positions = term_positions(value)
        return [(bucket, 1, 1.0, b"") for bucket in pair_buckets(positions)]


PAIR_BUCKETS = 1 << 16
_BUCKET_TERMS = [b"%04x" % bucket for bucket in range(PAIR_BUCKETS)]


def pair_bucket(first: bytes, second: bytes) -> bytes:
    """The ``WordPairs`` term of two consecutive terms (stable across processes, unlike ``hash``).

    Two pairs may share a bucket; a bucket only narrows the records to check.
    """
    return _BUCKET_TERMS[crc32(first + b"\x00" + second) & (PAIR_BUCKETS - 1)]


def pair_buckets(positions: dict[bytes, list[int]]) -> set[bytes]:
    """Buckets of every two terms at consecutive positions, from {term: positions}."""
    terms, mask = _BUCKET_TERMS, PAIR_BUCKETS - 1
    at = {position: term for term, found in positions.items() for position in found}
    if len(at) == sum(map(len, positions.values())):  # one term per position: the usual case
        buckets = set()
        for position, term in at.items():
            following = at.get(position + 1)
            if following is not None:
                buckets.add(terms[crc32(term + b"\x00" + following) & mask])
        return buckets
    # Some analyzers put several tokens at one position (synonyms, split and joined words).
    every: dict[int, list[bytes]] = {}
    for term, found in positions.items():
        for position in found:
            every.setdefault(position, []).append(term)
    return {pair_bucket(term, following) for position, here in every.items() for term in here for following in every.get(position + 1, ())}


def _analysis_of(analyzer) -> Callable[[str], dict[bytes, list[int]]]:
    """text -> {term: positions}, as indexing the text with ``analyzer`` numbers them."""
    mirror = _mirror(analyzer)
    if mirror is not None:
        return _term_positions(mirror)

    def by_analyzer(text: str) -> dict[bytes, list[int]]:
        positions: dict[bytes, list[int]] = {}
        for token in analyzer(text, positions=True, mode="index"):
            positions.setdefault(token.text.encode("utf-8"), []).append(token.pos)
        return positions

    return by_analyzer


_WORD_CACHES: dict[tuple, dict[str, bytes | None]] = {}
_LAST_ANALYSES: dict[tuple, list] = {}
_UNSEEN = object()
_DEFAULT_TOKEN_PATTERN = RegexTokenizer().expression.pattern
_DEFAULT_TOKENS = re.compile(_DEFAULT_TOKEN_PATTERN.replace("(", "(?:"))


def _hashable(arg):
    if arg is None:
        return None
    if isinstance(arg, dict):  # a charset map
        return tuple(sorted(arg.items()))
    stops_or_stem, *rest = arg
    if callable(stops_or_stem):  # (cached stem function, ignored words)
        return (getattr(stops_or_stem, "__wrapped__", stops_or_stem), frozenset(rest[0]))
    return (frozenset(stops_or_stem), *rest)


def _metadata_fields() -> dict:
    """Fields shared by both indexes, so field queries mean the same in ``--speaker`` searches."""
    return dict(
        id=ID(stored=True, sortable=True),
        version=NUMERIC(stored=True),
        title=FastText(analyzer=text_analyzer(), stored=True, field_boost=2.0),
        title_sort=ID(sortable=True),
        content=FastText(analyzer=text_analyzer()),
        content_pairs=WordPairs(text_analyzer()),
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
        tenure_years=NUMERIC(float, bits=64, stored=True),
        date=DATETIME(stored=True),
        # Sort key for the interview date: YYYYMMDD, 0 when unknown. A DATETIME column gives
        # documents without a value a default that sorts before every real date when
        # reversed, which would list undated interviews as the newest.
        date_sort=NUMERIC(int, bits=32, sortable=True),
        ingested=DATETIME(stored=True, sortable=True),
        source_url=ID(stored=True),
        site=ID(stored=True),
        format=ID(stored=True),
        sha256=ID(stored=True),
        segments=STORED(),
    )


def build_schema() -> Schema:
    """Schema of the ``records`` index (one document per record)."""
    fields = _metadata_fields()
    fields["id"] = ID(stored=True, unique=True, sortable=True)
    return Schema(**fields)


def build_speaker_schema() -> Schema:
    """Schema of the ``speakers`` index (one document per record and speaking participant)."""
    fields = _metadata_fields()
    fields["key"] = ID(unique=True)  # "<record id>#<participant id>"
    fields["participant"] = ID(stored=True)
    fields["speaker_name"] = STORED()
    return Schema(**fields)


def searchable_fields(schema: Schema) -> list[str]:
    """Field names a user may put in a query (internal bookkeeping fields left out)."""
    return sorted(n for n in schema.names() if not n.endswith("_facet") and n not in _INTERNAL_FIELDS and n not in ("participant", "speaker_name"))


# -- documents ----------------------------------------------------------------------------
def _years(normalized: str | None) -> float | None:
    """Years of an ISO 8601 duration (P8Y, P1Y6M); a bare start year is not a duration."""
    if not normalized:
        return None
    match = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?", normalized)
    if match:
        years, months, days = (int(g or 0) for g in match.groups())
        return round(years + months / 12 + days / 365.25, 2)
    return None


def _facet_value(value: str | None) -> str:
    # Newlines separate facet values in the field, so one value must not contain any.
    return " ".join((value or "").split())


def _parse_date(normalized: str | None) -> datetime | None:
    """An interview date in ISO form (2019, 2019-05, 2019-05-03...) as a datetime, else None."""
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", normalized or "")
    if not match:
        return None
    try:
        return datetime(int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1))
    except ValueError:
        return None


def _speaker_keys(person) -> str:
    """What ``--speaker`` may match for this participant: id, label, name and role."""
    return " ".join(v for v in (person.id, person.label, person.name.value if person.name else None, person.role) if v)


def _metadata_document(record: Record) -> dict:
    interviewee = record.person("interviewee")
    document = {
        "id": record.id,
        "version": record.version,
        "title": record.display_title,
        "title_sort": record.display_title.translate(_FOLD).lower(),
        "name": " ".join(p.name.value for p in record.participants if p.name),
        "subject": " ".join(s.value for s in record.subjects),
        "topic": "\n".join(t.value for t in record.topics),
        "subject_facet": "\n".join(filter(None, (_facet_value(s.value) for s in record.subjects))),
        "ingested": record.ingested_at.replace(tzinfo=None),
        "source_url": record.source.url or "",
        "site": record.source.site or "",
        "format": record.source.media_type,
        "sha256": record.source.sha256,
    }
    if interviewee:
        for name in ("occupation", "organization", "place"):
            fact = getattr(interviewee, name)
            if fact:
                key = "role" if name == "occupation" else name
                document[key] = fact.value
                document[f"{key}_facet"] = _facet_value(fact.value)
        years = _years(interviewee.tenure.normalized) if interviewee.tenure else None
        if years is not None:
            document["tenure_years"] = years
    interview_date = _parse_date(record.interview_date.normalized) if record.interview_date else None
    document["date_sort"] = int(interview_date.strftime("%Y%m%d")) if interview_date else 0
    if interview_date:
        document["date"] = interview_date
    return document


def _segments_json(segments) -> str:
    return json.dumps([[s.id, s.kind, s.who, s.start, s.text] for s in segments], ensure_ascii=False)


def index_document(record: Record) -> dict:
    """The ``records`` index document for one record."""
    speaking = {s.who for s in record.segments if s.who}
    document = _metadata_document(record)
    text = record.full_text
    document.update(
        content=text,
        content_pairs=text,  # the same object: WordPairs reuses the content field's analysis
        speaker=" ".join(_speaker_keys(p) for p in record.participants if p.id in speaking),
        segments=_segments_json(record.segments),
    )
    return document


def speaker_documents(record: Record) -> list[dict]:
    """One ``speakers`` index document per participant with at least one utterance."""
    documents = []
    metadata = _metadata_document(record)
    for person in record.participants:
        said = [s for s in record.segments if s.who == person.id]
        if not said:
            continue
        document = dict(metadata)
        said_text = "\n\n".join(s.text for s in said)
        document.update(
            key=f"{record.id}#{person.id}",
            participant=person.id,
            speaker_name=(person.name.value if person.name else None) or person.label or person.id,
            speaker=_speaker_keys(person),
            content=said_text,
            content_pairs=said_text,  # the same object, as above
            segments=_segments_json(said),
        )
        documents.append(document)
    return documents


_FOLD = str.maketrans(accent_map)


# -- results ------------------------------------------------------------------------------
@dataclass
class Snippet:
    """A highlighted passage and where it is: segment id, kind, speaker, time stamp."""

    segment: str
    kind: str
    who: str | None
    start: str | None
    text: str  # highlighted with <mark>…</mark>; the rest is the segment's plain text


@dataclass
class Hit:
    """One record that matched."""

    id: str
    version: int
    title: str
    score: float | None  # None when sorted by date or title (no ranking was computed)
    date: str | None = None  # interview date (ISO) when known
    ingested: str | None = None
    speaker: str | None = None  # participant id, for --speaker searches
    speaker_name: str | None = None
    snippets: list[Snippet] = field(default_factory=list)


@dataclass
class SearchResults:
    """A page of hits, the total number of matching records and optional facet counts."""

    query: str
    total: int
    page: int
    limit: int
    pages: int
    sort: str
    hits: list[Hit]
    speaker: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class IndexStatus:
    """How the index compares with the store; ``state`` is ok, empty, missing, outdated, stale or locked.

    ``locked`` (a writer holds the index) is only looked up when the counts differ or on a
    deep check.
    """

    state: Literal["ok", "empty", "missing", "outdated", "stale", "locked"]
    records_in_store: int
    records_in_index: int
    message: str
    locked: bool = False
    differing: list[str] = field(default_factory=list)  # record ids whose indexed version differs (deep check)


class _MarkFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{highlight.get_text(text, token, replace)}</mark>"


def count_record_dirs(records_dir: Path) -> int:
    """Number of record folders; ``scandir`` type info avoids one stat per record."""
    pattern = re.compile(RECORD_ID_PATTERN)
    try:
        with os.scandir(records_dir) as entries:
            return sum(1 for e in entries if e.is_dir() and pattern.match(e.name))
    except FileNotFoundError:
        return 0


def _flock_held(path: Path) -> bool:
    """Whether some process holds an flock on ``path`` (what ``filelock`` uses on Unix)."""
    try:
        import fcntl
    except ImportError:  # Windows: cannot tell cheaply; say no
        return False
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


# One open Index and Searcher per index folder per process: opening a searcher reads every
# segment's metadata, which costs more than most queries.
_OPEN: dict[tuple[str, str], list] = {}
_OPEN_LOCK = threading.RLock()
_MAX_OPEN = 8


def _forget(path: Path) -> None:
    with _OPEN_LOCK:
        for key in [k for k in _OPEN if k[0] == str(path.resolve())]:
            index, searcher = _OPEN.pop(key)
            if searcher is not None:
                searcher.close()


class _SegmentLengths:
    """The new segment's field lengths, as the commit looks them up once per posting.

    Whoosh's per-document reader reads one byte from the lengths file per posting, and for
    a field without lengths (ids, numbers, facets) checks on disk, per posting, whether the
    file exists. Here each field's lengths are read once and kept in a list; the values
    are the reader's own.
    """

    def __init__(self, reader) -> None:
        self._reader = reader
        self._fields: dict[str, list | None] = {}

    def __getattr__(self, name):
        return getattr(self._reader, name)

    def _load(self, fieldname: str) -> list | None:
        column = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return None
        return [byte_to_length(b) if b else None for b in (column[d] for d in range(self._reader.doc_count_all()))]

    def doc_field_length(self, docnum, fieldname, default=0):
        try:
            lengths = self._fields[fieldname]
        except KeyError:
            lengths = self._fields[fieldname] = self._load(fieldname)
        if lengths is None:
            return default
        if 0 <= docnum < len(lengths):
            return lengths[docnum]
        return self._reader.doc_field_length(docnum, fieldname, default)


# A length byte's value as W3PerDocReader.doc_field_length gives it (None for 0: no length).
_LENGTH_OF_BYTE = [byte_to_length(b) if b else None for b in range(256)]


def segment_field_lengths(reader, fieldname: str) -> list | None:
    """Every record's length of ``fieldname`` in one segment (what ``doc_field_length``
    gives per record), or None when the segment keeps no lengths for it.

    Read once per segment reader, kept on it (a searcher keeps its segment readers, so
    once per index generation): the column's bytes in one read, decoded through a table.
    """
    cache = reader.__dict__.setdefault("_oral_archive_lengths", {})
    if fieldname not in cache:
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            cache[fieldname] = None
        else:
            count = reader.doc_count_all()
            stored = min(column._count, count)
            table = _LENGTH_OF_BYTE
            lengths = [table[b] for b in column._dbfile.get(column._basepos, stored)]
            lengths += [table[column[docnum]] for docnum in range(stored, count)]  # past the column's end: its default
            cache[fieldname] = lengths
    return cache[fieldname]


class BM25FWithLengthTable(BM25F):
    """Whoosh's BM25F (same scores) with each record's field length taken from a list
    read once per segment (``segment_field_lengths``), not from the lengths file through
    three method calls for every scored record: a fifth of a broad query's time."""

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        reader = searcher.reader()
        if getattr(scorer, "dfl", None) is not None and isinstance(reader, SegmentReader):
            lengths = segment_field_lengths(reader, fieldname)
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer


@dataclass(frozen=True)
class TieredMerge:
    """Whoosh merge policy: merge ``per_tier`` segments of one size tier into one of the next.

    A segment's tier is ``floor(log_per_tier(documents / smallest))``. When a tier holds
    ``per_tier`` segments they are merged, unless the result would exceed ``largest``
    documents. So each document is merged about once per tier, no commit merges more
    than ``largest`` documents, and segments stay few (at most ``per_tier - 1`` per
    tier, plus the ones too large to merge).

    Whoosh's own policy merges by a Fibonacci rule that every so often merges every
    segment at once: replayed over commits of 1,000 records, a commit near 100,000
    records rewrites all of them, one near 490,000 all 490,000. A merge costs about
    12 ms per record here (10 segments of 1,000 records: 122 s, both indexes), so its
    size is what bounds the slowest commit: 20 minutes and 1.6 hours for those two.
    """

    per_tier: int = 10
    smallest: int = 100
    largest: int = 25_000

    def tier(self, documents: int) -> int:
        tier, bound = 0, self.smallest * self.per_tier
        while documents >= bound:
            tier += 1
            bound *= self.per_tier
        return tier

    def __call__(self, writer, segments):
        from whoosh.reading import SegmentReader

        tiers: dict[int, list] = {}
        for segment in segments:
            tiers.setdefault(self.tier(segment.doc_count_all()), []).append(segment)
        for tier in sorted(tiers):
            merging = tiers[tier][: self.per_tier]
            if len(merging) < self.per_tier or sum(s.doc_count_all() for s in merging) > self.largest:
                continue
            for segment in merging:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                writer.add_reader(reader)
                reader.close()
            merged = {id(segment) for segment in merging}
            return [segment for segment in segments if id(segment) not in merged]
        return segments


MERGE_POLICY = TieredMerge()
# The writer's sorting pool (Whoosh's estimate: about 170 bytes a posting): with Whoosh's
# 128 MB a 10,000-document merge spills to disk (every posting pickled and read back),
# which doubled its time; with the word pairs a 10,000-record batch holds about 5.5
# million postings per index, which 512 MB spilled too (a third of the build time went
# to pickling runs and merging them back). Memory is only taken by that many postings.
WRITER_MEMORY_MB = 1024


class _Writer(SegmentWriter):
    """Whoosh's segment writer with the commit's length lookups cached (``_SegmentLengths``)."""

    def per_document_reader(self):
        reader = super().per_document_reader()
        return _SegmentLengths(reader) if hasattr(reader, "_cached_reader") else reader


class SearchIndex:
    """The archive's Whoosh indexes: add, rebuild, check and query."""

    def __init__(self, path: Path, lock_timeout: float = 10.0, merge_policy: Callable = MERGE_POLICY) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.merge_policy = merge_policy
        # The query size limits (see MAX_QUERY_CHARS); a benchmark may raise them.
        self.max_query_chars = MAX_QUERY_CHARS
        self.max_query_words = MAX_QUERY_WORDS
        # The store's record count, cached against the records folder's mtime so the
        # staleness check costs one stat per search, not a folder listing.
        self._store_count: tuple[int, int] | None = None

    # -- opening ------------------------------------------------------------------------
    def _has_toc(self, name: str) -> bool:
        # whoosh.index.exists_in opens the index (reads the TOC, unpickles the schema): too
        # slow to ask on every search. A committed index always has a _<name>_<gen>.toc file.
        try:
            return any(re.fullmatch(rf"_{name}_\d+\.toc", entry) for entry in os.listdir(self.path))
        except OSError:
            return False

    def exists(self) -> bool:
        return self._has_toc(RECORDS)

    def _state(self) -> dict:
        try:
            return json.loads((self.path / STATE_FILE).read_text())
        except (OSError, ValueError):
            return {}

    def _write_state(self, rebuilding: bool = False) -> None:
        temporary = self.path / f".{STATE_FILE}.tmp-{os.getpid()}"
        temporary.write_text(json.dumps({"format": INDEX_FORMAT, **({"rebuilding": True} if rebuilding else {})}) + "\n")
        os.replace(temporary, self.path / STATE_FILE)

    def _current(self) -> bool:
        """Both indexes exist in the current format (perhaps still being rebuilt)."""
        return self.exists() and self._has_toc(SPEAKERS) and self._state().get("format") == INDEX_FORMAT

    def usable(self) -> bool:
        """True when both indexes exist in the current format and no rebuild of a new index
        was left unfinished."""
        return self._current() and not self._state().get("rebuilding")

    def _entry(self, name: str) -> list:
        key = (str(self.path.resolve()), name)
        with _OPEN_LOCK:
            entry = _OPEN.pop(key, None)
            if entry is None:
                if not self._has_toc(name):
                    raise IndexMissing(f"{self.path.parent}: the search index is missing; run 'oral-archive reindex'")
                entry = [whoosh_index.open_dir(str(self.path), indexname=name), None]
                # A process that opens many archives (a test run, a server) must not keep
                # every one's segment files open: close the least recently used.
                while len(_OPEN) >= _MAX_OPEN:
                    _, searcher = _OPEN.pop(next(iter(_OPEN)))
                    if searcher is not None:
                        searcher.close()
            _OPEN[key] = entry  # re-inserted last: the dict's order is the recency order
            return entry

    def open(self, name: str = RECORDS):
        """The Whoosh ``Index`` object (kept open for the process)."""
        return self._entry(name)[0]

    def searcher(self, name: str = RECORDS):
        """The process's searcher for ``name``, refreshed if a writer committed since."""
        with _OPEN_LOCK:
            entry = self._entry(name)
            if entry[1] is None:
                entry[1] = entry[0].searcher(weighting=BM25FWithLengthTable())
            elif not entry[1].up_to_date():
                # Not Searcher.refresh(): in whoosh 2.7.5 its segment-reader reuse keeps the
                # old segments after a commit with mergetype=CLEAR (a reindex), so every
                # record would count twice. Open afresh; this happens once per commit.
                entry[1].close()
                entry[1] = entry[0].searcher(weighting=BM25FWithLengthTable())
            return entry[1]

    def is_locked(self) -> bool:
        """Whether a writer is busy: the archive's write lock or either index's lock is held.

        The archive lock (``<archive>/.lock``, held for a whole ingest) matters because
        records are stored before the batch is indexed: during an ingest the store is
        ahead of the index without the index being stale.
        """
        archive_lock = self.path.parent / ".lock"
        if archive_lock.exists() and _flock_held(archive_lock):
            return True
        if not self.path.is_dir():
            return False
        from whoosh.filedb.filestore import FileStorage

        storage = FileStorage(str(self.path))
        for name in (RECORDS, SPEAKERS):
            lock = storage.lock(f"{name}_WRITELOCK")
            if not lock.acquire(blocking=False):
                return True
            lock.release()
        return False

    # -- writing ------------------------------------------------------------------------
    def _writers(self, create: bool):
        if create and not self._current():
            self._create()
        try:
            return [
                _Writer(self.open(name), timeout=self.lock_timeout, limitmb=WRITER_MEMORY_MB, codec=ArchiveCodec())
                for name in (RECORDS, SPEAKERS)
            ]
        except LockError:
            raise IndexLocked(f"{self.path}: the search index is locked by another writer (an ingest or reindex is running); try again later") from None

    def _create(self, rebuilding: bool = False) -> None:
        _forget(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        whoosh_index.create_in(str(self.path), build_schema(), indexname=RECORDS)
        whoosh_index.create_in(str(self.path), build_speaker_schema(), indexname=SPEAKERS)
        self._write_state(rebuilding)

    def update(self, records: Iterable[Record], *, clear: bool = False) -> int:
        """Add or replace records (one commit per index for the whole batch); returns the count.

        With ``clear`` the existing documents are dropped at commit time, so searchers keep
        seeing the old index until the new one is complete. A list may hold several
        versions of one record (the newest wins); any other iterable is streamed (constant
        memory, as for a rebuild) and must yield each record id once.
        """
        if isinstance(records, (list, tuple)):
            latest: dict[str, Record] = {}
            for record in records:
                # The second of two versions could not replace the first's uncommitted
                # document, so keep only the newest per record id.
                if record.id not in latest or record.version > latest[record.id].version:
                    latest[record.id] = record
            records = list(latest.values())
        record_writer, speaker_writer = self._writers(create=True)
        count = 0
        try:
            # Replacing costs a term lookup and a deletion per document; a rebuild or a
            # record new to the index only needs adding.
            indexed = record_writer.reader() if not clear else None
            for record in records:
                document = index_document(record)
                if indexed is not None and ("id", record.id) in indexed:
                    record_writer.update_document(**document)
                    speaker_writer.delete_by_term("id", record.id)
                else:
                    record_writer.add_document(**document)
                for speaker_document in speaker_documents(record):
                    speaker_writer.add_document(**speaker_document)
                count += 1
        except BaseException:
            record_writer.cancel()
            speaker_writer.cancel()
            raise
        if clear:
            record_writer.commit(mergetype=CLEAR)
            speaker_writer.commit(mergetype=CLEAR)
        else:
            record_writer.commit(mergetype=self.merge_policy)
            speaker_writer.commit(mergetype=self.merge_policy)
        return count

    def rebuild(self, records: Iterable[Record]) -> int:
        """Recreate the index from the records; an index of an older format is replaced.

        A usable index keeps serving searches until the rebuild commits. An index that is
        recreated (missing, of another format, or an earlier rebuild that never finished)
        is marked "rebuilding" until both commits are done, so an interrupted rebuild
        leaves it unusable, and the next writer rebuilds again, rather than an index
        that looks current and holds only part of the records.
        """
        fresh = not self.usable()
        if fresh:
            self._create(rebuilding=True)
        count = self.update(records, clear=True)
        if fresh:
            self._write_state()
        return count

    # -- status -------------------------------------------------------------------------
    def store_count(self, records_dir: Path) -> int:
        try:
            mtime = records_dir.stat().st_mtime_ns
        except FileNotFoundError:
            return 0
        if self._store_count is None or self._store_count[0] != mtime:
            self._store_count = (mtime, count_record_dirs(records_dir))
        return self._store_count[1]

    def status(self, records_dir: Path, latest_versions: Callable[[], dict[str, int]] | None = None) -> IndexStatus:
        """Compare the index with the store.

        The quick check compares the number of records; with ``latest_versions`` (record id
        -> newest stored version) it also finds records whose newer version is not indexed.
        """
        in_store = self.store_count(records_dir)
        if not self.exists():
            if in_store == 0:
                return IndexStatus("empty", 0, 0, "the archive is empty")
            return IndexStatus("missing", in_store, 0, f"the search index is missing ({in_store} records in the archive); run 'oral-archive reindex'")
        if self._current() and not self.usable():
            return IndexStatus("outdated", in_store, 0, "a rebuild of the search index did not finish; run 'oral-archive reindex'")
        if not self.usable():
            return IndexStatus("outdated", in_store, 0, "the search index was built by another version of oral-archive; run 'oral-archive reindex'")
        searcher = self.searcher(RECORDS)
        in_index = searcher.doc_count()
        differing: list[str] = []
        if latest_versions is not None:
            indexed = {fields["id"]: fields["version"] for fields in searcher.all_stored_fields()}
            versions = latest_versions()
            differing = sorted(i for i in versions.keys() | indexed.keys() if versions.get(i) != indexed.get(i))
        # Asking for the lock costs two file opens; a search only needs to know when the
        # counts differ (a writer mid-commit, or a stale index).
        locked = self.is_locked() if (in_store != in_index or differing or latest_versions is not None) else False
        if in_store != in_index or differing:
            detail = f"{in_store} records in the archive, {in_index} in the index" + (f", {len(differing)} differ" if differing else "")
            if locked:
                return IndexStatus("locked", in_store, in_index, f"the search index is being updated by another process ({detail}); results reflect its last commit", True, differing)
            return IndexStatus("stale", in_store, in_index, f"the search index is stale ({detail}); run 'oral-archive reindex'", False, differing)
        return IndexStatus("ok", in_store, in_index, f"the search index is up to date ({in_index} records)", locked, differing)

    # -- querying -----------------------------------------------------------------------
    def parse(self, text: str, speaker: bool = False) -> wq.Query:
        """Parse the Whoosh query language; anything wrong becomes a one-line ``QueryError``.

        A query over ``max_query_chars`` characters or ``max_query_words`` words raises
        ``QueryTooLong`` (a ``QueryError``) before it is parsed; parsing and normalizing
        take time linear in the query's length.
        """
        too_large = query_size_problem(text, self.max_query_chars, self.max_query_words)
        if too_large:
            raise QueryTooLong(text, too_large)
        if not text.strip():
            raise QueryError(text, "the query is empty")
        schema = self.open(SPEAKERS if speaker else RECORDS).schema
        parser = qparser.MultifieldParser(list(SPEAKER_DEFAULT_FIELDS if speaker else DEFAULT_FIELDS), schema=schema)
        parser.replace_plugin(operators_plugin())
        parser.add_plugin(qparser.FuzzyTermPlugin())
        parser.add_plugin(qparser.GtLtPlugin())
        errors: list[str] = []
        parser.add_plugin(DateParserPlugin(callback=errors.append))
        known = set(searchable_fields(schema))
        unquoted = re.sub(r'"[^"]*"', " ", text)
        # Whoosh treats "foo:bar" with an unknown field as plain words; a researcher who
        # mistyped a field would silently get other results, so refuse it instead.
        for fieldname in re.findall(r"(?<![\w:/.\\])([A-Za-z_]\w*):(?!//)", unquoted):
            if fieldname not in known:
                raise QueryError(text, f"unknown field {fieldname!r}; fields: {', '.join(sorted(known))}")
        problem = syntax_problem(text)
        if problem:
            raise QueryError(text, problem)
        too_deep = f"brackets and NOT, ANDNOT, ANDMAYBE or REQUIRE nest more than {MAX_QUERY_NESTING} levels deep"
        try:
            # Parser.parse in its steps: the syntax tree's depth is checked before the
            # recursive parts of Whoosh walk it, and the query is normalized here.
            nodes = parser.process(_compact_iso_dates(text))
            if syntax_depth(nodes) > MAX_QUERY_NESTING:
                raise QueryError(text, too_deep)
            parsed = normalize_query(nodes.query(parser) or wq.NullQuery)
        except QueryError:
            raise
        except RecursionError:
            raise QueryError(text, too_deep) from None
        except Exception as error:  # whoosh raises assorted errors on odd syntax
            raise QueryError(text, (str(error) or type(error).__name__).splitlines()[0]) from None
        if errors:
            raise QueryError(text, f"cannot read {errors[0]!r} as a date (try 2019, 2019-05-03, or [2018 TO 2020])")
        # Whoosh silently drops a numeric clause whose value is not a number, which would
        # widen "tenure_years:[a TO 5] police" to "police": refuse it.
        for fieldname, value in re.findall(r"\b(tenure_years|version):\s*(?:[<>]=?)?(\[[^\]}]*[\]}]|\{[^\]}]*[\]}]|[^\s)]+)", unquoted):
            for number in re.split(r"\s+TO\s+|\s+", value.strip("[]{} ")):
                try:
                    float(number) if number and number != "TO" else None
                except ValueError:
                    raise QueryError(text, f"{fieldname} takes numbers, not {number!r}") from None
        if isinstance(parsed, type(wq.NullQuery)):
            raise QueryError(text, "nothing to search for (only stop words, or a value that does not fit its field?)")
        for node in parsed.leaves():
            if isinstance(node, type(wq.NullQuery)):
                continue
            if type(node).__name__ == "ErrorQuery":
                raise QueryError(text, "cannot be parsed (unbalanced brackets or quotes, or a bad range?)")
            fieldname = getattr(node, "fieldname", None)
            if fieldname and fieldname not in schema.names():
                raise QueryError(text, f"unknown field {fieldname!r}")
        return parsed

    def _speaker_query(self, speaker: str, text: str | None = None) -> wq.Query:
        """The speakers index query for ``speaker``; a speaker with no words to match is a
        ``QueryError`` about the search ``text``."""
        words = [t.text for t in exact_analyzer()(speaker)]
        if not words:
            raise QueryError(speaker if text is None else text, f"the speaker {speaker!r} names nobody; give a participant id, label, name or role")
        return wq.And([wq.Term("speaker", w) for w in words])

    def search(
        self,
        text: str,
        *,
        limit: int = 10,
        page: int = 1,
        sort: str = "relevance",
        reverse: bool = False,
        facets: bool = False,
        speaker: str | None = None,
        snippets: int = SNIPPETS_PER_HIT,
    ) -> SearchResults:
        """Run a query and return one page of typed hits, with snippets for that page only.

        ``speaker`` searches only what that participant said; given, it must name someone
        (an empty one is a ``QueryError``, not "everybody"). A query over the size limits
        is a ``QueryTooLong`` (see ``parse``).
        """
        if sort not in SORTS:
            raise QueryError(text, f"unknown sort {sort!r}; choose from {', '.join(SORTS)}")
        if limit < 1 or page < 1:
            raise QueryError(text, "limit and page must be at least 1")
        # An empty speaker is refused, not taken for "no speaker": the researcher asked
        # for one person's words and would otherwise read everybody's.
        speaker_query = self._speaker_query(speaker, text) if speaker is not None else None
        name = SPEAKERS if speaker else RECORDS
        parsed = self.parse(text, speaker=bool(speaker)).accept(_faster_leaves).accept(_narrow_and)
        searcher = self.searcher(name)
        kwargs: dict = {"limit": page * limit}
        if speaker:
            # A restriction, not part of the relevance: as a filter the text query keeps
            # Whoosh's skipping of blocks that cannot reach the top hits, which an AND
            # with a term half the documents hold defeats.
            spoken_by = _speaker_documents(searcher, speaker_query)
            kwargs["filter"] = spoken_by
        if sort == "date":
            # Newest interview first; undated interviews after, newest ingest first.
            kwargs.update(sortedby=["date_sort", "ingested"], reverse=not reverse)
        elif sort == "title":
            kwargs.update(sortedby=["title_sort", "id"], reverse=reverse)
        elif reverse:
            raise QueryError(text, "--reverse needs --sort date or title")
        matches = None
        if speaker:
            # Several participants of one record may match (e.g. two interviewers named
            # Curry): show the record once, with its best-matching speaker.
            if spoken_by:
                page_hits = _one_per_record(searcher, parsed, page * limit, kwargs)[(page - 1) * limit :]
                matches = _one_document_per_record(searcher, matching_docs(searcher, parsed) & spoken_by)
            else:  # nobody by that name: Whoosh takes an empty filter for no filter at all
                page_hits, matches = [], set()
            total = len(matches)
        else:
            results = searcher.search(parsed, **kwargs)
            page_hits = results[(page - 1) * limit : page * limit]
            if facets:
                matches = matching_docs(searcher, parsed)
                total = len(matches)
            elif results.has_exact_length():
                total = len(results)
            else:
                total = count_matches(searcher, parsed)
        terms = self._snippet_terms(searcher, parsed)
        fragmenter = highlight.ContextFragmenter(maxchars=200, surround=50)
        formatter = _MarkFormatter()
        analyzer = searcher.schema["content"].analyzer
        mirror = _mirror(analyzer)
        hits = []
        for hit in page_hits:
            stored = hit.fields()
            found = Hit(
                id=stored["id"],
                version=stored["version"],
                title=stored["title"],
                score=round(hit.score, 4) if hit.score is not None and sort == "relevance" else None,
                date=stored["date"].date().isoformat() if stored.get("date") else None,
                ingested=stored["ingested"].isoformat() if stored.get("ingested") else None,
                speaker=stored.get("participant"),
                speaker_name=stored.get("speaker_name"),
            )
            if terms and snippets:
                found.snippets = _snippets(json.loads(stored["segments"]), terms, analyzer, fragmenter, formatter, snippets, mirror)
            hits.append(found)
        # Facet values are a record's: counted over one matching document per record.
        facet_counts = facet_counts_of(searcher, matches) if facets else {}
        pages = max(1, -(-total // limit))
        return SearchResults(query=text, total=total, page=page, limit=limit, pages=pages, sort=sort, hits=hits, speaker=speaker, facets=facet_counts)

    def _snippet_terms(self, searcher, parsed: wq.Query) -> dict[str, frozenset[str]]:
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


class _SortedIdsMatcher(ListMatcher):
    """A ``ListMatcher`` over sorted ids that skips by bisection (Whoosh's steps one by one)."""

    def skip_to(self, id):
        if not self.is_active():
            raise ReadTooFar
        if id > self.id():
            self._i = bisect.bisect_left(self._ids, id, self._i)


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
        return _SortedIdsMatcher(ids, all_weights=self.boost)


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
        return _SortedIdsMatcher(sorted(ids), all_weights=self.boost)

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
            found.update(_all_ids(reader.postings(self.fieldname, term)))
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
        return _SortedIdsMatcher(ids, weights=scores)


class _Posting:
    """What a scorer reads of a posting: its record and weight."""

    __slots__ = ("docnum", "weight_")

    def __init__(self, docnum: int, weight: float) -> None:
        self.docnum, self.weight_ = docnum, weight

    def id(self) -> int:
        return self.docnum

    def weight(self) -> float:
        return self.weight_


def _plain_postings(matcher):
    """(whoosh3 posting list or None, deleted records) behind a term's matcher."""
    deleted = frozenset()
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        deleted, matcher = matcher._ids, matcher.child
    return (matcher if isinstance(matcher, W3LeafMatcher) else None), deleted


def _read_block_ids(postings) -> None:
    """``W3LeafMatcher._read_ids``, the deltas summed by ``accumulate`` (same ids) instead
    of a Python generator: most of the time of reading a long posting list."""
    if postings._ids is None:
        if postings._data is None:
            postings._read_data()
        ids = postings._data[0]
        postings._ids = ids if postings._byteids else tuple(accumulate(ids))


def _skip_to_by_bisection(self, targetid):
    """``W3LeafMatcher.skip_to`` with the in-block step done by ``bisect`` (same position).

    Whoosh steps through a block's ids one ``next()`` at a time; intersections (``a AND
    b``, field filters) call ``skip_to`` for most records of the rarer side, so that walk
    was a fifth of such a query's time at 20,000 records.
    """
    if not self.is_active():
        raise ReadTooFar
    if targetid <= self.id():
        return
    if targetid > self._maxid:
        self._skip_to_block(lambda: targetid > self._maxid)
        if not self.is_active():
            return
    _read_block_ids(self)
    # The block's last id is >= targetid, so the position found is inside the block.
    self._i = bisect.bisect_left(self._ids, targetid, self._i)


# Installed on Whoosh's class: its own readers create the posting matchers. Whoosh's own
# methods are kept for the tests that compare the two.
WHOOSH_SKIP_TO, WHOOSH_READ_IDS = W3LeafMatcher.skip_to, W3LeafMatcher._read_ids
W3LeafMatcher.skip_to = _skip_to_by_bisection
W3LeafMatcher._read_ids = _read_block_ids


def _blocks(postings):
    """Walk a whoosh3 posting list a block at a time (the matcher is positioned on each)."""
    while postings.is_active():
        _read_block_ids(postings)
        yield postings
        postings._next_block()


def _term_blocks(reader, fieldname: str, term: bytes, within: list[int] | None = None):
    """(blocks of (ids, weights, values), deleted records) of one term's postings, or None
    when they are not plain whoosh3 postings.

    With ``within`` (sorted record numbers), only the blocks whose range of records holds
    one of them are read: a block's last record is known before its data is unpickled.
    """
    postings, deleted = _plain_postings(reader.postings(fieldname, term))
    if postings is None:
        return None
    blocks = []
    lowest = 0  # no record of this block comes before the previous block's last + 1
    while postings.is_active():
        if within is None or bisect.bisect_left(within, lowest) < bisect.bisect_right(within, postings._maxid):
            _read_block_ids(postings)
            postings._read_weights()
            postings._read_values()
            blocks.append((postings._ids, postings._weights, postings._values))
        lowest = postings._maxid + 1
        postings._next_block()
    return blocks, deleted


# short encoded positions -> decoded: the same few values recur across records (a role's
# words are at positions 0 and 1 in thousands of records), so decoding them is
# remembered. Long values (a word many times in a long text) are nearly unique: not kept.
_DECODED_POSITIONS: dict[bytes, tuple[int, ...]] = {}
_DECODED_POSITIONS_LIMIT = 50_000
_DECODED_POSITIONS_LONGEST = 32  # bytes: a few positions; 50,000 such entries stay under ~15 MB


def _decode_positions(value: bytes) -> tuple[int, ...]:
    """``Positions.decode_positions``: a count, then the pickled position deltas (Whoosh
    leaves out pickle's final "."), summed up by ``accumulate`` instead of a Python loop."""
    found = _DECODED_POSITIONS.get(value)
    if found is None:
        found = tuple(accumulate(loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b".")))
        if len(value) <= _DECODED_POSITIONS_LONGEST:
            if len(_DECODED_POSITIONS) >= _DECODED_POSITIONS_LIMIT:
                _DECODED_POSITIONS.clear()
            _DECODED_POSITIONS[value] = found
    return found


def _tree_sum(scores: list[float]) -> float:
    """Sum in the order of Whoosh's binary tree of intersection matchers (same floats)."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])


def _pair_filter(searcher, reader, fieldname: str, terms: list[bytes]) -> list[int] | None:
    """Sorted live records of a segment holding every pair bucket of the phrase (a superset
    of the records holding the phrase), or None when the field has no ``WordPairs``."""
    pairs_field = fieldname + PAIRS_SUFFIX
    if len(terms) < 2 or not isinstance(searcher.schema[pairs_field] if pairs_field in searcher.schema else None, WordPairs):
        return None
    found = None
    for bucket in {pair_bucket(first, second) for first, second in zip(terms, terms[1:])}:
        if (pairs_field, bucket) not in reader:
            return []
        ids = set(_all_ids(reader.postings(pairs_field, bucket)))
        found = ids if found is None else found & ids
        if not found:
            return []
    return sorted(found)


def _phrase_in_segment(searcher, reader, fieldname: str, terms: list[bytes], context):
    """(sorted records holding the words consecutively, their scores) in one segment."""
    format_ = searcher.schema[fieldname].format
    decode = _decode_positions if type(format_) is Positions else format_.decode_positions
    within = _pair_filter(searcher, reader, fieldname, terms)
    if within is not None and not within:
        return [], []
    read = [_term_blocks(reader, fieldname, term, within) for term in terms]
    if any(r is None for r in read):
        return None
    candidates = None if within is None else set(within)
    for blocks, deleted in read:
        ids = set().union(*(block[0] for block in blocks))
        candidates = ids if candidates is None else candidates & ids
        candidates -= deleted
        if not candidates:
            return [], []
    # per term: record -> (weight, value) for the candidates only
    postings: list[dict[int, tuple[float, bytes]]] = []
    for blocks, _ in read:
        found = {}
        for ids, weights, values in blocks:
            for docnum in candidates.intersection(ids):
                index = bisect.bisect_left(ids, docnum)
                found[docnum] = (weights[index], values[index])
        postings.append(found)
    matches = []
    for docnum in sorted(candidates):
        starts = set(decode(postings[0][docnum][1]))
        for shift, found in enumerate(postings[1:], 1):
            starts.intersection_update([p - shift for p in decode(found[docnum][1])])
            if not starts:
                break
        if starts:
            matches.append(docnum)
    weighting = (context.weighting if context is not None else None) or searcher.weighting
    scorers = [weighting.scorer(searcher, fieldname, term) for term in terms]
    scores = [_tree_sum([scorer.score(_Posting(docnum, found[docnum][0])) for scorer, found in zip(scorers, postings)]) for docnum in matches]
    return matches, scores


class _NoSetForm(Exception):
    """A query shape ``_matching_docs`` does not turn into set operations."""


def _leaf_docs(searcher, query) -> set[int]:
    """Top-level document numbers a leaf query matches (live documents only)."""
    found: set[int] = set()
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher)
        found.update(docnum + offset for docnum in _all_ids(matcher))
    return found


def _all_ids(matcher):
    """A matcher's ids; a term's postings block by block instead of one ``next()`` each."""
    postings, deleted = _plain_postings(matcher)
    if postings is None:
        return matcher.all_ids()  # a FilterMatcher itself leaves out its deleted records
    ids: list[int] = []
    for block in _blocks(postings):
        ids.extend(block._ids[block._i :])
    return [i for i in ids if i not in deleted] if deleted else ids


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
                documents.update(docnum + offset for docnum in _all_ids(reader.postings(fieldname, term)))
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


_DATE_CLAUSE = re.compile(r"\b(date|ingested):(\s*(?:[<>]=?)?(?:[\[{][^\]}]*[\]}]?|'[^']*'|[^\s)]+))")


def _compact_iso_dates(text: str) -> str:
    """2019-05-03 -> 20190503 (and 2019-05 -> 201905) in date clauses.

    Whoosh's English date parser reads compact dates but not ISO 8601 with hyphens, the
    form archivists write and our records store.
    """

    def compact(match: re.Match) -> str:
        value = re.sub(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b", lambda m: "".join(g for g in m.groups() if g), match.group(2))
        return f"{match.group(1)}:{value}"

    return _DATE_CLAUSE.sub(compact, text)


def syntax_problem(text: str) -> str | None:
    """What is structurally wrong with a query (unbalanced quotes, brackets, ranges, brackets
    nested too deep), or None.

    Whoosh's parser never fails on these: it quietly closes groups and turns stray
    brackets into words, so "title:(" would search for the word "title". A researcher
    should hear that the query is malformed instead of reading unrelated hits, and hear
    it about the character they typed.
    """
    # A range may mix its ends ({5 TO 10] excludes 5, includes 10): either bracket closes either opener.
    closes = {")": "(", "]": "[{", "}": "[{"}
    stack: list[tuple[str, int]] = []  # (the opening character as typed, its index)
    quote_at = None
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2  # an escaped character is literal
            continue
        if quote_at is not None:
            if char == '"':
                quote_at = None
        elif char == '"':
            quote_at = i
        elif char in "([{":
            stack.append((char, i))
            if len(stack) > MAX_QUERY_NESTING:
                return f"brackets are nested more than {MAX_QUERY_NESTING} deep"
        elif char in closes:
            if not stack:
                return f"{char!r} at position {i + 1} closes nothing"
            opener, start = stack[-1]
            if opener not in closes[char]:
                return f"{char!r} at position {i + 1} cannot close the {opener!r} at position {start + 1}"
            stack.pop()
            if opener != "(" and not re.search(r"(^|\s)TO(\s|$)", text[start + 1 : i]):
                return f"the range {text[start:i + 1]!r} needs 'TO', e.g. [5 TO 10]"
        i += 1
    if quote_at is not None:
        return f"the quote at position {quote_at + 1} is never closed"
    if stack:
        opener, start = stack[-1]
        if opener == "(":
            return f"'(' at position {start + 1} is never closed"
        example = "[5 TO 10]" if opener == "[" else "{5 TO 10}"
        return f"{opener!r} at position {start + 1} is never closed ({opener!r} starts a range, as in {example}; to search for words only, leave it out)"
    return None


_QUERY_WORD = re.compile(r"\w+")


def query_size_problem(text: str, max_chars: int = MAX_QUERY_CHARS, max_words: int = MAX_QUERY_WORDS) -> str | None:
    """Why a query is too large to search (characters, then words), or None.

    Checked before anything else reads the query, so refusing it costs one pass over at
    most ``max_chars`` characters. Words are runs of letters and digits, operators and
    field names included: the same count a reader of the query would make.
    """
    if len(text) > max_chars:
        return f"the query is {len(text):,} characters long; at most {max_chars:,} are searched (shorten it, or split it into several searches)"
    for words, _ in enumerate(_QUERY_WORD.finditer(text), 1):
        if words > max_words:
            return f"the query has more than {max_words:,} words; at most {max_words:,} are searched (shorten it, or split it into several searches)"
    return None


class _QueriedOnce:
    """A binary operator group (ANDNOT, ANDMAYBE, REQUIRE) that builds each side's query once.

    Whoosh's ``BinaryGroup.query`` builds both sides, then builds them again for the
    result, so a chain of N such operators (``a ANDNOT b ANDNOT c ...``, each the left
    side of the next) built its first word 2^N times: 20 operators took a minute.
    """

    def query(self, parser):
        first, second = (node.query(parser) for node in self.nodes)
        if first is None and second is None:
            built = wq.NullQuery
        elif first is None:
            built = second
        elif second is None:
            built = first
        else:
            built = self.qclass(first, second)
        return syntax.attach(built, self)


class _AndNotGroup(_QueriedOnce, syntax.AndNotGroup):
    pass


class _AndMaybeGroup(_QueriedOnce, syntax.AndMaybeGroup):
    pass


class _RequireGroup(_QueriedOnce, syntax.RequireGroup):
    pass


_QUERIED_ONCE = {syntax.AndNotGroup: _AndNotGroup, syntax.AndMaybeGroup: _AndMaybeGroup, syntax.RequireGroup: _RequireGroup}


def operators_plugin() -> qparser.OperatorsPlugin:
    """Whoosh's operators (same words, priorities and grouping) with ``_QueriedOnce`` groups.

    The taggers are this plugin's own objects, so Whoosh's classes and other parsers are
    left as they are.
    """
    plugin = qparser.OperatorsPlugin()
    for tagger, _ in plugin.ops:
        tagger.grouptype = _QUERIED_ONCE.get(tagger.grouptype, tagger.grouptype)
    return plugin


def syntax_depth(node) -> int:
    """Levels of a parser syntax tree (or query tree), counted without recursion."""
    deepest, pending = 0, [(node, 1)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        children = node.nodes if isinstance(node, syntax.GroupNode) else node.children() if isinstance(node, wq.Query) else ()
        pending.extend((child, depth + 1) for child in children)
    return deepest


# Whoosh ``normalize`` methods whose logic ``normalize_query`` carries out itself.
_COMPOUND_NORMALIZE = (wq.CompoundQuery.normalize, wq.Or.normalize, wq.DisjunctionMax.normalize)
_BINARY_NORMALIZE = {
    wq.BinaryQuery.normalize: "either",  # a side that is empty gives way to the other
    wq.AndNot.normalize: "first",  # no first side: nothing; no second: the first
    wq.AndMaybe.normalize: "first",
    wq.Require.normalize: "both",  # either side empty: nothing
}
# What ``Or`` and ``DisjunctionMax.normalize`` carry over to their result.
_COMPOUND_OPTIONS = ("minmatch", "scale", "tiebreak")


def normalize_query(query: wq.Query) -> wq.Query:
    """``query.normalize()``, the same query tree, in time linear in the query's size.

    Whoosh's ``CompoundQuery.normalize`` drops duplicate parts by putting them in a set,
    but a compound query's hash XORs its parts' hashes, so ``Or([title:w, content:w])``,
    what every bare word becomes, hashes the same for every word ``w``: each word was
    compared with every word before it (2,000 words: 7 s; 100 KB: never finished). Here
    duplicates are found through a dictionary of structural keys (the class, boost and
    its parts' keys, each part's key a small number), which equal what Whoosh's ``==``
    and hash compare. Ranges are merged as Whoosh merges them, but compared only with
    ranges of their own field. And, Or, DisjunctionMax, Not, AndNot, AndMaybe, Require
    and Otherwise are normalized here; any other query by its own ``normalize``.
    """
    keys: dict = {}  # structural key -> its number
    # id -> (query, its key number), so a part's key is worked out once however deep it
    # sits; holding the query keeps its id from being reused by another object meanwhile.
    known: dict[int, tuple] = {}

    def key_of(node) -> int:
        found = known.get(id(node))
        if found is None:
            found = known[id(node)] = (node, structural_key(node))
        return found[1]

    def structural_key(node) -> int:
        if isinstance(node, wq.CompoundQuery) and type(node).__eq__ is wq.CompoundQuery.__eq__ and type(node).__hash__ is wq.CompoundQuery.__hash__:
            structure = (type(node), node.boost, tuple(key_of(part) for part in node.subqueries))
        elif isinstance(node, wq.BinaryQuery) and type(node).__eq__ is wq.BinaryQuery.__eq__:
            structure = (type(node), key_of(node.a), key_of(node.b))
        elif type(node) is wq.Not:
            structure = (wq.Not, node.boost, key_of(node.query))  # Whoosh's == ignores the boost, its hash does not
        else:
            structure = ("query", node)  # a leaf: its own == and hash
        return keys.setdefault(structure, len(keys))

    def normalize(node):
        method = type(node).normalize
        if method in _COMPOUND_NORMALIZE:
            return normalize_compound(node)
        if method in _BINARY_NORMALIZE:
            first, second = normalize(node.a), normalize(node.b)
            empty_first, empty_second = first is wq.NullQuery, second is wq.NullQuery
            rule = _BINARY_NORMALIZE[method]
            if rule == "both" and (empty_first or empty_second):
                return wq.NullQuery
            if rule == "first" and empty_first:
                return wq.NullQuery
            if empty_first and empty_second:
                return wq.NullQuery
            if empty_first:
                return second
            if empty_second:
                return first
            return type(node)(first, second)
        if method is wq.Not.normalize:
            inner = normalize(node.query)
            return inner if inner is wq.NullQuery else type(node)(inner, boost=node.boost)
        return node.normalize()

    def normalize_compound(node):
        # As CompoundQuery.normalize, step by step.
        kind = type(node)
        parts = []
        for part in node.subqueries:
            part = normalize(part)
            if isinstance(part, kind):  # a nested query of the same kind: its parts join this one's
                parts.extend(inner.with_boost(inner.boost * part.boost) for inner in part)
            else:
                parts.append(part)
        if all(part is wq.NullQuery for part in parts):
            return wq.NullQuery
        if any(isinstance(part, wq.Every) and part.fieldname is None for part in parts):
            return wq.Every()
        parts = merge_ranges(parts, node)
        every_fields = {part.fieldname for part in parts if isinstance(part, wq.Every)}
        kept, seen = [], set()
        for part in parts:
            if isinstance(part, wq.Every):
                if part.fieldname in seen:  # a second Every of a field: the first covers it
                    continue
                seen.add(part.fieldname)
            elif every_fields and part.field() in every_fields:
                continue  # any query of a field an Every matches wholly adds nothing
            kept.append(part)
        unique = {}
        for part in kept:
            unique.setdefault(key_of(part), part)
        parts = [part for part in unique.values() if part is not wq.NullQuery]
        if not parts:
            return wq.NullQuery
        if len(parts) == 1:
            single = parts[0]
            boost = getattr(single, "boost", 1.0)
            return single if node.boost == 1.0 and boost == 1.0 else single.with_boost(boost * node.boost)
        result = kind(parts, boost=node.boost)
        for option in _COMPOUND_OPTIONS:
            if hasattr(node, option):
                setattr(result, option, getattr(node, option))
        return result

    return normalize(query)


def merge_ranges(parts: list, compound: wq.CompoundQuery) -> list:
    """``CompoundQuery.normalize``'s merging of overlapping ranges among ``compound``'s
    normalized parts, then each range normalized: the same merges in the same order, but
    each range compared only with the later ranges of its own field (Whoosh compares it
    with every later part; a range only overlaps a ``TermRange`` of its field).

    A range after an ``Every`` of its field is left as it is, as Whoosh leaves it: the
    ``Every`` makes every query of that field redundant, and it is dropped with them.
    """
    by_field: dict[str, list[int]] = {}
    first_every: dict[str, int] = {}
    for position, part in enumerate(parts):
        if isinstance(part, (wq.TermRange, wq.NumericRange)):
            by_field.setdefault(part.fieldname, []).append(position)
        elif isinstance(part, wq.Every):
            first_every.setdefault(part.fieldname, position)
    if not by_field:
        return parts
    parts = list(parts)
    dropped: set[int] = set()
    for fieldname, positions in by_field.items():
        every_at = first_every.get(fieldname, len(parts))
        for index, position in enumerate(positions):
            if position > every_at:
                break
            if position in dropped:
                continue
            merged = parts[position]
            for later in positions[index + 1 :]:
                if later not in dropped and merged.overlaps(parts[later]):
                    merged = merged.merge(parts[later], intersect=compound.intersect_merge)
                    dropped.add(later)
            parts[position] = merged = merged.normalize()
            if isinstance(merged, wq.Every):
                every_at = position
    return [part for position, part in enumerate(parts) if position not in dropped]


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
