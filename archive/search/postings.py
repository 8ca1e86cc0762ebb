"""The archive's posting codec, and reading posting lists a block at a time.

Owns: the layout of a block of record postings (``encode_block``, the ``ArchiveLeafMatcher``
decoding, ``BlockValues``), ``ArchiveCodec`` (the codec every archive index segment is
written and read with: it is pickled into each index's table of contents), and the
functions that read a term's postings as whole blocks (``all_ids``, ``term_blocks``).
Must not: name Whoosh's private attributes (``whoosh_internals`` plugs the layout into
Whoosh's classes and gives the block accessors), or know the archive's fields.

Whoosh's on-disk codec with posting blocks that are cheap to read.

Whoosh 3 writes each block of up to 128 postings as one zlib-compressed pickle (protocol
2) of three tuples: record ids, weights and values. Reading a block's record ids, which
counting hits, intersections and scoring need, therefore decompresses and unpickles its
word positions too, and protocol 2 unpickles each position value through
``codecs.encode``. Profiles of the 80,000-record benchmark put three quarters of a slow
query's time there.

``ArchiveCodec`` keeps everything else of ``W3Codec`` (term dictionary, block headers
with their skip data, columns, stored fields, vectors) and changes only the data of a
block of record postings:

* record ids: delta-encoded, as raw little-endian integers of the smallest type that
  holds them;
* weights (term frequencies): none when all are 1, one number when all are equal, else
  raw 8-bit integers when they fit, else raw 32-bit floats (what Whoosh keeps in memory);
* values (positions): one zlib-compressed string of the concatenated values with their
  lengths, decompressed only when a query reads positions (phrases).

The block is pickled with protocol 5, so each part unpickles as one ``bytes`` object. A
record's values are byte for byte Whoosh's own (``format.encode``), so phrase matching,
highlighting and merging read them unchanged. Posting lists start with their own magic
(``OAB1``), so a reader expecting Whoosh's layout fails loudly instead of misreading.
"""

from __future__ import annotations

import bisect
import sys
import zlib
from array import array
from collections.abc import Sequence
from itertools import accumulate
from pickle import dumps, loads

from whoosh.util.numlists import delta_encode

from .whoosh_internals import (
    BlockCodec,
    BlockLeafMatcher,
    BlockPostingsWriter,
    block_data,
    block_last_id,
    next_block,
    plain_postings,
    read_block_ids,
    remaining_block_ids,
)

BLOCK_MAGIC = b"OAB1"
_PICKLE_PROTOCOL = 5
_EMPTY_VALUES = ()


_BIG_ENDIAN = sys.byteorder == "big"  # arrays are stored little-endian, whatever the machine


def _array_bytes(values: array) -> bytes:
    if _BIG_ENDIAN:
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _array_of(code: str, raw: bytes) -> array:
    values = array(code, raw)
    if _BIG_ENDIAN:
        values.byteswap()
    return values


def _smallest_array(numbers) -> tuple[str, bytes]:
    """(typecode, raw bytes) of unsigned integers in the smallest array type holding them."""
    largest = max(numbers, default=0)
    code = "B" if largest < 1 << 8 else "H" if largest < 1 << 16 else "I" if largest < 1 << 32 else "Q"
    return code, _array_bytes(array(code, numbers))


def encode_block(ids, weights, values, fixed_value_size, compression: int) -> bytes:
    """The data of one block of record postings (``BLOCK_MAGIC`` layout)."""
    id_code, id_bytes = _smallest_array(list(delta_encode(ids)))
    if all(w == 1.0 for w in weights):
        packed_weights = None
    elif all(w == weights[0] for w in weights):
        packed_weights = float(weights[0])
    elif all(w.is_integer() and 0 <= w < 256 for w in weights):
        packed_weights = ("B", array("B", map(int, weights)).tobytes())
    else:
        packed_weights = ("f", _array_bytes(array("f", weights)))
    if fixed_value_size == 0 or not values:
        packed_values = None
    else:
        joined = b"".join(values)
        blob = zlib.compress(joined, compression) if compression else joined
        lengths = _smallest_array([len(v) for v in values]) if fixed_value_size is None or fixed_value_size < 0 else None
        packed_values = (blob, bool(compression), lengths)
    return dumps((id_code, id_bytes, packed_weights, packed_values), _PICKLE_PROTOCOL)


