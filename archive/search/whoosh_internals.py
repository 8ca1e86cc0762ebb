"""Everything the search package knows of Whoosh's insides, pinned to whoosh-reloaded 2.7.5.

Owns: every use of a name Whoosh keeps private (``_``-prefixed attributes, methods and
module names), and the classes that override them: Whoosh 3's posting writer, posting
matcher and codec opened for another block layout (``BlockPostingsWriter``,
``BlockLeafMatcher``, ``BlockCodec``), a sorted-id matcher that skips by bisection, the
accessors of a posting list's current block, of a segment's field-length column and of
a stemming filter's function, the decoding of Whoosh's position values, and the query
parser's operator groups rebuilt for a 2.7.5 defect. At import it checks that the
installed Whoosh is the version this was written against (``EXPECTED_WHOOSH``) and
refuses to load otherwise, naming both versions.

Must not: change anything of Whoosh's own classes or modules (no assignment to a Whoosh
attribute: our behaviour comes through subclasses that only our codec, schema and parser
instantiate, so any other Whoosh index in the process runs as Whoosh ships it), or know
anything of the archive (records, fields, the block layout of ``postings``).

Other modules reproduce 2.7.5 behaviour through public API only, each checked against
Whoosh itself by a test, so an upgrade that changes it fails a test rather than search:

* ``parsing.normalize_query``: ``Query.normalize`` (``test_query_limits``);
* ``queries``: ``DateRange``, ``NumericRange``, ``Phrase`` (``test_search``, ``test_index_analysis``);
* ``counting``: ``Searcher.docs_for_query`` and grouping facets (``test_search``, ``test_query_limits``);
* ``scoring.BM25FWithLengthTable``: ``BM25F`` (``test_scoring``);
* ``postings.ArchiveCodec``: ``W3Codec``'s postings (``test_postings``);
* ``index.SearchIndex.searcher`` opens a new searcher rather than ``Searcher.refresh``
  (2.7.5 keeps old segments after a ``CLEAR`` commit), and ``snippets.snippet_terms``
  expands leaves itself rather than ``Query.existing_terms`` (2.7.5 skips leaves).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from itertools import accumulate
from pickle import dumps, loads

import whoosh
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3LeafMatcher, W3PostingsWriter, _lenfield
from whoosh.matching import FilterMatcher, ListMatcher, ReadTooFar
from whoosh.qparser import OperatorsPlugin, syntax
from whoosh.query import NullQuery
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import length_to_byte

EXPECTED_WHOOSH = "2.7.5"


class WhooshVersionError(ImportError):
    """The installed Whoosh is not the version the search package was written against."""


def installed_version() -> str:
    """The version of the Whoosh that is imported (``whoosh.versionstring()``)."""
    return whoosh.versionstring()


def check_version() -> None:
    """Raise ``WhooshVersionError`` unless the installed Whoosh is ``EXPECTED_WHOOSH``."""
    found = installed_version()
    if found != EXPECTED_WHOOSH:
        raise WhooshVersionError(
            f"oral-archive's search index needs whoosh-reloaded {EXPECTED_WHOOSH}, but Whoosh {found} is installed "
            f"(archive/search/whoosh_internals.py uses its private names); install whoosh-reloaded=={EXPECTED_WHOOSH}"
        )


check_version()


# -- posting blocks -----------------------------------------------------------------------
class BlockPostingsWriter(W3PostingsWriter):
    """``W3PostingsWriter`` writing each block's data with ``encode_block`` after a
    posting list's ``magic``; Whoosh's block header is unchanged, so a reader skips blocks
    from it alone. A subclass sets ``magic`` and ``encode_block``."""

    magic: bytes
    encode_block = None  # (ids, weights, values, fixed value size, compression level) -> bytes

    def _write_block(self, last=False):
        if not self._blockcount:
            self._postfile.write(self.magic)
        self._terminfo.add_block(self)
        databytes = self.encode_block(
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


class BlockLeafMatcher(W3LeafMatcher):
    """``W3LeafMatcher`` over blocks another layout wrote: ids and weights are read
    without touching the values, and a subclass decodes each part (``decode_block``,
    ``block_weights``, ``block_values``) after checking the posting list's ``magic``.

    It also reads a block's ids by summing their deltas with ``accumulate`` (a Python
    generator in Whoosh) and skips within a block by bisection (Whoosh steps one
    ``next()`` at a time): intersections (``a AND b``, field filters) call ``skip_to`` for
    most records of the rarer side, so that walk was a fifth of such a query's time at
    20,000 records. Same ids, same positions (property-tested against Whoosh's methods).
    """

    magic: bytes

    def decode_block(self, data: bytes) -> tuple:
        """(id deltas, packed weights, packed values) of a block's data."""
        raise NotImplementedError

    def block_weights(self, packed, count: int):
        """The weights (an ``array("f")``) of a block of ``count`` postings."""
        raise NotImplementedError

    def block_values(self, packed, fixedsize: int | None, count: int):
        """The values of a block of ``count`` postings (``fixedsize`` is never 0 here)."""
        raise NotImplementedError

    def _read_header(self):
        postfile = self._postfile
        postfile.seek(self._startoffset)
        magic = postfile.read(4)
        if magic != self.magic:
            raise ValueError(f"posting list at {self._startoffset} is not in the archive's block layout ({magic!r})")
        self._baseoffset = postfile.tell()

    def _read_data(self):
        # Deltas, like Whoosh's own _data[0], so _read_ids sums them.
        self._data = self.decode_block(self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset))

    def _read_ids(self):
        read_block_ids(self)

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        self._weights = self.block_weights(self._data[1], self._blocklength)

    def _read_values(self):
        if self._data is None:
            self._read_data()
        if self._fixedsize == 0:
            self._values = (None,) * self._blocklength
        else:
            self._values = self.block_values(self._data[2], self._fixedsize, self._blocklength)

    def skip_to(self, targetid):
        """``W3LeafMatcher.skip_to`` with the in-block step done by ``bisect`` (same position)."""
        if not self.is_active():
            raise ReadTooFar
        if targetid <= self.id():
            return
        if targetid > self._maxid:
            self._skip_to_block(lambda: targetid > self._maxid)
            if not self.is_active():
                return
        read_block_ids(self)
        # The block's last id is >= targetid, so the position found is inside the block.
        self._i = bisect.bisect_left(self._ids, targetid, self._i)


