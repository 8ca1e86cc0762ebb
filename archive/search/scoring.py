"""Ranking: Whoosh's BM25F with each segment's field lengths read once.

Owns: ``BM25FWithLengthTable`` and ``segment_field_lengths`` (kept on the segment reader).
Must not: change a score (``tests/archive/test_scoring.py`` compares with ``BM25F``).
"""

from __future__ import annotations

from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from .whoosh_internals import segment_lengths_column, stored_column_bytes

# A length byte's value as W3PerDocReader.doc_field_length gives it (None for 0: no length).
_LENGTH_OF_BYTE = [byte_to_length(b) if b else None for b in range(256)]


def segment_field_lengths(reader, fieldname: str) -> list | None:
    """Every record's length of ``fieldname`` in one segment (what ``doc_field_length``
    gives per record), or None when the segment keeps no lengths for it.

    Read once per segment reader, kept on it (a searcher keeps its segment readers, so
    once per index generation): the column's bytes in one read, decoded through a table.
    """
    cache = reader.__dict__.setdefault("_oral_archive_lengths", {})
    if fieldname not in cache:
        column = segment_lengths_column(reader, fieldname)
        if column is None:
            cache[fieldname] = None
        else:
            count = reader.doc_count_all()
            table = _LENGTH_OF_BYTE
            lengths = [table[b] for b in stored_column_bytes(column, count)]
            lengths += [table[column[docnum]] for docnum in range(len(lengths), count)]  # past the column's end: its default
            cache[fieldname] = lengths
    return cache[fieldname]


class BM25FWithLengthTable(BM25F):
    """Whoosh's BM25F (same scores) with each record's field length taken from a list
    read once per segment (``segment_field_lengths``), not from the lengths file through
    three method calls for every scored record: a fifth of a broad query's time."""

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        reader = searcher.reader()
        if getattr(scorer, "dfl", None) is not None and isinstance(reader, SegmentReader):
            lengths = segment_field_lengths(reader, fieldname)
            if lengths is not None:
                scorer.dfl = lengths.__getitem__
        return scorer
