"""The running server, from outside: a real OAI-PMH harvester, and an ingest while it serves.

1. Sickle (a harvester client from PyPI that nobody here wrote) harvests ``/oai`` over HTTP
   from the real waitress server (``make_server``): Identify, ListMetadataFormats, ListSets,
   ListRecords in oai_dc and mods following resumption tokens, GetRecord, ListIdentifiers
   with from/until, and an ``idDoesNotExist`` error as Sickle raises it. Every record is
   harvested exactly once and its metadata is the record's.
2. An ingest (the CLI, another process) runs while the server serves: the search API, the
   record API, the TEI download and ListIdentifiers are polled until the ingest exits.
   Nothing is a 5xx, every record shown is complete, and afterwards the new records are found.

The app builds its ``OaiRepository`` with the default page size (100), which cannot be set
through ``create_app``. So that resumption tokens are exercised with a handful of records,
the harvest tests swap ``oral_archive.archive.oai.OaiRepository`` (which the ``/oai`` route
imports per request) for a subclass with ``page_size=2``; everything else is the real server.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from lxml import etree
from sickle import Sickle
from sickle.oaiexceptions import IdDoesNotExist, NoRecordsMatch

from oral_archive.archive import Archive
from oral_archive.archive import oai as oai_module
from oral_archive.archive.export import Redactor, oai_dc_element
from oral_archive.archive.oai import _mods, datestamp, set_spec_of
from oral_archive.pipeline import ingest
from oral_archive.pipeline.web import make_server
from oral_archive.schemas.record import Record

from .conftest import SEEDS, corpus_files

CLI = [str(Path(sys.executable).parent / "oral-archive")]
OAI_NS = "http://www.openarchives.org/OAI/2.0/"
PAGE_SIZE = 2
COLLECTIONS = ("Teachers, 2015", "Public Safety")


class SmallPages(oai_module.OaiRepository):
    """The real repository, two items a page (so that every list needs tokens)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("page_size", PAGE_SIZE)
        super().__init__(*args, **kwargs)


