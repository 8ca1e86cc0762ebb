"""What a search returns and the errors it raises: typed results, no Whoosh.

Owns: ``SearchResults``, ``Hit``, ``Snippet``, ``IndexStatus``, the sort orders, and the
search errors (``IndexMissing``, ``IndexStale``, ``IndexLocked``, ``QueryTooLong``).
Must not: import Whoosh or anything that does (the CLI, the web app and ``Archive``
import these at start-up, before any search).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from oral_archive.schemas.errors import ArchiveLocked, QueryError, StoreError

SORTS = ("relevance", "date", "title")
SNIPPETS_PER_HIT = 3
# What ``--speaker`` may name besides a participant's id, label or name.
SPEAKER_ROLES = ("interviewee", "interviewer", "speaker")

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


def no_such_speaker(speaker: str, similar: list[str]) -> str:
    """Why a ``--speaker`` search has no hits when no participant matches the name: one line."""
    hint = f"similar: {', '.join(similar)}" if similar else "give a participant id, speaker label, name or a role (" + ", ".join(SPEAKER_ROLES) + ")"
    return f"no hits: no participant in the archive matches the speaker {speaker!r}; {hint}"


def past_last_page(page: int, pages: int, total: int, limit: int) -> str:
    """Why a page after the last one has no hits: one line."""
    return f"no hits on page {page}: the {total} hit(s) fill {pages} page(s) of {limit}, so the last page is {pages}"


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
