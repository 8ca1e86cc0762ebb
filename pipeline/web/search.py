"""The search form: reading its fields, composing one archive query, running it.

The query box takes the CLI's syntax unchanged (docs/search.md). Facet choices and the
tenure and interview-date ranges are separate fields of the form, added to the query as
the field clauses a researcher would type (``role:"police officer"``,
``tenure_years:[5 TO 10]``, ``date:[1970 TO 1980]``), so the box keeps exactly what was
typed and every filter can be removed on its own.
"""

from __future__ import annotations

import calendar
import os
import re
import threading
from collections import OrderedDict
from datetime import date
from dataclasses import dataclass, field
from typing import Mapping
from urllib.parse import urlencode

from oral_archive.archive.core import Archive
from oral_archive.archive.export import Redactor
from oral_archive.archive.search import SORTS, SearchResults
from oral_archive.archive.search.limits import query_size_problem, syntax_problem
from oral_archive.archive.store import VERSION_DIR
from oral_archive.schemas.errors import ArchiveError, QueryError, RecordNotFound
from oral_archive.schemas.record import Record

from .public import load_public, public_hit, speaker_names

FACETS = ("role", "organization", "place", "subject")  # what the index counts, in this order
SPEAKER_ROLES = ("interviewee", "interviewer", "speaker")
DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_FILTER_CHARS = 200
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
NUMBER = re.compile(r"^\d{1,4}(\.\d{1,2})?$")
# One search at a time per process. The index's Whoosh searchers are shared by the
# process's threads, and they are not safe to read from two threads at once: their
# segment files are read by seek-then-read on one shared file object per file (also when
# memory-mapped), so two threads read each other's positions (measured: concurrent
# searches fail with "Ran out of input" decoding a posting block; docs/serve.md). A
# refresh after a commit also closes the searcher it replaces.
SEARCH_LOCK = threading.Lock()


class BadInput(ArchiveError):
    """A form field or URL parameter that cannot be used; the message says which and why."""


@dataclass
class SearchForm:
    """The fields of the search form, as given (the page writes them back into the form)."""

    q: str = ""
    speaker: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet name -> chosen values
    tenure_from: str = ""
    tenure_to: str = ""
    date_from: str = ""
    date_to: str = ""
    sort: str = "relevance"
    reverse: bool = False
    page: int = 1
    limit: int = DEFAULT_LIMIT

    @property
    def empty(self) -> bool:
        """Nothing asked for: the page lists every record (title order) to browse."""
        return not (self.q.strip() or self.speaker or any(self.filters.values()) or self.tenure_from or self.tenure_to or self.date_from or self.date_to)

    def params(self, **changes: object) -> list[tuple[str, str]]:
        """The form as URL parameters, with ``changes`` (a new page, a filter added or removed)."""
        values = {
            "q": self.q, "speaker": self.speaker, "tenure_from": self.tenure_from, "tenure_to": self.tenure_to,
            "date_from": self.date_from, "date_to": self.date_to,
            "sort": "" if self.sort == "relevance" else self.sort, "reverse": "1" if self.reverse else "",
            "limit": "" if self.limit == DEFAULT_LIMIT else str(self.limit), "page": "",
        }
        filters = {name: list(chosen) for name, chosen in self.filters.items()}
        for key, value in changes.items():
            if key.startswith("add_"):
                filters.setdefault(key[4:], []).append(str(value))
            elif key.startswith("remove_"):
                filters[key[7:]] = [v for v in filters.get(key[7:], []) if v != value]
            elif key == "page":
                values["page"] = "" if value in (None, 1) else str(value)
            else:
                values[key] = "" if value is None else str(value)
        pairs = [(k, v) for k, v in values.items() if v]
        pairs += [(name, value) for name in FACETS for value in filters.get(name, [])]
        return pairs

    def url(self, **changes: object) -> str:
        """``?query-string`` of ``params``."""
        return "?" + urlencode(self.params(**changes))


def _text(args: Mapping, name: str, limit: int = MAX_FILTER_CHARS) -> str:
    value = (args.get(name) or "").strip()
    if len(value) > limit:
        raise BadInput(f"the {name.replace('_', ' ')} field is {len(value):,} characters long; at most {limit:,} are allowed")
    return value


def _int(args: Mapping, name: str, default: int, lowest: int, highest: int | None = None) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < lowest or (highest is not None and int(raw) > highest):
        bound = f"from {lowest} to {highest}" if highest is not None else f"{lowest} or more"
        raise BadInput(f"{name} must be a whole number {bound}, not {raw[:40]!r}")
    return int(raw)


