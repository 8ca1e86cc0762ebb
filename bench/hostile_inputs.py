"""Benchmark: how ingest scales with one large input, and what a huge one costs in memory.

Writes interview transcripts of 0.5, 1, 2 and 4 MB, as plain text and as TEI (speaker
turns made of the real paragraphs in ``seeds/`` and the dev corpus), ingests each one
alone into a fresh archive in a child process, and prints the time, the child's peak
memory (``VmHWM``), the time ratio to the next smaller size (about 2 when ingest is
linear, 4 when quadratic) and, for TEI, the ratio to parsing the same file with lxml
alone (the bare-library baseline). Then one 50 MB transcript (the default size limit)
for its peak memory, and a 200 MB file, which must be refused unread in a moment.

    .venv/bin/python bench/hostile_inputs.py                    # the above: 5-6 minutes on 2 CPUs, 4-5 of them the 50 MB run
    .venv/bin/python bench/hostile_inputs.py --big-mb 0         # without the 50 MB run: under 2 minutes
    .venv/bin/python bench/hostile_inputs.py --sizes 1 2 4 8 16 --big-mb 100

The figures depend on the machine and on what else runs on it: ``uptime`` is printed
next to them. Nothing is asserted here; tests/pipeline/test_hostile_inputs.py checks
linearity by counting operations.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

PROJECT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ORAL_ARCHIVE_SHARED", PROJECT.parent / "shared"))
SOURCE_FOLDERS = (PROJECT / "seeds", SHARED / "corpus-dev" / "files")
TITLE = "Oral history interview with Rosa Alvarez"
QUESTIONS = [
    "When did you start working there?",
    "What was the hardest part of the work in those years?",
    "How did your family take it?",
    "What changed after the strike?",
    "Who trained you when you started?",
]


def paragraphs() -> list[str]:
    """The real paragraphs the generated turns are made of (URL lines left out)."""
    found = []
    for folder in SOURCE_FOLDERS:
        for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
            text = path.read_text(encoding="utf-8")
            for paragraph in re.split(r"\n\s*\n", text):
                paragraph = " ".join(paragraph.split())
                if len(paragraph) > 80 and "://" not in paragraph and not paragraph.startswith("www."):
                    found.append(paragraph)
    if not found:
        raise SystemExit(f"no source texts found in {', '.join(map(str, SOURCE_FOLDERS))}")
    return found


def turns(size: int, seed: int = 0) -> list[tuple[str, str]]:
    """(speaker, text) turns adding up to about ``size`` bytes; words shuffled a little so
    that no two answers are equal (a real transcript does not repeat itself)."""
    rng = random.Random(seed)
    pool = paragraphs()
    out, total = [], 0
    while total < size:
        question = f"{rng.choice(QUESTIONS)} (part {len(out) // 2 + 1})"
        words = rng.choice(pool).split(" ")
        for _ in range(max(1, len(words) // 30)):
            i, j = rng.randrange(len(words)), rng.randrange(len(words))
            words[i], words[j] = words[j], words[i]
        answer = " ".join(words)
        out += [("INTERVIEWER", question), ("ALVAREZ", answer)]
        total += len(question) + len(answer) + 30
    return out


def write_text(path: Path, size: int) -> Path:
    lines = [TITLE, ""] + [f"{speaker}: {text}\n" for speaker, text in turns(size)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def write_tei(path: Path, size: int) -> Path:
    body = "".join(f'<u who="#{speaker.lower()}">{escape(text)}</u>\n' for speaker, text in turns(size))
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc>'
        f"<titleStmt><title>{TITLE}</title></titleStmt><publicationStmt><p>Unpublished</p></publicationStmt>"
        "<sourceDesc><p>Transcribed from a cassette.</p></sourceDesc></fileDesc><profileDesc><particDesc><listPerson>"
        '<person xml:id="alvarez" role="interviewee"><persName>Rosa Alvarez</persName></person>'
        '<person xml:id="interviewer" role="interviewer"><persName>Tom Reyes</persName></person>'
        f"</listPerson></particDesc></profileDesc></teiHeader><text><body>\n{body}</body></text></TEI>\n",
        encoding="utf-8",
    )
    return path


def child(path: Path, max_bytes: int | None) -> None:
    """Ingest one file into a fresh archive; print JSON: status, seconds, peak memory."""
    from oral_archive.archive import Archive
    from oral_archive.pipeline import ingest
    from oral_archive.pipeline.decode import read_source
    from oral_archive.pipeline.stages import prepare

    # Load the lazily built tables (gazetteer, word lists, schemas) outside the timing.
    prepare(read_source(PROJECT / "seeds" / "interview-with-law-enforcement-officer.txt"))
    folder = Path(tempfile.mkdtemp(prefix="oral-archive-hostile-"))
    try:
        archive = Archive(folder / "archive")
        started = time.perf_counter()
        report = ingest([path], archive, max_bytes=max_bytes)
        seconds = time.perf_counter() - started
        result = report.results[0]
        print(json.dumps({"status": result.status, "reason": result.reason, "seconds": seconds, "peak_mb": peak_memory_mb()}))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def peak_memory_mb() -> float:
    """This process's peak resident memory: ``VmHWM`` where Linux has it, as ``ru_maxrss``
    carries over the peak of the process that started this one (it survives ``exec``)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux, bytes on macOS


