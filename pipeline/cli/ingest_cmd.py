"""``oral-archive ingest``."""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from oral_archive.schemas.filenames import printable_path

from .app import main, open_archive, print_json, progress_bar, stderr, stdout

if TYPE_CHECKING:  # pragma: no cover
    from ..ingest import FileResult

# The default of --max-size: ``decode.DEFAULT_MAX_BYTES``, written out because the CLI starts
# without loading the pipeline (tests/pipeline/test_hostile_inputs.py checks that they agree).
DEFAULT_MAX_SIZE = "50MB"


class ByteSize(click.ParamType):
    """A size in bytes: ``50MB``, ``2.5 GB``, ``800KiB``, ``1000000``; ``0`` means no limit."""

    name = "size"
    UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "k": 10**3, "m": 10**6, "g": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}
    PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$")

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int):
            return value
        match = self.PATTERN.match(str(value).lower())
        if not match or match.group(2) not in self.UNITS:
            self.fail(f"{value!r} is not a size (examples: 50MB, 2GB, 800KiB, 1000000)", param, ctx)
        return int(float(match.group(1)) * self.UNITS[match.group(2)])


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one result per file as JSON.")
@click.option("--manifest", "manifest", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="Archivist metadata, one row per file (.csv, .json or .yaml); supplied values win over extracted ones.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes preparing records (decode, TEI, validate); storing and indexing stay in this one.")
@click.option("--wait", "wait", type=click.FloatRange(0), default=60.0, show_default=True,
              help="Seconds to wait for another process writing to the same archive before giving up.")
@click.option("--max-size", "max_size", type=ByteSize(), default=DEFAULT_MAX_SIZE, envvar="ORAL_ARCHIVE_MAX_SIZE", show_envvar=True, show_default=True,
              help="Refuse (unread) any input file larger than this, e.g. 50MB or 2GB; 0 for no limit.")
@click.pass_context
def ingest_command(ctx: click.Context, paths: tuple[Path, ...], as_json: bool, manifest: Path | None = None, workers: int = 1, wait: float = 60.0,
                   max_size: int = 50_000_000) -> None:
    """Ingest files or folders (recursively). Invalid inputs are quarantined with a reason.

    One process writes to an archive at a time: a second one waits up to --wait seconds
    for the first to finish, then stops with an error, having written nothing. Inside a
    folder, symbolic links are not followed (each is reported as rejected).
    """
    from ..ingest import ingest  # here, not at import: the pipeline is not needed to start the CLI

    missing = [p for p in paths if not p.exists()]
    if missing:
        raise click.ClickException(f"{printable_path(missing[0])}: no such file or folder")
    archive = open_archive(ctx, create=True)
    inside = [p for p in paths if archive.contains(p)]
    if inside:
        raise click.ClickException(f"{printable_path(inside[0])}: is inside the archive {archive.path}; its records are already stored")
    archive.lock_timeout = wait
    # counts, rate and time left on a terminal; nothing but the summary otherwise
    with progress_bar(disable=as_json) as progress:
        task = progress.add_task("ingesting", total=None)

        def advance(result: FileResult) -> None:
            progress.advance(task)

        def total(files: int) -> None:
            progress.update(task, total=files)

        report = ingest(paths, archive, progress=advance, on_total=total, manifest=manifest, workers=workers, max_bytes=max_size or None)
    if as_json:
        # a path is printed as the records store file names: undecodable bytes and controls escaped
        print_json({"summary": dict(report.counts), "manifest_problems": [str(p) for p in report.manifest_problems], "results": [{k: (printable_path(v) if isinstance(v, Path) else v) for k, v in asdict(r).items()} for r in report.results]})
    else:
        for result in report.rejected:
            stderr.print(f"[red]rejected[/red] {escape(result.reason or '')}", markup=True)
            if result.quarantined:
                stderr.print(f"  kept in quarantine: {result.quarantined}", markup=False)
        for problem in report.manifest_problems:
            stderr.print(f"manifest problem: {problem}", markup=False)
        for result in report.possible_duplicates:
            same = ", ".join(f"{other} ({similarity:.2f})" for other, similarity in result.copies)
            stdout.print(f"possible duplicate: {printable_path(result.path)} (record {result.record_id}) has the same text as {same}", markup=False)
        stdout.print(report.summary(), markup=False)
    if report.rejected or report.manifest_problems:
        ctx.exit(1)