def read_form(args, form: SearchForm | None = None) -> SearchForm:
    """The search form from request arguments (a werkzeug ``MultiDict``); ``BadInput`` if unusable.

    ``form`` is filled field by field, so after a ``BadInput`` it holds what was read
    (the error page writes it back into the form). The query is checked for size and
    balanced quotes and brackets here, on its own, so the message points at the
    characters the researcher typed.
    """
    form = form if form is not None else SearchForm()
    form.q = args.get("q") or ""
    form.speaker = _text(args, "speaker")
    if form.speaker and not re.search(r"\w", form.speaker):
        raise BadInput("the speaker must name a participant (id, label, name or role)")
    for name in FACETS:
        chosen = [" ".join(v.split()) for v in args.getlist(name) if v.strip()]
        if any(len(v) > MAX_FILTER_CHARS for v in chosen) or len(chosen) > 10:
            raise BadInput(f"the {name} filter is too long")
        if chosen:
            form.filters[name] = chosen
    form.tenure_from, form.tenure_to = _text(args, "tenure_from"), _text(args, "tenure_to")
    for label, value in (("tenure from", form.tenure_from), ("tenure to", form.tenure_to)):
        if value and not NUMBER.match(value):
            raise BadInput(f"{label} must be a number of years, such as 5 or 12.5, not {value[:40]!r}")
    form.date_from, form.date_to = _text(args, "date_from"), _text(args, "date_to")
    for label, value in (("interview date from", form.date_from), ("interview date to", form.date_to)):
        if value and not (ISO_DATE.match(value) and _real_date(value)):
            raise BadInput(f"{label} must be a year, a month or a day (1976, 1976-03 or 1976-03-18), not {value[:40]!r}")
    form.sort = _text(args, "sort") or "relevance"
    if form.sort not in SORTS:
        raise BadInput(f"sort must be one of {', '.join(SORTS)}, not {form.sort[:40]!r}")
    form.reverse = (args.get("reverse") or "") in ("1", "on", "true")
    if form.reverse and form.sort == "relevance":
        form.reverse = False  # the form's checkbox means nothing for relevance; not an error
    form.page = _int(args, "page", 1, 1, 100_000)
    form.limit = _int(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    problem = query_size_problem(form.q) or (syntax_problem(form.q) if form.q.strip() else None)
    if problem:
        raise QueryError(form.q, problem)
    return form


def _real_date(value: str) -> bool:
    parts = [int(p) for p in value.split("-")] + [1, 1]
    try:
        date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True


def _quoted(value: str) -> str:
    # Facet values are matched word by word (docs/search.md); quotes inside would end the phrase.
    return '"' + value.replace('"', " ").replace("\\", " ") + '"'


def _day(value: str, first: bool) -> str:
    """A year or month as its first or last day: "to 1976" means up to the end of 1976.

    Whole days on both ends also keep the range in one precision, which the index's
    date parsing reads most reliably.
    """
    if not value:
        return ""
    parts = [int(p) for p in value.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else (1 if first else 12)
    day = parts[2] if len(parts) > 2 else (1 if first else calendar.monthrange(year, month)[1])
    return f"{year:04d}-{month:02d}-{day:02d}"


def compose_query(form: SearchForm) -> str:
    """The one query the archive runs: the box, then each filter as a field clause."""
    clauses = []
    for name in FACETS:
        clauses += [f"{name}:{_quoted(value)}" for value in form.filters.get(name, [])]
    if form.tenure_from or form.tenure_to:
        clauses.append(f"tenure_years:[{form.tenure_from} TO {form.tenure_to}]".replace("[ TO", "[TO").replace("TO ]", "TO]"))
    if form.date_from or form.date_to:
        clauses.append(f"date:[{_day(form.date_from, first=True)} TO {_day(form.date_to, first=False)}]".replace("[ TO", "[TO").replace("TO ]", "TO]"))
    text = form.q.strip()
    if not clauses:
        return text or "*"
    return " AND ".join(([f"({text})"] if text else []) + clauses)


@dataclass(frozen=True)
class HitRecord:
    """What the result list needs of a hit's record, kept between requests (``hit_record``).

    ``redactor`` masks the hit's title, snippets and speaker with every version's
    restrictions (``public_hit``); ``names`` are the record's participants as the page
    names them (``speaker_names`` of the public record). ``record`` is the public record
    without its segments, kept only when a field is withheld (``public_hit`` then names
    the speakers from it); for the others, ``public_hit`` shows the hit as the index
    holds it. Nothing here is shown that ``load_public`` would not show.
    """

    redactor: Redactor
    names: dict[str, str]
    record: Record | None


# Record id -> (what its folder looked like, its HitRecord), most recently used last.
# A version folder never changes once renamed into place, so the record folder's listing
# (plus its inode and mtime, for an archive removed and rebuilt at the same path) says
# whether a kept entry still holds: one ``stat`` and one small listing per hit instead
# of loading and validating every version's JSON.
_HIT_RECORDS: OrderedDict[tuple[str, str], tuple[tuple, HitRecord]] = OrderedDict()
_HIT_RECORDS_LOCK = threading.Lock()
HIT_RECORDS_KEPT = 4096  # under 1 KB each (names, redactor); ~20 KB for a record with withheld fields


def _folder_state(archive: Archive, record_id: str) -> tuple | None:
    """The record folder's inode, mtime and version folders; None when it is gone."""
    folder = archive.store.record_dir(record_id)  # RecordNotFound for an id of another shape
    try:
        info = os.stat(folder)
        with os.scandir(folder) as entries:
            versions = tuple(sorted(entry.name for entry in entries if VERSION_DIR.match(entry.name)))
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (info.st_ino, info.st_mtime_ns, versions)


def hit_record(archive: Archive, record_id: str) -> HitRecord:
    """What the result list shows of ``record_id``: loaded once (``load_public``: every
    version, for the restrictions), then kept until the record's folder changes (a new
    version, or the record removed). ``RecordNotFound`` when it is not (or no longer) stored.
    """
    state = _folder_state(archive, record_id)
    if state is None:
        raise RecordNotFound(record_id)
    key = (str(archive.path), record_id)
    with _HIT_RECORDS_LOCK:
        kept = _HIT_RECORDS.get(key)
        if kept is not None and kept[0] == state:
            _HIT_RECORDS.move_to_end(key)
            return kept[1]
    # Read after the state: a version landing in between makes the state differ next time
    # (one more load), never keeps an older record under a newer state.
    public = load_public(archive, record_id)
    found = HitRecord(redactor=public.redactor, names=speaker_names(public.record),
                      record=public.record.model_copy(update={"segments": []}) if public.redactor.fields else None)
    with _HIT_RECORDS_LOCK:
        _HIT_RECORDS[key] = (state, found)
        _HIT_RECORDS.move_to_end(key)
        while len(_HIT_RECORDS) > HIT_RECORDS_KEPT:
            _HIT_RECORDS.popitem(last=False)
    return found


@dataclass
class SearchPage:
    """What the search page and ``/api/search`` show: public hits, facets, speaker counts."""

    query: str
    results: SearchResults
    records: dict[str, HitRecord]  # hit id -> its speakers' names and redactor
    speaker_counts: dict[str, int]


def run_search(archive: Archive, form: SearchForm, *, facets: bool = True, speaker_counts: bool = True) -> SearchPage:
    """Run the form's search; hits and facets made public (withheld text masked).

    One ``Archive.search`` (the page of hits, the total, the facets). Speaker counts say
    how many of the records found have words said by an interviewee, an interviewer or
    another speaker: the totals of the three speaker searches, counted from one set of
    matches in the speakers index (``speaker_record_counts``), not three searches. Each
    hit is masked with what ``hit_record`` keeps of its record (no record loaded while
    the record is unchanged).
    """
    from oral_archive.archive.search.counting import speaker_record_counts

    query = compose_query(form)
    sort = "title" if form.empty and form.sort == "relevance" else form.sort
    speaker = form.speaker or None
    with SEARCH_LOCK:
        results = archive.search(query, limit=form.limit, page=form.page, sort=sort, reverse=form.reverse,
                                 facets=facets, speaker=speaker, allow_stale=True)
        counts: dict[str, int] = {}
        if speaker_counts and not speaker and results.total:
            totals = speaker_record_counts(archive.index, query, SPEAKER_ROLES)
            counts = {role: total for role, total in totals.items() if total}
    records: dict[str, HitRecord] = {}
    hits = []
    for hit in results.hits:
        try:
            found = hit_record(archive, hit.id)
        except RecordNotFound:
            continue  # removed since the index was written: nothing to show or link to
        records[hit.id] = found
        hits.append(public_hit(hit, found))
    results.hits = hits
    return SearchPage(query=query, results=results, records=records, speaker_counts=counts)
