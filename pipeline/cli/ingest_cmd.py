"""``oral-archive ingest``."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click
from rich.progress import Progress

from ..ingest import FileResult, ingest
from .app import main, open_archive, print_json, stderr, stdout


@main.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one result per file as JSON.")
@click.option("--manifest", "manifest", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="Archivist metadata, one row per file (.csv, .json or .yaml); supplied values win over extracted ones.")
@click.pass_context
def ingest_command(ctx: click.Context, paths: tuple[Path, ...], as_json: bool, manifest: Path | None = None) -> None:
    """Ingest files or folders (recursively). Invalid inputs are quarantined with a reason."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise click.ClickException(f"{missing[0]}: no such file or folder")
    archive = open_archive(ctx, create=True)
    with Progress(console=stderr, transient=True, disable=as_json or not stderr.is_terminal) as progress:
        task = progress.add_task("ingesting", total=None)

        def advance(result: FileResult) -> None:
            progress.advance(task)

        report = ingest(paths, archive, progress=advance, manifest=manifest)
    if as_json:
        print_json({"summary": dict(report.counts), "manifest_problems": [str(p) for p in report.manifest_problems], "results": [{k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(r).items()} for r in report.results]})
    else:
        for result in report.rejected:
            stderr.print(f"[red]rejected[/red] {result.reason}", markup=True)
            if result.quarantined:
                stderr.print(f"  kept in quarantine: {result.quarantined}", markup=False)
        for problem in report.manifest_problems:
            stderr.print(f"manifest problem: {problem}", markup=False)
        stdout.print(report.summary(), markup=False)
    if report.rejected or report.manifest_problems:
        ctx.exit(1)
