"""File names and one-line reasons as text that can be stored, compared and printed safely.

A file name is whatever bytes the file system allows: on POSIX anything but ``/`` and
NUL, so not necessarily UTF-8, and possibly with tabs, newlines or terminal escapes.
Python hands such bytes over as lone surrogates (``os.fsdecode``, "surrogateescape"),
which neither UTF-8, JSON nor XML can carry, and a newline in a name splits every
listing that prints it. The real name stays what the file is read by; everything this
project writes or prints about it (record JSON, TEI, quarantine reasons, messages) uses
``printable_name``, one representation for all, so TEI and JSON always agree.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

# Characters that reorder the text around them on screen (bidirectional controls): a name
# holding one can display as another name ("Trojan source"), so they are shown escaped.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Controls, lone surrogates (undecodable bytes), line and paragraph separators.
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_SHORT_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(char: str) -> str:
    code = ord(char)
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, as os.fsdecode hands it over
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _needs_escape(char: str) -> bool:
    if char.isprintable() and char not in _BIDI_CONTROLS:
        return False  # the common case, checked first: letters, digits, punctuation, space
    return (
        unicodedata.category(char) in _ESCAPED_CATEGORIES
        or char in _BIDI_CONTROLS
        or ord(char) in (0xFFFE, 0xFFFF)  # not characters; XML 1.0 forbids them
    )


def printable_name(name: str) -> str:
    """``name`` with every character that cannot be stored or printed on one line escaped.

    Undecodable bytes (lone surrogates from ``os.fsdecode``) become ``\\xNN`` (the byte),
    tab, newline and CR ``\\t``, ``\\n``, ``\\r``, other controls ``\\xNN`` or ``\\uNNNN``,
    line/paragraph separators, bidirectional controls and U+FFFE/U+FFFF ``\\uNNNN``. Every
    other character, backslash included, is kept, so applying it twice changes nothing
    (the price: a name spelling out ``\\t`` literally reads like a name holding a tab).
    """
    if name.isprintable() and name.isascii():
        return name  # almost every name: one C-level scan
    return "".join(_escape(char) if _needs_escape(char) else char for char in name)


def printable_path(path: Path | str) -> str:
    """A path for messages, escaped as ``printable_name`` escapes a file name."""
    return printable_name(os.fspath(path))


def one_line(text: str) -> str:
    """A reason or message on one line: line breaks become "; ", the rest as ``printable_name``.

    Reasons come from parsers and validators that may write several lines (pydantic does);
    a listing prints one entry per line, so a reason must not open another.
    """
    lines = [line.strip() for line in text.splitlines()]
    return printable_name("; ".join(line for line in lines if line))
