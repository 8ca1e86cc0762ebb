"""Reader for plain text and Markdown: decode -> clean -> structure, nothing else.

Markdown needs no reader of its own: heading marks and ``**Name**`` speaker labels are
rules of ``structure``, and any other markup stays in the text as the author wrote it.
"""

from __future__ import annotations

from ..clean import clean
from ..decode import decode
from ..document import Document, Source
from ..structure import structure


def read(source: Source) -> Document:
    """A plain-text or Markdown source as a structured document."""
    decoded = decode(source)
    cleaned = clean(decoded)
    # the cleaned lines hold the text from here on: the decoded copy need not stay (for a
    # long text with one emoji, four bytes a character) while the blocks are built
    decoded.release(_decoded_text)
    return structure(cleaned)


def _decoded_text(source: Source) -> str:
    return decode(source).text
