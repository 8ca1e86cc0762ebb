"""Full-text search over the stored records: two Whoosh indexes and everything around them.

Importing this package does not import Whoosh: ``SearchIndex`` and the results are light,
and each operation loads what it runs. Modules, from the facade down:

==================== ==========================================================================
``index``            ``SearchIndex``: the facade, the indexes' states (missing, outdated, stale,
                     locked), open searchers, and the order of a search
``results``          ``SearchResults``, ``Hit``, ``Snippet``, ``IndexStatus``, the search errors
``limits``           query size limits and the structural check of a query's text
``parsing``          the query language read into a query; ``normalize_query``
``queries``          faster forms of Whoosh queries (date column, numeric terms, exact phrase)
``counting``         matches and facets counted with sets; one hit per record
``snippets``         which words to mark, which passages to show
``scoring``          BM25F with field lengths read once per segment
``schema``           fields and analyzers (``FastText``, ``WordPairs``, ``FacetField``)
``documents``        a record as the documents of the two indexes
``writer``           the segment writer, the merge policy, one commit per batch
``postings``         ``ArchiveCodec`` (the posting block layout) and block-at-a-time reading
``whoosh_internals`` every use of Whoosh's private names, checked against its pinned version
==================== ==========================================================================
"""

from oral_archive.schemas.errors import QueryError

from .index import INDEX_FORMAT, RECORDS, SPEAKERS, SearchIndex
from .results import SORTS, Hit, IndexLocked, IndexMissing, IndexStale, IndexStatus, QueryTooLong, SearchResults, Snippet

__all__ = [
    "INDEX_FORMAT", "RECORDS", "SORTS", "SPEAKERS", "Hit", "IndexLocked", "IndexMissing", "IndexStale", "IndexStatus",
    "QueryError", "QueryTooLong", "SearchIndex", "SearchResults", "Snippet",
]
