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
from docx.table import Table
from docx.text.paragraph import Paragraph

from oral_archive.schemas.errors import SourceError

from ..clean import clean
from ..decode import normalize_text
from ..document import DecodedText, Decision, Document, Source
from ..structure import structure

_NAME = re.compile(r"^[A-Z][\w'’.\-]*(?: [A-Z][\w'’.\-]*){0,3}$")
_HEADING_STYLE = re.compile(r"^(?:Title|Heading \d)$")


def _bold_label(paragraph: Paragraph) -> tuple[str, str] | None:
    """(label, rest) when the paragraph opens with a bold run that names a speaker."""
    runs = paragraph.runs
    bold = ""
    index = 0
    while index < len(runs) and runs[index].bold and runs[index].text:
        bold += runs[index].text
        index += 1
    label = bold.strip().rstrip(":").strip()
    if not label or not _NAME.match(label):
        return None
    rest = "".join(run.text for run in runs[index:]).lstrip()
    return label, rest.removeprefix(":").lstrip()


def _lines(document: docx.document.Document) -> tuple[list[str], int, int]:
    """(paragraph texts, bold labels read, headings read) in document order."""
    out: list[str] = []
    labels = headings = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells = [cell.text.strip() for cell in row.cells]
                if len(cells) == 2 and cells[0] and len(cells[0].split()) <= 4 and cells[1]:
                    out.append(f"{cells[0].rstrip(':')}: {cells[1]}")
                else:
                    out.append(" ".join(cell for cell in cells if cell))
            continue
        text = item.text.strip()
        if not text:
            continue
        style = item.style.name if item.style is not None else ""
        if _HEADING_STYLE.match(style or ""):
            headings += 1
            out.append(f"# {text}")
            continue
        found = _bold_label(item)
        if found and found[1]:
            labels += 1
            out.append(f"{found[0]}: {found[1]}")
        else:
            out.append(text)
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