class ArchivePostingsWriter(BlockPostingsWriter):
    """``W3PostingsWriter`` writing record posting blocks in the ``BLOCK_MAGIC`` layout."""

    magic = BLOCK_MAGIC
    encode_block = staticmethod(encode_block)


class ArchiveLeafMatcher(BlockLeafMatcher):
    """``W3LeafMatcher`` over ``BLOCK_MAGIC`` blocks: ids and weights are read without
    touching the values, and the values are decompressed on first use."""

    magic = BLOCK_MAGIC

    def decode_block(self, data: bytes) -> tuple:
        id_code, id_bytes, weights, values = loads(data)
        return _array_of(id_code, id_bytes), weights, values

    def block_weights(self, weights, count: int):
        if weights is None:
            return array("f", [1.0]) * count
        if isinstance(weights, float):
            return array("f", [weights]) * count
        code, raw = weights
        return _array_of("f", raw) if code == "f" else array("f", _array_of(code, raw))

    def block_values(self, packed, fixedsize: int | None, count: int):
        if packed is None:
            return _EMPTY_VALUES
        blob, compressed, lengths = packed
        if lengths is None:
            if compressed:
                blob = zlib.decompress(blob)
            return tuple(blob[i : i + fixedsize] for i in range(0, len(blob), fixedsize))
        return BlockValues(blob, compressed, lengths)


class BlockValues(Sequence):
    """A block's variable-size values, decompressed and cut out only when asked for: a
    phrase reads the positions of a few candidate records of a block, not all 128."""

    __slots__ = ("_blob", "_compressed", "_ends")

    def __init__(self, blob: bytes, compressed: bool, lengths: tuple[str, bytes]) -> None:
        self._blob, self._compressed = blob, compressed
        self._ends = array("Q", accumulate(_array_of(*lengths)))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if self._compressed:
            self._blob, self._compressed = zlib.decompress(self._blob), False
        ends = self._ends
        end = ends[index]  # IndexError past the end, as a tuple's
        if index < 0:
            index += len(ends)
        return self._blob[ends[index - 1] if index else 0 : end]


class ArchiveCodec(BlockCodec):
    """``W3Codec`` whose record posting lists use ``ArchivePostingsWriter`` /
    ``ArchiveLeafMatcher``; term vectors (``byteids``) stay in Whoosh's layout."""

    writer_class = ArchivePostingsWriter
    matcher_class = ArchiveLeafMatcher


# -- reading posting lists a block at a time ------------------------------------------------
def blocks(postings):
    """Walk a whoosh3 posting list a block at a time (the matcher is positioned on each)."""
    while postings.is_active():
        read_block_ids(postings)
        yield postings
        next_block(postings)


def term_blocks(reader, fieldname: str, term: bytes, within: list[int] | None = None):
    """(blocks (``BlockData``: ids, and weights and values decoded when asked for), deleted
    records) of one term's postings, or None when they are not plain whoosh3 postings.

    With ``within`` (sorted record numbers), only the blocks whose range of records holds
    one of them are read: a block's last record is known before its data is unpickled.
    """
    postings, deleted = plain_postings(reader.postings(fieldname, term))
    if postings is None:
        return None
    found = []
    lowest = 0  # no record of this block comes before the previous block's last + 1
    while postings.is_active():
        if within is None or bisect.bisect_left(within, lowest) < bisect.bisect_right(within, block_last_id(postings)):
            found.append(block_data(postings))
        lowest = block_last_id(postings) + 1
        next_block(postings)
    return found, deleted


def all_ids(matcher):
    """A matcher's ids; a term's postings block by block instead of one ``next()`` each."""
    postings, deleted = plain_postings(matcher)
    if postings is None:
        return matcher.all_ids()  # a FilterMatcher itself leaves out its deleted records
    ids: list[int] = []
    for block in blocks(postings):
        ids.extend(remaining_block_ids(block))
    return [i for i in ids if i not in deleted] if deleted else ids
