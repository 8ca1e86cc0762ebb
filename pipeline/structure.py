"""Stage ``structure``: cleaned lines -> a ``Document`` of header lines and body blocks.

Rules, in the order they apply:

1. **Header zone**: the leading lines before the first sentence-like line. Its first
   title-like line is the title (a line ending in a joining word such as "with" carries on
   to the next); short lines after it are subject/category lines. Every header-zone line
   stays in the body (as a ``head`` block) so nothing is lost and evidence can point at it.
2. **Speaker turns**: a label at the start of a line (``Q:``, ``Q.``, ``CURRY:``,
   ``Jane Doe:``, ``**Name**:``, optionally after a time stamp) used at least twice (or a
   well-known label such as ``Q``/``Answer``) makes the document a transcript. A turn runs
   until the next label, over as many paragraphs as it has; each paragraph becomes an
   utterance; the speaker who mostly asks questions is the interviewer.
3. **Paragraphs**: blank lines separate paragraphs, and so does a line indented further
   than the one before (first-line indentation); within a group, a line is joined to the
   next when the text is hard-wrapped or the line breaks off mid-sentence. A word
   hyphenated at a line end is joined again only when the joined form is a word.
4. **Inline**: time stamps become anchors, bracketed remarks notes, quoted speech quotes
   (attributed to a participant when the sentence says who spoke).
"""

from __future__ import annotations

import re
from collections import Counter
from operator import itemgetter
from typing import Callable, Iterable

from oral_archive.schemas.errors import SourceError

from .clean import Vocabulary, dehyphenate
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
# A line ending in one of these ends its sentence (or a label, a quote, a bracket).
LINE_ENDERS = frozenset('.!?:;"”’)]') | {""}
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
    r"^(?:\*\*(?P<bold>[^*:]{1,40}?):?\*\*:?|(?P<plain>[A-Z][A-Za-z'’.\-]*(?: [A-Z][A-Za-z'’.\-]*){0,3})\s*:"
    r"|(?P<dotted>[QA])\.(?=\s))"
    r"(?!//)\s*(?P<rest>.*)$"
)
# A time stamp opening a line, before a speaker label: "[00:01:02] SMITH: ..." or "00:01:02 Q: ...".
LEADING_TIMESTAMP = re.compile(r"^(?P<ts>[\[(]\d{1,2}:[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?[\])]|\d{1,2}:[0-5]\d:[0-5]\d(?:\.\d{1,3})?)\s+")
# Markdown ATX heading: "# Title", "## Section".
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(?=\S)")
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

TIMESTAMP = re.compile(r"[\[(](?P<ts>\d{1,2}:[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?)[\])]|^(?P<bare>\d{1,2}:[0-5]\d:[0-5]\d(?:\.\d{1,3})?)(?=\s)")
# TIMESTAMP's two alternatives apart, for speed: a bare stamp can only open the text, and a
# pattern that opens with a character class is searched by skipping to that character.
_BRACKETED_TIMESTAMP = re.compile(r"[\[(](?P<ts>\d{1,2}:[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?)[\])]")
_BARE_TIMESTAMP = re.compile(r"(?P<bare>\d{1,2}:[0-5]\d:[0-5]\d(?:\.\d{1,3})?)(?=\s)")
NOTE = re.compile(r"\[(?P<sq>[^\[\]]{1,300})\]|\{(?P<br>[^{}]{1,300})\}")
# A single quote opens a quote at the start of the text or after a space, bracket or dash:
# written as a look-behind after the "‘" (not before it) so that every alternative opens with
# a literal character, which lets the regex engine skip to the next quote mark instead of
# trying each position. Same matches as "(?:(?<=^)|(?<=[\s(\[—–-]))‘".
QUOTE = re.compile(
    r"“(?P<dq>[^“”]{1,3000})”"
    r"|\"(?P<sq2>[^\"\n]{1,3000})\""
    r"|‘(?<![^\s(\[—–-]‘)(?P<sq>[^‘’]{1,1000}(?:’[a-z][^‘’]{0,1000})*)’(?![a-z])"
)
SENTENCE_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"‘])")
# The same boundaries with the sentence end taken into the match (group 1 is SENTENCE_BOUNDARY's
# match): a pattern opening with a character class is searched by skipping to that character.
_SENTENCE_BOUNDARY_AFTER_END = re.compile(r"[.!?](\s+)(?=[A-Z“\"‘])")
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
_FIRST_PERSON_WHO = re.compile(FIRST_PERSON, re.IGNORECASE)


