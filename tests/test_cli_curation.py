"""``oral-archive list / edit / withdraw / restore / purge / diff / history``, as a person runs them."""

from __future__ import annotations

import csv
import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from oral_archive.archive import Archive
from oral_archive.pipeline.cli import main

from .conftest import PROJECT, SEED, SEEDS, corpus_files

ORAL_ARCHIVE = str(Path(sys.executable).with_name("oral-archive"))


def run(archive: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(main, ["--archive", str(archive), *args], catch_exceptions=False, env={"ORAL_ARCHIVE_USER": "ana", **(env or {})})


@pytest.fixture()
def seeded(tmp_path: Path) -> tuple[Path, str]:
    archive = tmp_path / "archive"
    assert run(archive, "ingest", str(SEEDS)).exit_code == 0
    return archive, Archive(archive).ids()[0]


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    archive = tmp_path / "archive"
    result = run(archive, "ingest", *map(str, corpus_files()), str(SEED))
    assert result.exit_code == 0, result.output
    return archive


# -- list ------------------------------------------------------------------------------------------
def test_list_pages_and_json(corpus: Path) -> None:
    ids = Archive(corpus).ids()
    result = run(corpus, "list", "--limit", "3")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ids[:3]
    assert all(" v1 " in line and " active " in line for line in lines)
    assert f"page 1 of {-(-len(ids) // 3)} ({len(ids)} records)" in result.stderr
    rows = [json.loads(line) for line in run(corpus, "list", "--json", "--limit", "100").stdout.splitlines()]
    assert [r["id"] for r in rows] == ids and set(rows[0]) == {"id", "title", "version", "ingested_at", "status"}
    found = [json.loads(line)["id"] for line in run(corpus, "list", "police", "--json").stdout.splitlines()]
    assert found and set(found) < set(ids)


def test_list_says_why_a_page_is_empty(corpus: Path) -> None:
    past = run(corpus, "list", "--page", "9")
    assert past.exit_code == 0 and past.stdout == "" and "page 9 is past the end" in past.stderr
    nothing = run(corpus, "list", "zebra")
    assert nothing.stdout == "" and "no records match 'zebra'" in nothing.stderr
    assert run(corpus, "list", "--page", "0").exit_code == 2
    assert run(corpus, "list", "title:(").exit_code == 1


# -- edit -------------------------------------------------------------------------------------------
def test_edit_set_makes_a_new_version_and_says_what_changed(seeded) -> None:
    archive, record_id = seeded
    result = run(archive, "edit", record_id, "--set", "role=registered nurse", "--set", "Place=Olney, Texas")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{record_id}: version 2: role 'registered nurse' (was 'police officer', extracted)")
    assert "1 edited, 0 unchanged" in result.stderr
    shown = json.loads(run(archive, "show", record_id, "--provenance", "--json").stdout)
    role = next(v for v in shown["values"] if v["field"] == "interviewee.occupation")
    assert role["value"] == "registered nurse" and role["supplied_by"] == "edit by ana" and role["replaces"]["rule"]
    again = run(archive, "edit", record_id, "--set", "role=registered nurse")
    assert again.exit_code == 0 and "unchanged" in again.stdout and len(Archive(archive).store.versions(record_id)) == 2
    assert run(archive, "validate").exit_code == 0 and run(archive, "verify").exit_code == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--set", "colour=red"], "'colour' is no field an archivist can set"),
        (["--set", "date=1976-02-30"], "is not a calendar date"),
        (["--set", "tenure=eight years"], "is not an ISO 8601 duration"),
        (["--set", "restricted=participants.shoe"], "cannot restrict 'participants.shoe'"),
        (["--set", "role"], "is not field=value"),
        (["--set", "role="], "gives no value"),
        (["--set", "role=a", "--set", "occupation=b"], "'role' is set twice"),
        ([], "give RECORD_ID and at least one --set"),
    ],
)
def test_edit_refuses_a_bad_value_in_one_line_and_writes_nothing(seeded, arguments: list[str], message: str) -> None:
    archive, record_id = seeded
    before = sorted(p.name for p in (archive / "records" / record_id).iterdir())
    result = run(archive, "edit", record_id, *arguments)
    assert result.exit_code == 2 and message in result.stderr, result.stderr
    assert result.stderr.startswith("error: ") or "\nerror: " in result.stderr
    assert sorted(p.name for p in (archive / "records" / record_id).iterdir()) == before


def test_edit_an_unknown_record(seeded) -> None:
    archive, _ = seeded
    result = run(archive, "edit", "no-such-record", "--set", "role=nurse")
    assert result.exit_code == 1 and "no record with id 'no-such-record'" in result.stderr
    result = run(archive, "edit", "../etc", "--set", "role=nurse")
    assert result.exit_code == 1 and "no record" in result.stderr


