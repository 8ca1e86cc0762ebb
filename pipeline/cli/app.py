"""The click group, shared options and error handling.

Start-up time matters here: every ``show`` or ``search`` pays for what the CLI imports.
This module and the command modules import only click, rich and our light modules at
import time; a command imports the archive, Whoosh, lxml schemas or the stages it runs
inside its function (``tests/test_cli_startup.py`` checks, ``bench/cli_startup.py`` times).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from oral_archive.schemas.errors import ArchiveError

if TYPE_CHECKING:
    from oral_archive.archive.core import Archive

# What we print is mostly the archive's data (titles, transcript text, file names, queries),
# which must come out as written: no console markup ("[bold]", "[/]" in a transcript
# would be styled or raise a markup error) and no emoji codes (":smile:" and the "3:x:1"
# of a time or a ratio would become pictures). Our own styling is passed as ``Text``
# styles, or as markup=True on a line whose data is escaped.
# The exit status when the reader of our output goes away (``oral-archive search x | head -1``):
# 128 + SIGPIPE (13), what a shell reports for a program that signal ended (``yes | head``),
# so ``set -o pipefail`` scripts see a cut-off output as they would from any Unix tool.
# Nothing is printed: the reader stopped reading, which is no error of the command.
EXIT_BROKEN_PIPE = 141


def end_of_pipe() -> NoReturn:
    """Stop quietly because stdout (or stderr) is a pipe whose reader has gone.

    As the Python docs' "Note on SIGPIPE" advises: point the standard streams at devnull,
    so flushing them at exit cannot raise a second ``BrokenPipeError`` (and print
    "Exception ignored ..."), then exit.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
        try:
            fd = stream.fileno()
        except (OSError, ValueError, AttributeError):  # not a real file (click's CliRunner, a StringIO)
            continue
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    raise SystemExit(EXIT_BROKEN_PIPE)


class _Console(Console):
    """rich's Console, but a closed pipe ends the command our way (rich exits with status 1)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        end_of_pipe()


stdout = _Console(highlight=False, soft_wrap=True, markup=False, emoji=False)
stderr = _Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def _sentence(message: str) -> str:
    """click's messages start with a capital ("Missing argument"); ours do not."""
    if len(message) > 1 and message[0].isupper() and message[1].islower():
        return message[0].lower() + message[1:]
    return message


def show_error(error: click.ClickException) -> None:
    """Print a click error as we print ours: the first line is ``error: ...``.

    A usage error keeps click's usage line and its "Try ... for help." hint, after the error.
    """
    # one line: click lists a Choice's values on lines of their own ("Choose from:\n\tcsv,")
    message = re.sub(r"\s*\n\s*", " ", error.format_message().strip())
    click.echo(f"error: {_sentence(message)}", err=True)
    if isinstance(error, click.UsageError) and error.ctx is not None:
        click.echo(error.ctx.get_usage(), err=True)
        if error.ctx.command.get_help_option(error.ctx) is not None:
            click.echo(f"Try '{error.ctx.command_path} {error.ctx.help_option_names[0]}' for help.", err=True)


def _flush() -> None:
    """Flush stdout now, so a closed pipe is noticed while we can still end quietly
    (at interpreter exit Python would print "Exception ignored ... BrokenPipeError")."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        end_of_pipe()


class ArchiveGroup(click.Group):
    """Turns our errors into one line and exit 1, never a traceback.

    Every error line starts with ``error: `` (click's own usage errors too, which keep
    exit code 2 and the usage hint); a closed output pipe ends the command quietly with
    ``EXIT_BROKEN_PIPE``.
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.NoArgsIsHelpError as error:  # the help screen, not an error line
            error.show()
            sys.exit(error.exit_code)
        except click.ClickException as error:
            show_error(error)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)
        except BrokenPipeError:
            end_of_pipe()
        # click returns the command's return value (None) or the code it exited with
        sys.exit(code if isinstance(code, int) else 0)

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:  # the group's own --help, --version
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            end_of_pipe()

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            _flush()
            return result
        except BrokenPipeError:
            end_of_pipe()
        except click.exceptions.Exit:
            _flush()
            raise
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


class _RateColumn(ProgressColumn):
    """Items per second ("12.5/s"), once rich has measured a speed."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.1f}/s" if speed else "", style="progress.data.speed")


def progress_bar(*, disable: bool = False) -> Progress:
    """A progress display on stderr for long work: description, bar, done/total, rate, time left.

    Shown only when stderr is a terminal (rich's ``TTY_COMPATIBLE=1`` forces it, ``=0``
    turns it off): a log, a pipe or a script sees nothing of it, only the command's
    summary. It is erased when done (transient). Lines the command prints to stdout meanwhile
    appear above the bar when stdout is that terminal too, and go straight to a redirected
    stdout otherwise.
    """
    return Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _RateColumn(),
        TextColumn("[progress.remaining]left"), TimeRemainingColumn(),
        console=stderr, transient=True, disable=disable or not stderr.is_terminal,
        redirect_stdout=stdout.is_terminal, redirect_stderr=False,
    )


def open_archive(ctx: click.Context, create: bool = False) -> Archive:
    from oral_archive.archive.core import Archive

    return Archive(ctx.obj, create=create)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
