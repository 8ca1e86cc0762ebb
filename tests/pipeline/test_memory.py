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
