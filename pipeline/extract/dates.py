"""When the interview took place, only where the text says so.
"""

from __future__ import annotations

import re

from oral_archive.schemas.record import Evidence, Fact

from ..document import Document
from .common import (
    DATE,
    MONTH_NAMES,
    document_fields,
    extracted_fact,
    leading_lines,
    sentence_evidence,
    sentences,
)
from .names import BY_LINE
from .title import extract_title


def parse_date(match: re.Match[str]) -> str | None:
    """ISO 8601 ``YYYY-MM-DD`` for a ``DATE`` match, or None when it is not a calendar date."""
    from datetime import date

    if match.group("iso"):
        year, month, day = int(match.group("y3")), int(match.group("m3")), int(match.group("d3"))
    else:
        m, d, y = (match.group("m1"), match.group("d1"), match.group("y1")) if match.group("mdy") else (match.group("m2"), match.group("d2"), match.group("y2"))
        month = next(i for i, name in enumerate(MONTH_NAMES, start=1) if name.startswith(m.rstrip(".").lower()[:3]))
        year, day = int(y), int(d)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def extract_interview_date(document: Document) -> Fact | None:
    """When the interview took place, only where the text says so.

    A date printed at the top of a page may be the day a post went up, so a bare date line
    counts only beside the interviewer's by-line; otherwise the date must be in a
    "Date:" field or in a sentence about the interview ("On September 1, 2015, I interviewed").
    """
    for field in document_fields(document):
        if field.kind == "date" and (match := DATE.match(field.line.text, field.start)) and (iso := parse_date(match)):
            return extracted_fact(match.group(0), field.line.evidence(match.start(), match.end(), "date.field-line", 0.9), iso)
    # "Dawn Thatcher Interview, July 9, 1991": a title dating its interview
    title = extract_title(document)
    if title is not None and re.search(r"\b(?:interview|oral history)\b", title.value, re.IGNORECASE):
        block = document.block(title.evidence.segment)
        if (match := DATE.search(block.text)) and (iso := parse_date(match)):
            return extracted_fact(match.group(0), Evidence(segment=block.id, start=match.start(), end=match.end(), text=block.text, rule="date.title", confidence=0.75), iso)
    lines = leading_lines(document)[:60]
    for index, line in enumerate(lines):
        text = line.text.strip()
        neighbours = [lines[i].text.strip() for i in (index - 1, index + 1) if 0 <= i < len(lines)]
        match = DATE.fullmatch(text.rstrip("."))
        if match and any(BY_LINE.fullmatch(n) or re.match(r"interview(?:er|ed by)\b", n, re.IGNORECASE) for n in neighbours) and (iso := parse_date(match)):
            return extracted_fact(match.group(0), line.evidence(0, len(match.group(0)), "date.beside-by-line", 0.8), iso)
    for block in document.blocks:
        if block.kind == "u":
            continue
        for sentence in sentences(block):
            text = sentence[2]
            for match in DATE.finditer(text):
                # "On May 3, 2015, I interviewed" / "interviewed her on May 3, 2015": the date is
                # the interview's only when "on" ties it to the verb nearby (not a deadline)
                before, after = text[max(0, match.start() - 60): match.start()], text[match.end(): match.end() + 60]
                tied = (re.search(r"\binterview(?:ed|s)?\b[^.;]{0,50}\bon\s+(?:\w+day,?\s+)?$", before, re.IGNORECASE)
                        or (re.search(r"\b[Oo]n\s+(?:\w+day,?\s+)?$", before) and re.match(r"[^.;]{0,40}\binterview(?:ed)?\b", after, re.IGNORECASE)))
                if tied and (iso := parse_date(match)):
                    return extracted_fact(match.group(0), sentence_evidence(block, sentence, match.start(), match.end(), "date.interview-sentence", 0.8), iso)
    return None
