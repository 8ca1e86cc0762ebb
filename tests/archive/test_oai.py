"""OAI-PMH 2.0 repository (archive/oai.py): every verb and every error code, each response
valid against the official OAI-PMH.xsd in ../shared and each record's metadata against
its own schema; stable paging while records are added; from/until; sets; restricted
fields; random requests never raise.

The archive here is built from the real seed and development corpus with fixed ingestion
times (``prepare(now=...)``) and archivist rows (collection, restrictions), so datestamps
and sets are known exactly.
"""

from __future__ import annotations

import copy
import filecmp
import re
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.archive.export import restricted_texts
from oral_archive.archive.oai import (
    DEFAULT_FORMATS,
    MetadataFormat,
    OaiRepository,
    Tombstone,
    set_spec_of,
)
from oral_archive.pipeline import ingest
from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.manifest import ManifestRow, SuppliedRow
from oral_archive.pipeline.stages import prepare
from oral_archive.schemas.xmlschemas import DC_NS, MODS_NS, OAI_DC_NS

from ..conftest import FIXTURES, PROJECT, SCHEMAS_EXTERNAL, SEED, corpus_files

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI_NS, "oai_dc": OAI_DC_NS, "dc": DC_NS, "mods": MODS_NS}
BASE_URL = "http://127.0.0.1:8000/oai"
VERBS = ["Identify", "ListMetadataFormats", "ListSets", "GetRecord", "ListIdentifiers", "ListRecords"]
EXTRA_FILE = FIXTURES / "extraction-blind2" / "files" / "b2-01.txt"
LATE_FILE = FIXTURES / "extraction-blind2" / "files" / "b2-02.txt"


def utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


# (ingestion time, collection, restricted fields) of the seed and each dev-corpus file, in order.
# The first two share a second: the list order then falls back to the record id.
PLAN = [
    ("2021-03-01T10:00:00Z", "Police Oral Histories", []),
    ("2021-03-01T10:00:00Z", "Police Oral Histories", []),
    ("2021-03-02T08:30:00Z", "Teachers, 2015", ["participants.name", "source.filename"]),
    ("2021-03-02T17:45:10Z", None, []),
    ("2021-03-03T00:00:00Z", "Secret Donors", ["collection"]),
    ("2021-03-04T12:00:00Z", "Teachers, 2015", []),
    ("2021-03-05T23:59:59Z", None, ["participants.name", "participants.organization", "source.filename"]),
]


def add_file(archive: Archive, path: Path, when: str, collection: str | None = None, restricted: list[str] | None = None) -> str:
    """Store one file as ingest would, at a chosen ingestion time; returns its record id."""
    source = read_source(path)
    row = SuppliedRow(ManifestRow(file=path.name, collection=collection, restricted=restricted or None), "manifest.csv", 2)
    with archive.writing():
        prepared = prepare(source, archive, now=utc(when), supplied=row)
        return archive.add(prepared.record, prepared.tei, source.data).record_id


@pytest.fixture(scope="module")
def oai_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Archive, list[str]]:
    """The archive (read-only: copy it to write) and its record ids in PLAN order."""
    archive = Archive(tmp_path_factory.mktemp("oai") / "archive")
    files = [SEED, *corpus_files()]
    assert len(files) == len(PLAN)
    ids = [add_file(archive, path, *plan) for path, plan in zip(files, PLAN)]
    assert len(set(ids)) == len(ids)
    return archive, ids


@pytest.fixture(scope="module")
def repo(oai_archive) -> OaiRepository:
    return OaiRepository(oai_archive[0], BASE_URL)


@pytest.fixture()
def writable(oai_archive, tmp_path: Path) -> tuple[Archive, list[str]]:
    shutil.copytree(oai_archive[0].path, tmp_path / "archive")
    return Archive(tmp_path / "archive"), oai_archive[1]


