"""The reading room through Flask's test client, over a real archive built by ingesting real files.

The archive: the seed, the development corpus, a Q/A transcript with time stamps,
transcriber notes and ``<script>`` in its text (ingested twice, so it has two versions),
and a second one whose interviewee name and organization an archivist restricted.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from click.testing import CliRunner
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.pipeline import ingest
from oral_archive.pipeline.cli import main
from oral_archive.pipeline.web import create_app
from oral_archive.schemas.errors import StoreError
from oral_archive.schemas.record import Record
from oral_archive.schemas.xmlschemas import MODS_NS, OAI_DC_NS, TEI_NS

from ..conftest import SEEDS, corpus_files

HALE_NAME = "hale-firefighter.txt"
HALE_V1 = """Oral History Interview with Margaret Hale
Margaret Hale was a firefighter with the Harbor City Fire Department for 31 years.

[00:00:05] INTERVIEWER: When did you join the brigade, and what did the station think of a woman firefighter?
[00:00:12] HALE: I joined the brigade in 1962 [laughs], the first woman at our station. The captain wrote <script>alert("x")</script> on the duty board as a joke, and nobody knew what it meant.
[00:01:40] INTERVIEWER: What did your family say?
[00:01:46] HALE: My father was a police officer, so he understood shift work. He said the brigade would make me tough. [pause] It did.
[00:03:02] INTERVIEWER: What was your first big fire?
[00:03:09] HALE: The cannery fire on the waterfront, in the winter of 1963. We were on the hoses for eleven hours, and the ladder company lost a truck to the wall when it came down.
[00:05:40] INTERVIEWER: Were you ever afraid?
[00:05:44] HALE: Every time. [laughs] Anyone who tells you otherwise was never inside. You learn to be afraid and keep working, and you trust the person on the hose behind you.
[00:07:15] INTERVIEWER: How did the work change over thirty-one years?
[00:07:21] HALE: Breathing apparatus, mostly. When I started we went in with wet cloths over our faces. By the end we had radios, thermal cameras and a proper pension, which the union fought for in 1974.
[00:09:02] INTERVIEWER: And the other firefighters, did they come around?
[00:09:08] HALE: Most of them, after the cannery fire. [pause] A few never did, and they retired before I made captain in 1981.
[00:10:30] INTERVIEWER: What would you tell a young woman joining today?
[00:10:36] HALE: Learn the trucks, learn the streets, and never let anyone carry your share of the hose.
"""
HALE_V2 = HALE_V1 + "[00:11:50] INTERVIEWER: Thank you for talking with the brigade archive today.\n"
DELGADO_NAME = "delgado-cannery.txt"
DELGADO = """Oral History Interview with Rosa Delgado
Rosa Delgado worked at the Lakeside Packing Company in Monterey, California for 22 years.

