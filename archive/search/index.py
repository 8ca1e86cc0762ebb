"""The ``SearchIndex`` facade: the archive's two Whoosh indexes, their states, and search.

Owns: where the indexes live (``index/``), their format and state file, whether they
are missing, outdated, stale or locked (``status``), the process's open indexes and
searchers, and the order of a search (parse, faster forms, search, count, snippets,
facets) into typed ``SearchResults``.
Must not: import Whoosh or the modules that do at import time: ``Archive`` holds a
``SearchIndex``, and a command that never searches (``show``, ``export``) must not pay
for loading Whoosh. Each method imports what it runs.

The index is derived data: it can always be rebuilt from ``records/`` (``Archive.reindex``).
It lives in ``index/`` as two Whoosh indexes side by side:

* ``records``: one document per record (its latest version): full text, title, the
  interviewee's role, organization, place and tenure, subjects, names, dates, source
  URL/site, format. Ordinary searches run here.
* ``speakers``: the speaker-attributed text: one document per (record, participant who
  speaks), indexing only that person's utterances plus the record's metadata fields
  (indexed for field queries, not stored: a hit's title, dates and segments are read
  from its record's ``records`` document). ``--speaker`` searches run here (by participant id, label, name or role, so
  ``--speaker interviewee`` is "what interviewees said"), so "only what this person said"
  is a property of the document, not a filter over positions, and the ordinary index's
  statistics stay untouched. (Per-role text fields in ``records`` would index every
  utterance a third time; the bench showed build time is dominated by text indexing.)

Searchers are kept open, one per index per process, and refreshed when a writer has
committed since. Snippets are computed only for the hits of the page shown, per segment,
so each names the paragraph/utterance (and its time stamp when the source has one).
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from oral_archive.schemas.errors import QueryError
from oral_archive.schemas.record import RECORD_ID_PATTERN, Record

from .limits import MAX_QUERY_CHARS, MAX_QUERY_WORDS, query_size_problem
from .results import SNIPPETS_PER_HIT, SORTS, Hit, IndexLocked, IndexMissing, IndexStatus, QueryTooLong, SearchResults, no_such_speaker, past_last_page

if TYPE_CHECKING:
    from whoosh import query as wq

RECORDS = "records"
SPEAKERS = "speakers"
# Bump when the schema or what goes into a field changes: an index of another format must
# be rebuilt, and saying so beats returning subtly wrong results.
# 5: topic field; 6: FastText fields (same terms, faster indexing); 7: content_pairs;
# 8: ArchiveCodec posting blocks; 9: records indexed as their public view (restricted fields withheld);
# 10: word pairs of frequent words only, numbers at full precision only, sort keys as
# columns, nothing stored twice (the speakers index reads a hit's record from ``records``);
# 11: word pairs of a very frequent word and a common one too
INDEX_FORMAT = 11
STATE_FILE = "state.json"


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


class SearchIndex:
    """The archive's Whoosh indexes: add, rebuild, check and query."""

    def __init__(self, path: Path, lock_timeout: float = 10.0, merge_policy: Callable | None = None) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.merge_policy = merge_policy  # None: writer.MERGE_POLICY
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
                from whoosh import index as whoosh_index

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
        from .scoring import BM25FWithLengthTable

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
        from whoosh.index import LockError

        from .writer import open_writer

        if create and not self._current():
            self._create()
        try:
            return [open_writer(self.open(name), self.lock_timeout) for name in (RECORDS, SPEAKERS)]
        except LockError:
            raise IndexLocked(f"{self.path}: the search index is locked by another writer (an ingest or reindex is running); try again later") from None

    def _create(self, rebuilding: bool = False) -> None:
        from whoosh import index as whoosh_index

        from .schema import build_schema, build_speaker_schema

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
        from .writer import MERGE_POLICY, write_records

        record_writer, speaker_writer = self._writers(create=True)
        merge_policy = MERGE_POLICY if self.merge_policy is None else self.merge_policy
        return write_records(record_writer, speaker_writer, records, clear=clear, merge_policy=merge_policy)

    def remove(self, record_ids: Iterable[str]) -> int:
        """Delete these records from both indexes (one commit each); returns how many were indexed."""
        record_ids = list(record_ids)
        if not record_ids or not self.usable():
            return 0
        from .writer import MERGE_POLICY

        record_writer, speaker_writer = self._writers(create=False)
        try:
            removed = sum(record_writer.delete_by_term("id", record_id) for record_id in record_ids)
            for record_id in record_ids:
                speaker_writer.delete_by_term("id", record_id)
        except BaseException:
            record_writer.cancel()
            speaker_writer.cancel()
            raise
        record_writer.commit(mergetype=MERGE_POLICY if self.merge_policy is None else self.merge_policy)
        speaker_writer.commit(mergetype=MERGE_POLICY if self.merge_policy is None else self.merge_policy)
        return removed

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

    def status(self, records_dir: Path, latest_versions: Callable[[], dict[str, int]] | None = None, withdrawn: int = 0) -> IndexStatus:
        """Compare the index with the store.

        The quick check compares the number of records; with ``latest_versions`` (record id
        -> newest stored version) it also finds records whose newer version is not indexed.
        ``withdrawn`` record folders are in the store but, rightly, not in the index.
        """
        in_store = self.store_count(records_dir) - withdrawn
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
    def check_query(self, text: str) -> None:
        """The checks a query passes before any index is read: ``QueryTooLong`` over the size
        limits, ``QueryError`` for an empty one (so an empty archive refuses what a full one would)."""
        too_large = query_size_problem(text, self.max_query_chars, self.max_query_words)
        if too_large:
            raise QueryTooLong(text, too_large)
        if not text.strip():
            raise QueryError(text, "the query is empty")

    def parse(self, text: str, speaker: bool = False) -> wq.Query:
        """Parse the Whoosh query language; anything wrong becomes a one-line ``QueryError``.

        A query over ``max_query_chars`` characters or ``max_query_words`` words raises
        ``QueryTooLong`` (a ``QueryError``) before it is parsed; parsing and normalizing
        take time linear in the query's length.
        """
        self.check_query(text)
        from .parsing import parse_query

        # The searcher's schema, read once per index generation: Whoosh's ``Index.schema``
        # reads and unpickles the table of contents on every call.
        return parse_query(text, self.searcher(SPEAKERS if speaker else RECORDS).schema, speaker=speaker)

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
        from whoosh import highlight

        from .counting import _one_document_per_record, _one_per_record, _speaker_documents, count_matches, facet_counts_of, matching_docs
        from .parsing import speaker_query as speaker_query_of
        from .queries import _faster_leaves, _narrow_and
        from .schema import _mirror
        from .snippets import _MarkFormatter, _snippets, snippet_terms

        if sort not in SORTS:
            raise QueryError(text, f"unknown sort {sort!r}; choose from {', '.join(SORTS)}")
        if limit < 1 or page < 1:
            raise QueryError(text, "limit and page must be at least 1")
        # An empty speaker is refused, not taken for "no speaker": the researcher asked
        # for one person's words and would otherwise read everybody's.
        speaker_query = speaker_query_of(speaker, text) if speaker is not None else None
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
        terms = snippet_terms(searcher, parsed)
        fragmenter = highlight.ContextFragmenter(maxchars=200, surround=50)
        formatter = _MarkFormatter()
        analyzer = searcher.schema["content"].analyzer
        mirror = _mirror(analyzer)
        hits = []
        # A --speaker hit's title, dates and segments are its record's (see _hit_fields).
        records = self.searcher(RECORDS) if speaker else None
        for hit in page_hits:
            stored = _hit_fields(hit.fields(), records)
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
                found.snippets = _snippets(_hit_segments(stored), terms, analyzer, fragmenter, formatter, snippets, mirror)
            hits.append(found)
        # Facet values are a record's: counted over one matching document per record.
        facet_counts = facet_counts_of(searcher, matches) if facets else {}
        pages = max(1, -(-total // limit))
        # No hits for a reason other than the query's words: say which.
        warnings = []
        if speaker and not spoken_by:
            warnings.append(no_such_speaker(speaker, _similar_speakers(searcher, speaker)))
        elif total and page > pages:
            warnings.append(past_last_page(page, pages, total, limit))
        return SearchResults(query=text, total=total, page=page, limit=limit, pages=pages, sort=sort, hits=hits, speaker=speaker, facets=facet_counts,
                             warnings=warnings)


# At most this many words of the speakers' ids, labels, names and roles (per index segment)
# are compared with an unknown --speaker, only when nobody matches it: a bound on the work
# for a huge archive. The index holds records' public view, so no restricted name is offered.
_SIMILAR_SPEAKERS_SCANNED = 50_000


def _hit_fields(stored: dict, records) -> dict:
    """A hit's stored fields; for a ``speakers`` hit (``records`` a searcher of the records
    index), its record's with its own (participant, speaker name): the speakers index
    stores neither the text nor the record's metadata a second time."""
    if records is None:
        return stored
    docnum = records.document_number(id=stored["id"])
    # None: the record was removed from the records index between the two indexes' commits.
    fields = records.stored_fields(docnum) if docnum is not None else {"version": None, "title": "", "segments": "[]"}
    return {**fields, **stored}


def _hit_segments(stored: dict) -> list[list]:
    """The segments a hit's snippets are cut from: the record's, or those its participant said."""
    segments = json.loads(stored["segments"])
    participant = stored.get("participant")
    return segments if participant is None else [segment for segment in segments if segment[2] == participant]


def _similar_speakers(searcher, speaker: str, at_most: int = 3) -> list[str]:
    """Words of participants' ids, labels, names and roles that look like ``speaker``'s
    (a misspelt name: "Fuks" -> "fuchs"), as the index holds them (lower case, folded)."""
    import difflib
    from itertools import islice

    from .schema import exact_analyzer

    words = [t.text for t in exact_analyzer()(speaker)]
    known: set[str] = set()
    for leaf, _ in searcher.leaf_searchers():
        known.update(term.decode("utf-8") for term in islice(leaf.reader().lexicon("speaker"), _SIMILAR_SPEAKERS_SCANNED))
    candidates = sorted(known)
    similar: list[str] = []
    for word in words:
        for match in difflib.get_close_matches(word, candidates, n=at_most, cutoff=0.75):
            if match not in similar and match not in words:
                similar.append(match)
    return similar[:at_most]
