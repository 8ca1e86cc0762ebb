"""Groups of records holding the same text, and where their metadata disagree.

Built on the pairs ``archive.duplicates.DuplicateIndex`` finds: ``clusters`` joins them
into groups, ``disagreements`` compares the copies' metadata, so that an archivist can
keep one copy and withdraw the others (``oral-archive duplicates``, docs/duplicates.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from oral_archive.schemas.record import Fact, Record

from .duplicates import DEFAULT_THRESHOLD, DuplicateIndex

__all__ = ["DISAGREEMENT_FIELDS", "Cluster", "clusters", "disagreements"]


# --------------------------------------------------------------------------- clusters


@dataclass(frozen=True)
class Cluster:
    """Records that are copies of one text: connected through pairs at or above the threshold."""

    record_ids: tuple[str, ...]
    pairs: tuple[tuple[str, str, float], ...] = field(default=())

    @property
    def similarity(self) -> float:
        """The lowest similarity of a pair that joins the cluster."""
        return min((s for _, _, s in self.pairs), default=1.0)


def clusters(index: DuplicateIndex, threshold: float = DEFAULT_THRESHOLD) -> list[Cluster]:
    """Connected components of the pairs at or above ``threshold``, largest first, then by id.
    Memory grows with the number of records in pairs, not with the archive."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    found = list(index.pairs(threshold))
    for a, b, _ in found:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    edges: dict[str, list[tuple[str, str, float]]] = {}
    for a, b, s in found:
        edges.setdefault(find(a), []).append((a, b, s))
    result = [
        Cluster(tuple(sorted(members)), tuple(sorted(edges.get(root, []))))
        for root, members in groups.items()
    ]
    result.sort(key=lambda c: (-len(c.record_ids), c.record_ids))
    return result


# --------------------------------------------------------------------------- metadata

DISAGREEMENT_FIELDS = (
    "title",
    "source_url",
    "source_site",
    "interview_date",
    "interviewee_name",
    "interviewee_occupation",
    "interviewee_organization",
    "interviewee_place",
    "interviewee_tenure",
    "interviewer_names",
    "subjects",
    "collection",
)


def _fact(fact: Fact | None) -> str | None:
    if fact is None:
        return None
    return fact.normalized or fact.value


def _joined(values: Iterable[str | None]) -> str | None:
    present = sorted({v for v in values if v})
    return "; ".join(present) if present else None


def _field_values(record: Record) -> dict[str, str | None]:
    interviewees = [p for p in record.participants if p.role == "interviewee"]
    interviewers = [p for p in record.participants if p.role == "interviewer"]
    values = {
        "title": record.title.value if record.title else None,
        "source_url": record.source.url,
        "source_site": record.source.site,
        "interview_date": _fact(record.interview_date),
        "interviewer_names": _joined(p.name.value if p.name else None for p in interviewers),
        "subjects": _joined(s.value for s in record.subjects),
        "collection": _fact(record.collection),
    }
    for attribute in ("name", "occupation", "organization", "place", "tenure"):
        values[f"interviewee_{attribute}"] = _joined(_fact(getattr(p, attribute)) for p in interviewees)
    return {name: values[name] for name in DISAGREEMENT_FIELDS}


def _same(value: str | None) -> str | None:
    return " ".join(value.casefold().split()) if value else None


def disagreements(records: Sequence[Record]) -> dict[str, dict[str, str | None]]:
    """The fields whose values differ between copies: ``{field: {record_id: value or None}}``.

    A value present in one copy and absent (None) in another is a disagreement. Values are
    compared case- and space-insensitively (a title in upper case in one copy is the same
    title), but shown as the records hold them. Lists (subjects, interviewer names, several
    interviewees) are compared as sorted sets and shown joined with "; ".
    """
    table = {record.id: _field_values(record) for record in records}
    result: dict[str, dict[str, str | None]] = {}
    for name in DISAGREEMENT_FIELDS:
        column = {record_id: values[name] for record_id, values in table.items()}
        if len({_same(v) for v in column.values()}) > 1:
            result[name] = column
    return result
