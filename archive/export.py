"""Metadata export in the formats archives exchange, streamed record by record.

Every exporter takes an iterable of records, a binary stream and ``ExportOptions``, and
holds one record at a time: XML goes through lxml's incremental writer
(``etree.xmlfile``), CSV through ``csv.writer``, JSON Lines line by line. So memory stays
flat whatever the size of the archive. ``docs/export.md`` documents every mapping.

Restricted fields (``Record.restricted``) are withheld unless ``include_restricted``:
a withheld field is left out wherever it is a field of its own, and its text is masked
as ``[restricted]`` wherever it also occurs in free text (title, transcript, evidence
sentences), because a name left in the transcript is still disclosed.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from lxml import etree
from lxml.builder import ElementMaker

from oral_archive.schemas.errors import ArchiveError
from oral_archive.schemas.record import Fact, Person, Record
from oral_archive.schemas.xmlschemas import DC_NS, MODS_NS, OAI_DC_NS, TEI_NS, XML_NS, XSI_NS, safe_parser

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_LOCATION = f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_DC_LOCATION = f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
MODS_LOCATION = f"{MODS_NS} http://www.loc.gov/standards/mods/v3/mods-3-7.xsd"
XML_ID = f"{{{XML_NS}}}id"

DC = ElementMaker(namespace=DC_NS, nsmap={"dc": DC_NS})
OAI = ElementMaker(namespace=OAI_NS, nsmap={None: OAI_NS})
MODS = ElementMaker(namespace=MODS_NS, nsmap={None: MODS_NS})
TEI = ElementMaker(namespace=TEI_NS, nsmap={None: TEI_NS})

RESTRICTED_MARK = "[restricted]"
MULTI_VALUE_SEPARATOR = " | "
# A spreadsheet runs a cell starting with these as a formula (tab and CR too: some
# spreadsheets strip them and then see the formula behind them).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    "id", "version", "title", "subjects", "topics", "interviewee", "interviewer", "speakers", "role",
    "organization", "place", "tenure", "interview_date", "language", "rights", "collection",
    "source_url", "site", "filename", "media_type", "sha256", "ingested_at", "restricted",
]
# Roles of the MARC relator list (https://id.loc.gov/vocabulary/relators): term, code.
MARC_RELATORS = {"interviewee": ("Interviewee", "ive"), "interviewer": ("Interviewer", "ivr"), "speaker": ("Speaker", "spk")}
# Record.topics in MODS: one note of this type, the terms joined by "; " (docs/export.md)
MODS_KEYWORDS_NOTE_TYPE = "keywords"
MODS_KEYWORDS_LABEL = "Keywords found automatically in the transcript (not catalogue subjects)"
MODS_KEYWORDS_SEPARATOR = "; "
# Getty AAT 300202595 "oral histories (literary works)": the genre term MODS records use.
AAT_ORAL_HISTORIES = "oral histories"
PERSON_FACTS = ("occupation", "organization", "place", "tenure")
# Honorifics are not part of what identifies a person; masking them would only add noise.
HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "officer", "sgt", "capt", "chief"}
# The TEI elements (in the stored record TEI built by pipeline/tei.py) that carry each
# restrictable field; removed from a tei-corpus export when the field is withheld.
TEI_RESTRICTED_XPATHS = {
    "subjects": "//t:profileDesc/t:textClass/t:keywords[not(@n)]",
    "topics": "//t:profileDesc/t:textClass/t:keywords[@n='topics']",
    "collection": "//t:fileDesc/t:seriesStmt",
    "interview_date": "//t:profileDesc/t:creation",
    "rights": "//t:publicationStmt/t:availability",
    "source.url": "//t:sourceDesc//t:ptr[@type='source-url']",
    "source.filename": "//t:sourceDesc//t:idno[@type='filename']",
    "participants.name": "//t:person/t:persName[not(@type='speaker-label')]",
    "participants.label": "//t:person/t:persName[@type='speaker-label']",
    "participants.occupation": "//t:person/t:occupation",
    "participants.organization": "//t:person/t:affiliation[not(@type='place')]",
    "participants.place": "//t:person/t:affiliation[@type='place']",
    "participants.tenure": "//t:person/t:state[@type='tenure']",
}
TEI_NSMAP = {"t": TEI_NS}


class ExportError(ArchiveError):
    """An export cannot be made (unknown format, nothing to export, unwritable output)."""


@dataclass(frozen=True)
class ExportOptions:
    """How to export: restricted fields, the CSV byte order mark, where TEI comes from."""

    include_restricted: bool = False
    bom: bool = False
    # The stored TEI bytes of a record; only tei-corpus needs it (``Archive.export`` sets it).
    tei: Callable[[Record], bytes] | None = None


# -- restricted fields -------------------------------------------------------------------
class Redactor:
    """What one record's export may show: which fields are withheld, and their text masked."""

    def __init__(self, record: Record, include_restricted: bool = False) -> None:
        self.fields: frozenset[str] = frozenset() if include_restricted else frozenset(record.restricted)
        texts = set()
        for field in self.fields:
            texts.update(t for t in restricted_texts(record, field) if len(t) >= 3)
        # Longest first, so "John Brown" is masked whole before "John" could match inside it.
        alternatives = "|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE) if texts else None
        # Participant ids come from speaker labels ("sp-fuchs") and so can spell a withheld
        # name; such ids are renamed (consistently, pointers included) to a neutral one.
        taken = {p.id for p in record.participants}
        self.participant_ids: dict[str, str] = {}
        for number, person in enumerate(record.participants, 1):
            if self._pattern and self._pattern.search(person.id):
                new = f"participant-{number}"
                while new in taken:
                    new += "x"
                self.participant_ids[person.id] = new
                taken.add(new)

    def hides(self, field: str) -> bool:
        """Whether ``field`` (e.g. ``participants.name``) is withheld from this export."""
        return field in self.fields

    def mask(self, text: str) -> str:
        """``text`` with every occurrence of a withheld value replaced by ``[restricted]``."""
        return self._pattern.sub(RESTRICTED_MARK, text) if self._pattern else text

    def fact(self, field: str, fact: Fact | None) -> str | None:
        """A fact's value for export: None when absent or withheld, else its masked text."""
        if fact is None or self.hides(field):
            return None
        return self.mask(fact.value)

    def person_fact(self, person: Person | None, name: str) -> str | None:
        """A participant fact (``name``, ``occupation``, ...) honouring ``participants.<name>``."""
        return self.fact(f"participants.{name}", getattr(person, name)) if person else None


