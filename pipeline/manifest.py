"""Archivist-supplied metadata: a manifest (CSV, JSON or YAML) with one row per input file.

A row names a file of the batch (``file``) and any record fields the archivist knows
better than the text: interviewee, interviewer, role, organization, place, tenure, date,
rights/restrictions, subjects, collection, title, language. The ``manifest`` stage runs
after ``extract`` and before ``assemble``: a supplied value wins, and the record keeps
both (``Fact.origin="supplied"``, ``supplied_by``, and ``replaces`` = the extracted fact).

Problems are reported per row and column (``manifest.csv row 3, column 'date': ...``);
a bad cell is left out, a row naming a missing file is skipped, and every other file of
the batch still ingests. Only a manifest that cannot be read at all stops the batch
(``ManifestError``), since then nothing the archivist meant can be trusted.

Row numbers: in a CSV file the line number as a spreadsheet shows it (the header is
row 1, the first data row row 2); in JSON/YAML the 1-based position in the list.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from oral_archive.schemas.errors import ArchiveError
from oral_archive.schemas.record import DURATION_PATTERN, RESTRICTABLE_FIELDS, Fact, Person

from .document import Decision
from .extract import Metadata

# Header spellings archivists use for the same column; anything else is an unknown column.
ALIASES = {
    "filename": "file", "file_name": "file", "path": "file",
    "interviewee_name": "interviewee", "narrator": "interviewee",
    "interviewer_name": "interviewer",
    "occupation": "role",
    "interview_date": "date",
    "subject": "subjects", "keywords": "subjects",
    "restriction": "restrictions",
}
LIST_SEPARATOR = re.compile(r"\s*[;|]\s*")


class ManifestError(ArchiveError):
    """The manifest as a whole cannot be used (unreadable, wrong format, no ``file`` column)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path, self.reason = str(path), reason
        super().__init__(f"manifest {path}: {reason}")


@dataclass(frozen=True)
class ManifestProblem:
    """One bad row or cell: where it is and what is wrong, in words an archivist can act on."""

    manifest: str
    row: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.manifest} row {self.row}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.message}"


