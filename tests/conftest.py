"""Shared fixtures: the real seed, the dev corpus in ../shared, and built archives."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from oral_archive.archive import Archive
from oral_archive.pipeline import ingest

PROJECT = Path(__file__).resolve().parents[1]
SEEDS = PROJECT / "seeds"
SEED = SEEDS / "interview-with-law-enforcement-officer.txt"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("ORAL_ARCHIVE_SHARED", PROJECT.parent / "shared"))
CORPUS = SHARED / "corpus-dev" / "files"
TRUTH = SHARED / "corpus-dev" / "truth.jsonl"
SCHEMAS_EXTERNAL = SHARED / "schemas-external"

# Extraction runs as on a default install (no statistical model) unless a test asks for the
# model (tests/pipeline/test_nlp.py); ORAL_ARCHIVE_NLP=auto runs the whole suite with it.
os.environ.setdefault("ORAL_ARCHIVE_NLP", "off")

settings.register_profile("ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.fail(f"the development corpus is missing: {CORPUS} (CI lays ../shared beside the clone)")
    return sorted(CORPUS.iterdir())


@pytest.fixture(scope="session")
def built_archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """A read-only archive of the seed plus the dev corpus (built once per test session).

    Tests must not write to it: copy it with ``archive_copy`` for that.
    """
    path = tmp_path_factory.mktemp("built") / "archive"
    archive = Archive(path)
    report = ingest([SEEDS, *corpus_files()], archive)
    assert not report.rejected, [r.reason for r in report.rejected]
    return archive


@pytest.fixture()
def archive_copy(built_archive: Archive, tmp_path: Path) -> Archive:
    """A writable copy of ``built_archive``."""
    target = tmp_path / "archive"
    shutil.copytree(built_archive.path, target)
    return Archive(target)


@pytest.fixture()
def empty_archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "archive")


@pytest.fixture(scope="session")
def tei_all_schema():
    """The official tei_all.rng from ../shared (the vendored copy must be identical)."""
    from lxml import etree

    return etree.RelaxNG(etree.parse(str(SCHEMAS_EXTERNAL / "tei" / "tei_all.rng")))
