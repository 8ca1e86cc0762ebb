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
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError, field_validator, model_validator

from oral_archive.schemas.errors import ArchiveError
from oral_archive.schemas.supplied import SuppliedValues, apply_supplied, field_name, parse_iso_date  # noqa: F401  (parse_iso_date: public here before)

from .document import Decision
from .extract import Metadata

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


class ManifestRow(SuppliedValues):
    """One ingest manifest row: the file it describes and the values supplied for it."""

    file: str

    @field_validator("file")
    @classmethod
    def _file_named(cls, value: str) -> str:
        if not value:
            raise ValueError("names no file")
        return value


class EditRow(SuppliedValues):
    """One ``edit --manifest`` row: the stored record it describes, by file name, record id
    or source URL (at least one), and the values supplied for it."""

    file: str | None = None
    id: str | None = None
    source_url: str | None = None

    @model_validator(mode="after")
    def _names_a_record(self) -> "EditRow":
        if not (self.file or self.id or self.source_url):
            raise ValueError("names no record: give its file, id or source_url")
        return self

    @property
    def reference(self) -> str:
        """What the row names the record by (id first, then URL, then file name)."""
        return self.id or self.source_url or self.file or ""


@dataclass
class SuppliedRow:
    """A validated manifest row, with where it came from (for ``Fact.supplied_by``)."""

    values: ManifestRow | EditRow
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
            row = {h: c for h, c in zip(header, cells) if c.strip() or field_name(h) == "file"}
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


def load_manifest(path: Path | str, row_model: type[ManifestRow] | type[EditRow] = ManifestRow) -> Manifest:
    """Read and validate a manifest; bad cells are dropped and reported, not fatal.

    ``row_model`` is ``ManifestRow`` for ingest (rows name files of the batch) or
    ``EditRow`` for ``edit --manifest`` (rows name stored records).
    """
    path = Path(path)
    manifest = Manifest(path)
    raw_rows = _read_rows(path)
    if path.suffix.lower() == ".csv":
        header = _csv_header(path)
        keys = {"file"} if row_model is ManifestRow else {"file", "id", "source_url"}
        if not keys & {field_name(h) for h in header}:
            raise ManifestError(path, "has no 'file' column naming the file each row describes" if len(keys) == 1
                                else "has no 'file', 'id' or 'source_url' column naming the record each row describes")
        # an unknown CSV column is one mistake in the header (row 1), reported once
        unknown = [h for h in header if field_name(h) not in row_model.model_fields]
        for name in unknown:
            manifest.problems.append(ManifestProblem(path.name, 1, name, f"unknown column{', ignored' if row_model is ManifestRow else ''}; known columns: {', '.join(row_model.model_fields)}"))
        raw_rows = [(n, {k: v for k, v in raw.items() if k not in unknown}) for n, raw in raw_rows]
    for number, raw in raw_rows:
        problems, row = _validate_row(path.name, number, raw, row_model)
        manifest.problems.extend(problems)
        if row is not None:
            manifest.rows.append(SuppliedRow(row, path.name, number))
    return manifest


def _csv_header(path: Path) -> list[str]:
    return next(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")), [])


def _validate_row(manifest: str, number: int, raw: dict[str, Any], row_model: type[ManifestRow] | type[EditRow] = ManifestRow) -> tuple[list[ManifestProblem], ManifestRow | EditRow | None]:
    """Validate one row cell by cell: every bad cell is reported, the good ones are kept."""
    if "__row__" in raw:
        return [ManifestProblem(manifest, number, None, f"a row must be a mapping of column to value, got {raw['__row__']!r}")], None
    data: dict[str, Any] = {}
    problems: list[ManifestProblem] = []
    if "__cells__" in raw:
        cells, columns = raw.pop("__cells__")
        problems.append(ManifestProblem(manifest, number, None, f"has {cells} cells but the header names {columns} columns; the extra cells are ignored"))
    for name, value in raw.items():
        column = field_name(name)
        if column in data:
            problems.append(ManifestProblem(manifest, number, str(name), f"repeats column {column!r}"))
            continue
        data[column] = str(value) if isinstance(value, (int, float, date)) and not isinstance(value, bool) else value
    while True:
        try:
            return problems, row_model.model_validate(data)
        except ValidationError as error:
            for item in error.errors():
                column = str(item["loc"][0]) if item["loc"] else None
                if item["type"] == "extra_forbidden":
                    message = f"unknown column; known columns: {', '.join(row_model.model_fields)}"
                elif item["type"] == "missing":
                    message = "is missing: every row must name its file"
                else:
                    message = str(item["msg"]).removeprefix("Value error, ")
                problems.append(ManifestProblem(manifest, number, column, message))
                if column == "file" or column is None:
                    return problems, None
                data.pop(column, None)


# -- the stage ------------------------------------------------------------------------------------


def apply_manifest(metadata: Metadata, row: SuppliedRow | None) -> Metadata:
    """Stage ``manifest``: supplied values replace extracted ones, which stay in ``replaces``."""
    if row is None:
        return metadata
    changed = apply_supplied(metadata, metadata.people, row.values, row.supplied_by)
    if changed:
        metadata.decisions.append(Decision("manifest", f"{row.supplied_by} supplied " + "; ".join(changed)))
    return metadata
