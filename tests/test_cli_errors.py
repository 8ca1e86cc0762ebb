"""How the command line ends when something is wrong with it, or with where its output goes.

* A malformed command line (bad option value, missing argument, unknown command or
  option, a flag that needs another) is a usage error: exit code 2.
* Every error line starts the same way, ``error: ...``: ours and click's usage errors
  alike; a usage error keeps click's usage line and "Try ... for help." hint after it.
* A closed output pipe (``oral-archive search x | head -1``) ends a command quietly:
  nothing on stderr, exit status 141 (128 + SIGPIPE, as a shell reports for ``yes | head``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from oral_archive.pipeline.cli import main
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the documented status of a command whose reader went away

from .conftest import SEEDS

USAGE_ERRORS = [
    # (command line, words the error line must hold)
    (["export", "--format", "xlsx"], "'xlsx' is not one of 'oai_dc', 'mods', 'csv', 'jsonl', 'tei-corpus'"),
    (["export"], "missing option '--format'. Choose from: oai_dc, mods, csv, jsonl, tei-corpus"),
    (["search"], "missing argument 'QUERY'"),
    (["search", "quota", "--limit", "0"], "invalid value for '--limit'"),
    (["search", "quota", "--page", "zero"], "invalid value for '--page'"),
    (["search", "quota", "--sort", "size"], "'size' is not one of 'relevance', 'date', 'title'"),
    (["search", "quota", "--reverse"], "--reverse needs --sort date or title"),
    (["search", "quota", "--speaker", ""], "invalid value for '--speaker'"),
    (["ingest"], "missing argument 'PATHS...'"),
    (["ingest", "x.txt", "--workers", "0"], "invalid value for '--workers'"),
    (["ingest", "x.txt", "--max-size", "lots"], "is not a size"),
    (["bag", "some-id"], "missing option '-o'"),
    (["show"], "missing argument 'RECORD_ID'"),
    (["show", "some-id", "--version", "two"], "invalid value for '--version'"),
    (["history"], "missing argument 'RECORD_ID'"),
    (["nonsense"], "no such command 'nonsense'"),
    (["--colour"], "no such option '--colour'"),
    (["search", "quota", "--colour"], "no such option '--colour'"),
    (["verify", "extra"], "got unexpected extra argument (extra)"),
]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    archive = tmp_path_factory.mktemp("errors") / "archive"
    result = CliRunner().invoke(main, ["--archive", str(archive), "ingest", str(SEEDS)])
    assert result.exit_code == 0, result.output
    return archive


@pytest.mark.parametrize("args, words", USAGE_ERRORS, ids=[" ".join(a) or "(none)" for a, _ in USAGE_ERRORS])
def test_a_malformed_command_line_is_a_usage_error_starting_with_error(seeded: Path, args: list[str], words: str) -> None:
    result = CliRunner().invoke(main, ["--archive", str(seeded), *args])
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("error: ") and words in lines[0], result.output
    assert lines[1].startswith("Usage: ") and lines[2].startswith("Try '") and lines[2].endswith(" -h' for help."), result.output
    assert "Error:" not in result.output


def test_the_export_format_is_checked_before_the_archive_is_opened(tmp_path: Path) -> None:
    """A bad format is the command line's fault: said even where no archive exists."""
    result = CliRunner().invoke(main, ["--archive", str(tmp_path / "none"), "export", "--format", "xlsx"])
    assert result.exit_code == 2 and result.output.startswith("error: invalid value for '--format'"), result.output
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize("args, words", [
    (["show", "no-such-record"], "no record with id 'no-such-record'"),
    (["search", "{police"], "bad query '{police'"),
    (["export", "--format", "csv", "-o", "{archive}/out.csv"], "is inside the archive"),  # a click.ClickException of ours
    (["ingest", "{archive}/records"], "is inside the archive"),
    (["ingest", "no/such/file.txt"], "no such file or folder"),
])
def test_every_other_error_is_one_line_starting_with_error_and_exit_1(seeded: Path, args: list[str], words: str) -> None:
    args = [a.replace("{archive}", str(seeded)) for a in args]
    result = CliRunner().invoke(main, ["--archive", str(seeded), *args])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("error: ") and words in result.output and result.output.count("\n") == 1, result.output


def test_no_arguments_still_shows_the_help(seeded: Path) -> None:
    result = CliRunner().invoke(main, [])
    assert result.exit_code == 2 and result.output.startswith("Usage: ") and "Commands:" in result.output


# -- a closed output pipe ------------------------------------------------------------------------

PIPED = [
    ["search", "police"],
    ["search", "police", "--json"],
    ["export", "--format", "jsonl"],
    ["export", "--format", "tei-corpus"],
    ["show", "{record}"],
    ["show", "{record}", "--provenance"],
    ["validate"],
    ["verify"],
    ["history", "{record}"],
    ["index-status"],
    ["--help"],
    ["--version"],
    ["export", "--help"],
]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TTY_COMPATIBLE", "FORCE_COLOR")}
    return env


def _cli(archive: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", "from oral_archive.pipeline.cli import main; main()", "--archive", str(archive), *args]


@pytest.fixture(scope="module")
def record(seeded: Path) -> str:
    (folder,) = (seeded / "records").iterdir()
    return folder.name


@pytest.mark.parametrize("args", PIPED, ids=[" ".join(a) for a in PIPED])
def test_a_closed_pipe_ends_every_command_quietly(seeded: Path, record: str, args: list[str]) -> None:
    """The reader of stdout is gone before the command writes (the end of ``| head -1``):
    no "error: Broken pipe", no "Exception ignored", no traceback; exit status 141."""
    command = _cli(seeded, *[a.replace("{record}", record) for a in args])
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_environment())
    process.stdout.close()  # this end of the pipe, the only reader: every write now fails with EPIPE
    stderr = process.stderr.read()
    assert process.wait(timeout=60) == EXIT_BROKEN_PIPE, stderr
    assert stderr == b""


def test_head_of_a_long_export_in_a_shell_pipeline(seeded: Path) -> None:
    """As a person types it: ``oral-archive export ... | head -c 100``."""
    script = f'{" ".join(map(repr, _cli(seeded, "export", "--format", "tei-corpus")))} | head -c 100; echo " status=${{PIPESTATUS[0]}}" >&2'
    done = subprocess.run(["bash", "-c", script], capture_output=True, env=_environment(), timeout=60)
    assert len(done.stdout) == 100 and done.stdout.startswith(b"<?xml")
    # The export (7 records of TEI with headers) may or may not outrun the pipe's buffer before
    # head exits: either way, nothing but the summary or nothing at all, and 0 or 141.
    lines = done.stderr.decode().splitlines()
    assert lines[-1] in (" status=0", f" status={EXIT_BROKEN_PIPE}"), done.stderr
    assert all(line.startswith("exported ") for line in lines[:-1]) and "rror" not in done.stderr.decode(), done.stderr


def test_a_closed_pipe_is_not_quiet_for_other_write_errors(seeded: Path, tmp_path: Path) -> None:
    """Only the reader going away is quiet: an unwritable -o path is still an error."""
    result = CliRunner().invoke(main, ["--archive", str(seeded), "export", "--format", "csv", "-o", str(tmp_path / "missing" / "dir" / "out.csv")])
    assert result.exit_code == 1 and result.output.startswith("error: "), result.output
