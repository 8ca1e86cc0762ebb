"""Stage ``clean``: take page-break artifacts out of the text and rejoin what they split.

A scraped or printed page leaves lines that are not part of the interview: the site's
URL, "Page 3 of 12", a bare page number, a navigation bar. Such a line is removed and
recorded as an ``Artifact``; where it stood between two halves of one sentence (the
line before does not end a sentence and the line after starts in lower case) the halves
are rejoined into one line, with the break position kept for a TEI ``<pb/>``.
"""

from __future__ import annotations

import re

from .document import Artifact, CleanedText, DecodedText, Decision, Line

URL_LINE = re.compile(r"^(?:https?://|www\.)[^\s<>\"]+$", re.IGNORECASE)
PAGE_NUMBER_LINE = re.compile(
    r"^(?:page\s+\d{1,4}(?:\s+of\s+\d{1,4})?|\[\d{1,4}\]|-\s*\d{1,4}\s*-|\d{1,4}|\d{1,4}\s*/\s*\d{1,4})$",
    re.IGNORECASE,
)
# "[Home | About | Contact]": a bracketed run of links separated by bars.
NAVIGATION_LINE = re.compile(r"^\[[^\]]*\|.*$")
SENTENCE_END = re.compile(r"[.!?:;\"”’)\]…]$")


def classify_artifact_line(text: str) -> str | None:
    """The artifact kind of a whole line, or None when the line is content."""
    stripped = text.strip()
    if not stripped:
        return None
    if URL_LINE.match(stripped):
        return "url"
    if PAGE_NUMBER_LINE.match(stripped):
        return "page-number"
    if NAVIGATION_LINE.match(stripped):
        return "navigation"
    return None


def _splits_sentence(before: Line, after_text: str) -> bool:
    tail = before.text.rstrip()
    head = after_text.lstrip()
    return bool(tail and head) and not SENTENCE_END.search(tail) and head[0].islower()


def clean(decoded: DecodedText) -> CleanedText:
    """Remove artifact lines, recording each, and rejoin sentences they interrupted."""
    out: list[Line] = []
    artifacts: list[Artifact] = list(decoded.artifacts)
    decisions: list[Decision] = []
    pending: list[Artifact] = []  # removed since the last content line
    raw_lines = decoded.text.split("\n")

    for number, text in enumerate(raw_lines, start=1):
        kind = classify_artifact_line(text)
        if kind is not None:
            artifact = Artifact(kind, text.strip(), number)
            artifacts.append(artifact)
            pending.append(artifact)
            continue
        if text.strip() and pending:
            previous = next((line for line in reversed(out) if not line.blank), None)
            if previous is not None and _splits_sentence(previous, text):
                while out and out[-1].blank:
                    out.pop()
                offset = len(previous.text) + 1
                previous.text = f"{previous.text} {text}"
                previous.breaks.extend((offset, artifact) for artifact in pending)
                decisions.append(
                    Decision(
                        "clean",
                        f"removed {', '.join(a.kind for a in pending)} artifact "
                        f"{' / '.join(repr(a.text) for a in pending)} (line {pending[0].line}) "
                        f"and rejoined the sentence it split (lines {previous.number} and {number})",
                    )
                )
                pending = []
                continue
            line = Line(text, number, breaks=[(0, artifact) for artifact in pending])
            decisions.append(
                Decision(
                    "clean",
                    f"removed {', '.join(a.kind for a in pending)} artifact "
                    f"{' / '.join(repr(a.text) for a in pending)} (line {pending[0].line})",
                )
            )
            pending = []
            out.append(line)
            continue
        out.append(Line(text, number))

    if pending:  # artifacts after the last content line: the break closes the text
        last = next((line for line in reversed(out) if not line.blank), None)
        if last is not None:
            last.breaks.extend((len(last.text), artifact) for artifact in pending)
        decisions.append(
            Decision("clean", f"removed trailing {', '.join(repr(a.text) for a in pending)}")
        )
    return CleanedText(decoded=decoded, lines=out, artifacts=artifacts, decisions=decisions)
