"""A record as the documents of the two indexes.

Owns: ``index_document`` (one ``records`` document per record) and ``speaker_documents``
(one ``speakers`` document per participant who speaks), and how record values become
field values (dates, tenure in years, facet values, stored segments).
Must not: open, write or query an index (``writer`` adds these documents).
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic_core import to_json

from oral_archive.schemas.record import Record

from .schema import _FOLD, JoinedText


def _years(normalized: str | None) -> float | None:
    """Years of an ISO 8601 duration (P8Y, P1Y6M); a bare start year is not a duration."""
    if not normalized:
        return None
    match = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?", normalized)
    if match:
        years, months, days = (int(g or 0) for g in match.groups())
        return round(years + months / 12 + days / 365.25, 2)
    return None


def _facet_value(value: str | None) -> str:
    # Newlines separate facet values in the field, so one value must not contain any.
    return " ".join((value or "").split())


def _parse_date(normalized: str | None) -> datetime | None:
    """An interview date in ISO form (2019, 2019-05, 2019-05-03...) as a datetime, else None."""
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", normalized or "")
    if not match:
        return None
    try:
        return datetime(int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1))
    except ValueError:
        return None


def _speaker_keys(person) -> str:
    """What ``--speaker`` may match for this participant: id, label, name and role."""
    return " ".join(v for v in (person.id, person.label, person.name.value if person.name else None, person.role) if v)


def _metadata_document(record: Record) -> dict:
    interviewee = record.person("interviewee")
    document = {
        "id": record.id,
        "version": record.version,
        "title": record.display_title,
        "title_sort": record.display_title.translate(_FOLD).lower().encode("utf-8"),
        "name": " ".join(p.name.value for p in record.participants if p.name),
        "subject": " ".join(s.value for s in record.subjects),
        "topic": "\n".join(t.value for t in record.topics),
        "subject_facet": "\n".join(filter(None, (_facet_value(s.value) for s in record.subjects))),
        "ingested": record.ingested_at.replace(tzinfo=None),
        "source_url": record.source.url or "",
        "site": record.source.site or "",
        "format": record.source.media_type,
    }
    if interviewee:
        for name in ("occupation", "organization", "place"):
            fact = getattr(interviewee, name)
            if fact:
                key = "role" if name == "occupation" else name
                document[key] = fact.value
                document[f"{key}_facet"] = _facet_value(fact.value)
        years = _years(interviewee.tenure.normalized) if interviewee.tenure else None
        if years is not None:
            document["tenure_years"] = years
    interview_date = _parse_date(record.interview_date.normalized) if record.interview_date else None
    document["date_sort"] = int(interview_date.strftime("%Y%m%d")) if interview_date else 0
    if interview_date:
        document["date"] = interview_date
    return document


def _segments_json(segments) -> bytes:
    """[[id, kind, who, start, text], ...] as UTF-8 JSON, made as bytes: as a str, one
    emoji in a long transcript makes it four bytes a character."""
    return to_json([[s.id, s.kind, s.who, s.start, s.text] for s in segments])


def public_view(record: Record) -> Record:
    """The record as the index may hold it: restricted fields withheld and their text masked,
    exactly as an export shows it, so that no search, facet or snippet discloses them."""
    if not record.restricted:
        return record
    from ..export import Redactor, redacted_record_data  # only records with restrictions pay the import

    return Record.model_validate(redacted_record_data(record, Redactor(record)))


def index_document(record: Record) -> dict:
    """The ``records`` index document for one record (its public view)."""
    record = public_view(record)
    speaking = {s.who for s in record.segments if s.who}
    document = _metadata_document(record)
    text = JoinedText([s.text for s in record.segments])  # indexed as ``record.full_text``, never joined
    document.update(
        content=text,
        content_pairs=text,  # the same object: WordPairs reuses the content field's analysis
        speaker=" ".join(_speaker_keys(p) for p in record.participants if p.id in speaking),
        segments=_segments_json(record.segments),
    )
    return document


def speaker_documents(record: Record) -> list[dict]:
    """One ``speakers`` index document per participant with at least one utterance."""
    record = public_view(record)
    documents = []
    metadata = _metadata_document(record)
    for person in record.participants:
        said = [s for s in record.segments if s.who == person.id]
        if not said:
            continue
        document = dict(metadata)
        said_text = JoinedText([s.text for s in said])
        document.update(
            participant=person.id,
            speaker_name=(person.name.value if person.name else None) or person.label or person.id,
            speaker=_speaker_keys(person),
            content=said_text,
            content_pairs=said_text,  # the same object, as above
        )
        documents.append(document)
    return documents
