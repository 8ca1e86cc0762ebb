"""The shipped JSON Schema of a record is the one the model generates, and every line of
the jsonl export (restricted fields withheld or not) validates against it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from oral_archive.archive import Archive
from oral_archive.archive.export import write_jsonl, ExportOptions
from oral_archive.schemas import jsonschema as generator
from oral_archive.schemas.record import RESTRICTABLE_FIELDS, Record

SHIPPED = Path(__file__).resolve().parents[2] / "schemas" / "json" / "record.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SHIPPED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_shipped_schema_is_the_generated_one() -> None:
    assert SHIPPED.read_text(encoding="utf-8") == generator.render(), "run: python -m oral_archive.schemas.jsonschema"
    # The installed package reads the same file (package data), not a copy elsewhere.
    assert generator.RECORD_SCHEMA_PATH.resolve() == SHIPPED.resolve()


def test_check_mode_reports_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "record.schema.json"
    assert generator.main(["--check", "--output", str(target)]) == 1
    assert generator.main(["--output", str(target)]) == 0
    assert generator.main(["--check", "--output", str(target)]) == 0
    target.write_text(target.read_text().replace('"Record"', '"Recorded"'))
    assert generator.main(["--check", "--output", str(target)]) == 1


def test_schema_lists_the_restrictable_fields(validator) -> None:
    items = validator.schema["properties"]["restricted"]["items"]
    assert set(items["enum"]) == RESTRICTABLE_FIELDS


@pytest.mark.parametrize("include_restricted", [False, True])
def test_every_exported_line_validates(built_archive: Archive, validator, include_restricted: bool) -> None:
    first = next(built_archive.records())
    restricted = first.model_copy(update={"restricted": sorted(RESTRICTABLE_FIELDS)})
    records = [*built_archive.records(), restricted]
    out = io.BytesIO()
    assert write_jsonl(records, out, ExportOptions(include_restricted=include_restricted)) == len(records)
    lines = out.getvalue().decode("utf-8").splitlines()
    assert len(lines) == len(records)
    for line in lines:
        data = json.loads(line)
        errors = sorted(validator.iter_errors(data), key=str)
        assert not errors, f"{data['id']}: {errors[0].message} at {list(errors[0].absolute_path)}"
        Record.model_validate(data)  # and it reads back as a record


def test_schema_rejects_what_the_model_rejects(built_archive: Archive, validator) -> None:
    data = json.loads(next(built_archive.records()).model_dump_json())
    assert validator.is_valid(data)
    for broken in (
        {**data, "restricted": ["participants.nickname"]},
        {**data, "id": "Not A Slug"},
        {**data, "unknown_field": 1},
        {key: value for key, value in data.items() if key != "segments"},
    ):
        assert not validator.is_valid(broken)
