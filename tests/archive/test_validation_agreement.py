"""``validate`` compares every fact the TEI header carries with the JSON record.

A stored TEI edited by hand (nothing re-sealed) so that one header fact disagrees with the
JSON record is reported as one ``cross-reference`` problem that names the field and both
values, at the XPath of the edited element. The records here have every fact: a transcript
and the seed, ingested with a manifest that supplies rights, collection, date, subjects and
the interviewee's facts; the seed also has topics.
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
from oral_archive.archive.validation import validate_agreement, xpath_of
from oral_archive.pipeline import ingest
from oral_archive.pipeline.cli import main
from oral_archive.schemas.record import Record
from oral_archive.schemas.xmlschemas import TEI_NS
from tests.conftest import SEED

NS = {"tei": TEI_NS}

TRANSCRIPT = """Oral History Interview with Jane Smith
Nursing
March 3, 1998

Q: [00:00:05] When did you start working as a nurse at Mercy Hospital?
SMITH: [00:00:12] I have been a nurse since 1975. My mother said, "You will love it."
Q: [00:01:02] What was it like?
SMITH: [00:01:30] Hard work but rewarding.
Q: Thank you, Mrs. Smith.
SMITH: You are welcome.
"""

MANIFEST = """file,interviewee,interviewer,role,organization,place,tenure,date,rights,subjects,collection,language
jane-smith.txt,Jane Smith,Bob Quinn,nurse,Mercy Hospital,Chicago,1975,1998-05,All rights reserved,nursing;health,Health Voices,en
{seed},Ray Ortiz,Ann Lee,police officer,El Paso Police Department,El Paso,P8Y,1998-03-03,CC BY 4.0,policing,Public Service,en
"""


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(archive folder, {"transcript": id, "seed": id})."""
    folder = tmp_path_factory.mktemp("agreement")
    inputs = folder / "inputs"
    inputs.mkdir()
    (inputs / "jane-smith.txt").write_text(TRANSCRIPT, encoding="utf-8")
    shutil.copy(SEED, inputs / SEED.name)
    manifest = folder / "manifest.csv"
    manifest.write_text(MANIFEST.format(seed=SEED.name), encoding="utf-8")
    report = ingest([inputs], Archive(folder / "archive"), manifest=manifest)
    assert not report.rejected and not report.manifest_problems, ([r.reason for r in report.rejected], report.manifest_problems)
    ids = {("transcript" if r.path.name == "jane-smith.txt" else "seed"): r.record_id for r in report.results}
    return folder / "archive", ids


@pytest.fixture()
def archive(base, tmp_path: Path) -> Archive:
    shutil.copytree(base[0], tmp_path / "copy")
    return Archive(tmp_path / "copy", create=False)


def _tei(archive: Archive, record_id: str) -> tuple[Path, etree._ElementTree]:
    path = archive.store.version(record_id).tei_path
    return path, etree.parse(str(path))


def _one(tree: etree._ElementTree, xpath: str) -> etree._Element:
    found = tree.xpath(xpath, namespaces=NS)
    assert len(found) == 1, f"{xpath} selects {len(found)} elements in the unbroken record"
    return found[0]


INTERVIEWEE = "//tei:person[@role='interviewee']"

