"""What one record adds to the two search indexes: the postings and stored values that
make up their size and build time, counted, not timed.

The build's time goes to postings (each one is pooled, sorted and written) and its
size to postings and stored values, so these tests hold the layout to what searches
read: one term per number, no terms for sort keys, word pairs only where phrases need them,
and the record's text stored once, in the ``records`` index.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone

import pytest

from oral_archive.archive.search import RECORDS, SPEAKERS, SearchIndex
from oral_archive.archive.search.schema import ANCHORED_PAIR_BUCKETS, PAIR_BUCKETS, PairTiers, _mirror, _term_positions, _text_pair_tiers, pair_bucket, pair_buckets, text_analyzer
from oral_archive.schemas.record import Fact, Person, Record, Segment, Source

SUPPLIED = {"origin": "supplied", "supplied_by": "test"}
# Common English words and rare ones, so both kinds of word pairs occur.
ANSWER = ("I worked as a police officer in the city for twenty years and the work was hard "
          "but the people were good, and the sergeant taught me patience and quinoa recipes")


def _record() -> Record:
    segments = [Segment(id="h1", kind="head", text="Interview with a police officer")]
    for turn in range(6):
        segments.append(Segment(id=f"u{2 * turn + 1}", kind="u", who="sp-int", text="What was the work like in those years?"))
        segments.append(Segment(id=f"u{2 * turn + 2}", kind="u", who="sp-ann", text=ANSWER))
    return Record(
        id="interview-with-a-police-officer", version=1, title=Fact(value="Interview with a police officer", **SUPPLIED),
        subjects=[Fact(value="Police", **SUPPLIED)],
        interview_date=Fact(value="1994-05-03", normalized="1994-05-03", **SUPPLIED),
        source=Source(filename="officer.txt", media_type="text/plain", sha256="0" * 64, size=100, encoding="utf-8"),
        ingested_at=datetime(2026, 1, 1, tzinfo=timezone.utc), tool_version="test",
        participants=[
            Person(id="sp-int", role="interviewer", label="Q"),
            Person(id="sp-ann", role="interviewee", label="ANN", name=Fact(value="Ann Moss", **SUPPLIED),
                   occupation=Fact(value="police officer", **SUPPLIED), tenure=Fact(value="twenty years", normalized="P20Y", **SUPPLIED)),
        ],
        segments=segments,
    )


@pytest.fixture(scope="module")
def index(tmp_path_factory) -> SearchIndex:
    index = SearchIndex(tmp_path_factory.mktemp("layout") / "index")
    index.update([_record()])
    return index


def _terms_per_field(index: SearchIndex, name: str) -> Counter:
    with index.open(name).reader() as reader:
        return Counter(field for field, _ in reader.all_terms())


@pytest.mark.parametrize("name", [RECORDS, SPEAKERS])
def test_numbers_are_one_term_each_and_sort_keys_none(index: SearchIndex, name: str) -> None:
    """Whoosh indexes a number at 8 or 16 precisions by default; the archive's ranges read
    the exact terms or a column, so each number is one term, and sort keys are columns."""
    terms = _terms_per_field(index, name)
    assert terms["version"] == terms["tenure_years"] == terms["date"] == 1
    assert terms["ingested"] == (1 if name == SPEAKERS else 8)  # records keep fast ranges on it
    assert terms["title_sort"] == terms["date_sort"] == 0
    with index.open(name).reader() as reader:
        assert reader.has_column("title_sort") and reader.has_column("date_sort")


def test_the_text_is_stored_once(index: SearchIndex) -> None:
    """A --speaker hit's title, dates and snippets come from its record's document: the
    speakers index stores only who the hit's speaker is, and neither index keeps values
    nothing reads (the source's checksum, facet values, which are read from columns)."""
    with index.open(RECORDS).reader() as reader:
        (stored,) = list(reader.all_stored_fields())
        assert set(stored) == {"id", "version", "title", "tenure_years", "date", "ingested", "source_url", "site", "format", "segments"}
    with index.open(SPEAKERS).reader() as reader:
        speakers = list(reader.all_stored_fields())
    assert sorted(speakers, key=lambda s: s["participant"]) == [
        {"id": "interview-with-a-police-officer", "participant": "sp-ann", "speaker_name": "Ann Moss"},
        {"id": "interview-with-a-police-officer", "participant": "sp-int", "speaker_name": "Q"},
    ]
    assert "key" not in index.open(SPEAKERS).schema


def test_word_pairs_are_indexed_only_where_a_phrase_needs_them(index: SearchIndex) -> None:
    """The pairs field holds the buckets of pairs of two frequent words ("police officer")
    and, in buckets of their own kind, of a very frequent word beside a common one
    ("taught me", "me patience"), and no others: not "sergeant taught" (two common
    words) nor "quinoa recipes" (a rare one)."""
    frequent, anchors, partners = _text_pair_tiers()
    tiers = PairTiers(frequent, anchors, partners)
    analysis = _term_positions(_mirror(text_analyzer()))
    positions = analysis(_record().full_text)
    assert {b"polic", b"offic"} <= frequent and b"me" in anchors
    assert {b"taught", b"patienc", b"sergeant"} <= partners - frequent and b"quinoa" not in partners
    assert tiers.indexed(b"polic", b"offic") and tiers.indexed(b"taught", b"me") and tiers.indexed(b"me", b"patienc")
    assert not tiers.indexed(b"sergeant", b"taught") and not tiers.indexed(b"quinoa", b"recip") and not tiers.indexed(b"citi", b"twenti")
    with index.open(RECORDS).reader() as reader:
        indexed = {term for field, term in reader.all_terms() if field == "content_pairs"}
    assert indexed == pair_buckets(positions, tiers)
    # an anchor's pairs with partners in buckets of their own kind
    assert {pair_bucket(b"polic", b"offic"), pair_bucket(b"taught", b"me", anchored=True), pair_bucket(b"me", b"patienc", anchored=True)} <= indexed
    two_frequent = {term for term in indexed if not term.startswith(b"x")}
    assert two_frequent == pair_buckets(positions, frequent)  # the same buckets as two frequent words' pairs alone
    assert len(indexed) > len(two_frequent) and len(two_frequent) < len(pair_buckets(positions))
    assert all(len(term) == 4 and (int(term, 16) < PAIR_BUCKETS if term in two_frequent else int(term[1:], 16) < ANCHORED_PAIR_BUCKETS) for term in indexed)


def test_the_pair_rule_is_kept_in_the_index_schema_compactly() -> None:
    """The pair rule's term sets go into the index's schema, which Whoosh pickles with
    protocol 2 and reads back at every opening: they come back equal (any terms), and as
    lines of one string, not 7,000 pickled ``bytes`` (200 KB, 7 ms a read)."""
    import pickle

    from oral_archive.archive.search.schema import WordPairs, build_schema

    schema = build_schema()
    pairs = schema["content_pairs"]
    assert len(pairs.partners) > 5000
    packed = pickle.dumps(schema, 2)
    assert len(packed) < 100_000
    back = pickle.loads(packed)["content_pairs"]
    assert (back.frequent, back.anchors, back.partners) == (pairs.frequent, pairs.anchors, pairs.partners)
    assert back.indexed_pair(b"taught", b"me") and not back.indexed_pair(b"sergeant", b"taught")
    odd = [frozenset(), frozenset({b"a\nb", b"c"}), frozenset({b"\xff\xfe", b"d"}), None]
    for frequent in odd:
        field = WordPairs(text_analyzer(), frequent, frozenset({b"c"}) if frequent else frozenset(), frequent)
        again = pickle.loads(pickle.dumps(field, 2))
        assert (again.frequent, again.anchors, again.partners) == (field.frequent, field.anchors, field.partners)


def test_a_speaker_search_shows_the_speakers_own_words(index: SearchIndex) -> None:
    """The segments of a --speaker hit, read from the records index, are that speaker's only."""
    results = index.search("work", speaker="ANN")
    (hit,) = results.hits
    assert hit.speaker == "sp-ann" and hit.snippets
    assert (hit.title, hit.version, hit.date, hit.speaker_name) == ("Interview with a police officer", 1, "1994-05-03", "Ann Moss")
    assert hit.ingested == index.search("work").hits[0].ingested == "2026-01-01T00:00:00"
    assert all(snippet.segment.startswith("u") and int(snippet.segment[1:]) % 2 == 0 for snippet in hit.snippets)
    interviewer = index.search("work", speaker="Q").hits[0]
    assert all(int(snippet.segment[1:]) % 2 == 1 for snippet in interviewer.snippets)


def _long_record(turns: int) -> Record:
    """``_record`` with ``turns`` answers, one of them holding an emoji: every string joined
    from all of them is then four bytes a character."""
    record = _record()
    answers = [Segment(id=f"u{100 + turn}", kind="u", who="sp-ann", text=f"{ANSWER} {turn}") for turn in range(turns)]
    answers[0] = Segment(id="u100", kind="u", who="sp-ann", text=ANSWER + " \N{SLIGHTLY SMILING FACE}")
    return record.model_copy(update={"segments": [*record.segments, *answers]})


def test_indexing_a_long_record_holds_about_its_size_in_memory(tmp_path) -> None:
    """Indexing a long transcript takes memory by its size, not by the copies of it.

    Joined, its segments made a 4-byte-a-character string for each index and one for the
    stored segments; its words were listed all at once and its positions were Python ints
    in lists and a dict (about 16 bytes a character in all). Counted by tracemalloc over
    the whole update, Whoosh's pool of postings included.
    """
    import gc
    import tracemalloc

    record = _long_record(4_000)
    characters = sum(len(s.text) for s in record.segments)
    index = SearchIndex(tmp_path / "index")
    index.update([_record()])  # the schema, the word lists and the caches, outside the count
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        index.update([record])
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    # 36 bytes a character before (24 MB for these 660,000 characters), 11 now
    assert peak < 16 * characters, f"indexing held {peak:,} bytes at once for {characters:,} characters"
    with index.open(RECORDS).searcher() as searcher:  # the stored segments: UTF-8 JSON, the emoji intact
        stored = json.loads(searcher.document(id=record.id)["segments"])
    assert [segment[4] for segment in stored] == [s.text for s in record.segments]
    assert index.search('"the sergeant taught me" 3999').total == 1  # the last answer's words are indexed too
