"""Benchmark: MB/s of normalize + structure (``document_from``: read, decode, clean, structure).

The corpus (10 MB by default) is built from real files only: the seed, the development
corpus in ../shared/corpus-dev/files, and the format fixtures (WebVTT, SubRip, TEI,
Markdown, UTF-16, cp1252, mojibake, page-break files; public caption files with Netflix,
auto-generated rolling and malformed cues) plus a .docx written with
python-docx from the seed's paragraphs. Each format fills its share of the bytes
(``SHARES``); within a format, half of the bytes are the files as they are (many small
documents), half long documents made by repeating a file's text (an hour-long transcript
is 50-200 KB), so that both per-document overhead and anything worse than linear in a
document's length show. Time is CPU time of this one process (the machine is shared).
Target: >= 5 MB/s.

    .venv/bin/python bench/normalize.py [--mb 10] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import pstats
import sys
import time
from pathlib import Path

import docx

from oral_archive.pipeline.clean import Vocabulary
from oral_archive.pipeline.document import Source
from oral_archive.pipeline.readers import format_for
from oral_archive.pipeline.stages import document_from

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"
TARGET_MB_S = 5.0
LONG_SIZE = 120_000  # a long document: a 2 KB file repeated 60 times


CAPTION_FILES = [
    "webvttpy-netflix_chicas_del_cable.vtt", "webvttpy-youtube_dl.vtt", "ragtitles-yt-dlp-auto.vtt", "webvttpy-comments.vtt",
    "webvttpy-cue_tags.vtt", "webvttpy-sample.srt", "webvttpy-missing_timeframe.srt",
]


def real_files() -> list[Path]:
    files = sorted((PROJECT / "seeds").glob("*.txt")) + sorted((SHARED / "corpus-dev" / "files").iterdir())
    fixtures = PROJECT / "tests" / "fixtures" / "normalize"
    files += [p for p in sorted(fixtures.iterdir()) if not p.name.startswith("xxe")]
    # real caption files from public test suites: Netflix and auto-generated (rolling) captions
    captions = PROJECT / "tests" / "fixtures" / "captions"
    files += [captions / name for name in CAPTION_FILES if (captions / name).exists()]
    if not files:
        sys.exit("no input files found (seeds/, ../shared/corpus-dev/files, tests/fixtures/normalize)")
    return files


def docx_bytes() -> bytes:
    """A Word transcript built from the seed's paragraphs, with bold speaker labels."""
    paragraphs = [p for p in (PROJECT / "seeds").glob("*.txt").__next__().read_text(encoding="utf-8").split("\n\n") if p.strip()]
    document = docx.Document()
    document.add_paragraph("Interview transcript", style="Title")
    for index, text in enumerate(paragraphs * 20):  # ~55 KB of text: an hour-long interview
        paragraph = document.add_paragraph()
        paragraph.add_run("Interviewer:" if index % 2 == 0 else "Narrator:").bold = True
        paragraph.add_run(" " + text.strip())
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def source(name: str, data: bytes) -> Source:
    path = Path(name)
    return Source(path, data, hashlib.sha256(data).hexdigest(), format_for(path).media_type)


def long_version(path: Path, data: bytes) -> bytes | None:
    """The file repeated as one long document of the same format, or None where that is not possible.

    Text and Markdown: the body after the header block, repeated. Captions: the cues after
    the header (WebVTT) or all cues (SubRip), repeated (parsers take repeated times).
    """
    if b"\x00" in data:  # UTF-16 cannot be cut at b"\n\n"
        return None
    repeats = LONG_SIZE // len(data)
    if repeats < 2:  # long as it is (an hour of Netflix captions)
        return None
    suffix = path.suffix.lower()
    if suffix in {".txt", ".md"}:
        head, _, body = data.partition(b"\n\n")
        return head + b"\n\n" + b"\n\n".join([body] * repeats)
    if suffix == ".vtt":
        head, _, cues = data.partition(b"\n\n")
        return head + b"\n\n" + b"\n\n".join([cues.strip(b"\n")] * repeats) + b"\n"
    if suffix == ".srt":
        return b"\n\n".join([data.strip(b"\n")] * repeats) + b"\n"
    return None


