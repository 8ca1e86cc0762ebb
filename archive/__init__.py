"""Middle layer: where records live and how they are found and handed out.

Public API: ``Archive(path)``. The names below are loaded on first use, so a command
that only needs one module of this package does not load the others.
"""

from oral_archive.schemas.lazy import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    ".core": "AddResult Archive default_archive_path",
    ".search": "Hit SearchResults Snippet",
})
