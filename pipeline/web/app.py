"""The Flask app: routes, error pages and the JSON API of the reading room.

Pages are Jinja2 templates (autoescaped: any text from a record is shown as text) over
the library: ``search.py`` reads the form and runs the search, ``record.py`` builds the
record page and downloads, ``public.py`` withholds restricted fields. Every error
becomes a page (or, under ``/api/``, a JSON object) in plain words, with the status
that says what went wrong: 400 bad input, 404 no such record, 503 no usable index,
500 a defect of ours, logged on the server and never shown as a traceback.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict
from pathlib import Path

from flask import Flask, Response, abort, g, render_template, request, url_for
from werkzeug.exceptions import Gone, HTTPException

from oral_archive.archive.core import Archive, default_archive_path
from oral_archive.archive.search import IndexMissing, IndexStale
from oral_archive.pipeline.cli.records_cmd import provenance
from oral_archive.schemas.errors import ArchiveError, QueryError, RecordNotFound

from .public import load_public, marked_words, snippet_parts
from .record import DOWNLOADS, Withheld, download, record_page, withdrawal_notice
from .search import FACETS, BadInput, SearchForm, read_form, run_search

log = logging.getLogger("oral_archive.web")

# The page never needs anything from elsewhere; a transcript that smuggled markup past
# the escaping could still not run a script or load one.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
TITLES = {400: "This request cannot be answered", 403: "Not available", 404: "Not found", 405: "Not allowed", 410: "Withdrawn",
          413: "Too large", 414: "Address too long", 500: "Something went wrong", 503: "Search is not available"}


# base URLs whose OAI-PMH repository (and its record summaries) are kept between requests
MAX_OAI_BASE_URLS = 4


def create_app(archive_path: Path | str | None = None, admin_email: str | None = None) -> Flask:
    """The reading room over one archive (which must exist; it is only read).

    ``admin_email`` is the address OAI-PMH's Identify gives harvesters (a placeholder when
    none is given: set it for a public repository)."""
    path = Path(archive_path) if archive_path is not None else default_archive_path()
    archive = Archive(path, create=False)
    app = Flask(__name__)
    app.config.update(ARCHIVE_PATH=str(path), MAX_CONTENT_LENGTH=1_048_576, JSON_SORT_KEYS=False, OAI_ADMIN_EMAIL=admin_email)
    app.extensions["oral_archive"] = archive
    app.jinja_env.globals.update(snippet_parts=snippet_parts, FACETS=FACETS)
    app.jinja_env.trim_blocks = app.jinja_env.lstrip_blocks = True
    _routes(app, archive)
    _errors(app)

    @app.after_request
    def headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        # Pages follow the archive, which changes under them (an edit, a withdrawal, a
        # restore): a browser must ask again each time. A 410 Gone is cacheable by default
        # (RFC 9111), and Chromium kept showing a restored record as withdrawn. Static
        # files keep the caching Flask gives them.
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-cache")
        return response

    return app


def _version_arg() -> int | None:
    raw = request.args.get("version", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= 999_999:
        raise BadInput(f"version must be a whole number from 1, not {raw[:40]!r}")
    return int(raw)


def _available(archive: Archive, record_id: str) -> None:
    notice = withdrawal_notice(archive, record_id)
    if notice:
        raise Gone(notice)


def _sentence(text: str) -> str:
    """``text`` as a sentence: capital first letter, full stop."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def _json(data: object, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n", status=status, mimetype="application/json")


