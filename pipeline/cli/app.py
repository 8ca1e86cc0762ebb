"""The click group, shared options and error handling."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from oral_archive.archive.core import Archive, default_archive_path
from oral_archive.schemas.errors import ArchiveError

from ..stages import tool_version

# What we print is mostly the archive's data (titles, transcript text, file names, queries),
# which must come out as written: no console markup ("[bold]", "[/]" in a transcript
# would be styled or raise a markup error) and no emoji codes (":smile:" and the "3:x:1"
# of a time or a ratio would become pictures). Our own styling is passed as ``Text``
# styles, or as markup=True on a line whose data is escaped.
stdout = Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
stderr = Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


class ArchiveGroup(click.Group):
    """Turns our errors into one line and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArchiveError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except OSError as error:  # a file we were pointed at cannot be read or written
            click.echo(f"error: {error.filename or ''}{': ' if error.filename else ''}{error.strerror or error}", err=True)
            sys.exit(1)
        except Exception as error:  # a defect of ours: still one line, never a traceback
            click.echo(f"error: internal error ({type(error).__name__}: {error}); please report it with the command you ran", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


@click.group(cls=ArchiveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--archive",
    "archive_path",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="ORAL_ARCHIVE",
    default=None,
    help="Archive folder (default: $ORAL_ARCHIVE or ./archive-data).",
)
@click.version_option(tool_version(), prog_name="oral-archive")
@click.pass_context
def main(ctx: click.Context, archive_path: Path | None) -> None:
    """Oral-history archive: ingest transcripts into validated TEI records, search and export them."""
    ctx.obj = archive_path or default_archive_path()


def open_archive(ctx: click.Context, create: bool = False) -> Archive:
    return Archive(ctx.obj, create=create)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
