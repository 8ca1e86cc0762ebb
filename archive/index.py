"""Whoosh full-text index over the stored records, and search with snippets.

One index document per record (its latest version). The index is derived data: it can
always be rebuilt from ``records/`` (``Archive.reindex``). Snippets are computed only
for the hits of the page shown, per segment, so each names the paragraph/utterance.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterable

from whoosh import index as whoosh_index
from whoosh import highlight, qparser, query as wq, sorting
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

from oral_archive.schemas.errors import QueryError, StoreError
from oral_archive.schemas.record import Record

INDEX_NAME = "records"
DEFAULT_FIELDS = ("title", "content")
FACET_FIELDS = {"role": "role_facet", "organization": "organization_facet", "place": "place_facet", "subject": "subject_facet"}
SORT_FIELDS = {"relevance": None, "date": "ingested", "title": "title_sort"}


def text_analyzer():
    """English stemming with accent folding: 'policing' finds 'police', 'Jose' finds 'José'."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter()


def exact_analyzer():
    """Lower case and accent folding, no stemming, for names and roles."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def build_schema() -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        version=NUMERIC(stored=True),
        title=TEXT(analyzer=text_analyzer(), stored=True, field_boost=2.0),
        title_sort=ID(sortable=True),
        content=TEXT(analyzer=text_analyzer()),
        interviewee_text=TEXT(analyzer=text_analyzer()),
        interviewer_text=TEXT(analyzer=text_analyzer()),
        role=TEXT(analyzer=exact_analyzer()),
        organization=TEXT(analyzer=exact_analyzer()),
        place=TEXT(analyzer=exact_analyzer()),
        subject=TEXT(analyzer=exact_analyzer()),
        name=TEXT(analyzer=exact_analyzer()),
        role_facet=KEYWORD(commas=True, stored=True, sortable=True, lowercase=False),
        organization_facet=KEYWORD(commas=True, stored=True, sortable=True),
        place_facet=KEYWORD(commas=True, stored=True, sortable=True),
        subject_facet=KEYWORD(commas=True, stored=True, sortable=True),
        tenure_years=NUMERIC(float, bits=64, stored=True),  # whoosh cannot make a sortable float column
        ingested=DATETIME(stored=True, sortable=True),
        interview_date=DATETIME(stored=True, sortable=True),
        source_url=ID(stored=True),
        site=ID(stored=True),
        format=ID(stored=True),
        sha256=ID(stored=True),
        segments=STORED(),
    )


def _years(normalized: str | None) -> float | None:
    if not normalized:
        return None
    match = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?", normalized)
    if match:
        years, months, days = (int(g or 0) for g in match.groups())
        return round(years + months / 12 + days / 365.25, 2)
    if re.fullmatch(r"\d{4}", normalized):
        return None  # a start year is not a duration until we know the interview date
    return None


def _facet_value(value: str | None) -> str:
    return (value or "").replace(",", " ")


def index_document(record: Record) -> dict:
    """The Whoosh fields for one record."""
    interviewee = record.person("interviewee")
    by_role: dict[str, list[str]] = {"interviewee": [], "interviewer": []}
    roles = {p.id: p.role for p in record.participants}
    for segment in record.segments:
        role = roles.get(segment.who or "")
        if role in by_role:
            by_role[role].append(segment.text)
    names = " ".join(p.name.value for p in record.participants if p.name)
    document = {
        "id": record.id,
        "version": record.version,
        "title": record.title.value,
        "title_sort": record.title.value.lower(),
        "content": record.full_text,
        "interviewee_text": "\n".join(by_role["interviewee"]),
        "interviewer_text": "\n".join(by_role["interviewer"]),
        "name": names,
        "subject": " ".join(s.value for s in record.subjects),
        "subject_facet": ",".join(_facet_value(s.value) for s in record.subjects),
        "ingested": record.ingested_at.replace(tzinfo=None),
        "source_url": record.source.url or "",
        "site": record.source.site or "",
        "format": record.source.media_type,
        "sha256": record.source.sha256,
        "segments": json.dumps([[s.id, s.kind, s.who, s.start, s.text] for s in record.segments]),
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
    if record.interview_date and record.interview_date.normalized:
        try:
            document["interview_date"] = datetime.fromisoformat(record.interview_date.normalized)
        except ValueError:
            pass
    return document


@dataclass
class Snippet:
    segment: str
    kind: str
    who: str | None
    start: str | None
    text: str  # highlighted with <mark>…</mark>


@dataclass
class Hit:
    id: str
    version: int
    title: str
    score: float
    snippets: list[Snippet] = field(default_factory=list)


@dataclass
class SearchResults:
    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


class _MarkFormatter(highlight.Formatter):
    between = " … "

    def format_token(self, text, token, replace=False):
        return f"<mark>{highlight.get_text(text, token, replace)}</mark>"


class SearchIndex:
    """The archive's Whoosh index: add, rebuild and query."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = build_schema()
        self._index = None

    def exists(self) -> bool:
        return self.path.is_dir() and whoosh_index.exists_in(str(self.path), indexname=INDEX_NAME)

    def open(self, create: bool = False):
        if self._index is None:
            if self.exists():
                self._index = whoosh_index.open_dir(str(self.path), indexname=INDEX_NAME)
            elif create:
                self.path.mkdir(parents=True, exist_ok=True)
                self._index = whoosh_index.create_in(str(self.path), self.schema, indexname=INDEX_NAME)
            else:
                raise StoreError(f"the search index is missing in {self.path}; run 'oral-archive reindex'")
        return self._index

    def update(self, records: Iterable[Record]) -> int:
        """Add or replace records in one writer (one commit for the whole batch)."""
        writer = self.open(create=True).writer()
        count = 0
        try:
            for record in records:
                writer.update_document(**index_document(record))
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return count

    def rebuild(self, records: Iterable[Record]) -> int:
        """Recreate the index from scratch."""
        self._index = None
        self.path.mkdir(parents=True, exist_ok=True)
        self._index = whoosh_index.create_in(str(self.path), self.schema, indexname=INDEX_NAME)
        return self.update(records)

    def parse(self, text: str) -> wq.Query:
        index = self.open()
        parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema=index.schema)
        parser.add_plugin(qparser.FuzzyTermPlugin())
        parser.add_plugin(qparser.GtLtPlugin())
        if not text.strip():
            raise QueryError(text, "the query is empty")
        known = set(index.schema.names())
        unquoted = re.sub(r'"[^"]*"', " ", text)
        for fieldname in re.findall(r"(?<![\w:/])([A-Za-z_]\w*):(?!//)", unquoted):
            if fieldname not in known:
                searchable = sorted(n for n in known if not n.endswith(("_facet", "_sort")) and n != "segments")
                raise QueryError(text, f"unknown field {fieldname!r}; fields: {', '.join(searchable)}")
        try:
            parsed = parser.parse(text)
        except Exception as error:  # whoosh raises assorted errors on odd syntax
            raise QueryError(text, str(error) or type(error).__name__) from None
        for term_query in parsed.leaves():
            fieldname = getattr(term_query, "fieldname", None)
            if fieldname and fieldname not in known:
                raise QueryError(text, f"unknown field {fieldname!r}")
        if parsed is wq.NullQuery:
            raise QueryError(text, "nothing to search for (only stop words or punctuation?)")
        for node in parsed.leaves():
            if type(node).__name__ == "ErrorQuery":
                raise QueryError(text, "cannot be parsed")
        return parsed

    def search(self, text: str, limit: int = 10, page: int = 1, sort: str = "relevance", facets: bool = False, snippets: int = 3) -> SearchResults:
        parsed = self.parse(text)
        if sort not in SORT_FIELDS:
            raise QueryError(text, f"unknown sort {sort!r}; choose from {', '.join(SORT_FIELDS)}")
        index = self.open()
        with index.searcher() as searcher:
            kwargs: dict = {"pagelen": limit, "terms": True}
            if SORT_FIELDS[sort]:
                kwargs["sortedby"] = SORT_FIELDS[sort]
                kwargs["reverse"] = sort == "date"
            if facets:
                kwargs["groupedby"] = {name: sorting.FieldFacet(column, allow_overlap=True) for name, column in FACET_FIELDS.items()}
            results_page = searcher.search_page(parsed, page, **kwargs)
            results = results_page.results
            results.highlighter = highlight.Highlighter(fragmenter=highlight.ContextFragmenter(maxchars=240, surround=60), formatter=_MarkFormatter())
            hits = []
            for hit in results_page:
                found = Hit(id=hit["id"], version=hit["version"], title=hit["title"], score=round(hit.score or 0.0, 4))
                for segment_id, kind, who, start, segment_text in json.loads(hit["segments"]):
                    if len(found.snippets) >= snippets:
                        break
                    marked = results.highlighter.highlight_hit(hit, "content", text=segment_text, top=2)
                    if marked:
                        found.snippets.append(Snippet(segment_id, kind, who, start, marked))
                hits.append(found)
            facet_counts: dict[str, dict[str, int]] = {}
            if facets:
                for name in FACET_FIELDS:
                    groups = results.groups(name)
                    facet_counts[name] = dict(sorted(((k, len(v)) for k, v in groups.items() if k), key=lambda kv: (-kv[1], kv[0])))
            return SearchResults(query=text, total=results_page.total, page=page, limit=limit, hits=hits, facets=facet_counts)
