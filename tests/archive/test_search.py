"""Search (issue 7): each query kind on the archive built from the seed plus the dev corpus.

Expected record sets are derived from the stored records themselves (their text and
metadata, read without the index), so the tests follow the corpus, not hard-coded ids.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from oral_archive.archive import Archive
from oral_archive.archive.search.index import RECORDS, STATE_FILE
from oral_archive.archive.search.limits import syntax_problem
from oral_archive.archive.search.results import IndexLocked, IndexMissing, IndexStale
from oral_archive.pipeline import ingest
from oral_archive.pipeline.cli import main
from oral_archive.schemas.errors import QueryError
from oral_archive.schemas.record import Fact

SRT = """1
00:00:01,000 --> 00:00:04,000
INTERVIEWER: When did you join the fire brigade?

2
00:00:05,000 --> 00:00:09,500
MARGARET: I joined the brigade in 1962, the first woman at our station.

3
00:00:10,000 --> 00:00:14,000
INTERVIEWER: What was the hardest call you answered?

4
00:00:15,000 --> 00:00:21,000
MARGARET: The warehouse blaze on Dock Street. We fought it for two days.
"""

JOSE = """Interview with José Martínez, fisherman

I interviewed José Martínez at the harbour in Monterey. He has worked as a fisherman for 30 years.

