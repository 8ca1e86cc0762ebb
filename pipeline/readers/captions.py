"""Reader for caption files, WebVTT (``.vtt``) and SubRip (``.srt``): cues to timed utterances.

``cuefile`` reads the file into cues, keeping what malformed files would otherwise lose;
this module turns each cue into one ``u`` block that opens with a ``TimeAnchor`` at the
cue's start and carries its end in ``Block.end``; inline WebVTT time stamps become anchors
inside the utterance. The speaker comes from a WebVTT voice span (``<v Jane Doe>``) or
from a ``NAME:`` prefix on the cue's first line; a cue without either continues the
previous speaker, as captions name a speaker only when the speaker changes. Cue markup
(``<i>``, ``<c.loud>``, SubRip ``<font>``, ``{\\an8}``) is not text: it is removed and
counted. Rolling auto-captions are said once. A WebVTT header text ("WEBVTT - Title") is
the title and its ``Language:`` field the record's language.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from oral_archive.schemas.errors import SourceError

from ..decode import decode
from ..document import Artifact, Block, CleanedText, Decision, Document, Inline, Line, Source, Text, TimeAnchor
from ..structure import NOT_SPEAKER_LABELS, WELL_KNOWN_LABELS, assign_roles, parse_inlines
from .cuefile import CaptionFile, CaptionFormat, Cue, CueText, InlineTime, NotCaptions, caption_line, collapse_rolling, cue_text, parse_captions

# "JANE DOE: ...", "Q: ...", optionally after a dialogue dash or ">>" as caption styles write it.
_PREFIX = re.compile(r"^(?:-\s*|>>\s*)?(?P<label>[A-Z][A-Za-z'’.\-]*(?: [A-Z][A-Za-z'’.\-]*){0,3}):\s+(?P<rest>\S.*)$", re.DOTALL)
_FORMAT_NAMES = {"vtt": "WebVTT", "srt": "SubRip"}


@dataclass
class Utterance:
    """A cue ready to become a block: its timing, text pieces and speaker label if named."""

    cue: Cue
    text: CueText
    label: str | None = None
    prefix: int = 0  # characters of a "NAME: " prefix to drop from the first line


def clock(seconds: float) -> str:
    """Seconds as H:MM:SS.mmm, the form ``TimeAnchor.timestamp`` and TEI anchors use."""
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _speaker_of(text: CueText) -> tuple[str | None, CueText]:
    """(label, text without its "NAME: " prefix); a voice span wins over a prefix."""
    if text.voice:
        return text.voice, text
    first = text.lines[0].pieces[0] if text.lines and text.lines[0].pieces else None
    match = _PREFIX.match(first.strip()) if isinstance(first, str) else None
    if match is None or match.group("label").lower() in NOT_SPEAKER_LABELS:
        return None, text
    rest = CueText([caption_line([match.group("rest"), *text.lines[0].pieces[1:]]), *text.lines[1:]], None, text.tags)
    return match.group("label"), rest


def _attribute(utterances: list[Utterance]) -> None:
    """Name each utterance's speaker: its own label, else the label of the cue before it."""
    named = [(_speaker_of(u.text), u) for u in utterances]
    # a "Word:" prefix used once is more likely prose ("However: ...") than a speaker, as in
    # text transcripts; voice spans and well-known labels always name a speaker
    prefixed = Counter(label for (label, _), u in named if label and not u.text.voice)
    current: str | None = None
    for (label, stripped), utterance in named:
        if label and (utterance.text.voice or prefixed[label] >= 2 or label.lower() in WELL_KNOWN_LABELS):
            utterance.text = stripped
            current = label
            utterance.label = label
        else:
            utterance.label = current


def _inlines(utterance: Utterance) -> list[Inline]:
    """The cue's anchor, then its lines joined by spaces, inline time stamps as anchors."""
    cue = utterance.cue
    inlines: list[Inline] = [TimeAnchor(cue.original, clock(cue.start))] if cue.start is not None and cue.original else []
    wrote_text = False
    space = False  # a space is owed before the next word: "so<00:00.160> today" is two words
    for line in utterance.text.lines:
        space = wrote_text
        for piece in line.pieces:
            if isinstance(piece, InlineTime):
                inlines.append(TimeAnchor(piece.original, clock(piece.seconds)))
                continue
            words = " ".join(piece.split())
            if words:
                text = (" " if wrote_text and (space or piece[:1].isspace()) else "") + words
                inlines.extend(parse_inlines(text, [], False))
                wrote_text = True
                space = piece[-1:].isspace()
            elif piece:
                space = True
    return inlines


