"""Stages ``read_source`` and ``decode``: file bytes to clean Unicode text.

Decoding uses charset-normalizer for unknown encodings and ftfy for mojibake; we only
add what those libraries leave to the caller: refusing binary input, NFC, newline and
space folding, and removing characters XML 1.0 forbids (each counted, never silent).

``normalize_text`` is the character-level half of ``decode`` on its own, so readers of
formats that carry their own encoding (DOCX, TEI, captions) apply exactly the same rules.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import re
import stat
import unicodedata
from pathlib import Path

import ftfy
from charset_normalizer import from_bytes

from oral_archive.schemas.errors import SourceError
from oral_archive.schemas.filenames import printable_path

from .document import Artifact, DecodedText, Decision, Source
from .readers import format_for

# Characters XML 1.0 does not allow, even escaped (form feed is handled apart: it marks a page).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Spaces other than U+0020 that carry no meaning in a transcript (tab, NBSP, thin, ...).
_ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
# Every byte but those of _CONTROLS: deleting them (bytes.translate, far faster than a regex)
# leaves the controls. In UTF-8 a byte below 0x20 is always that character, never part of
# another; so does ASCII for _XML_ILLEGAL, whose ASCII members are these controls.
_NOT_CONTROL_BYTES = bytes([0x09, 0x0A, 0x0C, 0x0D, *range(0x20, 0x100)])
# A character that makes its line one for ftfy: anything but ASCII and the typographic
# punctuation that cannot be part of mojibake (every mis-decoded UTF-8 sequence has a lead
# character outside this set, such as "Ã" or "â") and that ftfy leaves as it is; and of ASCII,
# "&" (HTML entities), ESC (terminal codes) and CR. One character class, so that the regex
# engine skips from candidate to candidate.
_NEEDS_FTFY = re.compile("[^\x00-\x0c\x0e-\x1a\x1c-\x25\x27-\x7f‘’‚“”„–—…•′″]")
# Two or more spaces after a non-space: "(?<=\S) {2,}", written to open with its literal "  ".
# ASCII characters some rule of normalize_text acts on (besides spaces): CR, tab, form feed,
# the other controls (XML-illegal), ESC and "&" (ftfy).
_ASCII_TO_NORMALIZE = re.compile("[\x00-\x09\x0b-\x1f&]")
_INNER_SPACES = re.compile(r"  (?<=\S  ) *")
_TRAILING_SPACES = re.compile(r" +$", re.MULTILINE)
# A form feed is a printed page break: it becomes a line of its own that ``clean`` records.
FORM_FEED_LINE = "\f"
_FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # curly quotes are the source's own punctuation, and mark speech
    fix_latin_ligatures=False,
    fix_character_width=False,
    remove_control_chars=False,  # we remove XML-illegal characters ourselves, counting them
    normalization="NFC",
    explain=False,
)
# Share of control characters above which decoded "text" is taken for a binary file;
_BINARY_SHARE = 0.3  # charset-normalizer already refuses real binaries; this is a backstop
# Among single-byte code pages that decode the bytes about equally well, the Western one
# (cp1252, a superset of printable latin-1) is what transcripts in this archive use.
_PREFERRED_LEGACY = "cp1252"
_LEGACY_CHAOS_MARGIN = 0.1


def media_type_for(path: Path) -> str:
    """The media type this pipeline reads the file as, or a SourceError for unknown formats."""
    return format_for(path).media_type


# Inputs larger than this are refused unread (``ingest --max-size`` changes it). A long
# transcript is well under a megabyte of text; 50 MB leaves room for captions, Word files
# with their markup and whole collections in one file, and still bounds time and memory.
DEFAULT_MAX_BYTES = 50_000_000


class InputRefused(SourceError):
    """An input that is not read at all: too large, a link, not a regular file.

    Unlike other rejected inputs it is not copied into quarantine: copying it is the very
    thing refused (its size, or where a link points). The message names the file and why.
    """


def _size(size: int) -> str:
    """A size as people read it: "130 bytes", "2.5 kB", "60 MB", "1.2 GB"."""
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def read_input_bytes(path: Path, max_bytes: int | None = DEFAULT_MAX_BYTES, *, follow_symlinks: bool = True) -> bytes:
    """The bytes of one input file, or a ``SourceError`` naming it and the reason.

    The size is checked on the opened file before anything is read, and at most
    ``max_bytes + 1`` bytes are ever read (a file growing after the check is caught too).
    Only regular files are read: a pipe or device could block or never end. Without
    ``follow_symlinks`` a symbolic link is refused, even one swapped in after listing.
    """
    shown = printable_path(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        if path.is_symlink():
            raise InputRefused(shown, "is a symbolic link; links in a batch folder are not followed")
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise SourceError(shown, "is a folder, expected a file") from None
    except FileNotFoundError:
        raise SourceError(shown, "no such file") from None
    except OSError as error:
        if error.errno == errno.ELOOP and not follow_symlinks:
            raise InputRefused(shown, "is a symbolic link; links in a batch folder are not followed") from None
        raise SourceError(shown, f"cannot read: {error.strerror or error}") from None
    with open(fd, "rb", buffering=0) as handle:
        try:
            info = os.fstat(fd)
            if stat.S_ISDIR(info.st_mode):
                raise SourceError(shown, "is a folder, expected a file")
            if not stat.S_ISREG(info.st_mode):
                raise InputRefused(shown, "is not a regular file (a pipe, socket or device); only files are read")
            if max_bytes is not None and info.st_size > max_bytes:
                exact = f" ({info.st_size:,} bytes)" if info.st_size >= 1000 else ""
                raise InputRefused(shown, f"is {_size(info.st_size)}{exact}, over the size limit of {_size(max_bytes)}; not read (raise the limit with --max-size)")
            if max_bytes is None:
                return handle.readall()
            # Ask for the size stat gave plus one byte, so a file that grew since (or one
            # whose size the system does not know, as in /proc) shows it.
            data = _read_up_to(handle, min(info.st_size, max_bytes) + 1)
            if len(data) > info.st_size:
                data += _read_up_to(handle, max_bytes + 1 - len(data))
            if len(data) > max_bytes:
                raise InputRefused(shown, f"grew past the size limit of {_size(max_bytes)} while being read; not read")
            return data
        except OSError as error:
            raise SourceError(shown, f"cannot read: {error.strerror or error}") from None


def _read_up_to(handle, size: int) -> bytes:
    """Up to ``size`` bytes (fewer only at the end of the file)."""
    chunks, left = [], size
    while left > 0:
        chunk = handle.read(left)
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_source(path: Path, *, max_bytes: int | None = DEFAULT_MAX_BYTES, follow_symlinks: bool = True) -> Source:
    """Stage 1: read the original bytes (never modified afterwards) and fingerprint them.

    ``max_bytes`` (``None``: no limit) and ``follow_symlinks`` as for ``read_input_bytes``.
    """
    media_type = media_type_for(path)
    data = read_input_bytes(path, max_bytes, follow_symlinks=follow_symlinks)
    return Source(path=path, data=data, sha256=hashlib.sha256(data).hexdigest(), media_type=media_type)


def looks_binary(text: str) -> bool:
    """True when a decoded string has so many control characters that it cannot be a transcript."""
    if not text:
        return False
    return len(_CONTROLS.findall(text)) / len(text) > _BINARY_SHARE


def looks_utf16(data: bytes) -> bool:
    """NULs in most even or most odd byte positions: UTF-16 text without a byte-order mark.

    Such bytes are often valid UTF-8 too (ASCII with a NUL after each letter); read that
    way they would be text with every other character removed. UTF-8 text with the odd
    stray NUL does not have the pattern and stays UTF-8 (the NULs are removed and counted).
    """
    if len(data) < 4 or b"\x00" not in data:
        return False
    even, odd = data[0::2], data[1::2]
    return max(even.count(0) / len(even), odd.count(0) / len(odd)) >= 0.5


_UTF16 = ["utf_16_le", "utf_16_be"]


def _detect(data: bytes, utf16: bool = False) -> tuple[str, str] | None:
    """charset-normalizer's reading of bytes that are not UTF-8, preferring cp1252 on a near tie.

    With ``utf16`` (the NUL pattern of UTF-16 without a byte-order mark) only the two
    byte orders are tried: the other ninety-odd code pages cannot produce that pattern
    from text, and trying them was most of the time spent on such a file.
    """
    if not utf16:
        # The preference below takes cp1252 when its chaos is within the margin of the best
        # reading's (at least 0), so a cp1252 reading with chaos <= the margin is taken
        # without trying ninety other code pages. (On a few bytes the full detection may
        # not list cp1252 at all and pick a multi-byte code page: "\xc0A" as Big5.)
        probe = from_bytes(data, cp_isolation=[_PREFERRED_LEGACY]).best()
        if probe is not None and probe.chaos <= _LEGACY_CHAOS_MARGIN:
            try:
                return data.decode(_PREFERRED_LEGACY), _PREFERRED_LEGACY
            except UnicodeDecodeError:
                pass
    matches = list(from_bytes(data, cp_isolation=_UTF16)) if utf16 else []
    if not matches:
        matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    for match in matches:
        if _PREFERRED_LEGACY in match.could_be_from_charset and match.chaos <= best.chaos + _LEGACY_CHAOS_MARGIN:
            try:
                return data.decode(_PREFERRED_LEGACY), _PREFERRED_LEGACY
            except UnicodeDecodeError:
                break  # cp1252 leaves five bytes undefined; then trust the detector
    return str(best), best.encoding


def decode_bytes(source: Source) -> tuple[str, str]:
    """(text, encoding): a byte-order mark wins, then strict UTF-8, then detection."""
    data = source.data
    failure: UnicodeDecodeError | None = None
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        # the UTF-32 LE mark starts like the UTF-16 LE mark followed by a NUL: try UTF-32 first
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                failure = failure or error
    if failure is not None:
        raise SourceError(str(source.path), f"starts with a byte-order mark but is not valid {failure.encoding}: {failure.reason} at byte {failure.start}", "decode")
    # UTF-16 without a byte-order mark is valid UTF-8 (ASCII plus NULs): that pattern means "detect".
    utf16 = looks_utf16(data)
    if not utf16:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    detected = _detect(data, utf16)
    if detected is None:
        raise SourceError(str(source.path), "is not text in any encoding we can detect (binary file?)", "decode")
    return detected


def fix_mojibake(text: str) -> str:
    """``ftfy.fix_text`` with our settings, skipping the lines ftfy would leave unchanged.

    ftfy fixes text line by line; with our settings a line of ASCII and typographic
    punctuation (curly quotes, dashes, ellipsis), without ``&`` (HTML entities) or ESC
    (terminal codes), can come out of it only unchanged, so it is not
    sent through ftfy's fixers: most lines of an English transcript are such lines, and
    this is where decoding spent most of its time. One regex scan finds the lines that do
    need ftfy; everything between them is copied as it is. The loop is otherwise ftfy's own
    (including its "auto" HTML rule: from the first line containing "<" on, entities are no
    longer unescaped).
    """
    if text.isascii() and "&" not in text and "\x1b" not in text and "\r" not in text:
        return text  # the quick test first: str.isascii() is a flag, "in" a memchr
    found = _NEEDS_FTFY.search(text)
    if found is None:
        return text  # every line is one ftfy leaves unchanged (most texts)
    config = _FTFY_CONFIG
    first_lt = text.find("<") if config.unescape_html == "auto" else -1
    changed: list[tuple[int, int, str]] = []  # (start, end, fixed) of the lines ftfy changed
    while found is not None:
        # the line (with its newline) holding the character: ftfy's segment
        start = text.rfind("\n", 0, found.start()) + 1
        end = text.find("\n", found.start())
        end = len(text) if end < 0 else end + 1
        if 0 <= first_lt < end and config.unescape_html == "auto":
            config = config._replace(unescape_html=False)
        segment = text[start:end]
        if len(segment) > config.max_decode_length:
            fixed = ftfy.fix_text(segment, config=config)
        else:
            fixed = ftfy.fix_and_explain(segment, config)[0]
        if fixed != segment:
            changed.append((start, end, fixed))
        found = _NEEDS_FTFY.search(text, end)
    if not changed:
        return text  # ftfy changed no line: no copy of the text (it may be long)
    out: list[str] = []
    copied = 0  # text[:copied] is in ``out``
    for start, end, fixed in changed:
        out.append(text[copied:start])
        out.append(fixed)
        copied = end
    out.append(text[copied:])
    return "".join(out)


def normalize_text(text: str) -> tuple[str, list[Decision], list[Artifact]]:
    """Character-level normalization shared by every reader; returns what it changed.

    CRLF/CR/U+2028 are turned into LF, mojibake repaired (ftfy) and NFC applied,
    XML-illegal characters removed and counted (an ``Artifact``), form feeds put on a line of their
    own, zero-width characters dropped, tabs and odd spaces folded to one space, runs of
    spaces inside a line collapsed and trailing spaces cut. Leading spaces are kept: an
    indented line starts a paragraph in some transcripts.
    """
    if (
        text.isascii() and not _ASCII_TO_NORMALIZE.search(text)
        and "  " not in text and " \n" not in text and not text.endswith(" ")
    ):
        return text, [], []  # ASCII with no CR, tab, control, "&" or extra space: no rule below applies
    decisions: list[Decision] = []
    artifacts: list[Artifact] = []
    # Newlines first, so that the comparison below sees only what ftfy repaired.
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    fixed = fix_mojibake(text)
    if fixed != unicodedata.normalize("NFC", text):
        decisions.append(Decision("decode", "repaired mis-decoded characters (mojibake) with ftfy"))
    text = fixed
    # After ftfy: removing a character first could make its neighbours look like mojibake.
    # ASCII text: the only illegal characters are the controls, found far faster in its bytes
    illegal = [] if text.isascii() and not text.encode("ascii").translate(None, _NOT_CONTROL_BYTES) else _XML_ILLEGAL.findall(text)
    if illegal:
        text = _XML_ILLEGAL.sub("", text)
        codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in illegal}))
        artifacts.append(Artifact("xml-illegal-character", codes, 0))
        decisions.append(Decision("decode", f"removed {len(illegal)} characters XML 1.0 forbids ({codes})"))
    if "\f" in text:
        count = text.count("\f")
        text = text.replace("\f", f"\n{FORM_FEED_LINE}\n")
        decisions.append(Decision("decode", f"put {count} form feed(s) on lines of their own, as page breaks"))
    if not text.isascii():  # zero-width and odd spaces are all non-ASCII but the tab
        text = _ZERO_WIDTH.sub("", text)
        text = _ODD_SPACES.sub(" ", text)
    elif "\t" in text:
        text = text.replace("\t", " ")
    if "  " in text:  # most texts have no run of spaces at all
        text = _INNER_SPACES.sub(" ", text)
    if " \n" in text or text.endswith(" "):
        text = _TRAILING_SPACES.sub("", text)
    # ftfy normalized already; folding can join a base letter to a combining mark again.
    text = unicodedata.normalize("NFC", text)
    return text, decisions, artifacts


def decode(source: Source) -> DecodedText:
    """Stage 2: bytes -> NFC text with LF newlines, single spaces, no XML-illegal characters."""
    if not source.data or source.data.isspace():  # data.strip() would copy a long file's bytes
        raise SourceError(str(source.path), "is empty", "decode")
    text, encoding = decode_bytes(source)
    if encoding in ("utf-8", "utf-8-sig"):  # looks_binary(text), counting the controls in the bytes
        binary = bool(text) and len(source.data.translate(None, _NOT_CONTROL_BYTES)) / len(text) > _BINARY_SHARE
    else:
        binary = looks_binary(text)
    if binary:
        raise SourceError(str(source.path), f"is mostly control characters after decoding as {encoding} (binary file?)", "decode")
    text, decisions, artifacts = normalize_text(text)
    if not text or text.isspace():
        raise SourceError(str(source.path), "has no text after decoding", "decode")
    decisions.insert(0, Decision("decode", f"decoded {len(source.data)} bytes as {encoding}, normalized to Unicode NFC"))
    return DecodedText(source=source, text=text, encoding=encoding, decisions=decisions, artifacts=artifacts)
