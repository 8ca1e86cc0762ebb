"""Stage ``assemble``: document + metadata -> a pydantic ``Record`` (before TEI is built)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from oral_archive.schemas.identifiers import make_record_id, source_key
from oral_archive.schemas.record import Change, Fact, Record, Segment
from oral_archive.schemas.record import Source as SourceInfo

from .document import Block, Document
from .extract import Metadata, site_of


@dataclass(frozen=True)
class Context:
    """What the archive and the run contribute: when, which tool, earlier history."""

    now: datetime
    tool_version: str
    version: int = 1
    previous_changes: tuple[Change, ...] = ()
    previous_sha256: str | None = None
    record_id: str | None = None  # the existing record of this source, when there is one


# Restricting these keeps a person's name out of exports; an id made from a title such as
# "Oral History Interview with Clement R. Haskins" would still carry it into every export.


def stated_title(metadata: Metadata) -> str | None:
    """The title the text states; a title supplied in a manifest never moves a record."""
    title = metadata.title
    while title is not None and title.origin == "supplied":
        title = title.replaces
    return title.value if title else None


def _chain(fact: Fact | None) -> list[Fact]:
    """A fact and every value it replaces."""
    facts = []
    while fact is not None:
        facts.append(fact)
        fact = fact.replaces
    return facts


def record_id_for(document: Document, metadata: Metadata) -> str:
    url = metadata.source_url.value if metadata.source_url else None
    key = source_key(url, document.source.filename)
    # The id is the same whatever is restricted, now or later: it never holds a name.
    # The names the text gives (a manifest's names would make the id depend on the manifest,
    # and ingesting the same file without it must find the same record). Speaker labels are
    # left in: "Interviewer", "Q" or "Officer" are words of titles.
    names = [fact.value for p in metadata.people for fact in _chain(p.name) if fact.origin == "extracted"]
    return make_record_id(stated_title(metadata), key, names)


def assemble(document: Document, metadata: Metadata, context: Context) -> Record:
    source = document.source
    decoded = document.cleaned.decoded
    steps = decoded.decisions + document.cleaned.decisions + document.decisions + metadata.decisions
    changes = list(context.previous_changes)
    if context.version > 1:
        changes.append(Change(when=context.now, step="new-version", description=f"version {context.version} from changed source bytes (SHA-256 {source.sha256}; previous {context.previous_sha256})"))
    changes.append(Change(when=context.now, step="ingest", description=f"ingested {source.filename} (SHA-256 {source.sha256}) with oral-archive {context.tool_version}, version {context.version}"))
    changes += [Change(when=context.now, step=d.step, description=d.description) for d in steps]
    url = metadata.source_url.value if metadata.source_url else None
    return Record(
        id=context.record_id or record_id_for(document, metadata),
        version=context.version,
        title=metadata.title,
        subjects=metadata.subjects,
        topics=metadata.topics,
        interview_date=metadata.interview_date,
        language=metadata.language,
        rights=metadata.rights,
        collection=metadata.collection,
        restricted=metadata.restricted,
        source=SourceInfo(
            filename=source.filename,
            media_type=source.media_type,
            sha256=source.sha256,
            size=len(source.data),
            encoding=decoded.encoding,
            url=url,
            site=site_of(url) if url else None,
            url_evidence=metadata.source_url.evidence if metadata.source_url else None,
        ),
        ingested_at=context.now,
        tool_version=context.tool_version,
        participants=metadata.people,
        segments=[_segment(b) for b in document.blocks],
        changes=changes,
    )


def _segment(block: Block) -> Segment:
    """The record's segment for a block. ``who`` and ``start`` are given only when the block
    has them (the same segment: both default to None): pydantic keeps a set of the fields
    given for each model, and a set of five names takes over three times the memory of one
    of four. A long transcript has a segment for every turn."""
    values = {"id": block.id, "kind": block.kind, "text": block.text}
    if block.who is not None:
        values["who"] = block.who
    start = block.start
    if start is not None:
        values["start"] = start
    return Segment(**values)