def _fact_texts(fact: Fact | None) -> Iterator[str]:
    # The value an archivist replaced may still hold the private text: mask it too.
    while fact is not None:
        yield fact.value
        if fact.normalized:
            yield fact.normalized
        fact = fact.replaces


def restricted_texts(record: Record, field: str) -> set[str]:
    """The strings a restricted field holds in this record (to mask in free text)."""
    texts: set[str] = set()
    if field.startswith("participants."):
        name = field.split(".", 1)[1]
        for person in record.participants:
            value = getattr(person, name)
            if isinstance(value, str):
                texts.add(value)
            else:
                texts.update(_fact_texts(value))
            if name == "name" and person.name:
                # "Mr. Brown" discloses John Brown as much as the full name does.
                for part in re.findall(r"[^\W\d_][\w'’-]*", person.name.value):
                    # Capitalised parts only: "and" in "J.T. Curry and P.D. Lagerquist" is no name.
                    if part[0].isupper() and part.lower() not in HONORIFICS:
                        texts.add(part)
    elif field.startswith("source."):
        value = getattr(record.source, field.split(".", 1)[1])
        if value:
            texts.add(value)
    elif field in ("subjects", "topics"):
        for keyword in getattr(record, field):
            texts.update(_fact_texts(keyword))
    else:
        texts.update(_fact_texts(getattr(record, field)))
    return {t.strip() for t in texts if t and t.strip()}


