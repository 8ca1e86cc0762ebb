"""Where the text was taken from: a provenance URL, never a citation.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from oral_archive.schemas.record import Evidence, Fact

from ..document import Document, PageBreak
from .common import (
    REFERENCES_HEADING,
    document_fields,
    extracted_fact,
    iter_document_lines,
)


def _provenance_url(text: str) -> str | None:
    """The URL as a record may hold it, or None for a citation link (a DOI) or a non-URL."""
    url = text.strip().rstrip(".,;)")
    if not url.lower().startswith("http"):
        url = "https://" + url
    if not re.fullmatch(r"https?://[^\s<>\"]+", url) or re.match(r"https?://(?:dx\.)?doi\.org/", url, re.IGNORECASE):
        return None
    return url


def extract_source_url(document: Document) -> Fact | None:
    """Where the text was taken from: a URL standing alone on a line (the cleaner cut it out
    as a page artifact), or a "Source: <URL>" field. A URL inside a sentence is a citation,
    and so is a bare URL in a references list (after a "References" heading) or a DOI."""
    for field in document_fields(document):
        if field.kind == "url" and (url := _provenance_url(field.value.split()[0])):
            begin = field.line.text.find(field.value.split()[0], field.start)
            return extracted_fact(url, field.line.evidence(begin, begin + len(field.value.split()[0]), "source-url.field-line", 0.9))
    if (trailing := _source_line_after_turns(document)) is not None:
        return trailing
    if (cited := _self_citation(document)) is not None:
        return cited
    in_references = False
    for block in document.blocks:
        if REFERENCES_HEADING.fullmatch(block.text.strip()):
            in_references = True
        offset = 0
        for inline in block.inlines:
            if isinstance(inline, PageBreak) and inline.artifact.kind == "url" and not in_references:
                # the line may carry a viewer's page number beside the URL ("2 http://...")
                address = next((part for part in inline.artifact.text.split() if re.match(r"(?:https?://|www\.)", part, re.IGNORECASE)), "")
                if url := _provenance_url(address):
                    # the URL is no longer in the text: an empty span where it stood
                    return extracted_fact(url, Evidence(segment=block.id, start=offset, end=offset, text=inline.artifact.text, rule="source-url.standalone-line", confidence=0.95))
            offset += len(getattr(inline, "text", "")) + (2 if hasattr(inline, "open_mark") else 0)
    return None


# "Source: https://...", a block of its own: a page's provenance line, even where a transcript's
# last speaker seems to go on (nobody says a labelled URL alone in a turn)
SOURCE_BLOCK = re.compile(r"(?:source|url|link|retrieved\s+from|available\s+(?:at|from)|permalink)\s*:?\s*(?P<url>(?:https?://|www\.)\S+)", re.IGNORECASE)


def _source_line_after_turns(document: Document) -> Fact | None:
    """A "Source: <URL>" block among a transcript's turns (field lines in turns are not fields)."""
    for block in document.blocks:
        if block.kind == "u" and (match := SOURCE_BLOCK.fullmatch(block.text.strip())) and (url := _provenance_url(match.group("url"))):
            begin = block.text.find(match.group("url"))
            return extracted_fact(url, Evidence(segment=block.id, start=begin, end=begin + len(match.group("url").rstrip(".,;)")), text=block.text, rule="source-url.source-line", confidence=0.85))
    return None


def _self_citation(document: Document) -> Fact | None:
    """"Interview With a 911 Dispatcher. (2021, March 4). EssayCove. Retrieved from <URL>": a
    page's "cite this page" line quotes its own title before the URL, which is the page's own
    address. A citation of another work names another title, so it is never taken."""
    title = " ".join((document.title or "").split()).casefold()
    if len(title.split()) < 3:
        return None
    # the citation may follow a transcript's last turn, so turns are read too
    for line in iter_document_lines(document, ("head", "p", "u")):  # one at a time: most texts cite nothing
        text = line.text
        if "http" not in text or title not in " ".join(text.split()).casefold():
            continue
        match = re.search(r"https?://[^\s<>\"]+", text)
        if match and text.casefold().find(title[:20]) < match.start() and (url := _provenance_url(match.group(0))):
            return extracted_fact(url, line.evidence(match.start(), match.start() + len(match.group(0).rstrip(".,;)")), "source-url.self-citation", 0.85))
    return None


def site_of(url: str) -> str | None:
    """The site a URL belongs to: its host without a leading ``www.``."""
    host = urlsplit(url).hostname
    return host[4:] if host and host.startswith("www.") else host