He started on his father's boat when he was twelve, when the sardine canneries were still open.
"""


@pytest.fixture(scope="module")
def records(built_archive: Archive) -> dict:
    """id -> record, read from the store (not the index)."""
    return {record.id: record for record in built_archive.records()}


def ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


def all_ids(archive: Archive, query: str, **options) -> set[str]:
    return set(ids(archive.search(query, limit=1000, **options)))


def with_words(records: dict, pattern: str) -> set[str]:
    """Records whose full text or title matches the regular expression (case-insensitive)."""
    regex = re.compile(pattern, re.IGNORECASE)
    return {i for i, r in records.items() if regex.search(r.full_text) or regex.search(r.display_title)}


def interviewee(record):
    return record.person("interviewee")


def slug(record_id: str) -> str:
    return record_id.rsplit("-", 1)[0]


# -- query kinds ------------------------------------------------------------------------------
def test_stemming_policing_finds_police(built_archive, records):
    expected = with_words(records, r"\bpolic(e|es|ed|ing)\b")
    assert any(slug(i) == "interview-with-law-enforcement-officer" for i in expected)
    assert all_ids(built_archive, "policing") == expected
    assert all_ids(built_archive, "police") == expected


def test_accent_folding_jose_finds_jose_with_accent(archive_copy, tmp_path):
    source = tmp_path / "jose.txt"
    source.write_text(JOSE, encoding="utf-8")
    assert not ingest([source], archive_copy).rejected
    found = archive_copy.search("Jose")
    assert [slug(i) for i in ids(found)] == ["interview-with-jose-martinez-fisherman"]
    assert ids(archive_copy.search("martinez")) == ids(found)
    assert "<mark>José</mark>" in found.hits[0].snippets[0].text


def test_phrase_needs_adjacent_words(built_archive, records):
    expected = with_words(records, r"\bpolic(e|es|ed|ing)\W+officers?\b")
    assert expected
    assert all_ids(built_archive, '"police officer"') == expected
    # the same words apart are not the phrase
    assert all_ids(built_archive, '"officer police"') == with_words(records, r"\bofficers?\W+polic(e|es|ed|ing)\b")


def test_boolean_operators(built_archive):
    police, teacher = all_ids(built_archive, "police"), all_ids(built_archive, "teacher")
    assert police and teacher and police != teacher
    assert all_ids(built_archive, "police OR teacher") == police | teacher
    assert all_ids(built_archive, "police AND teacher") == police & teacher
    assert all_ids(built_archive, "police AND NOT teacher") == police - teacher
    assert all_ids(built_archive, "police NOT teacher") == police - teacher


def test_field_queries(built_archive, records):
    teachers = {i for i, r in records.items() if interviewee(r) and interviewee(r).occupation and "teacher" in interviewee(r).occupation.value.lower()}
    assert len(teachers) >= 2
    assert all_ids(built_archive, "role:teacher") == teachers
    places = {i for i, r in records.items() if interviewee(r) and interviewee(r).place and "el paso" in interviewee(r).place.value.lower()}
    assert places and all_ids(built_archive, 'place:"El Paso"') == places
    law = {i for i, r in records.items() if any(s.value == "Law" for s in r.subjects)}
    assert law and all_ids(built_archive, "subject:law") == law
    seed = next(i for i in records if slug(i) == "interview-with-law-enforcement-officer")
    assert all_ids(built_archive, f"id:{seed}") == {seed}
    assert all_ids(built_archive, "site:assignbuster.com") == {i for i, r in records.items() if r.source.site == "assignbuster.com"}
    url = records[seed].source.url
    assert url and all_ids(built_archive, f'source_url:"{url}"') == {i for i, r in records.items() if r.source.url == url}
    assert all_ids(built_archive, "format:text/plain") == set(records)
    # title: matches the title only, not the body
    assert all_ids(built_archive, "title:teacher") == {i for i, r in records.items() if re.search(r"\bteachers?\b", r.display_title, re.I)}


def test_wildcard_and_fuzzy(built_archive, records):
    assert all_ids(built_archive, "teach*") == with_words(records, r"\bteach\w*")
    # one letter wrong is still found with ~, and not without it
    assert all_ids(built_archive, "polise~") >= all_ids(built_archive, "police")
    assert not all_ids(built_archive, "polise")


def tenure(record) -> float | None:
    person = interviewee(record)
    match = re.fullmatch(r"P(\d+)Y", person.tenure.normalized or "") if person and person.tenure else None
    return float(match.group(1)) if match else None


def test_numeric_ranges(built_archive, records):
    in_range = {i for i, r in records.items() if tenure(r) is not None and 5 <= tenure(r) <= 10}
    assert in_range and in_range != {i for i, r in records.items() if tenure(r) is not None}
    assert all_ids(built_archive, "tenure_years:[5 TO 10]") == in_range
    assert all_ids(built_archive, "tenure_years:>10") == {i for i, r in records.items() if tenure(r) is not None and tenure(r) > 10}
    assert all_ids(built_archive, "tenure_years:[5 TO 10] AND police") == in_range & all_ids(built_archive, "police")


def dated(archive: Archive, dates: dict[str, str]) -> None:
    """Give some records an interview date, in the index only (counts stay equal)."""
    changed = []
    for record in archive.records():
        if record.id in dates:
            value = dates[record.id]
            changed.append(record.model_copy(update={"interview_date": Fact(value=value, normalized=value, origin="supplied", supplied_by="test")}))
    archive.index.update(changed)


def test_date_queries_and_date_sort(archive_copy):
    undated = sorted(r.id for r in archive_copy.records() if not r.interview_date)
    assert len(undated) >= 4
    # dates no transcript of the corpus mentions, so the sort below has no ties
    chosen = {undated[0]: "1931-02-27", undated[1]: "2019-05-03", undated[2]: "1990"}
    dated(archive_copy, chosen)
    # what the index should hold: our dates plus those the pipeline extracted
    years = {r.id: (chosen.get(r.id) or (r.interview_date.normalized if r.interview_date else None)) for r in archive_copy.records()}
    years = {i: d for i, d in years.items() if d}

    def between(low: int, high: int) -> set[str]:
        return {i for i, d in years.items() if low <= int(d[:4]) <= high}

    assert all_ids(archive_copy, "date:1931") == between(1931, 1931) == {undated[0]}
    assert all_ids(archive_copy, "date:1976") == between(1976, 1976)
    assert all_ids(archive_copy, "date:[1980 TO 2020]") == between(1980, 2020) >= {undated[1], undated[2]}
    assert all_ids(archive_copy, "date:>2000") == between(2001, 9999)
    assert all_ids(archive_copy, "date:2019-05-03") == {i for i, d in years.items() if d.startswith("2019-05-03")}
    everything = archive_copy.search("ingested:>2000", sort="date", limit=100)
    assert len(set(years.values())) == len(years), "tied dates have no defined order"
    newest_first = sorted(years, key=lambda i: years[i].ljust(10, "0"), reverse=True)
    assert [h.id for h in everything.hits[: len(years)]] == newest_first  # undated after the dated
    assert everything.hits[0].date == "2019-05-03" or everything.hits[0].date > "2019-05-03"
    assert all(hit.date is None for hit in everything.hits[len(years):])
    oldest_first = archive_copy.search("ingested:>2000", sort="date", reverse=True, limit=100)
    assert [h.id for h in oldest_first.hits][-len(years):] == newest_first[::-1]


@pytest.mark.parametrize("deleting", [False, True])
def test_date_ranges_from_the_column_match_whooshs_own_date_ranges(archive_copy, deleting):
    """Date ranges are answered from the date_sort column (DateColumnRange): the same
    records as Whoosh's range over the date field, for every form of range, also after a
    record's document is deleted."""
    from oral_archive.archive.search.queries import DateColumnRange, _faster_leaves

    undated = sorted(r.id for r in archive_copy.records() if not r.interview_date)
    dated(archive_copy, {undated[0]: "1931-02-27", undated[1]: "2019-05-03", undated[2]: "1990", undated[3]: "2019-05-04"})
    if deleting:
        writer = archive_copy.index.open(RECORDS).writer()
        writer.delete_by_term("id", undated[1])
        writer.commit()
    searcher = archive_copy.index.searcher(RECORDS)
    queries = [
        "date:1931", "date:1976", "date:[1980 TO 2020]", "date:{1990 TO 2019-05-04}", "date:[1990 TO 2019-05-03}",
        "date:{1931-02-27 TO 1990]", "date:>2000", "date:>=2019-05-03", "date:<1990", "date:<=1990", "date:2019-05-03",
        "date:[1900 TO]", "date:[TO 1950]", "date:[2030 TO 2040]", "police OR date:1931", "NOT date:1990 AND police",
    ]
    rewritten_any = False
    for query in queries:
        parsed = archive_copy.index.parse(query)
        rewritten = parsed.accept(_faster_leaves)
        rewritten_any |= any(isinstance(leaf, DateColumnRange) for leaf in rewritten.leaves())
        whoosh_ids = {hit["id"] for hit in searcher.search(parsed, limit=None)}
        column_ids = {hit["id"] for hit in searcher.search(rewritten, limit=None)}
        assert column_ids == whoosh_ids, query
        assert all_ids(archive_copy, query, allow_stale=deleting) == whoosh_ids, query
    assert rewritten_any


