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


# -- keywords worth reading (YAKE candidates, filtered) -------------------------------------
def _values(path: Path) -> list[str]:
    return [t.value for t in topics_of(path)[1]]


def test_verbs_and_interview_words_of_the_dev_corpus_are_not_topics() -> None:
    """The frequency rule made "arrive", "refer", "administered" and "interviewee" topics of
    these texts, and exports showed them as subjects; a reader sees no subject in them."""
    files = {p.name[:2]: p for p in corpus_files()}
    teacher, nurse = _values(files["02"]), _values(files["03"])
    assert "arrive" not in teacher and not {"interviewee", "administered", "refer"} & set(nurse)
    assert "teacher" in teacher and "nurse" in nurse  # what they are about is still found


def test_transcriber_notes_and_speaker_labels_are_not_topics() -> None:
    """"[laughs]" in an oral history, "[inaudible]" in another, the labels of the turns."""
    fixtures = Path(__file__).parents[1] / "fixtures"
    halvorsen = fixtures / "extraction-blind3" / "files" / "10-halvorsen-machinist-iron-range.txt"
    begley = fixtures / "extraction-blind2" / "files" / "b2-05.txt"
    assert "[laughs]" in halvorsen.read_text(encoding="utf-8") and "inaudible" in begley.read_text(encoding="utf-8")
    for path in (halvorsen, begley):
        document, topics = topics_of(path)
        values = {t.value for t in topics}
        assert not values & {"laughs", "laughter", "inaudible", "pause", "crosstalk"}, (path.name, values)
        labels = {s.label.lower() for s in document.speakers}
        assert labels and not values & labels, (path.name, values)
    assert "machinist" in _values(halvorsen)


def test_a_word_only_ever_used_as_a_verb_is_not_a_topic(tmp_path: Path) -> None:
    path = tmp_path / "verbs.txt"
    path.write_text(
        "A Day at the Depot\n\nThe trains arrive at six. When the trains arrive late, the agent must refer the "
        "freight to the yard office, and the yard office will refer it back. The freight sits on the platform "
        "until the trains arrive. Freight is what the depot lives on, and the platform is where the freight waits.\n",
        encoding="utf-8",
    )
    values = _values(path)
    assert "arrive" not in values and "refer" not in values
    assert "freight" in values and "platform" in values


def test_topics_are_the_same_in_every_process() -> None:
    """YAKE's Rust port keeps its counts in hash maps whose order changes from one process to
    the next; the topics must not."""
    import subprocess
    import sys

    script = (
        "import sys; from pathlib import Path; from oral_archive.pipeline.decode import read_source; "
        "from oral_archive.pipeline.stages import document_from; from oral_archive.pipeline.topics import extract_topics; "
        "print([(t.value, t.evidence.segment, t.evidence.start) for p in sys.argv[1:] for t in extract_topics(document_from(read_source(Path(p))))])"
    )
    paths = [str(SEED), *map(str, corpus_files())]
    runs = {subprocess.run([sys.executable, "-c", script, *paths], capture_output=True, text=True, check=True).stdout for _ in range(3)}
    assert len(runs) == 1 and "police discretion" in runs.pop()
