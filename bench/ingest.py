"""Benchmark: end-to-end ingest (read, normalize, TEI, validate, store, index).

Generates transcripts from the real texts in ``seeds/`` and the dev corpus (every file
differs), ingests them into a fresh archive and prints records/s and MB/s, once in one
process and once with ``--workers`` worker processes preparing records.

    .venv/bin/python bench/ingest.py                 # 2,000 x ~3 KB and 200 x ~100 KB
    .venv/bin/python bench/ingest.py --scale 0.1     # a tenth of that, for a busy machine
    .venv/bin/python bench/ingest.py --workers 2 --keep /tmp/bench

The figures depend on the machine and on what else runs on it: print ``uptime`` next to them.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ORAL_ARCHIVE_SHARED", PROJECT.parent / "shared"))
SOURCE_FOLDERS = (PROJECT / "seeds", SHARED / "corpus-dev" / "files")
SWAPPED = 1 / 3  # share of words swapped in each generated paragraph


def source_texts() -> list[str]:
    """The real transcripts the generated ones are made from (URL lines removed).

    A URL would become the source key of every copy, making them versions of one record.
    """
    texts = []
    for folder in SOURCE_FOLDERS:
        for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
            lines = path.read_text(encoding="utf-8").splitlines()
            texts.append("\n".join(line for line in lines if "://" not in line and not line.startswith("www.")))
    if not texts:
        raise SystemExit(f"no source texts found in {', '.join(map(str, SOURCE_FOLDERS))}")
    return texts


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def write_transcripts(folder: Path, count: int, size: int, seed: int = 0, start: int = 0) -> list[Path]:
    """Write ``count`` distinct transcripts of about ``size`` bytes into ``folder``.

    Each keeps a real title line and real paragraphs (shuffled, padded with paragraphs of the
    other texts) and a line naming its number. One word in three of every paragraph is
    swapped for another word of the corpus, so that no two are copies of the same text:
    they share about a tenth of their 4-word shingles, far below what the archive takes for
    the same text (docs/duplicates.md), as different interviews do.
    """
    texts = source_texts()
    pools = [_paragraphs(t) for t in texts]
    every_paragraph = [p for pool in pools for p in pool[1:]] + [pool[0].partition("\n")[2].strip() for pool in pools if "\n" in pool[0]]
    vocabulary = sorted({w for p in every_paragraph for w in re.findall(r"[a-z]{5,}", p)})
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(start, start + count):
        rng = random.Random(f"{seed}-{number}")
        pool = pools[number % len(pools)]
        # the title is the first line; a text whose first block runs on into its body gives the rest as a paragraph
        title, _, first = pool[0].partition("\n")
        body = [first.strip(), *pool[1:]] if first.strip() else list(pool[1:])
        rng.shuffle(body)
        parts = [title, f"Session {number} of the collection, recorded for the archive."]
        length = sum(len(p) for p in parts)
        while length < size:
            paragraph = body.pop() if body else rng.choice(every_paragraph)
            paragraph = " ".join(rng.choice(vocabulary) if rng.random() < SWAPPED else word for word in paragraph.split(" "))
            parts.append(paragraph)
            length += len(paragraph) + 2
        path = folder / f"{number:05d}-{re.sub(r'[^a-z0-9]+', '-', title.lower()).strip('-')[:40]}.txt"
        path.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def run(inputs: Path, archive_path: Path, workers: int) -> tuple[int, float, float]:
    """Ingest ``inputs`` into a new archive; returns (records, megabytes, seconds)."""
    from oral_archive.archive import Archive
    from oral_archive.pipeline import ingest

    megabytes = sum(p.stat().st_size for p in inputs.iterdir()) / 1e6
    started = time.perf_counter()
    report = ingest([inputs], Archive(archive_path), workers=workers)
    elapsed = time.perf_counter() - started
    if report.rejected:
        raise SystemExit(f"{len(report.rejected)} inputs rejected, first: {report.rejected[0].reason}")
    stored = report.counts["ingested"] + report.counts["new-version"]
    if stored != len(report.results):
        raise SystemExit(f"expected every input stored once, got {dict(report.counts)}")
    return stored, megabytes, elapsed


def stage_times(inputs: Path, archive_path: Path, sample: int = 200) -> dict[str, float]:
    """Milliseconds per record for each part of ingest, measured one part at a time."""
    from oral_archive.archive import Archive
    from oral_archive.archive.store import NewVersion
    from oral_archive.archive.validation import validate_record
    from oral_archive.pipeline.decode import read_source
    from oral_archive.pipeline.stages import prepare

    paths = sorted(inputs.iterdir())[:sample]
    prepare(read_source(paths[0]))  # load lazily built tables (gazetteer...) outside the timing
    times: dict[str, float] = {}

    def timed(name, function):
        started = time.perf_counter()
        result = function()
        times[name] = (time.perf_counter() - started) * 1000 / len(paths)
        return result

    sources = timed("read", lambda: [read_source(p) for p in paths])
    prepared = timed("prepare (decode..TEI)", lambda: [prepare(s) for s in sources])
    jsons = [p.record.model_dump_json(indent=2).encode() for p in prepared]
    timed("validate", lambda: [validate_record(j, p.tei, s.data, "subset") for j, p, s in zip(jsons, prepared, sources)])
    archive = Archive(archive_path)
    versions = [NewVersion(p.record, p.tei, s.data, j) for p, s, j in zip(prepared, sources, jsons)]
    timed("store (batches of 64, durable)", lambda: [archive.store.write_versions(versions[i:i + 64]) for i in range(0, len(versions), 64)])
    timed("index (one commit)", lambda: archive.index.update([p.record for p in prepared]))
    timed("already-stored lookup table", lambda: archive.store.original_checksums())
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full sizes (2,000 small, 200 large); default 1")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for the parallel run (default 2)")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary folder)")
    parser.add_argument("--only", choices=["small", "large"], help="run one of the two sets")
    parser.add_argument("--stages", action="store_true", help="also time each part of ingest separately (first 200 inputs)")
    args = parser.parse_args(argv)
    work = args.keep or Path(tempfile.mkdtemp(prefix="oral-archive-bench-"))
    sets = {"small": (max(1, round(2000 * args.scale)), 3_000), "large": (max(1, round(200 * args.scale)), 100_000)}
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs; work folder {work}")
    try:
        for name, (count, size) in sets.items():
            if args.only and name != args.only:
                continue
            inputs = work / f"inputs-{name}"
            if not inputs.is_dir():
                write_transcripts(inputs, count, size, seed=1)
            if args.stages:
                shutil.rmtree(work / "archive-stages", ignore_errors=True)
                parts = stage_times(inputs, work / "archive-stages")
                print(f"{name:5} ms per record: " + ", ".join(f"{part} {ms:.2f}" for part, ms in parts.items()), flush=True)
            for workers in (1, args.workers):
                archive = work / f"archive-{name}-w{workers}"
                shutil.rmtree(archive, ignore_errors=True)
                records, megabytes, seconds = run(inputs, archive, workers)
                print(f"{name:5} {count:5} x ~{size // 1000:3} KB  workers={workers}: {records / seconds:7.1f} records/s  {megabytes / seconds:6.2f} MB/s  ({seconds:.1f} s)", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
