"""Copies of the same text found at ingest: a relation in both records, the summary, the
``duplicates`` command, withdrawal and reindex (the engine itself: tests/archive/test_duplicates.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.pipeline import ingest
from oral_archive.pipeline.cli import main
from oral_archive.schemas.supplied import SuppliedValues
from oral_archive.schemas.xmlschemas import TEI_NS

from ..conftest import SEED, corpus_files

NS = {"tei": TEI_NS}
SEED_URL = "https://assignbuster.com/interview-with-law-enforcement-officer/"


def other_site_copy(folder: Path) -> Path:
    """The seed essay as another essay site posts it: its own header, menu, footer, its own
    URL at the page break, the title in capitals."""
    text = SEED.read_text(encoding="utf-8").replace(SEED_URL, "https://essayhub.example/law-officer-interview/")
    title, rest = text.split("\n", 1)
    copy = ("EssayHub - free essay samples\nHome | Essays | Contact\n\n" + title.upper() + "\n" + rest
            + "\n\nShare this essay: Facebook Twitter\n© 2024 EssayHub. All rights reserved.\n")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "essayhub-copy.txt"
    path.write_text(copy, encoding="utf-8")
    return path


def relations(archive: Archive, record_id: str) -> list[tuple[str, float]]:
    return [(r.record, r.similarity) for r in archive.get(record_id).relations]


def related_items(archive: Archive, record_id: str) -> list[str]:
    return etree.fromstring(archive.tei(record_id)).xpath("//tei:sourceDesc/tei:bibl/tei:relatedItem[@type='same-text-as']/@target", namespaces=NS)


def test_a_copy_from_another_site_is_related_both_ways(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    ingest([SEED, *corpus_files()], archive)
    (original,) = [i for i in archive.ids() if archive.get(i).source.url == SEED_URL]
    report = ingest([other_site_copy(tmp_path / "in")], archive)
    (result,) = report.results
    assert result.status == "ingested" and result.record_id != original
    assert [other for other, _ in result.copies] == [original] and result.copies[0][1] >= 0.9
    assert report.summary().endswith(", 1 possible duplicate(s)")
    copy = result.record_id
    assert [other for other, _ in relations(archive, copy)] == [original]
    assert [other for other, _ in relations(archive, original)] == [copy]
    assert archive.get(original).version == 2 and archive.get(original).changes[-1].step == "relation"
    assert related_items(archive, copy) == [f"oai:oral-archive:{original}"]
    assert related_items(archive, original) == [f"oai:oral-archive:{copy}"]
    assert archive.validate() == {i: [] for i in archive.all_ids()} and archive.verify().ok
    # relatedItem, the keyword taxonomy and an archivist's change are valid TEI, not only our subset
    archive.edit(copy, SuppliedValues(role="patrol officer"), by="ana")
    assert archive.validate([original, copy], schema="full") == {original: [], copy: []}
    assert archive.index_status(deep=True).state == "ok"
    # no other record got a relation: different interviews, officers among them, stay apart
    assert all(not archive.get(i).relations for i in archive.ids() if i not in (original, copy))


def test_copies_in_one_batch_find_each_other(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    report = ingest([SEED, other_site_copy(tmp_path / "in")], archive)
    assert len(report.possible_duplicates) == 1
    first, second = archive.ids()
    assert [o for o, _ in relations(archive, first)] == [second] and [o for o, _ in relations(archive, second)] == [first]


def run(archive: Path, *args: str):
    return CliRunner().invoke(main, ["--archive", str(archive), *args], catch_exceptions=False, env={"ORAL_ARCHIVE_USER": "ana"})


def test_duplicates_command_lists_clusters_with_disagreements_and_withdrawal_ends_them(tmp_path: Path) -> None:
    path = tmp_path / "archive"
    assert run(path, "ingest", str(SEED), *map(str, corpus_files()[:3])).exit_code == 0
    result = run(path, "ingest", str(other_site_copy(tmp_path / "in")))
    assert result.exit_code == 0 and "possible duplicate: " in result.stdout and "1 possible duplicate(s)" in result.stdout
    archive = Archive(path)
    copy = next(i for i in archive.ids() if archive.get(i).source.filename == "essayhub-copy.txt")
    original = next(i for i in archive.ids() if archive.get(i).source.url == SEED_URL)
    assert run(path, "edit", copy, "--set", "place=Las Cruces").exit_code == 0
    listed = json.loads(run(path, "duplicates", "--json").stdout)
    (cluster,) = listed
    assert sorted(cluster["records"]) == sorted([original, copy]) and cluster["similarity"] >= 0.9
    assert cluster["disagreements"]["interviewee_place"] == {original: "El Paso", copy: "Las Cruces"}
    assert cluster["disagreements"]["source_site"][copy] == "essayhub.example"
    text = run(path, "duplicates")
    assert text.stdout.startswith("cluster 1: 2 records") and "interviewee_place differs" in text.stdout
    assert run(path, "duplicates", "--threshold", "0.1").exit_code == 2
    # the archivist keeps one: the other leaves the clusters
    assert run(path, "withdraw", copy, "--reason", "duplicate of " + original).exit_code == 0
    nothing = run(path, "duplicates")
    assert nothing.stdout == "" and "no two records hold the same text" in nothing.stderr
    assert run(path, "restore", copy).exit_code == 0
    assert len(json.loads(run(path, "duplicates", "--json").stdout)) == 1


def test_the_index_is_rebuilt_from_the_records(tmp_path: Path) -> None:
    path = tmp_path / "archive"
    archive = Archive(path)
    ingest([SEED, other_site_copy(tmp_path / "in")], archive)
    for name in ("duplicates.sqlite", "duplicates.sqlite-wal", "duplicates.sqlite-shm"):
        (path / name).unlink(missing_ok=True)
    # an archive without the file (made before it existed): the command builds it
    assert len(json.loads(run(path, "duplicates", "--json").stdout)) == 1
    (path / "duplicates.sqlite").unlink()
    assert run(path, "reindex").exit_code == 0 and (path / "duplicates.sqlite").exists()
    assert len(json.loads(run(path, "duplicates", "--json").stdout)) == 1
    assert Archive(path).verify().ok


def test_every_record_keeps_its_signature(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    ingest([SEED], archive)
    record = archive.get(archive.ids()[0])
    assert record.signature and record.signature.startswith("mh1-affine32-1-128:") and len(record.signature) == 703


@pytest.mark.parametrize("name", ["03-the-nurse-interview-analysis.txt", "05-interview-fourth-grade-teacher.txt"])
def test_a_new_version_of_a_source_is_not_its_own_duplicate(tmp_path: Path, name: str) -> None:
    source = next(p for p in corpus_files() if p.name == name)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(source.read_bytes())
    archive = Archive(tmp_path / "archive")
    ingest([folder], archive)
    (folder / name).write_bytes(source.read_bytes() + b"\nA paragraph added in the second edition of the page.\n")
    report = ingest([folder], archive)
    assert report.counts["new-version"] == 1 and not report.possible_duplicates