def run_child(path: Path, max_bytes: int | None) -> dict:
    command = [sys.executable, __file__, "--child", str(path), "--child-max-bytes", str(max_bytes or 0)]
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "ORAL_ARCHIVE_NLP": os.environ.get("ORAL_ARCHIVE_NLP", "off")})
    if done.returncode != 0:
        raise SystemExit(f"ingesting {path} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def lxml_parse_seconds(path: Path) -> float:
    from lxml import etree

    started = time.perf_counter()
    etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    return time.perf_counter() - started


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"load average {os.getloadavg()[0]:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.5, 1, 2, 4], help="input sizes in MB for the scaling runs")
    parser.add_argument("--formats", nargs="+", choices=["txt", "tei"], default=["txt", "tei"])
    parser.add_argument("--big-mb", type=float, default=50, help="size of the transcript measured for peak memory (0: skip)")
    parser.add_argument("--keep", type=Path, help="write the inputs here and keep them")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-max-bytes", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.child_max_bytes or None)
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="oral-archive-hostile-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"uptime: {uptime()}; {os.cpu_count()} CPUs; ORAL_ARCHIVE_NLP={os.environ.get('ORAL_ARCHIVE_NLP', 'off')}", flush=True)
    try:
        for fmt in args.formats:
            previous = None
            for megabytes in args.sizes:
                size = int(megabytes * 1_000_000)
                path = (write_tei if fmt == "tei" else write_text)(work / f"interview-{megabytes:g}mb.{'xml' if fmt == 'tei' else 'txt'}", size)
                result = run_child(path, None)
                if result["status"] not in ("ingested", "new-version"):
                    raise SystemExit(f"{path} was not stored: {result['reason']}")
                ratio = f"x{result['seconds'] / previous:.2f} for x{megabytes / previous_size:g} size" if previous else "-"
                line = f"{fmt:4} {megabytes:5g} MB: {result['seconds']:7.1f} s  {megabytes / result['seconds']:5.2f} MB/s  peak {result['peak_mb']:6.0f} MB  time {ratio}"
                if fmt == "tei":
                    parse = lxml_parse_seconds(path)
                    line += f"  (lxml parse {parse:.3f} s, ingest/parse x{result['seconds'] / parse:.0f})"
                print(line, flush=True)
                previous, previous_size = result["seconds"], megabytes
        if args.big_mb:
            path = write_text(work / f"interview-{args.big_mb:g}mb.txt", int(args.big_mb * 1_000_000))
            megabytes = path.stat().st_size / 1e6
            result = run_child(path, None)
            print(f"txt  {megabytes:5.1f} MB transcript: {result['status']} in {result['seconds']:.1f} s, peak memory {result['peak_mb']:.0f} MB (target: under 1024 MB)", flush=True)
        huge = work / "huge-200mb.txt"
        with huge.open("wb") as out:
            out.truncate(200_000_000)  # sparse: no 200 MB written to disk
        result = run_child(huge, 50_000_000)
        print(f"txt  200 MB with the default 50 MB limit: {result['status']} in {result['seconds']:.2f} s, peak memory {result['peak_mb']:.0f} MB: {result['reason']}", flush=True)
        print(f"uptime: {uptime()}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
