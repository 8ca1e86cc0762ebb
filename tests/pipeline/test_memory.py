"""Memory of a long transcript: no stage holds many copies of its text at once.

A 50 MB transcript is the default size limit; what one stage allocates per character of
it is what decides whether ingesting it fits in memory. Checked by tracemalloc peaks and
by what stays reachable, never by time (bench/hostile_inputs.py prints the figures).
"""

from __future__ import annotations

import gc
import random
import re
import tracemalloc
import weakref
from pathlib import Path

from oral_archive.pipeline.decode import decode
from oral_archive.pipeline.document import (
    Block,
    CleanedText,
    DecodedText,
    Document,
    Source,
    Text,
)
from oral_archive.pipeline.extract import extract
from oral_archive.pipeline.extract.common import BlockTexts
from oral_archive.pipeline.extract.language import identify_language
from oral_archive.pipeline.readers import read_document
from oral_archive.pipeline.topics import extract_topics

from ..conftest import SEED, corpus_files

SIZE = 3_000_000  # characters of the synthetic transcript


def _words() -> list[str]:
    text = " ".join(path.read_text(encoding="utf-8", errors="replace") for path in [SEED, *corpus_files()] if path.suffix == ".txt")
    return re.findall(r"\S+", text)


def long_transcript(size: int = SIZE) -> Document:
    """Turns of real words, shuffled (no two alike), about ``size`` characters in all, built
    straight into a document: what extraction reads, without the stages before it."""
    rng = random.Random(7)
    words = _words()
    blocks: list[Block] = []
    total = 0
    while total < size:
        start = rng.randrange(len(words) - 80)
        turn = words[start: start + rng.randrange(20, 80)]
        rng.shuffle(turn)
        text = " ".join(turn)
        blocks.append(Block(f"u{len(blocks) + 1}", "u", [Text(text)], len(blocks) + 1, "NARRATOR", "narrator"))
        total += len(text) + 1
    source = Source(Path("long.txt"), b"", "0" * 64, "text/plain")
    return Document(CleanedText(DecodedText(source, "", "utf-8"), []), [], [], blocks)


def traced_peak(function, *args) -> tuple[object, int]:
    """(what ``function`` returns, the most memory it held at once beyond what it returns)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = function(*args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak


def test_topics_of_a_long_transcript_take_memory_by_vocabulary_not_by_length() -> None:
    # one tuple and one string per word of the text took about 27 bytes per character; now
    # the words and pairs counted take about one (shuffled words make many distinct pairs)
    extract_topics(long_transcript(20_000))  # loads the word list (about 30 MB, once per process)
    document = long_transcript()
    topics, peak = traced_peak(extract_topics, document)
    assert topics  # the real words make topics
    assert peak < 2 * SIZE, f"extract_topics held {peak:,} bytes at once for {SIZE:,} characters"


def test_the_language_of_a_long_transcript_is_read_without_a_copy_of_it() -> None:
    # joining the blocks and listing every word took about 20 bytes per character
    identify_language("a few words to load the tables once")
    document = long_transcript()
    (language, why), peak = traced_peak(identify_language, BlockTexts(document.blocks))
    assert language == "en", why
    assert peak < SIZE // 2, f"identify_language held {peak:,} bytes at once for {SIZE:,} characters"
    # the same answer as reading the text joined into one string
    assert identify_language(" ".join(b.text for b in document.blocks)) == (language, why)


def test_extraction_keeps_no_document_alive() -> None:
    """The rules' per-document memos must not hold a document (many times its text) once
    the caller lets it go."""
    document = read_document(Source(SEED, SEED.read_bytes(), "0" * 64, "text/plain"))
    extract(document)
    gone = weakref.ref(document)
    del document
    gc.collect()
    assert gone() is None


def test_a_text_document_does_not_hold_its_decoded_text() -> None:
    source = Source(SEED, SEED.read_bytes(), "0" * 64, "text/plain")
    document = read_document(source)
    decoded = document.cleaned.decoded
    assert "text" not in vars(decoded)  # released once the lines and blocks were built
    assert decoded.text == decode(source).text  # and made again when asked for


def test_the_decoded_text_is_released_before_the_blocks_are_built(monkeypatch) -> None:
    """Structure builds the blocks from the cleaned lines: the decoded copy of the text (four
    bytes a character for a text with one emoji) is gone by then."""
    from oral_archive.pipeline.readers import text as text_reader

    seen = []
    real = text_reader.structure

    def structure(cleaned: CleanedText, *args):
        seen.append("text" in vars(cleaned.decoded))
        return real(cleaned, *args)

    monkeypatch.setattr(text_reader, "structure", structure)
    read_document(Source(SEED, SEED.read_bytes(), "0" * 64, "text/plain"))
    assert seen == [False]


def test_prepared_documents_release_their_lines_once_the_record_is_assembled() -> None:
    import pytest

    from oral_archive.pipeline.decode import read_source
    from oral_archive.pipeline.stages import prepare

    prepared = prepare(read_source(SEED))
    assert prepared.document.blocks and prepared.record.segments
    with pytest.raises(RuntimeError, match="released"):
        list(prepared.document.cleaned.lines)


def test_validation_reads_the_record_back_while_the_built_one_is_gone(monkeypatch) -> None:
    """Ingest serializes the record, drops it, and keeps the one validation reads back from
    the JSON: two records of a long transcript at once were the largest part of its peak."""
    import sys

    from oral_archive.pipeline.decode import read_source

    ingest_module = sys.modules["oral_archive.pipeline.ingest"]  # the package's ``ingest`` is the function
    built: list[weakref.ref] = []
    alive_at_validation: list[bool] = []
    real_prepare, real_validation = ingest_module.prepare, ingest_module.read_valid_record

    def prepare(*args, **kwargs):
        prepared = real_prepare(*args, **kwargs)
        built.append(weakref.ref(prepared.record))
        return prepared

    def read_valid_record(*args):
        gc.collect()
        alive_at_validation.append(built[0]() is not None)
        return real_validation(*args)

    monkeypatch.setattr(ingest_module, "prepare", prepare)
    monkeypatch.setattr(ingest_module, "read_valid_record", read_valid_record)
    outcome = ingest_module.prepare_one(read_source(SEED))
    assert alive_at_validation == [False]
    assert outcome.record is not None and outcome.record_json == outcome.record.__pydantic_serializer__.to_json(outcome.record, indent=2)


def test_release_freed_memory_gives_the_heaps_free_pages_back() -> None:
    """Objects of a kilobyte come from glibc's heap: freed, the pages stay with the process
    (one live object above them holds the heap's top) until ``malloc_trim`` returns them."""
    import pytest

    from oral_archive.pipeline.memory import _malloc_trim, release_freed_memory

    if _malloc_trim() is None:
        pytest.skip("not glibc: nothing to trim with")

    def resident_mb() -> float:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

    release_freed_memory()
    chunks = [bytes(1000) + bytes([i % 256]) for i in range(150_000)]  # about 150 MB
    keeper = bytes(1000) + b"top"
    before = resident_mb()
    del chunks
    gc.collect()
    freed = resident_mb()
    release_freed_memory()
    after = resident_mb()
    assert keeper and after < freed - 100, (before, freed, after)
