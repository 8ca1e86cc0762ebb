"""Validation of archive records in three layers, collecting every problem.

1. ``model``: the JSON record against the pydantic ``Record`` model; locations are
   field paths (``participants[0].tenure``).
2. ``tei`` / ``tei-all``: the TEI document against our RELAX NG subset of TEI
   (``schemas/rng/oral-archive-tei.rng``, on every ingest) and, on request, the full
   ``tei_all.rng``; locations are XPaths (``/tei:TEI/tei:teiHeader/...``) plus the line.
3. ``cross-reference``: Schematron (``schemas/schematron/oral-archive.sch``) checks that
   every ``@who``, ``@source``, ``@resp``, ``@synch``, ``@start``, ``@end``, ``@since``,
   ``@origin`` lands on the right kind of element and that ids are unique; Python checks
   what Schematron cannot see: the TEI and JSON records agree on every fact the TEI
   header carries (id, version, title, source, rights, collection, date, language,
   subjects, topics, each participant's name, label, occupation, organization, place and
   tenure) and on the segments; each disagreement names the field and both values.
   ``fixity``: the stored original matches its checksum.

Every function returns a list of ``Problem`` (empty when valid) and never raises for a
bad record, so an archivist sees everything wrong at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from typing import Callable, Literal, Optional, get_args

from lxml import etree
from pydantic import ValidationError

from oral_archive.schemas import xmlschemas
from oral_archive.schemas.errors import Problem
from oral_archive.schemas.record import Fact, Person, Record
from oral_archive.schemas.xmlschemas import TEI_NS, XML_NS

# "subset": our RELAX NG only (every ingest); "full": ours and tei_all.rng; "none": neither.
TeiSchema = Literal["subset", "full", "none"]
NS = {"tei": TEI_NS}
XML_ID = f"{{{XML_NS}}}id"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
SEGMENT_KINDS = ("head", "p", "u")


# -- locations -----------------------------------------------------------------------------


def xpath_of(node: etree._Element) -> str:
    """A readable, evaluable XPath of an element: ``/tei:TEI/tei:text/tei:body/tei:u[3]``.

    ``tei:`` is the TEI namespace; a position is given only where siblings share the name,
    so the path reads like the document and still selects exactly one element.
    """
    steps: list[str] = []
    element: etree._Element | None = node
    while element is not None:
        qname = etree.QName(element)
        prefix = "tei:" if qname.namespace == TEI_NS else ""
        step = prefix + qname.localname
        parent = element.getparent()
        if parent is not None:
            same = [sibling for sibling in parent if sibling.tag == element.tag]
            if len(same) > 1:
                step += f"[{same.index(element) + 1}]"
        steps.append(step)
        element = parent
    return "/" + "/".join(reversed(steps))


def _field_path(loc: tuple) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(record)"


# -- layer 1: the record model ---------------------------------------------------------------


def validate_model(record_json: bytes) -> tuple[Record | None, list[Problem]]:
    """Layer 1: the JSON record against the pydantic model; one problem per failing field."""
    try:
        return Record.model_validate_json(record_json), []
    except ValidationError as error:
        return None, [_model_problem(entry) for entry in error.errors()]


# A cross-field check of the model names its field at the start of its message.
_PATH_PREFIX = re.compile(r"^(?P<path>[a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*): (?P<message>.+)$", re.DOTALL)


def _model_problem(entry: dict) -> Problem:
    message = _model_message(entry)
    if not entry["loc"]:
        match = _PATH_PREFIX.match(message)
        if match:
            return Problem("model", match.group("path"), match.group("message"))
    return Problem("model", _field_path(tuple(entry["loc"])), message)


def _model_message(entry: dict) -> str:
    """pydantic's message for one field, in an archivist's words where pydantic's are terse."""
    kind = entry["type"]
    if kind == "missing":
        return "this required field is missing"
    if kind == "extra_forbidden":
        return "this field is not part of the record model (misspelt, or from another tool)"
    if kind == "json_invalid":
        return f"record.json is not valid JSON: {entry['msg']}"
    if kind == "string_pattern_mismatch":
        message = f"does not have the required form (pattern {entry['ctx']['pattern']})"
    else:
        message = entry["msg"].removeprefix("Value error, ")  # our model validators' own sentences
    if not isinstance(entry["input"], (dict, list)):
        message += f" (got {entry['input']!r:.80})"
    return message


