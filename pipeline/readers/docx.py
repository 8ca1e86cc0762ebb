"""Reader for Word documents (``.docx``).

The document's paragraphs and table rows, in order, become the lines of a text that
then runs through the same ``clean`` and ``structure`` rules as a plain-text file:

- paragraphs are separated by blank lines (Word paragraphs are real paragraphs);
- a paragraph styled Title or Heading N is a heading line (written ``# `` for ``structure``);
- a bold run opening a paragraph that reads as a name (1-4 capitalised words, an optional
  colon) is a speaker label: it is written ``Name: rest`` so the transcript rules apply;
- a two-cell table row whose first cell is short is a turn ``first: second``.

Only two parts of the package (a zip) are ever inflated: the package relationships
(``_rels/.rels``), which name the main document part, and that part, parsed with lxml,
entities and network off. Opening a whole ``docx.Document`` also parses the styles,
settings, fonts and theme parts, which this reader never uses (it took two thirds of a
.docx's reading time), and python-docx's package reader inflates every part, images
included. A .docx is a zip, so it can be a zip bomb (a few MB inflating to gigabytes):
the number of entries, each part's declared size and its compression ratio are checked
before inflating, and inflating stops as soon as the output passes the limit, so a
package that lies about its sizes is stopped as well. A file that is not a valid .docx
is rejected with the reason.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib

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
# Qualified names, built once (an element's .tag is a new string each time: compare to these).
_P, _R, _T, _TAB, _BR, _CR = (f"{W}{name}" for name in ("p", "r", "t", "tab", "br", "cr"))
_TBL, _TR, _TC, _RPR, _B, _PPR, _PSTYLE, _VAL = (f"{W}{name}" for name in ("tbl", "tr", "tc", "rPr", "b", "pPr", "pStyle", "val"))


_BODY = f"{W}body"
# The main part is a document nobody here wrote: no DTD, no entities, no network.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)

_RUN_TEXT = {_T: "", _TAB: "\t", _BR: "\n", _CR: "\n"}  # what each node adds (w:t: its text)

# The package relationships name the main part; transitional and strict OOXML spell its type apart.
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_OFFICE_DOCUMENT = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
}
# Zip bomb limits. A Word document is a few dozen parts; its main part is XML that
# deflates 5-20 times (a transcript of 1 MB of text is a main part of 5-10 MB).
MAX_ENTRIES = 10_000  # zipfile builds an object per entry before anything can be checked
MAX_PART_BYTES = 100_000_000  # inflated main part; the relationships part gets 1 MB
MAX_RELATIONSHIPS_BYTES = 1_000_000
MAX_RATIO = 100  # inflated / compressed, for parts past RATIO_FROM bytes inflated
RATIO_FROM = 1_000_000
_CHUNK = 1 << 20


def _invalid(source: Source, reason: str) -> SourceError:
    return SourceError(str(source.path), f"is not a valid .docx file: {reason}", "decode")


def _open_package(source: Source) -> zipfile.ZipFile:
    # Counted in the bytes first: opening the zip reads its whole central directory.
    entries = source.data.count(b"PK\x01\x02")  # central directory signatures (an upper bound)
    if entries > MAX_ENTRIES:
        raise _invalid(source, f"its package holds about {entries:,} entries, more than the {MAX_ENTRIES:,} a Word document can have (a zip bomb?)")
    try:
        return zipfile.ZipFile(io.BytesIO(source.data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise _invalid(source, str(error) or type(error).__name__) from None


def _inflate(source: Source, package: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """One part's bytes, refused when it claims, or turns out, to inflate past ``limit``."""
    try:
        info = package.getinfo(name)
    except KeyError:
        raise _invalid(source, f"the package has no part {name!r}") from None
    if info.file_size > limit:
        raise _invalid(source, f"its part {name} declares {info.file_size:,} bytes inflated, over the limit of {limit:,} (a zip bomb?)")
    if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise _invalid(source, f"its part {name} inflates {info.file_size // max(info.compress_size, 1):,} times ({info.compress_size:,} to {info.file_size:,} bytes), more than the {MAX_RATIO} a document part does (a zip bomb?)")
    chunks: list[bytes] = []
    size = 0
    try:
        with package.open(info) as part:
            while chunk := part.read(_CHUNK):  # never more than the limit in memory, whatever the headers say
                size += len(chunk)
                if size > limit:
                    raise _invalid(source, f"its part {name} inflates past the limit of {limit:,} bytes, more than it declares (a zip bomb?)")
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, ValueError, OSError, EOFError) as error:
        raise _invalid(source, f"its part {name} cannot be inflated: {error}") from None
    return b"".join(chunks)


