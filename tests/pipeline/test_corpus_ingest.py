"""Every real file of the development corpus goes through the same code, without error."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from lxml import etree

from oral_archive.archive import Archive
from oral_archive.pipeline.clean import classify_artifact_line
from oral_archive.schemas.xmlschemas import TEI_NS

from ..conftest import TRUTH, corpus_files

NS = {"tei": TEI_NS}


def truth_by_file() -> dict[str, dict]:
    return {row["file"]: row for row in map(json.loads, TRUTH.read_text(encoding="utf-8").splitlines()) if row}


def test_every_corpus_file_is_stored(built_archive: Archive) -> None:
    stored = {built_archive.get(record_id).source.filename for record_id in built_archive.ids()}
    assert {path.name for path in corpus_files()} <= stored
    assert not built_archive.quarantined()


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_corpus_record_is_valid_tei_with_its_title(built_archive: Archive, tei_all_schema: etree.RelaxNG, path) -> None:
    (record_id,) = [rid for rid in built_archive.ids() if built_archive.get(rid).source.filename == path.name]
    tree = etree.ElementTree(etree.fromstring(built_archive.tei(record_id)))
    assert tei_all_schema.validate(tree), tei_all_schema.error_log
    expected_title = truth_by_file()[path.name]["title"]
    assert tree.xpath("string(//tei:titleStmt/tei:title)", namespaces=NS) == expected_title
    # nothing is lost: every word of the source, except on lines recorded as page artifacts, is in the body
    source_lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in source_lines if classify_artifact_line(line) is None]
    # a turn's speaker label moves from the text to @who and the header's speaker-label persName
    labels = tree.xpath("//tei:listPerson/tei:person/tei:persName[@type='speaker-label']/text()", namespaces=NS)
    if labels:
        label_prefix = re.compile(r"^\s*(?:" + "|".join(map(re.escape, labels)) + r")\s*:")
        kept = [label_prefix.sub(" ", line) for line in kept]
    body_words = Counter(re.findall(r"\w+", " ".join(tree.xpath("//tei:body//text()", namespaces=NS))))
    missing = Counter(re.findall(r"\w+", " ".join(kept))) - body_words
    assert not missing, f"words of {path.name} missing from the TEI body: {dict(missing)}"
