"""Stage ``structure``: cleaned lines -> a ``Document`` of header lines and body blocks.

Rules, in the order they apply:

1. **Header zone**: the leading lines before the first sentence-like line. Its first
   title-like line is the title (a line ending in a joining word such as "with" carries on
   to the next); short lines after it are subject/category lines. Every header-zone line
   stays in the body (as a ``head`` block) so nothing is lost and evidence can point at it.
2. **Speaker turns**: a label at the start of a line (``Q:``, ``CURRY:``, ``Jane Doe:``,
   ``**Name**:``) used at least twice (or a well-known label such as ``Q``/``Answer``)
   makes the document a transcript. Each paragraph of a turn becomes an utterance; the
   speaker who mostly asks questions is the interviewer.
3. **Paragraphs**: blank lines separate paragraphs; within a group, a line is joined to
   the next when the text is hard-wrapped or the line breaks off mid-sentence.
4. **Inline**: time stamps become anchors, bracketed remarks notes, quoted speech quotes
   (attributed to a participant when the sentence says who spoke).
"""

from __future__ import annotations

import re
from collections import Counter

from oral_archive.schemas.errors import SourceError

from .document import (
    Block,
    CleanedText,
    Decision,
    Document,
    Inline,
    Line,
    Note,
    PageBreak,
    Quote,
    Speaker,
    Text,
    TimeAnchor,
)

MAX_HEADER_LINES = 12
MAX_TITLE_WORDS = 15
MAX_SUBJECT_WORDS = 4
JOINING_WORDS = {"with", "of", "and", "by", "for", "the", "a", "an", "to", "in", "on", "at", "from", "about"}

MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
WEEKDAYS = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*"
DATE_LINE = re.compile(
    rf"^(?:{WEEKDAYS},?\s+)?(?:{MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{MONTHS}\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}})\.?$",
    re.IGNORECASE,
)
FIELD_LINE = re.compile(r"^[A-Z][A-Za-z ]{1,30}:\s+\S")

# Speaker labels at the start of a line.
LABEL_LINE = re.compile(
    r"^(?:\*\*(?P<bold>[^*:]{1,40}?):?\*\*:?|(?P<plain>[A-Z][A-Za-z'’.\-]*(?: [A-Z][A-Za-z'’.\-]*){0,3})\s*:)"
    r"(?!//)\s*(?P<rest>.*)$"
)
WELL_KNOWN_LABELS = {
    "q": "interviewer", "question": "interviewer", "interviewer": "interviewer", "int": "interviewer",
    "a": "interviewee", "answer": "interviewee", "interviewee": "interviewee", "respondent": "interviewee",
    "r": "interviewee",
}
NOT_SPEAKER_LABELS = {
    "note", "notes", "occupation", "subject", "subjects", "date", "title", "source", "name", "location",
    "place", "time", "url", "keywords", "tags", "category", "categories", "summary", "abstract", "page",
    "transcript", "transcribed by", "edited by", "length", "duration", "http", "https", "ps", "re",
}

TIMESTAMP = re.compile(r"[\[(](?P<ts>\d{1,2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)[\])]")
NOTE = re.compile(r"\[(?P<sq>[^\[\]]{1,300})\]|\{(?P<br>[^{}]{1,300})\}")
QUOTE = re.compile(
    r"“(?P<dq>[^“”]{1,3000})”"
    r"|\"(?P<sq2>[^\"\n]{1,3000})\""
    r"|(?:(?<=^)|(?<=[\s(\[—–-]))‘(?P<sq>[^‘’]{1,1000}(?:’[a-z][^‘’]{0,1000})*)’(?![a-z])"
)
SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"‘])")
SPEECH_VERBS = (
    r"(?:says?|said|respond(?:s|ed)?|repl(?:y|ies|ied)|answer(?:s|ed)?|stat(?:es?|ed)|explain(?:s|ed)?|"
    r"add(?:s|ed)?|tell(?:s)?|told|claim(?:s|ed)?|affirm(?:s|ed)?|continu(?:es?|ed)|not(?:es?|ed)|"
    r"remark(?:s|ed)?|ask(?:s|ed)?|recall(?:s|ed)?|describ(?:es?|ed)|exclaim(?:s|ed)?|insist(?:s|ed)?|"
    r"mention(?:s|ed)?|admit(?:s|ted)?|put it|puts it|shar(?:es?|ed)|emphasi[sz](?:es?|ed))"
)
THIRD_PERSON = r"(?:he|she|they|the interviewee|the officer|my interviewee)"
FIRST_PERSON = r"(?:I|we|the interviewer|the author)"
SPEAKER_BEFORE = re.compile(rf"\b(?P<who>{THIRD_PERSON}|{FIRST_PERSON})\b(?:\s+\w+){{0,3}}?\s+{SPEECH_VERBS}\b[^“\"‘]{{0,40}}$", re.IGNORECASE)
SPEAKER_AFTER = re.compile(rf"^[\s,.!?]*(?:{SPEECH_VERBS}\s+)?(?P<who>{THIRD_PERSON}|{FIRST_PERSON})\s+(?:\w+\s+)?{SPEECH_VERBS}\b", re.IGNORECASE)
THIRD_PERSON_WORD = re.compile(r"\b(?:he|she|his|her|him)\b", re.IGNORECASE)
FIRST_PERSON_WORD = re.compile(r"\b(?:I|me|my)\b")