# Share of the corpus's bytes per format: what an oral-history archive mostly receives
# (plain-text and Word transcripts), with every other format present.
SHARES = {".txt": 0.55, ".docx": 0.20, ".md": 0.05, ".vtt": 0.07, ".srt": 0.07, ".xml": 0.06}


def corpus(megabytes: float) -> list[Source]:
    """Sources filling each format's share of the budget, half as found and half long."""
    budget = megabytes * 1_000_000
    files = [(p, p.read_bytes()) for p in real_files()] + [(Path("transcript.docx"), docx_bytes())]
    sources: list[Source] = []
    for suffix, share in SHARES.items():
        group = [(p, d) for p, d in files if p.suffix.lower() == suffix]
        longs = [(p, long) for p, d in group if (long := long_version(p, d)) is not None]
        plan = [(group, share * budget / 2), (longs, share * budget / 2)] if longs else [(group, share * budget)]
        for members, target in plan:
            size, n = 0, 0
            while size < target:
                path, data = members[n % len(members)]
                sources.append(source(f"{len(sources)}-{path.name}", data))
                size += len(data)
                n += 1
    return sources


def run(sources: list[Source], per_type: dict[str, float], per_size: dict[str, float]) -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds): CPU time is the one-core figure on a shared machine."""
    cpu, wall = time.process_time(), time.perf_counter()
    for src in sources:
        before = time.process_time()
        document_from(src)
        spent = time.process_time() - before
        per_type[src.media_type] = per_type.get(src.media_type, 0.0) + spent
        per_size[_size_class(src)] = per_size.get(_size_class(src), 0.0) + spent
    return time.process_time() - cpu, time.perf_counter() - wall


def _size_class(src: Source) -> str:
    return "long documents (>= 20 KB)" if len(src.data) >= 20_000 else "short documents (< 20 KB)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="corpus size in MB (default 10)")
    parser.add_argument("--profile", action="store_true", help="print the 25 most expensive functions")
    args = parser.parse_args()

    sources = corpus(args.mb)
    total = sum(len(s.data) for s in sources)
    # one-time costs outside the timing: imports of every reader, wordfreq's list (~0.3 s)
    for kind in {s.media_type: s for s in sources}.values():
        document_from(kind)
    Vocabulary("", None)._lexicon and Vocabulary("", None)._lexicon("word")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
    per_type: dict[str, float] = {}
    per_size: dict[str, float] = {}
    elapsed, wall = run(sources, per_type, per_size)
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    by_kind: dict[str, int] = {}
    for s in sources:
        by_kind[s.media_type] = by_kind.get(s.media_type, 0) + len(s.data)
    print(f"corpus: {len(sources)} documents, {total / 1e6:.2f} MB")
    for kind, size in sorted(by_kind.items()):
        print(f"  {kind:<72} {size / 1e6:6.2f} MB {size / 1e6 / max(per_type[kind], 1e-9):7.2f} MB/s")
    by_size: dict[str, int] = {}
    for s in sources:
        by_size[_size_class(s)] = by_size.get(_size_class(s), 0) + len(s.data)
    for kind, size in sorted(by_size.items()):
        count = sum(1 for s in sources if _size_class(s) == kind)
        print(f"  {kind:<72} {size / 1e6:6.2f} MB {size / 1e6 / max(per_size[kind], 1e-9):7.2f} MB/s ({count} documents)")
    rate = total / 1e6 / elapsed
    print(f"normalize+structure: {elapsed:.2f} s CPU ({wall:.2f} s wall), {rate:.2f} MB/s on one core (target >= {TARGET_MB_S} MB/s)")
    if rate < TARGET_MB_S:
        print("below target")


if __name__ == "__main__":
    main()
