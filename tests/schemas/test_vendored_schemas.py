"""The official schemas shipped inside the package are unchanged copies of ../shared's."""

from __future__ import annotations

import hashlib

import pytest

from oral_archive.schemas import xmlschemas

from ..conftest import SCHEMAS_EXTERNAL

VENDORED = sorted(p for p in xmlschemas.VENDOR_DIR.rglob("*") if p.is_file())


def test_every_official_schema_is_vendored() -> None:
    official = {p.relative_to(SCHEMAS_EXTERNAL) for p in SCHEMAS_EXTERNAL.rglob("*") if p.is_file()}
    assert official == {p.relative_to(xmlschemas.VENDOR_DIR) for p in VENDORED}


@pytest.mark.parametrize("path", VENDORED, ids=lambda p: str(p.relative_to(xmlschemas.VENDOR_DIR)))
def test_vendored_copy_is_identical(path) -> None:
    official = SCHEMAS_EXTERNAL / path.relative_to(xmlschemas.VENDOR_DIR)
    assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(official.read_bytes()).digest()


def test_small_schemas_load_from_the_package_without_network() -> None:
    assert xmlschemas.oai_dc() is not None
    assert xmlschemas.mods() is not None
