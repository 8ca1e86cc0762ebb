"""Long and deeply nested queries: size limits, linear parsing, and plain error messages.

Linearity is shown by counting operations (Python function calls, through
``sys.setprofile``) at n and 4n words, never by timing: a linear step makes about four
times the calls, a quadratic one sixteen. ``bench/query_scaling.py`` prints the times.
"""

from __future__ import annotations

import gc
import itertools
import re
import sys

import pytest
from hypothesis import given, strategies as st
from whoosh import qparser, query as wq

from oral_archive.archive import Archive
from oral_archive.archive.search.counting import matching_docs
from oral_archive.archive.search.limits import MAX_QUERY_CHARS, MAX_QUERY_NESTING, MAX_QUERY_WORDS, syntax_problem
from oral_archive.archive.search.parsing import normalize_query
from oral_archive.archive.search.queries import AND_FAN_IN, _narrow_and
from oral_archive.archive.search.results import QueryTooLong
from oral_archive.archive.search.schema import text_analyzer
from oral_archive.pipeline import ingest
from oral_archive.schemas.errors import QueryError


def calls_made(function, *args) -> int:
    """How many Python function calls ``function(*args)`` makes (its operation count).

    Garbage left by earlier tests is collected first and the collector paused while
    counting: finalizers and weakref callbacks run by a collection in the middle would
    be counted as the function's calls (once seen in a full-suite run).
    """
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call":
            count += 1

    gc.collect()
    gc.disable()
    previous = sys.getprofile()
    sys.setprofile(profile)
    try:
        function(*args)
    finally:
        sys.setprofile(previous)
        gc.enable()
    return count


def growth(function, make_input, small: int, factor: int = 4) -> float:
    """Operations at ``factor`` times the input size over operations at ``small``, each
    the fewest of three counts: a count once came out low in a full-suite run (12 were
    expected, 16 are typical), never alone, so calls made by anything but the function
    itself (first-use set-up, finalizers) are not taken for its own."""
    large_input, small_input = make_input(small * factor), make_input(small)
    return min(calls_made(function, large_input) for _ in range(3)) / min(calls_made(function, small_input) for _ in range(3))


def words_query(count: int) -> wq.Query:
    """What the parser makes of ``count`` distinct bare words, before normalization."""
    return wq.And([wq.Or([wq.Term("title", f"w{i}"), wq.Term("content", f"w{i}")]) for i in range(count)])


def words(count: int) -> str:
    return " ".join(f"w{i}x" for i in range(count))


@pytest.fixture()
def index(built_archive):
    """The built archive's index with the size limits lifted, to measure past them."""
    index = built_archive.index
    limits = index.max_query_chars, index.max_query_words
    index.max_query_chars, index.max_query_words = 10**7, 10**6
    yield index
    index.max_query_chars, index.max_query_words = limits


# -- linear normalization and parsing --------------------------------------------------
def test_operation_counting_sees_whooshs_quadratic_normalize():
    """The measure works: Whoosh's own normalize of n words (every word's Or hashing
    alike) makes about 16 times the calls at 4n."""
    assert growth(lambda q: q.normalize(), words_query, 100) > 12


def test_normalize_query_is_linear():
    assert growth(normalize_query, words_query, 400) < 4.5


def test_parse_is_linear_in_the_number_of_words(index):
    assert growth(index.parse, words, 250) < 5


def test_parse_of_or_lists_and_not_lists_is_linear(index):
    assert growth(index.parse, lambda n: " OR ".join(f"w{i}x" for i in range(n)), 250) < 5
    assert growth(index.parse, lambda n: "police " + " ".join(f"NOT w{i}x" for i in range(n)), 100) < 5


def test_chained_binary_operators_parse_in_linear_time(index):
    """Whoosh builds each side of ANDNOT/ANDMAYBE/REQUIRE twice: 2^N work for N chained."""
    for operator in ("ANDNOT", "ANDMAYBE", "REQUIRE"):
        def chain(count: int, operator: str = operator) -> str:
            return f" {operator} ".join(f"w{i}x" for i in range(count))

        assert growth(index.parse, chain, 8, factor=2) < 2.5, operator
        assert calls_made(index.parse, chain(40)) < 50_000, operator


def test_parse_gives_whooshs_query(index):
    """Our operators and normalization change the time taken, not the query."""
    schema = index.open().schema
    whoosh_parser = qparser.MultifieldParser(["title", "content"], schema=schema)
    whoosh_parser.add_plugin(qparser.FuzzyTermPlugin())
    whoosh_parser.add_plugin(qparser.GtLtPlugin())
    for text in [
        "police officer", "police OR fire AND NOT nurse", "a1 ANDNOT b1 ANDNOT c1 ANDMAYBE d1 REQUIRE e1",
        '"police officer" AND (role:teacher OR title:nurse^2) polic*', "tenure_years:[5 TO 10] AND tenure_years:[8 TO 20]",
        "title:[a TO m] OR title:[c TO z] OR title:*", "quotx~ police police (police)", words(300),
    ]:
        assert index.parse(text) == whoosh_parser.parse(text), text


