"""``oral-archive validate``."""

from __future__ import annotations

import click

from .app import main, open_archive, print_json, stdout


@main.command("validate")
@click.argument("record_ids", nargs=-1)
@click.option("--tei-all", is_flag=True, help="Also validate against the full TEI P5 schema (slow to load).")
@click.option("--json", "as_json", is_flag=True, help="Print problems as JSON.")
@click.pass_context
def validate_command(ctx: click.Context, record_ids: tuple[str, ...], tei_all: bool, as_json: bool) -> None:
    """Re-validate stored records (model, TEI schema, cross-references, checksums)."""
    archive = open_archive(ctx)
    report = archive.validate(record_ids or None, schema="full" if tei_all else "subset")
    failing = {rid: problems for rid, problems in report.items() if problems}
    if as_json:
        print_json({rid: [{"layer": p.layer, "location": p.location, "message": p.message} for p in problems] for rid, problems in report.items()})
    else:
        for rid, problems in failing.items():
            for problem in problems:
                stdout.print(f"{rid}: {problem}", markup=False)
        stdout.print(f"{len(report) - len(failing)} valid, {len(failing)} invalid", markup=False)
    if failing:
        ctx.exit(1)