def test_ingested_dates(built_archive, records):
    assert all_ids(built_archive, "ingested:>2000") == set(records)
    assert all_ids(built_archive, "ingested:<1990") == set()


def test_sort_by_title(built_archive, records):
    results = built_archive.search("ingested:>2000", sort="title", limit=100)
    titles = [hit.title for hit in results.hits]
    assert titles == sorted((r.display_title for r in records.values()), key=str.casefold)
    assert all(hit.score is None for hit in results.hits)  # no ranking when sorted
    backwards = built_archive.search("ingested:>2000", sort="title", reverse=True, limit=100)
    assert [hit.title for hit in backwards.hits] == titles[::-1]


def test_relevance_order_puts_the_denser_record_first(built_archive, records):
    results = built_archive.search("police", limit=100)
    scores = [hit.score for hit in results.hits]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
    counts = {i: len(re.findall(r"\bpolice\b", records[i].full_text, re.I)) for i in ids(results)}
    assert ids(results)[0] == max(counts, key=counts.get)


def test_paging(built_archive):
    everything = ids(built_archive.search("interview", limit=100))
    assert len(everything) >= 5
    pages = [built_archive.search("interview", limit=2, page=p) for p in range(1, 5)]
    assert [i for page in pages for i in ids(page)] == everything
    assert pages[0].total == len(everything) and pages[0].pages == -(-len(everything) // 2)
    assert ids(built_archive.search("interview", limit=2, page=len(everything))) == []


def test_snippets_name_their_segment_and_mark_the_words(built_archive, records):
    results = built_archive.search("policing", limit=100)
    for hit in results.hits:
        segments = {s.id: s for s in records[hit.id].segments}
        order = [s.id for s in records[hit.id].segments]
        assert 1 <= len(hit.snippets) <= 3
        assert [order.index(s.segment) for s in hit.snippets] == sorted(order.index(s.segment) for s in hit.snippets)
        for snippet in hit.snippets:
            segment = segments[snippet.segment]
            assert snippet.kind == segment.kind and snippet.who == segment.who
            marked = re.findall(r"<mark>(.*?)</mark>", snippet.text)
            assert marked and all(m.lower().startswith("polic") for m in marked)
            assert all(m in segment.text for m in marked)


def test_snippets_carry_time_stamps_and_speaker_search(archive_copy, tmp_path):
    source = tmp_path / "talk.srt"
    source.write_text(SRT, encoding="utf-8")
    assert not ingest([source], archive_copy).rejected
    hit = archive_copy.search("blaze").hits[0]
    assert hit.snippets[0].start and hit.snippets[0].start.endswith("00:15.000")
    # "brigade" is said by both; with --speaker only that person's words count
    both = archive_copy.search("brigade", limit=100)
    assert len(both.hits) == 1 and {s.who for s in both.hits[0].snippets} == {"sp-interviewer", "sp-margaret"}
    for who in ("margaret", "MARGARET", "sp-margaret", "interviewee"):
        said = archive_copy.search("brigade", speaker=who)
        assert ids(said) == ids(both), who
        assert [s.segment for s in said.hits[0].snippets] == ["u2"]
        assert said.hits[0].speaker == "sp-margaret"
    asked = archive_copy.search("hardest", speaker="interviewer")
    assert ids(asked) == ids(both) and asked.hits[0].speaker == "sp-interviewer"
    assert archive_copy.search("hardest", speaker="margaret").total == 0


def test_speaker_by_name_label_and_id(built_archive, records):
    fuchs = next(r for r in records.values() if any(p.name and p.name.value == "James R. Fuchs" for p in r.participants))
    person = next(p for p in fuchs.participants if p.name and p.name.value == "James R. Fuchs")
    other = next(p for p in fuchs.participants if p.id != person.id)
    said = " ".join(s.text for s in fuchs.segments if s.who == person.id).lower()
    asked = " ".join(s.text for s in fuchs.segments if s.who == other.id).lower()
    # a word of the interviewer's that no form of appears in what Fuchs said
    only_asked = sorted(w for w in set(re.findall(r"[a-z]{6,}", asked)) if w[:5] not in said)
    assert only_asked, "need a word only the interviewer used"
    word = only_asked[0]
    assert ids(built_archive.search(word, speaker=other.id)) == [fuchs.id]
    for who in ("Fuchs", "James R. Fuchs", person.label, person.id):
        assert built_archive.search(word, speaker=who).total == 0, who
        assert ids(built_archive.search("history", speaker=who)) == [fuchs.id], who
    nobody = built_archive.search("history", speaker="nobody-of-that-name")
    assert nobody.total == 0 and nobody.hits == []


def test_facets_count_the_hits(built_archive, records):
    results = built_archive.search("interview", limit=1, facets=True)
    hit_ids = all_ids(built_archive, "interview")
    roles = Counter(interviewee(records[i]).occupation.value for i in hit_ids if interviewee(records[i]) and interviewee(records[i]).occupation)
    places = Counter(interviewee(records[i]).place.value for i in hit_ids if interviewee(records[i]) and interviewee(records[i]).place)
    subjects = Counter(s.value for i in hit_ids for s in records[i].subjects)
    assert results.facets["role"] == dict(roles)
    assert results.facets["place"] == dict(places)  # "Independence, Missouri" keeps its comma
    assert results.facets["subject"] == dict(subjects)
    assert list(results.facets["role"].values()) == sorted(results.facets["role"].values(), reverse=True)
    narrow = built_archive.search("role:detective", facets=True)
    assert narrow.facets["role"] == {"detective": 1}


@pytest.mark.parametrize(
    "query",
    ["title:(", '"unclosed phrase', "police)", "tenure_years:[5 10]", "tenure_years:[a TO 5] police", "nosuchfield:x",
     "ingested:notadate", "", "   ", "the AND of", "date:[2019 TO"],
)
def test_malformed_queries_give_one_line_errors(built_archive, query):
    with pytest.raises(QueryError) as error:
        built_archive.search(query)
    assert "\n" not in str(error.value) and str(error.value).startswith("bad query")


def test_syntax_check_accepts_valid_structure():
    for query in ['"a (b" c', "a \\( b", "tenure_years:[5 TO]", "x:{1 TO 5}", "(a OR b) AND c"]:
        assert syntax_problem(query) is None, query


# -- index maintenance ---------------------------------------------------------------------
QUERIES = ["police", '"police officer"', "teach*", "tenure_years:[5 TO 10]", "interview"]


def test_missing_index_then_reindex_gives_the_same_results(archive_copy):
    def ranked(query: str) -> list[tuple[float, str]]:
        # equal scores have no defined order (index order), so compare them as sorted
        return sorted((-hit.score, hit.id) for hit in archive_copy.search(query, limit=100).hits)

    before = {q: ranked(q) for q in QUERIES}
    shutil.rmtree(archive_copy.path / "index")
    with pytest.raises(IndexMissing, match="missing.*reindex"):
        archive_copy.search("police")
    with archive_copy.writing():
        assert archive_copy.reindex() == len(archive_copy.ids())
    assert {q: ranked(q) for q in QUERIES} == before


def test_index_of_another_format_must_be_rebuilt(archive_copy):
    (archive_copy.path / "index" / STATE_FILE).write_text(json.dumps({"format": 1}))
    assert archive_copy.index_status().state == "outdated"
    with pytest.raises(IndexMissing, match="another version"):
        archive_copy.search("police")
    archive_copy.reindex()
    assert archive_copy.index_status().state == "ok" and archive_copy.search("police").total


def test_the_next_writer_rebuilds_an_index_of_another_format(archive_copy, tmp_path):
    # After an upgrade, an ingest (even of nothing new) makes the archive searchable again,
    # with every stored record, not only the ones it adds.
    stored = len(archive_copy.ids())
    (archive_copy.path / "index" / STATE_FILE).write_text(json.dumps({"format": 1}))
    (tmp_path / "jose.txt").write_text(JOSE, encoding="utf-8")
    report = ingest([tmp_path / "jose.txt"], archive_copy)
    assert report.index_rebuilt == stored and "search index rebuilt from" in report.summary()
    status = archive_copy.index_status(deep=True)
    assert status.state == "ok" and status.records_in_index == stored + 1
    assert archive_copy.search("police").total and archive_copy.search("sardine").total == 1

    shutil.rmtree(archive_copy.path / "index")
    again = ingest([tmp_path / "jose.txt"], archive_copy)  # unchanged, yet the index comes back
    assert again.counts["unchanged"] == 1 and again.index_rebuilt == stored + 1
    assert archive_copy.index_status(deep=True).state == "ok"
    assert ingest([tmp_path / "jose.txt"], archive_copy).index_rebuilt == 0


def test_an_interrupted_rebuild_is_rebuilt_by_the_next_writer(archive_copy, tmp_path, monkeypatch):
    from oral_archive.archive.search import SearchIndex

    stored = len(archive_copy.ids())
    (archive_copy.path / "index" / STATE_FILE).write_text(json.dumps({"format": 1}))
    update = SearchIndex.update

    def dies_while_rebuilding(self, records, *, clear=False):
        if clear:
            next(iter(records))
            raise KeyboardInterrupt  # Ctrl-C, a kill, a full disk...
        return update(self, records, clear=clear)

    monkeypatch.setattr(SearchIndex, "update", dies_while_rebuilding)
    (tmp_path / "jose.txt").write_text(JOSE, encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        ingest([tmp_path / "jose.txt"], archive_copy)
    monkeypatch.setattr(SearchIndex, "update", update)
    # Not an empty index that looks current: unusable, and saying why.
    status = archive_copy.index_status()
    assert status.state == "outdated" and "did not finish" in status.message
    report = ingest([tmp_path / "jose.txt"], archive_copy)
    assert report.index_rebuilt == stored + (report.counts["ingested"] == 0)
    assert archive_copy.index_status(deep=True).state == "ok"
    assert archive_copy.index_status().records_in_index == len(archive_copy.ids())


def test_date_ranges_are_not_mixed_up_between_indexes_with_the_same_segment_ids(tmp_path) -> None:
    # Whoosh draws segment ids from the random module, which a caller may seed.
    import random

    from whoosh import index as whoosh_index

    from oral_archive.archive.search.postings import ArchiveCodec
    from oral_archive.archive.search.queries import DateColumnRange
    from oral_archive.archive.search.schema import build_schema

    def build(folder, days):
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), build_schema(), indexname=RECORDS)
        random.seed(1234)
        writer = ix.writer(codec=ArchiveCodec())
        for number, day in enumerate(days):
            writer.add_document(id=f"r{number}", date_sort=day)
        writer.commit()
        return ix

    first, second = build(tmp_path / "a", [20190101, 20190102, 20190103]), build(tmp_path / "b", [20000101, 20000102])
    found = []
    for ix in (first, second):
        with ix.searcher() as searcher:
            found.append((searcher.reader().segment().segment_id(), sorted(searcher.docs_for_query(DateColumnRange(20190101, 20191231)))))
    assert found[0][0] == found[1][0]  # the premise: the same segment id twice
    assert [ids for _, ids in found] == [[0, 1, 2], []]