# -- shared helpers ------------------------------------------------------------------------
def _utc(moment: datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ``: the UTC form OAI-PMH and W3C-DTF expect."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(fact: Fact | None, redactor: Redactor, field: str = "interview_date") -> str | None:
    if fact is None or redactor.hides(field):
        return None
    return redactor.mask(fact.normalized or fact.value)


def _tenure(person: Person | None, redactor: Redactor) -> str | None:
    value = redactor.person_fact(person, "tenure")
    if value and person and person.tenure and person.tenure.normalized:
        return f"{value} ({person.tenure.normalized})"
    return value


def _subjects(record: Record, redactor: Redactor) -> list[str]:
    """The catalogue subjects: the text's own subject lines or the archivist's, never the
    topics a statistical rule found (those are ``_topics``, exported under their own name)."""
    if redactor.hides("subjects"):
        return []
    return [redactor.mask(fact.value) for fact in record.subjects]


def _topics(record: Record, redactor: Redactor) -> list[str]:
    """Keywords found automatically in the text (``Record.topics``), unless withheld."""
    if redactor.hides("topics"):
        return []
    return [redactor.mask(fact.value) for fact in record.topics]


def _people(record: Record, role: str) -> list[Person]:
    return [p for p in record.participants if p.role == role]


def _names(record: Record, role: str, redactor: Redactor) -> list[str]:
    return [name for p in _people(record, role) if (name := redactor.person_fact(p, "name"))]


def _interviewee_description(record: Record, redactor: Redactor) -> str | None:
    """One sentence on the interviewee (occupation, organisation, tenure), or None."""
    interviewee = record.person("interviewee")
    parts = [
        f"{label}: {value}"
        for label, value in (
            ("Interviewee", redactor.person_fact(interviewee, "occupation")),
            ("organization", redactor.person_fact(interviewee, "organization")),
            ("tenure", _tenure(interviewee, redactor)),
        )
        if value
    ]
    return "; ".join(parts) or None


def _places(record: Record, redactor: Redactor) -> list[str]:
    places = [p for person in record.participants if (p := redactor.person_fact(person, "place"))]
    return list(dict.fromkeys(places))  # unique, in participant order


def _peek(records: Iterable[Record]) -> tuple[Record | None, Iterator[Record]]:
    """The first record (None if there is none) and an iterator over all of them."""
    iterator = iter(records)
    first = next(iterator, None)
    return first, (itertools.chain([first], iterator) if first is not None else iterator)


# -- oai_dc --------------------------------------------------------------------------------
def oai_dc_element(record: Record, redactor: Redactor | None = None) -> etree._Element:
    """One ``<oai_dc:dc>`` record: only the 15 DC elements, mapped as in docs/export.md."""
    redactor = redactor or Redactor(record)
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", OAI_DC_LOCATION)

    def add(name: str, value: str | None) -> None:
        if value:
            root.append(DC(name, value))

    add("title", redactor.mask(record.display_title))
    # Unqualified DC has no role attribute: the role goes in parentheses, as is customary.
    for name in _names(record, "interviewee", redactor):
        add("creator", f"{name} (interviewee)")
    for role in ("interviewer", "speaker"):
        for name in _names(record, role, redactor):
            add("contributor", f"{name} ({role})")
    # Only catalogue subjects: DC has no element for automatic keywords, and a dc:subject is
    # what aggregators index and facet as the record's subject (docs/export.md).
    for subject in _subjects(record, redactor):
        add("subject", subject)
    add("description", _interviewee_description(record, redactor))
    add("date", _date(record.interview_date, redactor))
    add("type", "Text")  # DCMI Type vocabulary: the archived item is a transcript
    add("type", AAT_ORAL_HISTORIES)
    add("format", record.source.media_type)
    add("identifier", record.id)
    add("source", None if redactor.hides("source.url") else record.source.url)
    add("language", record.language)
    for place in _places(record, redactor):
        add("coverage", place)
    add("rights", redactor.fact("rights", record.rights))
    add("relation", redactor.fact("collection", record.collection))
    return root


def oai_record_element(record: Record, options: ExportOptions) -> etree._Element:
    """An OAI-PMH ``<record>``: header (identifier, datestamp) and the oai_dc metadata."""
    return OAI.record(
        OAI.header(OAI.identifier(oai_identifier(record.id)), OAI.datestamp(_utc(record.ingested_at))),
        OAI.metadata(oai_dc_element(record, Redactor(record, options.include_restricted))),
    )


def oai_identifier(record_id: str) -> str:
    """The OAI item identifier of a record (``oai:oral-archive:<id>``)."""
    return f"oai:oral-archive:{record_id}"


def write_oai_dc(records: Iterable[Record], out: BinaryIO, options: ExportOptions | None = None) -> int:
    """An OAI-PMH 2.0 ``ListRecords`` response (metadataPrefix oai_dc) holding every record.

    That envelope is what harvesters and aggregators already read; an empty selection is
    the protocol's ``noRecordsMatch`` error, because ``ListRecords`` needs a record.
    """
    options = options or ExportOptions()
    first, records = _peek(records)
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{OAI_NS}}}OAI-PMH", {f"{{{XSI_NS}}}schemaLocation": OAI_LOCATION}, nsmap={None: OAI_NS, "xsi": XSI_NS}):
            xf.write("\n", OAI.responseDate(_utc(datetime.now(timezone.utc))), "\n")
            xf.write(OAI.request({"verb": "ListRecords", "metadataPrefix": "oai_dc"}), "\n")
            if first is None:
                xf.write(OAI.error({"code": "noRecordsMatch"}, "no record matches the selection"), "\n")
                return 0
            with xf.element(f"{{{OAI_NS}}}ListRecords"):
                xf.write("\n")
                for record in records:
                    xf.write(oai_record_element(record, options), pretty_print=True)
                    count += 1
            xf.write("\n")
    return count


