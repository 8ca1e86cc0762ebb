"""Compatibility: the search index is now the package ``archive/search/`` (see its docstring).

Importing a name from here imports it from its new module, on first use, so importing
this module stays as light as the package. It serves code written against the old module
(``from oral_archive.archive.index import SearchIndex``), and indexes written before the
move, which name ``oral_archive.archive.index`` as the module of their pickled field
classes (``FastText``, ``WordPairs``, ``FacetField``): since ``INDEX_FORMAT`` 9 such an
index is rebuilt rather than read, so this alias can go once nothing imports it.
"""

from __future__ import annotations

from oral_archive.schemas.lazy import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    ".search.index": "RECORDS SPEAKERS INDEX_FORMAT STATE_FILE SearchIndex count_record_dirs",
    ".search.results": "SORTS SNIPPETS_PER_HIT IndexMissing IndexStale IndexLocked QueryTooLong Snippet Hit SearchResults IndexStatus",
    ".search.limits": "MAX_QUERY_CHARS MAX_QUERY_WORDS MAX_QUERY_NESTING query_size_problem syntax_problem",
    ".search.schema": (
        "DEFAULT_FIELDS SPEAKER_DEFAULT_FIELDS SNIPPET_FIELDS FACET_FIELDS PAIRS_SUFFIX PAIR_BUCKETS text_analyzer "
        "exact_analyzer FacetField FastText WordPairs pair_bucket pair_buckets build_schema build_speaker_schema searchable_fields"
    ),
    ".search.documents": "index_document speaker_documents",
    ".search.scoring": "BM25FWithLengthTable segment_field_lengths",
    ".search.writer": "TieredMerge MERGE_POLICY WRITER_MEMORY_MB",
    ".search.queries": "DateColumnRange NumericTermsRange ExactPhrase AND_FAN_IN",
    ".search.counting": "matching_docs count_matches facet_counts_of",
    ".search.parsing": "syntax_depth normalize_query merge_ranges",
    ".search.whoosh_internals": "operators_plugin",
    "oral_archive.schemas.errors": "QueryError",
}, package="oral_archive.archive")
