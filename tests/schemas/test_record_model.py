"""The record model's cross-field rules name the exact field that is wrong."""

from __future__ import annotations

import json

import pytest

from oral_archive.archive import Archive
from oral_archive.archive.validation import validate_model

from ..conftest import SEED


@pytest.fixture(scope="module")
def seed_record(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from oral_archive.pipeline import ingest

    archive = Archive(tmp_path_factory.mktemp("model") / "archive")
    ingest([SEED], archive)
    return json.loads(archive.get(archive.ids()[0]).model_dump_json())


def problems_of(record: dict) -> list[tuple[str, str, str]]:
    _, problems = validate_model(json.dumps(record).encode("utf-8"))
    return [(p.layer, p.location, p.message) for p in problems]


def test_the_seed_record_is_valid(seed_record: dict) -> None:
    assert problems_of(seed_record) == []


def test_speaker_who_is_not_a_participant(seed_record: dict) -> None:
    record = json.loads(json.dumps(seed_record))
    record["segments"][3]["who"] = "nobody"
    assert problems_of(record) == [("model", "segments[3].who", "names speaker 'nobody', who is not a participant")]


def test_duplicate_segment_id(seed_record: dict) -> None:
    record = json.loads(json.dumps(seed_record))
    record["segments"][4]["id"] = record["segments"][2]["id"]
    assert problems_of(record) == [("model", "segments[4].id", f"{record['segments'][2]['id']!r} is already the id of segments[2]")]


def test_duplicate_participant_id(seed_record: dict) -> None:
    record = json.loads(json.dumps(seed_record))
    record["participants"][1]["id"] = record["participants"][0]["id"]
    assert problems_of(record) == [("model", "participants[1].id", "'interviewee' is already the id of participants[0]")]


def test_evidence_pointing_to_a_missing_segment(seed_record: dict) -> None:
    record = json.loads(json.dumps(seed_record))
    record["participants"][0]["tenure"]["evidence"]["segment"] = "p99"
    assert problems_of(record) == [("model", "participants[0].tenure.segment", "evidence points to missing segment 'p99'")]


def test_single_field_errors_keep_their_own_location(seed_record: dict) -> None:
    record = json.loads(json.dumps(seed_record))
    record["source"]["sha256"] = "not-a-checksum"
    ((layer, location, message),) = problems_of(record)
    assert (layer, location) == ("model", "source.sha256") and "not-a-checksum" in message