class BlockCodec(W3Codec):
    """``W3Codec`` whose record posting lists are written by ``writer_class`` and read by
    ``matcher_class``; term vectors (``byteids``) and inlined postings stay Whoosh's."""

    writer_class: type[BlockPostingsWriter]
    matcher_class: type[BlockLeafMatcher]

    def postings_writer(self, dbfile, byteids=False):
        if byteids:
            return super().postings_writer(dbfile, byteids=True)
        return self.writer_class(
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
        return self.matcher_class(dbfile, offset, length, format_, term=term, scorer=scorer)


# -- reading a posting list block by block --------------------------------------------------
def plain_postings(matcher):
    """(whoosh3 posting list or None, deleted records) behind a term's matcher."""
    deleted = frozenset()
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        deleted, matcher = matcher._ids, matcher.child
    return (matcher if isinstance(matcher, W3LeafMatcher) else None), deleted


def read_block_ids(postings) -> None:
    """``W3LeafMatcher._read_ids``, the deltas summed by ``accumulate`` (same ids) instead
    of a Python generator: most of the time of reading a long posting list."""
    if postings._ids is None:
        if postings._data is None:
            postings._read_data()
        ids = postings._data[0]
        postings._ids = ids if postings._byteids else tuple(accumulate(ids))


def block_ids(postings):
    """The ids of the posting list's current block (``read_block_ids`` first)."""
    return postings._ids


def remaining_block_ids(postings):
    """The ids of the current block from the current posting on."""
    return postings._ids[postings._i :]


def block_last_id(postings) -> int:
    """The last id of the current block, known from its header before its data is read."""
    return postings._maxid


class BlockData:
    """A block's ids, with its weights and values decoded when first asked for: a phrase
    needs the values of a block's candidate records only, and the weights of its matches."""

    __slots__ = ("ids", "_decode_weights", "_decode_values", "_weights", "_values")

    def __init__(self, ids, decode_weights: Callable[[], Sequence], decode_values: Callable[[], Sequence]) -> None:
        self.ids = ids
        self._decode_weights, self._decode_values = decode_weights, decode_values
        self._weights = self._values = None

    @property
    def weights(self) -> Sequence:
        if self._weights is None:
            self._weights = self._decode_weights()
        return self._weights

    @property
    def values(self) -> Sequence:
        if self._values is None:
            self._values = self._decode_values()
        return self._values


def block_data(postings) -> BlockData:
    """The current block's ids, weights and values (``BlockData``)."""
    read_block_ids(postings)
    if isinstance(postings, BlockLeafMatcher):
        # The block's packed parts, kept: the matcher moves on to the next block.
        packed, count, fixedsize = postings._data, postings._blocklength, postings._fixedsize
        values = (lambda: (None,) * count) if fixedsize == 0 else (lambda: postings.block_values(packed[2], fixedsize, count))
        return BlockData(postings._ids, lambda: postings.block_weights(packed[1], count), values)
    postings._read_weights()
    postings._read_values()
    weights, values = postings._weights, postings._values
    return BlockData(postings._ids, lambda: weights, lambda: values)


def next_block(postings) -> None:
    postings._next_block()


class SortedIdsMatcher(ListMatcher):
    """A ``ListMatcher`` over sorted ids that skips by bisection (Whoosh's steps one by one)."""

    def skip_to(self, id):
        if not self.is_active():
            raise ReadTooFar
        if id > self.id():
            self._i = bisect.bisect_left(self._ids, id, self._i)


# -- position values ----------------------------------------------------------------------
# short encoded positions -> decoded: the same few values recur across records (a role's
# words are at positions 0 and 1 in thousands of records), so decoding them is
# remembered. Long values (a word many times in a long text) are nearly unique: not kept.
_DECODED_POSITIONS: dict[bytes, tuple[int, ...]] = {}
_DECODED_POSITIONS_LIMIT = 50_000
_DECODED_POSITIONS_LONGEST = 32  # bytes: a few positions; 50,000 such entries stay under ~15 MB


def decode_positions(value: bytes) -> tuple[int, ...]:
    """``Positions.decode_positions``: a count, then the pickled position deltas (Whoosh
    leaves out pickle's final "."), summed up by ``accumulate`` instead of a Python loop."""
    found = _DECODED_POSITIONS.get(value)
    if found is None:
        found = tuple(accumulate(loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b".")))
        if len(value) <= _DECODED_POSITIONS_LONGEST:
            if len(_DECODED_POSITIONS) >= _DECODED_POSITIONS_LIMIT:
                _DECODED_POSITIONS.clear()
            _DECODED_POSITIONS[value] = found
    return found