class CountingSickle(Sickle):
    """Sickle, keeping the arguments of each request it makes."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.requests: list[dict] = []

    def harvest(self, **kwargs):
        self.requests.append(dict(kwargs))
        return super().harvest(**kwargs)


class Served:
    """waitress serving the reading room in a thread of this process."""

    def __init__(self, archive_path: Path) -> None:
        self.server = make_server(archive_path, "127.0.0.1", 0, admin_email="harvest@archive.test")
        self.base = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        # Closed from waitress's own loop thread: closing its sockets from here would race
        # the loop's select() (EBADF in the server thread).
        from waitress import wasyncore

        self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
        self.thread.join(timeout=30)
        self.server.task_dispatcher.shutdown()
        assert not self.thread.is_alive()


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# -- 1. a real harvester ------------------------------------------------------------------
@pytest.fixture(scope="module")
def harvest_archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """Seed + dev corpus, the corpus files in two collections (so there are sets)."""
    root = tmp_path_factory.mktemp("harvest")
    files = corpus_files()
    rows = ["file,collection"] + [f'{path.name},"{COLLECTIONS[n % 2]}"' for n, path in enumerate(files)]
    (root / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    archive = Archive(root / "archive")
    report = ingest([SEEDS, *files], archive, manifest=root / "manifest.csv")
    assert not report.rejected and not report.manifest_problems
    assert len(archive) == len(files) + 1 > PAGE_SIZE * 2
    return archive


@pytest.fixture(scope="module")
def oai_url(harvest_archive: Archive):
    patch = pytest.MonkeyPatch()
    patch.setattr(oai_module, "OaiRepository", SmallPages)
    served = Served(harvest_archive.path)
    yield served.base + "/oai"
    served.close()
    patch.undo()


@pytest.fixture(scope="module")
def records(harvest_archive: Archive) -> dict[str, Record]:
    return {record.id: record for record in harvest_archive.records()}


def c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True)  # namespaces as used, not inherited


def test_identify_formats_and_sets(oai_url: str, records: dict[str, Record]) -> None:
    harvester = Sickle(oai_url)
    identify = harvester.Identify()
    assert identify.baseURL == oai_url
    assert identify.protocolVersion == "2.0"
    assert identify.adminEmail == "harvest@archive.test"
    assert identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.earliestDatestamp == min(datestamp(r.ingested_at) for r in records.values())

    formats = {f.metadataPrefix: f for f in harvester.ListMetadataFormats()}
    assert set(formats) == {"oai_dc", "mods"}
    assert formats["oai_dc"].metadataNamespace == "http://www.openarchives.org/OAI/2.0/oai_dc/"
    assert formats["mods"].metadataNamespace == "http://www.loc.gov/mods/v3"
    one = next(iter(records))
    assert {f.metadataPrefix for f in harvester.ListMetadataFormats(identifier=f"oai:oral-archive:{one}")} == {"oai_dc", "mods"}

    sets = {s.setSpec: s.setName for s in harvester.ListSets()}
    assert sets == {set_spec_of(name): name for name in COLLECTIONS}


@pytest.mark.parametrize("prefix", ["oai_dc", "mods"])
def test_list_records_follows_tokens_and_gets_every_record_once(oai_url: str, records: dict[str, Record], prefix: str) -> None:
    harvester = CountingSickle(oai_url)
    identifiers = []
    for item in harvester.ListRecords(metadataPrefix=prefix):
        identifiers.append(item.header.identifier)
        record = records[item.header.identifier.removeprefix("oai:oral-archive:")]
        assert not item.deleted
        assert item.header.datestamp == datestamp(record.ingested_at)
        assert item.header.setSpecs == ([set_spec_of(record.collection.value)] if record.collection else [])
        metadata = etree.fromstring(item.raw.encode("utf-8")).find(f"{{{OAI_NS}}}metadata")[0]
        # the harvested metadata is exactly the record's mapping (docs/export.md) ...
        build = oai_dc_element if prefix == "oai_dc" else _mods
        assert c14n(metadata) == c14n(build(record, Redactor(record)))
        # ... and, read as the harvester reads it, names the record
        if prefix == "oai_dc":
            assert item.metadata["title"] == [record.display_title]
            assert record.id in item.metadata["identifier"]
            assert item.metadata.get("relation", []) == ([record.collection.value] if record.collection else [])
        else:
            assert record.display_title in item.metadata["title"]
    assert sorted(identifiers) == sorted(f"oai:oral-archive:{rid}" for rid in records)
    assert len(identifiers) == len(set(identifiers))  # exactly once
    # the list came in pages of PAGE_SIZE: Sickle followed resumption tokens to the end
    assert len(harvester.requests) == -(-len(records) // PAGE_SIZE) > 1
    assert harvester.requests[0] == {"verb": "ListRecords", "metadataPrefix": prefix}
    assert all(set(r) == {"verb", "resumptionToken"} for r in harvester.requests[1:])


def test_list_by_set_and_get_record(oai_url: str, records: dict[str, Record]) -> None:
    harvester = Sickle(oai_url)
    for name in COLLECTIONS:
        members = {h.identifier for h in harvester.ListIdentifiers(metadataPrefix="oai_dc", set=set_spec_of(name))}
        assert members == {f"oai:oral-archive:{r.id}" for r in records.values() if r.collection and r.collection.value == name}
    for record in records.values():
        item = harvester.GetRecord(identifier=f"oai:oral-archive:{record.id}", metadataPrefix="mods")
        assert item.header.identifier == f"oai:oral-archive:{record.id}"
        metadata = etree.fromstring(item.raw.encode("utf-8")).find(f"{{{OAI_NS}}}metadata")[0]
        assert c14n(metadata) == c14n(_mods(record, Redactor(record)))


def test_list_identifiers_from_until(oai_url: str, records: dict[str, Record]) -> None:
    harvester = Sickle(oai_url)
    stamps = sorted({datestamp(r.ingested_at) for r in records.values()})
    day = stamps[0][:10]
    whole_day = [h.identifier for h in harvester.ListIdentifiers(metadataPrefix="oai_dc", **{"from": day, "until": stamps[-1][:10]})]
    assert sorted(whole_day) == sorted(f"oai:oral-archive:{rid}" for rid in records)
    for stamp in (stamps[0], stamps[-1]):  # second granularity, inclusive bounds
        expected = {f"oai:oral-archive:{r.id}" for r in records.values() if datestamp(r.ingested_at) == stamp}
        got = [h.identifier for h in harvester.ListIdentifiers(metadataPrefix="oai_dc", **{"from": stamp, "until": stamp})]
        assert sorted(got) == sorted(expected)
    after = [h.identifier for h in harvester.ListIdentifiers(metadataPrefix="oai_dc", **{"from": stamps[-1]})]
    assert set(after) == {f"oai:oral-archive:{r.id}" for r in records.values() if datestamp(r.ingested_at) >= stamps[-1]}
    with pytest.raises(NoRecordsMatch):
        list(harvester.ListIdentifiers(metadataPrefix="oai_dc", until="1990-01-01"))


def test_unknown_identifier_is_id_does_not_exist(oai_url: str) -> None:
    harvester = Sickle(oai_url)
    with pytest.raises(IdDoesNotExist):
        harvester.GetRecord(identifier="oai:oral-archive:no-such-record", metadataPrefix="oai_dc")
    with pytest.raises(IdDoesNotExist):
        list(harvester.ListMetadataFormats(identifier="oai:elsewhere:1"))


# -- 2. an ingest while the server serves -----------------------------------------------------
def _check_record(base: str, record_id: str, seen: dict[str, int], problems: list[str]) -> bool:
    """The record's JSON validates and its TEI parses; False if it is not (yet) there."""
    status, body = get(f"{base}/api/records/{quote(record_id)}")
    if status >= 500:
        problems.append(f"/api/records/{record_id}: {status} {body[:300]!r}")
        return False
    if status != 200:  # a record the search knows must be readable
        problems.append(f"/api/records/{record_id}: {status} {body[:300]!r}")
        return False
    record = Record.model_validate_json(body)  # a half-written record would not validate
    assert record.id == record_id and record.segments
    status, tei = get(f"{base}/records/{quote(record_id)}/download/tei")
    if status != 200:
        problems.append(f"TEI of {record_id}: {status} {tei[:300]!r}")
        return False
    tree = etree.fromstring(tei)
    assert tree.tag == "{http://www.tei-c.org/ns/1.0}TEI"
    seen[record_id] = seen.get(record_id, 0) + 1
    return True


