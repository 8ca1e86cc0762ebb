"""``oral-archive serve`` as a person starts it: a real process, a real port, real requests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from lxml import etree

from oral_archive.archive.core import Archive
from oral_archive.pipeline.ingest import ingest

PROJECT = Path(__file__).resolve().parents[1]
SEED = PROJECT / "seeds" / "interview-with-law-enforcement-officer.txt"
CLI = [str(Path(sys.executable).parent / "oral-archive")]  # the installed console script


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture()
def served(tmp_path: Path):
    archive = Archive(tmp_path / "archive")
    ingest([SEED], archive)
    port = _free_port()
    process = subprocess.Popen([*CLI, "serve", "--archive", str(tmp_path / "archive"), "--port", str(port), "--admin-email", "reading-room@archive.test"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):  # waiting for the port to open, not timing anything
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"serve exited: {process.stderr.read()}")
            time.sleep(0.05)
    yield base
    process.terminate()
    process.wait(timeout=10)


def test_serve_answers_the_reading_room_the_api_and_oai(served: str) -> None:
    status, page = _get(served + "/?q=quota")
    assert status == 200 and b"law enforcement officer" in page.lower()
    status, api = _get(served + "/api/search?q=quota")
    assert status == 200 and b'"total"' in api
    status, oai = _get(served + "/oai?verb=Identify")
    assert status == 200
    tree = etree.fromstring(oai)
    assert tree.find("{http://www.openarchives.org/OAI/2.0/}Identify") is not None
    assert tree.findtext(".//{http://www.openarchives.org/OAI/2.0/}adminEmail") == "reading-room@archive.test"


def test_serve_without_an_archive_says_so_and_exits_1(tmp_path: Path) -> None:
    result = subprocess.run([*CLI, "serve", "--archive", str(tmp_path / "nothing-here"), "--port", str(_free_port())], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "nothing-here" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "nothing-here").exists()