@pytest.fixture(scope="module")
def schemas() -> dict[str, etree.XMLSchema]:
    # The product's vendored copy must be the official file the tests validate against.
    assert filecmp.cmp(PROJECT / "schemas" / "vendor" / "oai-pmh" / "OAI-PMH.xsd", SCHEMAS_EXTERNAL / "oai-pmh" / "OAI-PMH.xsd", shallow=False)
    load = lambda *parts: etree.XMLSchema(etree.parse(str(SCHEMAS_EXTERNAL.joinpath(*parts))))
    return {"oai": load("oai-pmh", "OAI-PMH.xsd"), OAI_DC_NS: load("dc", "oai_dc.xsd"), MODS_NS: load("mods", "mods-3-7.xsd")}


def valid(body: bytes, schemas: dict[str, etree.XMLSchema]) -> etree._Element:
    """The parsed response, asserting it and each record's metadata are schema-valid."""
    root = etree.fromstring(body)
    assert schemas["oai"].validate(root), schemas["oai"].error_log
    for metadata in root.xpath("//oai:metadata/*", namespaces=NS):
        schema = schemas[etree.QName(metadata).namespace]
        assert schema.validate(etree.ElementTree(copy.deepcopy(metadata))), schema.error_log
    return root


def ask(repo: OaiRepository, schemas, **args: str | list[str]) -> etree._Element:
    return valid(repo.respond({k.rstrip("_"): [v] if isinstance(v, str) else v for k, v in args.items()}), schemas)


def error_codes(root: etree._Element) -> list[str]:
    return root.xpath("oai:error/@code", namespaces=NS)


def harvest(repo: OaiRepository, schemas, verb: str = "ListIdentifiers", between=None, **args: str) -> tuple[list[str], list[etree._Element]]:
    """Every identifier of a list, following resumption tokens; ``between(n)`` runs after page n."""
    identifiers, responses = [], []
    root = ask(repo, schemas, verb=verb, **args)
    while True:
        responses.append(root)
        assert not error_codes(root), etree.tostring(root)
        identifiers += root.xpath(f"oai:{verb}//oai:header/oai:identifier/text()", namespaces=NS)
        token = root.find(f"oai:{verb}/oai:resumptionToken", NS)
        if token is None or not token.text:
            return identifiers, responses
        if between:
            between(len(responses))
        root = ask(repo, schemas, verb=verb, resumptionToken=token.text)


def oai_id(record_id: str) -> str:
    return f"oai:oral-archive:{record_id}"


