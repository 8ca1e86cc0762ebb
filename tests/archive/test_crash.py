"""Crash safety: an ingest killed with SIGKILL at random points never leaves a half record.

The child is a real ``oral-archive ingest`` process; it is killed when the archive holds a
randomly chosen number of records (plus a random few milliseconds), so the kill lands
inside a batch: while temporary folders are written, during the durability barrier,
between renames, or before the index commit. After every kill ``verify`` must pass, and a
final run must complete the batch with every input stored exactly once and indexed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from oral_archive.archive import Archive

PROJECT = Path(__file__).resolve().parents[2]
ORAL_ARCHIVE = str(Path(sys.executable).with_name("oral-archive"))


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_ingest", PROJECT / "bench" / "ingest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_transcripts(folder: Path, count: int, size: int, seed: int = 0) -> list[Path]:
    """Distinct transcripts made from the seed and the dev corpus (the bench's generator)."""
    return _bench_module().write_transcripts(folder, count, size, seed=seed)


def stored_originals(archive: Archive) -> list[str]:
    """SHA-256 of the original of every stored version (a list: duplicates must show)."""
    return [
        hashlib.sha256(version.original_path().read_bytes()).hexdigest()
        for record_id in archive.ids()
        for version in archive.store.versions(record_id)
    ]


def count_records(records: Path) -> int:
    try:
        return sum(1 for folder in os.scandir(records) if any(entry.name.startswith("v") for entry in os.scandir(folder.path)))
    except FileNotFoundError:
        return 0


def test_sigkill_at_random_points_then_verify_and_rerun(tmp_path: Path) -> None:
    inputs = write_transcripts(tmp_path / "in", 200, 3_000, seed=11)
    expected = sorted(hashlib.sha256(p.read_bytes()).hexdigest() for p in inputs)
    assert len(set(expected)) == 200
    archive_path = tmp_path / "archive"
    seed = int(os.environ.get("CRASH_SEED", random.randrange(1_000_000)))
    rng = random.Random(seed)
    kills = []  # (records before the run, records when killed, half-written folders seen)
    # Four runs killed: the first the moment a batch's temporary folders appear (inside a
    # write), the others at a random time after the run has stored something; one run
    # prepares with two worker processes.
    for attempt in range(4):
        before = count_records(archive_path / "records")
        command = [ORAL_ARCHIVE, "--archive", str(archive_path), "ingest", str(tmp_path / "in")]
        if attempt == 2:
            command += ["--workers", "2"]
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        if attempt == 0:
            while child.poll() is None and not list(archive_path.glob("records/*/.tmp-v*")) and time.monotonic() < deadline:
                time.sleep(0.001)
        else:
            while child.poll() is None and count_records(archive_path / "records") <= before and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 1.0))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
            child.wait()
            report = Archive(archive_path).verify()
            kills.append((before, count_records(archive_path / "records"), sum(".tmp-v" in n for n in report.notes)))
        child.wait()
        report = Archive(archive_path).verify()
        assert report.ok, (seed, kills, report.problems)
        stored = stored_originals(Archive(archive_path))
        assert len(stored) == len(set(stored)), f"seed {seed}: a file was stored twice after a kill"
    print(f"seed {seed}: (records before, at kill, half-written folders) {kills}")
    assert any(0 < at < 200 for _, at, _ in kills), (seed, kills)

    final = subprocess.run([ORAL_ARCHIVE, "--archive", str(archive_path), "ingest", str(tmp_path / "in")], capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    archive = Archive(archive_path)
    assert sorted(stored_originals(archive)) == expected, f"seed {seed}: not every file stored exactly once"
    assert all(len(archive.store.versions(i)) == 1 for i in archive.ids())
    assert archive.verify().ok
    assert not list((archive_path / "records").glob("*/.tmp-*"))
    assert not (archive_path / "index-pending.txt").exists()
    assert archive.index.open().doc_count() == 200, f"seed {seed}: the index misses records stored before a kill"
    # the final run reports the earlier runs' records as unchanged, not again
    unchanged = int(final.stdout.split(" unchanged")[0].rsplit(" ", 1)[-1])
    assert unchanged == 200 - int(final.stdout.split(" ingested")[0])