[00:00:03] INTERVIEWER: How did you start at the cannery?
[00:00:08] DELGADO: I was sixteen. The Lakeside Packing Company hired girls for the packing line [laughs], and my mother said Rosa, you go.
[00:02:15] INTERVIEWER: What was the work like?
[00:02:20] DELGADO: Cold hands, long shifts, and the smell of sardines everywhere. The union came in 1951.
"""
# What the restriction withholds: the interviewee's name (every part of it) and organization.
WITHHELD = ("rosa", "delgado", "lakeside packing")


def build_reading_room_archive(root: Path) -> dict[str, str]:
    """Ingest the real files into ``root / "archive"``; returns the record ids by short name."""
    first, second = root / "first", root / "second"
    first.mkdir(parents=True)
    second.mkdir()
    (first / HALE_NAME).write_text(HALE_V1, encoding="utf-8")
    (first / DELGADO_NAME).write_text(DELGADO, encoding="utf-8")
    (second / HALE_NAME).write_text(HALE_V2, encoding="utf-8")  # same source, changed: version 2
    manifest = root / "manifest.csv"
    manifest.write_text(f"file,restricted\n{DELGADO_NAME},participants.name; participants.organization\n", encoding="utf-8")
    archive = Archive(root / "archive")
    report = ingest([SEEDS, *corpus_files(), first], archive, manifest=manifest)
    assert not report.rejected and not report.manifest_problems
    assert not ingest([second], archive).rejected
    ids = {archive.get(i).source.filename: i for i in archive.ids()}
    return {"hale": ids[HALE_NAME], "delgado": ids[DELGADO_NAME], "fuchs": ids["06-oral-history-james-fuchs.txt"],
            "seed": ids["interview-with-law-enforcement-officer.txt"], "path": str(archive.path), "root": str(root)}


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return build_reading_room_archive(tmp_path_factory.mktemp("reading-room"))


@pytest.fixture(scope="module")
def app(room: dict[str, str]):
    return create_app(room["path"])


@pytest.fixture()
def client(app):
    return app.test_client()


def html(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def cli_json(room: dict[str, str], *args: str):
    result = CliRunner().invoke(main, ["--archive", room["path"], *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- search --------------------------------------------------------------------------------
def test_search_page_keeps_the_query_lists_facets_and_highlights(client, room) -> None:
    response = client.get("/?q=police")
    assert response.status_code == 200
    page = html(response)
    assert page.get_element_by_id("rr-q").get("value") == "police"
    facet_headings = [text_of(h) for h in page.cssselect(".facets h3")]
    assert {"Role", "Organization", "Place", "Speaker"} <= set(facet_headings)
    role_links = page.cssselect(".facets section")[facet_headings.index("Role")].cssselect("a")
    assert role_links and all("role=" in a.get("href") for a in role_links)
    assert page.cssselect(".snippets mark") and all(text_of(m).lower().startswith("polic") for m in page.cssselect(".snippets mark"))
    total = client.get("/api/search?q=police").get_json()["total"]
    assert f"{total} interviews found" in text_of(page.cssselect("#rr-results-heading")[0])


def test_a_facet_link_narrows_the_search_and_can_be_removed(client) -> None:
    page = html(client.get("/?q=police"))
    link = page.cssselect(".facets section")[0].cssselect("li")[0]
    value, count = link.cssselect("a")[0], int(re.search(r"\((\d+)\)", text_of(link)).group(1))
    narrowed = client.get("/" + value.get("href"))
    assert narrowed.status_code == 200
    narrowed_page = html(narrowed)
    assert len(narrowed_page.cssselect(".hit")) == count
    chosen = narrowed_page.cssselect(".chosen a")
    assert [text_of(a).rstrip(" ×") for a in chosen] == [f"Role: {text_of(value)}"]
    back = html(client.get("/" + chosen[0].get("href")))
    assert len(back.cssselect(".hit")) == len(page.cssselect(".hit"))
    # The speaker facet restricts the search to what one kind of participant said.
    speaker = [a for a in page.cssselect(".facets a") if "speaker=interviewee" in a.get("href")]
    assert speaker and client.get("/" + speaker[0].get("href")).status_code == 200


def test_paging(client, room) -> None:
    total = len(Archive(room["path"]))
    first = html(client.get("/?limit=2"))  # no query: every record, by title
    assert f"page 1 of {math.ceil(total / 2)}" in text_of(first.cssselect("#rr-results-heading")[0])
    next_link = first.cssselect(".pager a[rel=next]")[0].get("href")
    second = html(client.get("/" + next_link))
    assert second.cssselect("ol.hits")[0].get("start") == "3"
    titles = lambda page: [text_of(a) for a in page.cssselect(".hit h3 a")]  # noqa: E731
    assert len(titles(second)) == 2 and not set(titles(first)) & set(titles(second))
    data = client.get("/api/search?q=*&limit=2&page=2&sort=title").get_json()
    assert (data["page"], data["pages"], len(data["hits"])) == (2, math.ceil(total / 2), 2)
    assert [h["title"] for h in data["hits"]] == titles(second)


def test_tenure_and_interview_date_ranges(client, room) -> None:
    archive = Archive(room["path"])
    tenure = client.get("/api/search?tenure_from=5&tenure_to=40").get_json()
    assert tenure["total"] == archive.search("tenure_years:[5 TO 40]").total > 0
    dated = client.get("/api/search?date_from=1976&date_to=1976-12-31").get_json()
    assert room["fuchs"] in [h["id"] for h in dated["hits"]]
    page = html(client.get("/?q=history&date_from=1976"))
    assert page.get_element_by_id("rr-date-from").get("value") == "1976"
    assert page.cssselect("details.more-options")[0].get("open") is not None


def test_snippet_links_open_the_exact_segment_with_its_words_marked(client) -> None:
    page = html(client.get("/?q=brigade OR police"))
    links = page.cssselect(".snippets a")
    assert len(links) >= 4
    for link in links:
        target = urlsplit(link.get("href"))
        marked = {text_of(m).lower() for m in link.cssselect("mark")}
        assert target.fragment and parse_qs(target.query)["mark"]
        record_page = html(client.get(f"{target.path}?{target.query}"))
        segment = record_page.get_element_by_id(target.fragment)
        assert {text_of(m).lower() for m in segment.cssselect("mark")} & marked, target.geturl()


# -- the record page -----------------------------------------------------------------------
def test_record_page_shows_speakers_time_stamps_and_notes(client, room) -> None:
    page = html(client.get(f"/records/{room['hale']}"))
    answer = page.get_element_by_id("u2")
    assert text_of(answer.cssselect(".speaker")[0]) == "Margaret Hale"
    assert text_of(answer.cssselect(".turn-meta .stamp")[0]) == "0:00:12"  # as search snippets write it
    assert [text_of(n) for n in answer.cssselect(".note")] == ["[laughs]"]
    assert text_of(page.get_element_by_id("u1").cssselect(".speaker")[0]) == "INTERVIEWER"
    assert [text_of(n) for n in page.get_element_by_id("u4").cssselect(".note")] == ["[pause]"]
    assert text_of(page.cssselect("h1")[0]) == "Oral History Interview with Margaret Hale"


def test_transcript_markup_is_shown_as_text(client, room) -> None:
    for url, shown in ((f"/records/{room['hale']}", "&lt;script&gt;alert("), ("/?q=script+captain", "&lt;<mark>script</mark>&gt;alert(")):
        body = client.get(url).get_data(as_text=True)
        assert "<script" not in body.lower()  # the page has no script of its own either
        assert shown in body
    answer = html(client.get(f"/records/{room['hale']}")).get_element_by_id("u2")
    # The quotation marks around "x" were taken into the TEI's <q>, which the page shows as <q>.
    assert "The captain wrote <script>alert(x)</script> on the duty board" in text_of(answer)
    assert not answer.cssselect("script")


def test_every_value_has_its_evidence_one_click_away(client, room) -> None:
    response = client.get(f"/records/{room['hale']}")
    page = html(response)
    values = cli_json(room, "show", room["hale"], "--provenance", "--json")["values"]
    evidence = page.cssselect("dl.facts details.evidence")
    assert len(evidence) == len(values)
    rules = {v["rule"] for v in values if "rule" in v}
    shown = " ".join(text_of(d) for d in evidence)
    assert rules and all(rule in shown for rule in rules)
    for link in page.cssselect("details.evidence a"):
        fragment = urlsplit(link.get("href")).fragment
        assert page.get_element_by_id(fragment) is not None


def test_versions_are_listed_and_each_can_be_read(client, room) -> None:
    latest = html(client.get(f"/records/{room['hale']}"))
    assert "2 of 2" in text_of(latest.cssselect(".summary")[0])
    assert "Thank you for talking" in text_of(latest.cssselect(".transcript")[0])
    older = [a.get("href") for a in latest.cssselect(".versions a")]
    assert older == [f"/records/{room['hale']}?version=1"]
    first = html(client.get(older[0]))
    assert "1 of 2" in text_of(first.cssselect(".summary")[0])
    assert "Thank you for talking" not in text_of(first.cssselect(".transcript")[0])
    downloads = [a.get("href") for a in first.cssselect(".downloads a")]
    assert all(href.endswith("?version=1") for href in downloads)


def test_downloads(client, room) -> None:
    archive = Archive(room["path"])
    record_id = room["hale"]
    responses = {kind: client.get(f"/records/{record_id}/download/{kind}") for kind in ("tei", "json", "oai_dc", "mods", "original")}
    for kind, response in responses.items():
        assert response.status_code == 200, kind
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert responses["tei"].data == archive.tei(record_id)
    assert etree.fromstring(responses["tei"].data).tag == f"{{{TEI_NS}}}TEI"
    assert Record.model_validate_json(responses["json"].data).id == record_id
    assert etree.fromstring(responses["oai_dc"].data).tag == f"{{{OAI_DC_NS}}}dc"
    assert etree.fromstring(responses["mods"].data).tag == f"{{{MODS_NS}}}mods"
    assert responses["original"].data == HALE_V2.encode("utf-8")
    assert client.get(f"/records/{record_id}/download/original?version=1").data == HALE_V1.encode("utf-8")


def test_restricted_fields_never_appear(client, room) -> None:
    record_id = room["delgado"]
    urls = [
        f"/records/{record_id}", f"/records/{record_id}?mark=sardines", f"/api/records/{record_id}",
        f"/api/records/{record_id}/provenance", "/?q=sardines", "/?q=*", "/?q=sardines&speaker=interviewee",
        "/api/search?q=sardines", "/api/search?q=*", "/api/search?q=packing&speaker=interviewee",
        *[f"/records/{record_id}/download/{kind}" for kind in ("tei", "json", "oai_dc", "mods")],
        "/oai?verb=ListRecords&metadataPrefix=oai_dc", "/oai?verb=ListRecords&metadataPrefix=mods",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True).lower()
        assert not [word for word in WITHHELD if word in body], url
    page = html(client.get(f"/records/{record_id}"))
    assert "participants.name" in text_of(page.cssselect(".restricted-notice")[0])
    assert "[restricted]" in text_of(page.cssselect(".transcript")[0])
    assert text_of(page.get_element_by_id("u2").cssselect(".speaker")[0]) == "Interviewee"
    assert "Original file" not in [text_of(a) for a in page.cssselect(".downloads a")]
    original = client.get(f"/records/{record_id}/download/original")
    assert original.status_code == 403 and "restricted" in original.get_data(as_text=True)
    assert not [w for w in WITHHELD if w in original.get_data(as_text=True).lower()]


def test_a_withheld_value_finds_nothing_and_is_no_facet(client, room) -> None:
    """The index holds each record's public view: searching a withheld name or organization
    finds no record, and no facet lists it, whichever page of results is shown."""
    for query in ("delgado", "rosa", '"lakeside packing"', 'organization:"lakeside packing"', "name:delgado"):
        found = client.get("/api/search", query_string={"q": query}).get_json()
        assert room["delgado"] not in [hit["id"] for hit in found["hits"]], query
    facets = client.get("/api/search", query_string={"q": "*", "facets": "1", "limit": "1"}).get_data(as_text=True).lower()
    assert not [word for word in WITHHELD if word in facets]
    sardines = client.get("/api/search", query_string={"q": "sardines"}).get_json()
    assert [hit["id"] for hit in sardines["hits"]] == [room["delgado"]]  # the text itself is still found


# -- bad input -------------------------------------------------------------------------------
BAD_INPUT = [
    ("/?q=" + "police " * 15000, 400, "characters long"),
    ('/?q="police officer', 400, "never closed"),
    ("/?q=title:(", 400, "never closed"),
    ("/?q=nosuchfield:x", 400, "Unknown field"),
    ("/?q=the", 400, "Nothing to search for"),
    ("/?q=police&page=abc", 400, "Page must be a whole number"),
    ("/?q=police&page=999", 404, "There is no page 999"),
    ("/?q=police&limit=100000", 400, "Limit must be a whole number"),
    ("/?q=police&tenure_from=ten", 400, "Tenure from must be a number"),
    ("/?q=police&date_to=yesterday", 400, "Interview date to must be a year"),
    ("/?q=police&sort=shoe", 400, "Sort must be one of"),
    ("/?q=police&speaker=!!", 400, "must name a participant"),
    ("/records/no-such-record-12345678", 404, "There is no record"),
    ("/records/..", 404, "There is no record"),
    ("/records/../../etc/passwd", 404, "no page at this address"),
    ("/records/..%2F..%2Fetc%2Fpasswd", 404, "no page at this address"),
    ("/static/../app.py", 404, "no page at this address"),
    ("/static/..%2Fapp.py", 404, "no page at this address"),
    ("/records/{hale}?version=abc", 400, "Version must be a whole number"),
    ("/records/{hale}?version=99", 404, "has no version 99"),
    ("/records/{hale}?mark=" + "x" * 2000, 400, "too long"),
    ("/records/{hale}/download/exe", 404, "There is no download called"),
    ("/records/{hale}/download/..%2F..%2Frecord.json", 404, "no page at this address"),
]


@pytest.mark.parametrize(("url", "status", "words"), BAD_INPUT, ids=[u[:40] for u, _, _ in BAD_INPUT])
def test_bad_input_gets_a_plain_4xx_page(client, room, url: str, status: int, words: str) -> None:
    response = client.get(url.format(hale=room["hale"]))
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and 'File "' not in body
    message = " ".join(text_of(e) for e in html(response).cssselect(".error-message"))
    assert words in message
    assert html(response).cssselect("a[href='/']")  # a way back


def test_a_bad_search_keeps_the_form_as_typed(client) -> None:
    page = html(client.get('/?q="police officer&date_from=1970&date_to=soon'))
    assert page.get_element_by_id("rr-q").get("value") == '"police officer'
    assert page.get_element_by_id("rr-date-from").get("value") == "1970"


def test_bad_input_to_the_api_is_a_json_error(client) -> None:
    for url, status in (('/api/search?q="police', 400), ("/api/records/nope-12345678", 404), ("/api/search?q=police&page=x", 400)):
        response = client.get(url)
        assert response.status_code == status and response.is_json
        assert set(response.get_json()) == {"error", "status"} and "Traceback" not in response.get_data(as_text=True)


def test_wrong_method_is_a_plain_405(client) -> None:
    response = client.post("/?q=police")
    assert response.status_code == 405 and "cannot be used that way" in response.get_data(as_text=True)


def test_without_a_search_index_search_says_so_and_records_still_open(room, tmp_path: Path) -> None:
    copy = tmp_path / "archive"
    shutil.copytree(room["path"], copy)
    shutil.rmtree(copy / "index")
    client = create_app(copy).test_client()
    response = client.get("/?q=police")
    assert response.status_code == 503
    assert "oral-archive reindex" in text_of(html(response).cssselect(".error-message")[0])
    assert client.get(f"/records/{room['hale']}").status_code == 200


def test_a_defect_of_ours_is_a_plain_500_without_traceback(app, room, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(app.extensions["oral_archive"], "history", broken)
    response = app.test_client().get(f"/records/{room['hale']}")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    assert "Traceback" not in body and "secret internal detail" not in body and "RuntimeError" not in body


# -- JSON API ---------------------------------------------------------------------------------
def test_api_search_has_the_fields_of_the_cli_json(client, room) -> None:
    expected = cli_json(room, "search", "brigade", "--json", "--facets")
    actual = client.get("/api/search?q=brigade").get_json()
    assert actual == expected  # no restricted record among these hits: identical
    speaker = client.get("/api/search?q=brigade&speaker=interviewee&facets=0").get_json()
    assert speaker == cli_json(room, "search", "brigade", "--speaker", "interviewee", "--json")


def test_api_record_has_the_fields_of_show_json(client, room) -> None:
    assert client.get(f"/api/records/{room['hale']}").get_json() == cli_json(room, "show", room["hale"], "--json")
    assert client.get(f"/api/records/{room['hale']}?version=1").get_json()["version"] == 1
    provenance = client.get(f"/api/records/{room['hale']}/provenance").get_json()
    assert provenance == cli_json(room, "show", room["hale"], "--provenance", "--json")
    restricted = client.get(f"/api/records/{room['delgado']}").get_json()
    assert Record.model_validate(restricted).restricted == ["participants.name", "participants.organization"]


# -- OAI-PMH, headers, packaging -----------------------------------------------------------------
def test_oai_endpoint_is_wired_for_get_and_post(client) -> None:
    """The request's arguments reach the repository as they came, repeated ones included."""
    oai = "{http://www.openarchives.org/OAI/2.0/}"
    response = client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc")
    assert response.status_code == 200 and response.mimetype == "text/xml"
    request_element = etree.fromstring(response.data).find(f"{oai}request")
    assert (request_element.get("verb"), request_element.get("metadataPrefix"), request_element.text) == ("ListIdentifiers", "oai_dc", "http://localhost/oai")
    repeated = etree.fromstring(client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=mods").data)
    assert repeated.find(f"{oai}error").get("code") == "badArgument"  # a repeated argument, as the protocol says
    posted = etree.fromstring(client.post("/oai", data={"verb": "Identify"}).data)
    assert posted.find(f"{oai}Identify") is not None and posted.find(f"{oai}request").get("verb") == "Identify"


def test_oai_endpoint_answers_with_the_archives_repository(client) -> None:
    response = client.get("/oai?verb=Identify")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/xml; charset=utf-8"
    root = etree.fromstring(response.data)
    assert etree.QName(root).localname == "OAI-PMH"
    assert root.findtext("{*}Identify/{*}baseURL") == "http://localhost/oai"


def test_pages_forbid_scripts_from_anywhere_else(client) -> None:
    response = client.get("/")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_importing_the_cli_does_not_import_flask() -> None:
    code = "import sys, oral_archive.pipeline.cli, oral_archive.pipeline.web; print('flask' in sys.modules, 'waitress' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_an_archive_that_is_not_there_is_refused_not_created(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no archive here"):
        create_app(tmp_path / "nothing")
    assert not (tmp_path / "nothing").exists()


def test_the_archive_is_only_read(room) -> None:
    before = sorted(p.relative_to(room["path"]) for p in Path(room["path"]).rglob("*") if "index" not in p.parts)
    client = create_app(room["path"]).test_client()
    for url in ("/", "/?q=police", f"/records/{room['hale']}", f"/records/{room['hale']}/download/tei"):
        client.get(url)
    after = sorted(p.relative_to(room["path"]) for p in Path(room["path"]).rglob("*") if "index" not in p.parts)
    assert after == before