def _words(text: str) -> int:
    return len(text.split())


_SENTENCE_END_MARK = re.compile(r"[.!?][\"”’)]?(?:\s|$)")
_SUBJECT_LINE = re.compile(r"[A-Za-z][A-Za-z ,&/'’-]*")
_NOT_ID_CHARS = re.compile(r"[^a-z0-9]+")


def _is_sentence_line(text: str) -> bool:
    """A line that reads as running prose, which ends the header zone."""
    stripped = text.strip()
    words = _words(stripped)
    if words > 40:
        return True
    return words >= 6 and _SENTENCE_END_MARK.search(stripped) is not None


def _is_title_like(text: str) -> bool:
    stripped = text.strip()
    return (
        0 < _words(stripped) <= MAX_TITLE_WORDS
        and not DATE_LINE.match(stripped)
        and not FIELD_LINE.match(stripped)
        and not stripped.endswith(".")
        and (stripped[0].isupper() or stripped[0].isdigit())
    )


def _runs_on(content: list[Line], index: int) -> bool:
    """A prose-length line that goes on, mid-sentence, in the next line: hard-wrapped body text."""
    line = content[index]
    if index + 1 >= len(content) or _words(line.text) < 6:
        return False
    following = content[index + 1]
    return following.number == line.number + 1 and following.text[:1].islower() and line.text[-1:] not in LINE_ENDERS


def _header_zone(
    lines: list[Line], content: list[Line] | None = None, turn_lines: frozenset[int] = frozenset()
) -> tuple[list[Line], list[Line], int]:
    """(title lines, subject lines, index of the first body line) over non-blank lines.

    ``content`` is the non-blank lines of ``lines`` where the caller has them already;
    ``turn_lines`` the numbers of lines that open a turn of a recurring speaker label: the
    first of them starts the body however short it is ("Q: Where?"), and none is a title.
    """
    if content is None:
        content = [line for line in lines if not line.blank]
    zone_end = 0
    while zone_end < min(len(content), MAX_HEADER_LINES) and not _is_sentence_line(content[zone_end].text):
        if content[zone_end].number in turn_lines:
            break
        if LABEL_LINE.match(content[zone_end].text) and _words(content[zone_end].text) > 6:
            break
        if _runs_on(content, zone_end):
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
                    and _SUBJECT_LINE.fullmatch(text)
                ):
                    subjects.append(follower)
                else:
                    break
            break
    return title, subjects, zone_end


# -- speaker turns ------------------------------------------------------------------------------


def _label_of(text: str) -> tuple[str, str] | None:
    """(speaker label, rest of the line) for a line opening a turn; a leading time stamp stays in the rest."""
    text = text.strip()
    if ":" not in text[:100] and not text.startswith(("**", "Q.", "A.")):
        return None  # every label shape has one of these: skip the regex for prose lines
    stamp = LEADING_TIMESTAMP.match(text)
    match = LABEL_LINE.match(text[stamp.end():] if stamp else text)
    if not match:
        return None
    label = (match.group("bold") or match.group("plain") or match.group("dotted") or "").strip()
    if not label or label.lower() in NOT_SPEAKER_LABELS:
        return None
    rest = match.group("rest")
    return label, (f"{stamp.group('ts')} {rest}" if stamp else rest)