def _main_part_name(source: Source, package: zipfile.ZipFile) -> str:
    """The main document part's name in the zip, from the package relationships."""
    try:
        relationships = etree.fromstring(_inflate(source, package, "_rels/.rels", MAX_RELATIONSHIPS_BYTES), _PARSER)
    except etree.XMLSyntaxError as error:
        raise _invalid(source, f"its package relationships are not well-formed XML: {error}") from None
    for relationship in relationships.iter(_RELATIONSHIP):
        target = relationship.get("Target")
        if relationship.get("Type") in _OFFICE_DOCUMENT and target and relationship.get("TargetMode") != "External":
            # part names are absolute or relative to the package root; zip names have no leading "/"
            name = posixpath.normpath(posixpath.join("/", target)).lstrip("/")
            # part names are case-insensitive (OPC), zip names are not
            return {n.lower(): n for n in package.namelist()}.get(name.lower(), name)
    raise _invalid(source, "the package has no main document part")


def _run_text(run: etree._Element) -> str:
    """A run's text as Word shows it: w:t, tabs as spaces, breaks as newlines."""
    parts = []
    for node in run.iter():  # one pass, no tag matcher: most runs are an rPr and one w:t
        tag = node.tag
        if tag in _RUN_TEXT:
            parts.append((node.text or "") if tag == _T else _RUN_TEXT[tag])
    return "".join(parts)


def _first_grandchild(element: etree._Element, child: str, grandchild: str) -> etree._Element | None:
    """``element.find("child/grandchild")`` without ElementPath's per-call Python work."""
    for middle in element.iterchildren(child):
        for found in middle.iterchildren(grandchild):
            return found
    return None


def _is_bold(run: etree._Element) -> bool:
    """``run.find("w:rPr/w:b")`` is there and not switched off."""
    for child in run:
        if child.tag == _RPR:
            for grandchild in child:
                if grandchild.tag == _B:
                    return grandchild.get(_VAL, "true").lower() not in _FALSE
    return False


def _paragraph(p: etree._Element) -> tuple[str, str | None]:
    """(text, speaker label or None): a label is a leading bold run that reads as a name."""
    runs = [(run_text, _is_bold(run)) for run in p.iter(_R) if (run_text := _run_text(run))]
    text = "".join([t for t, _ in runs])
    bold = ""
    index = 0
    while index < len(runs) and runs[index][1]:
        bold += runs[index][0]
        index += 1
    label = bold.strip().rstrip(":").strip()
    if not label or not _NAME.match(label):
        return text, None
    rest = "".join([t for t, _ in runs[index:]]).lstrip().removeprefix(":").lstrip()
    return (rest, label) if rest else (text, None)


def _main_part(source: Source) -> etree._Element:
    """The parsed main document part (``word/document.xml`` in most packages)."""
    with _open_package(source) as package:
        blob = _inflate(source, package, _main_part_name(source, package), MAX_PART_BYTES)
    try:
        root = etree.fromstring(blob, _PARSER)
    except etree.XMLSyntaxError as error:
        raise _invalid(source, f"its document part is not well-formed XML: {error}") from None
    body = root.find(_BODY)
    if body is None:
        raise _invalid(source, "the document part has no w:body")
    return body


def _lines(body: etree._Element) -> tuple[list[str], int, int]:
    """(paragraph texts, bold labels read, headings read) in document order.

    Walks the body's XML with lxml: python-docx's per-paragraph objects run several
    XPath queries per run, which made .docx the slowest format by far.
    """
    out: list[str] = []
    labels = headings = 0
    for item in body.iterchildren(_P, _TBL):
        if item.tag == _TBL:
            for row in item.iter(_TR):
                cells = ["\n".join(_paragraph(p)[0] for p in cell.iter(_P)).strip() for cell in row.iterchildren(_TC)]
                if len(cells) == 2 and cells[0] and len(cells[0].split()) <= 4 and cells[1]:
                    out.append(f"{cells[0].rstrip(':')}: {cells[1]}")
                else:
                    out.append(" ".join(cell for cell in cells if cell))
            continue
        text, label = _paragraph(item)
        if not text.strip():
            continue
        style = _first_grandchild(item, _PPR, _PSTYLE)
        if style is not None and _HEADING_STYLE.match(style.get(_VAL, "")):
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
    lines, labels, headings = _lines(_main_part(source))
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
