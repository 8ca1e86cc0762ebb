"""Reader for caption files, WebVTT (``.vtt``, webvtt-py) and SubRip (``.srt``, srt).

Each cue becomes one timed utterance: a ``u`` block that opens with a ``TimeAnchor`` at
the cue's start and carries its end in ``Block.end``. The speaker comes from a WebVTT
voice span (``<v Jane Doe>``) or from a ``NAME:`` prefix on the cue's first line; a cue
without either continues the previous speaker, as captions name a speaker only when the
speaker changes. Cue markup (``<i>``, ``<c.loud>``, SubRip ``<font>``, ``{\\an8}``) is
not text: it is removed and counted. A WebVTT header text ("WEBVTT - Title") is the title.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import srt
import webvtt
from webvtt.errors import MalformedFileError

from oral_archive.schemas.errors import SourceError

from ..decode import decode
from ..document import Artifact, Block, CleanedText, DecodedText, Decision, Document, Line, Source, Text, TimeAnchor
from ..structure import NOT_SPEAKER_LABELS, WELL_KNOWN_LABELS, assign_roles, parse_inlines

_TAG = re.compile(r"</?[A-Za-z][^<>]*>|\{\\[^{}]*\}")
# "JANE DOE: ...", "Q: ...", optionally after a dialogue dash or ">>" as caption styles write it.
_PREFIX = re.compile(r"^(?:-\s*|>>\s*)?(?P<label>[A-Z][A-Za-z'’.\-]*(?: [A-Z][A-Za-z'’.\-]*){0,3}):\s+(?P<rest>\S.*)$", re.DOTALL)
_HEADER = re.compile(r"^\ufeff?WEBVTT[ \t-]*(?P<title>.*)$")


@dataclass
class Cue:
    """One caption cue as read: times in seconds, text without markup, speaker if named."""

    start: float
    end: float
    text: str
    voice: str | None
    line: int
    tags: int  # markup tags removed from this cue
    original: str  # the start time as the file writes it


def clock(seconds: float) -> str:
    """Seconds as H:MM:SS.mmm, the form ``TimeAnchor.timestamp`` and TEI anchors use."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _timing_lines(text: str) -> list[int]:
    """1-based numbers of the lines holding "-->" cue timings, in order (cue i is on line i)."""
    return [n for n, line in enumerate(text.split("\n"), start=1) if "-->" in line]


def _strip_tags(raw: str) -> tuple[str, int]:
    if "<" not in raw and "{" not in raw:  # every tag opens with one of these: most cues have none
        if "\n" not in raw:
            return raw.strip(), 0
        return " ".join(part.strip() for part in raw.split("\n") if part.strip()), 0
    tags = len(_TAG.findall(raw))
    return " ".join(part.strip() for part in _TAG.sub("", raw).split("\n") if part.strip()), tags


def _vtt_cues(decoded: DecodedText) -> list[Cue]:
    try:
        captions = webvtt.from_string(decoded.text).captions
    except (MalformedFileError, ValueError, IndexError) as error:
        raise SourceError(str(decoded.source.path), f"is not valid WebVTT: {error}", "decode") from None
    lines = _timing_lines(decoded.text)
    cues = []
    for index, caption in enumerate(captions):
        text, tags = _strip_tags(caption.raw_text)
        start, end = caption.start_time.in_milliseconds() / 1000, caption.end_time.in_milliseconds() / 1000
        cues.append(Cue(start, end, text, caption.voice, lines[index] if index < len(lines) else 0, tags, caption.start))
    return cues


def _srt_cues(decoded: DecodedText) -> list[Cue]:
    try:
        subtitles = list(srt.parse(decoded.text))
    except (srt.SRTParseError, ValueError) as error:
        raise SourceError(str(decoded.source.path), f"is not valid SubRip: {error}", "decode") from None
    lines = _timing_lines(decoded.text)
    cues = []
    for index, subtitle in enumerate(subtitles):
        text, tags = _strip_tags(subtitle.content)
        original = srt.timedelta_to_srt_timestamp(subtitle.start)
        cues.append(Cue(_seconds(subtitle.start), _seconds(subtitle.end), text, None, lines[index] if index < len(lines) else 0, tags, original))
    return cues