def _find_speakers(found: list[tuple[str, str] | None]) -> dict[str, int]:
    """Labels that make a transcript, with their counts, from the labels found per line."""
    counts = Counter(item[0] for item in found if item)
    speakers = {
        label: count
        for label, count in counts.items()
        if count >= 2 or label.lower() in WELL_KNOWN_LABELS
    }
    if sum(speakers.values()) < 3 or len(speakers) < 2:
        return {}
    return speakers


def speaker_id(label: str, taken: set[str]) -> str:
    """A stable xml:id for a speaker label, unique among ``taken`` (which it extends)."""
    base = "sp-" + (_NOT_ID_CHARS.sub("-", label.lower()).strip("-") or "x")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def assign_roles(turns: list[tuple[str, str]], labels: dict[str, int]) -> list[Speaker]:
    """Who is the interviewer: a well-known label, else the one whose turns are mostly questions."""
    asks: dict[str, int] = {}
    words: dict[str, int] = {}
    for label, text in turns:
        words[label] = words.get(label, 0) + len(text.split())
        if text.rstrip().endswith("?"):
            asks[label] = asks.get(label, 0) + 1
    roles: dict[str, tuple[str, str]] = {}
    for label in labels:
        known = WELL_KNOWN_LABELS.get(label.lower())
        if known:
            roles[label] = (known, "speaker.well-known-label")
    if "interviewer" not in {r for r, _ in roles.values()}:
        share = {label: asks.get(label, 0) / labels[label] for label in labels if label not in roles}
        if share:
            best = max(share, key=lambda label: (share[label], labels[label]))
            if share[best] >= 0.5:
                roles[best] = ("interviewer", "speaker.asks-questions")
    if "interviewee" not in {r for r, _ in roles.values()}:
        rest = [label for label in labels if label not in roles]
        if rest:
            roles[max(rest, key=lambda label: words.get(label, 0))] = ("interviewee", "speaker.most-words")
    taken: set[str] = set()
    speakers = []
    for label in labels:
        role, rule = roles.get(label, ("speaker", "speaker.label"))
        speakers.append(Speaker(id=speaker_id(label, taken), label=label, role=role, turns=labels[label], rule=rule))  # type: ignore[arg-type]
    return speakers


# -- inline content -----------------------------------------------------------------------------


def normalize_timestamp(raw: str) -> str:
    """"12:34" -> "0:12:34", "01:02:03.5" -> "1:02:03.5": hours unpadded, as TEI's anchors show them."""
    parts = raw.split(":")
    if len(parts) == 2:
        parts = ["0", *parts]
    hours, minutes, seconds = parts
    return f"{int(hours)}:{minutes}:{seconds}"


def _attribute(text: str, start: int, end: int) -> tuple[str | None, str | None, str | None]:
    """(who, cert, rule) for the quote text[start:end], from the sentence around it."""
    sentence_start = 0
    for boundary in _SENTENCE_BOUNDARY_AFTER_END.finditer(text, 0, start):
        sentence_start = boundary.end()
    following = _SENTENCE_BOUNDARY_AFTER_END.search(text, end)
    sentence_end = following.start(1) if following else len(text)
    lead, tail = text[sentence_start:start], text[end:sentence_end]
    for pattern, context, rule in ((SPEAKER_BEFORE, lead, "quote.speech-verb-before"), (SPEAKER_AFTER, tail, "quote.speech-verb-after")):
        match = pattern.search(context)
        if match:
            who = match.group("who")
            if _FIRST_PERSON_WHO.fullmatch(who):
                return "interviewer", "high", rule
            return "interviewee", "high", rule
    context = lead + " " + tail
    if THIRD_PERSON_WORD.search(context) and not FIRST_PERSON_WORD.search(context):
        return "interviewee", "medium", "quote.third-person-context"
    return None, None, None


_START = itemgetter(0)  # of a span or a page break: its offset