def _report(parsed: CaptionFile, fmt: CaptionFormat, rolled: tuple[int, int] | None) -> tuple[list[Artifact], list[Decision]]:
    """What was not speech (artifacts, "clean" decisions) and each cue problem by its line."""
    artifacts = [Artifact(part.kind, part.text, part.line) for part in parsed.skipped]
    decisions: list[Decision] = []
    if fmt == "vtt" and not parsed.signature:
        decisions.append(Decision("structure", "the file does not open with the 'WEBVTT' line WebVTT requires; its cues were read all the same"))
    decisions += [Decision("structure", cue.problem) for cue in parsed.cues if cue.problem]
    described = {"caption-header": "caption header line", "caption-note": "caption NOTE block", "markup": "caption style block", "caption-identifier": "cue number without timing or text"}
    decisions += [Decision("clean", f"removed {described[part.kind]} {part.text!r} (line {part.line})") for part in parsed.skipped if part.kind in described]
    counts = [(parsed.identifiers, "cue identifier(s)"), (parsed.settings, "cue setting(s) (position, alignment)")]
    for count, what in counts:
        if count:
            artifacts.append(Artifact("markup", f"{count} {what}", 0))
            decisions.append(Decision("clean", f"removed {count} {what}: layout, not speech"))
    if parsed.joined_blank_payloads:
        decisions.append(Decision("structure", f"read the text after a blank line as its cue's text in {parsed.joined_blank_payloads} cue(s) with an empty first line"))
    if rolled:
        repeated, cues = rolled
        artifacts.append(Artifact("rolling-captions", f"{repeated} repeated caption lines", 0))
        decisions.append(Decision("clean", f"collapsed rolling captions: removed {repeated} lines that repeated the cue before them ({cues} cue(s) had nothing new and were dropped)"))
    return artifacts, decisions


def read(source: Source) -> Document:
    """A WebVTT or SubRip file as a transcript of timed utterances."""
    decoded = decode(source)
    fmt: CaptionFormat = "vtt" if source.media_type == "text/vtt" else "srt"
    try:
        parsed = parse_captions(decoded.text, fmt)
    except NotCaptions as error:
        raise SourceError(str(source.path), f"is not valid {_FORMAT_NAMES[fmt]}: {error}", "decode") from None
    texts = [cue_text(cue, fmt) for cue in parsed.cues]
    tags = sum(text.tags for text in texts)
    rolled = None
    collapsed = collapse_rolling(texts)
    if collapsed is not None:
        texts, repeated = collapsed
        rolled = (repeated, sum(1 for text in texts if not text.plain))
    utterances = [Utterance(cue, text) for cue, text in zip(parsed.cues, texts) if text.plain]
    if not utterances:
        raise SourceError(str(source.path), "has no caption cues with text", "structure")
    _attribute(utterances)

    labels = Counter(u.label for u in utterances if u.label)
    speakers = assign_roles([(u.label, u.text.plain) for u in utterances if u.label], dict(labels)) if labels else []
    by_label = {speaker.label: speaker for speaker in speakers}
    artifacts, decisions = _report(parsed, fmt, rolled)
    untimed = sum(1 for u in utterances if u.cue.start is None)
    described_speakers = f" by speakers {', '.join(s.label + ' (' + s.role + ')' for s in speakers)}" if speakers else " (no speaker named)"
    decisions.insert(0, Decision("structure", f"read {len(utterances)} caption cues as timed utterances{described_speakers}" + (f"; {untimed} without a readable start time" if untimed else "")))
    if tags:
        artifacts.append(Artifact("markup", f"{tags} cue tags", 0))
        decisions.append(Decision("clean", f"removed {tags} cue markup tags (styling, voice spans: the voice is kept as the speaker; inline time stamps become anchors)"))

    blocks: list[Block] = []
    title_lines: list[Line] = []
    if parsed.title:
        title_lines.append(Line(parsed.title, 1))
        blocks.append(Block("h1", "head", [Text(parsed.title)], 1))
    for number, utterance in enumerate(utterances, start=1):
        speaker = by_label.get(utterance.label) if utterance.label else None
        cue = utterance.cue
        end = clock(cue.end) if cue.end is not None and cue.start is not None else None
        blocks.append(Block(f"u{number}", "u", _inlines(utterance), cue.line, speaker.label if speaker else None, speaker.id if speaker else None, end))

    language = parsed.header.get("language")
    cleaned = CleanedText(decoded=decoded, lines=list(title_lines), artifacts=[*decoded.artifacts, *artifacts], decisions=[d for d in decisions if d.step == "clean"])
    return Document(
        cleaned=cleaned,
        title_lines=title_lines,
        subject_lines=[],
        blocks=blocks,
        speakers=speakers,
        form="transcript",
        decisions=[d for d in decisions if d.step != "clean"],
        stated_language=(language[0], f"caption header 'Language: {language[0]}' (line {language[1]})") if language and language[0] else None,
    )
