"""The document's own title line(s).
"""

from __future__ import annotations

import re
from oral_archive.schemas.record import Evidence, Fact
from ..document import Document
from .common import FIELD_LABELS, FIELD_LINE_RX, METADATA_LABELS, extracted_fact
from .names import essay_heading_author


MAX_TITLE_WORDS = 15


def extract_title(document: Document) -> Fact | None:
    """The document's own title line(s), as structure found them."""
    if not document.title_lines:
        return _colon_title(document)
    first = document.title_lines[0].number
    block = next((b for b in document.blocks if b.kind == "head" and b.line == first), None)
    if block is None:  # a reader's title with no heading block to point at: no evidence, no value
        return None
    # a student's name heading an essay (name, teacher, date lines) is not a title
    if (heading := essay_heading_author(document)) is not None and heading.evidence.segment == block.id:
        return None
    title = document.title or ""
    return extracted_fact(title, Evidence(segment=block.id, start=0, end=len(block.text), text=block.text, rule="title.first-title-line", confidence=0.9))


def _colon_title(document: Document) -> Fact | None:
    """"Personal Narrative: An Interview With A Registered Nurse" opening the text reads like a
    field line, but its label is no metadata label: it is the title."""
    first = document.blocks[0] if document.blocks else None
    if first is None or first.kind == "u":
        return None
    text = first.text.strip()
    match = FIELD_LINE_RX.fullmatch(text)
    label = match.group("label").strip().lower() if match else ""
    if (not match or label in FIELD_LABELS or label in METADATA_LABELS or label in {"date", "name", "note", "notes", "page", "posted", "published", "by", "author"}
            or len(text.split()) > MAX_TITLE_WORDS or text.endswith(".") or not re.search(r"\binterview|oral history|conversation\b", text, re.IGNORECASE)):
        return None
    return extracted_fact(text, Evidence(segment=first.id, start=0, end=len(first.text), text=first.text, rule="title.first-line-with-colon", confidence=0.7))