# -- MODS ----------------------------------------------------------------------------------
def _resource_type(media_type: str) -> str:
    """MODS typeOfResource for the archived file."""
    if media_type.startswith("audio/"):
        return "sound recording"
    if media_type.startswith("video/"):
        return "moving image"
    return "text"


def _mods_name(person: Person, redactor: Redactor) -> etree._Element | None:
    name = redactor.person_fact(person, "name")
    if not name:
        return None  # a name element with no name says nothing a catalogue can use
    term, code = MARC_RELATORS[person.role]
    element = MODS.name(
        {"type": "personal"},
        MODS.namePart(name),
        MODS.role(
            MODS.roleTerm({"type": "text", "authority": "marcrelator"}, term),
            MODS.roleTerm({"type": "code", "authority": "marcrelator"}, code),
        ),
    )
    organization = redactor.person_fact(person, "organization")
    if organization:
        element.insert(1, MODS.affiliation(organization))
    return element


def _provenance(record: Record) -> str:
    """Where the metadata came from: tool, source file, and how many values were checked by hand."""
    facts = [record.title, *record.subjects, record.interview_date, record.rights, record.collection]
    facts += [getattr(p, n) for p in record.participants for n in ("name", *PERSON_FACTS)]
    supplied = sum(1 for f in facts if f is not None and f.origin == "supplied")
    extracted = sum(1 for f in facts if f is not None and f.origin == "extracted")
    return (
        f"Extracted by {record.tool} {record.tool_version} from the transcript "
        f"(sha256 {record.source.sha256}); {extracted} value(s) found by extraction rules "
        f"with evidence in the TEI record, {supplied} supplied by an archivist."
    )