def test_stale_index_is_reported(archive_copy):
    record_dir = next((archive_copy.path / "records").iterdir())
    copy = archive_copy.path / "records" / "zz-copied-by-hand-00000000"
    shutil.copytree(record_dir, copy)
    status = archive_copy.index_status()
    assert status.state == "stale" and status.records_in_store == status.records_in_index + 1
    with pytest.raises(IndexStale, match="stale.*reindex"):
        archive_copy.search("police")
    results = archive_copy.search("police", allow_stale=True)
    assert results.total and any("stale" in w for w in results.warnings)
    assert "zz-copied-by-hand-00000000" in archive_copy.index_status(deep=True).differing


def test_newer_version_not_indexed_shows_in_deep_check(archive_copy):
    record_id = archive_copy.ids()[0]
    latest = archive_copy.store.latest(record_id)
    shutil.copytree(latest.path, latest.path.parent / f"v{latest.version + 1}")
    assert archive_copy.index_status().state == "ok"  # counts alone cannot see it
    deep = archive_copy.index_status(deep=True)
    assert deep.state == "stale" and deep.differing == [record_id]


def test_locked_index(archive_copy):
    writer = archive_copy.index.open(RECORDS).writer()  # holds the write lock
    try:
        assert archive_copy.index.is_locked()
        archive_copy.index.lock_timeout = 0.2
        with pytest.raises(IndexLocked, match="locked"):
            archive_copy.index.update(list(archive_copy.records())[:1])
        shutil.copytree(next((archive_copy.path / "records").iterdir()), archive_copy.path / "records" / "zz-mid-ingest-00000000")
        results = archive_copy.search("police")  # a writer is busy: search its last commit, with a warning
        assert results.total and any("being updated" in w for w in results.warnings)
    finally:
        writer.cancel()
    assert not archive_copy.index.is_locked()


