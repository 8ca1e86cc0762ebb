"""The same interview from two sources, recognised by content (issue #18).

Every record gets a MinHash *signature* of its body text: the paragraphs and utterances, with
titles, site boilerplate (navigation, "share this", copyright lines), URLs, e-mail addresses
and "Page 3 of 7" markers removed, normalized (accents folded, case folded, punctuation
dropped) and cut into overlapping word shingles of ``SHINGLE_WORDS`` words. Two signatures
estimate the Jaccard similarity of the two shingle sets (``Signature.jaccard``).

``DuplicateIndex`` is a persistent MinHash LSH index in one SQLite file (banding exactly as
``datasketch.MinHashLSH`` does it, with datasketch's own optimal band/row parameters), so a
lookup reads only the buckets the query falls in and the archive's signatures are never all in
memory. It is derived data: ``rebuild`` recreates it from the signatures stored in the records.

Only the standard library, numpy/datasketch and ``schemas.record`` are used: nothing here
knows about the pipeline. Importing this module imports datasketch (and through it scipy):
about a second; import it where it is used, not at the command line's start.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Self

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param
from oral_archive.schemas.record import Record

__all__ = [
    "DEFAULT_THRESHOLD",
    "LSH_THRESHOLD",
    "NUM_PERM",
    "SEED",
    "SHINGLE_WORDS",
    "SIGNATURE_TEXT_PATTERN",
    "DuplicateIndex",
    "SignatureSet",
    "Signature",
    "body_segments",
    "normalize",
    "shingle_hash",
    "shingle_hashes",
    "shingle_text",
    "shingles",
    "signature_of",
    "signature_of_text",
]

NUM_PERM = 128
"""Permutations per signature: 128 x 4 bytes = 512 bytes, 703 characters as text."""
SEED = 1
"""Seed of the permutations (datasketch's default); fixed so signatures compare across runs."""
SCHEME = "affine32"
"""datasketch 2's permutation scheme: 32-bit hash values (``shingle_hash`` of each shingle)."""
SHINGLE_WORDS = 4
"""Words per shingle, chosen by measurement (docs/duplicates.md)."""
DEFAULT_THRESHOLD = 0.4
"""Estimated Jaccard at or above which two records are "the same text" (docs/duplicates.md):
copies measured 0.74-1.0 (exact Jaccard), different interviews at most 0.004."""
LSH_THRESHOLD = 0.3
"""Threshold the LSH bands are tuned for (datasketch's optimum: 37 bands of 3 rows): below
``DEFAULT_THRESHOLD`` so that pairs near it are not lost to banding (a pair of Jaccard 0.4 is
a candidate with probability 0.91, 0.45: 0.97, 0.5: 0.993); ``candidates`` then filters by
the estimate itself. A lower query threshold than this works, with lower recall there."""

_TEXT_PREFIX = f"mh1-{SCHEME}-{SEED}-{NUM_PERM}:"
SIGNATURE_TEXT_PATTERN = r"^mh1-affine32-1-128:[A-Za-z0-9+/]{683}=$"
# A body longer than this (characters) is read a run of segments at a time (signature_of).
LARGE_BODY = 1 << 22
UPDATE_SLICE = 1 << 14  # shingle hashes per MinHash.update_batch (a slice x NUM_PERM matrix)
"""What ``Signature.to_text()`` always matches (703 characters): for the record model's field."""

# --------------------------------------------------------------------------- the text

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PAGE_MARK = re.compile(
    r"(?:\bpage\s+\d+\s*(?:of|/)\s*\d+\b)|(?:^\s*[-–—]?\s*\d{1,4}\s*[-–—]?\s*$)|(?:^\s*page\s+\d+\s*$)",
    re.IGNORECASE,
)
_PAGE_OF = re.compile(r"\bpage \d+ of \d+\b")  # in normalized text
_BOILERPLATE = re.compile(
    r"©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved|\bshare (?:this|on)\b|\bshare\s*:|"
    r"\btweet\b|\bfacebook\b|\bpinterest\b|\blinkedin\b|\bwhatsapp\b|"
    r"privacy policy|terms (?:of|and) (?:use|service|conditions)|cookie|subscribe|newsletter|"
    r"\bsign (?:in|up)\b|\blog ?in\b|\bregister\b|"
    r"related (?:essays|posts|articles|stories|links|papers)|\bread (?:more|next)\b|"
    r"\bprevious (?:post|essay|article)\b|\bnext (?:post|essay|article)\b|"
    r"\bback to top\b|\bskip to (?:main )?content\b|\bmain menu\b|\bcite this\b|"
    r"\bdownload (?:this|the) (?:essay|paper|pdf)\b|\border (?:now|an? essay)\b|"
    r"\bcontact us\b|\babout us\b|\bhome\s*[|»>/·•]|^\s*search\b|\bposted (?:by|on|in)\b|"
    r"\bretrieved from\b|\bdate submitted\b|\breport this\b|\bopen document\b|^\s*more about\b|"
    r"\bwords\s*\d+\s*pages?\b|\bflesch|\bessay grade\b|\bwords of wisdom\b",
    re.IGNORECASE,
)
_NAV_SEPARATORS = re.compile(r"\s[|»›·•]\s|\s[/>]\s")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_APOSTROPHE = re.compile(r"(?<=\w)['’ʼ`](?=\w)")
_SENTENCE_END = re.compile(r"[.!?…\"”')\]]\s*$")

BOILERPLATE_MAX_WORDS = 25
"""A segment that matches a boilerplate pattern is dropped only when at most this long: a real
paragraph that mentions "Facebook" or "copyright" stays."""
NAV_MAX_WORDS = 6
"""A short segment of capitalised words without a sentence end (a menu, a site name) is dropped."""


def _is_boilerplate(text: str) -> bool:
    if len(text.split()) > BOILERPLATE_MAX_WORDS:
        return False  # a paragraph (the common case, decided without a regular expression)
    words = _WORD.findall(text)
    if not words:
        return True
    stripped = _URL.sub(" ", _EMAIL.sub(" ", text))
    if not _WORD.search(_PAGE_MARK.sub(" ", stripped)):
        return True  # nothing but a URL, an e-mail address or a page marker
    if len(words) <= BOILERPLATE_MAX_WORDS and _BOILERPLATE.search(text):
        return True
    if len(words) <= BOILERPLATE_MAX_WORDS and len(_NAV_SEPARATORS.findall(text)) >= 2:
        return True  # "Home | Essays | Interviews | Contact"
    if len(words) <= NAV_MAX_WORDS and not _SENTENCE_END.search(text):
        lettered = [w for w in words if w[0].isalpha()]
        if lettered and all(w[0].isupper() or len(w) <= 3 for w in lettered):
            return True  # "Essay Hub", "Free Essays Interviews"
    return False


HEAD_MIN_WORDS = 4
"""A heading is compared only when it has at least this many words and is not the title: the
pipeline takes short Title-Case lines for headings, so a copy re-wrapped in Title Case has its
paragraphs as headings; a site name or a section label is shorter."""


def body_segments(record: Record) -> list[str]:
    """The texts of ``record.segments`` that carry the interview: paragraphs, utterances and
    headings of ``HEAD_MIN_WORDS`` words or more other than the title, without boilerplate
    lines (navigation, sharing, copyright, URLs, e-mail addresses, page markers)."""
    return list(_body_texts(record))


def _body_texts(record: Record) -> Iterator[str]:
    """``body_segments``, one at a time."""
    title = normalize(record.title.value) if record.title else None
    for segment in record.segments:
        if segment.kind == "head":
            words = normalize(segment.text)
            if len(words.split()) < HEAD_MIN_WORDS or words == title:
                continue
        lines = [line for line in segment.text.splitlines() if line.strip()]
        lines = [line for line in lines if not _is_boilerplate(line)]
        if lines:
            yield "\n".join(lines)


def shingle_text(record: Record) -> str:
    """The normalized body text signatures are computed from (one line of words)."""
    return normalize("\n".join(body_segments(record)))


def normalize(text: str) -> str:
    """URLs, e-mail addresses and page markers removed; accents folded; case folded;
    apostrophes inside words dropped (``don't`` -> ``dont``); every other non-letter,
    non-digit a space; whitespace collapsed."""
    if "://" in text or "www." in text or "WWW." in text:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    if not text.isascii():
        text = text.translate(_fold_table(text))
    text = text.casefold()
    if "'" in text or "’" in text or "ʼ" in text or "`" in text:
        text = _APOSTROPHE.sub("", text)
    text = " ".join(_WORD.findall(text))
    while "page" in text:  # "Page 2 of 3", however punctuated (removing one can reveal another)
        shorter = " ".join(_PAGE_OF.sub(" ", text).split())
        if shorter == text:
            break
        text = shorter
    return text


_FOLD: dict[int, str] = {}
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_table(text: str) -> dict[int, str]:
    """``str.translate`` table for the text's non-ASCII characters: each character's NFKD
    decomposition without combining marks (accents), cached per character. Decomposing
    character by character gives what decomposing the text does, once marks are dropped."""
    for ch in set(_NON_ASCII.findall(text)):
        if ord(ch) not in _FOLD:
            decomposed = unicodedata.normalize("NFKD", ch)
            _FOLD[ord(ch)] = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _FOLD


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    """The set of k-word shingles of a normalized text (one shingle if it has fewer words)."""
    words = text.split()
    if not words:
        return set()
    if len(words) <= k:
        return {" ".join(words)}
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


# --------------------------------------------------------------------------- shingle hashes

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_WORD_CACHE: dict[str, int] = {}
_WORD_CACHE_SIZE = 200_000


def _word_hash(word: str) -> int:
    value = _WORD_CACHE.get(word)
    if value is None:
        # 63 bits: numpy converts a list of such ints to an array much faster than full uint64
        value = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest(), "little") >> 1
        if len(_WORD_CACHE) >= _WORD_CACHE_SIZE:
            _WORD_CACHE.clear()
        _WORD_CACHE[word] = value
    return value


