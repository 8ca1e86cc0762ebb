"""Caption files (WebVTT, SubRip) read into cues, losing no word and saying what was odd.

Why not webvtt-py or srt, which this reader used before: on real files both lose text
without a word. webvtt-py drops a cue whose timing line is malformed
(``00:00:07.000 --> 00:00:1d.890``) and a block with no timing line, text and all; srt
glues a cue that lacks its timing line to the previous one, number included ("Caption
text #1 2 Caption text #2"). An archive keeps every word of its source that is not a
recorded artifact, so this parser reads the same block structure (WebVTT's parsing
rules, which SubRip's informal format shares) but keeps what the libraries skip:

- a cue whose timing line is malformed keeps its text (and its start time if that half is
  readable), and the problem is reported with the line number;
- a block with no timing line becomes an untimed cue (its number, in SubRip, is not text);
- a timed cue left empty by a blank line before its text (auto-captions write a line of
  spaces there, which decoding turns into an empty line) takes the block that follows;
- header fields (``Kind:``, ``Language:``), ``NOTE``, ``STYLE`` and ``REGION`` blocks, cue
  identifiers and cue settings are reported as what they are, never read as speech.

The tests check this parser against webvtt-py and srt on well-formed files: same cues,
same times, same text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Literal, Union

CaptionFormat = Literal["vtt", "srt"]

# [hours:]minutes:seconds with a fraction after "." (WebVTT) or "," (SubRip); files that
# mix the two are common enough to read both everywhere.
_TIMESTAMP = re.compile(r"^(?:(?P<h>\d+):)?(?P<m>[0-5]?\d):(?P<s>[0-5]\d)(?:[.,](?P<f>\d{1,3}))?$")
_TIMING = re.compile(r"^\s*(?P<start>\S*)\s*-->\s*(?P<end>\S*)\s*(?P<settings>.*)$")
# Inline markup: a WebVTT time stamp <00:17.500>, a tag <c.yellow>, </i>, <v Name>, a SubRip
# position code {\an8}. A "<" not followed by a letter, "/" or digit is text ("a < b").
_INLINE = re.compile(
    r"<(?P<time>(?:\d+:)?[0-5]?\d:[0-5]\d[.,]\d{1,3})>"
    r"|<v(?:\.[^\s>]*)?[ \t]+(?P<voice>[^>]*)>"
    r"|</?[A-Za-z][^<>]*>"
    r"|\{\\[^{}]*\}"
)
_HEADER_FIELD = re.compile(r"^(?P<name>[A-Za-z][\w-]*)\s*:\s*(?P<value>.*)$")
_BLOCK_KEYWORD = re.compile(r"^(?P<word>NOTE|STYLE|REGION)(?:[ \t]|$)")


@dataclass
class InlineTime:
    """A WebVTT inline time stamp: the time the next word is spoken."""

    original: str
    seconds: float


Piece = Union[str, InlineTime]


@dataclass
class Cue:
    """One cue as the file has it; ``start`` is None when its timing is missing or unreadable."""

    line: int  # 1-based line of the timing line, or of the first text line of an untimed cue
    start: float | None
    end: float | None
    original: str | None  # the start time as the file writes it
    identifier: str | None = None
    settings: str = ""
    payload: list[str] = field(default_factory=list)  # text lines, markup included
    problem: str | None = None  # why the cue is untimed or half-timed, for the record


@dataclass
class CaptionLine:
    """A line of cue text: plain text and inline time stamps, markup removed."""

    pieces: list[Piece]
    text: str  # the pieces' words, single-spaced: what rolling captions repeat


def caption_line(pieces: list[Piece]) -> CaptionLine:
    """A line from its pieces, its plain text worked out once."""
    return CaptionLine(pieces, " ".join("".join(p for p in pieces if isinstance(p, str)).split()))


@dataclass
class CueText:
    """A cue's text as read: its lines, the first voice span's name, the tags removed."""

    lines: list[CaptionLine]
    voice: str | None
    tags: int

    @property
    def plain(self) -> str:
        return " ".join(line.text for line in self.lines if line.text)


@dataclass
class Skipped:
    """A part of the file that is not speech: a header field, a NOTE, a STYLE block, ..."""

    kind: str  # "caption-header" | "caption-note" | "markup" | "caption-identifier" | "caption-timing"
    text: str
    line: int


@dataclass
class CaptionFile:
    """The cues of a caption file and everything else it holds."""

    format: CaptionFormat
    cues: list[Cue]
    title: str | None = None  # WebVTT "WEBVTT - Title"
    header: dict[str, tuple[str, int]] = field(default_factory=dict)  # field (lower case) -> (value, line)
    skipped: list[Skipped] = field(default_factory=list)
    signature: bool = True  # WebVTT: the file opens with "WEBVTT"
    identifiers: int = 0
    settings: int = 0
    joined_blank_payloads: int = 0  # timed cues whose text followed a blank line


class NotCaptions(ValueError):
    """The text holds no cue timing at all: it is not a caption file."""


def parse_timestamp(text: str) -> float | None:
    """Seconds of a caption time stamp, or None when it is not one."""
    match = _TIMESTAMP.match(text)
    if match is None:
        return None
    fraction = match.group("f") or "0"
    return int(match.group("h") or 0) * 3600 + int(match.group("m")) * 60 + int(match.group("s")) + int(fraction) / 10 ** len(fraction)


def _blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """Runs of non-empty lines as (1-based number of the first line, lines)."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line)
        elif current:
            blocks.append((start, current))
            current = []
    if current:
        blocks.append((start, current))
    return blocks


