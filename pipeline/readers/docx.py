"""Reader for Word documents (``.docx``, python-docx).

The document's paragraphs and table rows, in order, become the lines of a text that
then runs through the same ``clean`` and ``structure`` rules as a plain-text file:

- paragraphs are separated by blank lines (Word paragraphs are real paragraphs);
- a paragraph styled Title or Heading N is a heading line (written ``# `` for ``structure``);
- a bold run opening a paragraph that reads as a name (1-4 capitalised words, an optional
  colon) is a speaker label: it is written ``Name: rest`` so the transcript rules apply;
- a two-cell table row whose first cell is short is a turn ``first: second``.

python-docx parses the package's XML with entity resolution off; a file that is not a
valid .docx is rejected with the library's reason.
"""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree

from oral_archive.schemas.errors import SourceError

from ..clean import clean
from ..decode import normalize_text
from ..document import DecodedText, Decision, Document, Source
from ..structure import structure

_NAME = re.compile(r"^[A-Z][\w'’.\-]*(?: [A-Z][\w'’.\-]*){0,3}$")
_HEADING_STYLE = re.compile(r"^(?:Title|Heading ?\d)$")  # style ids ("Heading1") or names


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALSE = {"0", "false", "off"}


def _run_text(run: etree._Element) -> str:
    """A run's text as Word shows it: w:t, tabs as spaces, breaks as newlines."""
    parts = []
    for node in run.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        else:
            parts.append("\t" if node.tag == f"{W}tab" else "\n")
    return "".join(parts)


def _is_bold(run: etree._Element) -> bool:
    bold = run.find(f"{W}rPr/{W}b")
    return bold is not None and bold.get(f"{W}val", "true").lower() not in _FALSE


def _paragraph(p: etree._Element) -> tuple[str, str | None]:
    """(text, speaker label or None): a label is a leading bold run that reads as a name."""
    runs = [(run_text, _is_bold(run)) for run in p.iter(f"{W}r") if (run_text := _run_text(run))]
    text = "".join(t for t, _ in runs)
    bold = ""
    index = 0
    while index < len(runs) and runs[index][1]:
        bold += runs[index][0]
        index += 1
    label = bold.strip().rstrip(":").strip()
    if not label or not _NAME.match(label):
        return text, None
    rest = "".join(t for t, _ in runs[index:]).lstrip().removeprefix(":").lstrip()
    return (rest, label) if rest else (text, None)


def _lines(document: docx.document.Document) -> tuple[list[str], int, int]:
    """(paragraph texts, bold labels read, headings read) in document order.

    Walks the body's XML (already parsed by python-docx) with lxml: python-docx's
    per-paragraph objects run several XPath queries per run, which made .docx the
    slowest format by far.
    """
    out: list[str] = []
    labels = headings = 0
    for item in document.element.body.iterchildren(f"{W}p", f"{W}tbl"):
        if item.tag == f"{W}tbl":
            for row in item.iter(f"{W}tr"):
                cells = ["\n".join(_paragraph(p)[0] for p in cell.iter(f"{W}p")).strip() for cell in row.iterchildren(f"{W}tc")]
                if len(cells) == 2 and cells[0] and len(cells[0].split()) <= 4 and cells[1]:
                    out.append(f"{cells[0].rstrip(':')}: {cells[1]}")
                else:
                    out.append(" ".join(cell for cell in cells if cell))
            continue
        text, label = _paragraph(item)
        if not text.strip():
            continue
        style = item.find(f"{W}pPr/{W}pStyle")
        if style is not None and _HEADING_STYLE.match(style.get(f"{W}val", "")):
            headings += 1
            out.append(f"# {text.strip()}")
        elif label:
            labels += 1
            out.append(f"{label}: {text}")
        else:
            out.append(text.strip())
    return out, labels, headings


def read(source: Source) -> Document:
    """A Word document as a structured document (paragraphs or speaker turns)."""
    try:
        document = docx.Document(io.BytesIO(source.data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise SourceError(str(source.path), f"is not a valid .docx file: {error}", "decode") from None
    lines, labels, headings = _lines(document)
    text, decisions, artifacts = normalize_text("\n\n".join(lines))
    if not text.strip():
        raise SourceError(str(source.path), "has no text (an empty Word document)", "decode")
    decisions.insert(0, Decision("decode", f"read {len(lines)} paragraphs and table rows from the Word document, normalized to Unicode NFC"))
    if labels:
        decisions.append(Decision("decode", f"read {labels} bold run(s) opening a paragraph as speaker labels"))
    if headings:
        decisions.append(Decision("decode", f"read {headings} Title/Heading-styled paragraph(s) as headings"))
    decoded = DecodedText(source=source, text=text, encoding="docx (UTF-8 XML)", decisions=decisions, artifacts=artifacts)
    return structure(clean(decoded))
