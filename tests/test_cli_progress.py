"""Long work shows its progress on a terminal, and nothing but its summary anywhere else.

``ingest`` and ``validate`` draw a rich progress bar on stderr with the items done out of a
known total, the rate and the time left, only when stderr is a terminal (``TTY_COMPATIBLE=1``,
rich's variable, forces it, as a test or a CI log viewer may). Piped or redirected, the
output is the summary alone. ``validate`` checks one record at a time to move the bar.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from oral_archive.archive import Archive
from oral_archive.pipeline.cli import main

from .conftest import SEEDS, corpus_files

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _run(archive: Path, *args: str, terminal: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("TTY_COMPATIBLE", "FORCE_COLOR", "NO_COLOR")}
    if terminal:
        env["TTY_COMPATIBLE"] = "1"
    command = [sys.executable, "-c", "from oral_archive.pipeline.cli import main; main()", "--archive", str(archive), *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def inputs() -> list[Path]:
    return [SEEDS, *corpus_files()]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, inputs: list[Path]) -> tuple[Path, subprocess.CompletedProcess]:
    """An archive ingested with a (forced) terminal, and that run."""
    archive = tmp_path_factory.mktemp("progress") / "archive"
    return archive, _run(archive, "ingest", *map(str, inputs), terminal=True)


def _files(inputs: list[Path]) -> int:
    return sum(len([f for f in p.iterdir() if f.is_file()]) if p.is_dir() else 1 for p in inputs)


def test_ingest_on_a_terminal_counts_files_out_of_a_known_total(ingested, inputs) -> None:
    archive, done = ingested
    assert done.returncode == 0, done.stderr
    total = _files(inputs)
    shown = ANSI.sub("", done.stderr)
    assert "ingesting" in shown
    assert f"{total}/{total}" in shown, shown[-400:]  # done out of a known total (not a pulsing bar)
    assert re.search(r"\d[\d,]*\.\d/s", shown), shown[-400:]  # the rate
    assert done.stdout.strip().endswith(f"{total} ingested, 0 unchanged, 0 rejected")


def test_ingest_without_a_terminal_prints_only_the_summary(tmp_path: Path, inputs) -> None:
    done = _run(tmp_path / "archive", "ingest", *map(str, inputs), terminal=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == f"{_files(inputs)} ingested, 0 unchanged, 0 rejected\n"


def test_validate_without_a_terminal_prints_only_the_summary(ingested) -> None:
    archive, _ = ingested
    count = len(Archive(archive, create=False).ids())
    done = _run(archive, "validate", terminal=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{count} valid, 0 invalid\n", "")


def test_validate_on_a_terminal_shows_records_done_out_of_the_total(ingested) -> None:
    archive, _ = ingested
    count = len(Archive(archive, create=False).ids())
    done = _run(archive, "validate", terminal=True)
    assert done.returncode == 0, done.stderr
    shown = ANSI.sub("", done.stderr)
    assert "validating" in shown and f"{count}/{count}" in shown, shown[-400:]
    assert ANSI.sub("", done.stdout).strip() == f"{count} valid, 0 invalid"


def test_validate_checks_one_record_at_a_time(ingested, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bar moves per record: ``Archive.validate`` is asked once per record, for that one."""
    archive, _ = ingested
    calls: list[list[str] | None] = []
    original = Archive.validate

    def counting(self, ids=None, **kwargs):
        calls.append(None if ids is None else list(ids))
        return original(self, ids, **kwargs)

    monkeypatch.setattr(Archive, "validate", counting)
    result = CliRunner().invoke(main, ["--archive", str(archive), "validate"])
    assert result.exit_code == 0, result.output
    ids = Archive(archive, create=False).ids()
    assert sorted(calls) == sorted([[record_id] for record_id in ids])


def test_validate_names_an_unknown_id_before_checking_anything(ingested, monkeypatch: pytest.MonkeyPatch) -> None:
    archive, _ = ingested
    (first, *_) = Archive(archive, create=False).ids()
    calls = []
    monkeypatch.setattr(Archive, "validate", lambda self, ids=None, **kwargs: calls.append(ids) or {})
    result = CliRunner().invoke(main, ["--archive", str(archive), "validate", first, "no-such-record"])
    assert result.exit_code == 1 and result.output == "error: no record with id 'no-such-record' in the archive\n"
    assert calls == []


def test_ingest_tells_the_total_before_the_first_file_is_done(tmp_path: Path, inputs) -> None:
    """What drives the bar: ``on_total`` once, first, with as many files as ``progress`` calls follow
    (a rejected file counts too)."""
    from oral_archive.pipeline import ingest

    bad = tmp_path / "scan.pdf"
    bad.write_bytes(b"%PDF-1.4")
    events: list[object] = []
    ingest([*inputs, bad], Archive(tmp_path / "archive"), on_total=lambda n: events.append(("total", n)), progress=lambda r: events.append(r.status))
    assert events[0] == ("total", _files(inputs) + 1)
    assert len(events[1:]) == _files(inputs) + 1 and "rejected" in events[1:] and ("total", _files(inputs) + 1) not in events[1:]
