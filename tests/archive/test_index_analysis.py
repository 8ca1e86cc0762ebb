"""The index's fast paths give exactly what Whoosh's own analyzer chain gives.

``FastText`` indexes words through a remembered word -> term table instead of running the
analyzer per token, and snippets look words up in the same table; both must agree with
the analyzer on any text, or searches and highlights would silently differ.
"""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from whoosh.fields import TEXT

from oral_archive.archive.search.schema import FastText, WordPairs, _mirror, exact_analyzer, pair_bucket, text_analyzer
from oral_archive.archive.search.snippets import _FragmentToken, _MarkFormatter, _snippets
from whoosh import highlight

WORDS = st.sampled_from(
    "the police policing officer José Jose café naïve an of I'm don't 1962 x Ünïcödé straße "
    "running runs ran happily happiness fire-fighter e-mail U.S. Q A a to in on".split()
)
TEXTS = st.one_of(
    st.lists(WORDS, max_size=40).map(" ".join),
    st.text(max_size=200),
)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_fast_text_indexes_what_the_analyzer_indexes(text: str) -> None:
    for analyzer in (text_analyzer(), exact_analyzer()):
        fast, plain = FastText(analyzer=analyzer), TEXT(analyzer=analyzer)
        assert sorted(fast.index(text)) == sorted(plain.index(text))


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=6), st.lists(WORDS, min_size=1, max_size=3))
def test_snippets_from_the_mirror_equal_the_analyzers(texts: list[str], query_words: list[str]) -> None:
    analyzer = text_analyzer()
    terms = {"content": frozenset(t.text for word in query_words for t in analyzer(word))}
    segments = [[f"u{n}", "u", "sp-a", None, text] for n, text in enumerate(texts, 1)]
    fragmenter = highlight.ContextFragmenter(maxchars=200, surround=50)
    slow = _snippets(segments, terms, analyzer, fragmenter, _MarkFormatter(), 3)
    fast = _snippets(segments, terms, analyzer, fragmenter, _MarkFormatter(), 3, _mirror(analyzer))
    assert fast == slow


