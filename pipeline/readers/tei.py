"""Reader for TEI P5 XML (``.xml``, ``.tei``): validated, re-normalized, never trusted.

Parsing uses ``schemas.xmlschemas.safe_parser()``: no DTD is loaded, no entity is
expanded, nothing is fetched. A document whose internal DTD subset declares entities is
rejected outright (XXE, "billion laughs"), as is XML whose root is not ``tei:TEI`` or that
lacks ``teiHeader//titleStmt/title`` or ``text/body``.

Nothing of the input is copied into our TEI as markup. Its text is re-derived: the header
title becomes the title; ``head``/``p``/``u``/``ab``/``item``/``l`` elements of the body
become blocks (ids renumbered; ``u/@who`` and ``sp/speaker`` become speakers); inside a
block ``note``, ``q``/``said``/``quote``, ``pb``, ``anchor`` (with a ``timeline``) and
``vocal``/``incident``/``kinesic``/``pause``/``gap`` (via their ``desc``) map to our inline
kinds, and any other element keeps only its text. Every text piece goes through the same
character normalization as a plain-text file, and what was flattened is counted.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml import etree

from oral_archive.schemas.errors import SourceError
from oral_archive.schemas.xmlschemas import TEI_NS, XML_NS, safe_parser

from ..decode import normalize_text
from ..document import (
    Artifact,
    Block,
    CleanedText,
    DecodedText,
    Decision,
    Document,
    Inline,
    Line,
    Note,
    PageBreak,
    Quote,
    Source,
    Speaker,
    Text,
    TimeAnchor,
)
from ..structure import WELL_KNOWN_LABELS, speaker_id
from .captions import clock

T = f"{{{TEI_NS}}}"
XML_ID = f"{{{XML_NS}}}id"
BLOCKS = {f"{T}{name}" for name in ("head", "p", "u", "ab", "item", "l")}
QUOTES = {f"{T}{name}" for name in ("q", "said", "quote")}
EVENTS = {f"{T}{name}" for name in ("vocal", "incident", "kinesic", "pause", "gap")}
_SPACES = re.compile(r"\s+")


def _parse(source: Source) -> etree._ElementTree:
    try:
        root = etree.fromstring(source.data, safe_parser())
    except etree.XMLSyntaxError as error:
        raise SourceError(str(source.path), f"is not well-formed XML: {error}", "decode") from None
    tree = root.getroottree()
    dtd = tree.docinfo.internalDTD
    if dtd is not None and list(dtd.entities()):
        names = ", ".join(entity.name for entity in dtd.entities())
        raise SourceError(str(source.path), f"declares XML entities ({names}); entity declarations are refused (they are not expanded or loaded)", "decode")
    if root.tag != f"{T}TEI":
        raise SourceError(str(source.path), f"is XML but not TEI: the root element is {root.tag!r}, expected TEI in the namespace {TEI_NS}", "decode")
    if root.find(f"{T}teiHeader/{T}fileDesc/{T}titleStmt/{T}title") is None:
        raise SourceError(str(source.path), "is not valid TEI: teiHeader/fileDesc/titleStmt/title is missing", "decode")
    if root.find(f"{T}text/{T}body") is None:
        raise SourceError(str(source.path), "is not valid TEI: text/body is missing", "decode")
    return tree


class _Reader:
    """Walks one TEI body, normalizing text and mapping elements to blocks and inlines."""

    def __init__(self, root: etree._Element) -> None:
        self.decisions: list[Decision] = []
        self.artifacts: list[Artifact] = []
        self.flattened: Counter[str] = Counter()
        self.timeline = self._timeline(root)
        self.unresolved_anchors = 0

    def text(self, raw: str | None) -> str:
        """Normalized text of one piece: our character rules, then XML whitespace folding."""
        if not raw:
            return ""
        normalized, decisions, artifacts = normalize_text(raw)
        self.decisions += decisions
        self.artifacts += artifacts
        # XML whitespace at a piece's edge separates it from the next element's text: keep one space
        lead = " " if raw[:1].isspace() else ""
        trail = " " if raw[-1:].isspace() else ""
        normalized = _SPACES.sub(" ", normalized).strip()
        return f"{lead}{normalized}{trail}" if normalized else (lead or trail)

    @staticmethod
    def _timeline(root: etree._Element) -> dict[str, str]:
        """when/@xml:id -> H:MM:SS.mmm, from @interval (seconds since the origin) where numeric."""
        points: dict[str, str] = {}
        for when in root.iter(f"{T}when"):
            interval = when.get("interval")
            ident = when.get(XML_ID)
            if ident and interval:
                try:
                    points[ident] = clock(float(interval))
                except ValueError:
                    continue
            elif ident and when.get("absolute") and re.fullmatch(r"\d{1,2}:\d{2}(:\d{2}(\.\d{1,3})?)?", when.get("absolute", "")):
                points[ident] = when.get("absolute", "")
        return points

    def inlines(self, element: etree._Element) -> list[Inline]:
        out: list[Inline] = []
        self._content(element, out)
        return out

    def _content(self, element: etree._Element, out: list[Inline]) -> None:
        if element.text:
            out.append(Text(self.text(element.text)))
        for child in element:
            self._inline(child, out)
            if child.tail:
                out.append(Text(self.text(child.tail)))

    def _inline(self, child: etree._Element, out: list[Inline]) -> None:
        if not isinstance(child.tag, str):  # comment or processing instruction: not text
            self.flattened["comment or processing instruction"] += 1
            return
        tag = child.tag
        if tag == f"{T}note":
            out.append(Note(self.text("".join(child.itertext())).strip(), "[", "]"))
        elif tag in QUOTES:  # the source's @who is not trusted: attribution is ours to make
            out.append(Quote(self.text("".join(child.itertext())), "“", "”"))
        elif tag == f"{T}pb":
            n = child.get("n")
            out.append(PageBreak(Artifact("page-number" if n else "page-break", n or "", child.sourceline or 0)))
        elif tag == f"{T}anchor" and child.get("synch"):
            stamp = self.timeline.get(child.get("synch", "").lstrip("#").split()[0])
            if stamp:
                out.append(TimeAnchor(stamp, stamp))
            else:
                self.unresolved_anchors += 1
        elif tag in EVENTS:
            desc = child.find(f"{T}desc")
            words = self.text("".join(desc.itertext()) if desc is not None else (child.get("reason") or child.get("type") or etree.QName(tag).localname)).strip()
            out.append(Note(words, "[", "]"))
        elif tag == f"{T}lb":
            out.append(Text(" "))
        else:
            self.flattened[etree.QName(tag).localname] += 1
            self._content(child, out)


def _tidy(inlines: list[Inline]) -> list[Inline]:
    """Merge adjacent text pieces, fold double spaces and trim the block's ends."""
    merged: list[Inline] = []
    for inline in inlines:
        if isinstance(inline, Text) and merged and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + inline.text)
        else:
            merged.append(inline)
    for index, inline in enumerate(merged):
        if isinstance(inline, Text):
            text = re.sub(" {2,}", " ", inline.text)
            text = text.lstrip() if index == 0 else text
            text = text.rstrip() if index == len(merged) - 1 else text
            merged[index] = Text(text)
    return [i for i in merged if not (isinstance(i, Text) and not i.text)]


