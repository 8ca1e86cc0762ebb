"""The TEI header of a record: the record's facts and provenance as TEI P5 XML.

Built from the ``Record`` alone, so a record can be re-described after ingest (an
archivist's edit) by replacing the header of its stored TEI while the body, the
transcript as transcribed, stays byte for byte what the pipeline made of the source.

``fileDesc/sourceDesc`` holds the source (URL, file name, SHA-256, size),
``profileDesc/particDesc`` the participants with their facts, ``encodingDesc/appInfo``
the tool and version, ``revisionDesc`` every step that changed something. Extracted
values carry ``@source`` (the segment), ``@cert`` and ``@resp`` (the rule, declared as a
``respStmt``); supplied values ``@resp="#archivist"``.
"""

from __future__ import annotations

import io

from lxml import etree
from lxml.builder import ElementMaker

from oral_archive.schemas.record import Evidence, Fact, Person, Record
from oral_archive.schemas.xmlschemas import TEI_NS, XML_NS

E = ElementMaker(namespace=TEI_NS, nsmap={None: TEI_NS})
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"
TEI = f"{{{TEI_NS}}}"
# Automatic keywords (Record.topics) are terms of no controlled vocabulary: their
# <keywords> point to this taxonomy, declared in encodingDesc/classDecl, so no reader
# takes them for catalogue subjects.
TOPIC_SCHEME = "automatic-keywords"
# Another record, as TEI points to it: its OAI-PMH identifier (a URI every harvester knows).
RECORD_URI_PREFIX = "oai:oral-archive:"


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


def build_header(record: Record, quote_rules: list[str] = ()) -> etree._Element:
    """The record's ``teiHeader``; ``quote_rules`` are the rules of the body's attributed quotes
    (``q/@resp``), each declared as a ``respStmt`` like the metadata rules."""
    # no title in the text: a devised one, marked so (TEI title/@type, as catalogues do)
    title_attributes = _fact_attributes(record.title) if record.title else {"type": "devised"}
    title_stmt = E.titleStmt(E.title(title_attributes, record.display_title))
    for rule in _rules_used(record) + [r for r in sorted(set(quote_rules)) if r not in _rules_used(record)]:
        title_stmt.append(E.respStmt({XML_ID: rule_id(rule)}, E.resp(f"extracted by rule {rule}"), E.name(f"{record.tool} {record.tool_version}")))
    if any(f.origin == "supplied" for f in _all_facts(record)) or any(c.by for c in record.changes):
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
    for relation in record.relations:
        bibl.append(E.relatedItem({"type": relation.kind, "target": f"{RECORD_URI_PREFIX}{relation.record}", "n": f"{relation.similarity:.2f}"}))

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
    if record.topics:
        encoding_desc.append(E.classDecl(E.taxonomy({XML_ID: TOPIC_SCHEME}, E.desc(
            "Keywords found in the text by a statistical rule of the tool: no controlled vocabulary, "
            "and not catalogue subjects (those are in the keywords without a scheme)"))))
    profile = E.profileDesc()
    if record.interview_date:
        profile.append(E.creation(E.date({"when": record.interview_date.normalized or record.interview_date.value, **_fact_attributes(record.interview_date)}, record.interview_date.value)))
    profile.append(E.langUsage(E.language({"ident": record.language}, record.language)))
    if record.subjects or record.topics:
        text_class = E.textClass()
        if record.subjects:
            text_class.append(E.keywords(*[E.term(_fact_attributes(s), s.value) for s in record.subjects]))
        if record.topics:  # found by a statistical rule, so kept apart from stated subjects
            text_class.append(E.keywords({"scheme": f"#{TOPIC_SCHEME}", "n": "topics"}, *[E.term(_fact_attributes(t), t.value) for t in record.topics]))
        profile.append(text_class)
    if record.participants:
        profile.append(E.particDesc(E.listPerson(*[_person(p) for p in record.participants])))

    revision = E.revisionDesc(
        *[E.change({"when": change.when.isoformat(timespec="seconds"), "type": change.step, **({"resp": "#archivist"} if change.by else {})}, change.description) for change in record.changes]
    )
    return E.teiHeader(file_desc, encoding_desc, profile, revision)


def _all_facts(record: Record) -> list[Fact]:
    facts = [record.title, *record.subjects, *record.topics, record.interview_date, record.rights, record.collection]
    for person in record.participants:
        facts += [person.name, person.occupation, person.organization, person.place, person.tenure]
    return [f for f in facts if f is not None]


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


def quote_rules_of(root: etree._Element) -> list[str]:
    """The rules of a stored TEI's attributed quotes (``q/@resp="#rule.X"`` -> "X")."""
    prefix = "#rule."
    return sorted({r[len(prefix):] for r in root.xpath("//tei:text//tei:q/@resp", namespaces={"tei": TEI_NS}) if r.startswith(prefix)})


def replace_header(tei: bytes, record: Record) -> bytes:
    """The stored TEI ``tei`` with its header rebuilt from ``record`` (the body untouched)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)
    tree = etree.ElementTree(etree.fromstring(tei, parser))
    root = tree.getroot()
    old = root.find(f"{TEI}teiHeader")
    if old is None:
        raise ValueError("the stored TEI has no teiHeader")
    root.set(XML_LANG, record.language)
    root.replace(old, build_header(record, quote_rules_of(root)))
    return tei_bytes(tree)
