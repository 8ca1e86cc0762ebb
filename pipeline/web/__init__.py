"""The reading room: researchers search and read the archive in a browser.

Server-rendered HTML over the same ``Archive`` the CLI uses (search page, record pages,
downloads), a JSON API beside the pages (``/api/search``, ``/api/records/<id>``) and the
OAI-PMH endpoint (``/oai``). ``docs/reading-room.md`` describes the pages and routes.

Flask and waitress are imported only when an app is made or served, so importing the
CLI (which names ``serve``) stays as quick as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from flask import Flask

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def create_app(archive_path: Path | str | None = None, admin_email: str | None = None) -> "Flask":
    """The reading room as a WSGI app over the archive at ``archive_path``.

    ``None`` means the default archive (``$ORAL_ARCHIVE`` or ``./archive-data``). The
    archive must exist: a ``StoreError`` says so otherwise. The app only reads.
    """
    from .app import create_app as create

    return create(archive_path, admin_email)


def make_server(archive_path: Path | str | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, admin_email: str | None = None):
    """A waitress server bound to ``host:port`` (port 0: any free port, see ``.effective_port``), not yet running."""
    import waitress

    # Bodies are small (OAI-PMH POSTs); refusing big ones early keeps one client from
    # tying up a worker. Four threads: searches are serialized anyway (see app.py).
    return waitress.create_server(
        create_app(archive_path, admin_email), host=host, port=port, threads=4, ident="oral-archive",
        max_request_body_size=1_048_576, clear_untrusted_proxy_headers=True,
    )


def serve(archive_path: Path | str | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, admin_email: str | None = None) -> None:
    """Run the reading room with waitress (a production WSGI server) until interrupted."""
    from oral_archive.archive.core import default_archive_path

    server = make_server(archive_path, host, port, admin_email)
    where = archive_path if archive_path is not None else default_archive_path()
    print(f"reading room for {where} on http://{host}:{server.effective_port}/ (Ctrl+C stops it)", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


__all__ = ["create_app", "make_server", "serve", "DEFAULT_HOST", "DEFAULT_PORT"]