# -- layer 2: RELAX NG -----------------------------------------------------------------------


def parse_tei(tei: bytes) -> tuple[etree._ElementTree | None, list[Problem]]:
    """Parse TEI bytes with the safe parser; a syntax error is a ``tei`` problem with its line."""
    parser = xmlschemas.safe_parser()
    try:
        return etree.ElementTree(etree.fromstring(tei, parser=parser)), []
    except etree.XMLSyntaxError as error:
        # The parser's own log: the exception's may hold earlier errors of this thread.
        errors = parser.error_log.filter_from_errors()
        if errors and all(e.type == etree.ErrorTypes.DTD_ID_REDEFINED for e in errors):
            # libxml2 refuses a repeated xml:id, though the XML is well-formed; parse it
            # anyway so the Schematron id rule can say which elements share the id.
            return etree.ElementTree(etree.fromstring(tei, parser=xmlschemas.safe_parser(recover=True))), []
        return None, [Problem("tei", "(document)", f"the TEI file is not well-formed XML: {error.msg}", line=error.lineno or None)]


# What the subset requires of the header, as (parent, child, what the child records).
# RELAX NG enforces these; when it fails, these say in plain words which promise is broken.
HEADER_PROMISES: tuple[tuple[str, str, str], ...] = (
    ("/tei:TEI", "tei:teiHeader", "the TEI header"),
    ("/tei:TEI/tei:teiHeader", "tei:fileDesc", "the file description (title, publication, source)"),
    ("/tei:TEI/tei:teiHeader/tei:fileDesc", "tei:sourceDesc", "the description of the source"),
    ("/tei:TEI/tei:teiHeader/tei:fileDesc/tei:sourceDesc", "tei:bibl", "the source file's bibliographic entry"),
    ("/tei:TEI/tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl", "tei:idno[@type='filename']", "the name of the original file"),
    ("/tei:TEI/tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl", "tei:idno[@type='sha256']", "the SHA-256 checksum of the original file"),
    ("/tei:TEI/tei:teiHeader/tei:fileDesc", "tei:publicationStmt", "the publication statement (record id and version)"),
    ("/tei:TEI/tei:teiHeader/tei:fileDesc/tei:publicationStmt", "tei:idno[@type='record']", "the record id"),
    ("/tei:TEI/tei:teiHeader/tei:fileDesc/tei:publicationStmt", "tei:idno[@type='version']", "the record version"),
    ("/tei:TEI/tei:teiHeader", "tei:encodingDesc", "the encoding description (which tool made the record)"),
    ("/tei:TEI/tei:teiHeader/tei:encodingDesc", "tei:appInfo/tei:application", "the tool and version that made the record"),
    ("/tei:TEI/tei:teiHeader", "tei:revisionDesc", "the revision history"),
    ("/tei:TEI/tei:teiHeader/tei:revisionDesc", "tei:change", "at least one entry of the revision history"),
    ("/tei:TEI/tei:teiHeader/tei:profileDesc/tei:particDesc", "tei:listPerson/tei:person", "the list of participants"),
)