def _speakers(root: etree._Element, whos: Counter[str]) -> list[Speaker]:
    """One speaker per id used in u/@who, named and given a role from listPerson where it says."""
    people = {p.get(XML_ID): p for p in root.iter(f"{T}person") if p.get(XML_ID)}
    taken: set[str] = set()
    speakers = []
    for who, turns in whos.items():
        person = people.get(who)
        name = person.findtext(f"{T}persName") if person is not None else None
        label = _SPACES.sub(" ", name).strip() if name and name.strip() else who
        role_text = (person.get("role") if person is not None else None) or WELL_KNOWN_LABELS.get(label.lower()) or WELL_KNOWN_LABELS.get(who.lower()) or "speaker"
        role = role_text if role_text in ("interviewee", "interviewer") else "speaker"
        speakers.append(Speaker(speaker_id(who, taken), label, role, turns, "speaker.tei-who"))  # type: ignore[arg-type]
    return speakers


def read(source: Source) -> Document:
    """A TEI document as a structured document, its text re-derived under our rules."""
    tree = _parse(source)
    root = tree.getroot()
    reader = _Reader(root)
    title = reader.text("".join(root.find(f"{T}teiHeader/{T}fileDesc/{T}titleStmt/{T}title").itertext())).strip()

    elements = [e for e in root.find(f"{T}text").iter() if e.tag in BLOCKS and not any(a.tag in BLOCKS for a in e.iterancestors())]
    whos = Counter((e.get("who") or "").lstrip("#").split()[0] for e in elements if e.tag == f"{T}u" and (e.get("who") or "").strip())
    # sp/speaker ("drama" markup for interviews): the speaker element names the turn's who
    for sp in root.iter(f"{T}sp"):
        if sp.get("who"):
            whos[sp.get("who", "").lstrip("#").split()[0]] += 1
    speakers = _speakers(root, whos)
    by_who = {who: speaker for who, speaker in zip(whos, speakers)}

    blocks: list[Block] = []
    counts: Counter[str] = Counter()
    for element in elements:
        inlines = _tidy(reader.inlines(element))
        if not any(isinstance(i, Text) and i.text.strip() for i in inlines) and not any(isinstance(i, (Quote, Note)) for i in inlines):
            continue
        local = etree.QName(element.tag).localname
        kind = "head" if local == "head" else "u" if local == "u" else "p"
        sp = next((a for a in element.iterancestors(f"{T}sp")), None)
        who_attr = element.get("who") or (sp.get("who") if sp is not None else None) or ""
        speaker = by_who.get(who_attr.lstrip("#").split()[0]) if who_attr.strip() else None
        if speaker is not None:
            kind = "u"
        counts[kind] += 1
        block_id = f"{'h' if kind == 'head' else kind}{counts[kind]}"
        blocks.append(Block(block_id, kind, inlines, element.sourceline or 0, speaker.label if speaker else None, speaker.id if speaker else None))  # type: ignore[arg-type]

    if not blocks:
        raise SourceError(str(source.path), "has no text in its TEI body", "structure")
    title_block = next((b for b in blocks if b.kind == "head" and b.text.strip() == title), None)
    if title and title_block is None:  # the title lives in the header only: give it a heading of its own
        title_block = Block("h0", "head", [Text(title)], 0)
        blocks.insert(0, title_block)
    title_lines = [Line(title, title_block.line)] if title and title_block else []

    decisions = [Decision("decode", f"parsed TEI XML ({len(source.data)} bytes) without DTD, entities or network; re-derived {len(blocks)} blocks from its text")]
    # normalization decisions repeat per text piece: keep each distinct one once
    decisions += _distinct(reader.decisions)
    if reader.flattened:
        decisions.append(Decision("structure", "kept only the text of " + ", ".join(f"{n} {name}" for name, n in sorted(reader.flattened.items()))))
    if reader.unresolved_anchors:
        decisions.append(Decision("structure", f"dropped {reader.unresolved_anchors} anchor(s) whose @synch names no timeline point"))
    text = "\n".join(b.text for b in blocks)
    decoded = DecodedText(source=source, text=text, encoding=(tree.docinfo.encoding or "UTF-8"), decisions=decisions[:1], artifacts=reader.artifacts)
    lines = [Line(b.text, b.line) for b in blocks]
    cleaned = CleanedText(decoded=decoded, lines=lines, artifacts=reader.artifacts, decisions=decisions[1:])
    form = "transcript" if speakers else "narrative"
    return Document(cleaned, title_lines, [], blocks, speakers, form, [Decision("structure", f"read TEI body as {form}: {len(blocks)} blocks" + (f", speakers {', '.join(s.label for s in speakers)}" if speakers else ""))])  # type: ignore[arg-type]


def _distinct(decisions: list[Decision]) -> list[Decision]:
    seen: set[tuple[str, str]] = set()
    out = []
    for decision in decisions:
        key = (decision.step, decision.description)
        if key not in seen:
            seen.add(key)
            out.append(decision)
    return out