class ManifestRow(BaseModel):
    """The fields one manifest row may supply; unknown columns are rejected (``extra=forbid``)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    file: str
    title: str | None = None
    interviewee: str | None = None
    interviewer: str | None = None
    role: str | None = None
    organization: str | None = None
    place: str | None = None
    tenure: str | None = None
    date: str | None = None
    rights: str | None = None
    restrictions: str | None = None
    subjects: list[str] | None = None
    collection: str | None = None
    language: str | None = None
    restricted: list[str] | None = None

    @field_validator("restricted")
    @classmethod
    def _restrictable(cls, value: list[str] | None) -> list[str] | None:
        unknown = [v for v in value or [] if v not in RESTRICTABLE_FIELDS]
        if unknown:
            raise ValueError(f"cannot restrict {', '.join(map(repr, unknown))}; restrictable fields: {', '.join(sorted(RESTRICTABLE_FIELDS))}")
        return value

    @field_validator("file")
    @classmethod
    def _file_named(cls, value: str) -> str:
        if not value:
            raise ValueError("names no file")
        return value

    @field_validator("tenure")
    @classmethod
    def _tenure_iso(cls, value: str | None) -> str | None:
        if value and not (re.match(DURATION_PATTERN, value) or re.fullmatch(r"\d{4}", value)):
            raise ValueError(f"{value!r} is not an ISO 8601 duration (P8Y, P1Y6M) or a start year (1998)")
        return value

    @field_validator("date")
    @classmethod
    def _date_iso(cls, value: str | None) -> str | None:
        if value:
            parse_iso_date(value)
        return value

    @field_validator("language")
    @classmethod
    def _language_tag(cls, value: str | None) -> str | None:
        if value and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", value):
            raise ValueError(f"{value!r} is not a language tag such as 'en' or 'es-MX'")
        return value

    @field_validator("subjects", "restricted", mode="before")
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        # CSV cells hold several subjects separated by ';' or '|'; JSON/YAML give a list
        if isinstance(value, str):
            return [s for s in LIST_SEPARATOR.split(value.strip()) if s]
        return value


def parse_iso_date(value: str) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a real calendar date); raises ValueError otherwise."""
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if not match:
        raise ValueError(f"{value!r} is not an ISO 8601 date (YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        raise ValueError(f"{value!r} is not a calendar date ({error})") from None
    return value


@dataclass
class SuppliedRow:
    """A validated manifest row, with where it came from (for ``Fact.supplied_by``)."""

    values: ManifestRow
    manifest: str  # the manifest's file name
    row: int

    @property
    def supplied_by(self) -> str:
        """Where the values came from, as ``Fact.supplied_by`` records it: "manifest.csv row 3"."""
        return f"{self.manifest} row {self.row}"

    @property
    def file(self) -> str:
        """The file the row names, as written in the manifest."""
        return self.values.file

    def not_applied(self, record_id: str | None) -> ManifestProblem:
        """The problem to report when the row's file is already stored with the same bytes."""
        return ManifestProblem(self.manifest, self.row, "file", f"{self.file!r} is already in the archive unchanged (record {record_id}); this row's values were not applied")


@dataclass
class Manifest:
    """A loaded manifest: the usable rows and the problems found while reading them."""

    path: Path
    rows: list[SuppliedRow] = field(default_factory=list)
    problems: list[ManifestProblem] = field(default_factory=list)

    def match(self, files: Iterable[Path], roots: Iterable[Path | str] = ()) -> tuple[dict[Path, SuppliedRow], list[ManifestProblem]]:
        """Pair rows with the batch's files; a row naming no file of the batch is a problem.

        A row's ``file`` matches a file by its path relative to an input folder, by the path
        relative to the manifest's folder, or by its bare name when that is unambiguous.
        """
        files = list(files)
        keys: dict[str, list[Path]] = {}

        def key(name: str, path: Path) -> None:
            keys.setdefault(name, [])
            if path not in keys[name]:
                keys[name].append(path)

        for path in files:
            key(path.name, path)
            key(str(path), path)
            for root in [Path(r) for r in roots] + [self.path.parent]:
                try:
                    key(path.resolve().relative_to(root.resolve()).as_posix(), path)
                except ValueError:
                    pass
        matched: dict[Path, SuppliedRow] = {}
        problems: list[ManifestProblem] = []
        for row in self.rows:
            where = dict(manifest=self.path.name, row=row.row, column="file")
            wanted = row.file.replace("\\", "/").removeprefix("./")
            candidates = keys.get(wanted, [])
            if not candidates:
                problems.append(ManifestProblem(**where, message=f"no file {row.file!r} in this batch"))
            elif len(candidates) > 1:
                problems.append(ManifestProblem(**where, message=f"{row.file!r} matches {len(candidates)} files; give its path relative to the folder"))
            elif candidates[0] in matched:
                first = matched[candidates[0]].supplied_by
                problems.append(ManifestProblem(**where, message=f"{row.file!r} already has a row ({first}); this row is ignored"))
            else:
                matched[candidates[0]] = row
        return matched, problems


def _column(name: Any) -> str:
    return ALIASES.get(key := re.sub(r"[\s-]+", "_", str(name).strip().lower()), key)


def _read_rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(row number, raw mapping) for each row of a CSV, JSON or YAML manifest."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # spreadsheets save CSV with a BOM
    except (OSError, UnicodeDecodeError) as error:
        raise ManifestError(path, f"cannot be read: {error}") from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        if not header:
            raise ManifestError(path, "is empty (a CSV manifest needs a header row)")
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            # an empty cell means "nothing supplied", not "supplied as empty"
            row = {h: c for h, c in zip(header, cells) if c.strip() or _column(h) == "file"}
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                row["__cells__"] = (len(cells), len(header))  # values beyond the header: say so
            rows.append((reader.line_num, row))
        return rows
    if suffix in {".json", ".yaml", ".yml"}:
        try:
            data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as error:
            raise ManifestError(path, f"is not valid {suffix[1:].upper()}: {error}") from None
        if isinstance(data, dict) and isinstance(data.get("files"), list):
            data = data["files"]
        if not isinstance(data, list):
            raise ManifestError(path, "must be a list of rows (or an object with a 'files' list)")
        rows = []
        for number, item in enumerate(data, start=1):
            rows.append((number, item if isinstance(item, dict) else {"__row__": item}))
        return rows
    raise ManifestError(path, f"unknown manifest format {suffix or '(no extension)'!r}; use .csv, .json or .yaml")


def load_manifest(path: Path | str) -> Manifest:
    """Read and validate a manifest; bad cells are dropped and reported, not fatal."""
    path = Path(path)
    manifest = Manifest(path)
    raw_rows = _read_rows(path)
    if path.suffix.lower() == ".csv":
        header = _csv_header(path)
        if "file" not in {_column(h) for h in header}:
            raise ManifestError(path, "has no 'file' column naming the file each row describes")
        # an unknown CSV column is one mistake in the header (row 1), reported once
        unknown = [h for h in header if _column(h) not in ManifestRow.model_fields]
        for name in unknown:
            manifest.problems.append(ManifestProblem(path.name, 1, name, f"unknown column, ignored; known columns: {', '.join(ManifestRow.model_fields)}"))
        raw_rows = [(n, {k: v for k, v in raw.items() if k not in unknown}) for n, raw in raw_rows]
    for number, raw in raw_rows:
        problems, row = _validate_row(path.name, number, raw)
        manifest.problems.extend(problems)
        if row is not None:
            manifest.rows.append(SuppliedRow(row, path.name, number))
    return manifest


def _csv_header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")), [])


def _validate_row(manifest: str, number: int, raw: dict[str, Any]) -> tuple[list[ManifestProblem], ManifestRow | None]:
    """Validate one row cell by cell: every bad cell is reported, the good ones are kept."""
    if "__row__" in raw:
        return [ManifestProblem(manifest, number, None, f"a row must be a mapping of column to value, got {raw['__row__']!r}")], None
    data: dict[str, Any] = {}
    problems: list[ManifestProblem] = []
    if "__cells__" in raw:
        cells, columns = raw.pop("__cells__")
        problems.append(ManifestProblem(manifest, number, None, f"has {cells} cells but the header names {columns} columns; the extra cells are ignored"))
    for name, value in raw.items():
        column = _column(name)
        if column in data:
            problems.append(ManifestProblem(manifest, number, str(name), f"repeats column {column!r}"))
            continue
        data[column] = str(value) if isinstance(value, (int, float, date)) and not isinstance(value, bool) else value
    while True:
        try:
            return problems, ManifestRow.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                column = str(item["loc"][0]) if item["loc"] else None
                if item["type"] == "extra_forbidden":
                    message = f"unknown column; known columns: {', '.join(ManifestRow.model_fields)}"
                elif item["type"] == "missing":
                    message = "is missing: every row must name its file"
                else:
                    message = str(item["msg"]).removeprefix("Value error, ")
                problems.append(ManifestProblem(manifest, number, column, message))
                if column == "file" or column is None:
                    return problems, None
                data.pop(column, None)


# -- the stage ------------------------------------------------------------------------------------


def _supplied(value: str, row: SuppliedRow, replaces: Fact | None, normalized: str | None = None) -> Fact:
    return Fact(value=value, normalized=normalized, origin="supplied", supplied_by=row.supplied_by, replaces=replaces)


def _person(metadata: Metadata, role: str) -> Person:
    """The participant with this role, created when the text did not reveal one."""
    person = next((p for p in metadata.people if p.role == role), None)
    if person is None:
        taken = {p.id for p in metadata.people}
        person_id = role if role not in taken else f"{role}-supplied"
        person = Person(id=person_id, role=role)  # type: ignore[arg-type]
        metadata.people.append(person)
    return person


def apply_manifest(metadata: Metadata, row: SuppliedRow | None) -> Metadata:
    """Stage ``manifest``: supplied values replace extracted ones, which stay in ``replaces``."""
    if row is None:
        return metadata
    values = row.values
    changed: list[str] = []

    def note(field_name: str, fact: Fact) -> None:
        before = f" (extracted: {fact.replaces.value!r})" if fact.replaces else ""
        changed.append(f"{field_name} {fact.value!r}{before}")

    if values.title:
        metadata.title = _supplied(values.title, row, metadata.title)
        note("title", metadata.title)
    if values.date:
        metadata.interview_date = _supplied(values.date, row, metadata.interview_date, values.date)
        note("date", metadata.interview_date)
    rights = "; ".join(v for v in (values.rights, values.restrictions) if v)
    if rights:
        metadata.rights = _supplied(rights, row, metadata.rights)
        note("rights", metadata.rights)
    if values.collection:
        metadata.collection = _supplied(values.collection, row, metadata.collection)
        note("collection", metadata.collection)
    if values.language:
        metadata.language = values.language
        changed.append(f"language {values.language!r}")
    if values.restricted is not None:
        metadata.restricted = list(values.restricted)
        changed.append(f"restricted {values.restricted!r}")
    if values.subjects is not None:
        extracted = {s.value.casefold(): s for s in metadata.subjects}
        metadata.subjects = [_supplied(s, row, extracted.pop(s.casefold(), None)) for s in values.subjects]
        dropped = f" (extracted and not kept: {', '.join(repr(s.value) for s in extracted.values())})" if extracted else ""
        changed.append(f"subjects {values.subjects!r}{dropped}")
    person_fields = (("interviewee", "interviewee", "name"), ("interviewer", "interviewer", "name"), ("role", "interviewee", "occupation"),
                     ("organization", "interviewee", "organization"), ("place", "interviewee", "place"), ("tenure", "interviewee", "tenure"))
    for column, role, attribute in person_fields:
        value = getattr(values, column)
        if not value:
            continue
        person = _person(metadata, role)
        fact = _supplied(value, row, getattr(person, attribute), value if column == "tenure" else None)
        setattr(person, attribute, fact)
        note(column, fact)
    if changed:
        metadata.decisions.append(Decision("manifest", f"{row.supplied_by} supplied " + "; ".join(changed)))
    return metadata
