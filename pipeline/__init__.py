"""Top layer: ingestion stages and the CLI.

Public API: ``ingest(paths, archive)`` and the stage functions composed in ``stages``.
"""

from .ingest import FileResult, IngestReport, ingest
from .stages import STAGES, prepare, prepare_path

__all__ = ["FileResult", "IngestReport", "STAGES", "ingest", "prepare", "prepare_path"]
