"""Several interviewers named together ("by J.T. Curry and P.D. Lagerquist") are several
participants, each a Person with its own name and evidence; a name such as "Smith and
Wesson" that is not a list of people is never cut in two."""

from __future__ import annotations

from pathlib import Path

import pytest

from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.document import Document
from oral_archive.pipeline.extract import Metadata, extract
from oral_archive.pipeline.extract.names import split_names
from oral_archive.pipeline.stages import document_from
from oral_archive.schemas.record import Evidence, Fact

from ..conftest import corpus_files


def read(path: Path) -> tuple[Document, Metadata]:
    document = document_from(read_source(path))
    return document, extract(document)


def interviewers(metadata: Metadata) -> list:
    return [p for p in metadata.people if p.role == "interviewer"]


def spanned(document: Document, fact: Fact) -> str:
    evidence = fact.evidence
    return document.block(evidence.segment).text[evidence.start:evidence.end]


def test_the_two_interviewers_of_the_truman_library_transcript() -> None:
    """Real text (dev corpus): "by J.T. Curry and P.D. Lagerquist" over a transcript where
    CURRY asks the questions."""
    (fuchs,) = [p for p in corpus_files() if p.name.startswith("06-")]
    document, metadata = read(fuchs)
    people = interviewers(metadata)
    assert [p.name.value for p in people] == ["J.T. Curry", "P.D. Lagerquist"]
    curry, lagerquist = people
    assert curry.label == "CURRY" and curry.id == "sp-curry"  # the speaker under that label
    assert lagerquist.label is None and lagerquist.id == "interviewer"
    for person in people:
        assert spanned(document, person.name) == person.name.value  # each its own span
        assert person.name.evidence.rule == "interviewer.by-line"
        assert person.name.evidence.text == "by J.T. Curry and P.D. Lagerquist"
    assert len({p.id for p in metadata.people}) == len(metadata.people)


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("Interviewers: Ann Whitlock & Bernard Osei", ["Ann Whitlock", "Bernard Osei"]),
        ("Interviewer: Ann Whitlock; Bernard Osei", ["Ann Whitlock", "Bernard Osei"]),
        ("By Ann Whitlock, Bernard Osei, and Carla Mendes", ["Ann Whitlock", "Bernard Osei", "Carla Mendes"]),
        ("Interview conducted by Ann Whitlock and Bernard Osei", ["Ann Whitlock", "Bernard Osei"]),
    ],
)
def test_interviewers_named_together_in_an_essay_are_each_a_participant(line: str, names: list[str], tmp_path: Path) -> None:
    path = tmp_path / "pair.txt"
    path.write_text(f"A Day with a Beekeeper\n{line}\n\nWe interviewed a beekeeper about her forty hives. She sells the honey in town.\n", encoding="utf-8")
    document, metadata = read(path)
    people = interviewers(metadata)
    assert [p.name.value for p in people] == names
    assert [p.id for p in people] == ["interviewer", *(f"interviewer-{n}" for n in range(2, len(names) + 1))]
    for person in people:
        assert spanned(document, person.name) == person.name.value
        assert person.evidence is not None and "interviewed" in person.evidence.text  # why they took part


def test_one_interviewer_stays_one(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("A Day with a Beekeeper\nInterviewer: Ann Whitlock\n\nI interviewed a beekeeper about her hives.\n", encoding="utf-8")
    _, metadata = read(path)
    assert [(p.id, p.name.value) for p in interviewers(metadata)] == [("interviewer", "Ann Whitlock")]


@pytest.mark.parametrize("value", ["Smith and Wesson", "Johnson & Johnson", "Procter & Gamble", "Curry and Lagerquist"])
def test_a_name_that_is_not_a_list_of_people_is_not_split(value: str) -> None:
    fact = Fact(value=value, origin="extracted", evidence=Evidence(segment="p1", start=3, end=3 + len(value), text=f"by {value}", rule="interviewer.by-line", confidence=0.8))
    assert split_names(fact) == [fact]


def test_an_employer_named_with_and_is_no_interviewer(tmp_path: Path) -> None:
    path = tmp_path / "gunsmith.txt"
    path.write_text(
        "Interview with a Gunsmith\n\nI interviewed Dale Voss, a gunsmith who has worked for Smith and Wesson "
        "for twelve years. He fits barrels and tests every pistol before it ships.\n",
        encoding="utf-8",
    )
    _, metadata = read(path)
    assert all(p.name is None for p in interviewers(metadata))
