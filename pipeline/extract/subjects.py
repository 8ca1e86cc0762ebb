"""Subject and category lines the text states.
"""

from __future__ import annotations

import re

from oral_archive.schemas.record import Evidence, Fact

from ..document import Document
from .common import FIELD_LABELS, METADATA_LABELS, document_fields, extracted_fact
from .names import essay_heading_author


def extract_subjects(document: Document) -> list[Fact]:
    """Subject/category lines under the title, and stated "Subjects:/Topics:/Keywords:" lists."""
    facts = []
    fields = document_fields(document)
    # a field's label or value is metadata, not a subject ("Interviewer" / "Gladys Peterson")
    field_lines = {(f.line.block.id, f.line.start) for f in fields}
    # under a student's name heading, the short lines are the teacher, course and college
    subject_lines = [] if essay_heading_author(document) is not None else document.subject_lines
    for line in subject_lines:
        block = next((b for b in document.blocks if b.kind == "head" and b.line == line.number), None)
        if block is None:
            continue
        label = block.text.strip().rstrip(":").lower()
        if label in FIELD_LABELS or label in METADATA_LABELS or (block.id, block.text.find(block.text.strip())) in field_lines:
            continue
        facts.append(extracted_fact(block.text.strip(), Evidence(segment=block.id, start=0, end=len(block.text), text=block.text, rule="subject.short-line-after-title", confidence=0.7)))
    # "Topics: Police, Police officer, Constable" / "Subjects" then "Women nurses, Montana; Great Depression"
    for field in fields:
        if field.kind != "subjects":
            continue
        text = field.line.text
        end = len(text)
        # another "Label:" later on the same line ends the list ("... Constable Pages: 2")
        if following := re.search(r"\s+[A-Z][a-z]+(?: [a-z]+)?:\s", text[field.start:]):
            end = field.start + following.start()
        separator = ";" if ";" in text[field.start:end] else ","
        offset = field.start
        for part in text[field.start:end].split(separator):
            term = part.strip().rstrip(".")
            begin = text.find(term, offset) if term else -1
            if term and 0 < len(term.split()) <= 8 and begin >= 0 and term.casefold() not in {f.value.casefold() for f in facts}:
                facts.append(extracted_fact(term, field.line.evidence(begin, begin + len(term), "subject.field-line", 0.85)))
            offset += len(part) + 1
    return facts
