"""A record's transcript, read from its stored TEI, as plain data for the record template.

The TEI body (see pipeline/tei.py) holds ``head``/``p``/``u`` blocks that keep the
segment ids snippets point at, with quotes (``q``), transcriber remarks (``note``), page
breaks (``pb``) and time stamps (``anchor``) inline, and sections as ``div``. Each block
becomes a ``Block`` of ``Inline`` runs; the template writes them as HTML with Jinja's
autoescaping, so any text (``<script>`` included) is shown as text, never as markup.

Withheld text is masked here (``Redactor.mask``) before anything else looks at it, and
the words to mark (``?mark=``) are matched after the search index's own analysis, so
``?mark=policing`` marks "police" as the search did.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from whoosh.support.charset import accent_map

from oral_archive.archive.export import Redactor
from oral_archive.archive.search.schema import text_analyzer
from oral_archive.schemas.xmlschemas import TEI_NS, XML_NS, safe_parser

XML_ID = f"{{{XML_NS}}}id"
MAX_MARK_WORDS = 20
NOTE_BRACKETS = {"square-brackets": ("[", "]"), "braces": ("{", "}")}
_FOLD = str.maketrans(accent_map)


@dataclass
class Inline:
    """A run of a block: ``text``, ``quote``, ``note`` (transcriber remark), ``time`` or ``page``."""

    kind: str
    parts: list[tuple[str, bool]]  # (text, marked) pieces of the run's text


@dataclass
class Block:
    """A heading, paragraph or utterance (``kind`` head/p/u), or a ``section`` start."""

    kind: str
    id: str | None
    who: str | None = None  # participant id (public: renamed if it spelled a withheld name)
    speaker: str | None = None  # display name
    start: str | None = None  # time stamp of an utterance, as the record has it
    inlines: list[Inline] = field(default_factory=list)


class Marker:
    """Splits text into marked and unmarked parts for the words of ``?mark=``.

    Words are compared after the index's analysis (lower case, accents folded, English
    stems), so the page marks the forms the search matched.
    """

    def __init__(self, words: str) -> None:
        analyzer = text_analyzer()
        self.terms = frozenset(t.text for t in analyzer(words))  # stop words dropped
        self.analyzer = analyzer
        # A cheap screen before stemming a run: every form of a stem contains its first letters.
        self.screens = {term[:2] for term in self.terms}

    def parts(self, text: str) -> list[tuple[str, bool]]:
        """``text`` as (piece, marked) pairs; one unmarked piece when nothing matches."""
        if not self.terms or not text:
            return [(text, False)] if text else []
        folded = text.translate(_FOLD).lower()
        if not any(screen in folded for screen in self.screens):
            return [(text, False)]
        pieces: list[tuple[str, bool]] = []
        position = 0
        for token in self.analyzer(text, chars=True, mode="index", removestops=False):
            if token.text in self.terms:
                gap = text[position:token.startchar]
                if pieces and pieces[-1][1] and not gap.strip():
                    # Adjacent marked words ("oral history") read as one mark, not two.
                    pieces[-1] = (pieces[-1][0] + gap + text[token.startchar:token.endchar], True)
                else:
                    if gap:
                        pieces.append((gap, False))
                    pieces.append((text[token.startchar:token.endchar], True))
                position = token.endchar
        if position < len(text):
            pieces.append((text[position:], False))
        return pieces


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def read_blocks(tei: bytes, redactor: Redactor, speakers: dict[str, str], marker: Marker, starts: dict[str, str | None] | None = None) -> list[Block]:
    """The body of a stored TEI record as blocks, withheld text masked, marks applied.

    ``speakers`` maps public participant ids to display names; ``redactor`` also renames
    participant ids that spelled a withheld name. ``starts`` (segment id -> the record's
    time stamp) writes an utterance's opening time as search snippets write it.
    """
    starts = starts or {}
    root = etree.fromstring(tei, parser=safe_parser())
    body = root.find(f"{{{TEI_NS}}}text/{{{TEI_NS}}}body")
    blocks: list[Block] = []
    if body is None:
        return blocks

    def text_inline(kind: str, text: str) -> Inline:
        return Inline(kind, marker.parts(redactor.mask(text)))

    def walk(container: etree._Element) -> None:
        for element in container:
            name = _local(element)
            if name == "div":
                blocks.append(Block("section", element.get(XML_ID)))
                walk(element)
            elif name in ("head", "p", "u"):
                blocks.append(_block(element, name))

    def _block(element: etree._Element, kind: str) -> Block:
        who = (element.get("who") or "").lstrip("#") or None
        if who:
            who = redactor.participant_ids.get(who, who)
        block = Block(kind, element.get(XML_ID), who=who, speaker=speakers.get(who) if who else None)
        if element.text and element.text.strip():
            block.inlines.append(text_inline("text", element.text))
        for child in element:
            name = _local(child)
            if name == "anchor" and kind == "u" and block.start is None and not block.inlines:
                # The utterance's opening time stamp: shown beside the speaker, not in the text.
                block.start = starts.get(block.id or "") or (child.get("n") or "").strip("[]() ") or None
            elif name == "q":
                block.inlines.append(text_inline("quote", "".join(child.itertext())))
            elif name == "note":
                opening, closing = NOTE_BRACKETS.get(child.get("rend", ""), ("[", "]"))
                block.inlines.append(text_inline("note", f"{opening}{''.join(child.itertext()).strip()}{closing}"))
            elif name == "anchor":
                stamp = (child.get("n") or "").strip("[]() ")
                if stamp:
                    block.inlines.append(Inline("time", [(stamp, False)]))
            elif name == "pb":
                if child.get("type") == "page-number" and child.get("n"):
                    block.inlines.append(Inline("page", [(f"page {child.get('n')}", False)]))
            elif name:  # an element this page does not know: its words still count
                block.inlines.append(text_inline("text", "".join(child.itertext())))
            if child.tail and (child.tail.strip() or block.inlines):
                block.inlines.append(text_inline("text", child.tail))
        return block

    walk(body)
    return blocks


def mark_words(value: str) -> str:
    """The ``?mark=`` words, capped (a link carries a handful; more is not a search)."""
    return " ".join(value.split()[:MAX_MARK_WORDS])
