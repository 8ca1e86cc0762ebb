"""Two ``oral-archive ingest`` processes on overlapping inputs: every file stored exactly once."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from oral_archive.archive import Archive

from .test_crash import stored_originals, write_transcripts

ORAL_ARCHIVE = str(Path(sys.executable).with_name("oral-archive"))


def test_two_concurrent_ingests_store_every_file_once(tmp_path: Path) -> None:
    files = write_transcripts(tmp_path / "all", 120, 3_000, seed=23)
    # Two folders sharing 40 files (same names, same bytes), as two archivists might.
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, chosen in ((first, files[:80]), (second, files[40:])):
        folder.mkdir()
        for path in chosen:
            shutil.copy(path, folder / path.name)
    archive_path = tmp_path / "archive"
    Archive(archive_path)  # created up front, so both processes open the same archive
    processes = [
        subprocess.Popen([ORAL_ARCHIVE, "--archive", str(archive_path), "ingest", "--json", "--wait", "300", *extra, str(folder)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for folder, extra in ((first, ["--workers", "2"]), (second, []))
    ]
    outputs = [process.communicate(timeout=600) for process in processes]
    for process, (stdout, stderr) in zip(processes, outputs):
        assert process.returncode == 0, stderr
    summaries = [json.loads(stdout)["summary"] for stdout, _ in outputs]
    # One of them came second and found the shared 40 already stored.
    assert sum(s.get("ingested", 0) for s in summaries) == 120, summaries
    assert sum(s.get("unchanged", 0) for s in summaries) == 40, summaries
    archive = Archive(archive_path)
    expected = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in files)
    assert sorted(stored_originals(archive)) == expected
    assert all(len(archive.store.versions(i)) == 1 for i in archive.ids())
    assert archive.verify().ok
    assert archive.index.open().doc_count() == 120
