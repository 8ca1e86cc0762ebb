"""Stage ``build_tei``: the structured document and its record -> a TEI P5 tree.

Header: ``fileDesc/sourceDesc`` holds the source (URL, file name, SHA-256, size),
``profileDesc/particDesc`` the participants with their facts, ``encodingDesc/appInfo``
the tool and version, ``revisionDesc`` every step that changed something. Extracted
values carry ``@source`` (the segment), ``@cert`` and ``@resp`` (the rule, declared as a
``respStmt``). Body: ``head``/``p``/``u`` blocks keep their ids from the record's
segments; quotes are ``<q who>``, remarks ``<note>``, page breaks ``<pb/>``, time
stamps ``<anchor synch>`` into a ``<timeline>``.
"""

from __future__ import annotations

from lxml import etree

from oral_archive.archive.tei_header import E, XML_ID, XML_LANG, build_header, rule_id, tei_bytes  # noqa: F401  (tei_bytes: public here)
from oral_archive.schemas.record import Record

from .document import Document, Note, PageBreak, Quote, Text, TimeAnchor

QUOTE_RENDITION = {'"': "double-straight", "“": "double-curly", "‘": "single-curly"}


def _quote_rules(document: Document) -> list[str]:
    return sorted({i.rule for b in document.blocks for i in b.inlines if isinstance(i, Quote) and i.rule and i.who})


def _seconds(timestamp: str) -> float:
    hours, minutes, seconds = timestamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _body(document: Document, participant_ids: set[str]) -> tuple[etree._Element, etree._Element | None]:
    body = E.body()
    timeline = None
    anchors = 0

    def when(timestamp: str) -> str:
        """A new point on the timeline (created on first use); returns its id."""
        nonlocal timeline, anchors
        if timeline is None:
            timeline = E.timeline({"unit": "s", "origin": "#T0"}, E.when({XML_ID: "T0", "absolute": "00:00:00"}))
        anchors += 1
        timeline.append(E.when({XML_ID: f"T{anchors}", "interval": f"{_seconds(timestamp):g}", "since": "#T0"}))
        return f"T{anchors}"

    def who_ref(who: str | None) -> dict[str, str]:
        return {"who": f"#{who}"} if who and who in participant_ids else {}

    # TEI allows headings only before a body's or a division's content: a heading that
    # follows paragraphs or turns ("## Early years") opens a section <div>, which holds
    # everything up to the next such heading.
    container = body
    content_seen = False
    for block in document.blocks:
        if block.kind == "head" and content_seen:
            container = E.div({"type": "section"})
            body.append(container)
            content_seen = False
        elif block.kind != "head":
            content_seen = True
        element = E(block.kind, {XML_ID: block.id, **who_ref(block.who if block.kind == "u" else None)})
        last: etree._Element | None = None

        def add_text(text: str) -> None:
            if last is None:
                element.text = (element.text or "") + text
            else:
                last.tail = (last.tail or "") + text

        for inline in block.inlines:
            if isinstance(inline, Text):
                add_text(inline.text)
                continue
            if isinstance(inline, Quote):
                attributes = {"rend": QUOTE_RENDITION.get(inline.open_mark, "double-straight")}
                if inline.who and inline.who in participant_ids:
                    attributes.update({"who": f"#{inline.who}", "cert": inline.cert or "medium", "resp": f"#{rule_id(inline.rule or 'quote')}"})
                child = E.q(attributes, inline.text)
            elif isinstance(inline, Note):
                child = E.note({"type": "transcriber", "rend": "square-brackets" if inline.open_mark == "[" else "braces"}, inline.text)
            elif isinstance(inline, PageBreak):
                attributes = {"type": inline.artifact.kind}
                if inline.artifact.kind == "page-number":
                    attributes["n"] = inline.artifact.text.strip("[]- ")
                child = E.pb(attributes)
            elif isinstance(inline, TimeAnchor):
                anchor_id = when(inline.timestamp)
                if block.kind == "u" and block.start == inline.timestamp and "start" not in element.attrib:
                    element.set("start", f"#{anchor_id}")
                child = E.anchor({"synch": f"#{anchor_id}", "n": inline.original})
            else:  # pragma: no cover - the Inline union is closed
                raise TypeError(f"unknown inline {inline!r}")
            element.append(child)
            last = child
        if block.kind == "u" and block.end:  # a timed utterance (caption cue) ends at a timeline point
            element.set("end", f"#{when(block.end)}")
        container.append(element)
    return body, timeline


def build_tei(document: Document, record: Record) -> etree._ElementTree:
    """Stage 6: the TEI P5 document for one record version."""
    participant_ids = {p.id for p in record.participants}
    body, timeline = _body(document, participant_ids)
    text = E.text(E.front(timeline), body) if timeline is not None else E.text(body)
    root = E.TEI({XML_LANG: record.language}, build_header(record, _quote_rules(document)), text)
    return etree.ElementTree(root)


