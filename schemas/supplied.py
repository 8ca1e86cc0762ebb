"""Values an archivist supplies: what they may set, how each is checked, how it is applied.

One vocabulary for every way an archivist describes a record: a manifest row at ingest
(``pipeline.manifest``), ``oral-archive edit --set field=value`` and ``edit --manifest``
on stored records (``archive.curation``). A supplied value wins over what the pipeline
extracted, and the record keeps both: ``Fact.origin="supplied"``, ``supplied_by``, and
``replaces`` = the value it overrides (an extracted fact with its evidence, or an earlier
supplied one), so nothing the text said is ever lost.

It sits with the record model (the bottom layer) because both the pipeline and the
archive apply these values: one to extracted metadata before a record exists, the other
to a stored record.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, field_validator

from .record import DURATION_PATTERN, RESTRICTABLE_FIELDS, Fact, Person

# Header spellings archivists use for the same field; anything else is an unknown field.
ALIASES = {
    "filename": "file", "file_name": "file", "path": "file",
    "interviewee_name": "interviewee", "narrator": "interviewee",
    "interviewer_name": "interviewer", "interviewers": "interviewer",
    "occupation": "role",
    "interview_date": "date",
    "subject": "subjects", "keywords": "subjects",
    "restriction": "restrictions",
    "record": "id", "record_id": "id",
    "url": "source_url",
}
# Characters no value may hold: C0/C1 controls but tab and newline (a rights statement may
# have paragraphs), lone surrogates, and the non-characters XML forbids.
NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
SHORT_VALUE = 1_000
LONG_VALUE = 20_000
# Several subjects (or people) in one cell: "Police; Texas" or "Police | Texas".
LIST_SEPARATOR = re.compile(r"\s*[;|]\s*")


def field_name(name: Any) -> str:
    """The field a column header or ``--set`` name means ("Interview Date" -> "date")."""
    key = re.sub(r"[\s-]+", "_", str(name).strip().lower())
    return ALIASES.get(key, key)


def parse_iso_date(value: str) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a real calendar date); raises ValueError otherwise."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not match:
        raise ValueError(f"{value!r} is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        raise ValueError(f"{value!r} is not a calendar date ({error})") from None
    return value


def _split(value: Any) -> Any:
    if isinstance(value, str):
        return [part for part in LIST_SEPARATOR.split(value.strip()) if part]
    return value


class SuppliedValues(BaseModel):
    """The fields an archivist may supply; an unknown field is rejected (``extra=forbid``).

    ``interviewee`` and ``interviewer`` may name several people ("A; B"): each becomes a
    participant of their own. ``subjects`` replaces the subject list as a whole.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = None
    interviewee: list[str] | None = None
    interviewer: list[str] | None = None
    role: str | None = None
    organization: str | None = None
    place: str | None = None
    tenure: str | None = None
    date: str | None = None
    rights: str | None = None
    restrictions: str | None = None
    subjects: list[str] | None = None
    collection: str | None = None
    language: str | None = None
    restricted: list[str] | None = None

    @field_validator("*")
    @classmethod
    def _printable(cls, value: Any, info) -> Any:
        # XML cannot hold most control characters, and none belongs in a catalogue value;
        # a value longer than any real one is a pasting accident.
        limit = LONG_VALUE if info.field_name in ("rights", "restrictions") else SHORT_VALUE
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str):
                continue
            bad = NOT_PRINTABLE.search(item)
            if bad:
                raise ValueError(f"contains the control character U+{ord(bad.group()):04X}; a value must be printable text")
            if len(item) > limit:
                raise ValueError(f"is {len(item):,} characters long; at most {limit:,} are allowed")
        return value

    @field_validator("restricted")
    @classmethod
    def _restrictable(cls, value: list[str] | None) -> list[str] | None:
        unknown = [v for v in value or [] if v not in RESTRICTABLE_FIELDS]
        if unknown:
            raise ValueError(f"cannot restrict {', '.join(map(repr, unknown))}; restrictable fields: {', '.join(sorted(RESTRICTABLE_FIELDS))}")
        return value

    @field_validator("tenure")
    @classmethod
    def _tenure_iso(cls, value: str | None) -> str | None:
        if value and not (re.match(DURATION_PATTERN, value) or re.fullmatch(r"\d{4}", value)):
            raise ValueError(f"{value!r} is not an ISO 8601 duration (P8Y, P1Y6M) or a start year (1998)")
        return value

    @field_validator("date")
    @classmethod
    def _date_iso(cls, value: str | None) -> str | None:
        if value:
            parse_iso_date(value)
        return value

    @field_validator("language")
    @classmethod
    def _language_tag(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", value):
            raise ValueError(f"{value!r} is not a language tag such as 'en' or 'es-MX'")
        return value

    @field_validator("subjects", "restricted", "interviewee", "interviewer", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        # A spreadsheet cell or --set value holds several items separated by ';' or '|';
        # JSON/YAML give a list.
        return _split(value)

    @field_validator("subjects", "interviewee", "interviewer")
    @classmethod
    def _no_empty_items(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            value = [v.strip() for v in value if v and v.strip()]
            if not value:
                raise ValueError("names nothing")
        return value

    @classmethod
    def settable(cls) -> list[str]:
        """Names of the fields an archivist can supply, in display order."""
        return list(SuppliedValues.model_fields)

    def given(self) -> dict[str, Any]:
        """The supplied fields only (what this row or command actually sets)."""
        return {name: getattr(self, name) for name in SuppliedValues.model_fields if getattr(self, name) is not None}


class Describable(Protocol):
    """What ``apply_supplied`` changes: extracted ``Metadata`` at ingest, or a stored ``Record``."""

    title: Fact | None
    subjects: list[Fact]
    interview_date: Fact | None
    rights: Fact | None
    collection: Fact | None
    language: str
    restricted: list[Any]


def _supplied(value: str, supplied_by: str, replaces: Fact | None, normalized: str | None = None) -> Fact:
    return Fact(value=value, normalized=normalized, origin="supplied", supplied_by=supplied_by, replaces=replaces)


def _same(fact: Fact | None, value: str) -> bool:
    return fact is not None and fact.value == value


def _people_with_role(people: list[Person], role: str) -> list[Person]:
    return [p for p in people if p.role == role]


def _new_person(people: list[Person], role: str) -> Person:
    """A participant the text did not reveal, with an id no other participant has."""
    taken = {p.id for p in people}
    person_id = role if role not in taken else next(f"{role}-{n}" for n in range(2, len(people) + 3) if f"{role}-{n}" not in taken)
    person = Person(id=person_id, role=role)  # type: ignore[arg-type]
    people.append(person)
    return person


def apply_supplied(target: Describable, people: list[Person], values: SuppliedValues, supplied_by: str) -> list[str]:
    """Set the supplied values on ``target`` (and its participants ``people``), in place.

    Returns one phrase per field that changed ("role 'registered nurse' (was 'nurse',
    extracted)"); a value equal to the current one changes nothing, so applying the same
    row twice is a no-op the caller can recognise (an empty list).
    """
    changed: list[str] = []

    def note(name: str, fact: Fact) -> None:
        before = fact.replaces
        was = f" (was {before.value!r}, {before.origin})" if before else ""
        changed.append(f"{name} {fact.value!r}{was}")

    def set_fact(name: str, attribute: str, value: str | None, normalized: str | None = None) -> None:
        current = getattr(target, attribute)
        if value and not _same(current, value):
            setattr(target, attribute, _supplied(value, supplied_by, current, normalized))
            note(name, getattr(target, attribute))

    set_fact("title", "title", values.title)
    set_fact("date", "interview_date", values.date, values.date)
    set_fact("rights", "rights", "; ".join(v for v in (values.rights, values.restrictions) if v) or None)
    set_fact("collection", "collection", values.collection)
    if values.language and values.language != target.language:
        changed.append(f"language {values.language!r} (was {target.language!r})")
        target.language = values.language
    if values.restricted is not None and sorted(values.restricted) != sorted(target.restricted):
        changed.append(f"restricted {sorted(values.restricted)!r} (was {sorted(target.restricted)!r})")
        target.restricted = list(values.restricted)
    if values.subjects is not None and [s.value for s in target.subjects] != values.subjects:
        current = {s.value.casefold(): s for s in target.subjects}
        target.subjects = [
            current.pop(s.casefold()) if _same(current.get(s.casefold()), s) and current[s.casefold()].origin == "supplied"
            else _supplied(s, supplied_by, current.pop(s.casefold(), None))
            for s in values.subjects
        ]
        dropped = f" (not kept: {', '.join(repr(s.value) for s in current.values())})" if current else ""
        changed.append(f"subjects {values.subjects!r}{dropped}")
    for role, names in (("interviewee", values.interviewee), ("interviewer", values.interviewer)):
        if not names:
            continue
        existing = _people_with_role(people, role)
        for position, name in enumerate(names):
            person = existing[position] if position < len(existing) else _new_person(people, role)
            if not _same(person.name, name):
                person.name = _supplied(name, supplied_by, person.name)
                note(role if len(names) == 1 else f"{role} {position + 1}", person.name)
    person_fields = (("role", "occupation"), ("organization", "organization"), ("place", "place"), ("tenure", "tenure"))
    for column, attribute in person_fields:
        value = getattr(values, column)
        if not value:
            continue
        interviewees = _people_with_role(people, "interviewee")
        person = interviewees[0] if interviewees else _new_person(people, "interviewee")
        current = getattr(person, attribute)
        if not _same(current, value):
            setattr(person, attribute, _supplied(value, supplied_by, current, value if column == "tenure" else None))
            note(column, getattr(person, attribute))
    return changed


def _carried(fact: Fact | None, current: Fact | None, normalized: bool = False) -> Fact | None:
    """``fact`` (an earlier version's) as supplied again over ``current``, if it was supplied
    and ``current`` is not (this ingest's own manifest row wins)."""
    if fact is None or fact.origin != "supplied" or (current is not None and current.origin == "supplied"):
        return None
    return Fact(value=fact.value, normalized=fact.normalized if normalized else None, origin="supplied", supplied_by=fact.supplied_by, replaces=current)


def carry_supplied(target: Describable, people: list[Person], previous: Any) -> list[str]:
    """Keep an archivist's values when a source's changed bytes make a new version.

    ``previous`` is the record's latest stored version (a ``Record``); every value an
    archivist supplied there (a manifest, ``oral-archive edit``) is supplied again over what
    the pipeline extracted from the new bytes, with its ``supplied_by``, unless this ingest
    supplies that field itself. Restrictions are kept too (a restriction is never lost by
    a new version). Returns one phrase per value carried.
    """
    carried: list[str] = []
    for name, attribute, normalized in (("title", "title", False), ("date", "interview_date", True), ("rights", "rights", False), ("collection", "collection", False)):
        fact = _carried(getattr(previous, attribute), getattr(target, attribute), normalized)
        if fact is not None:
            setattr(target, attribute, fact)
            carried.append(f"{name} {fact.value!r} ({fact.supplied_by})")
    if any(s.origin == "supplied" for s in previous.subjects) and not any(s.origin == "supplied" for s in target.subjects):
        current = {s.value.casefold(): s for s in target.subjects}
        target.subjects = [
            Fact(value=s.value, origin="supplied", supplied_by=s.supplied_by, replaces=current.get(s.value.casefold())) if s.origin == "supplied" else s
            for s in previous.subjects if s.origin == "supplied" or s.value.casefold() in current
        ]
        carried.append(f"subjects {[s.value for s in target.subjects]!r}")
    for role in ("interviewee", "interviewer"):
        earlier = _people_with_role(list(previous.participants), role)
        for position, person in enumerate(earlier):
            facts = {a: getattr(person, a) for a in ("name", "occupation", "organization", "place", "tenure")}
            if not any(f is not None and f.origin == "supplied" for f in facts.values()):
                continue
            now_people = _people_with_role(people, role)
            into = now_people[position] if position < len(now_people) else _new_person(people, role)
            for attribute, fact in facts.items():
                kept = _carried(fact, getattr(into, attribute), attribute == "tenure")
                if kept is not None:
                    setattr(into, attribute, kept)
                    carried.append(f"{role} {attribute} {kept.value!r} ({kept.supplied_by})")
    restricted = sorted(set(target.restricted) | set(previous.restricted))
    if restricted != sorted(target.restricted):
        carried.append(f"restricted {restricted!r}")
        target.restricted = restricted
    return carried
