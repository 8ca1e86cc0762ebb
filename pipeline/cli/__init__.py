"""The ``oral-archive`` command: a thin shell over ``Archive`` and ``ingest``.

Commands are grouped by subject in sibling modules; each registers itself on ``main``.
Every ``ArchiveError`` becomes a one-line message on stderr and exit code 1.
"""

from __future__ import annotations

from .app import main
from . import curation_cmd, duplicates_cmd, export_cmd, ingest_cmd, records_cmd, search_cmd, serve_cmd, store_cmd, validate_cmd  # noqa: F401  (register commands)

__all__ = ["main"]