def _leaves():
    terms = st.builds(wq.Term, st.sampled_from(["title", "content", "role"]), st.sampled_from(["a", "b", "c", "d"]),
                      boost=st.sampled_from([1.0, 2.0]))
    ranges = st.builds(lambda field, low, high: wq.TermRange(field, low, high), st.sampled_from(["title", "role"]),
                       st.sampled_from(["a", "c", "", None]), st.sampled_from(["b", "f", "z", None]))
    numbers = st.builds(lambda low, high: wq.NumericRange("tenure_years", low, high), st.sampled_from([1, 5, None]), st.sampled_from([5, 9, None]))
    everys = st.builds(wq.Every, st.sampled_from(["title", "role", None]))
    return st.one_of(terms, terms, ranges, numbers, everys, st.just(wq.NullQuery))


def _trees(children):
    compound = st.tuples(st.sampled_from([wq.And, wq.Or, wq.DisjunctionMax]), st.lists(children, max_size=5), st.sampled_from([1.0, 0.5]))
    binary = st.tuples(st.sampled_from([wq.AndNot, wq.AndMaybe, wq.Require, wq.Otherwise]), children, children)
    return st.one_of(
        compound.map(lambda c: c[0](c[1], boost=c[2])),
        binary.map(lambda b: b[0](b[1], b[2])),
        st.builds(wq.Not, children),
    )


@given(st.recursive(_leaves(), _trees, max_leaves=20))
def test_normalize_query_equals_whooshs_normalize(query):
    try:
        theirs = query.normalize()
    except AttributeError:  # Whoosh's DisjunctionMax cannot merge overlapping ranges
        with pytest.raises(AttributeError):
            normalize_query(query)
        return
    ours = normalize_query(query)
    assert ours == theirs and repr(ours) == repr(theirs)


# -- matching a query of many words ----------------------------------------------------------
def _indexed_words(archive, count: int) -> list[str]:
    """``count`` distinct words of the records' text, each a word the index holds."""
    found: dict[str, None] = {}
    for record_id in archive.ids():
        for word in re.findall(r"\b[a-z]{4,6}\b", archive.get(record_id).full_text):
            found.setdefault(word, None)
    chosen = sorted(found)[:count]
    assert len(chosen) == count, "the corpus should have that many distinct words"
    return chosen


def _with_frames_in_use(frames: int, function):
    """``function()`` called ``frames`` calls deep, as from inside a web framework."""
    return function() if frames == 0 else _with_frames_in_use(frames - 1, function)


@pytest.fixture(scope="module")
def many_words(tmp_path_factory) -> tuple[Archive, list[str]]:
    """An archive of one transcript holding 1,200 made-up words of distinct stems, and
    those words: more distinct indexed words than the query limit allows."""
    analyzer = text_analyzer()
    made_up, stems = [], set()
    for first, second, third in itertools.product("bcdfgklmnprtvz", "aeiou", "bcdfgklmnprtvz"):
        word = f"{first}{second}{third}o"
        stem = [token.text for token in analyzer(word)]
        if len(stem) == 1 and stem[0] not in stems:
            stems.add(stem[0])
            made_up.append(word)
        if len(made_up) == 1200:
            break
    folder = tmp_path_factory.mktemp("many-words")
    paragraphs = [" ".join(made_up[start : start + 100]) + "." for start in range(0, len(made_up), 100)]
    (folder / "glossary.txt").write_text("A glossary of made-up words\n\n" + "\n\n".join(paragraphs) + "\n")
    archive = Archive(folder / "archive")
    report = ingest([folder / "glossary.txt"], archive)
    assert not report.rejected, [r.reason for r in report.rejected]
    return archive, made_up


def test_a_query_of_the_most_words_allowed_is_searched(many_words):
    """Whoosh matched an And of n parts through a chain n deep: 1,000 words present in
    the index ran out of Python's recursion limit (a few frames more in a caller's stack
    than 1,000 words take, here simulated)."""
    archive, made_up = many_words
    query = " ".join(made_up[:MAX_QUERY_WORDS])
    assert len(query) <= MAX_QUERY_CHARS
    results = _with_frames_in_use(100, lambda: archive.search(query))
    assert results.total == 1 and results.hits[0].snippets
    assert _with_frames_in_use(100, lambda: archive.search(" OR ".join(made_up[:300]))).total == 1


