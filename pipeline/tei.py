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

import io

from lxml import etree
from lxml.builder import ElementMaker

from oral_archive.schemas.record import Evidence, Fact, Person, Record
from oral_archive.schemas.xmlschemas import TEI_NS, XML_NS

from .document import Document, Note, PageBreak, Quote, Text, TimeAnchor

E = ElementMaker(namespace=TEI_NS, nsmap={None: TEI_NS})
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"
QUOTE_RENDITION = {'"': "double-straight", "“": "double-curly", "‘": "single-curly"}


def cert_of(confidence: float) -> str:
    """TEI's certainty scale for a 0..1 confidence."""
    return "high" if confidence >= 0.85 else "medium" if confidence >= 0.6 else "low"


def rule_id(rule: str) -> str:
    return f"rule.{rule}"


def _evidence_attributes(evidence: Evidence | None) -> dict[str, str]:
    if evidence is None:
        return {}
    return {"source": f"#{evidence.segment}", "cert": cert_of(evidence.confidence), "resp": f"#{rule_id(evidence.rule)}"}


def _fact_attributes(fact: Fact) -> dict[str, str]:
    if fact.origin == "supplied":
        return {"resp": "#archivist"}
    return _evidence_attributes(fact.evidence)


def _person(person: Person) -> etree._Element:
    element = E.person({XML_ID: person.id, "role": person.role, **_evidence_attributes(person.evidence)})
    if person.name:
        element.append(E.persName(_fact_attributes(person.name), person.name.value))
    if person.label:
        element.append(E.persName({"type": "speaker-label"}, person.label))
    if person.occupation:
        element.append(E.occupation(_fact_attributes(person.occupation), person.occupation.value))
    if person.organization:
        element.append(E.affiliation(_fact_attributes(person.organization), E.orgName(person.organization.value)))
    if person.place:
        element.append(E.affiliation({"type": "place", **_fact_attributes(person.place)}, E.placeName(person.place.value)))
    if person.tenure:
        normalized = person.tenure.normalized or ""
        if normalized.startswith("P"):
            when = E.time({"dur": normalized}, person.tenure.value)
            element.append(E.state({"type": "tenure", **_fact_attributes(person.tenure)}, E.desc(when)))
        else:
            element.append(E.state({"type": "tenure", "notBefore": normalized, **_fact_attributes(person.tenure)}, E.desc(person.tenure.value)))
    return element


def _rules_used(record: Record) -> list[str]:
    rules = {evidence.rule for _, evidence in record.evidence_items()}
    return sorted(rules)


def _header(record: Record, document: Document) -> etree._Element:
    # no title in the text: a devised one, marked so (TEI title/@type, as catalogues do)
    title_attributes = _fact_attributes(record.title) if record.title else {"type": "devised"}
    title_stmt = E.titleStmt(E.title(title_attributes, record.display_title))
    for rule in _rules_used(record) + [r for r in _quote_rules(document) if r not in _rules_used(record)]:
        title_stmt.append(E.respStmt({XML_ID: rule_id(rule)}, E.resp(f"extracted by rule {rule}"), E.name(f"{record.tool} {record.tool_version}")))
    if any(f.origin == "supplied" for f in _all_facts(record)):
        title_stmt.append(E.respStmt({XML_ID: "archivist"}, E.resp("supplied by an archivist"), E.name("archivist")))

    source = record.source
    bibl = E.bibl(E.title(record.display_title))
    if source.url:
        bibl.append(E.ptr({"type": "source-url", "target": source.url, **_evidence_attributes(source.url_evidence)}))
    bibl.append(E.idno({"type": "filename"}, source.filename))
    bibl.append(E.idno({"type": "sha256"}, source.sha256))
    bibl.append(E.idno({"type": "media-type"}, source.media_type))
    bibl.append(E.extent(E.measure({"unit": "byte", "quantity": str(source.size)}, f"{source.size} bytes")))
    bibl.append(E.note({"type": "encoding"}, source.encoding))

    publication = E.publicationStmt(
        E.authority(record.tool),
        E.idno({"type": "record"}, record.id),
        E.idno({"type": "version"}, str(record.version)),
        E.date({"when": record.ingested_at.isoformat(timespec="seconds")}, "ingested " + record.ingested_at.isoformat(timespec="seconds")),
    )
    if record.rights:
        publication.append(E.availability(_fact_attributes(record.rights), E.p(record.rights.value)))
    file_desc = E.fileDesc(title_stmt, publication)
    if record.collection:
        file_desc.append(E.seriesStmt(E.title(_fact_attributes(record.collection), record.collection.value)))
    file_desc.append(E.sourceDesc(bibl))

    encoding_desc = E.encodingDesc(
        E.appInfo(E.application({"ident": record.tool, "version": record.tool_version}, E.label(record.tool)))
    )
    profile = E.profileDesc()
    if record.interview_date:
        profile.append(E.creation(E.date({"when": record.interview_date.normalized or record.interview_date.value, **_fact_attributes(record.interview_date)}, record.interview_date.value)))
    profile.append(E.langUsage(E.language({"ident": record.language}, record.language)))
    if record.subjects or record.topics:
        text_class = E.textClass()
        if record.subjects:
            text_class.append(E.keywords(*[E.term(_fact_attributes(s), s.value) for s in record.subjects]))
        if record.topics:  # found by a statistical rule, so kept apart from stated subjects
            text_class.append(E.keywords({"n": "topics"}, *[E.term(_fact_attributes(t), t.value) for t in record.topics]))
        profile.append(text_class)
    if record.participants:
        profile.append(E.particDesc(E.listPerson(*[_person(p) for p in record.participants])))

    revision = E.revisionDesc(
        *[E.change({"when": change.when.isoformat(timespec="seconds"), "type": change.step}, change.description) for change in record.changes]
    )
    return E.teiHeader(file_desc, encoding_desc, profile, revision)


def _all_facts(record: Record) -> list[Fact]:
    facts = [record.title, *record.subjects, *record.topics, record.interview_date, record.rights, record.collection]
    for person in record.participants:
        facts += [person.name, person.occupation, person.organization, person.place, person.tenure]
    return [f for f in facts if f is not None]


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
    root = E.TEI({XML_LANG: record.language}, _header(record, document), text)
    return etree.ElementTree(root)


def tei_bytes(tree: etree._ElementTree) -> bytes:
    """Serialized TEI as stored in the archive (UTF-8, XML declaration, indented)."""
    # Indent the header only: whitespace added inside the body's mixed content would change the text.
    header = tree.getroot().find(f"{{{TEI_NS}}}teiHeader")
    if header is not None:
        etree.indent(header, space=" ", level=1)
    # The bytes of etree.tostring(tree, ...), written in pieces into one growing buffer:
    # tostring makes them in libxml2's buffer and then copies them (twice a long TEI's size).
    out = io.BytesIO()
    tree.write(out, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return out.getvalue()