def _words(text: str) -> int:
    return len(text.split())


def _is_sentence_line(text: str) -> bool:
    """A line that reads as running prose, which ends the header zone."""
    stripped = text.strip()
    words = _words(stripped)
    has_sentence_end = bool(re.search(r"[.!?][\"”’)]?(?:\s|$)", stripped))
    return (has_sentence_end and words >= 6) or words > 40


def _is_title_like(text: str) -> bool:
    stripped = text.strip()
    return (
        0 < _words(stripped) <= MAX_TITLE_WORDS
        and not DATE_LINE.match(stripped)
        and not FIELD_LINE.match(stripped)
        and not stripped.endswith(".")
        and (stripped[0].isupper() or stripped[0].isdigit())
    )


def _header_zone(lines: list[Line]) -> tuple[list[Line], list[Line], int]:
    """(title lines, subject lines, index of the first body line) over non-blank lines."""
    content = [line for line in lines if not line.blank]
    zone_end = 0
    while zone_end < min(len(content), MAX_HEADER_LINES) and not _is_sentence_line(content[zone_end].text):
        if LABEL_LINE.match(content[zone_end].text) and _words(content[zone_end].text) > 6:
            break
        zone_end += 1
    zone = content[:zone_end]
    title: list[Line] = []
    subjects: list[Line] = []
    for index, line in enumerate(zone):
        if _is_title_like(line.text):
            title = [line]
            last_word = line.text.split()[-1].lower()
            if last_word in JOINING_WORDS and index + 1 < len(zone) and _is_title_like(zone[index + 1].text):
                title.append(zone[index + 1])
            for follower in zone[index + len(title):]:
                text = follower.text.strip()
                if text == title[0].text.strip():
                    continue  # the page repeats its title (page header + heading)
                if (
                    _words(text) <= MAX_SUBJECT_WORDS
                    and not DATE_LINE.match(text)
                    and not FIELD_LINE.match(text)
                    and re.fullmatch(r"[A-Za-z][A-Za-z ,&/'’-]*", text)
                ):
                    subjects.append(follower)
                else:
                    break
            break
    return title, subjects, zone_end


# -- speaker turns ------------------------------------------------------------------------------


def _label_of(text: str) -> tuple[str, str] | None:
    match = LABEL_LINE.match(text.strip())
    if not match:
        return None
    label = (match.group("bold") or match.group("plain") or "").strip()
    if not label or label.lower() in NOT_SPEAKER_LABELS:
        return None
    return label, match.group("rest")


def _find_speakers(lines: list[Line]) -> dict[str, int]:
    counts = Counter(found[0] for line in lines if not line.blank and (found := _label_of(line.text)))
    speakers = {
        label: count
        for label, count in counts.items()
        if count >= 2 or label.lower() in WELL_KNOWN_LABELS
    }
    if sum(speakers.values()) < 3 or len(speakers) < 2:
        return {}
    return speakers


