"""The Whoosh query language read into a query: checks, parsing, normalization.

Owns: ``parse_query`` (unknown fields, structure, nesting depth, dates, numbers, around
Whoosh's parser with our plugins; ``SearchIndex.parse`` checks the size first),
``speaker_query``, and
``normalize_query``/``merge_ranges`` (``Query.normalize`` in linear time, tested to give
Whoosh's tree).
Must not: search, or accept a query Whoosh would read otherwise than the researcher
wrote it: a problem is a one-line ``QueryError``.
"""

from __future__ import annotations

import re

from whoosh import qparser, query as wq
from whoosh.qparser import syntax
from whoosh.qparser.dateparse import DateParserPlugin

from oral_archive.schemas.errors import QueryError

from .limits import MAX_QUERY_NESTING, syntax_problem
from .schema import DEFAULT_FIELDS, SPEAKER_DEFAULT_FIELDS, exact_analyzer, searchable_fields
from .whoosh_internals import operators_plugin


def parse_query(text: str, schema, speaker: bool = False) -> wq.Query:
    """``text`` in the Whoosh query language as a normalized query over ``schema``; anything
    wrong becomes a one-line ``QueryError``. (``SearchIndex.parse`` checks the size and
    emptiness first.)"""
    parser = qparser.MultifieldParser(list(SPEAKER_DEFAULT_FIELDS if speaker else DEFAULT_FIELDS), schema=schema)
    parser.replace_plugin(operators_plugin())
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    errors: list[str] = []
    parser.add_plugin(DateParserPlugin(callback=errors.append))
    known = set(searchable_fields(schema))
    unquoted = re.sub(r'"[^"]*"', " ", text)
    # Whoosh treats "foo:bar" with an unknown field as plain words; a researcher who
    # mistyped a field would silently get other results, so refuse it instead.
    for fieldname in re.findall(r"(?<![\w:/.\\])([A-Za-z_]\w*):(?!//)", unquoted):
        if fieldname not in known:
            raise QueryError(text, f"unknown field {fieldname!r}; fields: {', '.join(sorted(known))}")
    problem = syntax_problem(text)
    if problem:
        raise QueryError(text, problem)
    too_deep = f"brackets and NOT, ANDNOT, ANDMAYBE or REQUIRE nest more than {MAX_QUERY_NESTING} levels deep"
    try:
        # Parser.parse in its steps: the syntax tree's depth is checked before the
        # recursive parts of Whoosh walk it, and the query is normalized here.
        nodes = parser.process(_compact_iso_dates(text))
        if syntax_depth(nodes) > MAX_QUERY_NESTING:
            raise QueryError(text, too_deep)
        parsed = normalize_query(nodes.query(parser) or wq.NullQuery)
    except QueryError:
        raise
    except RecursionError:
        raise QueryError(text, too_deep) from None
    except Exception as error:  # whoosh raises assorted errors on odd syntax
        raise QueryError(text, (str(error) or type(error).__name__).splitlines()[0]) from None
    if errors:
        raise QueryError(text, f"cannot read {errors[0]!r} as a date (try 2019, 2019-05-03, or [2018 TO 2020])")
    # Whoosh silently drops a numeric clause whose value is not a number, which would
    # widen "tenure_years:[a TO 5] police" to "police": refuse it.
    for fieldname, value in re.findall(r"\b(tenure_years|version):\s*(?:[<>]=?)?(\[[^\]}]*[\]}]|\{[^\]}]*[\]}]|[^\s)]+)", unquoted):
        for number in re.split(r"\s+TO\s+|\s+", value.strip("[]{} ")):
            try:
                float(number) if number and number != "TO" else None
            except ValueError:
                raise QueryError(text, f"{fieldname} takes numbers, not {number!r}") from None
    if isinstance(parsed, type(wq.NullQuery)):
        raise QueryError(text, "nothing to search for (only stop words, or a value that does not fit its field?)")
    for node in parsed.leaves():
        if isinstance(node, type(wq.NullQuery)):
            continue
        if type(node).__name__ == "ErrorQuery":
            raise QueryError(text, "cannot be parsed (unbalanced brackets or quotes, or a bad range?)")
        fieldname = getattr(node, "fieldname", None)
        if fieldname and fieldname not in schema.names():
            raise QueryError(text, f"unknown field {fieldname!r}")
    return parsed


