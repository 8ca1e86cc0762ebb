"""The record page and the record's downloads, from the public form of a record.

Everything here starts from ``load_public`` (public.py): withheld fields never reach a
template, an API answer or a download. The metadata list is the CLI's own provenance
listing (``oral-archive show --provenance``), run on the public record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from lxml import etree

from oral_archive.archive.core import Archive
from oral_archive.archive.export import corpus_member, mods_element, oai_dc_element
from oral_archive.pipeline.cli.records_cmd import provenance
from oral_archive.schemas.record import RECORD_ID_PATTERN, Record

from .public import PublicRecord, load_public, redactor_for, speaker_names
from .transcript import Block, Marker, mark_words, read_blocks

FACT_LABELS = {
    "title": "Title", "source.url": "Source URL", "language": "Language", "interview_date": "Interview date",
    "rights": "Rights", "collection": "Collection", "subjects": "Subject", "topics": "Topic",
    "name": "Name", "occupation": "Role", "organization": "Organization", "place": "Place", "tenure": "Tenure",
}
PERSON_PATH = re.compile(r"^(?P<role>interviewee|interviewer|speaker)(?:\[(?P<id>[^\]]+)\])?\.(?P<fact>\w+)$")


class Withheld(Exception):
    """A download that would disclose withheld text (the original file of a restricted record)."""


@dataclass(frozen=True)
class Download:
    """One way to take the record away: what it is, its file name and media type."""

    key: str
    label: str
    description: str
    media_type: str
    suffix: str


DOWNLOADS = {
    d.key: d
    for d in (
        Download("tei", "TEI P5", "the record as TEI XML: header with provenance, and the transcript", "application/tei+xml", ".tei.xml"),
        Download("json", "JSON", "the record as JSON (the same facts as the TEI)", "application/json", ".json"),
        Download("oai_dc", "OAI-DC", "Dublin Core metadata, as OAI-PMH harvesters read it", "application/xml", ".oai_dc.xml"),
        Download("mods", "MODS", "MODS 3.7 metadata, as library catalogues read it", "application/mods+xml", ".mods.xml"),
        Download("original", "Original file", "the file exactly as it was received", "application/octet-stream", ""),
    )
}


def withdrawal_notice(archive: Archive, record_id: str) -> str | None:
    """Why a record was withdrawn (its tombstone in words), or None for a record in view.

    Every page, API answer and download of a withdrawn or purged record answers 410 Gone
    with this notice (app.py's ``Gone`` handler renders it).
    """
    if not re.fullmatch(RECORD_ID_PATTERN, record_id):
        return None
    stone = archive.tombstone(record_id)
    if stone is None:
        return None
    what = "withdrawn and its content removed" if stone.purged else "withdrawn"
    return f"This record was {what} on {stone.withdrawn_at:%Y-%m-%d}. Reason: {stone.reason}"


def _label(path: str, people: dict[str, str], record: Record) -> tuple[str, str]:
    """(group, label) of a provenance field path: the interview, or one participant."""
    person = PERSON_PATH.match(path)
    if person:
        ident = person.group("id") or next((p.id for p in record.participants if p.role == person.group("role")), "")
        who = people.get(ident, person.group("role").capitalize())
        group = who if who.lower() == person.group("role") else f"{who} ({person.group('role')})"
        return group, FACT_LABELS.get(person.group("fact"), person.group("fact"))
    base = path.split("[", 1)[0]
    return "The interview", FACT_LABELS.get(base, base.replace("_", " ").capitalize())


def metadata_groups(record: Record) -> list[tuple[str, list[dict[str, Any]]]]:
    """The provenance entries of a public record, grouped: the interview, then each participant."""
    people = speaker_names(record)
    groups: dict[str, list[dict[str, Any]]] = {"The interview": []}
    for entry in provenance(record):
        group, label = _label(entry["field"], people, record)
        groups.setdefault(group, []).append({**entry, "label": label})
    return [(name, entries) for name, entries in groups.items() if entries]


@dataclass
class RecordPage:
    """What the record template shows."""

    public: PublicRecord
    blocks: list[Block]
    metadata: list[tuple[str, list[dict[str, Any]]]]
    versions: list[dict[str, Any]]
    downloads: list[Download]
    mark: str
    original_withheld: bool


def record_page(archive: Archive, record_id: str, version: int | None, mark: str) -> RecordPage:
    """Everything the record page shows of one version; ``RecordNotFound`` if there is none."""
    public = load_public(archive, record_id, version)
    stored = public.stored
    mark = mark_words(mark)
    starts = {segment.id: segment.start for segment in public.record.segments}
    blocks = read_blocks(archive.tei(stored.id, stored.version), public.redactor, speaker_names(public.record), Marker(mark), starts)
    versions = [
        {
            "version": v.version,
            "ingested": v.ingested_at,
            "title": redactor_for(public.versions, v).mask(v.display_title),
            "current": v.version == stored.version,
            "latest": v.version == public.versions[-1].version,
        }
        for v in reversed(public.versions)
    ]
    withheld = bool(public.redactor.fields)
    downloads = [d for d in DOWNLOADS.values() if not (withheld and d.key == "original")]
    return RecordPage(public, blocks, metadata_groups(public.record), versions, downloads, mark, withheld)


def download(archive: Archive, record_id: str, version: int | None, key: str) -> tuple[bytes, str, str]:
    """(body, media type, file name) of one download; ``KeyError`` for an unknown kind.

    Restricted fields are withheld with the exporters' own rules. The original file of a
    record with restricted fields is refused (``Withheld``): its text holds them as typed.
    """
    kind = DOWNLOADS[key]
    public = load_public(archive, record_id, version)
    stored, redactor = public.stored, public.redactor
    name = f"{stored.id}-v{stored.version}{kind.suffix}"
    makers: dict[str, Callable[[], bytes]] = {
        # Stored bytes when nothing is withheld; else the exporter's redacted TEI (its ids
        # carry the record id as prefix, as in a tei-corpus export).
        "tei": lambda: archive.tei(stored.id, stored.version) if not redactor.fields else _xml(corpus_member(stored, archive.tei(stored.id, stored.version), redactor)),
        # The public record (as /api/records/<id> gives it): the exporters' JSON with the
        # file name masked too (see public.load_public).
        "json": lambda: public.record.model_dump_json(indent=2).encode("utf-8") + b"\n",
        "oai_dc": lambda: _xml(oai_dc_element(stored, redactor)),
        "mods": lambda: _xml(mods_element(stored, redactor)),
    }
    if key == "original":
        if redactor.fields:
            raise Withheld(
                f"The original file of {stored.id} is not available here: this record has restricted fields "
                f"({', '.join(sorted(redactor.fields))}), and the original holds them as they were typed."
            )
        path = archive.store.version(stored.id, stored.version).original_path()
        return path.read_bytes(), kind.media_type, f"{stored.id}-v{stored.version}-original{path.suffix}"
    return makers[key](), kind.media_type, name


def _xml(element: etree._Element) -> bytes:
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", pretty_print=True)
