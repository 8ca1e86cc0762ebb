"""``ArchiveCodec`` stores exactly the postings Whoosh's own codec stores.

The same documents are indexed twice, once with Whoosh's ``W3Codec`` and once with ours,
through several commits (so segments are merged) and deletions; every term's postings
(record, weight, value) and the hits and scores of searches must be equal. Small blocks
(``blocklimit``) make every posting list span many blocks.
"""

from __future__ import annotations

import random
from array import array

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index, qparser
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.formats import Positions

from oral_archive.archive.search.postings import ArchiveCodec, ArchiveLeafMatcher, encode_block
from oral_archive.archive.search.schema import WordPairs, text_analyzer

WORDS = st.sampled_from("police officer fire the run running ran quota José cafe a b c d e f".split())
DOCUMENT = st.fixed_dictionaries(
    {
        "body": st.lists(WORDS, max_size=60).map(" ".join),
        "tags": st.lists(st.sampled_from(["red", "green", "blue"]), max_size=3).map(" ".join),
        "years": st.integers(min_value=0, max_value=300),
    }
)


def schema() -> Schema:
    return Schema(
        key=ID(stored=True, unique=True),
        body=TEXT(analyzer=text_analyzer(), stored=True),
        body_pairs=WordPairs(text_analyzer()),
        title=TEXT(field_boost=1.5),
        tags=KEYWORD(),
        years=NUMERIC(int),
        note=STORED(),
    )


def build(path, codec, batches: list[list[dict]], deletions: list[str]):
    ix = whoosh_index.create_in(str(path), schema())
    for number, batch in enumerate(batches):
        writer = ix.writer(codec=codec)
        for position, document in enumerate(batch):
            key = f"{number}-{position}"
            writer.add_document(key=key, title=document["body"][:20], note=key, body_pairs=document["body"], **document)
        writer.commit()
    if deletions:
        writer = ix.writer(codec=codec)
        for key in deletions:
            writer.delete_by_term("key", key)
        writer.commit()
    return ix


def postings(ix) -> dict:
    """{(segment number, field, term): [(record, weight, value)]} of every term."""
    found = {}
    with ix.reader() as reader:
        for number, (leaf, _) in enumerate(reader.leaf_readers()):
            for fieldname, term in leaf.all_terms():
                matcher = leaf.postings(fieldname, term)
                items = []
                while matcher.is_active():
                    items.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                found[number, fieldname, term] = items
    return found


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(DOCUMENT, min_size=1, max_size=25), min_size=1, max_size=3),
    st.integers(min_value=1, max_value=9),
    st.randoms(use_true_random=False),
)
def test_same_postings_and_hits_as_whooshs_codec(tmp_path_factory, batches, blocklimit, rng) -> None:
    keys = [f"{n}-{p}" for n, batch in enumerate(batches) for p in range(len(batch))]
    deletions = rng.sample(keys, k=len(keys) // 4)
    theirs = build(tmp_path_factory.mktemp("w3"), W3Codec(blocklimit=blocklimit), batches, deletions)
    ours = build(tmp_path_factory.mktemp("ours"), ArchiveCodec(blocklimit=blocklimit), batches, deletions)
    assert postings(ours) == postings(theirs)
    parser = qparser.MultifieldParser(["body", "title"], schema=theirs.schema)
    with theirs.searcher() as a, ours.searcher() as b:
        for text in ["police", '"police officer"', "run OR fire", "tags:red AND NOT quota", "years:[10 TO 200]", "caf*", "*"]:
            query = parser.parse(text)
            hits_a, hits_b = a.search(query, limit=None), b.search(query, limit=None)
            assert [(h["key"], h.score) for h in hits_a] == [(h["key"], h.score) for h in hits_b], text


def test_archive_blocks_are_read_by_archive_matchers_only(tmp_path) -> None:
    documents = [{"body": "police officer " * n, "tags": "red", "years": n} for n in range(1, 40)]
    ix = build(tmp_path, ArchiveCodec(blocklimit=8), [documents], [])
    with ix.reader() as reader:
        leaf = next(iter(reader.leaf_readers()))[0]
        matcher = leaf.postings("body", "polic")
        assert isinstance(matcher, ArchiveLeafMatcher)
        with pytest.raises(Exception, match="Block tag error"):
            W3LeafMatcher(matcher._postfile, matcher._startoffset, matcher._length, matcher.format)


@pytest.mark.parametrize(
    "ids, weights",
    [
        ([0, 70_000, 5_000_000_000], [1.0, 1.0, 1.0]),  # deltas beyond 16 and 32 bits
        ([3, 4, 5], [2.5, 2.5, 2.5]),  # all equal, not 1
        ([3, 4, 5], [1.0, 300.0, 2.0]),  # integral but beyond a byte
        ([3, 4, 5], [1.0, 0.5, 2.0]),  # fractional
        ([7], [255.0]),
    ],
)
def test_block_round_trip(ids, weights) -> None:
    from pickle import loads

    format_ = Positions()
    values = [format_.encode(sorted(random.Random(n).sample(range(1000), 3))) for n in ids]
    id_code, id_bytes, packed_weights, packed_values = loads(encode_block(ids, array("f", weights), values, None, 3))

    class Block(ArchiveLeafMatcher):
        def __init__(self) -> None:  # no file: the decoded data is given
            self._data = (array(id_code, id_bytes), packed_weights, packed_values)
            self._blocklength, self._fixedsize, self._byteids, self._ids = len(ids), None, False, None

    block = Block()
    block._read_ids(), block._read_weights(), block._read_values()
    assert list(block._ids) == ids
    assert list(block._weights) == list(array("f", weights))
    assert list(block._values) == values
    assert len(block._values) == len(values)
    assert block._values[-1] == values[-1] and block._values[1:] == values[1:]
    with pytest.raises(IndexError):
        block._values[len(values)]


def test_block_arrays_are_stored_little_endian_on_any_machine() -> None:
    from oral_archive.archive.search.postings import _array_bytes, _array_of

    assert _array_bytes(array("H", [1, 258])) == b"\x01\x00\x02\x01"
    assert list(_array_of("H", b"\x01\x00\x02\x01")) == [1, 258]
