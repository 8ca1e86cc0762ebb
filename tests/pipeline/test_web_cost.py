"""What one search page costs, counted (never timed): index searches and record loads.

``bench/serve.py`` times the search page against ``Archive.search``; these tests pin down
the work behind that figure, so that a change that makes the page search more than once
or load every hit's record again fails here, on any machine: a page makes one
``SearchIndex.search`` and one ``speaker_record_counts`` (not three more speaker
searches), one ranked Whoosh search, and loads a hit's record only the first time it is
shown or after its folder changed (a new version, or the record removed). What is kept
must never show what the record no longer allows: a version that restricts a field,
stored before the index catches up, masks it on the next page.
"""

from __future__ import annotations

import shutil
from collections import OrderedDict
from pathlib import Path

import lxml.html
import pytest

from oral_archive.archive import Archive
from oral_archive.archive.search import counting
from oral_archive.archive.search.index import SearchIndex
from oral_archive.archive.store import RecordStore
from oral_archive.pipeline import ingest
from oral_archive.pipeline.web import create_app
from oral_archive.pipeline.web import public as web_public
from oral_archive.pipeline.web import search as web_search

from ..conftest import SEEDS
from .test_web import DELGADO, DELGADO_NAME, WITHHELD, build_reading_room_archive

ROLES = ("interviewee", "interviewer", "speaker")


class Spy:
    """Counts calls of the library functions a search page may make."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from whoosh.searching import Searcher

        self.counts: dict[str, int] = {}
        for owner, name, label in [
            (SearchIndex, "search", "index searches"),
            (counting, "speaker_record_counts", "speaker counts"),
            (Searcher, "search", "ranked searches"),
            (RecordStore, "load_record", "record loads"),
            (web_search, "load_public", "public loads"),
        ]:
            monkeypatch.setattr(owner, name, self._counted(getattr(owner, name), label))

    def _counted(self, original, label: str):
        def counted(*args, **kwargs):
            self.counts[label] = self.counts.get(label, 0) + 1
            return original(*args, **kwargs)

        return counted

    def take(self) -> dict[str, int]:
        counts, self.counts = self.counts, {}
        return counts


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return build_reading_room_archive(tmp_path_factory.mktemp("reading-room-cost"))


@pytest.fixture()
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing kept from other tests: the first page loads its hits' records."""
    monkeypatch.setattr(web_search, "_HIT_RECORDS", OrderedDict())


def hit_ids(response) -> list[str]:
    page = lxml.html.fromstring(response.get_data(as_text=True))
    return [a.get("href").rsplit("/", 1)[-1] for a in page.cssselect(".hit h3 a")]


def test_a_search_page_searches_once_and_loads_each_record_once(room, fresh, monkeypatch: pytest.MonkeyPatch) -> None:
    client = create_app(room["path"]).test_client()
    archive = Archive(room["path"], create=False)
    spy = Spy(monkeypatch)
    first = client.get("/?q=police")
    assert first.status_code == 200
    ids = hit_ids(first)
    assert len(ids) >= 3  # enough hits that loading each one's record again would show
    versions = sum(len(archive.store.versions(i)) for i in ids)
    assert spy.take() == {"index searches": 1, "speaker counts": 1, "ranked searches": 1,
                          "record loads": versions, "public loads": len(ids)}
    # The same page again, and another query over records already shown: no record is read.
    for url in ("/?q=police", "/?q=police&page=1&limit=5", "/?q=police&sort=title"):
        response = client.get(url)
        assert response.status_code == 200 and set(hit_ids(response)) <= set(ids)
        assert spy.take() == {"index searches": 1, "speaker counts": 1, "ranked searches": 1}, url
    assert first.data == client.get("/?q=police").data


def test_the_api_and_a_speaker_search_make_no_speaker_counts(room, fresh, monkeypatch: pytest.MonkeyPatch) -> None:
    client = create_app(room["path"]).test_client()
    spy = Spy(monkeypatch)
    for url in ("/api/search?q=police", "/?q=police&speaker=interviewee", "/?q=zzzznothing"):
        assert client.get(url).status_code == 200
        counts = spy.take()
        assert counts.get("index searches") == 1 and "speaker counts" not in counts, url


@pytest.mark.parametrize("query", ["police", "brigade", "*", "cannery OR sardines", '"the union"', "polic*", "NOT police",
                                   "union AND NOT brigade", 'role:"police officer"', "date:[1900-01-01 TO 2100-01-01]",
                                   "speaker:interviewer", "fire~", "zzzznothing"])
def test_speaker_counts_are_the_totals_of_the_three_speaker_searches(room, query: str) -> None:
    archive = Archive(room["path"], create=False)
    speakers = (*ROLES, "hale", "nobody-by-this-name")
    expected = {s: archive.search(query, limit=1, speaker=s).total for s in speakers}
    assert counting.speaker_record_counts(archive.index, query, speakers) == expected


