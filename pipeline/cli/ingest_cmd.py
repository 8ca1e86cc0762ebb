"""``oral-archive ingest``."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click
from rich.markup import escape
from rich.progress import Progress

from ..ingest import FileResult, ingest
from .app import main, open_archive, print_json, stderr, stdout


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one result per file as JSON.")
@click.option("--manifest", "manifest", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="Archivist metadata, one row per file (.csv, .json or .yaml); supplied values win over extracted ones.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes preparing records (decode, TEI, validate); storing and indexing stay in this one.")
@click.option("--wait", "wait", type=click.FloatRange(0), default=60.0, show_default=True,
              help="Seconds to wait for another process writing to the same archive before giving up.")
@click.pass_context
def ingest_command(ctx: click.Context, paths: tuple[Path, ...], as_json: bool, manifest: Path | None = None, workers: int = 1, wait: float = 60.0) -> None:
    """Ingest files or folders (recursively). Invalid inputs are quarantined with a reason.

    One process writes to an archive at a time: a second one waits up to --wait seconds
    for the first to finish, then stops with an error, having written nothing.
    """
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise click.ClickException(f"{missing[0]}: no such file or folder")
    archive = open_archive(ctx, create=True)
    inside = [p for p in paths if archive.contains(p)]
    if inside:
        raise click.ClickException(f"{inside[0]}: is inside the archive {archive.path}; its records are already stored")
    archive.lock_timeout = wait
    with Progress(console=stderr, transient=True, disable=as_json or not stderr.is_terminal) as progress:
        task = progress.add_task("ingesting", total=None)

        def advance(result: FileResult) -> None:
            progress.advance(task)

        report = ingest(paths, archive, progress=advance, manifest=manifest, workers=workers)
    if as_json:
        print_json({"summary": dict(report.counts), "manifest_problems": [str(p) for p in report.manifest_problems], "results": [{k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(r).items()} for r in report.results]})
    else:
        for result in report.rejected:
            stderr.print(f"[red]rejected[/red] {escape(result.reason or '')}", markup=True)
            if result.quarantined:
                stderr.print(f"  kept in quarantine: {result.quarantined}", markup=False)
        for problem in report.manifest_problems:
            stderr.print(f"manifest problem: {problem}", markup=False)
        stdout.print(report.summary(), markup=False)
    if report.rejected or report.manifest_problems:
        ctx.exit(1)