SMALL_VOCABULARY = st.sampled_from("fire station bell rang rang the of night crew truck".split())


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(SMALL_VOCABULARY, min_size=1, max_size=30).map(" ".join), min_size=1, max_size=12),
    st.lists(SMALL_VOCABULARY, min_size=2, max_size=4),
)
def test_exact_phrase_matches_and_scores_as_whooshs_phrase(texts: list[str], words: list[str]) -> None:
    """ExactPhrase (positions compared as sets) finds the records Whoosh's Phrase finds,
    with the same scores, including phrases with a repeated word and stop words."""
    from whoosh.filedb.filestore import RamStorage
    from whoosh.fields import ID, Schema
    from whoosh.query import Phrase

    from oral_archive.archive.search.queries import ExactPhrase

    some = frozenset(t.text.encode("utf-8") for t in text_analyzer()(" ".join(words[::2])))
    # without the word-pair filter, with every pair indexed, with only pairs of "frequent" words
    for pairs, frequent in ((False, None), (True, None), (True, some)):
        fields = {"content_pairs": WordPairs(text_analyzer(), frequent)} if pairs else {}
        schema = Schema(id=ID(stored=True), content=FastText(analyzer=text_analyzer()), **fields)
        ix = RamStorage().create_index(schema)
        for part in (texts[::2], texts[1::2]):  # two segments
            writer = ix.writer()
            for text in part:
                writer.add_document(id=str(texts.index(text)), content=text, **({"content_pairs": text} if pairs else {}))
            writer.commit(merge=False)
        analyzed = [t.text for t in text_analyzer()(" ".join(words))]
        assume(analyzed)  # only stop words: the parser makes no phrase of them
        with ix.searcher() as searcher:
            whoosh_hits = [(hit["id"], hit.score) for hit in searcher.search(Phrase("content", analyzed), limit=None)]
            exact_hits = [(hit["id"], hit.score) for hit in searcher.search(ExactPhrase("content", analyzed), limit=None)]
        assert exact_hits == whoosh_hits


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(WORDS, st.sampled_from([" ", "  ", "\n", "\t", "\u2028", ".", "-"])), max_size=60).map("".join), st.integers(1, 12))
def test_a_long_text_read_in_pieces_indexes_what_the_analyzer_indexes(text: str, piece: int) -> None:
    """A text longer than ``_WORDS_AT_ONCE`` is split into words a piece at a time; cut
    before white space, no word is split or lost (here pieces of a few characters)."""
    from unittest import mock

    from oral_archive.archive.search import schema

    pieces = list(schema._pieces(text, piece))
    assert "".join(pieces) == text
    assert all(p[:1].isspace() for p in pieces[1:])
    with mock.patch.object(schema, "_WORDS_AT_ONCE", piece):
        for analyzer in (text_analyzer(), exact_analyzer()):
            assert sorted(FastText(analyzer=analyzer).index(text)) == sorted(TEXT(analyzer=analyzer).index(text))


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXTS, max_size=6))
def test_joined_parts_index_as_the_joined_text(parts: list[str]) -> None:
    """A record's segments are indexed as ``JoinedText``, never joined: the same terms,
    positions and pairs as the text ``record.full_text`` joins, with either analyzer."""
    from oral_archive.archive.search.schema import JoinedText

    whole = "\n\n".join(parts)
    for analyzer in (text_analyzer(), exact_analyzer()):
        joined = JoinedText(parts)
        assert sorted(FastText(analyzer=analyzer).index(joined)) == sorted(TEXT(analyzer=analyzer).index(whole))
        assert sorted(WordPairs(analyzer).index(joined)) == sorted(WordPairs(analyzer).index(whole))
    with pytest.raises(ValueError):
        JoinedText(parts, separator=" and ")


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_word_pairs_are_the_analyzers_consecutive_terms(text: str) -> None:
    """The pair buckets indexed for a text are those of the analyzer's own tokens at
    consecutive positions, so the filter never drops a record holding a phrase: computed
    alone, after FastText indexed the same text (its analysis reused), and for an analyzer
    that puts several tokens at one position (split and joined words)."""
    from whoosh.analysis import FancyAnalyzer

    for analyzer in (text_analyzer(), exact_analyzer(), FancyAnalyzer()):
        tokens = [(t.pos, t.text.encode("utf-8")) for t in analyzer(text, positions=True, mode="index")]
        expected = {pair_bucket(a, b) for p, a in tokens for q, b in tokens if q == p + 1}
        pairs = WordPairs(analyzer)
        assert {term for term, *_ in pairs.index(text)} == expected
        copy = "".join(list(text))  # another object with the same text: no reuse
        FastText(analyzer=analyzer).index(copy)
        assert {term for term, *_ in pairs.index(copy)} == expected
        # Only pairs of two frequent terms, when the field is given which terms are frequent.
        frequent = frozenset(term for _, term in tokens[::2])
        only_frequent = {pair_bucket(a, b) for p, a in tokens for q, b in tokens if q == p + 1 and a in frequent and b in frequent}
        assert {term for term, *_ in WordPairs(analyzer, frequent).index(text)} == only_frequent
        # And pairs of an anchor term beside a partner term (in buckets of their own kind
        # unless both terms are frequent or anchors).
        anchors = frozenset(term for _, term in tokens[::5])
        partners = frequent | frozenset(term for _, term in tokens[1::3])
        ranked = frequent | anchors
        with_anchors = {
            pair_bucket(a, b, anchored=not (a in ranked and b in ranked))
            for p, a in tokens
            for q, b in tokens
            if q == p + 1 and ((a in frequent and b in frequent) or (a in anchors and b in partners | anchors) or (b in anchors and a in partners | anchors))
        }
        assert {term for term, *_ in WordPairs(analyzer, frequent, anchors, partners).index(text)} == with_anchors


TENURES = st.sampled_from([0.5, 1.0, 1.5, 2.0, 5.0, 8.25, 10.0, 12.0, 30.0, 40.0, 41.0])
BOUNDS = st.one_of(st.none(), st.sampled_from([0, 0.5, 1, 1.5, 2, 4.9, 5, 10, 12, 29.99, 30, 40, 100]))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.none(), TENURES), min_size=1, max_size=25), BOUNDS, BOUNDS, st.booleans(), st.booleans(), st.integers(0, 3))
def test_numeric_terms_range_matches_whooshs_numeric_range(tenures, start, end, startexcl, endexcl, deleted):
    """NumericTermsRange (full-precision terms only) finds the records, with the scores,
    of Whoosh's NumericRange over the trie terms: any bounds, open or excluded, over two
    segments and with deleted records."""
    from whoosh.fields import ID, NUMERIC, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.query import NumericRange

    from oral_archive.archive.search.queries import NumericTermsRange

    schema = Schema(id=ID(stored=True, unique=True), tenure_years=NUMERIC(float, bits=64, stored=True))
    ix = RamStorage().create_index(schema)
    numbered = list(enumerate(tenures))
    for part in (numbered[::2], numbered[1::2]):
        writer = ix.writer()
        for number, tenure in part:
            writer.add_document(id=str(number), **({"tenure_years": tenure} if tenure is not None else {}))
        writer.commit(merge=False)
    writer = ix.writer()
    for number in range(deleted):
        writer.delete_by_term("id", str(number))
    writer.commit(merge=False)
    with ix.searcher() as searcher:
        whoosh_hits = sorted((hit["id"], hit.score) for hit in searcher.search(NumericRange("tenure_years", start, end, startexcl, endexcl), limit=None))
        ours = sorted((hit["id"], hit.score) for hit in searcher.search(NumericTermsRange("tenure_years", start, end, startexcl, endexcl), limit=None))
    assert ours == whoosh_hits


