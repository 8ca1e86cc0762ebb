"""Stages ``read_source`` and ``decode``: file bytes to clean Unicode text.

Decoding uses charset-normalizer for unknown encodings and ftfy for mojibake; we only
add what those libraries leave to the caller: refusing binary input, NFC, newline and
space folding, and removing characters XML 1.0 forbids (each counted, never silent).
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from pathlib import Path

import ftfy
from charset_normalizer import from_bytes

from oral_archive.schemas.errors import SourceError

from .document import Artifact, DecodedText, Decision, Source

TEXT_MEDIA_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
}

# Characters XML 1.0 does not allow, even escaped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# Spaces other than U+0020 that carry no meaning in a transcript (tab, NBSP, thin, ...).
_ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_ZERO_WIDTH = re.compile("[\u200b\u2060\ufeff]")
_FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False,  # curly quotes are the source's own punctuation, and mark speech
    fix_latin_ligatures=False,
    fix_character_width=False,
    normalization="NFC",
    explain=False,
)


def media_type_for(path: Path) -> str:
    """The media type this pipeline reads the file as, or a SourceError for unknown formats."""
    media_type = TEXT_MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        known = ", ".join(sorted(TEXT_MEDIA_TYPES))
        raise SourceError(str(path), f"unsupported file type {path.suffix or '(none)'!r}; known: {known}")
    return media_type


def read_source(path: Path) -> Source:
    """Stage 1: read the original bytes (never modified afterwards) and fingerprint them."""
    media_type = media_type_for(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise SourceError(str(path), "is a folder, expected a file") from None
    except FileNotFoundError:
        raise SourceError(str(path), "no such file") from None
    except OSError as error:
        raise SourceError(str(path), f"cannot read: {error.strerror or error}") from None
    return Source(path=path, data=data, sha256=hashlib.sha256(data).hexdigest(), media_type=media_type)


def _decode_bytes(source: Source) -> tuple[str, str]:
    data = source.data
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise SourceError(str(source.path), f"starts with a {encoding} byte-order mark but is not valid {encoding}: {error.reason} at byte {error.start}", "decode") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise SourceError(str(source.path), "is not text in any encoding we can detect (binary file?)", "decode")
    return str(best), best.encoding


def decode(source: Source) -> DecodedText:
    """Stage 2: bytes -> NFC text with LF newlines, single spaces, no XML-illegal characters."""
    if not source.data.strip():
        raise SourceError(str(source.path), "is empty", "decode")
    text, encoding = _decode_bytes(source)
    decisions: list[Decision] = []
    artifacts: list[Artifact] = []
    if "\x00" in text:
        raise SourceError(str(source.path), f"contains NUL bytes after decoding as {encoding} (binary file?)", "decode")

    fixed = ftfy.fix_text(text, config=_FTFY_CONFIG)
    if fixed != unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")):
        decisions.append(Decision("decode", "repaired mis-decoded characters (mojibake) with ftfy"))
    text = fixed.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")

    illegal = _XML_ILLEGAL.findall(text)
    if illegal:
        text = _XML_ILLEGAL.sub("", text)
        codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in illegal}))
        artifacts.append(Artifact("xml-illegal-character", codes, 0))
        decisions.append(Decision("decode", f"removed {len(illegal)} characters XML 1.0 forbids ({codes})"))
    text = _ZERO_WIDTH.sub("", text)
    text = _ODD_SPACES.sub(" ", text)
    text = "\n".join(re.sub(" {2,}", " ", line).strip() for line in text.split("\n"))
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise SourceError(str(source.path), "has no text after decoding", "decode")
    decisions.insert(0, Decision("decode", f"decoded {len(source.data)} bytes as {encoding}, normalized to Unicode NFC"))
    return DecodedText(source=source, text=text, encoding=encoding, decisions=decisions, artifacts=artifacts)
