"""The optional statistical model (pipeline/extract/nlp.py): selected by a setting, loaded
once, and read by the organization and occupation rules only where it adds something.

``make test`` installs the model (requirements/nlp-model.txt, pinned by hash), so these
tests run the real model; without it they say so and skip.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.extract import extract, nlp
from oral_archive.pipeline.stages import document_from
from oral_archive.schemas.errors import ArchiveError

MODEL_INSTALLED = any(importlib.util.find_spec(name) is not None for name in nlp.KNOWN_MODELS)
needs_model = pytest.mark.skipif(not MODEL_INSTALLED, reason="no English model installed (make nlp)")


def interviewee_fact(text: str, tmp_path: Path, attribute: str):
    path = tmp_path / "t.txt"
    path.write_text(text, encoding="utf-8")
    person = next((p for p in extract(document_from(read_source(path))).people if p.role == "interviewee"), None)
    return getattr(person, attribute) if person else None


def essay(sentence: str) -> str:
    return f"Interview with a Professional\n\nI interviewed a neighbour for my class on work.\n\n{sentence}\n"


def test_off_means_no_model_even_if_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(nlp.SETTING, "off")
    assert nlp.model_name() is None and not nlp.available()
    assert nlp.analyze("She works for Calloway Brothers.") is None


def test_a_named_model_that_is_not_installed_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(nlp.SETTING, "no_such_model_package")
    with pytest.raises(ArchiveError, match="no_such_model_package"):
        nlp.model_name()


@needs_model
def test_auto_picks_an_installed_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(nlp.SETTING, "auto")
    assert nlp.model_name() in nlp.KNOWN_MODELS


@needs_model
def test_employer_named_without_an_institution_word_needs_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sentence = essay("She has a job in the billing office of Ridgeway Mercantile, downtown.")
    monkeypatch.setenv(nlp.SETTING, "off")
    assert interviewee_fact(sentence, tmp_path, "organization") is None
    monkeypatch.setenv(nlp.SETTING, "auto")
    fact = interviewee_fact(sentence, tmp_path, "organization")
    assert fact is not None and fact.value == "Ridgeway Mercantile"
    assert fact.evidence.rule == "organization.named-entity"


@needs_model
def test_a_place_the_model_calls_an_organization_is_not_the_employer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(nlp.SETTING, "auto")
    assert interviewee_fact(essay("She has a job in the records office of Chicago, at city hall."), tmp_path, "organization") is None


@needs_model
def test_compounds_the_parse_attaches_to_a_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = essay("I interviewed a payroll clerk at the mill downtown.")
    monkeypatch.setenv(nlp.SETTING, "off")
    assert interviewee_fact(text, tmp_path, "occupation").value == "clerk"  # "payroll" is in no list
    monkeypatch.setenv(nlp.SETTING, "auto")
    assert interviewee_fact(text, tmp_path, "occupation").value == "payroll clerk"


@needs_model
def test_terms_of_employment_are_not_part_of_the_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(nlp.SETTING, "auto")
    text = essay("She has been working as a full time firefighter for six years.")
    assert interviewee_fact(text, tmp_path, "occupation").value == "firefighter"
