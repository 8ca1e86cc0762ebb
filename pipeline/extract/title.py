"""The document's own title line(s).
"""

from __future__ import annotations

from oral_archive.schemas.record import Evidence, Fact

from ..document import Document
from .common import extracted_fact, title_block
from .names import essay_heading_author


def extract_title(document: Document) -> Fact | None:
    """The document's own title line(s), as structure found them."""
    block = title_block(document)
    if block is None:  # no title, or a reader's title with no heading block to point at: no evidence, no value
        return None
    # a student's name heading an essay (name, teacher, date lines) is not a title
    if (heading := essay_heading_author(document)) is not None and heading.evidence.segment == block.id:
        return None
    title = document.title or ""
    return extracted_fact(title, Evidence(segment=block.id, start=0, end=len(block.text), text=block.text, rule="title.first-title-line", confidence=0.9))
