"""The ``oral-archive`` command: every subcommand, its help, its errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from oral_archive.pipeline.cli import main

from .conftest import SEED, SEEDS, corpus_files

SUBCOMMANDS = ["ingest", "search", "show", "export", "validate", "verify", "bag", "history", "quarantine", "reindex", "index-status",
               "list", "edit", "withdraw", "restore", "purge", "diff", "serve"]


def run(archive: Path, *args: str) -> "Result":
    result = CliRunner().invoke(main, ["--archive", str(archive), *args], catch_exceptions=False)
    return result


@pytest.fixture()
def seeded(tmp_path: Path) -> Path:
    archive = tmp_path / "archive"
    result = run(archive, "ingest", str(SEEDS))
    assert result.exit_code == 0, result.output
    return archive


def record_id(archive: Path) -> str:
    return json.loads(run(archive, "search", "quota", "--json").output)["hits"][0]["id"]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command: str) -> None:
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and command in result.output


def test_ingest_prints_summary_and_is_idempotent(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    first = run(archive, "ingest", str(SEED))
    assert first.exit_code == 0
    assert "1 ingested, 0 unchanged, 0 rejected" in first.output
    second = run(archive, "ingest", str(SEED))
    assert "0 ingested, 1 unchanged, 0 rejected" in second.output


def test_ingest_folder_and_json(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for path in corpus_files()[:3]:
        (folder / path.name).write_bytes(path.read_bytes())
    result = run(tmp_path / "archive", "ingest", str(folder), "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["summary"] == {"ingested": 3}
    assert sorted(Path(r["path"]).name for r in data["results"]) == sorted(p.name for p in corpus_files()[:3])


def test_ingest_missing_path_is_a_one_line_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--archive", str(tmp_path / "a"), "ingest", str(tmp_path / "nope.txt")])
    assert result.exit_code != 0
    assert "nope.txt" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_ingest_unsupported_file_is_rejected_and_quarantined(seeded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4 not a transcript")
    result = CliRunner().invoke(main, ["--archive", str(seeded), "ingest", str(bad)])
    assert result.exit_code == 1
    assert "scan.pdf" in result.output and "unsupported file type" in result.output
    quarantined = json.loads(run(seeded, "quarantine", "--json").output)
    assert [entry["file"] for entry in quarantined] == ["scan.pdf"]
    kept = list(Path(quarantined[0]["path"]).glob("original*"))
    assert [p.read_bytes() for p in kept] == [bad.read_bytes()]
    # what was already there is untouched
    assert run(seeded, "validate").exit_code == 0


def test_empty_file_is_rejected_with_its_name(seeded: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = CliRunner().invoke(main, ["--archive", str(seeded), "ingest", str(empty)])
    assert result.exit_code == 1
    assert "empty.txt" in result.output and "empty" in result.output


def test_search_prints_hit_with_highlighted_snippet(seeded: Path) -> None:
    result = run(seeded, "search", "quota")
    assert result.exit_code == 0
    assert "Interview with law enforcement officer" in result.output
    assert "»quota«" in result.output  # plain-output highlight (not a terminal)


def test_search_json(seeded: Path) -> None:
    data = json.loads(run(seeded, "search", 'role:"police officer"', "--json").output)
    assert data["total"] == 1
    assert data["hits"][0]["title"] == "Interview with law enforcement officer"


@pytest.mark.parametrize("query", ["nosuchfield:value", "", "   "])
def test_unparseable_query_is_a_one_line_error(seeded: Path, query: str) -> None:
    result = CliRunner().invoke(main, ["--archive", str(seeded), "search", query])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("error: bad query")


def test_search_without_archive_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--archive", str(tmp_path / "none"), "search", "quota"])
    assert result.exit_code == 1
    assert "no archive here" in result.output


def test_show_prints_tei_and_json(seeded: Path) -> None:
    rid = record_id(seeded)
    tei = run(seeded, "show", rid)
    assert tei.exit_code == 0
    root = etree.fromstring(tei.stdout_bytes)
    assert root.tag == "{http://www.tei-c.org/ns/1.0}TEI"
    record = json.loads(run(seeded, "show", rid, "--json").output)
    assert record["id"] == rid and record["title"]["value"] == "Interview with law enforcement officer"


def test_show_unknown_id_is_an_error(seeded: Path) -> None:
    result = CliRunner().invoke(main, ["--archive", str(seeded), "show", "no-such-record"])
    assert result.exit_code == 1
    assert "no-such-record" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("fmt", ["oai_dc", "csv", "jsonl"])
def test_export_formats_to_file(seeded: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"export.{fmt}"
    result = run(seeded, "export", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0
    data = out.read_bytes()
    if fmt == "oai_dc":
        titles = etree.fromstring(data).xpath("//dc:title/text()", namespaces={"dc": "http://purl.org/dc/elements/1.1/"})
        assert titles == ["Interview with law enforcement officer"]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert [(r["title"], r["role"], r["tenure"]) for r in rows] == [("Interview with law enforcement officer", "police officer", "P8Y")]
    else:
        lines = data.decode("utf-8").splitlines()
        assert [json.loads(line)["source"]["url"] for line in lines] == ["https://assignbuster.com/interview-with-law-enforcement-officer/"]


def test_export_unknown_format_is_a_usage_error_naming_the_formats(seeded: Path) -> None:
    result = CliRunner().invoke(main, ["--archive", str(seeded), "export", "--format", "marc"])
    assert result.exit_code == 2, result.output
    first = result.output.splitlines()[0]
    assert first.startswith("error: invalid value for '--format': 'marc' is not one of"), result.output
    assert all(f"'{fmt}'" in first for fmt in ("oai_dc", "mods", "csv", "jsonl", "tei-corpus"))


def test_validate_all_and_one(seeded: Path) -> None:
    assert run(seeded, "validate").exit_code == 0
    assert run(seeded, "validate", record_id(seeded)).exit_code == 0
    assert CliRunner().invoke(main, ["--archive", str(seeded), "validate", "missing-id"]).exit_code == 1


def test_validate_reports_tampering(seeded: Path) -> None:
    rid = record_id(seeded)
    (original,) = (seeded / "records" / rid / "v1" / "data").glob("original*")
    data = bytearray(original.read_bytes())
    data[10] ^= 0x01
    original.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["--archive", str(seeded), "validate", "--json"])
    assert result.exit_code == 1
    problems = json.loads(result.output)[rid]
    assert any(p["layer"] == "fixity" for p in problems)


def test_history_and_reindex(seeded: Path) -> None:
    rid = record_id(seeded)
    assert json.loads(run(seeded, "history", rid, "--json").output)[0]["version"] == 1
    assert run(seeded, "reindex").exit_code == 0
    assert json.loads(run(seeded, "search", "quota", "--json").output)["total"] == 1


def test_cli_commands_do_not_load_tei_all(tmp_path: Path) -> None:
    """ingest, search and show must stay fast: the 9-second tei_all.rng is only for validate --tei-all."""
    script = f"""
