"""Rights statements a transcript carries (RESTRICTIONS, "Rights: ...", "may be used ... with
permission of ...", "Copyright ... Oral History Program") are read into ``Record.rights`` with
evidence; a site's footer and a request for permission to record are not."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.pipeline.decode import read_source
from oral_archive.pipeline.document import Document
from oral_archive.pipeline.extract import extract
from oral_archive.pipeline.extract.rights import extract_rights
from oral_archive.pipeline.stages import document_from
from oral_archive.schemas.record import Fact, Record
from oral_archive.schemas.xmlschemas import DC_NS, OAI_DC_NS

from ..conftest import corpus_files

FIXTURES = Path(__file__).parents[1] / "fixtures"
EXCERPTS = corpus_files()[0].parents[1].parent / "corpus-excerpts" / "files"


def rights_of(path: Path) -> tuple[Document, Fact | None]:
    document = document_from(read_source(path))
    return document, extract_rights(document)


def spanned(document: Document, fact: Fact) -> str:
    evidence = fact.evidence
    return document.block(evidence.segment).text[evidence.start:evidence.end]


def test_the_restrictions_of_the_truman_library_transcript() -> None:
    """Real text (dev corpus): a RESTRICTIONS heading over the terms."""
    (fuchs,) = [p for p in corpus_files() if p.name.startswith("06-")]
    document, rights = rights_of(fuchs)
    assert rights is not None
    assert rights.value == (
        "This oral history transcript may be read, quoted from, cited, and reproduced for purposes of research. "
        "It may not be published in full except by permission of the Harry S. Truman Library."
    )
    evidence = rights.evidence
    assert spanned(document, rights) == rights.value and evidence.text == rights.value
    assert (evidence.rule, evidence.confidence) == ("rights.under-heading", 0.85)
    assert document.block(evidence.segment).kind == "p"
    assert extract(document).rights == rights  # wired into the extract stage


def test_the_legal_agreement_paragraph_of_an_archive_transcript() -> None:
    """Real text (excerpt corpus): four sentences of terms in one paragraph, the copyright
    line above them (less telling) passed over."""
    document, rights = rights_of(EXCERPTS / "36-don-watson-larc-oral-history.txt")
    assert rights.value.startswith("All uses of this manuscript are covered by a legal agreement")
    assert rights.value.endswith("without the written permission of the Director of Labor Archives and Research Center.")
    assert spanned(document, rights) == rights.value and rights.evidence.rule == "rights.statement"


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("extraction-blind2/files/b2-05.txt", "Restrictions: None. The narrator has signed a release assigning all rights to the Project.", "rights.field-line"),
        # "Rights:" is the field's own name, left out; "Restrictions:" is part of what it says
        ("extraction-blind2/files/b2-09.txt", "Open for research use. Quotation of more than 300 words requires written permission of the Collection.", "rights.field-line"),
        ("extraction-holdout/files/13-school-librarian-dc-oral-history.txt", "Restrictions: None", "rights.field-line"),
        # in the middle of a front-matter paragraph
        (
            "extraction-holdout/files/05-retired-millworker-archive-frontmatter.txt",
            "Restrictions: none. The transcript may be used for research and teaching. Quotation for publication requires the written permission of the Penobscot Valley Historical Society.",
            "rights.statement",
        ),
        ("extraction-blind3/files/14-pettit-agent-telegrapher-slaton.txt", "This transcript may not be quoted or reproduced without the written permission of the Collection.", "rights.statement"),
        ("extraction-blind3/files/12-ladner-pipe-welder-pascagoula.txt", "Copyright retained by the Coastal Heritage Oral History Program; permission required for publication.", "rights.statement"),
        # after the last turn (the structure left it inside that turn)
        (
            "extraction-blind4/files/02-oral-history-electrician-apprentice.txt",
            "This interview is made available for research and educational use. Please credit the High Plains Working Lives Oral History Collection.",
            "rights.field-line",
        ),
    ],
)
def test_rights_lines_and_statements_of_archive_transcripts(path: str, value: str, rule: str) -> None:
    document, rights = rights_of(FIXTURES / path)
    assert rights is not None and rights.value == value
    assert spanned(document, rights) == value and rights.evidence.rule == rule
    assert 0.6 <= rights.evidence.confidence <= 0.9 and rights.origin == "extracted"


@pytest.mark.parametrize(
    "path",
    [
        FIXTURES / "extraction-holdout/files/01-dispatcher-allcaps-essay.txt",  # "© 2024 EssayHarbor. All rights reserved. | Privacy Policy | ..."
        EXCERPTS / "32-mississippi-librarian-email-interview.txt",  # "We hold these kind of rights pretty high."
    ],
)
def test_a_sites_footer_and_talk_about_rights_are_no_rights_statement(path: Path) -> None:
    assert rights_of(path)[1] is None


def test_asking_permission_to_record_is_no_rights_statement() -> None:
    (firefighter,) = [p for p in corpus_files() if p.name.startswith("04-")]
    assert "Do I have your permission to proceed?" in firefighter.read_text(encoding="utf-8")
    assert rights_of(firefighter)[1] is None


def test_permission_in_an_essays_sentence_is_not_the_texts_terms(tmp_path: Path) -> None:
    path = tmp_path / "deputy.txt"
    path.write_text(
        "Interview with a Deputy\n\nI interviewed Deputy Carl Moss, who has served the county for nine years. "
        "He explained that officers cannot search a home without permission of the owner or a warrant. "
        "Records may not be shared without the consent of the court.\n",
        encoding="utf-8",
    )
    assert rights_of(path)[1] is None


def test_rights_reach_the_record_its_tei_and_its_exports(tmp_path: Path) -> None:
    from oral_archive.pipeline import ingest

    (fuchs,) = [p for p in corpus_files() if p.name.startswith("06-")]
    archive = Archive(tmp_path / "archive")
    report = ingest([fuchs], archive)
    assert not report.rejected, [r.reason for r in report.rejected]  # valid TEI: the rule is declared
    (record_id,) = archive.ids()
    record = archive.get(record_id)
    assert record.rights is not None and record.rights.evidence.rule == "rights.under-heading"
    tei = etree.fromstring(archive.tei(record_id))
    ns = {"t": "http://www.tei-c.org/ns/1.0"}
    (availability,) = tei.xpath("//t:publicationStmt/t:availability", namespaces=ns)
    assert availability.get("resp") == "#rule.rights.under-heading" and availability.get("source") == "#" + record.rights.evidence.segment
    out = io.BytesIO()
    archive.export("oai_dc", out, [record_id])
    dc = etree.fromstring(out.getvalue()).xpath("//oai_dc:dc", namespaces={"oai_dc": OAI_DC_NS})[0]
    assert [e.text for e in dc.iter(f"{{{DC_NS}}}rights")] == [record.rights.value]


def test_extracted_rights_are_stored_in_a_valid_record(tmp_path: Path) -> None:
    """The rights rule's evidence is declared in the TEI header like every rule's (a value
    whose @resp named an undeclared rule would make the record invalid, and quarantined)."""
    from oral_archive.pipeline import ingest

    (fuchs,) = [p for p in corpus_files() if p.name.startswith("06-")]
    archive = Archive(tmp_path / "archive")
    report = ingest([fuchs], archive)
    assert not report.rejected, [r.reason for r in report.rejected]
    record = archive.get(archive.ids()[0])
    assert record.rights is not None and record.rights.evidence.rule.startswith("rights.")
    assert ("rights", record.rights.evidence) in record.evidence_items()
    assert archive.validate() == {record.id: []}