def test_searcher_sees_new_records_in_the_same_process(archive_copy, tmp_path):
    assert archive_copy.search("sardine").total == 0
    source = tmp_path / "jose.txt"
    source.write_text(JOSE, encoding="utf-8")
    ingest([source], archive_copy)
    assert archive_copy.search("sardine").total == 1
    assert Archive(archive_copy.path).search("sardine").total == 1  # another Archive object, same searcher


def test_empty_archive_has_no_hits(empty_archive):
    assert empty_archive.search("police").total == 0


# -- CLI -------------------------------------------------------------------------------------
def run(archive: Archive, *args: str):
    return CliRunner().invoke(main, ["--archive", str(archive.path), "search", *args])


def test_cli_json(built_archive):
    result = run(built_archive, "policing", "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == built_archive.search("policing").total and data["pages"] == data["total"]
    hit = data["hits"][0]
    assert set(hit) >= {"id", "title", "score", "snippets"} and hit["id"] == ids(built_archive.search("policing"))[0]
    assert {"segment", "kind", "who", "start", "text"} <= set(hit["snippets"][0]) and "<mark>" in hit["snippets"][0]["text"]


def test_cli_facets_and_paging(built_archive):
    result = run(built_archive, "interview", "--facets", "--json", "--limit", "2", "--page", "2")
    data = json.loads(result.stdout)
    assert data["page"] == 2 and [h["id"] for h in data["hits"]] == ids(built_archive.search("interview", limit=2, page=2))
    assert data["facets"]["role"] == built_archive.search("interview", facets=True).facets["role"]
    text = run(built_archive, "interview", "--facets").stdout
    assert re.search(r"^role: .*\(1\)", text, re.M)


def test_cli_speaker(built_archive):
    result = run(built_archive, "history", "--speaker", "Fuchs")
    assert result.exit_code == 0 and "said by 'Fuchs'" in result.stdout and "speaker James R. Fuchs" in result.stdout
    assert "sp-curry" not in result.stdout


def test_cli_malformed_query_is_one_line_exit_1(built_archive):
    result = run(built_archive, "title:(")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("error: bad query")
    assert "Traceback" not in result.output


def test_cli_index_status(archive_copy):
    ok = CliRunner().invoke(main, ["--archive", str(archive_copy.path), "index-status"])
    assert ok.exit_code == 0 and ok.stdout.startswith("ok:")
    shutil.rmtree(archive_copy.path / "index")
    missing = CliRunner().invoke(main, ["--archive", str(archive_copy.path), "index-status"])
    assert missing.exit_code == 1 and missing.stdout.startswith("missing:")
    search = run(archive_copy, "police")
    assert search.exit_code == 1 and "reindex" in search.stderr


def test_results_are_typed(built_archive):
    from oral_archive.archive import Hit, SearchResults, Snippet

    results = built_archive.search("policing")
    assert isinstance(results, SearchResults) and results.hits
    assert all(isinstance(hit, Hit) and all(isinstance(s, Snippet) for s in hit.snippets) for hit in results.hits)


def test_open_searchers_are_bounded(built_archive, tmp_path):
    from oral_archive.archive.search import index as index_module

    for number in range(index_module._MAX_OPEN + 3):
        copy = tmp_path / f"copy{number}"
        shutil.copytree(built_archive.path, copy)
        assert Archive(copy).search("police").total
    assert len(index_module._OPEN) <= index_module._MAX_OPEN
    assert built_archive.search("police").total  # an evicted archive opens again


def test_snippet_screen_never_hides_a_matching_word(records):
    """The substring screen that skips segments must hold for every word of the corpus."""
    from oral_archive.archive.search.schema import _FOLD, text_analyzer
    from oral_archive.archive.search.snippets import _stem_screen

    analyzer = text_analyzer()
    words = {w for r in records.values() for w in re.findall(r"\w+", r.full_text)} | {"happy", "hoping", "employability", "José", "days"}
    for word in words:
        for token in analyzer(word, mode="index"):
            assert _stem_screen(token.text) in word.translate(_FOLD).lower(), (word, token.text)


def test_search_during_an_ingest_warns_instead_of_failing(archive_copy):
    """Records are stored before the batch is indexed: while the archive lock is held,
    a store ahead of the index means "being updated", not "stale"."""
    with archive_copy.writing():
        shutil.copytree(next((archive_copy.path / "records").iterdir()), archive_copy.path / "records" / "zz-mid-ingest-00000000")
        results = Archive(archive_copy.path).search("police")
        assert results.total and any("being updated" in w for w in results.warnings)
    with pytest.raises(IndexStale):
        archive_copy.search("police")


def test_reindex_in_the_same_process_does_not_double_count(archive_copy):
    """After a rebuild the process's open searcher must see only the new documents."""
    before = archive_copy.search("police", limit=100)
    with archive_copy.writing():
        archive_copy.reindex()
    after = archive_copy.search("police", limit=100)
    assert archive_copy.index_status().records_in_index == len(archive_copy.ids())
    assert sorted(ids(after)) == sorted(ids(before)) and after.total == before.total


def test_tiered_merge_keeps_segments_bounded_and_every_document(records, tmp_path):
    """One small commit after another (many small ingests): segments of one tier are merged
    ``per_tier`` at a time, so their number stays bounded, and no document is lost or doubled."""
    from oral_archive.archive.search import SPEAKERS, SearchIndex
    from oral_archive.archive.search.writer import TieredMerge

    policy = TieredMerge(per_tier=3, smallest=1, largest=10_000)
    index = SearchIndex(tmp_path / "index", merge_policy=policy)
    stored = sorted(records.values(), key=lambda r: r.id)
    counts = []
    for round_ in range(4):  # the same records again: replaced, not added
        for record in stored:
            index.update([record])
            counts.append(len(index.open(RECORDS)._segments()))
    # tiers 0 (1-2 documents), 1 (3-8), 2 (9-26): at most per_tier - 1 left in each after a commit
    assert max(counts) <= 3 * (policy.per_tier - 1) + 1
    assert index.searcher(RECORDS).doc_count() == len(stored)
    searched = {hit.id for hit in index.search("police OR teacher OR fire", limit=100).hits}
    assert searched == {r.id for r in stored if re.search(r"\b(polic|teach|fire)", r.full_text + " " + r.display_title, re.IGNORECASE)}
    assert index.searcher(SPEAKERS).doc_count() == sum(1 for r in stored for p in r.participants if any(s.who == p.id for s in r.segments))


def test_tiered_merge_tiers():
    from oral_archive.archive.search.writer import TieredMerge

    policy = TieredMerge(per_tier=10, smallest=100)
    assert [policy.tier(n) for n in (1, 999, 1000, 9999, 10_000)] == [0, 0, 1, 1, 2]


def test_tiered_merge_never_merges_more_than_largest(records, tmp_path):
    from oral_archive.archive.search import SearchIndex
    from oral_archive.archive.search.writer import TieredMerge

    policy = TieredMerge(per_tier=2, smallest=1, largest=3)
    index = SearchIndex(tmp_path / "index", merge_policy=policy)
    for record in sorted(records.values(), key=lambda r: r.id):
        index.update([record])
    sizes = [segment.doc_count_all() for segment in index.open(RECORDS)._segments()]
    assert max(sizes) <= 3 + 1  # a merge of at most 3, plus the committing batch's record
    assert sum(sizes) == len(records)


COUNT_QUERIES = [
    "police", "police officer", "police OR teacher", "police AND NOT teacher", "NOT police", "police -fire",
    '"police officer"', "polic*", "teachr~", "title:interview", "tenure_years:[5 TO 30]", "date:[1900 TO 2030]",
    "(fire OR police) AND (station OR department)", "role:detective OR role:teacher", "interview ANDMAYBE police",
    "fire ANDNOT police", "zzzunknownword", "place:*",
]


@pytest.mark.parametrize("deleting", [False, True])
def test_count_matches_equals_whooshs_count(archive_copy, deleting):
    """Totals counted with set operations equal Whoosh's document-by-document count, over
    several segments and with a deleted document."""
    from oral_archive.archive.search.counting import count_matches
    from oral_archive.archive.search.queries import _faster_leaves

    records = sorted(archive_copy.records(), key=lambda r: r.id)
    archive_copy.index.update(records[:2])  # a second segment, the first one's copies deleted
    if deleting:
        writer = archive_copy.index.open(RECORDS).writer()
        writer.delete_by_term("id", records[3].id)
        writer.commit()
    searcher = archive_copy.index.searcher(RECORDS)
    assert len(searcher.leaf_searchers()) >= 2 and searcher.reader().has_deletions()
    nonzero = 0
    for query in COUNT_QUERIES:
        parsed = archive_copy.index.parse(query).accept(_faster_leaves)
        reader = searcher.reader()
        expected = sum(1 for docnum in searcher.docs_for_query(parsed) if not reader.is_deleted(docnum))
        assert count_matches(searcher, parsed) == expected, query
        assert archive_copy.search(query, allow_stale=deleting).total == expected, query
        nonzero += expected > 0
    assert nonzero >= len(COUNT_QUERIES) - 3


def test_exact_phrases_find_and_score_as_whooshs_phrase_on_the_corpus(built_archive, records):
    """ExactPhrase gives the records and scores of Whoosh's own Phrase on real text:
    phrases taken from the records (2 to 4 words, stop words inside included), plus
    ones no record holds; the reported total is the number of those records."""
    from oral_archive.archive.search.queries import _faster_leaves

    words_of = [re.findall(r"[A-Za-z]+", r.full_text) for r in sorted(records.values(), key=lambda r: r.id)]
    phrases = {" ".join(words[i : i + n]) for words in words_of for n in (2, 3, 4) for i in range(5, len(words) - n, 37)}
    phrases |= {"fire the station", "police police", "officer interview teacher"}
    searcher = built_archive.index.searcher(RECORDS)
    found = 0
    for phrase in sorted(phrases):
        try:
            parsed = built_archive.index.parse(f'"{phrase}"')
        except QueryError:
            continue  # only stop words
        whoosh_hits = [(hit["id"], round(hit.score, 6)) for hit in searcher.search(parsed, limit=None)]
        ours = [(hit["id"], round(hit.score, 6)) for hit in searcher.search(parsed.accept(_faster_leaves), limit=None)]
        assert ours == whoosh_hits, phrase
        assert built_archive.search(f'"{phrase}"', limit=100).total == len(whoosh_hits), phrase
        found += bool(whoosh_hits)
    assert found >= 20


@pytest.mark.parametrize("deleting", [False, True])
def test_facet_counts_from_postings_equal_whooshs_grouping(archive_copy, deleting):
    """Facet counts (each value's records intersected with the matches) equal Whoosh's
    grouping over the facet columns, over two segments and with a deleted record."""
    from whoosh import sorting

    from oral_archive.archive.search.queries import _faster_leaves
    from oral_archive.archive.search.schema import FACET_FIELDS

    records = sorted(archive_copy.records(), key=lambda r: r.id)
    archive_copy.index.update(records[:2])
    if deleting:
        writer = archive_copy.index.open(RECORDS).writer()
        writer.delete_by_term("id", records[3].id)
        writer.commit()
    searcher = archive_copy.index.searcher(RECORDS)
    groupedby = {n: sorting.FieldFacet(column, allow_overlap=True) for n, column in FACET_FIELDS.items()}
    compared = 0
    for query in ["police", "interview", "teacher OR fire", "NOT police", "title:interview", "date:[1900 TO 2030]"]:
        parsed = archive_copy.index.parse(query).accept(_faster_leaves)
        grouped = searcher.search(parsed, limit=None, groupedby=groupedby)
        expected = {
            name: {(k.decode("utf-8") if isinstance(k, bytes) else k): len(v) for k, v in grouped.groups(name).items() if k}
            for name in FACET_FIELDS
        }
        results = archive_copy.search(query, facets=True, allow_stale=deleting)
        assert results.facets == expected, query
        assert results.total == len(grouped), query
        compared += sum(len(v) for v in expected.values())
    assert compared > 10


def _synthetic_records(count: int, seed: int) -> list:
    """Records whose participants often share words of their names (two interviewers
    named Curry...), in a small vocabulary so scores tie: what collapsing must sort out."""
    import hashlib
    import random
    from datetime import datetime, timedelta, timezone

    from oral_archive.schemas.record import Person, Record, Segment, Source

    rng = random.Random(seed)
    words = "fire station bell rang night crew truck harbour boat net union strike mine shaft".split()
    supplied = {"origin": "supplied", "supplied_by": "test"}
    records = []
    for number in range(count):
        people = [("sp-a", "interviewer", f"{rng.choice(['Ann', 'Bob'])} Curry"), ("sp-b", "interviewer", f"{rng.choice(['Cy', 'Di'])} {rng.choice(['Curry', 'Lee'])}"),
                  ("sp-c", "interviewee", f"{rng.choice(['Eve', 'Fay'])} {rng.choice(['Lee', 'Moss'])}")][: rng.randint(2, 3)]
        participants = [Person(id=pid, role=role, label=name.split()[1].upper(), name=Fact(value=name, **supplied)) for pid, role, name in people]
        participants[-1].occupation = Fact(value=rng.choice(["firefighter", "fisherman", "miner"]), **supplied)
        segments = [Segment(id="h1", kind="head", text=f"Interview {number}")]
        for turn in range(rng.randint(2, 8)):
            segments.append(Segment(id=f"u{turn + 1}", kind="u", who=rng.choice(people)[0], text=" ".join(rng.choice(words) for _ in range(rng.randint(2, 12)))))
        data = "\n\n".join(s.text for s in segments).encode()
        when = datetime(1960, 1, 1) + timedelta(days=rng.randint(0, 3) * 3650)
        records.append(Record(
            id=f"syn-{number:04d}", version=1, title=Fact(value=f"Interview {rng.choice(words)} {number % 7}", **supplied),
            subjects=[Fact(value=rng.choice(["Fishing", "Mining", "Fire"]), **supplied)],
            interview_date=Fact(value=when.date().isoformat(), normalized=when.date().isoformat(), **supplied),
            source=Source(filename=f"syn-{number}.txt", media_type="text/plain", sha256=hashlib.sha256(data).hexdigest(), size=len(data), encoding="utf-8"),
            ingested_at=datetime(2026, 1, 1, tzinfo=timezone.utc) - timedelta(seconds=number % 5), tool_version="test",
            participants=participants, segments=segments,
        ))
    return records


def test_speaker_search_keeps_each_records_first_hit_in_whooshs_order(tmp_path):
    """One hit per record in a --speaker search, without Whoosh's collapse (which scores
    every match, and with a filter keeps records twice): each record where its first
    document in Whoosh's uncollapsed, speaker-filtered order is; totals and facet counts
    count records. For every sort and page, over several segments with deleted documents."""
    from whoosh import sorting
    from whoosh import query as wq

    from oral_archive.archive.search import SPEAKERS, SearchIndex
    from oral_archive.archive.search.documents import index_document
    from oral_archive.archive.search.parsing import speaker_query
    from oral_archive.archive.search.queries import _faster_leaves
    from oral_archive.archive.search.schema import FACET_FIELDS

    index = SearchIndex(tmp_path / "index")
    records = _synthetic_records(240, seed=5)
    for start in range(0, 240, 60):  # four commits: several segments
        index.update(records[start : start + 60])
    index.update(records[::9])  # replaced: deleted documents in older segments
    searcher = index.searcher(SPEAKERS)
    assert len(searcher.leaf_searchers()) > 1 and searcher.reader().has_deletions()

    facet_values = {record.id: index_document(record) for record in records}
    sorts = {"relevance": {}, "date": {"sortedby": ["date_sort", "ingested"], "reverse": True}, "title": {"sortedby": ["title_sort", "id"], "reverse": False}}
    compared = collapsed = wrong_totals = wrong_facets = wrong_pages = 0
    for text in ["fire", "bell rang", '"night crew"', "truck OR boat", "strike NOT mine", "net*"]:
        for speaker in ["curry", "lee", "interviewer", "ann curry", "moss"]:
            # The speaker restricts, it does not score: Whoosh's own filter, by query.
            parsed = index.parse(text, speaker=True).accept(_faster_leaves)
            spoken_by = speaker_query(speaker)
            for sort, options in sorts.items():
                options = {**options, "filter": spoken_by}
                for page, limit in [(1, 10), (2, 10), (3, 7), (1, 200)]:
                    ours = index.search(text, speaker=speaker, sort=sort, page=page, limit=limit, facets=page == 1)
                    groups = {n: sorting.FieldFacet(column, allow_overlap=True) for n, column in FACET_FIELDS.items()}
                    theirs = searcher.search(parsed, limit=page * limit, collapse="id", collapse_limit=1, groupedby=groups, **options)
                    got = [(hit.id, hit.speaker, hit.score) for hit in ours.hits]
                    # Each record where its first document in Whoosh's full, uncollapsed order is.
                    first_seen: dict = {}
                    first_hits: dict = {}
                    walked = searcher.search(parsed, limit=None, **options)
                    for hit in walked:
                        first_seen.setdefault(hit["id"], (hit["id"], hit["participant"], round(hit.score, 4) if sort == "relevance" else None))
                        first_hits.setdefault(hit["id"], hit)
                    assert got == list(first_seen.values())[(page - 1) * limit : page * limit], (text, speaker, sort, page)
                    # The total and facets count each matching record once.
                    assert ours.total == len(first_hits), (text, speaker)
                    # Whoosh's collapse is no reference here: with a filter it can keep a
                    # record twice (collapse_limit=1: "fire" by curry lists syn-0113 for two
                    # participants); how often it differs is printed, not asserted.
                    expected = [(hit["id"], hit["participant"], round(hit.score, 4) if sort == "relevance" else None) for hit in theirs[(page - 1) * limit : page * limit]]
                    wrong_pages += got != expected
                    # Whoosh's len() of a collapsed search also counts the documents of
                    # replaced records (and, with a filter, records kept twice).
                    wrong_totals += len(theirs) != len(first_hits)
                    if page == 1:
                        for name, column in FACET_FIELDS.items():
                            # Facet values are not stored: each hit's record's, as indexed.
                            counts = Counter(value for hit in first_hits.values() for value in facet_values[hit["id"]].get(column, "").split("\n") if value)
                            assert ours.facets[name] == dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))), (text, speaker, name)
                            grouped = {k.decode(): len(v) for k, v in theirs.groups(name).items() if k}
                            wrong_facets += grouped != dict(counts)
                    compared += 1
                    collapsed += len(first_hits) < walked.scored_length()
    assert collapsed > 50  # records with several matching participants were there to collapse
    assert compared == 6 * 5 * 3 * 4
    print(f"Whoosh's own total was off in {wrong_totals} of {compared} searches, its facet counts in {wrong_facets}, its page in {wrong_pages}")