def speaker_query(speaker: str, text: str | None = None) -> wq.Query:
    """The speakers index query for ``speaker``; a speaker with no words to match is a
    ``QueryError`` about the search ``text``."""
    words = [t.text for t in exact_analyzer()(speaker)]
    if not words:
        raise QueryError(speaker if text is None else text, f"the speaker {speaker!r} names nobody; give a participant id, label, name or role")
    return wq.And([wq.Term("speaker", w) for w in words])


_DATE_CLAUSE = re.compile(r"\b(date|ingested):(\s*(?:[<>]=?)?(?:[\[{][^\]}]*[\]}]?|'[^']*'|[^\s)]+))")


def _compact_iso_dates(text: str) -> str:
    """2019-05-03 -> 20190503 (and 2019-05 -> 201905) in date clauses.

    Whoosh's English date parser reads compact dates but not ISO 8601 with hyphens, the
    form archivists write and our records store.
    """

    def compact(match: re.Match) -> str:
        value = re.sub(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b", lambda m: "".join(g for g in m.groups() if g), match.group(2))
        return f"{match.group(1)}:{value}"

    return _DATE_CLAUSE.sub(compact, text)


def syntax_depth(node) -> int:
    """Levels of a parser syntax tree (or query tree), counted without recursion."""
    deepest, pending = 0, [(node, 1)]
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        children = node.nodes if isinstance(node, syntax.GroupNode) else node.children() if isinstance(node, wq.Query) else ()
        pending.extend((child, depth + 1) for child in children)
    return deepest


# Whoosh ``normalize`` methods whose logic ``normalize_query`` carries out itself.
_COMPOUND_NORMALIZE = (wq.CompoundQuery.normalize, wq.Or.normalize, wq.DisjunctionMax.normalize)
_BINARY_NORMALIZE = {
    wq.BinaryQuery.normalize: "either",  # a side that is empty gives way to the other
    wq.AndNot.normalize: "first",  # no first side: nothing; no second: the first
    wq.AndMaybe.normalize: "first",
    wq.Require.normalize: "both",  # either side empty: nothing
}
# What ``Or`` and ``DisjunctionMax.normalize`` carry over to their result.
_COMPOUND_OPTIONS = ("minmatch", "scale", "tiebreak")


def normalize_query(query: wq.Query) -> wq.Query:
    """``query.normalize()``, the same query tree, in time linear in the query's size.

    Whoosh's ``CompoundQuery.normalize`` drops duplicate parts by putting them in a set,
    but a compound query's hash XORs its parts' hashes, so ``Or([title:w, content:w])``,
    what every bare word becomes, hashes the same for every word ``w``: each word was
    compared with every word before it (2,000 words: 7 s; 100 KB: never finished). Here
    duplicates are found through a dictionary of structural keys (the class, boost and
    its parts' keys, each part's key a small number), which equal what Whoosh's ``==``
    and hash compare. Ranges are merged as Whoosh merges them, but compared only with
    ranges of their own field. And, Or, DisjunctionMax, Not, AndNot, AndMaybe, Require
    and Otherwise are normalized here; any other query by its own ``normalize``.
    """
    keys: dict = {}  # structural key -> its number
    # id -> (query, its key number), so a part's key is worked out once however deep it
    # sits; holding the query keeps its id from being reused by another object meanwhile.
    known: dict[int, tuple] = {}

    def key_of(node) -> int:
        found = known.get(id(node))
        if found is None:
            found = known[id(node)] = (node, structural_key(node))
        return found[1]

    def structural_key(node) -> int:
        if isinstance(node, wq.CompoundQuery) and type(node).__eq__ is wq.CompoundQuery.__eq__ and type(node).__hash__ is wq.CompoundQuery.__hash__:
            structure = (type(node), node.boost, tuple(key_of(part) for part in node.subqueries))
        elif isinstance(node, wq.BinaryQuery) and type(node).__eq__ is wq.BinaryQuery.__eq__:
            structure = (type(node), key_of(node.a), key_of(node.b))
        elif type(node) is wq.Not:
            structure = (wq.Not, node.boost, key_of(node.query))  # Whoosh's == ignores the boost, its hash does not
        else:
            structure = ("query", node)  # a leaf: its own == and hash
        return keys.setdefault(structure, len(keys))

    def normalize(node):
        method = type(node).normalize
        if method in _COMPOUND_NORMALIZE:
            return normalize_compound(node)
        if method in _BINARY_NORMALIZE:
            first, second = normalize(node.a), normalize(node.b)
            empty_first, empty_second = first is wq.NullQuery, second is wq.NullQuery
            rule = _BINARY_NORMALIZE[method]
            if rule == "both" and (empty_first or empty_second):
                return wq.NullQuery
            if rule == "first" and empty_first:
                return wq.NullQuery
            if empty_first and empty_second:
                return wq.NullQuery
            if empty_first:
                return second
            if empty_second:
                return first
            return type(node)(first, second)
        if method is wq.Not.normalize:
            inner = normalize(node.query)
            return inner if inner is wq.NullQuery else type(node)(inner, boost=node.boost)
        return node.normalize()

    def normalize_compound(node):
        # As CompoundQuery.normalize, step by step.
        kind = type(node)
        parts = []
        for part in node.subqueries:
            part = normalize(part)
            if isinstance(part, kind):  # a nested query of the same kind: its parts join this one's
                parts.extend(inner.with_boost(inner.boost * part.boost) for inner in part)
            else:
                parts.append(part)
        if all(part is wq.NullQuery for part in parts):
            return wq.NullQuery
        if any(isinstance(part, wq.Every) and part.fieldname is None for part in parts):
            return wq.Every()
        parts = merge_ranges(parts, node)
        every_fields = {part.fieldname for part in parts if isinstance(part, wq.Every)}
        kept, seen = [], set()
        for part in parts:
            if isinstance(part, wq.Every):
                if part.fieldname in seen:  # a second Every of a field: the first covers it
                    continue
                seen.add(part.fieldname)
            elif every_fields and part.field() in every_fields:
                continue  # any query of a field an Every matches wholly adds nothing
            kept.append(part)
        unique = {}
        for part in kept:
            unique.setdefault(key_of(part), part)
        parts = [part for part in unique.values() if part is not wq.NullQuery]
        if not parts:
            return wq.NullQuery
        if len(parts) == 1:
            single = parts[0]
            boost = getattr(single, "boost", 1.0)
            return single if node.boost == 1.0 and boost == 1.0 else single.with_boost(boost * node.boost)
        result = kind(parts, boost=node.boost)
        for option in _COMPOUND_OPTIONS:
            if hasattr(node, option):
                setattr(result, option, getattr(node, option))
        return result

    return normalize(query)


def merge_ranges(parts: list, compound: wq.CompoundQuery) -> list:
    """``CompoundQuery.normalize``'s merging of overlapping ranges among ``compound``'s
    normalized parts, then each range normalized: the same merges in the same order, but
    each range compared only with the later ranges of its own field (Whoosh compares it
    with every later part; a range only overlaps a ``TermRange`` of its field).

    A range after an ``Every`` of its field is left as it is, as Whoosh leaves it: the
    ``Every`` makes every query of that field redundant, and it is dropped with them.
    """
    by_field: dict[str, list[int]] = {}
    first_every: dict[str, int] = {}
    for position, part in enumerate(parts):
        if isinstance(part, (wq.TermRange, wq.NumericRange)):
            by_field.setdefault(part.fieldname, []).append(position)
        elif isinstance(part, wq.Every):
            first_every.setdefault(part.fieldname, position)
    if not by_field:
        return parts
    parts = list(parts)
    dropped: set[int] = set()
    for fieldname, positions in by_field.items():
        every_at = first_every.get(fieldname, len(parts))
        for index, position in enumerate(positions):
            if position > every_at:
                break
            if position in dropped:
                continue
            merged = parts[position]
            for later in positions[index + 1 :]:
                if later not in dropped and merged.overlaps(parts[later]):
                    merged = merged.merge(parts[later], intersect=compound.intersect_merge)
                    dropped.add(later)
            parts[position] = merged = merged.normalize()
            if isinstance(merged, wq.Every):
                every_at = position
    return [part for position, part in enumerate(parts) if position not in dropped]