# -- every verb, valid ----------------------------------------------------------------------
def test_every_verb_answers_a_schema_valid_document(repo: OaiRepository, oai_archive, schemas) -> None:
    _, ids = oai_archive
    for prefix in ("oai_dc", "mods"):
        for verb in ("ListRecords", "ListIdentifiers"):
            root = ask(repo, schemas, verb=verb, metadataPrefix=prefix)
            assert len(root.xpath(f"oai:{verb}//oai:header", namespaces=NS)) == len(ids)
            # one page holds the whole list: no resumptionToken at all
            assert root.find(f"oai:{verb}/oai:resumptionToken", NS) is None
        root = ask(repo, schemas, verb="GetRecord", identifier=oai_id(ids[0]), metadataPrefix=prefix)
        assert root.xpath("oai:GetRecord/oai:record/oai:metadata/*", namespaces=NS)[0].tag.startswith(f"{{{OAI_DC_NS if prefix == 'oai_dc' else MODS_NS}}}")
    formats = ask(repo, schemas, verb="ListMetadataFormats")
    assert formats.xpath("//oai:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "mods"]
    assert ask(repo, schemas, verb="ListMetadataFormats", identifier=oai_id(ids[3])).xpath("//oai:metadataPrefix/text()", namespaces=NS) == ["oai_dc", "mods"]
    assert ask(repo, schemas, verb="ListSets").xpath("//oai:setSpec/text()", namespaces=NS)
    identify = ask(repo, schemas, verb="Identify")
    request = identify.find("oai:request", NS)
    assert (request.text, dict(request.attrib)) == (BASE_URL, {"verb": "Identify"})
    field = lambda name: identify.findtext(f"oai:Identify/oai:{name}", namespaces=NS)
    assert field("baseURL") == BASE_URL and field("protocolVersion") == "2.0"
    assert field("earliestDatestamp") == "2021-03-01T10:00:00Z"
    assert field("deletedRecord") == "persistent" and field("granularity") == "YYYY-MM-DDThh:mm:ssZ"


def test_headers_carry_the_latest_version_datestamp_in_list_order(repo: OaiRepository, oai_archive, schemas) -> None:
    _, ids = oai_archive
    root = ask(repo, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc")
    headers = [(h.findtext("oai:datestamp", namespaces=NS), h.findtext("oai:identifier", namespaces=NS)) for h in root.iterfind(".//oai:header", NS)]
    expected = sorted((when, oai_id(record_id)) for (when, _, _), record_id in zip(PLAN, ids))
    assert headers == expected  # ordered by (datestamp, id): the first two share a second


def test_the_request_element_echoes_the_arguments(repo: OaiRepository, schemas) -> None:
    root = ask(repo, schemas, verb="ListRecords", metadataPrefix="mods", from_="2021-03-02", until="2021-03-04", set="teachers-2015")
    assert dict(root.find("oai:request", NS).attrib) == {"verb": "ListRecords", "metadataPrefix": "mods", "from": "2021-03-02", "until": "2021-03-04", "set": "teachers-2015"}
    # errors other than badVerb/badArgument echo the arguments too
    root = ask(repo, schemas, verb="GetRecord", identifier="oai:oral-archive:no-such-record", metadataPrefix="oai_dc")
    assert dict(root.find("oai:request", NS).attrib) == {"verb": "GetRecord", "identifier": "oai:oral-archive:no-such-record", "metadataPrefix": "oai_dc"}


# -- every error code ------------------------------------------------------------------------
def a_token(repo: OaiRepository, verb: str = "ListIdentifiers") -> str:
    small = OaiRepository(repo.archive, repo.base_url, page_size=2)
    root = etree.fromstring(small.respond({"verb": [verb], "metadataPrefix": ["oai_dc"]}))
    return root.findtext(f"oai:{verb}/oai:resumptionToken", namespaces=NS)


def tampered(token: str) -> str:
    payload, signature = token.split(".")
    return payload[:-3] + ("A" if payload[-3] != "A" else "B") + payload[-2:] + "." + signature


BAD_VERB = [{}, {"verb": ["Explode"]}, {"verb": ["Identify", "Identify"]}, {"verb": [""]}, {"metadataPrefix": ["oai_dc"]}, {"verb": ["identify"]}]
BAD_ARGUMENT = [
    {"verb": ["Identify"], "set": ["x"]},
    {"verb": ["ListRecords"]},
    {"verb": ["ListIdentifiers"], "metadataPrefix": ["oai_dc", "mods"]},
    {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"], "colour": ["red"]},
    {"verb": ["GetRecord"], "metadataPrefix": ["oai_dc"]},
    {"verb": ["GetRecord"], "identifier": ["oai:oral-archive:x"]},
    {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"], "from": ["2021-13-01"]},
    {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"], "from": ["2021-03-01T10:00:00"]},
    {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"], "from": ["2021-03-01T10:00:00.5Z"]},
    {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"], "from": ["2021-03-01"], "until": ["2021-03-02T00:00:00Z"]},
    {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"], "from": ["2021-03-02"], "until": ["2021-03-01"]},
    {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"], "from": ["2021-03-02T00:00:01Z"], "until": ["2021-03-02T00:00:00Z"]},
    {"verb": ["ListRecords"], "metadataPrefix": ["oai dc"]},
    {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"], "set": ["bad set"]},
    {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"], "set": [""]},
    {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"], "resumptionToken": ["abc"]},
    {"verb": ["ListSets"], "resumptionToken": ["abc"], "set": ["x"]},
    {"verb": ["ListMetadataFormats"], "identifier": ["oai:oral-archive:\x00"]},
]


@pytest.mark.parametrize("args", BAD_VERB, ids=repr)
def test_bad_verb(repo: OaiRepository, schemas, args) -> None:
    root = valid(repo.respond(args), schemas)
    assert error_codes(root) == ["badVerb"]
    request = root.find("oai:request", NS)
    assert (request.text, dict(request.attrib)) == (BASE_URL, {})  # base URL only, as the spec says


@pytest.mark.parametrize("args", BAD_ARGUMENT, ids=repr)
def test_bad_argument(repo: OaiRepository, schemas, args) -> None:
    root = valid(repo.respond(args), schemas)
    assert error_codes(root) == ["badArgument"]
    assert dict(root.find("oai:request", NS).attrib) == {}


def test_bad_resumption_token(repo: OaiRepository, schemas) -> None:
    token = a_token(repo)
    foreign = a_token(OaiRepository(repo.archive, "http://elsewhere.example.org/oai"))
    assert ask(repo, schemas, verb="ListIdentifiers", resumptionToken=token).find("oai:ListIdentifiers", NS) is not None
    for verb, bad in [
        ("ListIdentifiers", "not-a-token"),
        ("ListIdentifiers", tampered(token)),
        ("ListIdentifiers", token + "x"),
        ("ListIdentifiers", foreign),  # signed by another repository
        ("ListRecords", token),  # a ListIdentifiers token
        ("ListSets", token),  # ListSets issues none
        ("ListRecords", "é" * 3000),
    ]:
        root = ask(repo, schemas, verb=verb, resumptionToken=bad)
        assert error_codes(root) == ["badResumptionToken"], (verb, bad)
        assert dict(root.find("oai:request", NS).attrib) == {"verb": verb, "resumptionToken": bad}


def test_cannot_disseminate_format(repo: OaiRepository, oai_archive, schemas) -> None:
    _, ids = oai_archive
    for verb in ("ListRecords", "ListIdentifiers"):
        assert error_codes(ask(repo, schemas, verb=verb, metadataPrefix="marc21")) == ["cannotDisseminateFormat"]
    assert error_codes(ask(repo, schemas, verb="GetRecord", identifier=oai_id(ids[0]), metadataPrefix="marc21")) == ["cannotDisseminateFormat"]
    # both problems of one request are reported
    assert error_codes(ask(repo, schemas, verb="GetRecord", identifier="oai:oral-archive:nope", metadataPrefix="marc21")) == ["idDoesNotExist", "cannotDisseminateFormat"]
    # a format some items lack: the others cannot be disseminated in it
    picky = OaiRepository(repo.archive, BASE_URL, formats=[*DEFAULT_FORMATS, MetadataFormat("tei_only", "http://example.org/x.xsd", "http://example.org/x", DEFAULT_FORMATS[0].build, lambda r: False)])
    assert error_codes(ask(picky, schemas, verb="GetRecord", identifier=oai_id(ids[0]), metadataPrefix="tei_only")) == ["cannotDisseminateFormat"]
    assert error_codes(ask(picky, schemas, verb="ListRecords", metadataPrefix="tei_only")) == ["noRecordsMatch"]


@pytest.mark.parametrize("identifier", ["oai:oral-archive:no-such-record", "oai:oral-archive:abc\n", "no-such", "oai:oral-archive:../../etc/passwd", "oai:oral-archive:", "urn:x y", "oai:other:abc"])
def test_id_does_not_exist(repo: OaiRepository, schemas, identifier: str) -> None:
    assert error_codes(ask(repo, schemas, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")) == ["idDoesNotExist"]
    assert error_codes(ask(repo, schemas, verb="ListMetadataFormats", identifier=identifier)) == ["idDoesNotExist"]


@pytest.mark.parametrize("args", [
    {"from_": "2030-01-01"},
    {"until": "2021-02-28T23:59:59Z"},
    {"set": "no-such-collection"},
    {"set": "teachers-2015", "from_": "2021-03-05"},
])
def test_no_records_match(repo: OaiRepository, schemas, args) -> None:
    for verb in ("ListRecords", "ListIdentifiers"):
        assert error_codes(ask(repo, schemas, verb=verb, metadataPrefix="oai_dc", **args)) == ["noRecordsMatch"]


def test_no_metadata_formats(oai_archive, schemas) -> None:
    archive, ids = oai_archive
    none = OaiRepository(archive, BASE_URL, formats=())
    assert error_codes(ask(none, schemas, verb="ListMetadataFormats")) == ["noMetadataFormats"]
    only_some = OaiRepository(archive, BASE_URL, formats=[MetadataFormat("oai_dc", DEFAULT_FORMATS[0].schema, OAI_DC_NS, DEFAULT_FORMATS[0].build, lambda r: r.id != ids[0])])
    assert error_codes(ask(only_some, schemas, verb="ListMetadataFormats", identifier=oai_id(ids[0]))) == ["noMetadataFormats"]
    assert error_codes(ask(only_some, schemas, verb="ListMetadataFormats", identifier=oai_id(ids[1]))) == []


def test_no_set_hierarchy_without_collections(built_archive: Archive, schemas) -> None:
    # the session archive: the seed and the dev corpus, none with a collection
    repo = OaiRepository(built_archive, BASE_URL)
    assert error_codes(ask(repo, schemas, verb="ListSets")) == ["noSetHierarchy"]
    for verb in ("ListRecords", "ListIdentifiers"):
        assert error_codes(ask(repo, schemas, verb=verb, metadataPrefix="oai_dc", set="anything")) == ["noSetHierarchy"]
    assert len(harvest(repo, schemas, metadataPrefix="oai_dc")[0]) == len(built_archive.ids())


# -- paging --------------------------------------------------------------------------------
@pytest.mark.parametrize("page_size", [1, 2, 3, 6, 7])
def test_paging_returns_every_record_once_in_order(oai_archive, schemas, page_size: int) -> None:
    archive, ids = oai_archive
    repo = OaiRepository(archive, BASE_URL, page_size=page_size)
    for verb in ("ListIdentifiers", "ListRecords"):
        identifiers, responses = harvest(repo, schemas, verb, metadataPrefix="mods")
        assert identifiers == harvest(OaiRepository(archive, BASE_URL), schemas, verb, metadataPrefix="mods")[0]
        assert sorted(identifiers) == sorted(oai_id(i) for i in ids)
        tokens = [r.find(f"oai:{verb}/oai:resumptionToken", NS) for r in responses]
        if page_size >= len(ids):
            assert tokens == [None]
            continue
        assert [int(t.get("cursor")) for t in tokens] == list(range(0, len(ids), page_size))
        assert {t.get("completeListSize") for t in tokens} == {str(len(ids))}
        assert all(t.text for t in tokens[:-1]) and not tokens[-1].text  # the last one is empty
        assert all(re.fullmatch(r"[A-Za-z0-9_.=-]+", t.text) for t in tokens[:-1])  # opaque, URL-safe


def test_paging_is_stable_while_records_are_added(writable, schemas) -> None:
    archive, ids = writable
    repo = OaiRepository(archive, BASE_URL, page_size=2)
    added = []

    def ingest_between(page: int) -> None:
        if page == 1:
            # A real ingest now: a newer datestamp than any, so it joins the end of the list.
            report = ingest([EXTRA_FILE], archive)
            assert report.counts["ingested"] == 1
            added.append(report.results[0].record_id)
        if page == 2:
            # A record stored late with an early datestamp (prepared long before it was
            # stored), sorting before the items already sent: an offset would shift and
            # send an earlier record twice; the (datestamp, id) position does not.
            added.append(add_file(archive, LATE_FILE, "2021-03-01T09:00:00Z", "Late"))

    identifiers, _ = harvest(repo, schemas, "ListRecords", between=ingest_between, metadataPrefix="oai_dc")
    assert sorted(i for i in identifiers if i in {oai_id(x) for x in ids}) == sorted(oai_id(i) for i in ids)
    assert len(identifiers) == len(set(identifiers))
    assert identifiers[-1] == oai_id(added[0])
    assert len(harvest(repo, schemas, metadataPrefix="oai_dc")[0]) == len(ids) + len(set(added))  # a fresh harvest sees all


def test_a_record_changed_during_a_harvest_comes_again_at_the_end(writable, schemas, tmp_path: Path) -> None:
    archive, ids = writable
    repo = OaiRepository(archive, BASE_URL, page_size=2)
    order = [record_id for _, record_id in sorted(zip(PLAN, ids))]
    files = dict(zip(ids, [SEED, *corpus_files()]))
    changed = tmp_path / "changed"
    changed.mkdir()

    def new_versions(page: int) -> None:
        if page == 1:  # one record already sent, one not yet: both get a new version
            for record_id in (order[0], order[4]):
                original = files[record_id]
                (changed / original.name).write_bytes(original.read_bytes() + b"\n\nA paragraph added by the archivist.\n")
                assert add_file(archive, changed / original.name, "2021-04-01T00:00:00Z") == record_id
                assert archive.next_version(record_id) == 3

    identifiers, _ = harvest(repo, schemas, "ListIdentifiers", between=new_versions, metadataPrefix="oai_dc")
    assert identifiers.count(oai_id(order[0])) == 2 and identifiers.count(oai_id(order[4])) == 1
    assert identifiers[-2:] == sorted([oai_id(order[0]), oai_id(order[4])])  # same datestamp: id order
    assert sorted(set(identifiers)) == sorted(oai_id(i) for i in ids)


def test_a_list_that_vanishes_under_the_harvester_ends_with_no_records_match(writable, schemas) -> None:
    archive, ids = writable
    repo = OaiRepository(archive, BASE_URL, page_size=6)
    root = ask(repo, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc", until="2021-03-05T23:59:59Z")
    token = root.findtext("oai:ListIdentifiers/oai:resumptionToken", namespaces=NS)
    last = max(zip(PLAN, ids))[1]
    shutil.rmtree(archive.path / "records" / last)  # the only item left: gone (hand-deleted)
    assert error_codes(ask(repo, schemas, verb="ListIdentifiers", resumptionToken=token)) == ["noRecordsMatch"]


def test_an_unreadable_record_is_left_out_of_lists(writable, schemas) -> None:
    archive, ids = writable
    (archive.path / "records" / ids[3] / "v1" / "data" / "record.json").write_text("{broken", encoding="utf-8")
    repo = OaiRepository(archive, BASE_URL)
    identifiers, _ = harvest(repo, schemas, "ListRecords", metadataPrefix="oai_dc")
    assert sorted(identifiers) == sorted(oai_id(i) for i in ids if i != ids[3])
    assert error_codes(ask(repo, schemas, verb="GetRecord", identifier=oai_id(ids[3]), metadataPrefix="oai_dc")) == ["idDoesNotExist"]


# -- from / until ------------------------------------------------------------------------------
@pytest.mark.parametrize(("bounds", "expected"), [
    ({"from_": "2021-03-02", "until": "2021-03-03"}, [2, 3, 4]),  # whole days, both ends inclusive
    ({"from_": "2021-03-01T10:00:00Z", "until": "2021-03-01T10:00:00Z"}, [0, 1]),
    ({"from_": "2021-03-02T17:45:11Z"}, [4, 5, 6]),
    ({"from_": "2021-03-02T17:45:10Z"}, [3, 4, 5, 6]),
    ({"until": "2021-03-05T23:59:58Z"}, [0, 1, 2, 3, 4, 5]),
    ({"until": "2021-03-05"}, [0, 1, 2, 3, 4, 5, 6]),
    ({"from_": "2021-03-05", "until": "2021-03-05"}, [6]),
])
def test_from_and_until(oai_archive, schemas, bounds, expected) -> None:
    archive, ids = oai_archive
    repo = OaiRepository(archive, BASE_URL, page_size=2)  # bounds survive resumption
    identifiers, _ = harvest(repo, schemas, "ListIdentifiers", metadataPrefix="oai_dc", **bounds)
    assert sorted(identifiers) == sorted(oai_id(ids[i]) for i in expected)


# -- sets ---------------------------------------------------------------------------------------
def test_sets_are_the_collections_not_the_restricted_ones(repo: OaiRepository, oai_archive, schemas) -> None:
    _, ids = oai_archive
    root = ask(repo, schemas, verb="ListSets")
    sets = {s.findtext("oai:setSpec", namespaces=NS): s.findtext("oai:setName", namespaces=NS) for s in root.iterfind(".//oai:set", NS)}
    assert sets == {"police-oral-histories": "Police Oral Histories", "teachers-2015": "Teachers, 2015"}
    identifiers, _ = harvest(OaiRepository(repo.archive, BASE_URL, page_size=1), schemas, "ListRecords", metadataPrefix="oai_dc", set="teachers-2015")
    assert identifiers == [oai_id(ids[2]), oai_id(ids[5])]
    headers = ask(repo, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc").iterfind(".//oai:header", NS)
    specs = {h.findtext("oai:identifier", namespaces=NS): h.xpath("oai:setSpec/text()", namespaces=NS) for h in headers}
    assert specs[oai_id(ids[0])] == ["police-oral-histories"] and specs[oai_id(ids[4])] == [] and specs[oai_id(ids[3])] == []
    # the restricted collection's name is nowhere in what the repository hands out
    for args in ({"verb": "ListSets"}, {"verb": "ListRecords", "metadataPrefix": "oai_dc"}, {"verb": "ListRecords", "metadataPrefix": "mods"}):
        assert b"Secret" not in repo.respond({k: [v] for k, v in args.items()})


def test_set_specs_are_legal_for_any_collection_name() -> None:
    assert set_spec_of("Écoles de Montréal") == "ecoles-de-montreal"
    for name in ("日本の口述史", "***", "a" * 200):
        assert re.fullmatch(r"[a-z0-9-]{1,64}", set_spec_of(name)), name


# -- restricted fields ------------------------------------------------------------------------
def test_restricted_fields_are_never_disseminated(repo: OaiRepository, oai_archive, schemas) -> None:
    archive, ids = oai_archive
    checked = 0
    for index, (_, _, restricted) in enumerate(PLAN):
        record = archive.get(ids[index])
        withheld = {text for field in restricted for text in restricted_texts(record, field) if len(text) >= 3}
        for prefix in ("oai_dc", "mods"):
            root = ask(repo, schemas, verb="GetRecord", identifier=oai_id(ids[index]), metadataPrefix=prefix)
            text = " ".join(root.xpath("//oai:metadata//text() | //oai:metadata//@*", namespaces=NS))
            for value in withheld:
                assert not re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE), (ids[index], prefix, value)
                checked += 1
    assert checked > 10  # the plan does restrict names, file names and an organization
    fuchs = archive.get(ids[6])
    assert "Fuchs" in fuchs.person("interviewee").name.value and b"Fuchs" not in repo.respond({"verb": ["ListRecords"], "metadataPrefix": ["mods"]})


# -- deleted records ---------------------------------------------------------------------------
def test_a_withdrawn_record_is_harvested_as_deleted_and_restored_whole(tmp_path: Path, schemas) -> None:
    """Withdrawal (Archive.withdraw) is what the repository reports as deleted by default."""
    archive = Archive(tmp_path / "archive")
    ingest([SEED], archive)
    (record_id,) = archive.ids()
    repo = OaiRepository(archive, BASE_URL)
    before = ask(repo, schemas, verb="GetRecord", identifier=oai_id(record_id), metadataPrefix="oai_dc")
    assert before.xpath("//oai:metadata", namespaces=NS)
    stone = archive.withdraw(record_id, reason="narrator's request", by="test")
    listed = ask(repo, schemas, verb="ListIdentifiers", metadataPrefix="oai_dc")
    (header,) = listed.xpath("//oai:header", namespaces=NS)
    assert header.get("status") == "deleted" and header.findtext("oai:datestamp", namespaces=NS) == stone.withdrawn_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    got = ask(repo, schemas, verb="GetRecord", identifier=oai_id(record_id), metadataPrefix="mods")
    assert got.xpath("//oai:header/@status", namespaces=NS) == ["deleted"] and not got.xpath("//oai:metadata", namespaces=NS)
    archive.restore(record_id, by="test")
    after = ask(repo, schemas, verb="GetRecord", identifier=oai_id(record_id), metadataPrefix="oai_dc")
    assert not after.xpath("//oai:header/@status", namespaces=NS)
    assert etree.tostring(after.find(".//oai:metadata", NS)) == etree.tostring(before.find(".//oai:metadata", NS))



def test_a_tombstone_list_switches_the_policy_to_persistent(oai_archive, schemas) -> None:
    archive, ids = oai_archive
    stone = Tombstone(ids[3], utc("2022-01-01T00:00:00Z"))
    repo = OaiRepository(archive, BASE_URL, tombstones=lambda: [stone])
    assert ask(repo, schemas, verb="Identify").findtext("oai:Identify/oai:deletedRecord", namespaces=NS) == "persistent"
    root = ask(repo, schemas, verb="ListRecords", metadataPrefix="mods")
    (deleted,) = root.xpath("//oai:record[oai:header/@status='deleted']", namespaces=NS)
    assert deleted.findtext("oai:header/oai:identifier", namespaces=NS) == oai_id(ids[3]) and deleted.find("oai:metadata", NS) is None
    assert deleted.findtext("oai:header/oai:datestamp", namespaces=NS) == "2022-01-01T00:00:00Z"
    got = ask(repo, schemas, verb="GetRecord", identifier=oai_id(ids[3]), metadataPrefix="oai_dc")
    assert got.xpath("//oai:header/@status", namespaces=NS) == ["deleted"] and not got.xpath("//oai:metadata", namespaces=NS)


# -- random requests -----------------------------------------------------------------------------
def request_strategy(ids: list[str], token: str):
    keys = st.sampled_from(["verb", "metadataPrefix", "identifier", "from", "until", "set", "resumptionToken", "Verb", ""]) | st.text(max_size=6)
    known = st.sampled_from([
        *VERBS, "oai_dc", "mods", "marc21", *[oai_id(i) for i in ids[:3]], "oai:oral-archive:nope",
        "2021-03-02", "2021-03-02T00:00:00Z", "2021-03-05", "2021-02-30", "police-oral-histories", "teachers-2015", "a:b",
        token, tampered(token), "",
    ])
    anything = st.dictionaries(keys, st.lists(known | st.text(max_size=30), max_size=3), max_size=5)
    # Some requests name a real verb, some also only known argument names with one value
    # each, so that they get past badVerb and badArgument to the verbs themselves.
    with_verb = st.builds(lambda verb, rest: {**rest, "verb": [verb]}, st.sampled_from(VERBS), anything)
    one = lambda *choices: st.sampled_from(choices).map(lambda value: [value])
    dates = ("2021-03-02", "2021-03-04", "2021-03-01T10:00:00Z", "2021-03-03T00:00:00Z", "2030-01-01")
    arguments = st.fixed_dictionaries({}, optional={
        "metadataPrefix": one("oai_dc", "mods", "marc21"), "identifier": one(*[oai_id(i) for i in ids], "oai:oral-archive:nope"),
        "from": one(*dates), "until": one(*dates), "set": one("police-oral-histories", "teachers-2015", "nope"),
        "resumptionToken": one(token, tampered(token)),
    })
    plausible = st.builds(lambda verb, rest: {**rest, "verb": [verb]}, st.sampled_from(VERBS), arguments)
    return anything | with_verb | plausible


def test_random_requests_never_raise_and_always_answer_valid_xml(oai_archive, schemas) -> None:
    archive, ids = oai_archive
    repo = OaiRepository(archive, BASE_URL, page_size=3)

    @given(request_strategy(ids, a_token(repo)))
    def check(args) -> None:
        root = valid(repo.respond(args), schemas)
        if error_codes(root) and set(error_codes(root)) & {"badVerb", "badArgument"}:
            assert dict(root.find("oai:request", NS).attrib) == {}

    check()
