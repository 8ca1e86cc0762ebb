"""The reading room and its API after curation: a withdrawn record answers 410 with its tombstone."""

from __future__ import annotations

from pathlib import Path

import pytest

from oral_archive.archive import Archive
from oral_archive.pipeline import ingest
from oral_archive.pipeline.web import create_app

from ..conftest import SEED


@pytest.fixture()
def client_and_archive(tmp_path: Path):
    archive = Archive(tmp_path / "archive")
    ingest([SEED], archive)
    app = create_app(archive.path)
    app.testing = True
    return app.test_client(), archive


def test_a_withdrawn_record_is_gone_with_its_reason_and_comes_back(client_and_archive) -> None:
    client, archive = client_and_archive
    (record_id,) = archive.ids()
    urls = [f"/records/{record_id}", f"/records/{record_id}/download/tei", f"/records/{record_id}/download/original",
            f"/api/records/{record_id}", f"/api/records/{record_id}/provenance"]
    assert all(client.get(url).status_code == 200 for url in urls)
    assert record_id in client.get("/?q=quota").get_data(as_text=True)

    archive.withdraw(record_id, reason="narrator's request", by="ana")
    for url in urls:
        response = client.get(url)
        assert response.status_code == 410, url
        body = response.get_data(as_text=True)
        assert "narrator" in body and "quota" not in body, url
    page = client.get("/?q=quota")
    assert page.status_code == 200 and record_id not in page.get_data(as_text=True)
    api = client.get("/api/search?q=quota").get_json()
    assert api["total"] == 0

    # a browser must not keep the 410 (cacheable by default, RFC 9111) once the record is restored
    assert all(client.get(url).headers.get("Cache-Control") == "no-cache" for url in urls)

    archive.restore(record_id, by="ana")
    assert all(client.get(url).status_code == 200 for url in urls)
    assert record_id in client.get("/?q=quota").get_data(as_text=True)


def test_a_purged_record_is_gone_too(client_and_archive) -> None:
    client, archive = client_and_archive
    (record_id,) = archive.ids()
    archive.withdraw(record_id, reason="court order", by="ana")
    archive.purge(record_id, by="ana", confirm=True)
    response = client.get(f"/records/{record_id}")
    assert response.status_code == 410 and "court order" in response.get_data(as_text=True)
    assert "content removed" in response.get_data(as_text=True)