def parse_inlines(text: str, breaks: list[tuple[int, object]], attribute_quotes: bool) -> list[Inline]:
    """Split one block's text into text, quotes, notes, time anchors and page breaks."""
    # Every inline needs a character most paragraphs lack: a note "[" or "{", a quote mark, a
    # time stamp ":" with "[" or "(" or a digit opening the text.
    if (
        not breaks and "[" not in text and "{" not in text and '"' not in text and "“" not in text and "‘" not in text
        and (":" not in text or ("(" not in text and not text[:1].isdigit()))
    ):
        return [Text(text)] if text else []  # most paragraphs: nothing inline to find
    spans: list[tuple[int, int, Inline]] = []
    # Each pattern needs a character most paragraphs lack: test for it before scanning.
    if ":" in text:  # TIMESTAMP.finditer(text), its alternatives apart
        bare = _BARE_TIMESTAMP.match(text) if text[:1].isdigit() else None
        if bare is not None:
            spans.append((0, bare.end(), TimeAnchor(bare.group(0), normalize_timestamp(bare.group("bare")))))
        if "[" in text or "(" in text:
            for match in _BRACKETED_TIMESTAMP.finditer(text, bare.end() if bare is not None else 0):
                spans.append((match.start(), match.end(), TimeAnchor(match.group(0), normalize_timestamp(match.group("ts")))))
    # A note inside a time stamp can only open where the stamp does ("[00:12]"): a stamp holds no
    # other "[" or "{"; and notes do not overlap each other. So "inside a span" is "at a stamp's start".
    stamp_starts = {s for s, _, _ in spans}
    for match in NOTE.finditer(text) if ("[" in text or "{" in text) else ():
        if match.start() not in stamp_starts:
            body = match.group("sq") if match.group("sq") is not None else match.group("br")
            mark = text[match.start()]
            spans.append((match.start(), match.end(), Note(body, mark, "]" if mark == "[" else "}")))
    for match in QUOTE.finditer(text) if ('"' in text or "“" in text or "‘" in text) else ():
        if any(s < match.end() and match.start() < e for s, e, _ in spans):
            continue
        group = next(g for g in ("dq", "sq2", "sq") if match.group(g) is not None)
        body = match.group(group)
        who = cert = rule = None
        if attribute_quotes:
            who, cert, rule = _attribute(text, match.start(), match.end())
        spans.append((match.start(), match.end(), Quote(body, text[match.start()], text[match.end() - 1], who, cert, rule)))
    spans.sort(key=_START)

    inlines: list[Inline] = []
    pending_breaks = sorted(breaks, key=_START) if breaks else []
    cursor = 0
    size = len(text)
    # each span, then the end of the text: first the text and page breaks before it
    for start, end, inline in (*spans, (size, size, None)):
        while pending_breaks and pending_breaks[0][0] <= start:
            offset, artifact = pending_breaks.pop(0)
            if offset > cursor:
                inlines.append(Text(text[cursor:offset]))
                cursor = offset
            inlines.append(PageBreak(artifact))  # type: ignore[arg-type]
        if start > cursor:
            inlines.append(Text(text[cursor:start]))
            cursor = start
        if inline is not None:
            inlines.append(inline)
            cursor = end
    for _, artifact in pending_breaks:
        inlines.append(PageBreak(artifact))  # type: ignore[arg-type]
    return inlines


# -- paragraphs ---------------------------------------------------------------------------------


def _looks_hard_wrapped(group: list[Line]) -> bool:
    if len(group) < 3:
        return False
    widths = [len(line.text) for line in group[:-1]]
    return max(widths) <= 100 and min(widths) >= 40 and max(widths) - min(widths) <= 25


def _indent_steps(group: list[Line]) -> list[list[Line]]:
    """Split a group where a line is indented further than the line before it.

    First-line indentation opens a paragraph; a return to the margin does not (it is the
    paragraph's second line), so only a step inwards splits.
    """
    parts: list[list[Line]] = []
    for line in group:
        if not parts or line.indent > parts[-1][-1].indent:
            parts.append([line])
        else:
            parts[-1].append(line)
    return parts