def write_manifest(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_edit_manifest_matches_by_file_id_and_url(corpus: Path, tmp_path: Path) -> None:
    archive = Archive(corpus)
    records = [archive.get(i) for i in archive.ids()]
    with_url = next(r for r in records if r.source.url)
    others = [r for r in records if r is not with_url]
    rows = [
        {"file": others[0].source.filename, "id": "", "source_url": "", "collection": "Working lives", "interviewer": "J.T. Curry; P.D. Lagerquist"},
        {"file": "", "id": others[1].id, "source_url": "", "collection": "Working lives", "interviewer": ""},
        {"file": "", "id": "", "source_url": with_url.source.url, "collection": "Working lives", "interviewer": ""},
    ]
    manifest = write_manifest(tmp_path / "m.csv", rows)
    result = run(corpus, "edit", "--manifest", str(manifest))
    assert result.exit_code == 0, result.output
    assert "3 edited, 0 unchanged" in result.stderr
    edited = {r.id: Archive(corpus).get(r.id) for r in (others[0], others[1], with_url)}
    assert all(r.collection.value == "Working lives" and r.collection.supplied_by.startswith("m.csv row ") for r in edited.values())
    assert edited[others[1].id].collection.supplied_by == "m.csv row 3"
    interviewers = [p.name.value for p in edited[others[0].id].participants if p.role == "interviewer"]
    assert interviewers[-2:] == ["J.T. Curry", "P.D. Lagerquist"]
    assert run(corpus, "edit", "--manifest", str(manifest)).stderr.strip().endswith("0 edited, 3 unchanged")


def test_edit_manifest_with_a_problem_changes_nothing(corpus: Path, tmp_path: Path) -> None:
    archive = Archive(corpus)
    ids = archive.ids()
    manifest = write_manifest(tmp_path / "bad.csv", [
        {"id": ids[0], "date": "1976-03-18", "colour": "red"},
        {"id": ids[1], "date": "1976-13-18", "colour": ""},
        {"id": "nobody-12345678", "date": "1976", "colour": ""},
    ])
    result = run(corpus, "edit", "--manifest", str(manifest))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert any("bad.csv row 1, column 'colour': unknown column" in line for line in lines), lines
    assert any("bad.csv row 3, column 'date'" in line and "not a calendar date" in line for line in lines), lines
    assert any("bad.csv row 4, column 'id'" in line and "nobody-12345678" in line for line in lines), lines
    assert lines[-1].endswith("nothing was changed (fix the rows above and run it again)")
    assert all(len(archive.store.versions(i)) == 1 for i in ids)


# -- withdraw, restore, purge ------------------------------------------------------------------------
def test_withdraw_restore_purge(corpus: Path) -> None:
    archive = Archive(corpus)
    record_id = next(i for i in archive.ids() if i.startswith("interview-with-law-enforcement"))
    assert run(corpus, "withdraw", record_id).exit_code == 2  # --reason is required
    result = run(corpus, "withdraw", record_id, "--reason", "narrator's request")
    assert result.exit_code == 0 and "withdrawn" in result.stdout and "by ana: narrator's request" in result.stdout
    assert run(corpus, "withdraw", record_id, "--reason", "again").stderr.startswith(f"error: record {record_id} is already withdrawn")
    assert record_id not in run(corpus, "list", "--limit", "1000").stdout
    assert record_id in run(corpus, "list", "--withdrawn").stdout
    assert record_id not in run(corpus, "search", "quota").stdout
    for fmt in ("oai_dc", "mods", "csv", "jsonl", "tei-corpus"):
        exported = run(corpus, "export", "--format", fmt)
        assert exported.exit_code == 0 and record_id not in exported.stdout, fmt
    assert run(corpus, "verify").exit_code == 0
    shown = run(corpus, "show", record_id)  # the archivist can still read it, and is told it is out of view
    assert shown.exit_code == 0 and "<TEI" in shown.stdout and f"note: record {record_id} is withdrawn" in shown.stderr

    assert run(corpus, "restore", record_id).exit_code == 0
    assert record_id in run(corpus, "search", "quota").stdout
    assert run(corpus, "restore", record_id).stderr.startswith(f"error: record {record_id} is not withdrawn")

    assert run(corpus, "purge", record_id, "--confirm").stderr.startswith(f"error: record {record_id} is active: only a withdrawn record can be purged")
    run(corpus, "withdraw", record_id, "--reason", "court order")
    unconfirmed = run(corpus, "purge", record_id)
    assert unconfirmed.exit_code == 2 and "--confirm" in unconfirmed.stderr and (corpus / "records" / record_id).is_dir()
    purged = run(corpus, "purge", record_id, "--confirm")
    assert purged.exit_code == 0 and "purged" in purged.stdout and not (corpus / "records" / record_id).exists()
    assert "purged" in run(corpus, "list", "--withdrawn").stdout
    shown = run(corpus, "show", record_id)
    assert shown.exit_code == 1 and "was purged" in shown.stderr
    assert run(corpus, "verify").exit_code == 0
    for command in ("withdraw", "restore", "purge"):
        extra = ["--reason", "x"] if command == "withdraw" else ["--confirm"] if command == "purge" else []
        result = run(corpus, command, "no-such-record", *extra)
        assert result.exit_code == 1 and result.stderr.startswith("error: "), (command, result.stderr)


# -- diff and history ----------------------------------------------------------------------------------
def test_diff_between_versions(seeded) -> None:
    archive, record_id = seeded
    run(archive, "edit", record_id, "--set", "role=registered nurse")
    run(archive, "edit", record_id, "--set", "collection=Nurses of Texas", "--by", "ben")
    last = run(archive, "diff", record_id)
    assert last.exit_code == 0 and last.stdout == "collection: (none) -> 'Nurses of Texas' (supplied, edit by ben)\n"
    first_to_last = run(archive, "diff", record_id, "1", "3", "--json")
    fields = {c["field"]: c for c in json.loads(first_to_last.stdout)}
    assert set(fields) == {"interviewee.occupation", "collection"}
    assert fields["interviewee.occupation"]["before"] == {"value": "police officer", "origin": "extracted", "supplied_by": None}
    assert run(archive, "diff", record_id, "1").exit_code == 2
    assert run(archive, "diff", record_id, "1", "9").exit_code == 1
    assert run(archive, "diff", "nope", "1", "2").exit_code == 1
    same = run(archive, "diff", record_id, "2", "2")
    assert same.stdout == "" and "no field differs" in same.stderr


def test_history_says_in_one_line_what_each_version_changed(seeded) -> None:
    archive, record_id = seeded
    run(archive, "edit", record_id, "--set", "role=registered nurse")
    lines = run(archive, "history", record_id).stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("v1 ") and "ingested interview-with-law-enforcement-officer.txt" in lines[0]
    assert lines[1].startswith("v2 ") and "edited by ana" in lines[1] and "role 'registered nurse'" in lines[1]


# -- a crash in the middle of a batch edit --------------------------------------------------------------
def _write_transcripts(folder: Path, count: int, size: int) -> list[Path]:
    spec = importlib.util.spec_from_file_location("bench_ingest", PROJECT / "bench" / "ingest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write_transcripts(folder, count, size, seed=5)


def test_sigkill_during_edit_manifest_leaves_no_half_applied_record(tmp_path: Path) -> None:
    inputs = _write_transcripts(tmp_path / "in", 200, 3_000)
    archive_path = tmp_path / "archive"
    assert subprocess.run([ORAL_ARCHIVE, "--archive", str(archive_path), "ingest", str(tmp_path / "in")], capture_output=True).returncode == 0
    manifest = write_manifest(tmp_path / "m.csv", [{"file": p.name, "collection": "Batch 7", "role": f"welder {n}"} for n, p in enumerate(inputs)])
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    command = [ORAL_ARCHIVE, "--archive", str(archive_path), "edit", "--manifest", str(manifest), "--by", "ana"]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while child.poll() is None and not list(archive_path.glob("records/*/v2")) and time.monotonic() < deadline:
        time.sleep(0.002)
    time.sleep(rng.uniform(0, 0.3))
    killed = child.poll() is None
    if killed:
        child.send_signal(signal.SIGKILL)
    child.wait()
    archive = Archive(archive_path)
    report = archive.verify()
    assert report.ok, (seed, report.problems)
    edited_at_kill = 0
    for record_id in archive.ids():
        record = archive.get(record_id)
        person = record.person("interviewee")
        if record.version == 1:
            assert record.collection is None or record.collection.origin == "extracted"
        else:  # both values of its row, never one of them
            edited_at_kill += 1
            assert record.version == 2 and record.collection.value == "Batch 7" and person.occupation.value.startswith("welder "), (seed, record_id)
    assert killed and 0 < edited_at_kill < 200, (seed, killed, edited_at_kill)

    rerun = subprocess.run(command, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{200 - edited_at_kill} edited, {edited_at_kill} unchanged" in rerun.stderr
    archive = Archive(archive_path)
    assert all(len(archive.store.versions(i)) == 2 for i in archive.ids())
    assert archive.verify().ok and archive.index_status(deep=True).state == "ok"
    assert all(archive.get(i).collection.value == "Batch 7" for i in archive.ids())
    assert not (archive_path / "index-pending.txt").exists()
