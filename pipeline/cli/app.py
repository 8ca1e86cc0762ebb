"""The click group, shared options and error handling.

Start-up time matters here: every ``show`` or ``search`` pays for what the CLI imports.
This module and the command modules import only click, rich and our light modules at
import time; a command imports the archive, Whoosh, lxml schemas or the stages it runs
inside its function (``tests/test_cli_startup.py`` checks, ``bench/cli_startup.py`` times).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console

from oral_archive.schemas.errors import ArchiveError

if TYPE_CHECKING:
    from oral_archive.archive.core import Archive

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


def _print_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    """``--version``, as click's ``version_option`` prints it, reading the version only when asked."""
    if not value or ctx.resilient_parsing:
        return
    from ..version import tool_version

    click.echo(f"oral-archive, version {tool_version()}", color=ctx.color)
    ctx.exit()


@click.group(cls=ArchiveGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--archive",
    "archive_path",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="ORAL_ARCHIVE",
    default=None,
    help="Archive folder (default: $ORAL_ARCHIVE or ./archive-data).",
)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version, help="Show the version and exit.")
@click.pass_context
def main(ctx: click.Context, archive_path: Path | None) -> None:
    """Oral-history archive: ingest transcripts into validated TEI records, search and export them."""
    from oral_archive.archive.core import default_archive_path

    ctx.obj = archive_path or default_archive_path()


def open_archive(ctx: click.Context, create: bool = False) -> Archive:
    from oral_archive.archive.core import Archive

    return Archive(ctx.obj, create=create)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