def _is_number(line: str) -> bool:
    return line.strip().isdigit()


def _timed_cue(line: str, number: int, identifier: str | None) -> Cue:
    """A cue opened by a timing line; a malformed time is reported, never fatal."""
    match = _TIMING.match(line)
    assert match is not None  # callers pass lines holding "-->"
    start, end = parse_timestamp(match.group("start")), parse_timestamp(match.group("end"))
    cue = Cue(number, start, end, match.group("start") if start is not None else None, identifier, match.group("settings").strip())
    if start is None:
        cue.problem = f"line {number}: cue timing {line.strip()!r} is malformed; its text is kept as an untimed utterance"
    elif end is None:
        cue.problem = f"line {number}: the end time of cue timing {line.strip()!r} is malformed; the cue keeps its start"
    return cue


def parse_captions(text: str, fmt: CaptionFormat) -> CaptionFile:
    """Read decoded caption text into cues; ``NotCaptions`` when no line holds a cue timing."""
    lines = text.split("\n")
    if not any("-->" in line for line in lines):
        raise NotCaptions("no cue timing line ('start --> end') anywhere in the file")
    parsed = CaptionFile(fmt, [])
    blocks = _blocks(lines)
    if fmt == "vtt":
        blocks = _read_vtt_header(blocks, parsed)
    for first_line, block in blocks:
        keyword = _BLOCK_KEYWORD.match(block[0]) if fmt == "vtt" else None
        if keyword is not None and not any("-->" in line for line in block):
            kind = "caption-note" if keyword.group("word") == "NOTE" else "markup"
            body = " ".join(line.strip() for line in block)[len(keyword.group("word")):].strip()
            parsed.skipped.append(Skipped(kind, f"{keyword.group('word')} {body}".strip(), first_line))
            continue
        _read_cue_block(first_line, block, parsed)
    return parsed


def _read_vtt_header(blocks: list[tuple[int, list[str]]], parsed: CaptionFile) -> list[tuple[int, list[str]]]:
    """Take the "WEBVTT" block (title, header fields) off the blocks; the rest are cues."""
    if not blocks or not blocks[0][1][0].lstrip("\ufeff").startswith("WEBVTT"):
        parsed.signature = False
        return blocks
    first_line, block = blocks[0]
    parsed.title = block[0].lstrip("\ufeff")[len("WEBVTT"):].strip(" \t-") or None
    timing = next((i for i, line in enumerate(block) if "-->" in line), None)
    header_end = len(block) if timing is None else timing
    if timing is not None and timing > 1 and not _HEADER_FIELD.match(block[timing - 1].strip()):
        header_end = timing - 1  # the first cue's identifier, not a header field
    for offset, line in enumerate(block[1:header_end], start=1):
        field_match = _HEADER_FIELD.match(line.strip())
        if field_match and field_match.group("name").lower() not in parsed.header:
            parsed.header[field_match.group("name").lower()] = (field_match.group("value").strip(), first_line + offset)
        parsed.skipped.append(Skipped("caption-header", line.strip(), first_line + offset))
    rest = blocks[1:]
    if timing is not None:  # no blank line between the header and the first cue
        rest.insert(0, (first_line + header_end, block[header_end:]))
    return rest