def test_speaker_counts_when_nobody_speaks(tmp_path: Path) -> None:
    """The seed has no speaker turns: its speakers index holds no document at all."""
    archive = Archive(tmp_path / "archive")
    assert not ingest([SEEDS], archive).rejected
    assert archive.search("police", limit=1).total
    assert counting.speaker_record_counts(archive.index, "police", ROLES) == {role: archive.search("police", limit=1, speaker=role).total for role in ROLES}
    response = create_app(archive.path).test_client().get("/?q=police")
    assert response.status_code == 200 and "said by" not in response.get_data(as_text=True)


def test_the_speaker_facet_shows_those_totals(room) -> None:
    client = create_app(room["path"]).test_client()
    archive = Archive(room["path"], create=False)
    page = lxml.html.fromstring(client.get("/?q=brigade OR police").get_data(as_text=True))
    shown = {a.get("href").split("speaker=")[1].split("&")[0]: a.getnext().text_content() for a in page.cssselect(".facet a[href*='speaker=']")}
    expected = {role: f"({total})" for role in ROLES if (total := archive.search("brigade OR police", limit=1, speaker=role).total)}
    assert shown == expected and expected


def test_the_search_lock_is_held_for_every_index_read(room, fresh, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whoosh searchers are shared and not safe to read from two threads at once."""
    held: list[bool] = []
    for owner, name in ((SearchIndex, "search"), (counting, "speaker_record_counts")):
        original = getattr(owner, name)

        def checked(*args, _original=original, **kwargs):
            held.append(web_search.SEARCH_LOCK.locked())
            return _original(*args, **kwargs)

        monkeypatch.setattr(owner, name, checked)
    assert create_app(room["path"]).test_client().get("/?q=police").status_code == 200
    assert held == [True, True]


def test_a_version_stored_before_the_index_catches_up_is_read_again(tmp_path: Path, fresh, monkeypatch: pytest.MonkeyPatch) -> None:
    """v1 is shown (and kept); v2, which restricts the name, lands in the store while the
    index still holds v1: the next page reads the record again and masks the name."""
    files = tmp_path / "files"
    files.mkdir()
    (files / DELGADO_NAME).write_text(DELGADO, encoding="utf-8")
    archive = Archive(tmp_path / "a" / "archive")
    assert not ingest([files], archive).rejected
    record_id = archive.ids()[0]
    # v2 with the restriction, made in a copy, then moved in beside v1 without indexing it.
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    (files / DELGADO_NAME).write_text(DELGADO + "[00:03:00] INTERVIEWER: Thank you, that is all.\n", encoding="utf-8")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(f"file,restricted\n{DELGADO_NAME},participants.name; participants.organization\n", encoding="utf-8")
    report = ingest([files], Archive(tmp_path / "b" / "archive"), manifest=manifest)
    assert not report.rejected and not report.manifest_problems

    client = create_app(archive.path).test_client()
    spy = Spy(monkeypatch)
    before = client.get("/?q=sardines").get_data(as_text=True).lower()
    assert "delgado" in before and spy.take()["record loads"] == 1
    client.get("/?q=sardines")
    assert "record loads" not in spy.take()

    shutil.copytree(tmp_path / "b" / "archive" / "records" / record_id / "v2", archive.path / "records" / record_id / "v2")
    assert [v.version for v in archive.store.versions(record_id)] == [1, 2]
    after = client.get("/?q=sardines")
    assert after.status_code == 200 and hit_ids(after) == [record_id]
    # The hit (title, snippets, their speakers) as the record now allows. (The facets are
    # the index's, which holds v1 until the ingest commits it: see docs/reading-room.md.)
    hits = " ".join(lxml.html.fromstring(after.get_data(as_text=True)).get_element_by_id("rr-results").text_content().lower().split())
    assert not [word for word in WITHHELD if word in hits] and "[restricted]" in hits
    assert spy.take()["record loads"] == 2  # both versions: a restriction in either withholds the field

    # The record removed since the index was written: left out of the list, as before.
    shutil.rmtree(archive.path / "records" / record_id)
    gone = client.get("/?q=sardines")
    assert gone.status_code == 200 and hit_ids(gone) == []


def test_what_is_kept_per_record_is_small_and_bounded(room, fresh, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web_search, "HIT_RECORDS_KEPT", 2)
    archive = Archive(room["path"], create=False)
    ids = archive.ids()[:4]
    for record_id in ids:
        kept = web_search.hit_record(archive, record_id)
        public = web_public.load_public(archive, record_id)
        assert kept.names == web_public.speaker_names(public.record) and kept.redactor.fields == public.redactor.fields
        assert kept.record is None  # no field withheld: nothing of the record but its speakers' names
    assert [key[1] for key in web_search._HIT_RECORDS] == ids[-2:]
    withheld = web_search.hit_record(archive, room["delgado"])
    assert withheld.record is not None and withheld.record.segments == [] and withheld.record.participants  # no transcript
    assert withheld.record == web_public.load_public(archive, room["delgado"]).record.model_copy(update={"segments": []})
