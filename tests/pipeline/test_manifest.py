"""Archivist-supplied metadata: supplied values win, extracted ones are kept, bad rows are named."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.pipeline import ingest
from oral_archive.pipeline.cli import main
from oral_archive.pipeline.manifest import ManifestError, load_manifest
from oral_archive.schemas.xmlschemas import TEI_NS

from ..conftest import CORPUS, SEED

NS = {"tei": TEI_NS}
DETECTIVE = "01-detective-career-interview.txt"
TEACHER = "02-an-interview-with-my-teacher.txt"


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in (DETECTIVE, TEACHER):
        shutil.copy(CORPUS / name, folder / name)
    shutil.copy(SEED, folder / SEED.name)
    return folder


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def record_for(archive: Archive, filename: str):
    (record_id,) = [rid for rid in archive.ids() if archive.get(rid).source.filename == filename]
    return archive.get(record_id), etree.fromstring(archive.tei(record_id))


def test_supplied_values_win_and_the_extracted_ones_are_kept(batch: Path, empty_archive: Archive) -> None:
    manifest = write(batch / "manifest.csv", (
        "file,interviewee,interviewer,date,subjects,rights,collection,tenure\n"
        f"{DETECTIVE},John A. Brown,Jane Student,2015-09-01,Policing; Careers,Public domain,Essays 2015,P21Y\n"
    ))
    report = ingest([batch], empty_archive, manifest=manifest)
    assert report.manifest_problems == []
    assert report.counts["ingested"] == 3  # the manifest itself is not ingested as an interview
    record, tei = record_for(empty_archive, DETECTIVE)
    name = record.person("interviewee").name
    assert (name.value, name.origin, name.supplied_by) == ("John A. Brown", "supplied", "manifest.csv row 2")
    assert name.replaces is not None and name.replaces.value == "John Brown" and name.replaces.origin == "extracted"
    assert name.replaces.evidence.rule.startswith("name.")
    tenure = record.person("interviewee").tenure
    assert (tenure.normalized, tenure.replaces.normalized) == ("P21Y", "P20Y")
    assert record.person("interviewer").name.value == "Jane Student"
    assert [s.value for s in record.subjects] == ["Policing", "Careers"]
    assert record.interview_date.normalized == "2015-09-01"
    assert record.rights.value == "Public domain" and record.collection.value == "Essays 2015"
    # untouched fields keep their extracted value and evidence
    assert record.person("interviewee").organization.origin == "extracted"
    # the TEI says who supplied what, and the revision history records the override
    pers_name = tei.xpath("//tei:person[@role='interviewee']/tei:persName[not(@type)]", namespaces=NS)[0]
    assert (pers_name.text, pers_name.get("resp")) == ("John A. Brown", "#archivist")
    assert any(c.step == "manifest" and "John Brown" in c.description for c in record.changes)
    # a record's id follows the text, not the manifest
    other = Archive(empty_archive.path.parent / "plain")
    ingest([batch / DETECTIVE], other)
    assert other.ids() == [record.id]


def test_bad_rows_are_named_by_row_and_column_and_the_rest_ingests(batch: Path, empty_archive: Archive) -> None:
    manifest = write(batch / "manifest.csv", (
        "file,interviewee,date,tenure,colour\n"
        f"{DETECTIVE},John A. Brown,18/03/1976,,red\n"
        f"{TEACHER},Mr. Gordon Smith,2018-02-30,eight years,\n"
        "missing.txt,Somebody,,,\n"
    ))
    report = ingest([batch], empty_archive, manifest=manifest)
    problems = {(p.row, p.column): p.message for p in report.manifest_problems}
    assert set(problems) == {(1, "colour"), (2, "date"), (3, "date"), (3, "tenure"), (4, "file")}
    assert "ISO 8601" in problems[(2, "date")] and "calendar" in problems[(3, "date")]
    assert "missing.txt" in problems[(4, "file")]
    assert str(report.manifest_problems[0]).startswith("manifest.csv row 1, column 'colour'")
    # every file still ingested; the good cells of a row with a bad cell still apply
    assert report.counts["ingested"] == 3 and not report.rejected
    detective, _ = record_for(empty_archive, DETECTIVE)
    assert detective.person("interviewee").name.value == "John A. Brown"
    assert detective.interview_date is None or detective.interview_date.origin == "extracted"
    teacher, _ = record_for(empty_archive, TEACHER)
    assert teacher.person("interviewee").name.value == "Mr. Gordon Smith"
    assert teacher.person("interviewee").tenure.origin == "extracted"


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_json_and_yaml_manifests(batch: Path, empty_archive: Archive, suffix: str) -> None:
    rows = [
        {"file": TEACHER, "subjects": ["Teaching"], "role": "music teacher", "restrictions": "Closed until 2030",
         "restricted": ["participants.name", "source.filename"]},
        {"file": DETECTIVE, "tenure": "20 years", "restricted": "participants.name; participants.shoe_size"},
        {"file": SEED.name, "interviewee name": "Officer Doe"},
    ]
    text = json.dumps(rows) if suffix == ".json" else "files:\n" + "".join(
        "  - " + json.dumps(row) + "\n" for row in rows
    )
    report = ingest([batch], empty_archive, manifest=write(batch.parent / f"m{suffix}", text))
    assert [(p.row, p.column) for p in report.manifest_problems] == [(2, "tenure"), (2, "restricted")]
    assert "participants.shoe_size" in report.manifest_problems[1].message
    teacher, _ = record_for(empty_archive, TEACHER)
    occupation = teacher.person("interviewee").occupation
    assert (occupation.value, occupation.replaces.value) == ("music teacher", "teacher")
    assert teacher.rights.value == "Closed until 2030"
    assert teacher.restricted == ["participants.name", "source.filename"]
    detective, _ = record_for(empty_archive, DETECTIVE)
    assert detective.restricted == []  # a bad cell supplies nothing
    seed, _ = record_for(empty_archive, SEED.name)
    assert seed.person("interviewee").name.value == "Officer Doe"
    assert seed.person("interviewee").name.replaces is None  # the text names nobody


def test_supplied_record_is_valid_tei(batch: Path, empty_archive: Archive, tei_all_schema: etree.RelaxNG) -> None:
    manifest = write(batch / "m.csv", f"file,interviewer,date,subjects,collection\n{SEED.name},A. Archivist,1999-04,Law; Police,Oral histories\n")
    report = ingest([batch / SEED.name], empty_archive, manifest=manifest)
    assert not report.manifest_problems and not report.rejected
    _, tei = record_for(empty_archive, SEED.name)
    assert tei_all_schema.validate(etree.ElementTree(tei)), tei_all_schema.error_log
    assert [t.text for t in tei.xpath("//tei:keywords[not(@n)]/tei:term", namespaces=NS)] == ["Law", "Police"]
    assert tei.xpath("//tei:keywords[not(@n)]/tei:term[1]/@resp", namespaces=NS) == ["#archivist"]
    assert tei.xpath("string(//tei:fileDesc/tei:seriesStmt/tei:title)", namespaces=NS) == "Oral histories"


def test_unreadable_manifest_stops_before_anything_is_stored(tmp_path: Path, batch: Path, empty_archive: Archive) -> None:
    for name, text, message in (
        ("m.csv", "name,date\nx,2000\n", "no 'file' column"),
        ("m.json", "{not json", "not valid JSON"),
        ("m.txt", "file\n", "unknown manifest format"),
    ):
        with pytest.raises(ManifestError, match=message):
            ingest([batch], empty_archive, manifest=write(tmp_path / name, text))
    assert empty_archive.ids() == []


def test_ambiguous_and_repeated_rows(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    files = [tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt", tmp_path / "a" / "y.txt"]
    manifest = load_manifest(write(tmp_path / "m.csv", "file,title\nx.txt,One\na/x.txt,Two\na/y.txt,Three\ny.txt,Four\n"))
    matched, problems = manifest.match(files, roots=[tmp_path])
    assert {p.name for p in matched} == {"x.txt", "y.txt"}
    assert matched[files[0]].values.title == "Two" and matched[files[2]].values.title == "Three"
    assert [(p.row, p.column) for p in problems] == [(2, "file"), (5, "file")]
    assert "matches 2 files" in problems[0].message and "already has a row" in problems[1].message


def test_cli_reports_problems_and_exits_1(batch: Path, tmp_path: Path) -> None:
    manifest = write(tmp_path / "m.csv", f"file,date\n{DETECTIVE},March 1976\n")
    result = CliRunner().invoke(main, ["--archive", str(tmp_path / "arch"), "ingest", str(batch), "--manifest", str(manifest)])
    assert result.exit_code == 1
    assert "m.csv row 2, column 'date'" in result.output
    assert "3 ingested" in result.output


def test_a_row_for_a_file_already_stored_unchanged_is_reported(batch: Path, empty_archive: Archive) -> None:
    ingest([batch / DETECTIVE], empty_archive)
    manifest = write(batch / "manifest.csv", f"file,interviewee\n{DETECTIVE},John A. Brown\n{TEACHER},Mr. Gordon Smith\n")
    report = ingest([batch], empty_archive, manifest=manifest)
    assert [(p.row, p.column) for p in report.manifest_problems] == [(2, "file")]
    assert "already in the archive unchanged" in report.manifest_problems[0].message
    detective, _ = record_for(empty_archive, DETECTIVE)
    assert detective.person("interviewee").name.origin == "extracted"  # not silently changed
    teacher, _ = record_for(empty_archive, TEACHER)
    assert teacher.person("interviewee").name.value == "Mr. Gordon Smith"


def test_extra_cells_beyond_the_header_are_reported(tmp_path: Path) -> None:
    manifest = load_manifest(write(tmp_path / "m.csv", "file,title\na.txt,One,stray value\nb.txt,Two\n"))
    assert [(p.row, p.column) for p in manifest.problems] == [(2, None)]
    assert "3 cells" in manifest.problems[0].message
    assert [(r.file, r.values.title, r.supplied_by) for r in manifest.rows] == [("a.txt", "One", "m.csv row 2"), ("b.txt", "Two", "m.csv row 3")]


def test_several_interviewers_in_one_cell_become_several_people(batch: Path, empty_archive: Archive) -> None:
    """"A; B" in the interviewer column used to give one person named "A; B"."""
    manifest = write(batch / "manifest.csv", f"file,interviewer\n{TEACHER},J.T. Curry; P.D. Lagerquist\n")
    report = ingest([batch], empty_archive, manifest=manifest)
    assert report.manifest_problems == [] and not report.rejected
    record, tei = record_for(empty_archive, TEACHER)
    interviewers = [p for p in record.participants if p.role == "interviewer"]
    assert [p.name.value for p in interviewers] == ["J.T. Curry", "P.D. Lagerquist"]
    assert len({p.id for p in interviewers}) == 2 and all(p.name.supplied_by == "manifest.csv row 2" for p in interviewers)
    names = tei.xpath("//tei:person[@role='interviewer']/tei:persName[not(@type)]/text()", namespaces=NS)
    assert names == ["J.T. Curry", "P.D. Lagerquist"]
