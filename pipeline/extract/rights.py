"""The rights statement a transcript carries: who holds the rights and how it may be used.

Oral-history transcripts state their terms in their front matter ("RESTRICTIONS: This oral
history transcript may be read, quoted from, cited, and reproduced for purposes of research.
It may not be published in full except by permission of ..."), in a field line ("Rights: Open
for research use", "Restrictions: None"), in a copyright line ("Copyright © 2019 Penobscot
Valley Historical Society"), or in a line after the last turn ("Rights statement: ...").
``extract_rights`` reads the most telling of those passages into ``Record.rights`` with its
evidence; a page's footer ("© 2024 EssayHarbor. All rights reserved. | Privacy Policy") is
the site's chrome, not the transcript's terms, and an interviewer asking "Do I have your
permission to proceed?" states no terms at all.

    rights.field-line       "Restrictions: None", "Rights: Open for research use ..."   0.9
    rights.under-heading    a statement under a heading "RESTRICTIONS" / "Rights"        0.85
    rights.copyright-field  "Copyright: Rosedale Neighborhood Stories Project. ..."      0.8
    rights.statement        front-matter sentences on use, permission, copyright         0.75 (0.6 in an essay)
    rights.copyright-line   "Copyright © 2015", "Transcript © 2019 ...", "© 2023 ..."    0.7

The value is the passage as written (several sentences of one paragraph when they all state
terms); a field's own label ("Rights:", "Rights statement:") is left out, a meaningful one
("Restrictions: None", "Copyright: ...") is kept. One passage per record: the most confident,
then the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from oral_archive.schemas.record import Evidence, Fact

from ..document import Block, Document
from .common import extracted_fact, leading_lines, sentences

# labels of a rights field: the label says nothing the value does not ("Rights: ...")
RIGHTS_LABELS = r"rights(?:\s+(?:statement|information|note|and\s+permissions|and\s+reproduction))?|usage\s+rights|licen[cs]e|conditions\s+(?:of|governing)\s+(?:use|access)|terms\s+of\s+use\s+for\s+this\s+(?:interview|transcript)"
# labels that are part of what the value says ("Restrictions: None")
RESTRICTION_LABELS = r"(?:access\s+|use\s+)?restrictions?(?:\s+on\s+(?:use|access))?"
FIELD = re.compile(rf"^(?P<label>(?i:{RIGHTS_LABELS})|(?i:{RESTRICTION_LABELS}))\s*[:–—-]\s*(?P<value>\S.*)$")
COPYRIGHT_FIELD = re.compile(r"^(?i:copyright(?:\s+(?:holder|status|owner))?)\s*[:–—-]\s*(?P<value>\S.*)$")
# "Copyright © 2015", "© 2023 Assiniboine Valley Courier", "Transcript © 2019 Canso Causeway ..."
COPYRIGHT_LINE = re.compile(r"^(?:(?:[A-Z][\w-]*\s+){0,2}©|(?i:copyright)\b(?!\s*[:–—-]))")
# a site's footer, menus and legal links: the page's chrome, not the transcript's terms
CHROME = re.compile(r"[|·•]|\b(?i:privacy|terms\s+of\s+(?:use|service)|cookies?|dmca|sitemap|contact\s+us|subscribe)\b|\b[\w-]+\.(?:com|net|org|edu|co|io)\b")
# a rights heading alone on its line ("RESTRICTIONS", "Notice and Restrictions", "Rights:")
HEADING = re.compile(rf"^(?:(?i:notices?|notice\s+and|notices\s+and)\s+)?(?:(?i:{RIGHTS_LABELS})|(?i:{RESTRICTION_LABELS})|(?i:copyright))\s*:?$")

# a sentence whose terms stand by themselves
SELF_EVIDENT = re.compile(
    r"\b(?i:restrictions?)\s*:"
    r"|\b(?i:copyright)\s+(?:©\s*)?(?:\d{4}|held|retained|assigned|owned|belongs|is\s+held|by)\b"
    r"|©\s*\d{4}"
    r"|\b(?i:all\s+(?:literary\s+)?rights)\b[^.]{0,120}\b(?i:reserved)\b",
)
# terms of use, which must be said of the transcript (or follow a sentence that is)
TERMS = re.compile(
    r"\b(?:may|may\s+not|must\s+not|cannot|can\s+not|is\s+not\s+to|are\s+not\s+to|not\s+to)\s+be\s+(?:\w+(?:,\s*|\s+))?(?:\w+,?\s+)?(?:or\s+|and\s+)?"
    r"(?:used|read|quoted|cited|reproduced|published|copied|duplicated|distributed|shared|transmitted)\b"
    r"|\bpermission\s+(?:of|from|to\s+(?:quote|publish|reproduce|cite|use)|is\s+required|required)\b"
    r"|\b(?:without|requires?|with)\s+(?:the\s+)?(?:prior\s+)?(?:express\s+)?(?:written\s+)?(?:permission|consent)\b"
    r"|\b(?:made\s+)?available\s+(?:to\s+the\s+public\s+)?for\s+(?:research|educational|scholarly|non-?commercial)\b"
    r"|\bopen\s+for\s+research\b|\bfair\s+use\b"
    r"|\b(?:covered|governed)\s+by\s+an?\s+(?:legal\s+)?(?:agreement|release|deed)\b"
    r"|\bsigned\s+an?\s+(?:release|deed\s+of\s+gift|consent\s+form)\b"
    r"|\brights?\s+(?:to|in)\s+(?:the|this)\s+(?:transcript|interview|recording|manuscript)\b",
    re.IGNORECASE,
)
# what the terms are about: the transcript, not a patient's records or a suspect's home
THE_WORK = re.compile(
    r"\b(?:this|the)\s+(?:oral\s+history\s+)?(?:transcripts?|interviews?|oral\s+histor(?:y|ies)|manuscripts?|recordings?|tapes?|audio|memoirs?|materials?|collection)\b"
    r"|\bnarrators?\b|\bquot(?:ed|e|ation)\s+(?:for|in)\s+publication\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Passage:
    confidence: float
    order: int  # the block's place in the document: the first of equally confident ones wins
    block: Block
    start: int
    end: int
    text: str  # the sentence or line quoted as evidence
    rule: str


def _passage(block: Block, order: int, start: int, end: int, quote: str, rule: str, confidence: float) -> _Passage | None:
    value = block.text[start:end]
    start += len(value) - len(value.lstrip())
    end -= len(value) - len(value.rstrip())
    return _Passage(confidence, order, block, start, end, quote.strip(), rule) if end > start else None


def _from_line(block: Block, order: int, line_start: int, line: str, tail: bool) -> _Passage | None:
    """A field or copyright line: "Restrictions: None", "Copyright © 2019 ...". ``tail``: a
    line after the last turn, where only such lines are read."""
    text = line.strip()
    lead = line_start + (len(line) - len(line.lstrip()))
    if CHROME.search(text):
        return None
    if match := FIELD.match(text):
        # "Rights:" says nothing the value does not; "Restrictions: None" needs its label
        begin = match.start("value") if re.fullmatch(RIGHTS_LABELS, match.group("label"), re.IGNORECASE) else 0
        return _passage(block, order, lead + begin, lead + len(text), text, "rights.field-line", 0.9)
    if COPYRIGHT_FIELD.match(text):
        return _passage(block, order, lead, lead + len(text), text, "rights.copyright-field", 0.8)
    if COPYRIGHT_LINE.match(text) and len(text.split()) <= 40:
        return _passage(block, order, lead, lead + len(text), text, "rights.copyright-line", 0.7 if not tail else 0.65)
    return None


def _statement(block: Block, order: int, under_heading: bool, essay: bool) -> _Passage | None:
    """The sentences of a front-matter paragraph that state the transcript's terms, from the
    first that says so of the transcript (or stands by itself) to the last in a row."""
    spans = sentences(block)
    first = next((i for i, (_, _, s) in enumerate(spans) if SELF_EVIDENT.search(s) or (TERMS.search(s) and THE_WORK.search(s))), None)
    if first is None:
        return None
    last = first
    while last + 1 < len(spans) and (TERMS.search(spans[last + 1][2]) or SELF_EVIDENT.search(spans[last + 1][2])):
        last += 1
    start, end = spans[first][0], spans[last][1]
    if CHROME.search(block.text):  # "© 2024 EssayHarbor. All rights reserved. | Privacy Policy"
        return None
    if under_heading:
        return _passage(block, order, start, end, block.text[start:end], "rights.under-heading", 0.85)
    return _passage(block, order, start, end, block.text[start:end], "rights.statement", 0.6 if essay else 0.75)


def extract_rights(document: Document) -> Fact | None:
    """The transcript's rights statement, with evidence, or None when the text states none."""
    order_of = {id(b): i for i, b in enumerate(document.blocks)}
    found: list[_Passage] = []
    # field and copyright lines among the lines where pages and transcripts put their metadata
    for line in leading_lines(document):
        passage = _from_line(line.block, order_of[id(line.block)], line.start, line.text, tail=False)
        if passage:
            found.append(passage)
    # the front matter: what comes before the first turn (an essay's first paragraphs)
    essay = document.form != "transcript"
    front: list[Block] = []
    for block in document.blocks:
        if block.kind == "u" or len(front) >= 12:
            break
        front.append(block)
    previous = None
    for block in front:
        if block.kind == "p":
            under = previous is not None and bool(HEADING.match(previous.text.strip()))
            if passage := _statement(block, order_of[id(block)], under, essay):
                found.append(passage)
        previous = block
    # a rights line after the last turn ("Rights statement: ...", "Transcript © 2019 ..."),
    # which a transcript's structure may have left inside that turn
    for block in document.blocks[-2:]:
        for start, _, sentence in sentences(block)[-4:]:
            if (FIELD.match(sentence.strip()) or COPYRIGHT_LINE.match(sentence.strip())) and (
                passage := _from_line(block, order_of[id(block)], start, block.text[start:], tail=True)
            ):
                found.append(passage)
                break
    if not found:
        return None
    best = max(found, key=lambda p: (p.confidence, -p.order, -p.start))
    value = best.block.text[best.start:best.end]
    return extracted_fact(value, Evidence(segment=best.block.id, start=best.start, end=best.end, text=best.text, rule=best.rule, confidence=best.confidence))
