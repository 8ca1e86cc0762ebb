"""Readers: one per input format, each turning a ``Source`` into a ``Document``.

The registry below is the only place that knows which file types exist. A file is
dispatched by its suffix (case-insensitive); an unknown suffix is rejected with a
message naming the file and the known types, never guessed at. Reader modules are
imported on first use so that ``decode`` (which every reader uses) can import this
registry without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from oral_archive.schemas.errors import SourceError

if TYPE_CHECKING:  # pragma: no cover
    from ..document import Document, Source


@dataclass(frozen=True)
class Format:
    """An input format: its media type and the reader module that handles it."""

    name: str
    media_type: str  # must match ^[a-z]+/[a-z0-9.+-]+$ (the record model checks it)
    module: str  # module in this package exposing ``read(source) -> Document``


TEXT = Format("plain text", "text/plain", "text")
MARKDOWN = Format("Markdown", "text/markdown", "text")
WEBVTT = Format("WebVTT captions", "text/vtt", "captions")
SUBRIP = Format("SubRip captions", "application/x-subrip", "captions")
DOCX = Format("Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
TEI = Format("TEI XML", "application/tei+xml", "tei")

FORMATS: dict[str, Format] = {
    ".txt": TEXT,
    ".text": TEXT,
    ".md": MARKDOWN,
    ".markdown": MARKDOWN,
    ".vtt": WEBVTT,
    ".srt": SUBRIP,
    ".docx": DOCX,
    ".xml": TEI,
    ".tei": TEI,
}
_BY_MEDIA_TYPE = {f.media_type: f for f in FORMATS.values()}


def format_for(path: Path) -> Format:
    """The format a file is read as, by suffix; a ``SourceError`` naming the file otherwise."""
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        known = ", ".join(sorted(FORMATS))
        raise SourceError(str(path), f"unsupported file type {path.suffix or '(no suffix)'!r}; known types: {known}")
    return found


def reader_for(source: Source) -> Callable[[Source], Document]:
    """The ``read`` function of the reader registered for the source's media type."""
    fmt = _BY_MEDIA_TYPE.get(source.media_type)
    if fmt is None:
        raise SourceError(str(source.path), f"no reader for media type {source.media_type!r}")
    return import_module(f"{__name__}.{fmt.module}").read  # type: ignore[no-any-return]


def read_document(source: Source) -> Document:
    """Dispatch a source to its format's reader: decode -> clean -> structure for that format."""
    return reader_for(source)(source)
