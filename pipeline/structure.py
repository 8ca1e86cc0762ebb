"""Stage ``structure``: cleaned lines -> a ``Document`` of header lines and body blocks.

Rules, in the order they apply:

1. **Header zone** (``header.py``): the leading lines before the first sentence-like line. Its first
   title-like line is the title (a line ending in a joining word such as "with" carries on
   to the next); short lines after it are subject/category lines. Every header-zone line
   stays in the body (as a ``head`` block) so nothing is lost and evidence can point at it.
2. **Speaker turns**: a label at the start of a line (``Q:``, ``Q.``, ``HADLEY:``,
   ``Jane Doe:``, ``**Name**:``, optionally after a time stamp) used at least twice (or a
   well-known label such as ``Q``/``Answer``) makes the document a transcript. So does a
   transcription service's layout, a name-like label and a time stamp alone on a line
   (``Jonah Rivard 0:00``, ``Speaker 1 00:01:23``, ``Jane Doe (00:02:10):``) with the
   speech on the lines after it, when the stamps run forward; the stamp is the turn's start.
   An all-capitals label that is the initials of exactly one full-name label (``JR`` and
   ``Jonah Rivard``) is the same speaker. A turn runs until the next label, over as many
   paragraphs as it has; each paragraph becomes an utterance; the speaker who mostly asks
   questions is the interviewer.
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
from typing import Callable, Iterable, Iterator

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
from .header import LINE_ENDERS, header_zone, word_count

# Speaker labels at the start of a line; a time stamp may stand between label and colon
# ("HALE [00:00:04]: It's the third of May").
LABEL_LINE = re.compile(
    r"^(?:\*\*(?P<bold>[^*:]{1,40}?):?\*\*:?|(?P<plain>[A-Z][A-Za-z'’.\-]*(?: [A-Z][A-Za-z'’.\-]*){0,3})"
    r"(?:\s*(?P<stamp>[\[(]\d{1,2}:[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?[\])]))?\s*:"
    r"|(?P<dotted>[QA])\.(?=\s))"
    r"(?!//)\s*(?P<rest>.*)$"
)
# A speaker label and a time stamp alone on a line, the speech on the lines after it, as
# transcription services and meeting tools (Zoom, Teams, Rev) export: "Jonah Rivard 0:00",
# "Speaker 1 00:01:23", "Jane Doe (00:02:10):", "Jane Doe [00:02:10]". The label is 1-4 words,
# each capitalised (or all capitals), a number ("Speaker 2") or a name particle ("van") after
# the first; matched against the whole stripped line, so prose ending in a time ("We met at
# 9:45") is not one.
_STAMP = r"\d{1,2}:[0-5]\d(?::[0-5]\d(?:\.\d{1,3})?)?"
_NAME_WORD = r"[A-Z][A-Za-z'’.\-]*"
_NAME_PARTICLE = r"(?:van|von|de|del|della|der|den|da|di|du|la|le|bin|ibn|al|el)"
STAMP_LABEL_LINE = re.compile(
    rf"(?P<label>{_NAME_WORD}(?:\s(?:{_NAME_WORD}|\d{{1,3}}|{_NAME_PARTICLE})){{0,3}})"
    rf"\s+(?P<stamp>\({_STAMP}\)|\[{_STAMP}\]|{_STAMP}):?"
)
_STAMP_LINE_ENDS = frozenset("0123456789)]:")
# Words that make "label + time" a date, a schedule or a tape/page reference, not a speaker:
# "Monday 9:45", "March 18 2:00", "Tape 2 0:00", "Lunch At 12:30".
_NOT_NAME_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday today tonight yesterday tomorrow "
    "morning afternoon evening noon midnight tape side page part chapter volume vol track disc disk "
    "session day week time start end total duration length runtime recorded updated posted "
    "at by on in from to until till around about before after since circa approx approximately "
    "the a an of and or we i it is was then now later so but when".split()
)
_MONTH_WORDS = frozenset(
    "jan january feb february mar march apr april may jun june jul july aug august sep sept september "
    "oct october nov november dec december".split()
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


_NOT_ID_CHARS = re.compile(r"[^a-z0-9]+")


# -- speaker turns ------------------------------------------------------------------------------

Found = tuple[str, str, "str | None"]  # what _turn_of finds on a line: label, rest, time stamp


def _stamp_label_of(text: str) -> tuple[str, str, str] | None:
    """(label, "", time stamp as written) for a line holding only a speaker label and a time stamp."""
    match = STAMP_LABEL_LINE.fullmatch(text)
    if not match:
        return None
    label = match.group("label")
    words = label.lower().replace(".", "").split()
    if (
        label.lower() in NOT_SPEAKER_LABELS
        or (len(words) > 1 and not _NOT_NAME_WORDS.isdisjoint(words))
        or words[0] in _NOT_NAME_WORDS
        or (words[0] in _MONTH_WORDS and (len(words) == 1 or words[1].isdigit()))
    ):
        return None
    return label, "", match.group("stamp")


def _seconds(stamp: str) -> float:
    parts = stamp.strip("[]()").split(":")
    return (int(parts[-3]) * 3600 if len(parts) == 3 else 0) + int(parts[-2]) * 60 + float(parts[-1])


def _runs_forward(stamps: list[str]) -> bool:
    """Do the time stamps of label + stamp lines read as a recording's clock?

    They never go back, except to the start of a next recording (a stamp under a minute), or
    now and then (a typing slip: one in ten): a timetable ("Lunch 12:30", "Dinner 6:45",
    "Lunch 12:15") goes back and forth.
    """
    back, previous = 0, -1.0
    for stamp in stamps:
        seconds = _seconds(stamp)
        if seconds < previous and seconds >= 60:
            back += 1
        previous = seconds
    return back <= len(stamps) // 10


def _turn_of(text: str) -> Found | None:
    """(speaker label, rest of the line, time stamp) for a line opening a turn.

    A ``LABEL:`` line gives its rest (a leading time stamp stays in it) and no stamp; a line of
    a label and a time stamp alone gives an empty rest and the stamp as written.
    """
    text = text.strip()
    if ":" not in text[:100] and not text.startswith(("**", "Q.", "A.")):
        return None  # every label shape has one of these: skip the regex for prose lines
    stamp = LEADING_TIMESTAMP.match(text)
    match = LABEL_LINE.match(text[stamp.end():] if stamp else text)
    if not match:
        # a label + time stamp line is short and ends in a digit, a bracket or a colon
        if len(text) <= 80 and text[-1] in _STAMP_LINE_ENDS and not stamp:
            return _stamp_label_of(text)
        return None
    label = (match.group("bold") or match.group("plain") or match.group("dotted") or "").strip()
    if not label or label.lower() in NOT_SPEAKER_LABELS:
        return None
    rest = match.group("rest")
    if match.group("stamp"):
        if not rest.strip():  # "Jane Doe (00:02:10):" alone: the speech is on the lines after it
            return _stamp_label_of(text)
        rest = f"{match.group('stamp')} {rest}"  # "HALE [00:00:04]: ...": the stamp opens the turn's text
    return label, (f"{stamp.group('ts')} {rest}" if stamp else rest), None


def _label_of(text: str) -> tuple[str, str] | None:
    """(speaker label as written, rest of the line) for a line opening a turn; a leading time stamp stays in the rest."""
    found = _turn_of(text)
    return (found[0], found[1]) if found else None


_ALIAS_WORD_CHARS = re.compile(r"[.'’\-]")


def label_aliases(labels: Iterable[str]) -> dict[str, str]:
    """{initials label: full-name label} where an all-capitals label ("JR", "J.R.") is the
    initials of exactly one full-name label ("Jonah Rivard") among ``labels``.

    Initials are the first letters of the name's capitalised words, all of them or the first
    and last ("Dr. Della Easton": "DDE" or "DE"). Two full names with the same initials make
    them ambiguous: no merge.
    """
    full_names: dict[str, set[str]] = {}
    abbreviations: list[tuple[str, str]] = []
    for label in set(labels):
        words = label.split()
        if len(words) == 1:
            bare = label.replace(".", "")
            if 2 <= len(bare) <= 5 and bare.isalpha() and bare.isupper() and label.lower() not in WELL_KNOWN_LABELS:
                abbreviations.append((label, bare))
            continue
        names = [word for word in words if word[0].isupper()]
        if len(names) < 2 or not all(_ALIAS_WORD_CHARS.sub("", word).isalpha() for word in words):
            continue
        for initials in {"".join(word[0] for word in names), names[0][0] + names[-1][0]}:
            full_names.setdefault(initials.upper(), set()).add(label)
    if not abbreviations or not full_names:
        return {}
    aliases = {}
    for label, bare in abbreviations:
        candidates = full_names.get(bare, ())
        if len(candidates) == 1:
            aliases[label] = next(iter(candidates))
    return aliases


# "Interviewer: Howard Sterne [HS]": a header naming a participant and the label of their turns
DECLARED_LABEL = re.compile(
    r"^(?P<role>Interviewers?|Interviewees?|Narrators?|Respondents?)\s*:\s*[A-Z][^\[\]()]{1,60}?\s*[\[(](?P<label>[A-Z][A-Z.]{0,5})[\])]\s*$",
    re.IGNORECASE,
)


# "Interviewer: Kendra Voss", "Narrator: Lorraine Vander Hoek", "Interviewee: Anonymous (ER nurse)":
# a header field naming a participant (a name, perhaps with a remark), no turn
PARTICIPANT_FIELD = re.compile(
    r"^(?P<role>Interviewers?|Interviewees?|Narrators?|Respondents?)\s*:\s*(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})"
    r"(?:\s*,\s*[a-z][\w ]{0,30}|\s*\([^()]{1,40}\))?\s*$"
)


def declared_labels(content: list[Line]) -> dict[int, tuple[str | None, str]]:
    """{line number: (label, role)} of header lines that name a participant, in the first 40
    lines: "Interviewer: Howard Sterne [HS]" declares the label HS; "Interviewer: Kendra
    Voss" declares none (label None) but is a header field all the same, not a turn."""
    declared: dict[int, tuple[str | None, str]] = {}
    for line in content[:40]:
        text = line.text.strip()
        match = DECLARED_LABEL.match(text) if "[" in text or "(" in text else None
        field = match or PARTICIPANT_FIELD.match(text)
        if field:
            role = "interviewer" if field.group("role").lower().startswith("interviewer") else "interviewee"
            declared[line.number] = (match.group("label") if match else None, role)
    return declared