def _read_cue_block(first_line: int, block: list[str], parsed: CaptionFile) -> None:
    timings = [i for i, line in enumerate(block) if "-->" in line]
    if not timings:
        _read_untimed_block(first_line, block, parsed)
        return
    cursor = 0
    for position, timing in enumerate(timings):
        identifier = None
        text_end = timing
        # the line just above a timing names the cue: any line at a WebVTT block's top (its cue
        # identifier), else only a number (SubRip's, or one whose blank line went missing)
        if timing > cursor and ((parsed.format == "vtt" and cursor == 0 and timing == 1) or _is_number(block[timing - 1])):
            identifier = block[timing - 1].strip()
            text_end = timing - 1
            parsed.identifiers += 1
        if text_end > cursor:  # text above the block's first timing, or run on from the cue above
            orphan = block[cursor:text_end]
            if position > 0:
                parsed.cues[-1].payload.extend(orphan)
            else:
                _read_untimed_block(first_line + cursor, orphan, parsed)
        cue = _timed_cue(block[timing], first_line + timing, identifier)
        if cue.settings:
            parsed.settings += 1
        if cue.start is None or cue.end is None:
            parsed.skipped.append(Skipped("caption-timing", block[timing].strip(), first_line + timing))
        parsed.cues.append(cue)
        cursor = timing + 1
    parsed.cues[-1].payload.extend(block[cursor:])


def _read_untimed_block(first_line: int, block: list[str], parsed: CaptionFile) -> None:
    """A block without timing: the text of the timed cue above it, or an untimed cue."""
    previous = parsed.cues[-1] if parsed.cues else None
    if previous is not None and not previous.payload and previous.start is not None:
        previous.payload = list(block)  # "00:01.000 --> 00:02.000", blank line, then its text
        parsed.joined_blank_payloads += 1
        return
    identifier = None
    if _is_number(block[0]):
        identifier = block[0].strip()
        parsed.identifiers += 1
        block = block[1:]
        if not block:  # a lone cue number: neither timing nor text follows it
            parsed.skipped.append(Skipped("caption-identifier", identifier, first_line))
            return
    text_line = first_line + (1 if identifier else 0)
    what = f"cue {identifier}" if identifier else "a cue"
    problem = f"line {text_line}: {what} has no timing line; its text is kept as an untimed utterance"
    parsed.cues.append(Cue(text_line, None, None, None, identifier, "", list(block), problem))


def cue_text(cue: Cue, fmt: CaptionFormat) -> CueText:
    """The cue's lines without markup: inline time stamps kept, the first voice span's name."""
    voice: str | None = None
    tags = 0
    lines: list[CaptionLine] = []
    for raw in cue.payload:
        if "<" not in raw and "{" not in raw and "&" not in raw:  # most cues: no markup at all
            if raw.strip():
                lines.append(CaptionLine([raw], " ".join(raw.split())))
            continue
        pieces: list[Piece] = []
        cursor = 0
        for match in _INLINE.finditer(raw) if ("<" in raw or "{" in raw) else ():
            if match.start() > cursor:
                pieces.append(raw[cursor:match.start()])
            cursor = match.end()
            tags += 1
            if match.group("time"):
                seconds = parse_timestamp(match.group("time"))
                if seconds is not None:
                    pieces.append(InlineTime(match.group("time"), seconds))
            elif match.group("voice") is not None and voice is None and match.group("voice").strip():
                voice = " ".join(match.group("voice").split())
        if cursor < len(raw):
            pieces.append(raw[cursor:])
        if fmt == "vtt":  # WebVTT escapes "<" and "&" in cue text as HTML does
            pieces = [html.unescape(p) if isinstance(p, str) and "&" in p else p for p in pieces]
        line = caption_line(pieces)
        if line.text or any(isinstance(p, InlineTime) for p in pieces):
            lines.append(line)
    return CueText(lines, voice, tags)


def collapse_rolling(texts: list[CueText]) -> tuple[list[CueText], int] | None:
    """Rolling captions said once: (cue texts without repeated lines, lines dropped), or None.

    Auto-generated and roll-up captions show each line twice: a cue repeats the previous
    cue's last line(s) above its new words. A file is taken for rolling when at least two
    cues, and two in five, open with the line(s) the cue before them ended with; then every
    such repeat is dropped and a cue left with nothing new goes. Otherwise None: a speaker
    may well say the same line twice in an ordinary file.
    """
    overlaps = [0] + [_overlap(texts[i - 1], texts[i]) for i in range(1, len(texts))]
    rolling = sum(1 for n in overlaps if n)
    if rolling < 2 or rolling < 0.4 * (len(texts) - 1):
        return None
    collapsed = [CueText(text.lines[n:], text.voice, text.tags) for text, n in zip(texts, overlaps)]
    return collapsed, sum(overlaps)


def _overlap(before: CueText, after: CueText) -> int:
    """How many of ``after``'s first lines repeat ``before``'s last ones (plain text compared)."""
    old = [line.text for line in before.lines if line.text]
    new = [line.text for line in after.lines]
    for size in range(min(len(old), len(new)), 0, -1):
        if old[-size:] == new[:size]:
            return size
    return 0