def mods_element(record: Record, redactor: Redactor | None = None) -> etree._Element:
    """One MODS 3.7 ``<mods>`` record, mapped as in docs/export.md."""
    redactor = redactor or Redactor(record)
    mods = MODS.mods({"version": "3.7"})
    mods.append(MODS.titleInfo(({"supplied": "yes"} if record.title is None else {}), MODS.title(redactor.mask(record.display_title))))
    for role in ("interviewee", "interviewer", "speaker"):
        for person in _people(record, role):
            if (name := _mods_name(person, redactor)) is not None:
                mods.append(name)
    mods.append(MODS.typeOfResource(_resource_type(record.source.media_type)))
    mods.append(MODS.genre({"authority": "aat"}, AAT_ORAL_HISTORIES))
    date = _date(record.interview_date, redactor)
    if date:
        iso = bool(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date))
        attributes = {"encoding": "w3cdtf", "keyDate": "yes"} if iso else {"keyDate": "yes"}
        mods.append(MODS.originInfo({"eventType": "production"}, MODS.dateCreated(attributes, date)))
    mods.append(MODS.language(MODS.languageTerm({"type": "code", "authority": "rfc5646"}, record.language)))
    mods.append(MODS.physicalDescription(MODS.internetMediaType(record.source.media_type)))
    description = _interviewee_description(record, redactor)
    if description:
        mods.append(MODS.note({"type": "biographical/historical"}, description))
    for subject in _subjects(record, redactor):
        mods.append(MODS.subject(MODS.topic(subject)))
    # A MODS subject without @authority is an uncontrolled subject term, still a subject to a
    # harvester; automatic keywords are a note, never a subject (docs/export.md says why).
    topics = _topics(record, redactor)
    if topics:
        mods.append(MODS.note({"type": MODS_KEYWORDS_NOTE_TYPE, "displayLabel": MODS_KEYWORDS_LABEL}, MODS_KEYWORDS_SEPARATOR.join(topics)))
    for place in _places(record, redactor):
        mods.append(MODS.subject(MODS.geographic(place)))
    for person in record.participants:
        if occupation := redactor.person_fact(person, "occupation"):
            mods.append(MODS.subject(MODS.occupation(occupation)))
    collection = redactor.fact("collection", record.collection)
    if collection:
        mods.append(MODS.relatedItem({"type": "host"}, MODS.titleInfo(MODS.title(collection))))
    mods.append(MODS.identifier({"type": "local"}, record.id))
    if record.source.url and not redactor.hides("source.url"):
        mods.append(MODS.location(MODS.url({"displayLabel": "Original source"}, record.source.url)))
    rights = redactor.fact("rights", record.rights)
    if rights:
        mods.append(MODS.accessCondition({"type": "use and reproduction"}, rights))
    mods.append(
        MODS.recordInfo(
            MODS.recordContentSource(f"{record.tool} {record.tool_version}"),
            MODS.recordCreationDate({"encoding": "w3cdtf"}, _utc(record.ingested_at)),
            MODS.recordIdentifier({"source": record.tool}, f"{record.id} v{record.version}"),
            MODS.recordOrigin(_provenance(record)),
            *[MODS.recordInfoNote({"type": "history"}, f"{_utc(c.when)} {c.step}: {redactor.mask(c.description)}") for c in record.changes],
        )
    )
    return mods


def write_mods(records: Iterable[Record], out: BinaryIO, options: ExportOptions | None = None) -> int:
    """A MODS 3.7 ``<modsCollection>`` holding one ``<mods>`` per record."""
    options = options or ExportOptions()
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{MODS_NS}}}modsCollection", {f"{{{XSI_NS}}}schemaLocation": MODS_LOCATION}, nsmap={None: MODS_NS, "xsi": XSI_NS}):
            xf.write("\n")
            for record in records:
                xf.write(mods_element(record, Redactor(record, options.include_restricted)), pretty_print=True)
                count += 1
    return count