def _find_speakers(found: Iterable[tuple | None], aliases: dict[str, str] | None = None, declared: dict[str, str] | None = None) -> dict[str, int]:
    """Labels that make a transcript, with their counts, from the labels found per line.

    Labels are counted under the full name they are an alias of (``label_aliases``); a label
    a header declares (``declared_labels``) counts from its first turn, like "Q" or "A".
    """
    if aliases:
        counts = Counter(aliases.get(item[0], item[0]) for item in found if item)
    else:
        counts = Counter(item[0] for item in found if item)
    speakers = {
        label: count
        for label, count in counts.items()
        if count >= 2 or label.lower() in WELL_KNOWN_LABELS or (declared and label in declared)
    }
    # two turns are a dialogue when the header declared both labels
    minimum = 2 if declared and all(label in declared for label in speakers) else 3
    if sum(speakers.values()) < minimum or len(speakers) < 2:
        return {}
    return speakers


def _layout_lines(layout: dict[int, Found], other: dict[int, Found], stamps_run_forward: bool = True) -> dict[int, Found] | None:
    """The turn-opening lines of a text whose turns open with ``layout`` lines: those, and the
    ``other`` lines whose label is one of the layout's speakers as written there. None when the
    ``layout`` lines make no transcript (or, for label + stamp lines, their stamps go back)."""
    aliases = label_aliases(found[0] for found in layout.values())
    speakers = _find_speakers(layout.values(), aliases)
    if not speakers or not stamps_run_forward:
        return None
    if not other:
        return layout
    names = {found[0] for found in layout.values() if aliases.get(found[0], found[0]) in speakers}
    joined = dict(layout)
    joined.update((n, found) for n, found in other.items() if found[0] in names)
    return dict(sorted(joined.items()))