import sys
from click.testing import CliRunner
from oral_archive.pipeline.cli import main
from oral_archive.schemas import xmlschemas
runner = CliRunner()
for args in (["ingest", {str(SEED)!r}], ["search", "quota"], ["show", "--json", "x"]):
    runner.invoke(main, ["--archive", {str(tmp_path / 'a')!r}, *args])
print(xmlschemas.tei_all.cache_info().currsize)
"""
    output = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env={**os.environ}).stdout
    assert output.strip() == "0"


def test_console_script_is_installed() -> None:
    result = subprocess.run([str(Path(sys.executable).parent / "oral-archive"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "ingest" in result.stdout


def test_outputs_inside_the_archive_are_refused(seeded: Path) -> None:
    rid = record_id(seeded)
    (original,) = (seeded / "records" / rid / "v1" / "data").glob("original*")
    before = original.read_bytes()
    export = CliRunner().invoke(main, ["--archive", str(seeded), "export", "--format", "csv", "-o", str(original)])
    assert export.exit_code == 1 and "inside the archive" in export.output
    bag = CliRunner().invoke(main, ["--archive", str(seeded), "bag", rid, "-o", str(seeded / "records")])
    assert bag.exit_code == 1 and "inside the archive" in bag.output
    assert original.read_bytes() == before
    assert run(seeded, "verify").exit_code == 0


def test_a_damaged_record_json_is_a_one_line_error(seeded: Path) -> None:
    rid = record_id(seeded)
    (seeded / "records" / rid / "v1" / "data" / "record.json").write_text('{"id": "broken"}', encoding="utf-8")
    result = CliRunner().invoke(main, ["--archive", str(seeded), "show", rid, "--json"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "record.json is not a valid record" in result.output and len(result.output.strip().splitlines()) == 1


def test_rejection_reasons_are_printed_verbatim(seeded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "tape [side b].pdf"
    bad.write_bytes(b"%PDF-1.4")
    result = CliRunner().invoke(main, ["--archive", str(seeded), "ingest", str(bad)])
    assert result.exit_code == 1 and "tape [side b].pdf" in result.output


def test_an_internal_error_is_one_line_not_a_traceback(seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from oral_archive.archive import core

    def broken(self, *args, **kwargs):
        raise RuntimeError("simulated defect")

    monkeypatch.setattr(core.Archive, "search", broken)
    result = CliRunner().invoke(main, ["--archive", str(seeded), "search", "quota"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.output.strip() == "error: internal error (RuntimeError: simulated defect); please report it with the command you ran"


def test_ingesting_the_archive_itself_is_refused(seeded: Path) -> None:
    result = CliRunner().invoke(main, ["--archive", str(seeded), "ingest", str(seeded / "records")])
    assert result.exit_code == 1 and "inside the archive" in result.output
    assert json.loads(run(seeded, "quarantine", "--json").output) == []


def test_a_rejected_file_is_quarantined_once_however_often_it_is_ingested(seeded: Path, tmp_path: Path) -> None:
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"%PDF-1.4")
    for _ in range(3):
        assert CliRunner().invoke(main, ["--archive", str(seeded), "ingest", str(bad)]).exit_code == 1
    assert [entry["file"] for entry in json.loads(run(seeded, "quarantine", "--json").output)] == ["notes.pdf"]
    bad.write_bytes(b"%PDF-1.5 other bytes")
    CliRunner().invoke(main, ["--archive", str(seeded), "ingest", str(bad)])
    assert len(json.loads(run(seeded, "quarantine", "--json").output)) == 2


# -- searches with no hits say why, when the reason is not the query's words --------------------

TRANSCRIPT = """Oral History Interview with Jane Smith
Nursing