# (what is edited, which record, xpath of the element, attribute or None for its text,
#  the new value, the field the problem must name, the JSON value it must quote)
EDITS = [
    ("organization", "transcript", f"{INTERVIEWEE}//tei:orgName", None, "Acme Widgets", "].organization", "Mercy Hospital"),
    ("occupation", "transcript", f"{INTERVIEWEE}/tei:occupation", None, "plumber", "].occupation", "nurse"),
    ("place", "transcript", f"{INTERVIEWEE}//tei:placeName", None, "Boston", "].place", "Chicago"),
    ("tenure", "transcript", f"{INTERVIEWEE}/tei:state[@type='tenure']/tei:desc", None, "1980", "].tenure", "1975"),
    ("tenure start", "transcript", f"{INTERVIEWEE}/tei:state[@type='tenure']", "notBefore", "1980", "].tenure.normalized", None),
    ("tenure duration", "seed", f"{INTERVIEWEE}//tei:time[@dur]", "dur", "P9Y", "].tenure.normalized", "P8Y"),
    ("speaker label", "transcript", "//tei:person/tei:persName[@type='speaker-label'][.='SMITH']", None, "JONES", "].label", "SMITH"),
    ("rights", "transcript", "//tei:publicationStmt/tei:availability/tei:p", None, "Public domain", "rights.value", "All rights reserved"),
    ("collection", "transcript", "//tei:fileDesc/tei:seriesStmt/tei:title", None, "Other Voices", "collection.value", "Health Voices"),
    ("interview date as written", "transcript", "//tei:profileDesc/tei:creation/tei:date", None, "1999-01", "interview_date.value", "1998-05"),
    ("interview date", "transcript", "//tei:profileDesc/tei:creation/tei:date", "when", "1999-01", "interview_date.normalized", "1998-05"),
    ("language", "transcript", "//tei:profileDesc/tei:langUsage/tei:language", "ident", "fr", "language", "en"),
    ("a subject", "transcript", "//tei:textClass/tei:keywords[not(@n='topics')]/tei:term[1]", None, "plumbing", "subjects", "nursing"),
    ("a topic", "seed", "//tei:textClass/tei:keywords[@n='topics']/tei:term[1]", None, "zeppelins", "topics", None),
    ("source title", "transcript", "//tei:sourceDesc/tei:bibl/tei:title", None, "Another Title", "title.value (the source's title)", None),
    ("source media type", "transcript", "//tei:bibl/tei:idno[@type='media-type']", None, "text/html", "source.media_type", "text/plain"),
    ("source size", "transcript", "//tei:bibl//tei:measure[@unit='byte']", "quantity", "12", "source.size", None),
    ("source encoding", "transcript", "//tei:bibl/tei:note[@type='encoding']", None, "latin-1", "source.encoding", None),
    ("source URL", "seed", "//tei:bibl/tei:ptr[@type='source-url']", "target", "https://example.org/x", "source.url", "https://assignbuster.com/"),
    ("ingest time", "transcript", "//tei:publicationStmt/tei:date", "when", "2001-01-01T00:00:00+00:00", "ingested_at", None),
    ("tool version", "transcript", "//tei:appInfo/tei:application", "version", "0.0.1", "tool_version", None),
    ("a title the text states, marked devised", "transcript", "//tei:titleStmt/tei:title", "type", "devised", "title", None),
]


@pytest.mark.parametrize("what, which, xpath, attribute, value, field, in_json", EDITS, ids=[e[0] for e in EDITS])
def test_a_header_fact_edited_in_the_tei_is_a_problem_naming_the_field_and_both_values(
    archive: Archive, base, what, which, xpath, attribute, value, field, in_json
) -> None:
    record_id = base[1][which]
    assert archive.validate([record_id])[record_id] == []
    path, tree = _tei(archive, record_id)
    element = _one(tree, xpath)
    before = element.get(attribute) if attribute else element.text
    if attribute:
        element.set(attribute, value)
    else:
        element.text = value
    location = xpath_of(element)
    path.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))  # nothing re-sealed

    problems = archive.validate([record_id])[record_id]
    found = [p for p in problems if p.layer == "cross-reference" and field in p.message]
    assert found, f"{what}: no problem naming {field!r}; got {[str(p) for p in problems]}"
    (problem,) = found
    # at the edited element, or the one holding it whose whole text is the fact (state, availability)
    assert location.startswith(problem.location) and problem.location.count("/") >= location.count("/") - 1 and problem.line, str(problem)
    if field != "title":  # the devised mark is a kind, not a value
        assert repr(value) in problem.message or value in problem.message, problem.message
    assert in_json is None or in_json in problem.message, problem.message
    assert before is None or what == "a title the text states, marked devised" or str(before) != value


