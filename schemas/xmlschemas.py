"""The XML schemas the product validates against, shipped inside the package.

Official schemas (TEI P5 ``tei_all.rng``, OAI-DC, MODS) are vendored unchanged under
``vendor/`` with their licence notes. Loading is lazy and cached per process:
``tei_all.rng`` takes several seconds to compile, so only commands that need it pay.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from lxml import etree

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
MODS_NS = "http://www.loc.gov/mods/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

_PACKAGE_DIR = Path(str(resources.files(__package__)))
VENDOR_DIR = _PACKAGE_DIR / "vendor"
TEI_ALL_RNG = VENDOR_DIR / "tei" / "tei_all.rng"
OAI_DC_XSD = VENDOR_DIR / "dc" / "oai_dc.xsd"
MODS_XSD = VENDOR_DIR / "mods" / "mods-3-7.xsd"


def safe_parser(**options: object) -> etree.XMLParser:
    """An XML parser for untrusted input: no DTDs, no entity expansion, no network."""
    return etree.XMLParser(
        resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, **options
    )


def _parse_schema_file(path: Path) -> etree._ElementTree:
    # Schema files are ours (vendored); imports are relative, so the base URL must be the file.
    return etree.parse(str(path), parser=safe_parser())


@cache
def tei_all() -> etree.RelaxNG:
    """The full TEI P5 RELAX NG schema (slow to load; cached for the process)."""
    return etree.RelaxNG(_parse_schema_file(TEI_ALL_RNG))


@cache
def oai_dc() -> etree.XMLSchema:
    """The OAI-PMH ``oai_dc`` XML Schema (imports DC elements and xml.xsd locally)."""
    return etree.XMLSchema(_parse_schema_file(OAI_DC_XSD))


@cache
def mods() -> etree.XMLSchema:
    """The Library of Congress MODS 3.7 XML Schema."""
    return etree.XMLSchema(_parse_schema_file(MODS_XSD))


TEI_SUBSET_RNG = _PACKAGE_DIR / "rng" / "oral-archive-tei.rng"


@cache
def tei_subset() -> etree.RelaxNG | None:
    """Our own strict TEI customisation (fast to load), or None while it is not shipped."""
    if not TEI_SUBSET_RNG.exists():
        return None
    return etree.RelaxNG(_parse_schema_file(TEI_SUBSET_RNG))


CROSS_REFERENCES_SCH = _PACKAGE_DIR / "schematron" / "oral-archive.sch"


@cache
def cross_references() -> "isoschematron.Schematron | None":
    """Our Schematron rules for pointers and ids (compiled once per process), or None if not shipped."""
    from lxml import isoschematron  # imported here: only validation needs XSLT

    if not CROSS_REFERENCES_SCH.exists():
        return None
    # store_report: the SVRL report carries each failure's location and message. Without a
    # "fired-rule" element per element a rule checks (only failures are read): the report
    # of a long transcript was one element per utterance.
    return isoschematron.Schematron(_parse_schema_file(CROSS_REFERENCES_SCH), store_report=True, compile_params={"generate-fired-rule": "'false'"})
