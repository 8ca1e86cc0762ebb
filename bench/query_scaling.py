"""Query-length benchmark: how search time grows with the number of words in a query.

Usage::

    .venv/bin/python bench/query_scaling.py                       # 2,000 transcripts, 250 to 4,000 words
    .venv/bin/python bench/query_scaling.py --docs 10000
    .venv/bin/python bench/query_scaling.py --reuse /tmp/bench-search   # indexes kept by bench/search.py --keep

Builds the synthetic transcripts of ``bench/search.py`` into our index and a bare Whoosh
index (or reuses a folder that ``bench/search.py --keep`` left), then, in the same run,
times queries of 250, 500, 1,000, 2,000 and 4,000 distinct English words (words the
index holds, as in a pasted passage; implicitly ANDed):

* ours: ``Archive.search`` (status check, parse, search, snippets), and ``SearchIndex.parse``
  alone, with the query size limits lifted so the sizes past them can be measured;
* bare Whoosh: ``MultifieldParser.parse`` over the same fields and plugins (its own
  normalization included), and that query searched for the top 10 hits.

It prints each time, bare over ours, and the growth from the previous size (the words
double: about 2 is linear, about 4 quadratic). Then the time the default limits take to
refuse the largest queries, and chains of ANDNOT, which Whoosh's parser builds in time
doubling with each operator. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from whoosh import index as whoosh_index, qparser
from whoosh.qparser.dateparse import DateParserPlugin

sys.path.insert(0, str(Path(__file__).resolve().parent))
import search as search_bench  # bench/search.py: the transcripts and the two indexes

from oral_archive.archive import Archive
from oral_archive.archive.search.limits import MAX_QUERY_CHARS, MAX_QUERY_WORDS
from oral_archive.schemas.errors import QueryError

SIZES = (250, 500, 1000, 2000, 4000)
CHAINS = (8, 12, 16)


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "(uptime not available)"


def query_words(seed: int, count: int) -> list[str]:
    """``count`` distinct words the index holds, drawn past the 150 commonest (mostly stop words)."""
    vocabulary = search_bench.Vocabulary()
    candidates = [w for w in vocabulary.words[150:] if len(w) > 3]
    return random.Random(seed).sample(candidates, count)


def timed(function, *args):
    """(seconds, result or the exception raised) of one call."""
    started = time.perf_counter()
    try:
        result = function(*args)
    except Exception as error:  # a bare Whoosh failure (RecursionError...) is a figure too
        result = error
    return time.perf_counter() - started, result


def best_of(repeat: int, function, *args):
    runs = [timed(function, *args) for _ in range(repeat)]
    return min(runs, key=lambda run: run[0])


def shown(seconds: float, result) -> str:
    if isinstance(result, BaseException):
        return type(result).__name__
    return f"{seconds:.3f}"


def ratio(numerator, denominator) -> str:
    (top, top_result), (bottom, bottom_result) = numerator, denominator
    if isinstance(top_result, BaseException) or isinstance(bottom_result, BaseException) or bottom <= 0:
        return "-"
    return f"{top / bottom:.1f}"


def bare_parser(ix) -> qparser.QueryParser:
    """The bare side's parser, as bench/search.py configures it."""
    parser = qparser.MultifieldParser(["title", "content"], schema=ix.schema)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.add_plugin(DateParserPlugin())
    return parser


