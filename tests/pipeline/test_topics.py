"""Topics: distinctive terms with evidence, never names, never invented for other languages."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.document import Source
from oral_archive.pipeline.stages import document_from
from oral_archive.pipeline.topics import MAX_TOPICS, extract_topics
from oral_archive.schemas.errors import SourceError
from oral_archive.schemas.xmlschemas import TEI_NS

from ..conftest import SEED, corpus_files

NS = {"tei": TEI_NS}


def topics_of(path: Path) -> list:
    document = document_from(read_source(path))
    return document, extract_topics(document)


def test_seed_topics_are_its_subject_matter() -> None:
    _, topics = topics_of(SEED)
    values = [t.value for t in topics]
    assert "police discretion" in values  # said three times, rare in general English
    assert "policing" in values
    assert len(values) <= MAX_TOPICS and len(set(values)) == len(values)


def test_every_topic_points_at_its_first_use() -> None:
    for path in [SEED, *corpus_files()]:
        document, topics = topics_of(path)
        for topic in topics:
            evidence = topic.evidence
            block = document.block(evidence.segment)
            used = block.text[evidence.start:evidence.end].lower().replace("’", "'")
            assert used.split()[0] == topic.value.split()[0] or used.rstrip("s") == topic.value, (path.name, topic.value, used)
            assert evidence.rule == "topic.distinctive-term" and evidence.confidence < 0.6
            occurrences = len(re.findall(rf"\b{re.escape(topic.value.split()[0])}", " ".join(b.text.lower() for b in document.blocks)))
            assert occurrences >= 2, (path.name, topic.value)


def test_names_and_places_are_not_topics() -> None:
    (fuchs,) = [p for p in corpus_files() if p.name.startswith("06-")]
    _, topics = topics_of(fuchs)
    values = " ".join(t.value for t in topics)
    for proper_noun in ("fuchs", "curry", "truman", "independence", "missouri", "lagerquist"):
        assert proper_noun not in values
    assert "oral history" in [t.value for t in topics]


def test_no_topics_outside_english(tmp_path: Path) -> None:
    path = tmp_path / "entrevista.txt"
    path.write_text("Entrevista\n\n" + "La discreción policial es algo que los policías practican todo el tiempo. " * 4, encoding="utf-8")
    document = document_from(read_source(path))
    assert extract_topics(document, "es") == []


@given(st.text(min_size=1, max_size=400))
def test_topics_never_fail_on_any_text(text: str) -> None:
    data = ("Title\n\n" + text).encode("utf-8")
    source = Source(path=Path("x.txt"), data=data, sha256="0" * 64, media_type="text/plain")
    try:
        document = document_from(source)
    except SourceError:  # decode/structure refuse some inputs (with a reason); tested elsewhere
        return
    for topic in extract_topics(document):
        assert topic.value.strip() and topic.evidence is not None


def test_topics_are_in_tei_apart_from_subjects(tmp_path: Path, tei_all_schema: etree.RelaxNG) -> None:
    from oral_archive.pipeline import ingest

    archive = Archive(tmp_path / "archive")
    ingest([SEED], archive)
    tei = etree.fromstring(archive.tei(archive.ids()[0]))
    assert tei.xpath("//tei:keywords[not(@n)]/tei:term/text()", namespaces=NS) == ["Law"]
    topics = tei.xpath("//tei:keywords[@n='topics']/tei:term", namespaces=NS)
    assert "police discretion" in [t.text for t in topics]
    assert all(t.get("resp") == "#rule.topic.distinctive-term" and t.get("cert") == "low" for t in topics)
    assert tei_all_schema.validate(etree.ElementTree(tei)), tei_all_schema.error_log
    assert archive.get(archive.ids()[0]).topics
    assert archive.search('topic:"police discretion"').total == 1
    assert archive.search("topic:quota").total == 0  # said once: in the text, not a topic
    assert archive.search("quota").total == 1