# -- field lengths ------------------------------------------------------------------------
def has_length_columns(perdoc) -> bool:
    """Whether a per-document reader keeps field lengths in columns (whoosh3's does)."""
    return hasattr(perdoc, "_cached_reader")


def lengths_column(perdoc, fieldname: str):
    """A per-document reader's column of ``fieldname``'s length bytes, or None."""
    return perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)


def segment_lengths_column(reader, fieldname: str):
    """``lengths_column`` of a segment reader."""
    return lengths_column(reader._perdoc, fieldname)


def stored_column_bytes(column, count: int) -> bytes:
    """The first ``count`` length bytes a column stores, in one read (fewer when the
    column ends earlier: past its end a column gives its default)."""
    return column._dbfile.get(column._basepos, min(column._count, count))


# -- analysis -----------------------------------------------------------------------------
def stem_function(stem_filter):
    """The (cached) stemming function a ``StemFilter`` calls."""
    return stem_filter._stem


# -- query parser -------------------------------------------------------------------------
class _QueriedOnce:
    """A binary operator group (ANDNOT, ANDMAYBE, REQUIRE) that builds each side's query once.

    Whoosh's ``BinaryGroup.query`` builds both sides, then builds them again for the
    result, so a chain of N such operators (``a ANDNOT b ANDNOT c ...``, each the left
    side of the next) built its first word 2^N times: 20 operators took a minute.
    """

    def query(self, parser):
        first, second = (node.query(parser) for node in self.nodes)
        if first is None and second is None:
            built = NullQuery
        elif first is None:
            built = second
        elif second is None:
            built = first
        else:
            built = self.qclass(first, second)
        return syntax.attach(built, self)


class _AndNotGroup(_QueriedOnce, syntax.AndNotGroup):
    pass


class _AndMaybeGroup(_QueriedOnce, syntax.AndMaybeGroup):
    pass


class _RequireGroup(_QueriedOnce, syntax.RequireGroup):
    pass


_QUERIED_ONCE = {syntax.AndNotGroup: _AndNotGroup, syntax.AndMaybeGroup: _AndMaybeGroup, syntax.RequireGroup: _RequireGroup}


def operators_plugin() -> OperatorsPlugin:
    """Whoosh's operators (same words, priorities and grouping) with ``_QueriedOnce`` groups.

    The taggers are this plugin's own objects, so Whoosh's classes and other parsers are
    left as they are.
    """
    plugin = OperatorsPlugin()
    for tagger, _ in plugin.ops:
        tagger.grouptype = _QUERIED_ONCE.get(tagger.grouptype, tagger.grouptype)
    return plugin
