"""Bottom layer: what an archive record is (pydantic models, XML schemas, errors)."""

from .errors import ArchiveError, Problem, QueryError, RecordInvalid, RecordNotFound, SourceError, StoreError
from .record import Change, Evidence, Fact, Person, Record, Segment, Source

__all__ = [
    "ArchiveError", "Change", "Evidence", "Fact", "Person", "Problem", "QueryError", "Record",
    "RecordInvalid", "RecordNotFound", "Segment", "Source", "SourceError", "StoreError",
]
