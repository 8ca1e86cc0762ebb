"""``BM25FWithLengthTable`` scores exactly as Whoosh's BM25F: the lengths it reads once
per segment are the ones ``doc_field_length`` reads per record."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index, qparser
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.scoring import BM25F

from oral_archive.archive.search.postings import ArchiveCodec
from oral_archive.archive.search.schema import text_analyzer
from oral_archive.archive.search.scoring import BM25FWithLengthTable, segment_field_lengths

WORDS = st.sampled_from("police officer fire the run running quota José cafe b c d".split())
# Lengths above 100 words are stored as one byte, so several lengths share a value.
BODIES = st.one_of(st.lists(WORDS, max_size=30), st.lists(WORDS, min_size=100, max_size=400)).map(" ".join)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.tuples(BODIES, st.booleans()), min_size=1, max_size=12), min_size=1, max_size=3), st.data())
def test_same_lengths_and_scores_as_bm25f(tmp_path_factory, batches, data) -> None:
    schema = Schema(key=ID(stored=True, unique=True), body=TEXT(analyzer=text_analyzer()), title=TEXT(), years=NUMERIC(int))
    ix = whoosh_index.create_in(str(tmp_path_factory.mktemp("ix")), schema)
    keys = []
    for number, batch in enumerate(batches):
        writer = ix.writer(codec=ArchiveCodec())
        for position, (body, titled) in enumerate(batch):
            keys.append(f"{number}-{position}")
            # Some records without a title: no length for them in that field.
            writer.add_document(key=keys[-1], body=body, years=position, **({"title": body[:30]} if titled else {}))
        writer.commit()
    writer = ix.writer(codec=ArchiveCodec())
    for key in data.draw(st.lists(st.sampled_from(keys), max_size=len(keys) // 2)):
        writer.delete_by_term("key", key)
    writer.commit()

    with ix.searcher() as searcher:
        for leaf, _ in searcher.reader().leaf_readers():
            for fieldname in ("body", "title"):
                lengths = segment_field_lengths(leaf, fieldname)
                expected = [leaf.doc_field_length(d, fieldname) for d in range(leaf.doc_count_all())]
                # None: the segment keeps no lengths for the field (Whoosh answers its default).
                assert lengths == expected if lengths is not None else set(expected) == {0}, (fieldname, lengths, expected)
            assert segment_field_lengths(leaf, "years") is None  # a field without lengths

    parser = qparser.MultifieldParser(["body", "title"], schema=schema)
    with ix.searcher(weighting=BM25F()) as theirs, ix.searcher(weighting=BM25FWithLengthTable()) as ours:
        for text in ["police", "police OR fire", '"police officer"', "run AND NOT cafe", "quota~"]:
            query = parser.parse(text)
            assert [(h["key"], h.score) for h in ours.search(query, limit=None)] == [(h["key"], h.score) for h in theirs.search(query, limit=None)], text