def _speaker_id(label: str, taken: set[str]) -> str:
    base = "sp-" + (re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "x")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _assign_roles(turns: list[tuple[str, str]], labels: dict[str, int]) -> list[Speaker]:
    """Who is the interviewer: a well-known label, else the one whose turns are mostly questions."""
    asks: Counter[str] = Counter()
    words: Counter[str] = Counter()
    for label, text in turns:
        words[label] += _words(text)
        if text.rstrip().endswith("?"):
            asks[label] += 1
    roles: dict[str, tuple[str, str]] = {}
    for label in labels:
        known = WELL_KNOWN_LABELS.get(label.lower())
        if known:
            roles[label] = (known, "speaker.well-known-label")
    if "interviewer" not in {r for r, _ in roles.values()}:
        share = {label: asks[label] / labels[label] for label in labels if label not in roles}
        if share:
            best = max(share, key=lambda label: (share[label], labels[label]))
            if share[best] >= 0.5:
                roles[best] = ("interviewer", "speaker.asks-questions")
    if "interviewee" not in {r for r, _ in roles.values()}:
        rest = [label for label in labels if label not in roles]
        if rest:
            roles[max(rest, key=lambda label: words[label])] = ("interviewee", "speaker.most-words")
    taken: set[str] = set()
    return [
        Speaker(
            id=_speaker_id(label, taken),
            label=label,
            role=roles.get(label, ("speaker", "speaker.label"))[0],  # type: ignore[arg-type]
            turns=labels[label],
            rule=roles.get(label, ("speaker", "speaker.label"))[1],
        )
        for label in labels
    ]


# -- inline content -----------------------------------------------------------------------------


def _normalize_timestamp(raw: str) -> str:
    parts = raw.split(":")
    if len(parts) == 2:
        parts = ["0", *parts]
    hours, minutes, seconds = parts
    return f"{int(hours)}:{minutes}:{seconds}"


def _attribute(text: str, start: int, end: int) -> tuple[str | None, str | None, str | None]:
    """(who, cert, rule) for the quote text[start:end], from the sentence around it."""
    sentence_start = max((m.end() for m in SENTENCE_BOUNDARY.finditer(text, 0, start)), default=0)
    following = SENTENCE_BOUNDARY.search(text, end)
    sentence_end = following.start() if following else len(text)
    lead, tail = text[sentence_start:start], text[end:sentence_end]
    for pattern, context, rule in ((SPEAKER_BEFORE, lead, "quote.speech-verb-before"), (SPEAKER_AFTER, tail, "quote.speech-verb-after")):
        match = pattern.search(context)
        if match:
            who = match.group("who")
            if re.fullmatch(FIRST_PERSON, who, re.IGNORECASE):
                return "interviewer", "high", rule
            return "interviewee", "high", rule
    context = lead + " " + tail
    if THIRD_PERSON_WORD.search(context) and not FIRST_PERSON_WORD.search(context):
        return "interviewee", "medium", "quote.third-person-context"
    return None, None, None


def parse_inlines(text: str, breaks: list[tuple[int, object]], attribute_quotes: bool) -> list[Inline]:
    """Split one block's text into text, quotes, notes, time anchors and page breaks."""
    spans: list[tuple[int, int, Inline]] = []
    for match in TIMESTAMP.finditer(text):
        spans.append((match.start(), match.end(), TimeAnchor(match.group(0), _normalize_timestamp(match.group("ts")))))
    for match in NOTE.finditer(text):
        if not any(s <= match.start() < e for s, e, _ in spans):
            body = match.group("sq") if match.group("sq") is not None else match.group("br")
            mark = text[match.start()]
            spans.append((match.start(), match.end(), Note(body, mark, "]" if mark == "[" else "}")))
    for match in QUOTE.finditer(text):
        if any(s < match.end() and match.start() < e for s, e, _ in spans):
            continue
        group = next(g for g in ("dq", "sq2", "sq") if match.group(g) is not None)
        body = match.group(group)
        who = cert = rule = None
        if attribute_quotes:
            who, cert, rule = _attribute(text, match.start(), match.end())
        spans.append((match.start(), match.end(), Quote(body, text[match.start()], text[match.end() - 1], who, cert, rule)))
    spans.sort(key=lambda span: span[0])

    inlines: list[Inline] = []
    pending_breaks = sorted(breaks, key=lambda b: b[0])
    cursor = 0

    def emit_text(upto: int) -> None:
        nonlocal cursor
        while pending_breaks and pending_breaks[0][0] <= upto:
            offset, artifact = pending_breaks.pop(0)
            if offset > cursor:
                inlines.append(Text(text[cursor:offset]))
                cursor = offset
            inlines.append(PageBreak(artifact))  # type: ignore[arg-type]
        if upto > cursor:
            inlines.append(Text(text[cursor:upto]))
            cursor = upto

    for start, end, inline in spans:
        emit_text(start)
        inlines.append(inline)
        cursor = end
    emit_text(len(text))
    for _, artifact in pending_breaks:
        inlines.append(PageBreak(artifact))  # type: ignore[arg-type]
    return inlines


