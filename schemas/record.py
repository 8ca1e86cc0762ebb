"""The archive record: what one ingested interview is, independent of how it was made.

``record.json`` in the store is ``Record.model_dump_json()``; the TEI file carries the
same facts as XML. Every value the pipeline extracted from the text is a ``Fact`` with
its ``Evidence`` (where in the text, which rule, how sure), so an archivist can check it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_VERSION = 1

RECORD_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,94}[a-z0-9]$"
XML_ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.-]*$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
# ISO 8601 durations the pipeline produces (years, months, days), e.g. P8Y, P1Y6M.
DURATION_PATTERN = r"^P(?=\d)(\d+Y)?(\d+M)?(\d+D)?$"
TIMESTAMP_PATTERN = r"^\d{1,2}:\d{2}(:\d{2}(\.\d{1,3})?)?$"

ParticipantRole = Literal["interviewee", "interviewer", "speaker"]

# Fields an archivist may mark restricted (``Record.restricted``): exports withhold them
# unless asked to include them. Participant fields apply to every participant.
# A Literal (not free text) so a misspelt name is rejected instead of silently exported,
# and so the generated JSON Schema lists the allowed names.
RestrictableField = Literal[
    "subjects", "topics", "interview_date", "rights", "collection",
    "source.url", "source.site", "source.filename",
    "participants.name", "participants.label", "participants.occupation",
    "participants.organization", "participants.place", "participants.tenure",
]
RESTRICTABLE_FIELDS: frozenset[str] = frozenset(get_args(RestrictableField))


def _first_positions(field: str, ids: list[str]) -> dict[str, int]:
    """id -> its position in ``ids``; a ``ValueError`` naming ``field[i].id`` for a repeated id.

    One dictionary for the whole list: a record of a long transcript has tens of thousands
    of segments, and looking each id up among the ones before it was quadratic.
    """
    positions: dict[str, int] = {}
    for i, ident in enumerate(ids):
        earlier = positions.setdefault(ident, i)
        if earlier != i:
            raise ValueError(f"{field}[{i}].id: {ident!r} is already the id of {field}[{earlier}]")
    return positions


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


class Evidence(_Model):
    """Where a value was found: a segment of the body, a span in it, and the rule."""

    segment: str = Field(pattern=XML_ID_PATTERN, description="xml:id of the paragraph/utterance")
    start: int = Field(ge=0, description="character offset of the span in the segment's text")
    end: int = Field(ge=0)
    text: str = Field(min_length=1, description="the sentence the value came from")
    rule: str = Field(pattern=r"^[a-z][a-z0-9_.-]*$", description="id of the rule that fired")
    confidence: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _span_is_ordered(self) -> "Evidence":
        if self.end < self.start:
            raise ValueError(f"evidence span ends ({self.end}) before it starts ({self.start})")
        return self


class Fact(_Model):
    """One metadata value and where it came from (the text, or an archivist)."""

    value: str = Field(min_length=1)
    normalized: str | None = Field(
        default=None, description="machine-readable form, e.g. ISO 8601 duration P8Y"
    )
    origin: Literal["extracted", "supplied"] = "extracted"
    evidence: Evidence | None = None
    supplied_by: str | None = Field(default=None, description="e.g. 'manifest.csv row 3'")
    replaces: "Fact | None" = Field(
        default=None, description="the extracted value an archivist-supplied one overrides"
    )

    @model_validator(mode="after")
    def _origin_has_provenance(self) -> "Fact":
        if self.origin == "extracted" and self.evidence is None:
            raise ValueError("an extracted value needs evidence")
        if self.origin == "supplied" and not self.supplied_by:
            raise ValueError("a supplied value needs supplied_by")
        return self

    @property
    def confidence(self) -> float:
        return self.evidence.confidence if self.evidence else 1.0


class Person(_Model):
    """A participant: interviewee, interviewer, or another speaker of a transcript."""

    id: str = Field(pattern=XML_ID_PATTERN)
    role: ParticipantRole
    name: Fact | None = None
    label: str | None = Field(default=None, description="speaker label used in the transcript")
    occupation: Fact | None = None
    organization: Fact | None = None
    place: Fact | None = None
    tenure: Fact | None = None
    evidence: Evidence | None = Field(
        default=None, description="why we know this person took part (e.g. 'I interviewed')"
    )

    @field_validator("tenure")
    @classmethod
    def _tenure_is_iso(cls, tenure: Fact | None) -> Fact | None:
        if tenure is None:
            return tenure
        norm = tenure.normalized or ""
        if not (re.match(DURATION_PATTERN, norm) or re.match(r"^\d{4}$", norm)):
            raise ValueError(
                f"tenure {tenure.value!r} needs a normalized ISO 8601 duration (P8Y) "
                f"or a start year, got {norm!r}"
            )
        return tenure


class Source(_Model):
    """The original file as received, and where it says it came from."""

    filename: str = Field(min_length=1)
    media_type: str = Field(pattern=r"^[a-z]+/[a-z0-9.+-]+$")
    sha256: str = Field(pattern=SHA256_PATTERN)
    size: int = Field(ge=0)
    encoding: str = Field(min_length=1, description="encoding the bytes were decoded from")
    url: str | None = Field(default=None, pattern=r"^https?://[^\s<>\"]+$")
    site: str | None = None
    url_evidence: Evidence | None = None


class Segment(_Model):
    """A heading (``head``), paragraph (``p``) or utterance (``u``) of the body, as plain text."""

    id: str = Field(pattern=XML_ID_PATTERN)
    kind: Literal["head", "p", "u"]
    who: str | None = Field(default=None, pattern=XML_ID_PATTERN)
    start: str | None = Field(default=None, pattern=TIMESTAMP_PATTERN)
    text: str


class Change(_Model):
    """One entry of the revision history: a pipeline step that changed something."""

    when: datetime
    step: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    description: str = Field(min_length=1)
    by: str | None = Field(default=None, description="who made the change, when a person did (an archivist's edit); None for pipeline steps")


class Relation(_Model):
    """Another record this one is related to; today only "same text as" (a near-duplicate
    found by comparing the two texts, ``archive.duplicates``), with the estimated similarity."""

    kind: Literal["same-text-as"] = "same-text-as"
    record: str = Field(pattern=RECORD_ID_PATTERN, description="id of the other record")
    similarity: float = Field(ge=0.0, le=1.0, description="estimated Jaccard similarity of the two texts' word shingles")
    found: datetime = Field(description="when the match was found")


class Record(_Model):
    """An archive record: one version of one interview."""

    schema_version: Literal[1] = SCHEMA_VERSION
    id: str = Field(pattern=RECORD_ID_PATTERN)
    version: int = Field(ge=1)
    title: Fact | None = Field(
        default=None,
        description="the title the text states; null when it states none (display_title is then devised from the file name)",
    )
    subjects: list[Fact] = Field(default_factory=list)
    topics: list[Fact] = Field(
        default_factory=list,
        description="terms the text itself dwells on (rule topic.distinctive-term), not a controlled vocabulary",
    )
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")
    interview_date: Fact | None = None
    rights: Fact | None = None
    collection: Fact | None = None
    source: Source
    ingested_at: datetime
    tool: str = "oral-archive"
    tool_version: str
    participants: list[Person] = Field(default_factory=list)
    segments: list[Segment] = Field(min_length=1)
    changes: list[Change] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list, description="other records of the same text (near-duplicates)")
    signature: str | None = Field(
        default=None,
        # archive.duplicates.SIGNATURE_TEXT_PATTERN (the schemas layer imports nothing above it)
        pattern=r"^mh1-affine32-1-128:[A-Za-z0-9+/]{683}=$",
        description="MinHash signature of the body text's word shingles (archive.duplicates), for finding copies of the same text",
    )
    restricted: list[RestrictableField] = Field(
        default_factory=list,
        description="fields withheld from exports unless explicitly included, e.g. 'participants.name'",
    )

    @model_validator(mode="after")
    def _references_resolve(self) -> "Record":
        # Each message starts with the field path ("segments[3].who: ...") so that the
        # validation report can name the exact field, as it does for single-field errors.
        known_people = _first_positions("participants", [p.id for p in self.participants])
        known_segments = _first_positions("segments", [s.id for s in self.segments])
        for i, segment in enumerate(self.segments):
            if segment.who and segment.who not in known_people:
                raise ValueError(f"segments[{i}].who: names speaker {segment.who!r}, who is not a participant")
        for fact_path, evidence in self.evidence_items():
            if evidence.segment not in known_segments:
                raise ValueError(f"{fact_path}.segment: evidence points to missing segment {evidence.segment!r}")
        return self

    # -- convenience -----------------------------------------------------------------
    def evidence_items(self) -> list[tuple[str, Evidence]]:
        """Every (field path, evidence) pair in the record, for cross-checks and display."""
        items: list[tuple[str, Evidence]] = []

        def add(path: str, fact: Fact | None) -> None:
            while fact is not None:
                if fact.evidence is not None:
                    items.append((path, fact.evidence))
                fact, path = fact.replaces, f"{path}.replaces"

        add("title", self.title)
        for i, subject in enumerate(self.subjects):
            add(f"subjects[{i}]", subject)
        for i, topic in enumerate(self.topics):
            add(f"topics[{i}]", topic)
        add("interview_date", self.interview_date)
        add("rights", self.rights)
        add("collection", self.collection)
        if self.source.url_evidence:
            items.append(("source.url", self.source.url_evidence))
        for i, person in enumerate(self.participants):
            base = f"participants[{i}]"
            if person.evidence:
                items.append((f"{base}.evidence", person.evidence))
            for name in ("name", "occupation", "organization", "place", "tenure"):
                add(f"{base}.{name}", getattr(person, name))
        return items

    def facts(self) -> list[tuple[str, Fact]]:
        """Every metadata value with its field path, in reading order ("title",
        "subjects[0]", "interviewee.occupation", "interviewer[interviewer-2].name")."""
        facts: list[tuple[str, Fact | None]] = [("title", self.title)]
        facts += [(f"subjects[{i}]", s) for i, s in enumerate(self.subjects)]
        facts += [(f"topics[{i}]", t) for i, t in enumerate(self.topics)]
        facts += [("interview_date", self.interview_date), ("rights", self.rights), ("collection", self.collection)]
        for person in self.participants:
            who = person.role if person.id == person.role else f"{person.role}[{person.id}]"
            for name in ("name", "occupation", "organization", "place", "tenure"):
                facts.append((f"{who}.{name}", getattr(person, name)))
        return [(path, fact) for path, fact in facts if fact is not None]

    @property
    def stated_title(self) -> str | None:
        """The title the text states (before any archivist-supplied replacement), if any."""
        title: Fact | None = self.title
        while title is not None and title.origin == "supplied":
            title = title.replaces
        return title.value if title else None

    @property
    def display_title(self) -> str:
        """The title to show: the record's own, or a devised one in brackets naming the file
        (archival practice for an untitled item, so it is never mistaken for the text's)."""
        return self.title.value if self.title else f"[Untitled: {self.source.filename}]"

    def person(self, role: ParticipantRole) -> Person | None:
        """The first participant with this role, if any."""
        return next((p for p in self.participants if p.role == role), None)

    @property
    def full_text(self) -> str:
        return "\n\n".join(s.text for s in self.segments)


Fact.model_rebuild()
