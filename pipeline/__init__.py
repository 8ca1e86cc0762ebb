"""Top layer: ingestion stages and the CLI.

Public API: ``ingest(paths, archive)`` and the stage functions composed in ``stages``.

The names are loaded on first use: the CLI is a subpackage of this one, and a command
that never ingests (``--help``, ``show``, ``search``) must not load every stage.
"""

import sys
import types
from importlib import import_module

from oral_archive.schemas.lazy import lazy_exports

__getattr__, _names = lazy_exports(__name__, {
    ".ingest": "FileResult IngestReport",  # and ``ingest`` itself: see ``_Package``
    ".stages": "STAGES prepare prepare_path",
})
__all__ = sorted([*_names, "ingest"])


class _Package(types.ModuleType):
    """This package, whose ``ingest`` is the function ``ingest.ingest``.

    ``ingest`` names a submodule too, and the import system records a submodule on its
    package when it loads it; the function stays the package's ``ingest``, as it was
    when this module imported it eagerly. Another value set on purpose is kept.
    """

    @property
    def ingest(self):
        chosen = self.__dict__.get("_ingest")
        return chosen if chosen is not None else import_module(f"{__name__}.ingest").ingest

    @ingest.setter
    def ingest(self, value):
        if not (isinstance(value, types.ModuleType) and value.__name__ == f"{__name__}.ingest"):
            self.__dict__["_ingest"] = value


sys.modules[__name__].__class__ = _Package