def speaker_id(label: str, taken: set[str]) -> str:
    """A stable xml:id for a speaker label, unique among ``taken`` (which it extends)."""
    base = "sp-" + (_NOT_ID_CHARS.sub("-", label.lower()).strip("-") or "x")
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def assign_roles(turns: Iterable[tuple[str, str]], labels: dict[str, int], declared: dict[str, str] | None = None) -> list[Speaker]:
    """Who is the interviewer: a label the header declares, a well-known label, else the one
    whose turns are mostly questions."""
    asks: dict[str, int] = {}
    words: dict[str, int] = {}
    for label, text in turns:
        words[label] = words.get(label, 0) + len(text.split())
        if text.rstrip().endswith("?"):
            asks[label] = asks.get(label, 0) + 1
    roles: dict[str, tuple[str, str]] = {}
    for label in labels:
        known = WELL_KNOWN_LABELS.get(label.lower())
        if declared and label in declared:
            roles[label] = (declared[label], "speaker.declared-label")
        elif known:
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
    """"12:34" -> "0:12:34", "0:39" -> "0:00:39", "01:02:03.5" -> "1:02:03.5": hours unpadded, minutes
    in two digits (a two-part stamp is minutes:seconds, as transcription services write it)."""
    parts = raw.split(":")
    if len(parts) == 2:
        parts = ["0", *parts]
    hours, minutes, seconds = parts
    return f"{int(hours)}:{minutes.zfill(2)}:{seconds}"


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
    """Runs of non-blank lines separated by blank lines.

    Double-spaced text (a blank line after every line) breaks sentences across blank lines: a
    run whose last line breaks off mid-sentence goes on in the next run when that one opens
    in lower case ("... my friend Rob from the Juniper" / "" / "hills squad.").
    """
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
    joined: list[list[Line]] = []
    for group in groups:
        if joined and _breaks_off(joined[-1][-1].text) and group[0].text.lstrip()[:1].islower():
            joined[-1].extend(group)
        else:
            joined.append(group)
    return joined


