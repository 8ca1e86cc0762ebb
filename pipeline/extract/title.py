"""The document's own title line(s).
"""

from __future__ import annotations

from oral_archive.schemas.record import Evidence, Fact

from ..document import Document
from .common import extracted_fact
from .names import essay_heading_author


def extract_title(document: Document) -> Fact | None:
    """The document's own title line(s), as structure found them."""
    if not document.title_lines:
        return None
    first = document.title_lines[0].number
    block = next((b for b in document.blocks if b.kind == "head" and b.line == first), None)
    if block is None:  # a reader's title with no heading block to point at: no evidence, no value
        return None
    # a student's name heading an essay (name, teacher, date lines) is not a title
    if (heading := essay_heading_author(document)) is not None and heading.evidence.segment == block.id:
        return None
    title = document.title or ""
    return extracted_fact(title, Evidence(segment=block.id, start=0, end=len(block.text), text=block.text, rule="title.first-title-line", confidence=0.9))