# libxml2's RELAX NG messages, rephrased; the original stays in brackets for experts.
_RNG_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^Invalid attribute (\S+) for element (\S+)"), "<{1}> may not carry the attribute @{0} in the oral-archive TEI subset"),
    (re.compile(r"^Element (\S+) failed to validate attributes"), "<{0}> is missing a required attribute or has a wrong attribute value"),
    (re.compile(r"^Error validating datatype (\S+)"), "a value here is not a valid {0} (wrong format)"),
    (re.compile(r"^Element (\S+) failed to validate content"), "the content of <{0}> does not match what the oral-archive TEI subset allows"),
    (re.compile(r"^Did not expect element (\S+) there"), "<{0}> is not allowed at this position"),
    (re.compile(r"^Element (\S+) has extra content: (\S+)"), "<{0}> contains <{1}>, which is not allowed there"),
    (re.compile(r"^Expecting an element (\S*), got nothing"), "a required element is missing here"),
    (re.compile(r"^Expecting element (\S+), got (\S+)"), "expected <{0}> here, found <{1}>"),
    (re.compile(r"^Extra element (\S+) in interleave"), "<{0}> is not allowed here or appears too often"),
    (re.compile(r"^Expecting a namespace for element (\S+)"), "<{0}> is not in the TEI namespace"),
    (re.compile(r"^Element (\S+) has wrong namespace"), "<{0}> is not in the TEI namespace"),
)


def _plain_rng_message(message: str) -> str | None:
    for pattern, template in _RNG_MESSAGES:
        match = pattern.match(message)
        if match:
            return template.format(*match.groups())
    return None


def _header_promises(tree: etree._ElementTree) -> list[Problem]:
    problems = []
    for parent_path, child, what in HEADER_PROMISES:
        parents = tree.xpath(parent_path, namespaces=NS)
        if parents and not parents[0].xpath(child, namespaces=NS):
            problems.append(Problem("tei", parent_path, f"{what} is missing ({child.removeprefix('tei:')} in {parent_path.rsplit('/', 1)[-1].removeprefix('tei:')})", line=parents[0].sourceline))
    return problems