# -- paragraphs ---------------------------------------------------------------------------------


def _looks_hard_wrapped(group: list[Line]) -> bool:
    if len(group) < 3:
        return False
    widths = [len(line.text) for line in group[:-1]]
    return max(widths) <= 100 and min(widths) >= 40 and max(widths) - min(widths) <= 25


def _paragraphs(group: list[Line]) -> list[list[Line]]:
    """Split one blank-line-separated group of lines into paragraphs."""
    if _looks_hard_wrapped(group):
        return [group]
    paragraphs: list[list[Line]] = []
    for line in group:
        if paragraphs and re.search(r"[^.!?:;\"”’)\]]$", paragraphs[-1][-1].text) and line.text[:1].islower():
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _join(lines: list[Line]) -> tuple[str, list[tuple[int, object]]]:
    text, breaks = "", []
    for line in lines:
        if text:
            text += " "
        breaks.extend((len(text) + offset, artifact) for offset, artifact in line.breaks)
        text += line.text.strip() if not line.breaks else line.text
    return text, breaks


def structure(cleaned: CleanedText) -> Document:
    """Stage 3: find the title, subject lines, paragraphs or speaker turns, and inline parts."""
    lines = cleaned.lines
    if not any(not line.blank for line in lines):
        raise SourceError(str(cleaned.decoded.source.path), "has no text left after removing page artifacts", "structure")
    title_lines, subject_lines, header_end = _header_zone(lines)
    content = [line for line in lines if not line.blank]
    header_lines, body_start_line = content[:header_end], (content[header_end].number if header_end < len(content) else None)

    blocks: list[Block] = []
    decisions: list[Decision] = []
    for n, line in enumerate(header_lines, start=1):
        blocks.append(Block(f"h{n}", "head", parse_inlines(line.text, line.breaks, False), line.number))

    body_lines = [line for line in lines if body_start_line is not None and line.number >= body_start_line]
    labels = _find_speakers(body_lines)
    speakers: list[Speaker] = []
    form = "narrative"
    if labels:
        form = "transcript"
        turns = [found for line in body_lines if not line.blank and (found := _label_of(line.text)) and found[0] in labels]
        speakers = _assign_roles(turns, labels)
        by_label = {speaker.label: speaker for speaker in speakers}
        current: Speaker | None = None
        p_count = u_count = 0
        for line in body_lines:
            if line.blank:
                continue
            found = _label_of(line.text)
            if found and found[0] in labels:
                current = by_label[found[0]]
                rest = found[1]
                offset_shift = len(line.text) - len(rest)
                breaks = [(max(0, off - offset_shift), a) for off, a in line.breaks]
                u_count += 1
                blocks.append(Block(f"u{u_count}", "u", parse_inlines(rest, breaks, False), line.number, current.label, current.id))
            elif current is not None:
                u_count += 1
                blocks.append(Block(f"u{u_count}", "u", parse_inlines(line.text, line.breaks, False), line.number, current.label, current.id))
            else:
                p_count += 1
                blocks.append(Block(f"p{p_count}", "p", parse_inlines(line.text, line.breaks, True), line.number))
        decisions.append(Decision("structure", f"read as a transcript: {u_count} utterances by speakers {', '.join(s.label + ' (' + s.role + ')' for s in speakers)}"))
    else:
        groups: list[list[Line]] = []
        for line in body_lines:
            if line.blank:
                if groups and groups[-1]:
                    groups.append([])
                continue
            if not groups:
                groups.append([])
            groups[-1].append(line)
        count = 0
        for group in groups:
            for paragraph in _paragraphs(group) if group else []:
                text, breaks = _join(paragraph)
                count += 1
                blocks.append(Block(f"p{count}", "p", parse_inlines(text, breaks, True), paragraph[0].number))
        decisions.append(Decision("structure", f"read as narrative text: {count} paragraphs"))
    if title_lines:
        decisions.append(Decision("structure", f"title from line {title_lines[0].number}; {len(subject_lines)} subject line(s)"))
    return Document(
        cleaned=cleaned,
        title_lines=title_lines,
        subject_lines=subject_lines,
        blocks=blocks,
        speakers=speakers,
        form=form,  # type: ignore[arg-type]
        decisions=decisions,
    )