@given(st.lists(st.integers(0, 100_000), max_size=40).map(sorted))
def test_positions_decode_as_whoosh_decodes_them(positions):
    from whoosh.formats import Positions

    from oral_archive.archive.search.whoosh_internals import decode_positions as _decode_positions

    encoded = Positions().encode(positions)
    for _ in range(2):  # decoded, then remembered
        assert list(_decode_positions(encoded)) == Positions().decode_positions(encoded) == positions
        if encoded.endswith(b"."):  # the same value as stored without pickle's final "."
            assert list(_decode_positions(encoded[:-1])) == positions


@pytest.mark.parametrize(("frequent_words", "anchor_words", "partner_words"), [(None, 0, None), (30, 0, None), (30, 5, 45)])
def test_phrases_over_many_blocks_with_the_pair_filter_match_whooshs_phrase(frequent_words: int | None, anchor_words: int, partner_words: int | None) -> None:
    """Posting lists of several blocks (Whoosh writes 128 records a block), three
    segments and deleted records: the filtered phrase search reads only the blocks
    holding a filtered record and still finds Whoosh's records with Whoosh's scores.

    With pairs indexed for frequent words only (half the vocabulary), a phrase with a
    pair of two frequent words is filtered by it, and one without is read word by word
    (the filter says None), with the same records and scores either way. With anchors
    too, the pairs of an anchor and a partner word are filtered as well."""
    import random

    from whoosh.fields import ID, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.query import Phrase

    from oral_archive.archive.search.queries import ExactPhrase, _pair_filter

    rng = random.Random(3)
    vocabulary = [f"word{n}" for n in range(60)]
    texts = [" ".join(rng.choice(vocabulary) for _ in range(rng.randint(5, 40))) for _ in range(1500)]
    frequent = None if frequent_words is None else frozenset(w.encode() for w in vocabulary[:frequent_words])
    anchors = frozenset(w.encode() for w in vocabulary[:anchor_words])
    partners = None if partner_words is None else frozenset(w.encode() for w in vocabulary[:partner_words])
    pairs_field = WordPairs(text_analyzer(), frequent) if not anchors else WordPairs(text_analyzer(), frequent, anchors, partners)
    schema = Schema(id=ID(stored=True, unique=True), content=FastText(analyzer=text_analyzer()), content_pairs=pairs_field)

    def indexed(a: bytes, b: bytes) -> bool:
        return (a in frequent and b in frequent) or (partners is not None and ((a in anchors and b in partners) or (b in anchors and a in partners)))

    ix = RamStorage().create_index(schema)
    for part in range(3):
        writer = ix.writer()
        for number in range(part, len(texts), 3):
            writer.add_document(id=str(number), content=texts[number], content_pairs=texts[number])
        writer.commit(merge=False)
    writer = ix.writer()
    for number in range(0, len(texts), 7):
        writer.delete_by_term("id", str(number))
    writer.commit(merge=False)

    phrases = [rng.sample(vocabulary, rng.choice((2, 3))) for _ in range(60)] + [["word1", "word1"], ["word2", "word3", "word2"]]
    narrowed = unfiltered = by_anchor = 0
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 3 and searcher.reader().has_deletions()
        for words in phrases:
            whoosh_hits = [(hit["id"], hit.score) for hit in searcher.search(Phrase("content", words), limit=None)]
            exact_hits = [(hit["id"], hit.score) for hit in searcher.search(ExactPhrase("content", words), limit=None)]
            assert exact_hits == whoosh_hits, words
            for leaf, offset in searcher.leaf_searchers():
                reader = leaf.reader()
                filtered = _pair_filter(leaf, reader, "content", [w.encode() for w in words])
                if frequent is not None and not any(indexed(a.encode(), b.encode()) for a, b in zip(words, words[1:])):
                    assert filtered is None  # no pair of the phrase is indexed: nothing to filter by
                    unfiltered += 1
                    continue
                holding_all = set.intersection(*(set(reader.postings("content", w.encode()).all_ids()) for w in words))
                live = {d for d in holding_all if not reader.is_deleted(d)}
                assert {hit.docnum - offset for hit in searcher.search(Phrase("content", words), limit=None) if offset <= hit.docnum < offset + reader.doc_count_all()} <= set(filtered)
                narrowed += len(filtered) < len(live)
                by_anchor += frequent is not None and not any(a.encode() in frequent and b.encode() in frequent for a, b in zip(words, words[1:]))
    # the filter leaves out records holding the words apart (for phrases with a frequent pair)
    assert narrowed > (len(phrases) if frequent is None else len(phrases) // 4)
    assert (unfiltered > 0) == (frequent is not None)
    assert (by_anchor > 0) == bool(anchors)  # phrases filtered by an anchor's pair alone


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 1), min_size=1, max_size=700), st.lists(st.integers(1, 80), min_size=1, max_size=40))
def test_skip_to_by_bisection_lands_where_whooshs_skip_to_lands(holding: list[int], steps: list[int]) -> None:
    """The bisecting ``skip_to`` and accumulated ids of our codec's posting reader stop on
    the same posting as Whoosh's own methods, across blocks (128 postings each)."""
    from whoosh.codec.whoosh3 import W3LeafMatcher
    from whoosh.fields import ID, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.matching import ReadTooFar

    from oral_archive.archive.search.postings import ArchiveCodec
    from oral_archive.archive.search.whoosh_internals import BlockLeafMatcher

    assume(any(holding))
    ix = RamStorage().create_index(Schema(tag=ID()))
    writer = ix.writer(codec=ArchiveCodec())
    for has in holding:
        writer.add_document(tag="x" if has else "y")
    writer.commit()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        ours, whooshs = reader.postings("tag", "x"), reader.postings("tag", "x")
        whooshs.skip_to = W3LeafMatcher.skip_to.__get__(whooshs)
        whooshs._read_ids = W3LeafMatcher._read_ids.__get__(whooshs)
        assert ours.skip_to.__func__ is BlockLeafMatcher.skip_to
        target = 0
        for step in steps:
            target += step
            outcomes = []
            for matcher in (ours, whooshs):
                try:
                    matcher.skip_to(target)
                    outcomes.append(matcher.id() if matcher.is_active() else None)
                except ReadTooFar:
                    outcomes.append("too far")
            assert outcomes[0] == outcomes[1], target


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.lists(WORDS, min_size=1, max_size=3))
def test_fragments_of_light_tokens_equal_whooshs_tokens(text: str, query_words: list[str]) -> None:
    from whoosh.analysis import Token

    analyzer = text_analyzer()
    wanted = {t.text for word in query_words for t in analyzer(word)}
    spans = [(t.text, t.startchar, t.endchar) for t in analyzer(text, chars=True, mode="index", removestops=False)]
    fragmenter = highlight.ContextFragmenter(maxchars=60, surround=15)

    def fragments(make):
        found = fragmenter.fragment_tokens(text, (make(w, a, b, w in wanted) for w, a, b in spans))
        return [(f.startchar, f.endchar, [t.__dict__ for t in f.matches]) for f in found]

    whoosh_tokens = fragments(lambda w, a, b, m: Token(text=w, startchar=a, endchar=b, matched=m, chars=True))
    assert fragments(_FragmentToken) == whoosh_tokens


