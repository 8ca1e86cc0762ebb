"""Compatibility: ``ArchiveCodec`` now lives in ``archive/search/postings.py``.

Index segments written before the move name ``oral_archive.archive.postings.ArchiveCodec``
in their pickled table of contents; since ``INDEX_FORMAT`` 9 such an index is rebuilt
rather than read, so this alias can go once no index of format 8 needs to be opened.
"""

from oral_archive.archive.search.postings import (  # noqa: F401
    BLOCK_MAGIC,
    ArchiveCodec,
    ArchiveLeafMatcher,
    ArchivePostingsWriter,
    BlockValues,
    encode_block,
)
