"""Metadata export in the formats archives exchange, streamed record by record.

Each exporter takes an iterable of records and a binary stream; nothing holds the whole
archive in memory. XML is built with lxml's incremental writer (``etree.xmlfile``).
"""

from __future__ import annotations

import csv
import io
from typing import BinaryIO, Callable, Iterable

from lxml import etree
from lxml.builder import ElementMaker

from oral_archive.schemas.record import Record
from oral_archive.schemas.xmlschemas import DC_NS, OAI_DC_NS, XSI_NS

DC = ElementMaker(namespace=DC_NS, nsmap={"dc": DC_NS})
OAI_DC_LOCATION = f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
CSV_COLUMNS = [
    "id", "version", "title", "subjects", "interviewee", "interviewer", "role", "organization", "place",
    "tenure", "interview_date", "language", "source_url", "filename", "sha256", "ingested_at",
]
MULTI_VALUE_SEPARATOR = " | "
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def oai_dc_element(record: Record) -> etree._Element:
    """One ``<oai_dc:dc>`` record: only the 15 DC elements, in a documented mapping."""
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", OAI_DC_LOCATION)
    interviewee = record.person("interviewee")
    interviewer = record.person("interviewer")

    def add(name: str, value: str | None) -> None:
        if value:
            root.append(DC(name, value))

    add("title", record.title.value)
    if interviewee and interviewee.name:
        add("creator", f"{interviewee.name.value} (interviewee)")
    if interviewer and interviewer.name:
        add("contributor", f"{interviewer.name.value} (interviewer)")
    for subject in record.subjects:
        add("subject", subject.value)
    if interviewee:
        description = "; ".join(
            part
            for part in (
                f"Interviewee: {interviewee.occupation.value}" if interviewee.occupation else None,
                f"organization: {interviewee.organization.value}" if interviewee.organization else None,
                f"tenure: {interviewee.tenure.value} ({interviewee.tenure.normalized})" if interviewee.tenure else None,
            )
            if part
        )
        add("description", description or None)
    add("date", record.interview_date.normalized if record.interview_date else None)
    add("type", "Text")
    add("type", "oral history interview")
    add("format", record.source.media_type)
    add("identifier", record.id)
    add("source", record.source.url)
    add("language", record.language)
    if interviewee and interviewee.place:
        add("coverage", interviewee.place.value)
    add("rights", record.rights.value if record.rights else None)
    add("relation", record.collection.value if record.collection else None)
    return root


def write_oai_dc(records: Iterable[Record], out: BinaryIO) -> int:
    """A ``<records>``-free stream is not valid XML, so records go in an OAI-PMH-like list wrapper."""
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("records", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}):
            for record in records:
                xf.write(oai_dc_element(record), pretty_print=True)
                count += 1
    return count


def neutralize_formula(value: str) -> str:
    """Spreadsheet-safe cell: a leading =, +, -, @ would be run as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def csv_row(record: Record) -> dict[str, str]:
    interviewee = record.person("interviewee")
    interviewer = record.person("interviewer")

    def fact(person, name: str) -> str:
        value = getattr(person, name) if person else None
        return value.value if value else ""

    tenure = interviewee.tenure if interviewee else None
    return {
        "id": record.id,
        "version": str(record.version),
        "title": record.title.value,
        "subjects": MULTI_VALUE_SEPARATOR.join(s.value for s in record.subjects),
        "interviewee": fact(interviewee, "name"),
        "interviewer": fact(interviewer, "name"),
        "role": fact(interviewee, "occupation"),
        "organization": fact(interviewee, "organization"),
        "place": fact(interviewee, "place"),
        "tenure": (tenure.normalized or tenure.value) if tenure else "",
        "interview_date": (record.interview_date.normalized or record.interview_date.value) if record.interview_date else "",
        "language": record.language,
        "source_url": record.source.url or "",
        "filename": record.source.filename,
        "sha256": record.source.sha256,
        "ingested_at": record.ingested_at.isoformat(timespec="seconds"),
    }


def write_csv(records: Iterable[Record], out: BinaryIO, bom: bool = False) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if bom else "utf-8", newline="", write_through=True)
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow({k: neutralize_formula(v) for k, v in csv_row(record).items()})
        count += 1
    text.flush()
    text.detach()
    return count


def write_jsonl(records: Iterable[Record], out: BinaryIO) -> int:
    count = 0
    for record in records:
        out.write(record.model_dump_json().encode("utf-8") + b"\n")
        count += 1
    return count


EXPORTERS: dict[str, Callable[[Iterable[Record], BinaryIO], int]] = {
    "oai_dc": write_oai_dc,
    "csv": write_csv,
    "jsonl": write_jsonl,
}
