"""Middle layer: where records live and how they are found and handed out.

Public API: ``Archive(path)``.
"""

from .core import AddResult, Archive, default_archive_path
from .index import Hit, SearchResults, Snippet

__all__ = ["AddResult", "Archive", "Hit", "SearchResults", "Snippet", "default_archive_path"]