def paragraphs(group: list[Line]) -> list[list[Line]]:
    """Split one blank-line-separated group of lines into paragraphs (lists of lines to join)."""
    if len(group) == 1:
        return [list(group)]  # most groups: one line, one paragraph
    result: list[list[Line]] = []
    for part in _indent_steps(group):
        if _looks_hard_wrapped(part):
            result.append(part)
            continue
        start = len(result)
        for line in part:
            # a line that breaks off mid-sentence goes on in the next one
            if len(result) > start and result[-1][-1].text[-1:] not in LINE_ENDERS and line.text[:1].islower():
                result[-1].append(line)
            else:
                result.append([line])
    return result


def _groups(lines: list[Line]) -> list[list[Line]]:
    """Runs of non-blank lines separated by blank lines."""
    groups: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if not line.text or line.text.isspace():  # Line.blank
            if current:
                groups.append(current)
                current = []
        else:
            current.append(line)
    if current:
        groups.append(current)
    return groups


class _Joiner:
    """Joins a paragraph's lines with spaces, undoing end-of-line hyphenation where it is one."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.notes: list[str] = []

    def join(self, lines: list[Line]) -> tuple[str, list[tuple[int, object]]]:
        if len(lines) == 1 and not lines[0].breaks:
            return lines[0].text.strip(), []  # most paragraphs: one line, nothing to join
        text, breaks, last = "", [], ""
        for line in lines:
            piece = line.text.strip() if not line.breaks else line.text
            if not text:
                offset, text = 0, piece
            elif text.endswith("-"):  # cheap test first: most lines end otherwise
                joined, note = dehyphenate(last, piece, self.vocabulary)
                if note:
                    self.notes.append(note)
                text = text[: len(text) - len(last)] + joined
                offset = len(text) - len(piece)
            else:
                text = f"{text} {piece}"
                offset = len(text) - len(piece)
            breaks.extend((offset + position, artifact) for position, artifact in line.breaks)
            last = piece
        return text, breaks


def _without_label(line: Line, rest: str) -> Line:
    """The line with its speaker label cut off; page-break offsets move with the text."""
    shift = len(line.text) - len(rest)
    return Line(rest, line.number, [(max(0, offset - shift), artifact) for offset, artifact in line.breaks] if line.breaks else [], 0)


def _markdown_headings(lines: list[Line]) -> tuple[list[Line], set[int]]:
    """Lines with Markdown heading marks ("## ") cut off, and the numbers of those lines."""
    if not any(line.text.startswith("#") for line in lines):
        return list(lines), set()  # the pattern opens with "#": most texts have no such line
    out: list[Line] = []
    headings: set[int] = set()
    for line in lines:
        match = MARKDOWN_HEADING.match(line.text)
        if match:
            headings.add(line.number)
            shift = match.end()
            line = Line(line.text[shift:], line.number, [(max(0, o - shift), a) for o, a in line.breaks], line.indent)
        out.append(line)
    return out, headings


def structure(cleaned: CleanedText, lexicon: Callable[[str], bool] | None = None) -> Document:
    """Stage 3: find the title, subject lines, paragraphs or speaker turns, and inline parts."""
    lines, headings = _markdown_headings(cleaned.lines)  # a heading line is never blank
    content = [line for line in lines if not line.blank]
    if not content:
        raise SourceError(str(cleaned.decoded.source.path), "has no text left after removing page artifacts", "structure")
    decisions: list[Decision] = []
    if headings:
        decisions.append(Decision("structure", f"read {len(headings)} Markdown heading line(s) as headings (removed their '#' marks)"))
    # speaker labels over the whole text, so a short first turn cannot pass for a heading
    found_all = {line.number: _label_of(line.text) for line in content if line.number not in headings}
    # a label used once ("Interviewer: Jane Doe" under a title) is a header field, not a turn
    recurring = {label for label, count in _find_speakers(list(found_all.values())).items() if count >= 2}
    turn_lines = frozenset(n for n, found in found_all.items() if found and found[0] in recurring)
    title_lines, subject_lines, header_end = _header_zone(lines, content, turn_lines)
    # a marked heading after the title ("## Early years") names a section, not a subject
    subject_lines = [line for line in subject_lines if line.number not in headings]
    header_lines, body_start_line = content[:header_end], (content[header_end].number if header_end < len(content) else None)

    blocks: list[Block] = []
    for line in header_lines:
        blocks.append(Block(f"h{len(blocks) + 1}", "head", parse_inlines(line.text, line.breaks, False), line.number))
    head_count = len(blocks)

    body_lines = [line for line in lines if line.number >= body_start_line] if body_start_line is not None else []
    found_on = {line.number: found_all[line.number] for line in body_lines if line.number in found_all}
    labels = _find_speakers(list(found_on.values()))

    # Segments: a heading line, a speaker's turn (all lines up to the next label) or prose.
    segments: list[tuple[str | None, list[Line]]] = [(None, [])]
    turn_texts: list[tuple[str, list[str]]] = []
    # Text after a heading goes on with the speaker before it; such a continuation is no new
    # turn, so it is dropped when nothing but blank lines follows (it also has no label line).
    continuations: set[int] = set()
    for line in body_lines:
        if line.number in headings:
            segments.append(("#heading", [line]))
            continuation: list[Line] = []
            continuations.add(id(continuation))
            segments.append((segments[-2][0] if segments[-2][0] != "#heading" else None, continuation))
            continue
        found = found_on.get(line.number) if labels else None
        if found and found[0] in labels:
            segments.append((found[0], [_without_label(line, found[1])]))
            turn_texts.append((found[0], [found[1]]))
            continue
        segments[-1][1].append(line)
        if segments[-1][0] not in (None, "#heading") and turn_texts and not line.blank:
            turn_texts[-1][1].append(line.text)

    speakers = assign_roles([(label, " ".join(parts)) for label, parts in turn_texts], labels) if labels else []
    by_label = {speaker.label: speaker for speaker in speakers}
    joiner = _Joiner(Vocabulary(cleaned.decoded.text, lexicon))
    counts = {"p": 0, "u": 0}
    for label, segment in segments:
        if label == "#heading":
            line = segment[0]
            head_count += 1
            blocks.append(Block(f"h{head_count}", "head", parse_inlines(line.text, line.breaks, False), line.number))
            continue
        if id(segment) in continuations and all(line.blank for line in segment):
            continue
        speaker = by_label.get(label) if label else None
        if len(segment) == 1 and not segment[0].blank:
            paragraphs_of: Iterable[list[Line]] = ([segment[0]],)  # a one-line turn: one group, one paragraph
        else:
            if speaker and not any(not line.blank for line in segment):
                # a label with nothing after it still took a turn: keep it (an empty <u who>)
                counts["u"] += 1
                blocks.append(Block(f"u{counts['u']}", "u", [], segment[0].number, speaker.label, speaker.id))
            paragraphs_of = (paragraph for group in _groups(segment) for paragraph in paragraphs(group))
        opening = segment[0].number if speaker else None  # a turn starts on its label's line
        kind = "u" if speaker else "p"
        who_label, who_id = (speaker.label, speaker.id) if speaker else (None, None)
        for paragraph in paragraphs_of:
            if len(paragraph) == 1 and not paragraph[0].breaks:
                text, breaks = paragraph[0].text.strip(), []  # joiner.join's result for one line
            else:
                text, breaks = joiner.join(paragraph)
            counts[kind] += 1
            blocks.append(
                Block(f"{kind}{counts[kind]}", kind, parse_inlines(text, breaks, speaker is None), opening or paragraph[0].number, who_label, who_id)
            )
            opening = None
    form = "transcript" if speakers else "narrative"
    if speakers:
        decisions.append(Decision("structure", f"read as a transcript: {counts['u']} utterances by speakers {', '.join(s.label + ' (' + s.role + ')' for s in speakers)}"))
    else:
        decisions.append(Decision("structure", f"read as narrative text: {counts['p']} paragraphs"))
    if joiner.notes:
        decisions.append(Decision("structure", f"joined {len(joiner.notes)} word(s) hyphenated at a line end: {'; '.join(joiner.notes)}"))
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