def main() -> None:
    """Build (or reuse) both indexes, time queries of each size on both, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="number of transcripts to build (default 2,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="query sizes in words (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each of our timings, the best kept (bare Whoosh: one)")
    parser.add_argument("--reuse", type=Path, help="a folder kept by bench/search.py --keep (its archive/ and bare/)")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary folder, deleted)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    print(f"uptime: {uptime()}", flush=True)
    root = args.reuse or args.keep or Path(tempfile.mkdtemp(prefix="bench-query-scaling-"))
    try:
        run(args, root, sizes)
    finally:
        if not (args.reuse or args.keep):
            shutil.rmtree(root, ignore_errors=True)
    print(f"uptime: {uptime()}")


def run(args, root: Path, sizes: list[int]) -> None:
    """The measurements, on the indexes in ``root`` (built there first unless reused)."""
    archive = Archive(root / "archive", fsync=False)
    bare_path = root / "bare"
    if args.reuse:
        args.docs = archive.index.searcher().doc_count()
    else:
        bare_path.mkdir(parents=True)
        print(f"building {args.docs:,} synthetic transcripts into both indexes...", flush=True)
        spent = search_bench.build(args.docs, args.seed, archive, bare_path)
        print(f"  built in {spent['ours']:.1f} s (ours), {spent['bare']:.1f} s (bare)")
    ix = whoosh_index.open_dir(str(bare_path))
    searcher = ix.searcher()
    whoosh_parser = bare_parser(ix)

    def bare_search(text: str) -> int:
        results = searcher.search(whoosh_parser.parse(text), limit=10)
        return len(results)

    words = query_words(args.seed, max(sizes))
    archive.search(" ".join(words[:50]))  # warm both sides (searchers, caches)
    bare_search(" ".join(words[:50]))
    index = archive.index
    limits = index.max_query_chars, index.max_query_words
    index.max_query_chars, index.max_query_words = 10**9, 10**9  # measure past the limits

    print(f"\n{args.docs:,} transcripts; queries of distinct words (implicit AND); seconds (ours: best of {args.repeat}; bare: one run)")
    header = f"{'words':>6} {'chars':>7} | {'ours search':>11} {'ours parse':>10} | {'bare search':>14} {'bare parse':>10} | {'bare/ours':>9} {'parse b/o':>9} | {'growth ours':>11} {'bare':>6}"
    print(header)
    print("-" * len(header))
    previous = None
    for size in sizes:
        text = " ".join(words[:size])
        ours_search = best_of(args.repeat, archive.search, text)
        ours_parse = best_of(args.repeat, index.parse, text)
        bare_parse = timed(whoosh_parser.parse, text)
        bare_full = timed(bare_search, text)
        growth_ours = ratio(ours_search, previous[0]) if previous else ""
        growth_bare = ratio(bare_parse, previous[1]) if previous else ""
        print(
            f"{size:>6} {len(text):>7} | {shown(*ours_search):>11} {shown(*ours_parse):>10} | {shown(*bare_full):>14} {shown(*bare_parse):>10} | "
            f"{ratio(bare_full, ours_search):>9} {ratio(bare_parse, ours_parse):>9} | {growth_ours:>11} {growth_bare:>6}",
            flush=True,
        )
        previous = (ours_search, bare_parse)
    print("growth: time over the previous size's (ours: search; bare: parse); the words double, so ~2 is linear, ~4 quadratic")
    print("a bare RecursionError is Whoosh matching an And of that many words through a chain as deep")

    index.max_query_chars, index.max_query_words = limits
    print(f"\nwith the default limits ({MAX_QUERY_WORDS:,} words, {MAX_QUERY_CHARS:,} characters):")
    for size in sizes:
        text = " ".join(words[:size])
        seconds, result = timed(archive.search, text)
        outcome = f"refused in {seconds * 1000:.1f} ms: {result.reason}" if isinstance(result, QueryError) else f"searched in {seconds:.3f} s"
        print(f"  {size:>5} words ({len(text):,} characters): {outcome}")

    print("\nchained ANDNOT (a ANDNOT b ANDNOT c ...), parse only, seconds:")
    print(f"{'operators':>10} {'ours':>8} {'bare':>8}")
    for count in CHAINS:
        text = " ANDNOT ".join(words[: count + 1])
        ours = best_of(args.repeat, index.parse, text)
        bare = timed(whoosh_parser.parse, text)
        print(f"{count:>10} {shown(*ours):>8} {shown(*bare):>8}", flush=True)
    searcher.close()


if __name__ == "__main__":
    main()
