"""Benchmark: duplicate detection (archive/duplicates.py) at 100,000 records.

Prints figures; it is not a test. What it measures:

* signature time per record (mean, p95): ``signature_of(record)`` on records the real pipeline
  prepared from 3 KB texts, next to the time ``prepare`` took for each (the share of ingest
  the signature adds), and ``signature_of_text`` for every one of the N records;
* ``DuplicateIndex.rebuild`` time for N records, and its size on disk;
* lookup (``candidates``) p50/p95 at N records;
* recall on modified copies: the real corpus texts (seed, ../shared/corpus-dev,
  ../shared/corpus-excerpts) modified as another site publishes them (the six variants of
  tests/archive/test_duplicates.py, through the pipeline), plus synthetic copies (10% of
  sentences dropped, re-cased, a page marker and a URL inserted mid-sentence);
* false pairs: every pair at or above the threshold in the whole index that is not an
  original and its copy (the N synthetic texts, the real texts, the real texts in one site
  template);
* the same lookups against ``datasketch.MinHashLSH`` in memory (query + ``MinHash.jaccard``):
  time and memory.

The N synthetic texts are ~3 KB of words drawn (seeded, Zipf-weighted) from wordfreq's 30,000
most frequent English words, in sentences and paragraphs, so they do not overlap by accident
but share the common words real texts share.

    .venv/bin/python bench/duplicates.py [--records 100000] [--queries 1000] [--prepared 200]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import wordfreq
from datasketch import MinHashLSH

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))  # tests.archive.test_duplicates: the copy variants

from oral_archive.archive.duplicates import (
    DEFAULT_THRESHOLD,
    LSH_THRESHOLD,
    NUM_PERM,
    DuplicateIndex,
    normalize,
    signature_of,
    signature_of_text,
)
from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.stages import prepare

from tests.archive import test_duplicates as variants

TEXT_BYTES = 3000


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class TextMaker:
    def __init__(self, seed: int = 18) -> None:
        self.words = wordfreq.top_n_list("en", 30000)
        weights = [1 / (rank + 10) for rank in range(len(self.words))]
        self.cumulative = list(itertools.accumulate(weights))
        self.rng = random.Random(seed)

    def sentence(self) -> str:
        n = self.rng.randint(8, 22)
        words = self.rng.choices(self.words, cum_weights=self.cumulative, k=n)
        return " ".join(words).capitalize() + "."

    def text(self, size: int = TEXT_BYTES) -> list[list[str]]:
        """Paragraphs of sentences, about ``size`` bytes."""
        paragraphs, length = [], 0
        while length < size:
            paragraph = [self.sentence() for _ in range(self.rng.randint(3, 7))]
            length += sum(len(s) + 1 for s in paragraph)
            paragraphs.append(paragraph)
        return paragraphs


def as_text(paragraphs: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paragraphs)


def synthetic_copy(paragraphs: list[list[str]], rng: random.Random) -> str:
    """10% of sentences dropped, one paragraph in upper case, a page marker and a URL
    mid-sentence, a site header and footer."""
    sentences = [(i, j) for i, p in enumerate(paragraphs) for j in range(len(p))]
    gone = set(rng.sample(sentences, max(1, len(sentences) // 10)))
    kept = [[s for j, s in enumerate(p) if (i, j) not in gone] for i, p in enumerate(paragraphs)]
    kept[0] = [s.upper() for s in kept[0]]
    middle = kept[len(kept) // 2]
    words = " ".join(middle).split()
    half = len(words) // 2
    broken = " ".join(words[:half]) + "\n\nPage 2 of 3\nhttps://mirror.example/p/2\n\n" + " ".join(words[half:])
    body = "\n\n".join(broken if p is middle else " ".join(p) for p in kept if p)
    return "Home | Essays | Contact\n\n" + body + "\n\n© 2024 Mirror. All rights reserved.\n"


def bench_prepare_vs_signature(maker: TextMaker, count: int, folder: Path) -> tuple[list[float], list[float]]:
    """``prepare`` (read -> TEI bytes) of a 3 KB text vs ``signature_of`` its record, in CPU
    time of this process (the machine is shared: wall time would count other people's work)."""
    prepare_times, signature_times = [], []
    # warm up the pipeline (models, gazetteer, word lists) outside the timing
    prepare(read_source(variants.SEED_FILE))
    for i in range(count):
        path = folder / f"prepared-{i:04d}.txt"
        path.write_text(f"Interview number {i}\n\n" + as_text(maker.text()), encoding="utf-8")
        start = time.process_time()
        record = prepare(read_source(path)).record
        prepare_times.append(time.process_time() - start)
        start = time.process_time()
        signature_of(record)
        signature_times.append(time.process_time() - start)
    return prepare_times, signature_times


def bench_ingest(folder: Path) -> float:
    """CPU seconds per record of ``ingest`` (whole pipeline: prepare, store, index)."""
    from oral_archive.archive import Archive
    from oral_archive.pipeline import ingest

    files = sorted(folder.glob("prepared-*.txt"))
    archive = Archive(folder / "archive")
    start = time.process_time()
    report = ingest(files, archive)
    spent = time.process_time() - start
    done = len(files) - len(getattr(report, "rejected", []) or [])
    return spent / max(1, done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--prepared", type=int, default=200, help="3 KB texts run through prepare")
    parser.add_argument("--copies", type=int, default=1000, help="synthetic modified copies")
    args = parser.parse_args()

    print(f"uptime at start: {uptime()}")
    print(f"N = {args.records:,} records, num_perm {NUM_PERM}, threshold {DEFAULT_THRESHOLD}, LSH tuned for {LSH_THRESHOLD}")
    maker = TextMaker()
    with tempfile.TemporaryDirectory(prefix="bench-duplicates-") as tmp:
        folder = Path(tmp)

        # --- 1. signature vs prepare on real records
        prep, sig = bench_prepare_vs_signature(maker, args.prepared, folder)
        print(f"\nCPU time. prepare() of a 3 KB text, {len(prep)} records: mean {statistics.mean(prep) * 1e3:.1f} ms, p95 {pct(prep, 95) * 1e3:.1f} ms")
        print(f"signature_of(record):              mean {statistics.mean(sig) * 1e3:.2f} ms, p95 {pct(sig, 95) * 1e3:.2f} ms")
        print(f"  -> adds {statistics.mean(sig) / statistics.mean(prep) * 100:.1f}% to prepare (mean), {pct(sig, 95) / pct(prep, 95) * 100:.1f}% (p95) [target < 5% of ingest]")
        per_record = bench_ingest(folder)
        print(
            f"CPU time. ingest() of the same {len(prep)} files into a fresh archive (store, fixity, search index): "
            f"{per_record * 1e3:.1f} ms/record -> the signature adds {statistics.mean(sig) / per_record * 100:.1f}% [target < 5%]"
        )

        # --- 2. N synthetic records: signatures
        signatures: dict[str, object] = {}
        kept_texts: dict[str, list[list[str]]] = {}
        copy_of = set(random.Random(5).sample(range(args.records), min(args.copies, args.records)))
        times = []
        for i in range(args.records):
            paragraphs = maker.text()
            text = as_text(paragraphs)
            start = time.process_time()
            signatures[f"syn-{i:06d}"] = signature_of_text(normalize(text))
            times.append(time.process_time() - start)
            if i in copy_of:
                kept_texts[f"syn-{i:06d}"] = paragraphs
        print(f"\nCPU time. signature_of_text(normalize(3 KB text)) x {args.records:,}: mean {statistics.mean(times) * 1e3:.2f} ms, p95 {pct(times, 95) * 1e3:.2f} ms")

        # --- 3. the real texts, their copies through the pipeline, the same-template negatives
        real = {f"real-{p.stem}": signature_of(variants._original(str(p))) for p in variants.ALL_FILES}
        template = {}
        for p in variants.ALL_FILES:
            out = folder / f"template-{p.stem}.txt"
            out.write_text(variants.wrap_site(p.read_text(encoding="utf-8"), "paperhub"), encoding="utf-8")
            template[f"tmpl-{p.stem}"] = signature_of(variants.record_for(out))
        real_copies = []  # (original id, variant, signature)
        for p in variants.ALL_FILES:
            for name in variants.VARIANTS:
                real_copies.append((f"real-{p.stem}", name, signature_of(variants.variant_record(folder, p, name))))
        rng = random.Random(9)
        syn_copies = [(rid, "synthetic", signature_of_text(normalize(synthetic_copy(paragraphs, rng)))) for rid, paragraphs in kept_texts.items()]
        del kept_texts

        # --- 4. build the index
        index_path = folder / "duplicates.sqlite"
        index = DuplicateIndex(index_path)
        everything = itertools.chain(signatures.items(), real.items())
        start = time.perf_counter()
        count = index.rebuild(everything)
        build = time.perf_counter() - start
        size = sum(f.stat().st_size for f in folder.glob("duplicates.sqlite*"))
        print(f"\nDuplicateIndex.rebuild: {count:,} records in {build:.1f} s ({build / count * 1e6:.0f} µs/record); {size / 1e6:.1f} MB on disk ({size / count:.0f} B/record); {index.bands} bands x {index.rows} rows")

        # --- 5. lookups at N
        queries = [sig for _, _, sig in syn_copies[: args.queries // 2]]
        queries += [signature_of_text(normalize(as_text(maker.text()))) for _ in range(args.queries - len(queries))]  # unseen texts
        lookup = []
        for q in queries:
            start = time.perf_counter()
            index.candidates(q, DEFAULT_THRESHOLD)
            lookup.append(time.perf_counter() - start)
        print(f"lookup (candidates) at {count:,} records, {len(queries)} queries: p50 {pct(lookup, 50) * 1e3:.2f} ms, p95 {pct(lookup, 95) * 1e3:.2f} ms, max {max(lookup) * 1e3:.2f} ms [target p95 < 5 ms]")

        # --- 6. recall on modified copies
        def recall(copies):
            found = 0
            missed = []
            for original, name, sig in copies:
                hits = dict(index.candidates(sig, DEFAULT_THRESHOLD))
                if original in hits:
                    found += 1
                else:
                    missed.append((original, name, round(sig.jaccard(index.get(original)), 3)))
            return found, missed

        found, missed = recall(real_copies)
        print(f"\nrecall, real texts x 6 variants through the pipeline: {found}/{len(real_copies)} = {found / len(real_copies):.3f}; missed {missed}")
        by_variant = {}
        for original, name, sig in real_copies:
            by_variant.setdefault(name, []).append(sig.jaccard(real[original]))
        for name, values in by_variant.items():
            print(f"  {name:16s} estimated Jaccard min {min(values):.3f} mean {statistics.mean(values):.3f}")
        found, missed = recall(syn_copies)
        print(f"recall, synthetic copies (10% sentences dropped, case, page break, header/footer): {found}/{len(syn_copies)} = {found / max(1, len(syn_copies)):.3f}; missed {missed[:5]}")
        values = [sig.jaccard(signatures[rid]) for rid, _, sig in syn_copies]
        print(f"  estimated Jaccard min {min(values):.3f} mean {statistics.mean(values):.3f}")

        # --- 7. false pairs in the whole index, plus the same-template negatives
        start = time.perf_counter()
        pairs = list(index.pairs(DEFAULT_THRESHOLD))
        pairs_time = time.perf_counter() - start
        print(f"\nfalse pairs among the {count:,} different texts (index.pairs, {pairs_time:.1f} s): {len(pairs)} {pairs[:5]}")
        for name, sig in template.items():
            index.add(name, sig)
        false = [(a, b, s) for a, b, s in index.pairs(DEFAULT_THRESHOLD) if a[5:] != b[5:]]
        labelled = [(rid[5:], sig) for rid, sig in itertools.chain(real.items(), template.items())]
        worst = max(a.jaccard(b) for (na, a), (nb, b) in itertools.combinations(labelled, 2) if na != nb)
        print(f"false pairs with the real texts also posted in one site template: {len(false)} {false[:5]}; highest estimate between different interviews {worst:.3f}")
        index.close()

        # --- 8. datasketch MinHashLSH in memory, same signatures
        gc.collect()
        before = rss_mb()
        start = time.perf_counter()
        lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        minhashes = {}
        for rid, sig in itertools.chain(signatures.items(), real.items()):
            mh = sig.minhash()
            minhashes[rid] = mh
            lsh.insert(rid, mh, check_duplication=False)
        lsh_build = time.perf_counter() - start
        after = rss_mb()
        lsh_lookup = []
        for q in queries:
            mq = q.minhash()
            start = time.perf_counter()
            [(k, mq.jaccard(minhashes[k])) for k in lsh.query(mq) if mq.jaccard(minhashes[k]) >= DEFAULT_THRESHOLD]
            lsh_lookup.append(time.perf_counter() - start)
        print(
            f"\ndatasketch.MinHashLSH in memory (same {lsh.b} x {lsh.r} bands): build {lsh_build:.1f} s, "
            f"+{after - before:.0f} MB resident (index and the MinHashes it filters with), "
            f"lookup p50 {pct(lsh_lookup, 50) * 1e3:.3f} ms, p95 {pct(lsh_lookup, 95) * 1e3:.3f} ms"
        )
        print(f"this process's peak resident memory: {peak_mb():.0f} MB (includes the {args.records:,} signatures the bench itself keeps)")
    print(f"\nuptime at end: {uptime()}")


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


if __name__ == "__main__":
    main()
