"""What the reading room may show of a record: restricted fields withheld, everywhere.

The archive's exporters already know how to withhold a restricted field (``Redactor``
in ``archive/export.py``: left out where it is a field of its own, masked as
``[restricted]`` in free text). The reading room reuses them for every page, API answer
and download, so a value withheld from an export is withheld from the browser too.

A field restricted in any version of a record is withheld in all its versions: an
archivist who restricts a name today means the earlier versions too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from oral_archive.archive.core import Archive
from oral_archive.archive.export import RESTRICTED_MARK, Redactor, redacted_record_data
from oral_archive.archive.search import Hit, Snippet
from oral_archive.schemas.record import Person, Record

MARKED = re.compile(r"<mark>(.*?)</mark>", re.DOTALL)


@dataclass(frozen=True)
class PublicRecord:
    """One record version as the reading room shows it."""

    record: Record  # withheld fields removed, their text masked (a valid Record)
    stored: Record  # as stored, with ``restricted`` widened to every version's: never shown
    redactor: Redactor
    versions: list[Record]  # every stored version, oldest first, for the version list


def restricted_fields(versions: list[Record]) -> list[str]:
    """The fields restricted in any of these versions (sorted, for a stable redactor)."""
    return sorted({field for version in versions for field in version.restricted})


def load_public(archive: Archive, record_id: str, version: int | None = None) -> PublicRecord:
    """Load a record version and its public form; ``RecordNotFound`` for an unknown id or version."""
    versions = archive.history(record_id)
    if version is None:
        chosen = versions[-1]
    else:
        chosen = next((v for v in versions if v.version == version), None)
        if chosen is None:
            # Same error the store raises, so the page says the same thing for both.
            chosen = archive.get(record_id, version)
    stored = chosen.model_copy(update={"restricted": restricted_fields(versions)})
    redactor = Redactor(stored)
    public = stored
    if redactor.fields:
        data = redacted_record_data(stored, redactor)
        # Stricter than the exporters: a file name often spells the interviewee's name
        # ("hale-interview.txt"), and the page shows it as text.
        data["source"]["filename"] = redactor.mask(data["source"]["filename"])
        public = Record.model_validate(data)
    return PublicRecord(record=public, stored=stored, redactor=redactor, versions=versions)


def redactor_for(versions: list[Record], record: Record) -> Redactor:
    """The redactor of ``record`` with every version's restrictions applied."""
    return Redactor(record.model_copy(update={"restricted": restricted_fields(versions)}))


def speaker_name(person: Person, people: list[Person]) -> str:
    """How a participant is named on a page: name, else transcript label, else role (numbered if several)."""
    if person.name is not None:
        return person.name.value
    if person.label and RESTRICTED_MARK not in person.label:
        return person.label
    same_role = [p for p in people if p.role == person.role]
    number = f" {same_role.index(person) + 1}" if len(same_role) > 1 else ""
    return person.role.capitalize() + number


def speaker_names(record: Record) -> dict[str, str]:
    """Participant id -> display name, for a public record."""
    return {p.id: speaker_name(p, record.participants) for p in record.participants}


def snippet_parts(text: str) -> list[tuple[str, bool]]:
    """A snippet's ``<mark>`` markup as (text, marked) parts, so templates escape every character.

    The index gives the segment's plain text with the matches wrapped in ``<mark>``; the
    rest is not HTML-escaped (``<script>`` in a transcript arrives as typed).
    """
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in MARKED.finditer(text):
        if match.start() > position:
            parts.append((text[position:match.start()], False))
        parts.append((match.group(1), True))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], False))
    return parts


def marked_words(text: str) -> list[str]:
    """The distinct words a snippet marks, in order (what the record page should mark)."""
    return list(dict.fromkeys(match.group(1) for match in MARKED.finditer(text)))


def _mask_snippet(text: str, redactor: Redactor) -> str:
    """A snippet with withheld text masked; marks kept on the words that remain.

    Masking runs on the plain text, so a withheld name split by a mark ("John
    <mark>Brown</mark>") is still found; the marked words are then marked again.
    """
    plain = MARKED.sub(lambda m: m.group(1), text)
    masked = redactor.mask(plain)
    if masked == plain:
        return text
    words = [w for w in marked_words(text) if w and RESTRICTED_MARK not in w]
    if not words:
        return masked
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?!\w)")
    return pattern.sub(r"<mark>\1</mark>", masked)


def public_hit(hit: Hit, record: PublicRecord) -> Hit:
    """A search hit with the record's withheld text masked (title, snippets, speaker)."""
    redactor = record.redactor
    if not redactor.fields:
        return hit
    rename = redactor.participant_ids
    names = speaker_names(record.record)
    speaker = rename.get(hit.speaker, hit.speaker) if hit.speaker else None
    return replace(
        hit,
        title=redactor.mask(hit.title),
        date=None if redactor.hides("interview_date") else hit.date,
        speaker=speaker,
        speaker_name=names.get(speaker) if speaker else None,
        snippets=[
            Snippet(
                segment=s.segment, kind=s.kind, who=rename.get(s.who, s.who) if s.who else None,
                start=s.start, text=_mask_snippet(s.text, redactor),
            )
            for s in hit.snippets
        ],
    )
