"""What the command line prints of the archive's data comes out exactly as written.

The transcript, its title and its file name hold console markup ("[bold]", "[/]",
"[red]...[/red]") and emoji codes (":smile:", and "3:x:1", which reads as one): every
command that prints them must print them literally, never styled, never as pictures,
and never fail with a markup error.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from oral_archive.archive.search.limits import MAX_QUERY_CHARS
from oral_archive.pipeline.cli import main
from oral_archive.pipeline.cli.search_cmd import _terminal_snippet

TITLE = "Interview [bold]with[/] a ferry pilot :smile: 3:x:1"
TRANSCRIPT = f"""{TITLE}

Transport

The ferry pilot said the crossing [/] took 3:x:1 hours and he would :smile: at the [red]harbour[/red] lights every night. He worked the ferry for twelve years [bold] and loved it.

Asked about storms, he said the [/bold] waves on the ferry route were the worst he had seen.
"""
FILE_NAME = "[bold]ferry :smile: 3:x:1.txt"
REJECTED_NAME = "[/]scan :x: [red].pdf".replace("/", "")  # a file name cannot hold "/"
SUBJECT = "Ferries [bold] :smile: 3:x:1"  # supplied by a manifest
# What rich makes of the codes above when emoji are on: 😄 ❌
PICTURES = ("\U0001f604", "\u274c")


def run(archive: Path, *args: str):
    return CliRunner().invoke(main, ["--archive", str(archive), *args], catch_exceptions=False)


def assert_no_pictures(output: str) -> None:
    for picture in PICTURES:
        assert picture not in output, output


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("markup")
    (folder / FILE_NAME).write_text(TRANSCRIPT, encoding="utf-8")
    with open(folder / "manifest.csv", "w", newline="", encoding="utf-8") as manifest:
        csv.writer(manifest).writerows([["file", "subjects"], [FILE_NAME, SUBJECT]])
    archive = folder / "archive"
    result = run(archive, "ingest", str(folder / FILE_NAME), "--manifest", str(folder / "manifest.csv"))
    assert result.exit_code == 0, result.output
    return archive


@pytest.fixture(scope="module")
def record_id(archive: Path) -> str:
    return json.loads(run(archive, "search", "ferry", "--json").output)["hits"][0]["id"]


def test_search_prints_titles_snippets_and_the_query_literally(archive: Path):
    result = run(archive, "search", "ferry :smile:")
    assert result.exit_code == 0, result.output
    assert "hit(s) for 'ferry :smile:'" in result.output
    assert f"\n{TITLE}  (" in result.output
    snippets = [line for line in result.output.splitlines() if line.startswith(("  h", "  p"))]
    assert "  h1  Interview [bold]with[/] a »ferry« pilot :»smile«: 3:x:1" in snippets, result.output
    assert any("crossing [/] took 3:x:1 hours and he would :»smile«: at the [red]harbour[/red] lights" in line for line in snippets), result.output
    assert any("the [/bold] waves on the »ferry« route" in line for line in snippets), result.output
    assert_no_pictures(result.output)


def test_facet_values_are_printed_literally(archive: Path):
    result = run(archive, "search", "ferry", "--facets")
    assert result.exit_code == 0, result.output
    assert f"\nsubject: {SUBJECT} (1)" in result.output
    assert_no_pictures(result.output)


def test_terminal_snippets_style_only_the_marked_words():
    snippet = _terminal_snippet("the [/] <mark>ferry</mark> took 3:x:1 hours :smile: &amp; [bold]", styled=True)
    assert snippet.plain == "the [/] ferry took 3:x:1 hours :smile: & [bold]"
    assert [(snippet.plain[span.start : span.end], str(span.style)) for span in snippet.spans] == [("ferry", "bold yellow")]
    console = Console(file=io.StringIO(), force_terminal=True, color_system="standard", width=200)
    console.print(snippet)  # a Text is never read as markup, whatever the console's settings
    assert re.sub(r"\x1b\[[0-9;]*m", "", console.file.getvalue()) == snippet.plain + "\n"


def test_show_provenance_prints_values_and_sentences_literally(archive: Path, record_id: str):
    result = run(archive, "show", record_id, "--provenance")
    assert result.exit_code == 0, result.output
    assert f"title: {TITLE}" in result.output
    assert f"\u201c{TITLE}\u201d" in result.output
    assert "the crossing [/] took 3:x:1 hours and he would :smile: at the [red]harbour[/red] lights" in result.output
    assert_no_pictures(result.output)


def test_show_prints_the_tei_unchanged(archive: Path, record_id: str):
    result = run(archive, "show", record_id)
    assert result.exit_code == 0
    assert f"<title>{TITLE}</title>" in result.output
    assert "took 3:x:1 hours and he would :smile: at the" in result.output


def test_history_prints_the_file_name_literally(archive: Path, record_id: str):
    result = run(archive, "history", record_id)
    assert result.exit_code == 0, result.output
    assert f"ingested {FILE_NAME} (SHA-256" in result.output
    assert_no_pictures(result.output)


def test_rejected_file_names_are_printed_literally(archive: Path, tmp_path: Path):
    rejected = tmp_path / REJECTED_NAME
    rejected.write_bytes(b"%PDF-1.4 not a transcript")
    result = CliRunner().invoke(main, ["--archive", str(archive), "ingest", str(rejected)])
    assert result.exit_code == 1
    assert f"rejected {rejected}: unsupported file type" in result.output
    listing = run(archive, "quarantine")
    assert listing.exit_code == 0, listing.output
    assert f"  {REJECTED_NAME}: unsupported file type" in listing.output
    assert_no_pictures(result.output + listing.output)


def test_export_message_quotes_the_query_literally(archive: Path, tmp_path: Path):
    result = CliRunner().invoke(main, ["--archive", str(archive), "export", "--format", "csv", "-o", str(tmp_path / "out.csv"), "ferry :smile: 3:x:1"])
    assert result.exit_code == 0, result.output
    assert "exported 1 record(s) matching 'ferry :smile: 3:x:1' as csv" in result.output
    assert_no_pictures(result.output)


def test_bag_prints_paths_literally(archive: Path, record_id: str, tmp_path: Path):
    output = tmp_path / "bags [bold] :smile:"
    result = run(archive, "bag", record_id, "-o", str(output))
    assert result.exit_code == 0, result.output
    assert f"1 bag(s) written to {output}" in result.output
    assert_no_pictures(result.output)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("ferry [/]", "error: bad query 'ferry [/]': the range '[/]' needs 'TO'"),
        ("ferry :smile: [bold", "error: bad query 'ferry :smile: [bold': '[' at position 15 is never closed"),
        ("{police", "error: bad query '{police': '{' at position 1 is never closed"),
    ],
)
def test_query_errors_are_one_plain_line(archive: Path, query: str, message: str):
    result = CliRunner().invoke(main, ["--archive", str(archive), "search", query])
    assert result.exit_code == 1
    assert result.output.startswith(message) and result.output.count("\n") == 1, result.output
    assert_no_pictures(result.output)


def test_a_query_over_the_size_limit_is_a_short_one_line_error(archive: Path):
    result = CliRunner().invoke(main, ["--archive", str(archive), "search", "ferry " * (MAX_QUERY_CHARS // 6 + 1)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and len(result.output) < 300, result.output[:400]
    assert f"at most {MAX_QUERY_CHARS:,} are searched" in result.output


@pytest.mark.parametrize("speaker", ["", "  ", "--"])
def test_an_empty_speaker_is_a_usage_error(archive: Path, speaker: str):
    result = CliRunner().invoke(main, ["--archive", str(archive), "search", "ferry", "--speaker", speaker])
    assert result.exit_code == 2
    assert result.output.startswith("error: invalid value for '--speaker': must name a participant"), result.output