def _routes(app: Flask, archive: Archive) -> None:
    @app.get("/search")
    @app.get("/")  # registered first, so links to the search page are "/"
    def search_page() -> object:
        form = g.form = SearchForm()  # filled as it is read: a 400 page writes back what was typed
        read_form(request.args, form)
        page = run_search(archive, form)
        results = page.results
        if form.page > results.pages:
            abort(404, f"There is no page {form.page}: the results have {results.pages} page{'s' if results.pages != 1 else ''}.")
        hits = [
            {"hit": hit, "snippets": [{"snippet": s, "url": url_for("record_view", record_id=hit.id, mark=" ".join(marked_words(s.text)) or None, _anchor=s.segment),
                                       "who": page.records[hit.id].names.get(s.who or "")} for s in hit.snippets]}
            for hit in results.hits
        ]
        return render_template("search.html", form=form, page=page, results=results, hits=hits)

    @app.get("/records/<record_id>")
    def record_view(record_id: str) -> object:
        _available(archive, record_id)
        mark = request.args.get("mark", "")
        if len(mark) > 1000:
            raise BadInput("the words to mark are too long (at most 1,000 characters)")
        page = record_page(archive, record_id, _version_arg(), mark)
        return render_template("record.html", page=page, record=page.public.record, downloads=DOWNLOADS)

    @app.get("/records/<record_id>/download/<kind>")
    def record_download(record_id: str, kind: str) -> Response:
        if kind not in DOWNLOADS:
            abort(404, f"There is no download called {kind[:40]!r}; choose from {', '.join(DOWNLOADS)}.")
        _available(archive, record_id)
        body, media_type, filename = download(archive, record_id, _version_arg(), kind)
        response = Response(body, mimetype=media_type)
        # Always an attachment: an original that is HTML must never render in this site.
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @app.get("/api/search")
    def api_search() -> Response:
        form = read_form(request.args)
        page = run_search(archive, form, facets=request.args.get("facets", "1") not in ("0", "false", ""), speaker_counts=False)
        # The CLI's ``search --json`` fields (asdict of SearchResults), withheld text masked.
        return _json(asdict(page.results))

    @app.get("/api/records/<record_id>")
    def api_record(record_id: str) -> Response:
        _available(archive, record_id)
        public = load_public(archive, record_id, _version_arg())
        # The fields of ``show --json`` (the JSON record), withheld fields removed.
        return _json(public.record.model_dump(mode="json"))

    @app.get("/api/records/<record_id>/provenance")
    def api_provenance(record_id: str) -> Response:
        _available(archive, record_id)
        public = load_public(archive, record_id, _version_arg())
        # The fields of ``show --provenance --json``.
        return _json({"id": public.record.id, "version": public.record.version, "values": provenance(public.record)})

    repositories: dict[str, object] = {}

    @app.route("/oai", methods=["GET", "POST"])
    def oai() -> Response:
        try:
            # Imported here: the OAI-PMH module is optional to the reading room's pages.
            from oral_archive.archive.oai import OaiRepository
        except ImportError:
            log.exception("the OAI-PMH endpoint cannot be loaded")
            abort(503, "The OAI-PMH endpoint is not available in this installation.")
        args = (request.form if request.method == "POST" else request.args).to_dict(flat=False)
        base_url = url_for("oai", _external=True)
        # one repository per base URL, kept: it caches each record's summary between requests
        repository = repositories.get(base_url)
        if repository is None:
            email = app.config.get("OAI_ADMIN_EMAIL")
            try:
                repository = OaiRepository(archive, base_url=base_url, **({"admin_emails": (email,)} if email else {}))
            except ValueError:  # the base URL comes from the request's Host header
                abort(400, "This server's address, as the request gives it, cannot be an OAI-PMH base URL.")
            if len(repositories) < MAX_OAI_BASE_URLS:  # Host headers are the client's to choose
                repositories[base_url] = repository
        body = repository.respond(args)
        return Response(body, mimetype="text/xml", content_type="text/xml; charset=utf-8")


def _errors(app: Flask) -> None:
    def page(status: int, message: str, title: str | None = None) -> Response:
        if request.path.startswith("/api/"):
            return _json({"error": message, "status": status}, status)
        form = getattr(g, "form", None)
        # A search that cannot run is shown on the search page, the form kept as typed.
        template = "search.html" if form is not None and status == 400 else "error.html"
        body = render_template(template, status=status, title=title or TITLES.get(status, "Error"), message=message,
                               form=form or SearchForm(), page=None, results=None, hits=[])
        return Response(body, status=status, mimetype="text/html")

    @app.errorhandler(QueryError)
    def bad_query(error: QueryError) -> Response:
        hint = "" if request.path.startswith("/api/") else " The search syntax is explained below the search box."
        return page(400, f"{_sentence(error.reason)}{hint}", "This search cannot be run")

    @app.errorhandler(BadInput)
    def bad_input(error: BadInput) -> Response:
        searching = getattr(g, "form", None) is not None
        return page(400, _sentence(str(error)), "This search cannot be run" if searching else None)

    @app.errorhandler(RecordNotFound)
    def not_found(error: RecordNotFound) -> Response:
        asked = str(error.record_id)[:100]
        version = re.fullmatch(r"(.+) v(\d+)", asked)  # the store names a missing version so
        if version:
            return page(404, f"Record {version.group(1)!r} has no version {version.group(2)}.")
        return page(404, f"There is no record {asked!r} in this archive.")

    @app.errorhandler(Withheld)
    def withheld(error: Withheld) -> Response:
        return page(403, str(error))

    @app.errorhandler(IndexMissing)
    @app.errorhandler(IndexStale)
    def no_index(error: ArchiveError) -> Response:
        log.error("search index unusable: %s", error)
        return page(503, "Searching is not possible right now: the archive's search index needs rebuilding. The archivist can run 'oral-archive reindex'.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        if error.code == 404 and (error.description or "").startswith("The requested URL"):
            return page(404, "There is no page at this address.")
        if error.code == 405:
            return page(405, "This address cannot be used that way.")
        return page(error.code or 500, error.description or TITLES.get(error.code or 500, "Error"))

    @app.errorhandler(ArchiveError)
    def archive_error(error: ArchiveError) -> Response:
        log.error("archive error on %s: %s", request.path, error)
        return page(500, "The archive could not be read for this page. The archivist can check it with 'oral-archive verify'.")

    @app.errorhandler(Exception)
    def defect(error: Exception) -> Response:
        # Our defect: the traceback goes to the server's log, the browser gets a sentence.
        log.exception("internal error on %s", request.path)
        return page(500, "Something went wrong on our side while making this page. It has been logged; please try again later.")