def _search_ids(base: str, query: str, problems: list[str], limit: int = 10) -> list[str]:
    status, body = get(f"{base}/api/search?{urlencode({'q': query, 'facets': '0', 'limit': limit})}")
    if status != 200:
        problems.append(f"/api/search?q={query}: {status} {body[:300]!r}")
        return []
    return [hit["id"] for hit in json.loads(body)["hits"]]


def _oai_identifiers(base: str, problems: list[str]) -> list[str]:
    identifiers: list[str] = []
    args = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    while True:
        status, body = get(f"{base}/oai?{urlencode(args)}")
        if status != 200:
            problems.append(f"/oai ListIdentifiers: {status} {body[:300]!r}")
            return identifiers
        tree = etree.fromstring(body)
        error = tree.find(f"{{{OAI_NS}}}error")
        if error is not None:
            problems.append(f"/oai ListIdentifiers: {error.get('code')} {error.text}")
            return identifiers
        identifiers += [e.text for e in tree.iter(f"{{{OAI_NS}}}identifier")]
        token = tree.findtext(f".//{{{OAI_NS}}}resumptionToken")
        if not token:
            return identifiers
        args = {"verb": "ListIdentifiers", "resumptionToken": token}


def test_an_ingest_while_serving_shows_only_complete_records(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    assert not ingest([SEEDS], archive).rejected
    before = set(archive.ids())
    batch = tmp_path / "batch"
    batch.mkdir()
    for path in corpus_files():
        shutil.copy(path, batch / path.name)
    served = Served(archive.path)
    try:
        problems: list[str] = []
        seen: dict[str, int] = {}
        polls = 0
        during: set[str] = set()  # new records already served while the ingest ran
        process = subprocess.Popen([*CLI, "--archive", str(archive.path), "ingest", str(batch)],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            # Bounded by the ingest: poll until it exits (no timing is asserted), then once more.
            while True:
                finished = process.poll() is not None
                for query in ("interview", "teacher OR nurse OR fire OR detective"):
                    for record_id in _search_ids(served.base, query, problems):
                        _check_record(served.base, record_id, seen, problems)
                for identifier in _oai_identifiers(served.base, problems):
                    _check_record(served.base, identifier.removeprefix("oai:oral-archive:"), seen, problems)
                status, _ = get(f"{served.base}/?q=interview")
                if status >= 500:
                    problems.append(f"search page: {status}")
                polls += 1
                if not finished:
                    during.update(record_id for record_id in seen if record_id not in before)
                if finished:
                    break
            output = process.stdout.read()
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=60)
        assert process.returncode == 0, output
        assert not problems, problems[:10]

        after = set(Archive(archive.path, create=False).ids())
        new = after - before
        assert len(new) == len(corpus_files())
        listed = set(_search_ids(served.base, "", problems, limit=100))  # no query: every record
        found = set(_search_ids(served.base, "interview", problems))
        oai = {i.removeprefix("oai:oral-archive:") for i in _oai_identifiers(served.base, problems)}
        assert not problems, problems[:10]
        assert oai == after  # the harvester sees every record once the ingest has committed
        assert listed == after  # the search lists every record, the new ones too
        assert found & new  # and a word search finds new ones
        for query_id in new:
            assert _check_record(served.base, query_id, seen, problems), problems
        assert polls >= 1
        print(f"{polls} polls while and after the ingest; {len(during)} new records served before it exited")
    finally:
        served.close()
