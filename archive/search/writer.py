"""Writing the indexes: the segment writer, the merge policy, one commit per batch.

Owns: ``write_records`` (add or replace records in both indexes, or replace everything
at commit time for a rebuild), ``TieredMerge`` (which segments a commit merges),
``WRITER_MEMORY_MB`` and ``_Writer`` (Whoosh's segment writer with its commit's length
look-ups cached).
Must not: decide whether an index must be created or rebuilt, or hold locks beyond one
commit (``index.SearchIndex`` does), or change what a document holds (``documents``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from whoosh.util.numeric import byte_to_length
from whoosh.writing import CLEAR, SegmentWriter

from oral_archive.schemas.record import Record

from .documents import index_document, speaker_documents
from .postings import ArchiveCodec
from .whoosh_internals import has_length_columns, lengths_column


class _SegmentLengths:
    """The new segment's field lengths, as the commit looks them up once per posting.

    Whoosh's per-document reader reads one byte from the lengths file per posting, and for
    a field without lengths (ids, numbers, facets) checks on disk, per posting, whether the
    file exists. Here each field's lengths are read once and kept in a list; the values
    are the reader's own.
    """

    def __init__(self, reader) -> None:
        self._reader = reader
        self._fields: dict[str, list | None] = {}

    def __getattr__(self, name):
        return getattr(self._reader, name)

    def _load(self, fieldname: str) -> list | None:
        column = lengths_column(self._reader, fieldname)
        if column is None:
            return None
        return [byte_to_length(b) if b else None for b in (column[d] for d in range(self._reader.doc_count_all()))]

    def doc_field_length(self, docnum, fieldname, default=0):
        try:
            lengths = self._fields[fieldname]
        except KeyError:
            lengths = self._fields[fieldname] = self._load(fieldname)
        if lengths is None:
            return default
        if 0 <= docnum < len(lengths):
            return lengths[docnum]
        return self._reader.doc_field_length(docnum, fieldname, default)


@dataclass(frozen=True)
class TieredMerge:
    """Whoosh merge policy: merge ``per_tier`` segments of one size tier into one of the next.

    A segment's tier is ``floor(log_per_tier(documents / smallest))``. When a tier holds
    ``per_tier`` segments they are merged, unless the result would exceed ``largest``
    documents. So each document is merged about once per tier, no commit merges more
    than ``largest`` documents, and segments stay few (at most ``per_tier - 1`` per
    tier, plus the ones too large to merge).

    Whoosh's own policy merges by a Fibonacci rule that every so often merges every
    segment at once: replayed over commits of 1,000 records, a commit near 100,000
    records rewrites all of them, one near 490,000 all 490,000. A merge costs about
    12 ms per record here (10 segments of 1,000 records: 122 s, both indexes), so its
    size is what bounds the slowest commit: 20 minutes and 1.6 hours for those two.
    """

    per_tier: int = 10
    smallest: int = 100
    largest: int = 25_000

    def tier(self, documents: int) -> int:
        tier, bound = 0, self.smallest * self.per_tier
        while documents >= bound:
            tier += 1
            bound *= self.per_tier
        return tier

    def __call__(self, writer, segments):
        from whoosh.reading import SegmentReader

        tiers: dict[int, list] = {}
        for segment in segments:
            tiers.setdefault(self.tier(segment.doc_count_all()), []).append(segment)
        for tier in sorted(tiers):
            merging = tiers[tier][: self.per_tier]
            if len(merging) < self.per_tier or sum(s.doc_count_all() for s in merging) > self.largest:
                continue
            for segment in merging:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                writer.add_reader(reader)
                reader.close()
            merged = {id(segment) for segment in merging}
            return [segment for segment in segments if id(segment) not in merged]
        return segments


MERGE_POLICY = TieredMerge()
# The writer's sorting pool (Whoosh's estimate: about 177 bytes a posting, measured 159
# held): with Whoosh's 128 MB a 10,000-document merge spills to disk (every posting
# pickled and read back), which doubled its time. A 10,000-record batch holds about 6
# million postings per index (``bench/index_profile.py``: 2.5 million for 2,000 records,
# both indexes), about 1,000 MB by that estimate: 1,024 MB spilled, and made the
# 10,000-record build of ``bench/search.py`` twice as slow (141.7 against about 75 s).
# With every word pair indexed a batch held 8.6 million, and 10,000 records took ten
# times as long as 2,000. Memory is only taken by that many postings: an ingest commits
# every 2,000 records (about 200 MB a pool); a rebuild or a large batch reaches the limit.
WRITER_MEMORY_MB = 1536


class _Writer(SegmentWriter):
    """Whoosh's segment writer with the commit's length lookups cached (``_SegmentLengths``)."""

    def per_document_reader(self):
        reader = super().per_document_reader()
        return _SegmentLengths(reader) if has_length_columns(reader) else reader


def open_writer(ix, timeout: float) -> _Writer:
    """A writer of ``ix`` with the archive's codec (Whoosh's ``LockError`` when another holds it)."""
    return _Writer(ix, timeout=timeout, limitmb=WRITER_MEMORY_MB, codec=ArchiveCodec())


def write_records(record_writer, speaker_writer, records: Iterable[Record], *, clear: bool, merge_policy: Callable) -> int:
    """Add or replace ``records`` in both indexes, one commit each; returns the count.

    With ``clear`` the existing documents are dropped at commit time (a rebuild). Any
    exception cancels both writers.
    """
    count = 0
    try:
        # Replacing costs a term lookup and a deletion per document; a rebuild or a
        # record new to the index only needs adding.
        indexed = record_writer.reader() if not clear else None
        for record in records:
            document = index_document(record)
            if indexed is not None and ("id", record.id) in indexed:
                record_writer.update_document(**document)
                speaker_writer.delete_by_term("id", record.id)
            else:
                record_writer.add_document(**document)
            for speaker_document in speaker_documents(record):
                speaker_writer.add_document(**speaker_document)
            count += 1
    except BaseException:
        record_writer.cancel()
        speaker_writer.cancel()
        raise
    if clear:
        record_writer.commit(mergetype=CLEAR)
        speaker_writer.commit(mergetype=CLEAR)
    else:
        record_writer.commit(mergetype=merge_policy)
        speaker_writer.commit(mergetype=merge_policy)
    return count