def _breaks_off(text: str) -> bool:
    """A line of prose that stops mid-sentence (no closing mark, a few words at least)."""
    stripped = text.rstrip()
    return stripped[-1:] not in LINE_ENDERS and word_count(stripped) >= 4


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


class _LineTexts:
    """The texts of cleaned lines, read afresh on each pass (no list of them is kept)."""

    def __init__(self, lines: list[Line]) -> None:
        self._lines = lines

    def __iter__(self) -> Iterator[str]:
        return (line.text for line in self._lines)


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
    found_all: dict[int, Found] = {
        line.number: found for line in content if line.number not in headings and (found := _turn_of(line.text)) is not None
    }
    # Lines of a label and a time stamp alone (a transcription service's layout) open the turns
    # when they make a transcript by themselves and their stamps run forward; "LABEL:" lines
    # then open a turn only for one of those speakers (otherwise they are speech or header:
    # "Oral History: Interview with ..."). Else it is the other way round.
    # "Interviewer: Howard Sterne [HS]" is a header field declaring the label "HS", no turn
    declaring = declared_labels(content)
    declared = {label: role for label, role in declaring.values() if label}
    found_all = {n: found for n, found in found_all.items() if n not in declaring}
    if declared:
        decisions.append(Decision("structure", "speaker labels declared in the header: " + ", ".join(f"{label} ({role})" for label, role in declared.items())))
    stamped = {n: found for n, found in found_all.items() if found[2] is not None}
    if stamped:
        labelled = {n: found for n, found in found_all.items() if found[2] is None}
        forward = _runs_forward([found[2] for found in stamped.values() if found[2]])
        found_all = _layout_lines(stamped, labelled, forward) or _layout_lines(labelled, stamped) or labelled
    # "JR" after "Jonah Rivard": one speaker, counted and named by the full name
    aliases = label_aliases({found[0] for found in found_all.values()}) if found_all else {}
    if aliases and not _find_speakers(found_all.values(), aliases, declared):
        aliases = {}  # one speaker under two labels is no dialogue: keep the labels apart
    # a label used once ("Interviewer: Jane Doe" under a title) is a header field, not a turn
    recurring = {label for label, count in _find_speakers(found_all.values(), aliases, declared).items() if count >= 2 or label in declared}
    turn_lines = frozenset(n for n, found in found_all.items() if aliases.get(found[0], found[0]) in recurring)
    title_lines, subject_lines, header_end = header_zone(lines, LABEL_LINE, content, turn_lines)
    # a marked heading after the title ("## Early years") names a section, not a subject
    subject_lines = [line for line in subject_lines if line.number not in headings]
    header_lines, body_start_line = content[:header_end], (content[header_end].number if header_end < len(content) else None)

    blocks: list[Block] = []
    for line in header_lines:
        blocks.append(Block(f"h{len(blocks) + 1}", "head", parse_inlines(line.text, line.breaks, False), line.number))
    head_count = len(blocks)

    body_lines = [line for line in lines if line.number >= body_start_line] if body_start_line is not None else []
    found_on = {n: found for n, found in found_all.items() if n >= body_start_line} if body_start_line is not None else {}
    labels = _find_speakers(found_on.values(), aliases, declared)

    # Segments: a heading line, a speaker's turn (all lines up to the next label) or prose;
    # each (speaker, lines, label as written, time stamp of a label + stamp line).
    segments: list[tuple[str | None, list[Line], str | None, str | None]] = [(None, [], None, None)]
    turn_texts: list[tuple[str, list[str]]] = []
    # Text after a heading goes on with the speaker before it; such a continuation is no new
    # turn, so it is dropped when nothing but blank lines follows (it also has no label line).
    continuations: set[int] = set()
    # a label alone on its line after a page break: the break goes to the turn's first text line
    carried: Line | None = None
    merged: dict[str, str] = {}
    for line in body_lines:
        if line.number in headings:
            segments.append(("#heading", [line], None, None))
            continuation: list[Line] = []
            continuations.add(id(continuation))
            before = segments[-2] if segments[-2][0] != "#heading" else (None, [], None, None)
            segments.append((before[0], continuation, before[2], None))
            carried = None
            continue
        found = found_on.get(line.number) if labels else None
        if found:
            label = aliases.get(found[0], found[0]) if aliases else found[0]
            if label in labels:
                if label != found[0]:
                    merged[found[0]] = label
                opened = _without_label(line, found[1])
                carried = opened if opened.breaks and opened.blank else None
                segments.append((label, [opened], found[0], found[2]))
                turn_texts.append((label, [found[1]]))
                continue
        if carried is not None and not line.blank:
            line = Line(line.text, line.number, carried.breaks + line.breaks, line.indent)
            carried.breaks = []
            carried = None
        segments[-1][1].append(line)
        if segments[-1][0] not in (None, "#heading") and turn_texts and not line.blank:
            turn_texts[-1][1].append(line.text)

    # one turn's text at a time: a list of them all would be another copy of the transcript
    speakers = assign_roles(((label, " ".join(parts)) for label, parts in turn_texts), labels, declared) if labels else []
    by_label = {speaker.label: speaker for speaker in speakers}
    joiner = _Joiner(Vocabulary(_LineTexts(cleaned.lines), lexicon))
    counts = {"p": 0, "u": 0}
    for label, segment, written, stamp in segments:
        if label == "#heading":
            line = segment[0]
            head_count += 1
            blocks.append(Block(f"h{head_count}", "head", parse_inlines(line.text, line.breaks, False), line.number))
            continue
        if id(segment) in continuations and all(line.blank for line in segment):
            continue
        speaker = by_label.get(label) if label else None
        # a label + time stamp line: the stamp opens the turn's first utterance (its start)
        anchor = TimeAnchor(stamp, normalize_timestamp(stamp.strip("[]()"))) if stamp and speaker else None
        if len(segment) == 1 and not segment[0].blank:
            paragraphs_of: Iterable[list[Line]] = ([segment[0]],)  # a one-line turn: one group, one paragraph
        else:
            if speaker and not any(not line.blank for line in segment):
                # a label with nothing after it still took a turn: keep it (an empty <u who>)
                counts["u"] += 1
                empty: list[Inline] = [anchor] if anchor else []
                empty.extend(PageBreak(artifact) for _, artifact in segment[0].breaks)  # a page break before the label
                blocks.append(Block(f"u{counts['u']}", "u", empty, segment[0].number, written, speaker.id))
                anchor = None
            paragraphs_of = (paragraph for group in _groups(segment) for paragraph in paragraphs(group))
        opening = segment[0].number if speaker else None  # a turn starts on its label's line
        kind = "u" if speaker else "p"
        # a block keeps the label as written ("JR"); who is the speaker it names ("Jonah Rivard")
        who_label, who_id = (written, speaker.id) if speaker else (None, None)
        for paragraph in paragraphs_of:
            if len(paragraph) == 1 and not paragraph[0].breaks:
                text, breaks = paragraph[0].text.strip(), []  # joiner.join's result for one line
            else:
                text, breaks = joiner.join(paragraph)
            counts[kind] += 1
            inlines = parse_inlines(text, breaks, speaker is None)
            if anchor:
                inlines.insert(0, anchor)
                anchor = None
            blocks.append(Block(f"{kind}{counts[kind]}", kind, inlines, opening or paragraph[0].number, who_label, who_id))
            opening = None
    form = "transcript" if speakers else "narrative"
    if speakers:
        decisions.append(Decision("structure", f"read as a transcript: {counts['u']} utterances by speakers {', '.join(s.label + ' (' + s.role + ')' for s in speakers)}"))
        if any(stamp for _, _, _, stamp in segments):
            decisions.append(Decision("structure", "read lines holding only a speaker label and a time stamp as turn openings (the speech follows on the next lines); each stamp is its turn's start"))
        for alias, full in merged.items():
            decisions.append(Decision("structure", f"merged speaker labels '{full}' and '{alias}' (its initials) into one speaker, '{full}'"))
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
