"""Validation of archive records in three layers, collecting every problem.

1. ``model``: the JSON record against the pydantic ``Record`` model;
2. ``tei`` / ``tei-all``: the TEI document against a RELAX NG schema (our fast subset
   on ingest when shipped, the full ``tei_all.rng`` on request);
3. ``cross-reference``: every pointer (``@who``, ``@source``, ``@resp``, ``@synch``,
   ``@start``, ``@since``) names an element that exists, the stored checksum matches
   the original bytes, and the TEI and JSON records agree.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from lxml import etree
from pydantic import ValidationError

from oral_archive.schemas import xmlschemas
from oral_archive.schemas.errors import Problem
from oral_archive.schemas.record import Record
from oral_archive.schemas.xmlschemas import TEI_NS, XML_NS

TeiSchema = Literal["subset", "full", "none"]
NS = {"tei": TEI_NS}
POINTER_ATTRIBUTES = ("who", "source", "resp", "synch", "start", "since", "origin")
XML_ID = f"{{{XML_NS}}}id"


def _location(loc: tuple) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(record)"


def validate_model(record_json: bytes) -> tuple[Record | None, list[Problem]]:
    """Layer 1: the JSON record against the pydantic model."""
    try:
        return Record.model_validate_json(record_json), []
    except ValidationError as error:
        return None, [
            Problem("model", _location(tuple(e["loc"])), e["msg"] + (f" (got {e['input']!r:.80})" if e["type"] != "missing" and not isinstance(e["input"], dict) else ""))
            for e in error.errors()
        ]


def parse_tei(tei: bytes) -> tuple[etree._ElementTree | None, list[Problem]]:
    try:
        return etree.ElementTree(etree.fromstring(tei, parser=xmlschemas.safe_parser())), []
    except etree.XMLSyntaxError as error:
        return None, [Problem("tei", f"line {error.lineno}", f"not well-formed XML: {error.msg}")]


def validate_tei_schema(tree: etree._ElementTree, schema: TeiSchema) -> list[Problem]:
    """Layer 2: RELAX NG validation; every error with its line and element path."""
    if schema == "none":
        return []
    if schema == "subset":
        validator = xmlschemas.tei_subset()
        layer = "tei"
        if validator is None:
            return []
    else:
        validator = xmlschemas.tei_all()
        layer = "tei-all"
    if validator.validate(tree):
        return []
    return [
        Problem(layer, f"line {entry.line}" + (f" {entry.path}" if entry.path else ""), entry.message)
        for entry in validator.error_log
    ]


def validate_cross_references(record: Record, tree: etree._ElementTree, original: bytes | None) -> list[Problem]:
    """Layer 3: pointers resolve, checksums match, TEI and JSON agree."""
    problems: list[Problem] = []
    root = tree.getroot()
    ids = {element.get(XML_ID) for element in root.iter() if element.get(XML_ID)}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in POINTER_ATTRIBUTES:
            value = element.get(attribute)
            if not value:
                continue
            for pointer in value.split():
                if pointer.startswith("#") and pointer[1:] not in ids:
                    problems.append(Problem("cross-reference", tree.getpath(element) + f"/@{attribute}", f"points to #{pointer[1:]}, which no element in the record has as xml:id"))

    def header_text(xpath: str) -> str | None:
        found = root.xpath(xpath, namespaces=NS)
        return str(found).strip() if found else None

    agreements = [
        ("record id", header_text("string(//tei:publicationStmt/tei:idno[@type='record'])"), record.id),
        ("version", header_text("string(//tei:publicationStmt/tei:idno[@type='version'])"), str(record.version)),
        ("sha256", header_text("string(//tei:sourceDesc//tei:idno[@type='sha256'])"), record.source.sha256),
        ("title", header_text("string(//tei:titleStmt/tei:title)"), record.title.value),
    ]
    for name, in_tei, in_json in agreements:
        if in_tei != in_json:
            problems.append(Problem("cross-reference", f"teiHeader {name}", f"TEI says {in_tei!r} but the JSON record says {in_json!r}"))
    body_ids = [e.get(XML_ID) for e in root.xpath("//tei:body/*[@xml:id]", namespaces=NS)]
    json_ids = [s.id for s in record.segments]
    if body_ids != json_ids:
        problems.append(Problem("cross-reference", "text/body", f"TEI body has segments {body_ids[:5]}... but the JSON record has {json_ids[:5]}..."))
    if original is not None:
        actual = hashlib.sha256(original).hexdigest()
        if actual != record.source.sha256:
            problems.append(Problem("fixity", "data/original", f"original bytes have SHA-256 {actual}, the record says {record.source.sha256}"))
        if len(original) != record.source.size:
            problems.append(Problem("fixity", "data/original", f"original is {len(original)} bytes, the record says {record.source.size}"))
    return problems


def validate_record(record_json: bytes, tei: bytes, original: bytes | None, schema: TeiSchema = "subset") -> list[Problem]:
    """All three layers; an empty list means the record is valid."""
    record, problems = validate_model(record_json)
    tree, xml_problems = parse_tei(tei)
    problems += xml_problems
    if tree is not None:
        problems += validate_tei_schema(tree, schema)
        if record is not None:
            problems += validate_cross_references(record, tree, original)
    return problems