def test_the_cli_names_organization_after_a_hand_edit_of_the_stored_tei(archive: Archive, base) -> None:
    """The case as it was met: orgName edited in record.tei.xml, `oral-archive validate` said "valid"."""
    record_id = base[1]["seed"]
    path = archive.store.version(record_id).tei_path
    text = path.read_text(encoding="utf-8")
    assert "<orgName>El Paso Police Department</orgName>" in text
    path.write_text(text.replace("<orgName>El Paso Police Department</orgName>", "<orgName>Texas Rangers</orgName>"), encoding="utf-8")

    result = CliRunner().invoke(main, ["--archive", str(archive.path), "validate"])
    assert result.exit_code == 1, result.output
    (line,) = [line for line in result.output.splitlines() if "organization" in line]
    assert line.startswith(f"{record_id}: [cross-reference] ") and "tei:orgName (line " in line
    assert "'Texas Rangers'" in line and "'El Paso Police Department'" in line
    assert result.output.splitlines()[-1] == "1 valid, 1 invalid"


def test_an_edit_of_the_json_record_is_found_too(archive: Archive, base) -> None:
    record_id = base[1]["transcript"]
    path = archive.store.version(record_id).json_path
    data = json.loads(path.read_bytes())
    (interviewee,) = [p for p in data["participants"] if p["role"] == "interviewee"]
    interviewee["place"]["value"] = "Springfield"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    problems = archive.validate([record_id])[record_id]
    assert any(".place" in p.message and "'Springfield'" in p.message and "'Chicago'" in p.message for p in problems), [str(p) for p in problems]


def _agreement_after(archive: Archive, record_id: str, change: Callable[[etree._ElementTree], None]) -> list[str]:
    record = Record.model_validate_json(archive.store.version(record_id).json_path.read_bytes())
    _, tree = _tei(archive, record_id)
    change(tree)
    return [str(p) for p in validate_agreement(record, tree)]


@pytest.mark.parametrize("keep", ["n", "scheme"])
def test_topics_are_told_from_subjects_by_n_or_by_scheme(archive: Archive, base, keep: str) -> None:
    """Topics' keywords carry @n="topics" and a @scheme (the tool's taxonomy); either one
    is enough to tell them from the subjects, so a header builder that keeps only one of
    them still has both lists compared, and not mixed up."""
    record_id = base[1]["seed"]

    def keep_one(tree: etree._ElementTree) -> None:
        keywords = _one(tree, "//tei:textClass/tei:keywords[@n='topics']")
        for name in ("n", "scheme"):
            if name != keep and name in keywords.attrib:
                del keywords.attrib[name]
        if keep == "scheme":
            keywords.set("scheme", keywords.get("scheme") or "#automatic-keywords")

    assert _agreement_after(archive, record_id, keep_one) == []

    def and_swap(tree: etree._ElementTree) -> None:
        keep_one(tree)
        subjects = _one(tree, "//tei:textClass/tei:keywords[not(@n) and not(@scheme)]")
        subjects.set("n", "topics")  # the subjects now read as topics: both lists disagree

    problems = _agreement_after(archive, record_id, and_swap)
    assert any("subjects" in p for p in problems) and any("topics" in p for p in problems), problems


def test_a_missing_fact_in_the_tei_is_a_problem_too(archive: Archive, base) -> None:
    record_id = base[1]["transcript"]

    def drop_collection(tree: etree._ElementTree) -> None:
        series = _one(tree, "//tei:fileDesc/tei:seriesStmt")
        series.getparent().remove(series)

    problems = _agreement_after(archive, record_id, drop_collection)
    assert any("the TEI has no value for it" in p and "collection.value is 'Health Voices'" in p for p in problems), problems
