"""Where a search-index build spends its time: a profile of ``SearchIndex.update``.

Usage::

    .venv/bin/python bench/index_profile.py                # 2,000 synthetic transcripts, one batch
    .venv/bin/python bench/index_profile.py --docs 5000 --top 40

Builds the same synthetic transcripts as ``bench/search.py`` (same generator and seed)
into a fresh archive index, once plainly and once under cProfile, then prints:

* the build time with and without the profiler (the profiler's own overhead inflates
  small functions, so the shares are a guide, not a measure);
* the time per stage, as the cumulative time of the function that does it: making a
  record's documents, analyzing text into terms and positions, Whoosh's ``add_document``
  (which includes the analysis, the sorting pool, stored fields and columns) and the
  commits (sorting the pool, writing posting blocks and the term dictionary);
* the ``--top`` functions by their own time;
* the on-disk size of each index, and the bytes each field's postings and terms take.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from search import folder_size, records  # noqa: E402  (bench/search.py: the same generator)

from oral_archive.archive import Archive  # noqa: E402


def build(count: int, seed: int, folder: Path, profile: bool) -> tuple[float, pstats.Stats | None, Archive]:
    batch = list(records(count, seed))
    archive = Archive(folder / "archive", fsync=False)
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    archive.index.update(batch)
    if profiler:
        profiler.disable()
    spent = time.perf_counter() - started
    return spent, (pstats.Stats(profiler, stream=io.StringIO()) if profiler else None), archive


def cumulative(stats: pstats.Stats, function: str, file_suffix: str) -> float:
    """Summed cumulative time of the functions of that name in files ending so.

    Recursive or nested calls of the same function are counted once by cProfile's
    cumulative figure, so for the stages below (never nested) the sum is the stage's time.
    """
    return sum(cum for (filename, _, name), (_, _, _, cum, _) in stats.stats.items() if name == function and filename.endswith(file_suffix))


def field_sizes(archive: Archive) -> list[tuple[str, str, int, int, int]]:
    """(index, field, posting bytes, term dictionary bytes, postings) per field, largest first."""
    from whoosh.codec.whoosh3 import W3TermInfo

    rows = []
    for name in ("records", "speakers"):
        ix = archive.index.open(name)
        sizes: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        with ix.reader() as reader:
            for leaf, _ in reader.leaf_readers():
                terms = leaf._terms  # the segment's term dictionary: (field number, term) -> term info
                for key, value in terms._tindex.items():
                    field = terms._fieldunmap[int.from_bytes(key[:2], "big")]
                    info = W3TermInfo.from_bytes(value)
                    row = sizes[field]
                    row[1] += len(key) + len(value)
                    row[2] += info.doc_frequency()
                    if not info.is_inlined():
                        row[0] += info.extent()[1][0]
        rows.extend((name, field, *row) for field, row in sizes.items())
    return sorted(rows, key=lambda row: -(row[2] + row[3]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="index-profile-") as plain_folder, tempfile.TemporaryDirectory(prefix="index-profile-") as profiled_folder:
        plain, _, archive = build(args.docs, args.seed, Path(plain_folder), profile=False)
        profiled, stats, _ = build(args.docs, args.seed, Path(profiled_folder), profile=True)
        print(f"{args.docs:,} records, one batch: {plain:.1f} s ({args.docs / plain:.0f} docs/s); under the profiler {profiled:.1f} s")
        rows = [
            ("documents of a record (index_document + speaker_documents)", cumulative(stats, "index_document", "documents.py") + cumulative(stats, "speaker_documents", "documents.py")),
            ("Whoosh add_document (analysis, pool, stored fields, columns)", cumulative(stats, "add_document", "writing.py")),
            ("  of which text analysis (our fields' index())", cumulative(stats, "index", "schema.py")),
            ("  of which adding postings to the sorting pool (PostingPool.add)", cumulative(stats, "add", "writing.py")),
            ("commits (sort the pool, write postings and terms)", cumulative(stats, "commit", "writing.py")),
            ("  of which writing posting blocks (encode_block)", cumulative(stats, "encode_block", "postings.py")),
        ]
        print(f"\n{'stage':66}{'seconds':>9}{'share':>8}")
        for label, seconds in rows:
            print(f"{label:66}{seconds:>9.2f}{seconds / profiled:>8.0%}")
        print(f"\ntop {args.top} functions by own time:")
        out = io.StringIO()
        stats.stream = out
        stats.sort_stats("tottime").print_stats(args.top)
        lines = out.getvalue().splitlines()
        print("\n".join(lines[next(i for i, line in enumerate(lines) if "ncalls" in line) :]))
        index_path = archive.path / "index"
        print(f"\nindex size {folder_size(index_path) / 1e6:.1f} MB; by field (postings + term dictionary):")
        for name, field, posting_bytes, term_bytes, postings in field_sizes(archive)[:16]:
            print(f"  {name:9}{field:22}{(posting_bytes + term_bytes) / 1e6:8.2f} MB{postings:>11,} postings")


if __name__ == "__main__":
    main()