def _seconds(delta: timedelta) -> float:
    return delta.total_seconds()


def _speaker_of(cue: Cue) -> tuple[str | None, str]:
    """(label, text without the prefix); a voice span wins over a ``NAME:`` prefix."""
    if cue.voice:
        return cue.voice.strip(), cue.text
    match = _PREFIX.match(cue.text)
    if match and match.group("label").lower() not in NOT_SPEAKER_LABELS:
        return match.group("label"), match.group("rest")
    return None, cue.text


def read(source: Source) -> Document:
    """A WebVTT or SubRip file as a transcript of timed utterances."""
    decoded = decode(source)
    is_vtt = source.media_type == "text/vtt"
    cues = [cue for cue in (_vtt_cues(decoded) if is_vtt else _srt_cues(decoded)) if cue.text]
    if not cues:
        raise SourceError(str(source.path), "has no caption cues with text", "structure")

    named = [(_speaker_of(cue), cue) for cue in cues]
    # a "Word:" prefix used once is more likely prose ("However: ...") than a speaker, as in
    # text transcripts; voice spans and well-known labels always name a speaker
    prefixed = Counter(label for (label, _), cue in named if label and not cue.voice)
    named = [
        ((label, text) if not label or cue.voice or prefixed[label] >= 2 or label.lower() in WELL_KNOWN_LABELS else (None, cue.text), cue)
        for (label, text), cue in named
    ]
    labels = Counter(label for (label, _), _ in named if label)
    turns: list[tuple[str, str]] = []
    current: str | None = None
    attributed: list[tuple[str | None, str, Cue]] = []
    for (label, text), cue in named:
        current = label or current
        attributed.append((current, text, cue))
        if current:
            turns.append((current, text))
    speakers = assign_roles(turns, dict(labels)) if labels else []
    by_label = {speaker.label: speaker for speaker in speakers}

    decisions = [Decision("structure", f"read {len(cues)} caption cues as timed utterances" + (f" by speakers {', '.join(s.label + ' (' + s.role + ')' for s in speakers)}" if speakers else " (no speaker named)"))]
    artifacts: list[Artifact] = list(decoded.artifacts)
    tags = sum(cue.tags for cue in cues)
    if tags:
        artifacts.append(Artifact("markup", f"{tags} cue tags", 0))
        decisions.append(Decision("clean", f"removed {tags} cue markup tags (styling, voice spans: the voice is kept as the speaker)"))

    blocks: list[Block] = []
    title_lines: list[Line] = []
    header = _HEADER.match(decoded.text.split("\n", 1)[0]) if is_vtt else None
    if header and header.group("title").strip():
        title_line = Line(header.group("title").strip(), 1)
        title_lines.append(title_line)
        blocks.append(Block("h1", "head", [Text(title_line.text)], 1))
    for number, (label, text, cue) in enumerate(attributed, start=1):
        speaker = by_label.get(label) if label else None
        start = clock(cue.start)
        inlines = [TimeAnchor(cue.original, start), *parse_inlines(text, [], False)]
        blocks.append(Block(f"u{number}", "u", inlines, cue.line, speaker.label if speaker else None, speaker.id if speaker else None, clock(cue.end)))

    # the cues are the blocks; of the file's lines only the title's is a line of text
    lines = list(title_lines)
    cleaned = CleanedText(decoded=decoded, lines=lines, artifacts=artifacts, decisions=[d for d in decisions if d.step == "clean"])
    return Document(
        cleaned=cleaned,
        title_lines=title_lines,
        subject_lines=[],
        blocks=blocks,
        speakers=speakers,
        form="transcript",
        decisions=[d for d in decisions if d.step != "clean"],
    )
