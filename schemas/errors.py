"""One small exception hierarchy for every layer.

Each error names what failed and for which input, so the CLI can print one line
(``str(error)``) and exit 1 without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass


class ArchiveError(Exception):
    """Base class of every error this project raises on purpose."""


class SourceError(ArchiveError):
    """An input file cannot be read, decoded or understood."""

    def __init__(self, path: str, reason: str, stage: str = "read") -> None:
        self.path = path
        self.reason = reason
        self.stage = stage
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: which layer found it, where, and what it means."""

    layer: str  # "model", "tei", "tei-all", "cross-reference", "fixity"
    location: str  # field path, XPath or file name
    message: str  # plain-language sentence
    line: int | None = None  # line in the TEI file, when the problem is in the XML
    record_id: str | None = None  # the record it belongs to, when known

    def __str__(self) -> str:
        where = f"{self.location} (line {self.line})" if self.line else self.location
        return f"[{self.layer}] {where}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        """The problem as JSON-ready data (for ``--json`` and quarantine reasons)."""
        return {"record_id": self.record_id, "layer": self.layer, "location": self.location, "line": self.line, "message": self.message}


class RecordInvalid(ArchiveError):
    """A record failed validation; ``problems`` lists every failure, not just the first."""

    def __init__(self, record_id: str, problems: list[Problem]) -> None:
        self.record_id = record_id
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "no details"
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"record {record_id} is invalid: {first}{more}")


class RecordNotFound(ArchiveError):
    """No record with that id in the archive."""

    def __init__(self, record_id: str, message: str | None = None) -> None:
        self.record_id = record_id
        super().__init__(message or f"no record with id {record_id!r} in the archive")


class QueryError(ArchiveError):
    """A search query cannot be parsed or run."""

    def __init__(self, query: str, reason: str) -> None:
        self.query = query
        self.reason = reason
        super().__init__(f"bad query {query!r}: {reason}")


class ArchiveLocked(ArchiveError):
    """Another process holds the archive's write lock."""


class StoreError(ArchiveError):
    """The archive folder cannot be written or read as expected."""


class CurationError(ArchiveError):
    """An edit, withdrawal, restoration or purge that cannot be done as asked (nothing is written)."""
