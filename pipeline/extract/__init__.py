"""Stage ``extract``: metadata the text states, each value with its evidence.

One module per field, each with its own rules (a rule is a named pattern over sentences
or lines of the structured document); ``extract`` below composes them in one place.
A value is kept only when a rule finds it in the text (no guessing), and it carries the
segment id, the character span, the sentence, the rule id and a confidence.

    title.py  subjects.py  source_url.py  names.py  occupation.py  organization.py
    place.py  tenure.py  dates.py  language.py  rights.py      (common.py: sentences, lines, fields)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oral_archive.schemas.record import Evidence, Fact, Person

from ..document import Decision, Document
from ..topics import extract_topics
from .common import BlockTexts, document_fields, split_sentences
from .dates import extract_interview_date
from .language import LANGUAGE_NAMES, identify_language, language_tag
from .names import (
    extract_interviewee_name,
    extract_interviewer_names,
    interviewer_evidence,
    speaker_label_name,
)
from .occupation import extract_occupation
from .organization import extract_organization
from .place import extract_place
from .rights import extract_rights
from .source_url import extract_source_url, site_of
from .subjects import extract_subjects
from .tenure import extract_tenure
from .title import extract_title


@dataclass
class Metadata:
    """What the text says about itself, with evidence; ``people`` are the participants."""

    title: Fact | None = None
    subjects: list[Fact] = field(default_factory=list)
    topics: list[Fact] = field(default_factory=list)
    source_url: Fact | None = None
    people: list[Person] = field(default_factory=list)
    interview_date: Fact | None = None
    language: str = "en"
    rights: Fact | None = None
    collection: Fact | None = None
    restricted: list[str] = field(default_factory=list)  # fields withheld from exports (manifest)
    # what a later stage (the manifest) changed, for the TEI revision history
    decisions: list[Decision] = field(default_factory=list)


def extract(document: Document) -> Metadata:
    """Stage 4: title, subjects, source URL, date, rights and the participants, each with evidence."""
    metadata = Metadata(
        title=extract_title(document),
        subjects=extract_subjects(document),
        source_url=extract_source_url(document),
        interview_date=extract_interview_date(document),
        rights=extract_rights(document),
    )
    # the blocks' texts one at a time: joining them would copy the whole text again
    language, reason = identify_language(BlockTexts(document.blocks))
    stated = next((f for f in document_fields(document) if f.kind == "language" and f.value.lower().rstrip(".") in LANGUAGE_NAMES), None)
    if stated is not None:
        language, reason = LANGUAGE_NAMES[stated.value.lower().rstrip(".")], f"stated: {stated.line.text.strip()!r} ({stated.line.block.id})"
    declared = language_tag(document.stated_language[0]) if document.stated_language else None
    if declared is not None:
        language, reason = declared, f"declared by the file: {document.stated_language[1]}"
    metadata.language = language
    metadata.decisions.append(Decision("extract", f"language {language}: {reason}"))
    metadata.topics = extract_topics(document, language.split("-")[0])
    # "by J.T. Curry and P.D. Lagerquist": each interviewer named is a participant of their own
    interviewer_names = extract_interviewer_names(document)
    if document.form == "transcript":
        interviewee_ids = {s.id for s in document.speakers if s.role == "interviewee"}
        interviewee_blocks = [b for b in document.blocks if b.who in interviewee_ids]
        label = next((s.label for s in document.speakers if s.role == "interviewee"), None)
        interviewee_name = extract_interviewee_name(document, label)
        for speaker in document.speakers:
            first = next(b for b in document.blocks if b.who == speaker.id)
            person = Person(
                id=speaker.id,
                role=speaker.role,
                label=speaker.label,
                evidence=Evidence(segment=first.id, start=0, end=min(len(first.text), 1) or 0, text=first.text[:200] or speaker.label, rule=speaker.rule, confidence=0.7),
            )
            if speaker.role == "interviewee":
                organization = extract_organization(document, interviewee_blocks)
                person.name = interviewee_name
                person.occupation = extract_occupation(document, interviewee_blocks)
                person.organization = organization
                person.place = extract_place(document, organization, person.occupation, interviewee_blocks)
                person.tenure = extract_tenure(document, interviewee_blocks, interviewee_name)
            elif speaker.role == "interviewer":
                person.name = _interviewer_of_label(speaker.label, interviewer_names) or speaker_label_name(document, speaker.label, "interviewer.speaker-label")
            metadata.people.append(person)
        # interviewers the text names who speak under no label of theirs ("by A and B", one "Q:")
        named = {p.name.value for p in metadata.people if p.role == "interviewer" and p.name}
        taken = {p.id for p in metadata.people}
        for name in interviewer_names:
            if name.value not in named:
                metadata.people.append(Person(id=_free_id("interviewer", taken), role="interviewer", name=name, evidence=name.evidence))
        return metadata

    organization = extract_organization(document, [])
    name = extract_interviewee_name(document, None)
    occupation = extract_occupation(document, [], name)
    interviewee = Person(
        id="interviewee",
        role="interviewee",
        name=name,
        occupation=occupation,
        organization=organization,
        place=extract_place(document, organization, occupation),
        tenure=extract_tenure(document, [], name),
    )
    quoted = any(getattr(i, "who", None) == "interviewee" for b in document.blocks for i in b.inlines)
    if quoted or any(getattr(interviewee, f) for f in ("name", "occupation", "organization", "place", "tenure")):
        metadata.people.append(interviewee)
    evidence = interviewer_evidence(document)
    quoted_interviewer = any(getattr(i, "who", None) == "interviewer" for b in document.blocks for i in b.inlines)
    if interviewer_names:
        # the first keeps the id "interviewer" (quotes attributed to the interviewer point at it)
        taken = {p.id for p in metadata.people}
        for name in interviewer_names:
            metadata.people.append(Person(id=_free_id("interviewer", taken), role="interviewer", name=name, evidence=evidence))
    elif evidence or quoted_interviewer:
        metadata.people.append(Person(id="interviewer", role="interviewer", evidence=evidence))
    return metadata


def _interviewer_of_label(label: str, names: list[Fact]) -> Fact | None:
    """The named interviewer who speaks under ``label``: the only one named, or the one whose
    name or surname the label is ("CURRY:" of "J.T. Curry and P.D. Lagerquist")."""
    if len(names) == 1:
        return names[0]
    wanted = label.strip().casefold()
    return next((n for n in names if wanted in (n.value.casefold(), n.value.split()[-1].casefold())), None)


def _free_id(base: str, taken: set[str]) -> str:
    """``base``, else ``base-2``, ``base-3``, ...: an id no other participant has (recorded as taken)."""
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


__all__ = ["Metadata", "extract", "identify_language", "site_of", "split_sentences"]
