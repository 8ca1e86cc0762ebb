"""Stable, file-name-safe record identifiers."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable

MAX_SLUG_LENGTH = 48


def slugify(text: str, max_length: int = MAX_SLUG_LENGTH) -> str:
    """ASCII, lower case, hyphen-separated; never empty, never a path (no '/', '.', '..')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:max_length].rstrip("-")
    return slug or "record"


def source_key(url: str | None, filename: str) -> str:
    """What identifies 'the same source' across versions: its URL if known, else its file name.

    A file name alone is weak (many transcripts are called ``interview.txt``), so lookups by
    a file-name key also compare the title the text states (``Archive.find_source``).
    """
    return url.strip() if url else filename


def is_url_key(key: str) -> bool:
    return key.startswith(("http://", "https://"))


def source_digest(key: str) -> str:
    """8 hex digits of the source key: the suffix every record id of that source ends with."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]


def title_without_names(title: str, names: Iterable[str]) -> str:
    """``title`` with the participants' names taken out (whole names, then each surname or
    given name of two letters or more), so that an id never carries a person's name.

    Done for every record, whatever is restricted: an id must not change when an archivist
    restricts names later, and a name is often restricted only after ingest.
    """
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        title = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", " ", title, flags=re.IGNORECASE)
        for part in re.findall(r"[^\W\d_][\w'’-]+", name):
            title = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", " ", title, flags=re.IGNORECASE)
    return title


def make_record_id(title: str | None, key: str, names: Iterable[str] = ()) -> str:
    """``<slug of title>-<8 hex of the source key>``: readable, stable for one source.

    ``names`` (the participants' names) never appear in the slug (``title_without_names``).
    """
    slug_source = title_without_names(title, names) if title else None
    return f"{slugify(slug_source or key)}-{source_digest(key)}"