Q: When did you start working as a nurse at Mercy Hospital?
SMITH: I have been a nurse since 1975 and loved the night shifts.
Q: What was it like?
SMITH: Hard work on the wards but rewarding.
"""


@pytest.fixture()
def with_speakers(seeded: Path, tmp_path: Path) -> Path:
    transcript = tmp_path / "jane-smith.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    assert run(seeded, "ingest", str(transcript)).exit_code == 0
    return seeded


def test_an_unknown_speaker_is_named_as_the_reason_for_no_hits(with_speakers: Path) -> None:
    result = CliRunner().invoke(main, ["--archive", str(with_speakers), "search", "nurse", "--speaker", "Nobody"])
    assert result.exit_code == 0
    assert result.stdout == "0 hit(s) for 'nurse' said by 'Nobody'\n"
    (line,) = result.stderr.splitlines()  # one line, why
    assert line.startswith("warning: no hits: no participant in the archive matches the speaker 'Nobody'")
    assert "interviewee, interviewer" in line  # what --speaker can name instead
    # the same in --json and from the library
    data = json.loads(CliRunner().invoke(main, ["--archive", str(with_speakers), "search", "nurse", "--speaker", "Nobody", "--json"]).stdout)
    assert data["total"] == 0 and data["warnings"] == [line.removeprefix("warning: ")]
    from oral_archive.archive import Archive

    assert Archive(with_speakers).search("nurse", speaker="Nobody").warnings == data["warnings"]


def test_a_misspelt_speaker_gets_the_similar_names(with_speakers: Path) -> None:
    result = CliRunner().invoke(main, ["--archive", str(with_speakers), "search", "nurse", "--speaker", "Smyth"])
    assert result.exit_code == 0 and "similar: smith" in result.stderr, result.stderr
    # a speaker who exists but did not say it: no warning, the words are the reason
    found = CliRunner().invoke(main, ["--archive", str(with_speakers), "search", "zeppelin", "--speaker", "Smith"])
    assert found.exit_code == 0 and found.stdout.startswith("0 hit(s)") and found.stderr == ""


def test_a_page_past_the_last_says_how_many_pages_there_are(with_speakers: Path) -> None:
    result = CliRunner().invoke(main, ["--archive", str(with_speakers), "search", "nurse OR police", "--limit", "1", "--page", "9"])
    assert result.exit_code == 0
    assert result.stdout.startswith("2 hit(s) for 'nurse OR police'; page 9 of 2")
    (line,) = result.stderr.splitlines()
    assert line == "warning: no hits on page 9: the 2 hit(s) fill 2 page(s) of 1, so the last page is 2"
    data = json.loads(CliRunner().invoke(main, ["--archive", str(with_speakers), "search", "nurse OR police", "--limit", "1", "--page", "9", "--json"]).stdout)
    assert data["hits"] == [] and data["warnings"] == [line.removeprefix("warning: ")]
    # the last page itself, and a search with no hits at all, need no such note
    last = CliRunner().invoke(main, ["--archive", str(with_speakers), "search", "nurse OR police", "--limit", "1", "--page", "2"])
    none = CliRunner().invoke(main, ["--archive", str(with_speakers), "search", "zeppelin", "--page", "3"])
    assert last.stderr == "" and none.stderr == ""


# -- a text with nothing but a title -------------------------------------------------------------


@pytest.mark.parametrize("name, text", [
    ("title.md", "# Title only\n"),
    ("header.txt", "Oral History Interview with Jane Smith\nNursing\n"),
])
def test_a_text_with_no_body_is_rejected_in_plain_words(seeded: Path, tmp_path: Path, name: str, text: str) -> None:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["--archive", str(seeded), "ingest", str(source)])
    assert result.exit_code == 1
    assert "0 ingested, 0 unchanged, 1 rejected" in result.stdout
    assert f"rejected {source}: has no body: nothing but a title or header" in result.stderr, result.stderr
    assert "tei:" not in result.output and "Expecting" not in result.output  # no schema jargon
    # still kept in quarantine, with that reason
    (entry,) = json.loads(run(seeded, "quarantine", "--json").output)
    assert entry["file"] == name and "has no body" in entry["reason"]
    assert [p.read_bytes() for p in Path(entry["path"]).glob("original*")] == [text.encode("utf-8")]