# -- CSV -----------------------------------------------------------------------------------
def neutralize_formula(value: str) -> str:
    """Spreadsheet-safe cell: a leading =, +, -, @ (or tab, CR) gets an apostrophe in front."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def csv_row(record: Record, redactor: Redactor | None = None) -> dict[str, str]:
    """One record as CSV cells (before formula neutralisation); multi-values joined by `` | ``."""
    redactor = redactor or Redactor(record)
    interviewee = record.person("interviewee")
    join = MULTI_VALUE_SEPARATOR.join
    source = record.source
    return {
        "id": record.id,
        "version": str(record.version),
        "title": redactor.mask(record.display_title),
        # catalogue subjects only; the automatic keywords have their own column
        "subjects": join(_subjects(record, redactor)),
        "topics": join(_topics(record, redactor)),
        "interviewee": join(_names(record, "interviewee", redactor)),
        "interviewer": join(_names(record, "interviewer", redactor)),
        "speakers": join(_names(record, "speaker", redactor)),
        "role": redactor.person_fact(interviewee, "occupation") or "",
        "organization": redactor.person_fact(interviewee, "organization") or "",
        "place": join(_places(record, redactor)),
        "tenure": (
            (interviewee.tenure.normalized or interviewee.tenure.value)
            if interviewee and interviewee.tenure and not redactor.hides("participants.tenure") else ""
        ),
        "interview_date": _date(record.interview_date, redactor) or "",
        "language": record.language,
        "rights": redactor.fact("rights", record.rights) or "",
        "collection": redactor.fact("collection", record.collection) or "",
        "source_url": "" if redactor.hides("source.url") else source.url or "",
        "site": "" if redactor.hides("source.site") else source.site or "",
        "filename": RESTRICTED_MARK if redactor.hides("source.filename") else source.filename,
        "media_type": source.media_type,
        "sha256": source.sha256,
        "ingested_at": _utc(record.ingested_at),
        # Say what was withheld, so an empty cell is not read as "unknown".
        "restricted": join(sorted(redactor.fields)),
    }


def write_csv(records: Iterable[Record], out: BinaryIO, options: ExportOptions | None = None) -> int:
    """One header row, then one row per record; UTF-8, with a BOM if ``options.bom`` (Excel)."""
    options = options or ExportOptions()
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if options.bom else "utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(CSV_COLUMNS)
        count = 0
        for record in records:
            row = csv_row(record, Redactor(record, options.include_restricted))
            writer.writerow([neutralize_formula(row[column]) for column in CSV_COLUMNS])
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller owns ``out``: closing the wrapper must not close it
    return count


# -- JSON Lines ------------------------------------------------------------------------------
# Keys of the dumped record whose string values are free text that may quote a withheld value.
_FREE_TEXT_KEYS = {"value", "normalized", "text", "description", "label"}
# Withheld field -> how to blank it in the dumped record while it stays a valid Record.
_JSON_PERSON_FIELDS = ("name", "label", "occupation", "organization", "place", "tenure")


def redacted_record_data(record: Record, redactor: Redactor) -> dict[str, Any]:
    """The record as JSON data with withheld fields removed and their text masked elsewhere.

    The result still validates as a ``Record`` (and against the shipped JSON Schema):
    optional fields become null or empty, the required file name becomes ``[restricted]``.
    """
    data = record.model_dump(mode="json")
    for field in redactor.fields:
        if field in ("subjects", "topics"):
            data[field] = []
        elif field in ("interview_date", "rights", "collection"):
            data[field] = None
        elif field == "source.url":
            data["source"]["url"] = data["source"]["url_evidence"] = None
        elif field == "source.site":
            data["source"]["site"] = None
        elif field == "source.filename":
            data["source"]["filename"] = RESTRICTED_MARK
        elif field.startswith("participants."):
            name = field.split(".", 1)[1]
            for person in data["participants"]:
                person[name] = None

    renamed = redactor.participant_ids
    for person in data["participants"]:
        person["id"] = renamed.get(person["id"], person["id"])
    for segment in data["segments"]:
        if segment["who"]:
            segment["who"] = renamed.get(segment["who"], segment["who"])

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        if isinstance(node, str) and key in _FREE_TEXT_KEYS:
            return redactor.mask(node)
        return node

    data = walk(data)
    if record.title is not None:
        data["title"]["value"] = redactor.mask(record.title.value)
    return data


def jsonl_line(record: Record, options: ExportOptions | None = None) -> bytes:
    """One record as one line of JSON (no newline inside), restricted fields withheld."""
    options = options or ExportOptions()
    redactor = Redactor(record, options.include_restricted)
    if not redactor.fields:
        return record.model_dump_json().encode("utf-8")
    return json.dumps(redacted_record_data(record, redactor), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_jsonl(records: Iterable[Record], out: BinaryIO, options: ExportOptions | None = None) -> int:
    """JSON Lines: one ``Record`` per line, valid against ``schemas/json/record.schema.json``."""
    count = 0
    for record in records:
        out.write(jsonl_line(record, options) + b"\n")
        count += 1
    return count


# -- TEI corpus ------------------------------------------------------------------------------
def _id_prefix(record_id: str) -> str:
    # Record ids may start with a digit, which an xml:id (an NCName) may not.
    return (record_id if record_id[0].isalpha() else f"r{record_id}") + "."


def corpus_member(record: Record, tei: bytes, redactor: Redactor | None = None) -> etree._Element:
    """A stored record's ``<TEI>``, made fit to sit beside others in one ``teiCorpus``.

    Every xml:id gets the record id as prefix (and every ``#id`` pointer with it), since
    ids must be unique in the whole corpus file; withheld fields are removed from the
    header and their text masked throughout, transcript included.
    """
    redactor = redactor or Redactor(record)
    root = etree.fromstring(tei, parser=safe_parser(remove_blank_text=True))
    if root.tag != f"{{{TEI_NS}}}TEI":
        raise ExportError(f"record {record.id}: stored TEI has root {root.tag!r}, not TEI")
    for field in sorted(redactor.fields):
        xpath = TEI_RESTRICTED_XPATHS.get(field)
        for element in root.xpath(xpath, namespaces=TEI_NSMAP) if xpath else []:
            element.getparent().remove(element)
    # subjects and topics share textClass: with both withheld, no empty shell is left behind
    for empty in root.xpath("//t:profileDesc/t:textClass[not(*)]", namespaces=TEI_NSMAP):
        empty.getparent().remove(empty)
    prefix = _id_prefix(record.id)
    ids = {element.get(XML_ID) for element in root.iter() if element.get(XML_ID)}
    new_id = {old: prefix + redactor.participant_ids.get(old, old) for old in ids}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions carry no ids
        if element.get(XML_ID):
            element.set(XML_ID, new_id[element.get(XML_ID)])
        for attribute, value in element.attrib.items():
            # Any attribute may hold "#id" pointers (source, resp, who, synch, since...).
            if "#" in value and attribute != XML_ID:
                tokens = value.split()
                element.set(attribute, " ".join(f"#{new_id[t[1:]]}" if t.startswith("#") and t[1:] in new_id else t for t in tokens))
        if redactor.fields:
            if element.text:
                element.text = redactor.mask(element.text)
            if element.tail:
                element.tail = redactor.mask(element.tail)
    root.set("n", record.id)
    return root


def _corpus_header() -> etree._Element:
    try:
        version = metadata.version("oral-archive")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        version = "unknown"
    now = _utc(datetime.now(timezone.utc))
    return TEI.teiHeader(
        TEI.fileDesc(
            TEI.titleStmt(TEI.title("Oral-history interviews exported from an oral-archive archive")),
            TEI.publicationStmt(TEI.authority(f"exported by oral-archive {version}"), TEI.date({"when": now}, now)),
            TEI.sourceDesc(TEI.p("The selected records of the archive: each TEI element is one record's stored TEI.")),
        )
    )


def write_tei_corpus(records: Iterable[Record], out: BinaryIO, options: ExportOptions | None = None) -> int:
    """One TEI P5 ``<teiCorpus>`` holding each selected record's stored TEI."""
    options = options or ExportOptions()
    if options.tei is None:
        raise ExportError("tei-corpus export needs the stored TEI of each record (use Archive.export)")
    first, records = _peek(records)
    if first is None:
        # teiCorpus requires at least one TEI: refuse rather than write an invalid file.
        raise ExportError("no records to export: a teiCorpus must hold at least one TEI record")
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{TEI_NS}}}teiCorpus", nsmap={None: TEI_NS}):
            xf.write("\n", _corpus_header(), "\n", pretty_print=True)
            for record in records:
                member = corpus_member(record, options.tei(record), Redactor(record, options.include_restricted))
                xf.write(member, pretty_print=True)
                count += 1
    return count


Exporter = Callable[[Iterable[Record], BinaryIO, ExportOptions], int]
EXPORTERS: dict[str, Exporter] = {
    "oai_dc": write_oai_dc,
    "mods": write_mods,
    "csv": write_csv,
    "jsonl": write_jsonl,
    "tei-corpus": write_tei_corpus,
}


def exporter_for(fmt: str) -> Exporter:
    """The exporter of a format name; ``ExportError`` naming the choices if unknown."""
    try:
        return EXPORTERS[fmt]
    except KeyError:
        raise ExportError(f"unknown export format {fmt!r}; choose from {', '.join(EXPORTERS)}") from None


@contextmanager
def atomic_output(path: Path) -> Iterator[BinaryIO]:
    """A binary file that replaces ``path`` only when the block succeeds.

    The export streams into a temporary file beside ``path`` and is renamed over it at
    the end, so a reader never sees half an export and a failed one leaves no debris.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        handle = open(temporary, "xb")
    except OSError as error:
        raise ExportError(f"{path}: cannot write: {error.strerror or error}") from None
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ExportError(f"{path}: cannot write: {error.strerror or error}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
