"""Benchmark: export N records in every format; print time and peak memory per format.

Builds an archive of N records (default 10,000) quickly by cloning real records (the
seed and the dev corpus, ingested once) under new ids straight into the store, without
fsync or indexing; then exports each format to a file, each in a fresh process so its
peak RSS (``VmHWM``) is its own; "before" is the RSS once the libraries are loaded. To show that memory is flat, every format is also
exported for a tenth of the records: the two peaks should be about the same.

    .venv/bin/python bench/export.py                       # 10,000 records
    .venv/bin/python bench/export.py --records 2000        # for a busy machine
    .venv/bin/python bench/export.py --tracemalloc         # also Python heap peak (slower)
    .venv/bin/python bench/export.py --keep /tmp/bench-export

Target (issue 8): flat memory, peak under 200 MB. Timings depend on the machine and on
what else runs on it: print ``uptime`` next to them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ORAL_ARCHIVE_SHARED", PROJECT.parent / "shared"))
FORMATS = ("oai_dc", "mods", "csv", "jsonl", "tei-corpus")
TARGET_MB = 200


def build(path: Path, count: int) -> float:
    """An archive of ``count`` records cloned from the real ones; returns seconds taken."""
    from oral_archive.archive import Archive
    from oral_archive.pipeline import ingest

    started = time.perf_counter()
    sources = [PROJECT / "seeds", *sorted((SHARED / "corpus-dev" / "files").iterdir())]
    template_archive = Archive(path.parent / "templates", fsync=False)
    ingest(sources, template_archive)
    templates = [(template_archive.get(i), template_archive.tei(i), template_archive.original(i)) for i in template_archive.ids()]
    archive = Archive(path, fsync=False)
    for number in range(count):
        record, tei, original = templates[number % len(templates)]
        # Only the id changes: exports read record.json and the TEI, never re-validate them.
        clone = record.model_copy(update={"id": f"bench-{number:06d}"})
        archive.store.write_version(clone, tei, original)
    shutil.rmtree(path.parent / "templates")
    return time.perf_counter() - started


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc (``VmHWM`` peak, ``VmRSS`` now), in MB.

    Not ``ru_maxrss``: Linux carries that over ``execve`` from the parent, so a child
    started by a parent that built the archive would report the parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: best effort


def export_one(archive_path: Path, fmt: str, limit: int | None, output: Path, trace: bool) -> dict:
    """Export in this process (a child of the benchmark) and measure it."""
    import tracemalloc

    from oral_archive.archive import Archive
    from oral_archive.archive.export import atomic_output

    archive = Archive(archive_path, create=False)
    ids = archive.ids()[:limit] if limit else None
    baseline = _status_mb("VmRSS")  # interpreter, lxml, pydantic, whoosh loaded
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with atomic_output(output) as handle:
        count = archive.export(fmt, handle, ids)
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
    return {"format": fmt, "records": count, "seconds": seconds, "baseline_mb": baseline, "peak_rss_mb": _status_mb("VmHWM"), "tracemalloc_peak_mb": traced, "output_mb": output.stat().st_size / 2**20}


def run_child(archive_path: Path, fmt: str, limit: int | None, output: Path, trace: bool) -> dict:
    command = [sys.executable, __file__, "--child", fmt, "--archive", str(archive_path), "--output", str(output)]
    command += ["--limit", str(limit)] if limit else []
    command += ["--tracemalloc"] if trace else []
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000, help="archive size (default 10000)")
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated formats")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the Python heap (slows the export)")
    parser.add_argument("--keep", type=Path, help="build the archive here and keep it (reused if it exists)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--archive", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(export_one(args.archive, args.child, args.limit, args.output, args.tracemalloc)))
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-export-"))
    archive_path = work / "archive"
    try:
        if (archive_path / "records").is_dir() and len(list((archive_path / "records").iterdir())) == args.records:
            print(f"reusing {archive_path} ({args.records} records)")
        else:
            shutil.rmtree(archive_path, ignore_errors=True)
            work.mkdir(parents=True, exist_ok=True)
            print(f"built {args.records} records in {build(archive_path, args.records):.1f} s ({archive_path})")
        print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        small = max(1, args.records // 10)
        header = f"{'format':<11} {'records':>7} {'seconds':>8} {'rec/s':>7} {'output MB':>9} {'before MB':>9} {'peak RSS MB':>11} {'RSS at N/10':>11}"
        header += f" {'heap peak MB':>12}" if args.tracemalloc else ""
        print(header)
        worst = 0.0
        for fmt in args.formats.split(","):
            output = work / f"export.{fmt}"
            full = run_child(archive_path, fmt, None, output, args.tracemalloc)
            tenth = run_child(archive_path, fmt, small, output, False)
            worst = max(worst, full["peak_rss_mb"])
            line = (
                f"{fmt:<11} {full['records']:>7} {full['seconds']:>8.1f} {full['records'] / full['seconds']:>7.0f} "
                f"{full['output_mb']:>9.1f} {full['baseline_mb']:>9.1f} {full['peak_rss_mb']:>11.1f} {tenth['peak_rss_mb']:>11.1f}"
            )
            line += f" {full['tracemalloc_peak_mb']:>12.1f}" if args.tracemalloc else ""
            print(line, flush=True)
        print(f"worst peak RSS {worst:.1f} MB (target < {TARGET_MB} MB): {'ok' if worst < TARGET_MB else 'OVER TARGET'}")
        return 0 if worst < TARGET_MB else 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
