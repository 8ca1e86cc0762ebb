"""``serve``: the reading room and the OAI-PMH endpoint over one archive."""

from __future__ import annotations

from pathlib import Path

import click

from .app import main


@main.command("serve")
@click.option("--archive", "archive_path", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Archive folder to serve (default: the group's --archive, $ORAL_ARCHIVE or ./archive-data).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (127.0.0.1: this machine only).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--admin-email", metavar="ADDRESS", default=None, help="The contact OAI-PMH's Identify gives harvesters.")
@click.pass_context
def serve_command(ctx: click.Context, archive_path: Path | None, host: str, port: int, admin_email: str | None) -> None:
    """Open the reading room (search, records, downloads) and /oai for harvesters.

    The archive must exist (ingest into it first). Stop with Ctrl-C.
    """
    from ..web import serve  # Flask and waitress only when a server is started

    serve(archive_path or ctx.obj, host, port, admin_email)
