"""Bottom layer: what an archive record is (pydantic models, XML schemas, errors).

The names below are loaded on first use, so importing one light module of this package
(``errors``, ``identifiers``, ``filenames``) does not load pydantic and the record model.
"""

from .lazy import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    ".errors": "ArchiveError Problem QueryError RecordInvalid RecordNotFound SourceError StoreError",
    ".record": "Change Evidence Fact Person Record Segment Source",
})
