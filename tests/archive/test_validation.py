"""Validation of stored records: one broken record per rule, each found at its exact place.

The base archive is the shared ``built_archive`` (seed + dev corpus) plus a transcript
with speakers and time stamps, so the timeline rules have something to check. Each
test copies it, breaks one thing in one stored file, and asserts the layer and the
location (XPath into the TEI, field path into the JSON) of the problem it causes.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.archive.validation import validate_record, xpath_of
from oral_archive.pipeline import ingest
from oral_archive.pipeline.cli import main
from oral_archive.schemas.errors import RecordInvalid
from oral_archive.schemas.xmlschemas import TEI_NS, XML_NS
from tests.conftest import SEED
from tests.schemas.test_tei_subset import TRANSCRIPT

NS = {"tei": TEI_NS}
T = "/tei:TEI"
HEADER = f"{T}/tei:teiHeader"
BIBL = f"{HEADER}/tei:fileDesc/tei:sourceDesc/tei:bibl"
PUBLICATION = f"{HEADER}/tei:fileDesc/tei:publicationStmt"
TITLE = f"{HEADER}/tei:fileDesc/tei:titleStmt/tei:title"
PERSONS = f"{HEADER}/tei:profileDesc/tei:particDesc/tei:listPerson"
BODY = f"{T}/tei:text/tei:body"
TIMELINE = f"{T}/tei:text/tei:front/tei:timeline"


@pytest.fixture(scope="module")
def base(built_archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """(archive folder with the corpus and the transcript, the transcript's record id)."""
    folder = tmp_path_factory.mktemp("validation") / "archive"
    shutil.copytree(built_archive.path, folder)
    transcript = folder.parent / "jane-smith-transcript.txt"
    transcript.write_text(TRANSCRIPT, encoding="utf-8")
    report = ingest([transcript], Archive(folder))
    assert not report.rejected, [r.reason for r in report.rejected]
    return folder, report.results[0].record_id


@pytest.fixture()
def archive(base: tuple[Path, str], tmp_path: Path) -> Archive:
    """A writable copy of ``base``."""
    shutil.copytree(base[0], tmp_path / "copy")
    return Archive(tmp_path / "copy", create=False)


@pytest.fixture()
def transcript_id(base: tuple[Path, str]) -> str:
    return base[1]


# -- how to break a stored record ------------------------------------------------------------


def change_tei(archive: Archive, record_id: str, change: Callable[[etree._ElementTree], None]) -> None:
    path = archive.store.version(record_id).tei_path
    tree = etree.parse(str(path))
    change(tree)
    path.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


def change_json(archive: Archive, record_id: str, change: Callable[[dict], None]) -> None:
    path = archive.store.version(record_id).json_path
    data = json.loads(path.read_bytes())
    change(data)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")


def one(tree: etree._ElementTree, xpath: str) -> etree._Element:
    found = tree.xpath(xpath, namespaces=NS)
    assert len(found) == 1, f"{xpath} selects {len(found)} elements in the unbroken record"
    return found[0]


def remove(xpath: str) -> Callable[[etree._ElementTree], None]:
    def change(tree: etree._ElementTree) -> None:
        for element in tree.xpath(xpath, namespaces=NS):
            element.getparent().remove(element)
    return change


def set_attribute(xpath: str, name: str, value: str) -> Callable[[etree._ElementTree], None]:
    return lambda tree: one(tree, xpath).set(name, value)


def set_text(xpath: str, text: str) -> Callable[[etree._ElementTree], None]:
    def change(tree: etree._ElementTree) -> None:
        one(tree, xpath).text = text
    return change


def add_child(xpath: str, tag: str, index: int | None = None, text: str = "x") -> Callable[[etree._ElementTree], None]:
    def change(tree: etree._ElementTree) -> None:
        child = etree.Element(tag)
        child.text = text
        parent = one(tree, xpath)
        parent.insert(len(parent) if index is None else index, child)
    return change


def set_json(path: str, value: object) -> Callable[[dict], None]:
    """Set a value at a dotted path with [i] indices, e.g. ``segments[3].who``."""
    def change(data: dict) -> None:
        steps = path.replace("[", ".").replace("]", "").split(".")
        target = data
        for step in steps[:-1]:
            target = target[int(step)] if step.isdigit() else target[step]
        if value is DELETE:
            del target[steps[-1]]
        else:
            target[steps[-1]] = value
    return change


DELETE = object()
ID = f"{{{XML_NS}}}id"

# (rule, which file, change, layer, location, words the message must contain)
# Paths into the transcript record: body = head h1 h2 h3, u1 (sp-q) .. u6; u2 starts at
# #T2 and holds <anchor synch="#T2"/>; the timeline is T0 (origin), T1 .. T4.
RULES = [
    # layer 1: the record model
    ("record id has the wrong form", "json", set_json("id", "Not An Id"), "model", "id", "required form"),
    ("version is not a positive number", "json", set_json("version", 0), "model", "version", "greater than or equal to 1"),
    # a record may lack a title (the text states none), but then its TEI must say so too
    ("title dropped from the JSON only", "json", set_json("title", DELETE), "cross-reference", TITLE, "the JSON record's title.value"),
    ("a field the model does not know", "json", set_json("colour", "blue"), "model", "colour", "not part of the record model"),
    ("checksum is not SHA-256", "json", set_json("source.sha256", "abc"), "model", "source.sha256", "required form"),
    ("participant role is not in the list", "json", set_json("participants[0].role", "bystander"), "model", "participants[0].role", "interviewee"),
    ("ingest time is not a date", "json", set_json("ingested_at", "yesterday"), "model", "ingested_at", "datetime"),
    ("a segment names an unknown speaker", "json", set_json("segments[3].who", "nobody"), "model", "segments[3].who", "not a participant"),
    ("evidence points to a missing segment", "json", set_json("title.evidence.segment", "p99"), "model", "title.segment", "missing segment"),
    # layer 2: the TEI subset (header promises first, then structure)
    ("no SHA-256 of the source", "tei", remove("//tei:bibl/tei:idno[@type='sha256']"), "tei", BIBL, "SHA-256"),
    ("no file name of the source", "tei", remove("//tei:bibl/tei:idno[@type='filename']"), "tei", BIBL, "name of the original file"),
    ("no record id", "tei", remove("//tei:publicationStmt/tei:idno[@type='record']"), "tei", PUBLICATION, "record id"),
    ("no record version", "tei", remove("//tei:publicationStmt/tei:idno[@type='version']"), "tei", PUBLICATION, "record version"),
    ("no tool", "tei", remove("//tei:appInfo"), "tei", f"{HEADER}/tei:encodingDesc", "tool"),
    ("no revision history entry", "tei", remove("//tei:revisionDesc/tei:change"), "tei", f"{HEADER}/tei:revisionDesc", "revision history"),
    ("participant list without persons", "tei", remove("//tei:listPerson/tei:person"), "tei", f"{HEADER}/tei:profileDesc/tei:particDesc", "participants"),
    ("checksum in the TEI is not hex", "tei", set_text("//tei:bibl/tei:idno[@type='sha256']", "XYZ"), "tei", f"{BIBL}/tei:idno[2]", "is 'XYZ'"),
    ("element TEI does not have", "tei", add_child("//tei:u[@xml:id='u2']", f"{{{TEI_NS}}}paragraph"), "tei", f"{BODY}/tei:u[2]/tei:paragraph", "not allowed"),
    ("attribute the subset does not allow", "tei", set_attribute("//tei:u[@xml:id='u2']", "type", "x"), "tei", f"{BODY}/tei:u[2]", "@type"),
    # layer 3: pointers (Schematron)
    ("@who names no participant", "tei", set_attribute("//tei:u[@xml:id='u1']", "who", "#nobody"), "cross-reference", f"{BODY}/tei:u[1]/@who", "not a participant"),
    ("@source points to no passage", "tei", set_attribute(TITLE, "source", "#nowhere"), "cross-reference", f"{TITLE}/@source", "does not exist"),
    ("@resp names no declared rule", "tei", set_attribute(TITLE, "resp", "#rule.none"), "cross-reference", f"{TITLE}/@resp", "not declared"),
    ("@synch is not on the timeline", "tei", set_attribute("//tei:u[@xml:id='u2']/tei:anchor", "synch", "#T99"), "cross-reference", f"{BODY}/tei:u[2]/tei:anchor/@synch", "timeline"),
    ("@start is not on the timeline", "tei", set_attribute("//tei:u[@xml:id='u2']", "start", "#T99"), "cross-reference", f"{BODY}/tei:u[2]/@start", "timeline"),
    ("@since is not on the timeline", "tei", set_attribute("//tei:when[@xml:id='T1']", "since", "#T99"), "cross-reference", f"{TIMELINE}/tei:when[2]/@since", "timeline"),
    ("@origin is not on the timeline", "tei", set_attribute("//tei:timeline", "origin", "#T99"), "cross-reference", f"{TIMELINE}/@origin", "timeline"),
    ("an xml:id used twice", "tei", set_attribute("//tei:u[@xml:id='u2']/tei:anchor", ID, "u1"), "cross-reference", f"{BODY}/tei:u[2]/tei:anchor/@xml:id", "more than one element"),
    # layer 3: TEI and JSON agree (Python)
    ("TEI record id differs", "tei", set_text("//tei:publicationStmt/tei:idno[@type='record']", "another-record"), "cross-reference", f"{PUBLICATION}/tei:idno[1]", "record's id"),
    ("TEI version differs", "tei", set_text("//tei:publicationStmt/tei:idno[@type='version']", "7"), "cross-reference", f"{PUBLICATION}/tei:idno[2]", "version"),
    ("TEI title differs", "tei", set_text(TITLE, "Another Title"), "cross-reference", TITLE, "title.value"),
    ("TEI checksum differs", "tei", set_text("//tei:bibl/tei:idno[@type='sha256']", "0" * 64), "cross-reference", f"{BIBL}/tei:idno[2]", "source.sha256"),
    ("TEI file name differs", "tei", set_text("//tei:bibl/tei:idno[@type='filename']", "other.txt"), "cross-reference", f"{BIBL}/tei:idno[1]", "source.filename"),
    ("segment kind differs", "json", set_json("segments[3].kind", "p"), "cross-reference", f"{BODY}/tei:u[1]", "segments[3].kind"),
    ("segment speaker differs", "json", set_json("segments[3].who", "sp-smith"), "cross-reference", f"{BODY}/tei:u[1]", "segments[3].who"),
    ("segment start differs", "tei", set_attribute("//tei:when[@xml:id='T2']", "interval", "13"), "cross-reference", f"{BODY}/tei:u[2]", "segments[4].start"),
    ("segment missing from the TEI", "tei", set_attribute("//tei:u[@xml:id='u6']", ID, "u7"), "cross-reference", BODY, "segments[8]"),
    ("participant role differs", "json", set_json("participants[0].role", "speaker"), "cross-reference", f"{PERSONS}/tei:person[1]", "participants[0].role"),
    ("participant name differs", "tei", add_child(f"{PERSONS}/tei:person[2]", f"{{{TEI_NS}}}persName", 0, "Nobody In This Record"), "cross-reference", f"{PERSONS}/tei:person[2]/tei:persName[1]", "participants[1].name"),
]


@pytest.mark.parametrize("rule, target, change, layer, location, words", RULES, ids=[r[0] for r in RULES])
def test_each_rule_reports_its_layer_and_location(rule, target, change, layer, location, words, archive, transcript_id):
    assert archive.validate([transcript_id])[transcript_id] == []
    if target == "tei":
        change_tei(archive, transcript_id, change)
    else:
        change_json(archive, transcript_id, change)
    problems = archive.validate([transcript_id])[transcript_id]
    matching = [p for p in problems if (p.layer, p.location) == (layer, location)]
    assert matching, f"{rule}: no {layer} problem at {location}; got {[str(p) for p in problems]}"
    assert any(words in p.message for p in matching), [p.message for p in matching]
    assert all(p.record_id for p in problems)  # every message names its record
    if layer != "model":
        # XML problems carry the line of the element in the stored TEI file.
        assert all(p.line for p in matching if p.location != BODY)


def test_locations_select_the_broken_element(archive, transcript_id):
    """A reported XPath is real: evaluated on the stored TEI it selects the broken element."""
    change_tei(archive, transcript_id, set_attribute("//tei:u[@xml:id='u3']", "who", "#nobody"))
    (problem,) = [p for p in archive.validate([transcript_id])[transcript_id] if p.location.endswith("/@who")]
    tree = etree.parse(str(archive.store.version(transcript_id).tei_path))
    (element,) = tree.xpath(problem.location.rsplit("/@", 1)[0], namespaces=NS)
    assert element.get(ID) == "u3" and element.sourceline == problem.line


def test_the_schematron_report_lists_failures_only(archive, transcript_id):
    """The SVRL report holds the failed assertions, and no "fired-rule" element for each
    element a rule checked (a long transcript's report was one per utterance)."""
    from oral_archive.schemas import xmlschemas

    svrl = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
    schematron = xmlschemas.cross_references()
    tree = etree.parse(str(archive.store.version(transcript_id).tei_path))
    assert schematron.validate(tree)
    assert not schematron.validation_report.xpath("//svrl:fired-rule", namespaces=svrl)
    (utterance,) = tree.xpath("//tei:u[@xml:id='u3']", namespaces=NS)
    utterance.set("who", "#nobody")
    assert not schematron.validate(tree)
    assert schematron.validation_report.xpath("//svrl:failed-assert", namespaces=svrl)
    assert not schematron.validation_report.xpath("//svrl:fired-rule", namespaces=svrl)


def test_a_changed_original_fails_fixity(archive, transcript_id):
    path = archive.store.version(transcript_id).original_path()
    path.write_bytes(path.read_bytes() + b"tampered")
    problems = archive.validate([transcript_id])[transcript_id]
    assert {(p.layer, p.location) for p in problems} == {("fixity", "data/original")}
    assert any("SHA-256" in p.message for p in problems) and any("bytes" in p.message for p in problems)


def test_a_file_that_is_not_xml_is_reported_with_its_line(archive, transcript_id):
    path = archive.store.version(transcript_id).tei_path
    path.write_bytes(path.read_bytes().replace(b"</teiHeader>", b"</teiHeadr>"))
    problems = archive.validate([transcript_id])[transcript_id]
    assert [(p.layer, p.location) for p in problems] == [("tei", "(document)")]
    assert problems[0].line and "not well-formed" in problems[0].message


def test_tei_all_layer_reports_what_tei_forbids(archive, transcript_id):
    change_tei(archive, transcript_id, add_child("//tei:u[@xml:id='u2']", f"{{{TEI_NS}}}paragraph"))
    problems = archive.validate([transcript_id], schema="full")[transcript_id]
    layers = {(p.layer, p.location) for p in problems}
    assert ("tei-all", f"{BODY}/tei:u[2]/tei:paragraph") in layers
    assert ("tei", f"{BODY}/tei:u[2]/tei:paragraph") in layers


def test_xpath_of_numbers_only_repeated_names():
    root = etree.fromstring(f'<TEI xmlns="{TEI_NS}"><text><body><head/><p/><p/></body></text></TEI>')
    body = root[0][0]
    assert [xpath_of(e) for e in body] == [f"{BODY}/tei:head", f"{BODY}/tei:p[1]", f"{BODY}/tei:p[2]"]


# -- every record of the corpus passes ------------------------------------------------------


@pytest.mark.slow
def test_every_corpus_record_passes_all_three_layers(base):
    archive = Archive(base[0], create=False)
    report = archive.validate(schema="full")  # subset, tei_all, Schematron, agreement, fixity
    assert len(report) >= 8
    assert {rid: [str(p) for p in problems] for rid, problems in report.items() if problems} == {}


# -- ingest: a record that fails is quarantined, nothing half-stored -------------------------


def test_an_invalid_record_is_quarantined_on_ingest(empty_archive: Archive, monkeypatch):
    from oral_archive.pipeline import stages

    real_tei_bytes = stages.tei_bytes

    def tei_without_checksum(tree: etree._ElementTree) -> bytes:
        for idno in tree.xpath("//tei:idno[@type='sha256']", namespaces=NS):
            idno.getparent().remove(idno)
        return real_tei_bytes(tree)

    monkeypatch.setattr(stages, "tei_bytes", tei_without_checksum)
    report = ingest([SEED], empty_archive)

    (result,) = report.results
    assert result.status == "rejected" and "invalid" in result.reason
    assert empty_archive.ids() == []
    assert list((empty_archive.path / "records").iterdir()) == []  # no version, no temporary folder
    (entry,) = empty_archive.quarantined()
    assert "invalid" in entry["reason"]
    assert any(d.startswith(f"[tei] {BIBL} (line ") and "SHA-256" in d for d in entry["details"]), entry["details"]
    assert (Path(entry["path"]) / "original.txt").read_bytes() == SEED.read_bytes()


def test_archive_add_refuses_an_invalid_record_and_writes_nothing(empty_archive: Archive, archive, transcript_id):
    record = archive.get(transcript_id)
    tei = archive.tei(transcript_id).replace(b'who="#sp-q"', b'who="#sp-x"')
    with pytest.raises(RecordInvalid) as raised:
        empty_archive.add(record, tei, archive.original(transcript_id))
    assert any(p.location == f"{BODY}/tei:u[1]/@who" for p in raised.value.problems)
    assert empty_archive.ids() == [] and list((empty_archive.path / "records").iterdir()) == []


def test_validate_record_names_the_record_even_when_the_json_is_broken(archive, transcript_id):
    stored = archive.store.version(transcript_id)
    problems = validate_record(b"{not json", stored.tei_path.read_bytes(), None)
    assert problems and {p.record_id for p in problems} == {transcript_id}  # from the TEI's idno


# -- the command line ------------------------------------------------------------------------


def test_cli_validate_exits_1_and_prints_id_layer_location(archive, transcript_id):
    runner = CliRunner()
    clean = runner.invoke(main, ["--archive", str(archive.path), "validate"])
    assert clean.exit_code == 0, clean.output
    change_tei(archive, transcript_id, set_attribute("//tei:u[@xml:id='u1']", "who", "#nobody"))

    result = runner.invoke(main, ["--archive", str(archive.path), "validate"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(f"{transcript_id}: ")]
    assert any(f"[cross-reference] {BODY}/tei:u[1]/@who (line " in line and "not a participant" in line for line in lines), result.output

    as_json = runner.invoke(main, ["--archive", str(archive.path), "validate", "--json", transcript_id])
    assert as_json.exit_code == 1
    data = json.loads(as_json.output)
    assert list(data) == [transcript_id]
    expected = {"record_id": transcript_id, "layer": "cross-reference", "location": f"{BODY}/tei:u[1]/@who"}
    assert any(expected.items() <= problem.items() and problem["line"] for problem in data[transcript_id])


def test_a_missing_schema_file_fails_every_record_instead_of_passing_it(archive, transcript_id, monkeypatch, tmp_path):
    """A package installed without our schema files must not store records unchecked."""
    from oral_archive.schemas import xmlschemas

    monkeypatch.setattr(xmlschemas, "TEI_SUBSET_RNG", tmp_path / "missing.rng")
    monkeypatch.setattr(xmlschemas, "CROSS_REFERENCES_SCH", tmp_path / "missing.sch")
    xmlschemas.tei_subset.cache_clear()
    xmlschemas.cross_references.cache_clear()
    try:
        problems = archive.validate([transcript_id])[transcript_id]
    finally:
        # Forget the "not installed" results: later tests load the real files again.
        xmlschemas.tei_subset.cache_clear()
        xmlschemas.cross_references.cache_clear()
    assert {(p.layer, p.location) for p in problems} == {
        ("tei", str(tmp_path / "missing.rng")),
        ("cross-reference", str(tmp_path / "missing.sch")),
    }


def test_a_misspelt_schema_level_is_refused_not_quietly_weaker() -> None:
    """validate(schema="tei-all") used to check the subset only, silently."""
    from lxml import etree

    from oral_archive.archive.validation import validate_tei_schema

    with pytest.raises(ValueError, match="unknown TEI schema level 'tei-all'"):
        validate_tei_schema(etree.ElementTree(etree.Element("TEI")), "tei-all")  # type: ignore[arg-type]