def _finish(h: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer, then the high 32 bits."""
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    h = h ^ (h >> np.uint64(31))
    return (h >> np.uint64(32)).astype(np.uint32)


def shingle_hashes(text: str, k: int = SHINGLE_WORDS) -> np.ndarray:
    """The distinct 32-bit hashes of the k-word shingles of a normalized text, computed at
    once: each word hashed (BLAKE2b, 63 bits), a shingle's hash the polynomial of its words'
    hashes modulo 2**64, finished by splitmix64. ``shingle_hash`` of each string in
    ``shingles(text, k)`` gives the same values, one at a time."""
    words = text.split()
    if not words:
        return np.empty(0, dtype=np.uint32)
    return np.unique(_window_hashes(words, k))


def _window_hashes(words: list[str], k: int) -> np.ndarray:
    """The hash of every k-word window of ``words`` (of the whole list, when shorter)."""
    get = _WORD_CACHE.get
    ids = np.array([get(w) or _word_hash(w) for w in words], dtype=np.uint64)
    width = min(k, len(words))
    count = len(words) - width + 1
    h = np.zeros(count, dtype=np.uint64)
    for j in range(width):
        h = h * _MULTIPLIER + ids[j : j + count]
    return _finish(h)


def _piece_hashes(pieces: Iterable[str], k: int = SHINGLE_WORDS) -> np.ndarray:
    """``shingle_hashes`` of the pieces' normalized texts read as one text, a piece at a
    time: the last k-1 words of a piece open the next one's windows."""
    carry: list[str] = []
    found: list[np.ndarray] = []
    for piece in pieces:
        words = carry + piece.split()
        if len(words) >= k:
            found.append(np.unique(_window_hashes(words, k)))
            carry = words[len(words) - (k - 1):] if k > 1 else []
        else:
            carry = words
    if not found:
        return np.unique(_window_hashes(carry, k)) if carry else np.empty(0, dtype=np.uint32)
    return np.unique(np.concatenate(found))


def shingle_hash(shingle: str | bytes) -> int:
    """The 32-bit hash of one shingle (its words separated by single spaces): the ``hashfunc``
    for ``datasketch.MinHash`` that gives the signatures ``signature_of`` computes."""
    if isinstance(shingle, bytes):
        shingle = shingle.decode("utf-8")
    return int(shingle_hashes(shingle, k=len(shingle.split()))[0])


# --------------------------------------------------------------------------- signatures

_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
_EMPTY_VALUE = np.iinfo(np.uint32).max


@dataclass(frozen=True, eq=False)
class Signature:
    """A MinHash signature: ``NUM_PERM`` uint32 hash values of a record's shingle set."""

    hashvalues: np.ndarray
    shingle_count: int = 0

    def __post_init__(self) -> None:
        values = np.asarray(self.hashvalues, dtype=np.uint32)
        if values.shape != (NUM_PERM,):
            raise ValueError(f"a signature has {NUM_PERM} hash values, got shape {values.shape}")
        object.__setattr__(self, "hashvalues", values)

    @property
    def is_empty(self) -> bool:
        """No shingles (a body of nothing but boilerplate): never indexed, never matched."""
        return bool(np.all(self.hashvalues == _EMPTY_VALUE))

    def minhash(self) -> MinHash:
        """The datasketch MinHash (for ``MinHashLSH`` or ``MinHash.jaccard``)."""
        return MinHash(seed=SEED, hashvalues=self.hashvalues, permutations=_PERMUTATIONS, scheme=SCHEME)

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity (what ``MinHash.jaccard`` returns); 0.0 with an empty one."""
        if self.is_empty or other.is_empty:
            return 0.0
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / NUM_PERM

    def to_bytes(self) -> bytes:
        """512 bytes: the hash values as little-endian uint32."""
        return self.hashvalues.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        if len(data) != 4 * NUM_PERM:
            raise ValueError(f"a signature is {4 * NUM_PERM} bytes, got {len(data)}")
        return cls(np.frombuffer(data, dtype="<u4").astype(np.uint32))

    def to_text(self) -> str:
        """ASCII for the record JSON: ``mh1-affine32-1-128:`` + base64 of ``to_bytes()``
        (19 + 684 = 703 characters). The prefix names the scheme, seed and size, so a
        signature from other parameters is refused instead of compared."""
        return _TEXT_PREFIX + base64.b64encode(self.to_bytes()).decode("ascii")

    @classmethod
    def from_text(cls, text: str) -> Signature:
        if not text.startswith(_TEXT_PREFIX):
            raise ValueError(f"not a signature of this kind (expected prefix {_TEXT_PREFIX!r})")
        try:
            data = base64.b64decode(text[len(_TEXT_PREFIX) :], validate=True)
        except ValueError as error:
            raise ValueError(f"signature is not valid base64: {error}") from None
        return cls.from_bytes(data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Signature) and bool(np.array_equal(self.hashvalues, other.hashvalues))

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def __repr__(self) -> str:
        return f"Signature({self.to_text()[:32]}…)"


def signature_of_text(text: str) -> Signature:
    """Signature of an already normalized text (``shingle_text``)."""
    return _signature_of_hashes(shingle_hashes(text))


def _signature_of_hashes(hashes: np.ndarray) -> Signature:
    mh = MinHash(seed=SEED, permutations=_PERMUTATIONS, scheme=SCHEME, hashfunc=_identity)
    # update_batch builds a (hashes x NUM_PERM) matrix: a 50 MB transcript's 9 million
    # shingles at once would take 4.6 GB, so they go in a slice at a time (the minimum of
    # the minima is the same)
    for start in range(0, len(hashes), UPDATE_SLICE):
        mh.update_batch(hashes[start : start + UPDATE_SLICE].tolist())
    return Signature(mh.hashvalues, len(hashes))


def _identity(value: int) -> int:
    return value


def signature_of(record: Record) -> Signature:
    """The record's signature: deterministic across processes and machines.

    A body longer than ``LARGE_BODY`` characters is normalized and hashed a run of
    segments at a time, so that a long transcript never has all its words as strings at
    once (nine million for 50 MB); a page marker split over two segments of such a body is
    the only thing that can differ from reading it whole.
    """
    # a body is never longer than its segments: most records need no count of the body
    if sum(len(s.text) for s in record.segments) <= LARGE_BODY or sum(map(len, _body_texts(record))) <= LARGE_BODY:
        return signature_of_text(normalize("\n".join(body_segments(record))))
    # read again a run at a time: a list of the body's texts would be one more copy of it
    return _signature_of_hashes(_piece_hashes(normalize("\n".join(run)) for run in _runs(_body_texts(record), LARGE_BODY // 4)))


def _runs(segments: Iterable[str], size: int) -> Iterator[list[str]]:
    """Consecutive segments, about ``size`` characters a run."""
    run: list[str] = []
    length = 0
    for segment in segments:
        run.append(segment)
        length += len(segment)
        if length >= size:
            yield run
            run, length = [], 0
    if run:
        yield run


# --------------------------------------------------------------------------- the index


@lru_cache(maxsize=8)
def lsh_params(threshold: float = LSH_THRESHOLD, num_perm: int = NUM_PERM) -> tuple[int, int]:
    """(bands, rows) datasketch's ``MinHashLSH`` would choose (equal false-positive and
    false-negative weights)."""
    return _optimal_param(threshold, num_perm, 0.5, 0.5)


def _band_keys(values: np.ndarray, bands: int, rows: int) -> list[int]:
    """One signed 64-bit key per band: BLAKE2b of (band number, the band's big-endian values),
    the bytes ``MinHashLSH`` uses as its bucket key, prefixed by the band."""
    raw = values.astype(">u4")
    keys = []
    for band in range(bands):
        digest = hashlib.blake2b(band.to_bytes(2, "big") + raw[band * rows : (band + 1) * rows].tobytes(), digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    rid INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE,
    signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS buckets (
    key INTEGER NOT NULL,
    rid INTEGER NOT NULL,
    PRIMARY KEY (key, rid)
) WITHOUT ROWID;
"""


class DuplicateIndex:
    """A MinHash LSH index in one SQLite file (e.g. ``<archive>/duplicates.sqlite``).

    Tables: ``records(rid, record_id, signature BLOB)`` and ``buckets(key, rid)`` with one row
    per (band, record): ``key`` is a 64-bit hash of the band number and the band's hash values.
    A lookup reads the ``bands`` buckets of the query and the signatures of the records in them.

    One writer at a time (the archive's write lock); readers may read while it writes (WAL).
    """

    def __init__(self, path: str | os.PathLike[str], lsh_threshold: float = LSH_THRESHOLD) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = self._connect(self.path)
        stored = dict(self._db.execute("SELECT name, value FROM meta"))
        if stored:
            if (stored.get("num_perm"), stored.get("seed"), stored.get("scheme")) != (str(NUM_PERM), str(SEED), SCHEME):
                raise ValueError(f"{self.path}: made with other MinHash parameters {stored}; rebuild it")
            self.lsh_threshold = float(stored["lsh_threshold"])
            self.bands, self.rows = int(stored["bands"]), int(stored["rows"])
        else:
            self.lsh_threshold = lsh_threshold
            self.bands, self.rows = lsh_params(lsh_threshold)
            self._write_meta(self._db)

    @staticmethod
    def _connect(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        return db

    def _write_meta(self, db: sqlite3.Connection) -> None:
        rows = {
            "format": "1",
            "num_perm": str(NUM_PERM),
            "seed": str(SEED),
            "scheme": SCHEME,
            "lsh_threshold": repr(self.lsh_threshold),
            "bands": str(self.bands),
            "rows": str(self.rows),
        }
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", rows.items())

    # -- context manager, size

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM records").fetchone()[0]

    def __contains__(self, record_id: str) -> bool:
        return self._db.execute("SELECT 1 FROM records WHERE record_id = ?", (record_id,)).fetchone() is not None

    def get(self, record_id: str) -> Signature | None:
        row = self._db.execute("SELECT signature FROM records WHERE record_id = ?", (record_id,)).fetchone()
        return Signature.from_bytes(row[0]) if row else None

    def record_ids(self) -> Iterator[str]:
        """Every indexed record id, streamed."""
        for (record_id,) in self._db.execute("SELECT record_id FROM records ORDER BY record_id"):
            yield record_id

    # -- writing

    def keys(self, signature: Signature) -> list[int]:
        return _band_keys(signature.hashvalues, self.bands, self.rows)

    def _insert(self, db: sqlite3.Connection, record_id: str, signature: Signature) -> None:
        cursor = db.execute("INSERT INTO records (record_id, signature) VALUES (?, ?)", (record_id, signature.to_bytes()))
        rid = cursor.lastrowid
        db.executemany("INSERT OR IGNORE INTO buckets (key, rid) VALUES (?, ?)", [(key, rid) for key in self.keys(signature)])

    def _delete(self, db: sqlite3.Connection, record_id: str) -> bool:
        row = db.execute("SELECT rid, signature FROM records WHERE record_id = ?", (record_id,)).fetchone()
        if row is None:
            return False
        rid, blob = row
        db.executemany("DELETE FROM buckets WHERE key = ? AND rid = ?", [(key, rid) for key in self.keys(Signature.from_bytes(blob))])
        db.execute("DELETE FROM records WHERE rid = ?", (rid,))
        return True

    def add(self, record_id: str, signature: Signature) -> None:
        """Index (or re-index, for a new version) one record. An empty signature only removes."""
        self.add_many([(record_id, signature)])

    def add_many(self, items: Iterable[tuple[str, Signature]]) -> int:
        """``add`` for many records in one transaction (one commit for a batch). Returns the count."""
        count = 0
        with _transaction(self._db):
            for record_id, signature in items:
                self._delete(self._db, record_id)
                if not signature.is_empty:
                    self._insert(self._db, record_id, signature)
                count += 1
        return count

    def remove(self, record_id: str) -> bool:
        """Take a record out; False when it was not indexed."""
        with _transaction(self._db):
            return self._delete(self._db, record_id)

    def rebuild(self, items: Iterable[tuple[str, Signature]], batch: int = 2000) -> int:
        """Replace the whole index by ``items`` (streamed: ``batch`` records in memory at a
        time). Built in a temporary file beside it and renamed over it, so readers see the old
        index or the new one. Returns the number of records indexed."""
        tmp = self.path.with_name(f".tmp-{self.path.name}-{os.getpid()}")
        for stale in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
            stale.unlink(missing_ok=True)
        db = sqlite3.connect(tmp, isolation_level=None)
        count = 0
        try:
            db.execute("PRAGMA journal_mode=OFF")
            db.execute("PRAGMA synchronous=OFF")
            db.execute("PRAGMA cache_size=-200000")  # up to ~200 MB of page cache while building
            db.executescript(_SCHEMA)
            self._write_meta(db)
            db.execute("BEGIN")
            records, buckets = [], []
            for record_id, signature in items:
                if signature.is_empty:
                    continue
                count += 1
                records.append((count, record_id, signature.to_bytes()))
                buckets.extend((key, count) for key in self.keys(signature))
                if len(records) >= batch:
                    self._flush(db, records, buckets)
            self._flush(db, records, buckets)
            db.execute("COMMIT")
        except BaseException:
            db.close()
            tmp.unlink(missing_ok=True)
            raise
        db.close()
        self._db.close()
        for suffix in ("-wal", "-shm"):
            self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
        os.replace(tmp, self.path)
        self._db = self._connect(self.path)
        return count

    @staticmethod
    def _flush(db: sqlite3.Connection, records: list, buckets: list) -> None:
        db.executemany("INSERT OR REPLACE INTO records (rid, record_id, signature) VALUES (?, ?, ?)", records)
        db.executemany("INSERT OR IGNORE INTO buckets (key, rid) VALUES (?, ?)", buckets)
        records.clear()
        buckets.clear()

    # -- reading

    def candidate_ids(self, signature: Signature) -> list[str]:
        """Ids sharing at least one band bucket with ``signature`` (what ``MinHashLSH.query``
        returns), unfiltered."""
        keys = self.keys(signature)
        marks = ",".join("?" * len(keys))
        sql = f"SELECT DISTINCT r.record_id FROM buckets b JOIN records r ON r.rid = b.rid WHERE b.key IN ({marks})"
        return [row[0] for row in self._db.execute(sql, keys)]

    def candidates(self, signature: Signature, threshold: float = DEFAULT_THRESHOLD, exclude: str | None = None) -> list[tuple[str, float]]:
        """``(record_id, estimated Jaccard)`` of the indexed records whose estimate is at least
        ``threshold``, highest first (ties by id); ``exclude`` leaves out the record itself."""
        if signature.is_empty:
            return []
        keys = self.keys(signature)
        marks = ",".join("?" * len(keys))
        sql = (
            "SELECT r.record_id, r.signature FROM records r WHERE r.rid IN "
            f"(SELECT DISTINCT rid FROM buckets WHERE key IN ({marks}))"
        )
        rows = self._db.execute(sql, keys).fetchall()
        if not rows:
            return []
        ids = [row[0] for row in rows]
        matrix = np.frombuffer(b"".join(row[1] for row in rows), dtype="<u4").reshape(len(rows), NUM_PERM)
        estimates = np.count_nonzero(matrix == signature.hashvalues.astype("<u4"), axis=1) / NUM_PERM
        found = [(rid, float(est)) for rid, est in zip(ids, estimates) if est >= threshold and rid != exclude]
        found.sort(key=lambda item: (-item[1], item[0]))
        return found

    def candidate_pairs(self) -> Iterator[tuple[str, str]]:
        """Every pair of indexed records sharing a bucket (``a < b``), each once.

        One ordered scan of the bucket table's primary key for the buckets holding more than
        one record; memory grows with the number of such pairs, not with the archive."""
        seen: set[tuple[int, int]] = set()
        names = self._db.cursor()
        sql = "SELECT group_concat(rid) FROM buckets GROUP BY key HAVING count(*) > 1"
        for (members,) in self._db.execute(sql):
            rids = sorted(int(r) for r in members.split(","))
            for pair in itertools.combinations(rids, 2):
                if pair in seen:
                    continue
                seen.add(pair)
                (a,) = names.execute("SELECT record_id FROM records WHERE rid = ?", (pair[0],)).fetchone()
                (b,) = names.execute("SELECT record_id FROM records WHERE rid = ?", (pair[1],)).fetchone()
                yield (a, b) if a < b else (b, a)

    def pairs(self, threshold: float = DEFAULT_THRESHOLD) -> Iterator[tuple[str, str, float]]:
        """``(a, b, estimated Jaccard)`` for every indexed pair at or above ``threshold``."""
        for a, b in self.candidate_pairs():
            sa, sb = self.get(a), self.get(b)
            if sa is not None and sb is not None:
                similarity = sa.jaccard(sb)
                if similarity >= threshold:
                    yield a, b, similarity


class SignatureSet:
    """Signatures held in memory and compared all at once (numpy): the records of one write
    not yet in the ``DuplicateIndex``. Memory: 512 bytes a record."""

    def __init__(self) -> None:
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._matrix = np.empty((0, NUM_PERM), dtype=np.uint32)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._rows

    def add(self, record_id: str, signature: Signature) -> None:
        if signature.is_empty:
            self.discard(record_id)
            return
        row = self._rows.get(record_id)
        if row is None:
            row = self._rows[record_id] = len(self._ids)
            self._ids.append(record_id)
            if row >= len(self._matrix):  # grow by doubling
                grown = np.empty((max(16, 2 * len(self._matrix)), NUM_PERM), dtype=np.uint32)
                grown[: len(self._matrix)] = self._matrix
                self._matrix = grown
        self._matrix[row] = signature.hashvalues

    def discard(self, record_id: str) -> None:
        row = self._rows.pop(record_id, None)
        if row is not None:  # move the last row into its place
            last = len(self._ids) - 1
            moved = self._ids[last]
            self._matrix[row] = self._matrix[last]
            self._ids[row] = moved
            self._ids.pop()
            if moved != record_id:
                self._rows[moved] = row

    def similar(self, signature: Signature, threshold: float = DEFAULT_THRESHOLD) -> list[tuple[str, float]]:
        """``(record_id, estimated Jaccard)`` of the held signatures at or above ``threshold``."""
        if signature.is_empty or not self._ids:
            return []
        estimates = np.count_nonzero(self._matrix[: len(self._ids)] == signature.hashvalues, axis=1) / NUM_PERM
        return [(self._ids[i], float(estimates[i])) for i in np.flatnonzero(estimates >= threshold)]


class _transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
