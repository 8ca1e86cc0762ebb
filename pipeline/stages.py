"""The ingestion pipeline in one place: each stage is a plain function, in order.

    bytes -read_source-> Source -decode-> DecodedText -clean-> CleanedText
          -structure-> Document -extract-> Metadata -manifest-> Metadata
          -assemble-> Record -build_tei-> TEI

then ``ingest.py`` validates each record (``validate_record``), stores a batch
(``Archive.add_validated``) and indexes it (``Archive.index_records``); ``Archive.add``
does the same for one record, for library callers holding ``Archive.writing()``.

``document_from`` hands the source to the reader of its format (``readers/``): plain
text and Markdown run decode -> clean -> structure as above; captions, DOCX and TEI
readers decode their container, then feed the same clean/structure rules.

``prepare`` runs every stage up to the finished TEI; a test can run any prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from oral_archive.archive.core import Archive
from oral_archive.schemas.errors import SourceError
from oral_archive.schemas.identifiers import source_key
from oral_archive.schemas.record import Record
from oral_archive.schemas.supplied import carry_supplied

from .assemble import Context, assemble, record_id_for, stated_title
from .decode import read_source
from .document import Decision, Document, Source
from .extract import Metadata, extract
from .manifest import SuppliedRow, apply_manifest
from .memory import RELEASE_AFTER_BYTES, release_freed_memory
from .readers import read_document
from .tei import build_tei, tei_bytes
from .version import tool_version

STAGES = ("read_source", "decode", "clean", "structure", "extract", "manifest", "assemble", "build_tei", "validate", "store", "index")


@dataclass
class Prepared:
    """A source carried through every stage before storage.

    The document keeps its blocks; its cleaned lines are released once the record is
    assembled (``CleanedText.release_lines``): nothing after extraction reads them.
    """

    source: Source
    document: Document
    metadata: Metadata
    record: Record
    tei: bytes


def document_from(source: Source) -> Document:
    """Stages decode -> clean -> structure, by the reader registered for the source's format."""
    return read_document(source)


def require_body(document: Document, source: Source) -> None:
    """A ``SourceError`` when the text is nothing but a title or header lines.

    Every block is then a ``head``: there is no paragraph or speaker turn to archive, and
    the TEI body (which must hold one) would fail validation with schema jargon. Said here,
    in plain words, the input is quarantined with that reason.
    """
    if any(block.kind != "head" for block in document.blocks):
        return
    heads = [" ".join(block.text.split()) for block in document.blocks]
    shown = f" ({heads[0][:60]!r}{f' and {len(heads) - 1} more line(s)' if len(heads) > 1 else ''})" if heads else ""
    raise SourceError(
        str(source.path),
        f"has no body: nothing but a title or header{shown}, no paragraph or speaker turn after it; add the interview text",
        "structure",
    )


def prepare(source: Source, archive: Archive | None = None, now: datetime | None = None, supplied: SuppliedRow | None = None) -> Prepared:
    """Every stage up to the TEI bytes; ``archive`` supplies the version and earlier history."""
    now = now or datetime.now(timezone.utc).replace(microsecond=0)
    document = document_from(source)
    require_body(document, source)
    metadata = apply_manifest(extract(document), supplied)  # archivist-supplied values win
    context = Context(now=now, tool_version=tool_version())
    if archive is not None:
        # the same source keeps its record id: by URL (even if the title changed), else by
        # file name and stated title together
        url = metadata.source_url.value if metadata.source_url else None
        key = source_key(url, source.filename)
        record_id = archive.find_source(key, stated_title(metadata)) or record_id_for(document, metadata)
        version = archive.next_version(record_id)
        previous = archive.get(record_id) if version > 1 else None
        if previous is not None:  # an archivist's values and restrictions survive new source bytes
            carried = carry_supplied(metadata, metadata.people, previous)
            if carried:
                metadata.decisions.append(Decision("carry-over", f"kept from version {previous.version}: " + "; ".join(carried)))
        context = Context(
            now=now,
            tool_version=context.tool_version,
            version=version,
            previous_changes=tuple(previous.changes) if previous else (),
            previous_sha256=previous.source.sha256 if previous else None,
            record_id=record_id,
        )
    record = assemble(document, metadata, context)
    document.cleaned.release_lines()  # only the blocks are read from here on (TEI)
    if len(source.data) >= RELEASE_AFTER_BYTES:
        release_freed_memory()  # the lines, and what extraction made and dropped
    # The text's MinHash signature, kept with the record: copies of the same text are found
    # by comparing it with the archive's (archive.duplicates; the ingest's writer looks).
    from oral_archive.archive.duplicates import signature_of

    record.signature = signature_of(record).to_text()
    tei = tei_bytes(build_tei(document, record))
    return Prepared(source, document, metadata, record, tei)


def prepare_path(path: Path, archive: Archive | None = None) -> Prepared:
    return prepare(read_source(path), archive)