def test_narrowed_and_matches_the_same_records_with_the_same_scores(built_archive):
    searcher = built_archive.index.searcher()
    common = built_archive.index.parse("interview")  # most records
    rare = _indexed_words(built_archive, 3 * AND_FAN_IN)
    parts = [wq.Or([wq.Term("content", word), common]) for word in rare[:-1]] + [wq.Not(wq.Term("content", rare[-1]))]
    wide = wq.And(parts[:AND_FAN_IN] + parts[-1:] + parts[AND_FAN_IN:-1])  # a NOT in the middle
    narrowed = _narrow_and(wide)
    assert len(narrowed.subqueries) < len(wide.subqueries) and all(len(q.subqueries) <= AND_FAN_IN for q in narrowed.subqueries)
    found = matching_docs(searcher, wide)
    assert found and matching_docs(searcher, narrowed) == found
    wide_scores = {hit.docnum: hit.score for hit in searcher.search(wide, limit=None)}
    narrowed_scores = {hit.docnum: hit.score for hit in searcher.search(narrowed, limit=None)}
    assert set(narrowed_scores) == set(wide_scores) == found
    assert narrowed_scores == pytest.approx(wide_scores, rel=1e-9)
    assert _narrow_and(wq.And(parts[:AND_FAN_IN])) == wq.And(parts[:AND_FAN_IN])  # narrow enough already: unchanged


# -- size and nesting limits -------------------------------------------------------------------
def test_a_query_over_the_character_limit_is_refused_before_parsing(built_archive):
    text = "police " * (MAX_QUERY_CHARS // 7 + 1)
    with pytest.raises(QueryTooLong) as error:
        built_archive.search(text)
    assert isinstance(error.value, QueryError)
    message = str(error.value)
    assert f"{len(text):,} characters long; at most {MAX_QUERY_CHARS:,}" in message
    assert "\n" not in message and len(message) < 300  # quotes the query's beginning, not all of it
    assert error.value.query == text
    # 100 KB, the size that ran for minutes, is refused after counting its characters
    assert calls_made(lambda: pytest.raises(QueryTooLong, built_archive.search, "police officer " * 7000)) < 20_000


def test_a_query_over_the_word_limit_is_refused(built_archive):
    text = " ".join("ab" for _ in range(MAX_QUERY_WORDS + 1))
    assert len(text) <= MAX_QUERY_CHARS
    with pytest.raises(QueryTooLong, match=f"more than {MAX_QUERY_WORDS:,} words; at most {MAX_QUERY_WORDS:,}"):
        built_archive.search(text)
    built_archive.search(" ".join("police" for _ in range(MAX_QUERY_WORDS)))  # at the limit: searched


@pytest.mark.parametrize(
    "text",
    ["(" * (MAX_QUERY_NESTING + 1) + "police" + ")" * (MAX_QUERY_NESTING + 1),
     " ANDNOT ".join(f"w{i}" for i in range(MAX_QUERY_NESTING + 5)),
     "police " + " ".join(f"(w{i} ANDMAYBE" for i in range(30)) + " w ANDMAYBE v" + ")" * 30],
)
def test_deeply_nested_queries_are_refused_in_plain_words(built_archive, text):
    with pytest.raises(QueryError, match="nest") as error:
        built_archive.search(text)
    assert "recursion" not in str(error.value)


def test_nesting_within_the_limit_is_searched(built_archive):
    assert built_archive.search("(" * 20 + "police" + ")" * 20).total == built_archive.search("police").total
    built_archive.search(" ANDNOT ".join(["police"] + [f"w{i}" for i in range(30)]))


# -- messages (issue item 9) --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{police", "'{' at position 1 is never closed"),
        ("[police", "'[' at position 1 is never closed"),
        ("tenure_years:{5 TO 10", "'{' at position 14 is never closed"),
        ("title:(", "'(' at position 7 is never closed"),
        ("(police]", "']' at position 8 cannot close the '(' at position 1"),
        ("police}", "'}' at position 7 closes nothing"),
    ],
)
def test_bracket_messages_name_the_character_typed(text, expected):
    problem = syntax_problem(text)
    assert problem.startswith(expected), problem
    if "{" in expected:
        assert "'['" not in problem


def test_mixed_range_brackets_are_still_accepted(built_archive):
    for text in ("tenure_years:{5 TO 10]", "tenure_years:[5 TO 10}"):
        assert syntax_problem(text) is None
        built_archive.search(text)


@pytest.mark.parametrize("speaker", ["", "   ", "\t", "--"])
def test_an_empty_speaker_is_refused_not_ignored(built_archive, speaker):
    with pytest.raises(QueryError, match="speaker .* names nobody"):
        built_archive.search("police", speaker=speaker)


def test_an_empty_archive_refuses_an_oversized_query_as_a_full_one_does(tmp_path) -> None:
    from oral_archive.archive.core import Archive
    from oral_archive.archive.search import QueryTooLong

    archive = Archive(tmp_path / "empty")
    with pytest.raises(QueryTooLong):
        archive.search("police " * 5_000)
    assert archive.search("police").total == 0  # an ordinary query: simply no hits