def _rng_problems(tree: etree._ElementTree, validator: etree.RelaxNG, layer: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for entry in validator.error_log:
        location, element = "(document)", None
        if entry.path:
            try:
                found = tree.xpath(entry.path)
            except etree.XPathError:
                found = []
            element = found[0] if found and isinstance(found[0], etree._Element) else None
            location = xpath_of(element) if element is not None else entry.path
        plain = _plain_rng_message(entry.message)
        if plain and entry.type == etree.RelaxNGErrorTypes.RELAXNG_ERR_DATATYPE and element is not None and len(element) == 0 and element.text:
            # libxml2 does not say which value failed; for a leaf element it is its text.
            plain += f": the text of <{etree.QName(element).localname}> is {element.text!r:.80}"
        message = f"{plain} [{entry.message}]" if plain else entry.message
        if (location, message) in seen:
            continue
        seen.add((location, message))
        problems.append(Problem(layer, location, message, line=entry.line or None))
    return problems


def validate_tei_schema(tree: etree._ElementTree, schema: TeiSchema) -> list[Problem]:
    """Layer 2: our RELAX NG subset (and ``tei_all.rng`` when ``schema == "full"``)."""
    if schema not in get_args(TeiSchema):  # a misspelt level must not quietly check less
        raise ValueError(f"unknown TEI schema level {schema!r}; choose from {', '.join(get_args(TeiSchema))}")
    if schema == "none":
        return []
    problems: list[Problem] = []
    subset = xmlschemas.tei_subset()
    if subset is None:
        # Never store a record unchecked because the package lost its schema file.
        problems.append(Problem("tei", str(xmlschemas.TEI_SUBSET_RNG), "the oral-archive TEI schema is not installed, so the record cannot be checked"))
    elif not subset.validate(tree):
        problems += _header_promises(tree)
        problems += _rng_problems(tree, subset, "tei")
    if schema == "full":
        full = xmlschemas.tei_all()
        if not full.validate(tree):
            problems += _rng_problems(tree, full, "tei-all")
    return problems


# -- layer 3: cross-references -------------------------------------------------------------


def validate_pointers(tree: etree._ElementTree) -> list[Problem]:
    """Layer 3a (Schematron): pointers land on the right kind of element; ids are unique."""
    schematron = xmlschemas.cross_references()
    if schematron is None:
        # As for the RELAX NG subset: a missing rules file must not let records through unchecked.
        return [Problem("cross-reference", str(xmlschemas.CROSS_REFERENCES_SCH), "the oral-archive Schematron rules are not installed, so pointers cannot be checked")]
    if schematron.validate(tree):
        return []
    problems = []
    for failed in schematron.validation_report.iterfind(f"{{{SVRL_NS}}}failed-assert"):
        found = tree.xpath(failed.get("location", "/"))
        element = found[0] if found and isinstance(found[0], etree._Element) else None
        location = xpath_of(element) if element is not None else failed.get("location", "(document)")
        attribute = failed.get("role")
        if attribute:
            location += f"/@{attribute}"
        text = " ".join(failed.findtext(f"{{{SVRL_NS}}}text", "").split())
        problems.append(Problem("cross-reference", location, text, line=element.sourceline if element is not None else None))
    return problems


def _seconds(timestamp: str) -> float:
    parts = [float(p) for p in timestamp.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0.0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def _ref(pointer: str | None) -> str | None:
    return pointer[1:] if pointer and pointer.startswith("#") else pointer


def validate_agreement(record: Record, tree: etree._ElementTree) -> list[Problem]:
    """Layer 3b (Python): the TEI document says the same as the JSON record.

    Locations are XPaths into the TEI; messages name the JSON field it disagrees with.
    """
    problems: list[Problem] = []
    root = tree.getroot()

    def disagree(element: etree._Element | None, fallback: str, field: str, in_tei: object, in_json: object) -> None:
        location = xpath_of(element) if element is not None else fallback
        said = f"the TEI says {in_tei!r}" if in_tei is not None else "the TEI has no value for it"
        problems.append(Problem(
            "cross-reference", location,
            f"{said}, but the JSON record's {field} is {in_json!r}",
            line=element.sourceline if element is not None else None,
        ))

    def first(xpath: str) -> etree._Element | None:
        found = root.xpath(xpath, namespaces=NS)
        return found[0] if found else None

    def text_of(element: etree._Element | None) -> str | None:
        return " ".join("".join(element.itertext()).split()) if element is not None else None

    header = "/tei:TEI/tei:teiHeader"
    scalars = [
        ("tei:teiHeader/tei:fileDesc/tei:publicationStmt/tei:idno[@type='record']", "id", record.id),
        ("tei:teiHeader/tei:fileDesc/tei:publicationStmt/tei:idno[@type='version']", "version", str(record.version)),
        ("tei:teiHeader/tei:fileDesc/tei:titleStmt/tei:title", "title.value", " ".join(record.display_title.split())),
        ("tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl/tei:idno[@type='sha256']", "source.sha256", record.source.sha256),
        # compared as the TEI text is read: whitespace folded (a name may hold two spaces)
        ("tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl/tei:idno[@type='filename']", "source.filename", " ".join(record.source.filename.split())),
    ]
    for xpath, field, in_json in scalars:
        element = first(xpath)
        if text_of(element) != in_json:
            disagree(element, header, field, text_of(element), in_json)
    url = first("tei:teiHeader/tei:fileDesc/tei:sourceDesc/tei:bibl/tei:ptr[@type='source-url']")
    if (url.get("target") if url is not None else None) != record.source.url:
        disagree(url, header, "source.url", url.get("target") if url is not None else None, record.source.url)
    problems += _header_agreement(record, root, disagree)

    # Segments: the head/p/u elements with an id, in document order, are the JSON segments.
    body = first("tei:text/tei:body")
    segments = [e for e in body.iter(*(f"{{{TEI_NS}}}{k}" for k in SEGMENT_KINDS)) if e.get(XML_ID)] if body is not None else []
    by_id = {e.get(XML_ID): e for e in segments}
    json_ids = [s.id for s in record.segments]
    tei_ids = [e.get(XML_ID) for e in segments]
    body_path = "/tei:TEI/tei:text/tei:body"
    whens = {w.get(XML_ID): w for w in root.iterfind("tei:text/tei:front/tei:timeline/tei:when", NS)}
    for index, segment in enumerate(record.segments):
        element = by_id.get(segment.id)
        if element is None:
            problems.append(Problem("cross-reference", body_path, f"segments[{index}] ({segment.id!r}) of the JSON record has no element with that xml:id in the TEI body", line=body.sourceline if body is not None else None))
            continue
        kind = etree.QName(element).localname
        if kind != segment.kind:
            disagree(element, body_path, f"segments[{index}].kind", kind, segment.kind)
        who = _ref(element.get("who"))
        if who != segment.who:
            disagree(element, body_path, f"segments[{index}].who", who, segment.who)
        start = element.get("start")
        if segment.start and start:
            when = whens.get(_ref(start))
            interval = when.get("interval") if when is not None else None
            try:
                matches = interval is not None and abs(float(interval) - _seconds(segment.start)) < 0.001
            except ValueError:
                matches = False
            if when is not None and not matches:
                disagree(element, body_path, f"segments[{index}].start", f"{start} = {interval} s", segment.start)
    json_id_set = set(json_ids)  # built once: a long transcript has tens of thousands of segments
    extra = [i for i in tei_ids if i not in json_id_set]
    for segment_id in extra:
        element = by_id[segment_id]
        problems.append(Problem("cross-reference", xpath_of(element), f"the TEI body has segment {segment_id!r}, which the JSON record's segments do not list", line=element.sourceline))
    if not extra and len(tei_ids) == len(json_ids) and tei_ids != json_ids:
        problems.append(Problem("cross-reference", body_path, "the TEI body has the same segments as the JSON record but in another order", line=body.sourceline if body is not None else None))

    # Participants: same ids, roles and names, in the same order.
    people = root.xpath("tei:teiHeader/tei:profileDesc/tei:particDesc/tei:listPerson/tei:person", namespaces=NS)
    tei_people = {p.get(XML_ID): p for p in people}
    for index, person in enumerate(record.participants):
        element = tei_people.get(person.id)
        if element is None:
            problems.append(Problem("cross-reference", f"{header}/tei:profileDesc", f"participants[{index}] ({person.id!r}) of the JSON record is not a person in particDesc/listPerson"))
            continue
        if element.get("role") != person.role:
            disagree(element, header, f"participants[{index}].role", element.get("role"), person.role)
        # persName with a @type is a speaker label; the name proper has none.
        name = next(iter(element.xpath("tei:persName[not(@type)]", namespaces=NS)), None)
        tei_name = text_of(name)
        json_name = " ".join(person.name.value.split()) if person.name else None
        if tei_name != json_name:
            disagree(name if name is not None else element, header, f"participants[{index}].name", tei_name, json_name)
        _person_agreement(person, index, element, disagree)
    json_people = {p.id for p in record.participants}
    for person_id, element in tei_people.items():
        if person_id not in json_people:
            problems.append(Problem("cross-reference", xpath_of(element), f"the TEI lists participant {person_id!r}, who is not in the JSON record's participants", line=element.sourceline))
    return problems


# -- layer 3b: every header fact, TEI against JSON -------------------------------------------
#
# Where pipeline/tei.py writes each fact. Elements are found by what they are, not by one
# fixed path (a descendant search inside the header part that holds them; topics by
# keywords/@n="topics" or a @scheme), so a reorganised header builder still has its
# facts compared rather than silently skipped.

Disagree = Callable[[Optional[etree._Element], str, str, object, object], None]


def _folded(value: str | None) -> str | None:
    return " ".join(value.split()) if value is not None else None


def _text(element: etree._Element | None) -> str | None:
    return " ".join("".join(element.itertext()).split()) if element is not None else None


def _fact_value(fact: Fact | None) -> str | None:
    return _folded(fact.value) if fact is not None else None


def _found(context: etree._Element, xpath: str) -> etree._Element | None:
    found = context.xpath(xpath, namespaces=NS)
    return found[0] if found else None


def _is_topics(keywords: etree._Element) -> bool:
    """Topics (found by a statistical rule) are kept apart from the stated subjects: their
    ``keywords`` carry ``@n="topics"`` or a ``@scheme`` (the tool's automatic-keywords
    taxonomy); catalogue subjects are the keywords with neither."""
    return keywords.get("n") == "topics" or bool(keywords.get("scheme"))


def _header_agreement(record: Record, root: etree._Element, disagree: Disagree) -> list[Problem]:
    """The facts of ``fileDesc``, ``encodingDesc`` and ``profileDesc`` (beyond id, version,
    title, checksum, file name and URL) against the JSON record: one problem per field."""
    header = root.find("tei:teiHeader", NS)
    if header is None:
        return []  # the subset's header promises report it
    where = "/tei:TEI/tei:teiHeader"

    def compare(element: etree._Element | None, field: str, in_tei: str | None, in_json: str | None) -> None:
        if in_tei != in_json:
            disagree(element, where, field, in_tei, in_json)

    bibl = _found(header, "tei:fileDesc/tei:sourceDesc/tei:bibl")
    if bibl is not None:
        title = _found(bibl, "tei:title")
        compare(title, "title.value (the source's title)", _text(title), _folded(record.display_title))
        media = _found(bibl, ".//tei:idno[@type='media-type']")
        compare(media, "source.media_type", _text(media), record.source.media_type)
        measure = _found(bibl, ".//tei:measure[@unit='byte']")
        compare(measure, "source.size", measure.get("quantity") if measure is not None else None, str(record.source.size))
        encoding = _found(bibl, ".//tei:note[@type='encoding']")
        compare(encoding, "source.encoding", _text(encoding), record.source.encoding)
    # a devised title ("[Untitled: file.txt]") is marked so, and only then
    main_title = _found(header, "tei:fileDesc/tei:titleStmt/tei:title")
    if main_title is not None and (main_title.get("type") == "devised") != (record.title is None):
        disagree(main_title, where, "title", "a devised title" if main_title.get("type") == "devised" else "a stated title",
                 None if record.title is None else record.title.value)
    ingested = _found(header, "tei:fileDesc/tei:publicationStmt/tei:date")
    if ingested is not None and record.ingested_at is not None:
        compare(ingested, "ingested_at", ingested.get("when"), record.ingested_at.isoformat(timespec="seconds"))
    rights = _found(header, "tei:fileDesc/tei:publicationStmt/tei:availability")
    compare(rights, "rights.value", _text(rights), _fact_value(record.rights))
    collection = _found(header, "tei:fileDesc/tei:seriesStmt/tei:title")
    compare(collection, "collection.value", _text(collection), _fact_value(record.collection))
    application = _found(header, "tei:encodingDesc/tei:appInfo/tei:application")
    if application is not None:
        compare(application, "tool", application.get("ident"), record.tool)
        compare(application, "tool_version", application.get("version"), record.tool_version)

    profile = _found(header, "tei:profileDesc")
    date = _found(profile, "tei:creation//tei:date") if profile is not None else None
    interview = record.interview_date
    compare(date, "interview_date.value", _text(date), _fact_value(interview))
    if date is not None and interview is not None:
        compare(date, "interview_date.normalized", date.get("when"), interview.normalized or interview.value)
    language = _found(profile, "tei:langUsage/tei:language") if profile is not None else None
    compare(language, "language", language.get("ident") if language is not None else None, record.language)

    keywords = profile.xpath("tei:textClass/tei:keywords", namespaces=NS) if profile is not None else []
    for name, facts, group in (
        ("subjects", record.subjects, [k for k in keywords if not _is_topics(k)]),
        ("topics", record.topics, [k for k in keywords if _is_topics(k)]),
    ):
        terms = [term for k in group for term in k.iterfind("tei:term", NS)]
        in_tei = [_text(term) for term in terms]
        in_json = [_fact_value(fact) for fact in facts]
        if in_tei != in_json:
            # at the first term that differs (or its keywords, when one list is only longer)
            differs = next((i for i, (a, b) in enumerate(zip(in_tei, in_json)) if a != b), None)
            element = terms[differs] if differs is not None else group[0] if group else profile
            disagree(element, where, name, in_tei, in_json)
    return []  # each disagreement was added through ``disagree``


def _person_agreement(person: Person, index: int, element: etree._Element, disagree: Disagree) -> None:
    """One participant's label, occupation, organization, place and tenure, TEI against JSON."""
    header = "/tei:TEI/tei:teiHeader"
    field = f"participants[{index}]"

    def compare(found: etree._Element | None, name: str, in_tei: str | None, in_json: str | None) -> None:
        if in_tei != in_json:
            disagree(found if found is not None else element, header, f"{field}.{name}", in_tei, in_json)

    label = _found(element, "tei:persName[@type='speaker-label']")
    compare(label, "label", _text(label), _folded(person.label))
    occupation = _found(element, ".//tei:occupation")
    compare(occupation, "occupation", _text(occupation), _fact_value(person.occupation))
    organization = _found(element, ".//tei:orgName")
    compare(organization, "organization", _text(organization), _fact_value(person.organization))
    place = _found(element, ".//tei:placeName")
    compare(place, "place", _text(place), _fact_value(person.place))
    tenure = _found(element, ".//tei:state[@type='tenure']")
    compare(tenure, "tenure", _text(tenure), _fact_value(person.tenure))
    if tenure is not None and person.tenure is not None:
        # a duration is time/@dur ("P8Y"), a start year the state's @notBefore ("1998")
        duration = _found(tenure, ".//tei:time[@dur]")
        said = [value for value in (duration.get("dur") if duration is not None else None, tenure.get("notBefore")) if value]
        in_tei = " and ".join(said) or None
        compare(tenure if tenure.get("notBefore") or duration is None else duration, "tenure.normalized", in_tei, person.tenure.normalized or None)


def validate_fixity(record: Record, original: bytes) -> list[Problem]:
    """The stored original still has the checksum and size the record says."""
    problems = []
    actual = hashlib.sha256(original).hexdigest()
    if actual != record.source.sha256:
        problems.append(Problem("fixity", "data/original", f"the stored original has SHA-256 {actual}, but the record says {record.source.sha256}: the file changed or was replaced"))
    if len(original) != record.source.size:
        problems.append(Problem("fixity", "data/original", f"the stored original is {len(original)} bytes, but the record says {record.source.size}"))
    return problems


# -- all layers ------------------------------------------------------------------------------


def _record_id(record: Record | None, record_json: bytes, tree: etree._ElementTree | None) -> str | None:
    if record is not None:
        return record.id
    try:
        value = json.loads(record_json).get("id")
        if isinstance(value, str):
            return value
    except (ValueError, AttributeError):
        pass
    if tree is not None:
        found = tree.xpath("string(//tei:publicationStmt/tei:idno[@type='record'])", namespaces=NS)
        return str(found).strip() or None
    return None


def validate_record(record_json: bytes, tei: bytes, original: bytes | None, schema: TeiSchema = "subset") -> list[Problem]:
    """All three layers; an empty list means the record is valid.

    The Schematron pointer rules run even when the JSON is broken (they need only the
    TEI); the agreement and fixity checks need a valid JSON record. Every problem
    carries the record id when the JSON or the TEI names one.
    """
    return read_valid_record(record_json, tei, original, schema)[1]


def read_valid_record(record_json: bytes, tei: bytes, original: bytes | None, schema: TeiSchema = "subset") -> tuple[Record | None, list[Problem]]:
    """``validate_record``, also giving the record read from ``record_json`` (None when
    the JSON is not a valid record).

    A caller that validates the JSON it has just serialized can drop its own record and
    keep this one: the record as stored, and only one copy of a long transcript in memory.
    """
    record, problems = validate_model(record_json)
    tree, xml_problems = parse_tei(tei)
    problems += xml_problems
    if tree is not None:
        problems += validate_tei_schema(tree, schema)
        problems += validate_pointers(tree)
        if record is not None:
            problems += validate_agreement(record, tree)
    if record is not None and original is not None:
        problems += validate_fixity(record, original)
    record_id = _record_id(record, record_json, tree)
    return record, [dataclasses.replace(p, record_id=record_id) for p in problems]
