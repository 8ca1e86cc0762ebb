"""Whoosh's on-disk codec with posting blocks that are cheap to read.

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

import sys
import zlib
from array import array
from collections.abc import Sequence
from itertools import accumulate
from pickle import dumps, loads

from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.matching import ListMatcher
from whoosh.util.numeric import length_to_byte
from whoosh.util.numlists import delta_encode

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


class ArchivePostingsWriter(W3PostingsWriter):
    """``W3PostingsWriter`` writing record posting blocks in the ``BLOCK_MAGIC`` layout."""

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(BLOCK_MAGIC)
        self._terminfo.add_block(self)
        databytes = encode_block(
            self._ids, self._weights, self._values, self._format.fixed_value_size(), self._compression
        )
        ids = self._ids
        # Whoosh's block header, unchanged: a reader skips blocks from it alone.
        infobytes = dumps(
            (len(ids), ids[-1], self._maxweight, 0, length_to_byte(self._minlength), length_to_byte(self._maxlength)),
            2,
        )
        length = len(infobytes) + len(databytes)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class ArchiveLeafMatcher(W3LeafMatcher):
    """``W3LeafMatcher`` over ``BLOCK_MAGIC`` blocks: ids and weights are read without
    touching the values, and the values are decompressed on first use."""

    def _read_header(self):
        postfile = self._postfile
        postfile.seek(self._startoffset)
        magic = postfile.read(4)
        if magic != BLOCK_MAGIC:
            raise ValueError(f"posting list at {self._startoffset} is not in the archive's block layout ({magic!r})")
        self._baseoffset = postfile.tell()

    def _read_data(self):
        id_code, id_bytes, weights, values = loads(self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset))
        # Deltas, like Whoosh's own _data[0], so W3LeafMatcher._read_ids sums them.
        self._data = (_array_of(id_code, id_bytes), weights, values)

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if weights is None:
            self._weights = array("f", [1.0]) * self._blocklength
        elif isinstance(weights, float):
            self._weights = array("f", [weights]) * self._blocklength
        else:
            code, raw = weights
            self._weights = _array_of("f", raw) if code == "f" else array("f", _array_of(code, raw))

    def _read_values(self):
        if self._data is None:
            self._read_data()
        fixedsize = self._fixedsize
        packed = self._data[2]
        if fixedsize == 0:
            self._values = (None,) * self._blocklength
        elif packed is None:
            self._values = _EMPTY_VALUES
        else:
            blob, compressed, lengths = packed
            if lengths is None:
                if compressed:
                    blob = zlib.decompress(blob)
                self._values = tuple(blob[i : i + fixedsize] for i in range(0, len(blob), fixedsize))
            else:
                self._values = BlockValues(blob, compressed, lengths)


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


class ArchiveCodec(W3Codec):
    """``W3Codec`` whose record posting lists use ``ArchivePostingsWriter`` /
    ``ArchiveLeafMatcher``; term vectors (``byteids``) stay in Whoosh's layout."""

    def postings_writer(self, dbfile, byteids=False):
        if byteids:
            return super().postings_writer(dbfile, byteids=True)
        return ArchivePostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=False,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        offset, length = terminfo.extent()
        return ArchiveLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