def test_only_short_position_values_are_remembered() -> None:
    from whoosh.formats import Positions

    from oral_archive.archive.search.whoosh_internals import _DECODED_POSITIONS, _DECODED_POSITIONS_LONGEST, decode_positions as _decode_positions

    short, long = Positions().encode([0, 1]), Positions().encode(list(range(0, 4000, 7)))
    assert len(short) <= _DECODED_POSITIONS_LONGEST < len(long)
    assert list(_decode_positions(long)) == list(range(0, 4000, 7)) and long not in _DECODED_POSITIONS
    assert list(_decode_positions(short)) == [0, 1] and short in _DECODED_POSITIONS


@pytest.mark.parametrize("weighting", ["BM25F", "PL2", "TF_IDF", "Frequency"])
def test_exact_phrase_scores_as_whooshs_phrase_under_each_weighting(weighting: str) -> None:
    """A phrase's matches are scored with the words' own scorers: called as
    ``WeightLengthScorer.score`` calls them (BM25F, PL2) or through their own ``score``
    (TF_IDF, Frequency), with Whoosh's records and scores either way."""
    import random

    from whoosh import scoring
    from whoosh.fields import ID, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.query import Phrase

    from oral_archive.archive.search.queries import ExactPhrase

    rng = random.Random(5)
    vocabulary = [f"word{n}" for n in range(12)]
    schema = Schema(id=ID(stored=True, unique=True), content=FastText(analyzer=text_analyzer()))
    ix = RamStorage().create_index(schema)
    writer = ix.writer()
    for number in range(400):
        writer.add_document(id=str(number), content=" ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 30))))
    writer.commit()
    with ix.searcher(weighting=getattr(scoring, weighting)()) as searcher:
        for words in (["word1", "word2"], ["word3", "word3"], ["word4", "word5", "word6"]):
            expected = [(hit["id"], hit.score) for hit in searcher.search(Phrase("content", words), limit=None)]
            assert expected and [(hit["id"], hit.score) for hit in searcher.search(ExactPhrase("content", words), limit=None)] == expected
