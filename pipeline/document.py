"""The in-flight document the ingestion stages pass along.

Data flows one way: ``Source`` (bytes) -> ``DecodedText`` -> ``CleanedText`` ->
``Document`` (structure) -> ``Metadata`` (extraction). Whatever a stage removes or
decides is recorded here (``Artifact``, ``Decision``) so the TEI header can list it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Union

from oral_archive.schemas.filenames import printable_name


@dataclass(frozen=True)
class Source:
    """An input file: its bytes exactly as received."""

    path: Path
    data: bytes
    sha256: str
    media_type: str

    @property
    def filename(self) -> str:
        """The file's name as the record stores it: undecodable bytes and controls escaped."""
        return printable_name(self.path.name)


@dataclass(slots=True)
class Artifact:
    """Something taken out of the text because it is not part of the interview."""

    # "url", "page-number", "navigation", "form-feed", "running-header", "xml-illegal-character",
    # "markup" (a reader's tags or cue settings), "boilerplate" (web-page and viewer chrome), ...
    kind: str
    text: str
    line: int  # 1-based line number in the decoded text (0 when not line-bound)


@dataclass
class Decision:
    """A change a stage made, for the TEI revision history."""

    step: str
    description: str


@dataclass
class DecodedText:
    """Text decoded from the source bytes, before cleaning.

    Once a reader has built the document from it, it may ``release`` the text: the document
    holds it in its lines and blocks already, and this copy of a long text is the largest
    part of the document (up to four bytes a character, where one character needs them).
    ``text`` then decodes it again from the source whenever it is read.
    """

    source: Source
    text: str
    encoding: str
    decisions: list[Decision] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)

    def release(self, again: Callable[[Source], str]) -> None:
        """Stop holding the text; ``again(source)`` makes it when ``text`` is read."""
        self.__dict__.pop("text", None)
        self.__dict__["_again"] = again


class _Released:
    """``DecodedText.text`` after ``release``: made again from the source when read.

    A non-data descriptor: the text an instance holds (set by ``__init__``) is found first.
    """

    def __get__(self, decoded: DecodedText | None, owner: type | None = None) -> str:
        if decoded is None:
            raise AttributeError("text")
        return decoded.__dict__["_again"](decoded.source)


DecodedText.text = _Released()  # type: ignore[assignment]  # (set after @dataclass: not a default)


@dataclass(slots=True)
class Line:
    """One line of cleaned text. ``breaks`` marks where page-break artifacts were cut out."""

    text: str
    number: int
    breaks: list[tuple[int, Artifact]] = field(default_factory=list)
    indent: int = 0  # leading spaces in the source line (an indented line can open a paragraph)

    @property
    def blank(self) -> bool:
        return not self.text or self.text.isspace()


@dataclass
class CleanedText:
    decoded: DecodedText
    lines: list[Line]
    artifacts: list[Artifact] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)

    def release_lines(self) -> None:
        """Stop holding the lines: once the record is assembled only the blocks are read
        (TEI), and a long text's lines are another copy of it. Reading them afterwards
        raises instead of finding none."""
        self.lines = _ReleasedLines()  # type: ignore[assignment]


class _ReleasedLines(Sequence):
    """``CleanedText.lines`` after ``release_lines``."""

    def _released(self, *args):
        raise RuntimeError("the cleaned lines were released once the record was assembled (CleanedText.release_lines)")

    __getitem__ = __len__ = __iter__ = _released


# -- inline content of a block ------------------------------------------------------------


@dataclass(slots=True)
class Text:
    text: str


@dataclass(slots=True)
class Quote:
    """Direct speech inside a paragraph; ``who`` is a participant id when attributed."""

    text: str
    open_mark: str
    close_mark: str
    who: str | None = None
    cert: str | None = None  # "high" | "medium" | "low"
    rule: str | None = None


@dataclass(slots=True)
class PageBreak:
    artifact: Artifact


@dataclass(slots=True)
class Note:
    """A bracketed remark of the transcriber: [laughs], {inaudible}."""

    text: str
    open_mark: str
    close_mark: str


@dataclass(slots=True)
class TimeAnchor:
    """A time stamp in the transcript, normalized to H:MM:SS (with .mmm when the source has it)."""

    original: str
    timestamp: str


Inline = Union[Text, Quote, PageBreak, Note, TimeAnchor]


def plain_text(inlines: list[Inline]) -> str:
    """The block as plain text: quotes and notes keep their marks, breaks and anchors vanish."""
    parts: list[str] = []
    for inline in inlines:
        if isinstance(inline, Text):
            parts.append(inline.text)
        elif isinstance(inline, Quote):
            parts.append(f"{inline.open_mark}{inline.text}{inline.close_mark}")
        elif isinstance(inline, Note):
            parts.append(f"{inline.open_mark}{inline.text}{inline.close_mark}")
    return "".join(parts)


@dataclass(slots=True)
class Block:
    """A paragraph (``p``), an utterance (``u``) or a section heading (``head``)."""

    id: str
    kind: Literal["p", "u", "head"]
    inlines: list[Inline]
    line: int
    speaker_label: str | None = None
    who: str | None = None
    end: str | None = None  # H:MM:SS[.mmm] where a timed utterance (a caption cue) ends

    @property
    def text(self) -> str:
        return plain_text(self.inlines)

    @property
    def start(self) -> str | None:
        # a page break before the turn's time stamp ("Page 2 of 5" then "[00:01:02] SMITH:") is
        # where the page ended, not what the turn opens with
        first = next((i for i in self.inlines if not isinstance(i, PageBreak) and (not isinstance(i, Text) or i.text.strip())), None)
        return first.timestamp if isinstance(first, TimeAnchor) else None


@dataclass
class Speaker:
    """A speaker label found in a transcript, and the role we inferred for it."""

    id: str
    label: str
    role: Literal["interviewee", "interviewer", "speaker"]
    turns: int
    rule: str


@dataclass
class Document:
    """The structured document: header lines and body blocks."""

    cleaned: CleanedText
    title_lines: list[Line]
    subject_lines: list[Line]
    blocks: list[Block]
    speakers: list[Speaker] = field(default_factory=list)
    form: Literal["narrative", "transcript"] = "narrative"
    decisions: list[Decision] = field(default_factory=list)
    # (language tag, evidence) when the format declares it (a caption file's "Language:" header)
    stated_language: tuple[str, str] | None = None

    @property
    def source(self) -> Source:
        return self.cleaned.decoded.source

    @property
    def title(self) -> str | None:
        return " ".join(line.text.strip() for line in self.title_lines) or None

    def block(self, block_id: str) -> Block:
        return next(b for b in self.blocks if b.id == block_id)
