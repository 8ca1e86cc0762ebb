"""``oral-archive validate``: re-check stored records, one line per problem."""

from __future__ import annotations

import click

from .app import main, open_archive, print_json, stdout


@main.command("validate")
@click.argument("record_ids", nargs=-1)
@click.option("--tei-all", is_flag=True, help="Also validate against the full TEI P5 schema (takes several seconds to load).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON: each record id with its list of problems (empty when valid).")
@click.pass_context
def validate_command(ctx: click.Context, record_ids: tuple[str, ...], tei_all: bool, as_json: bool) -> None:
    """Re-validate stored records (all of them, or the given ids).

    Three layers: the JSON record model; the TEI against the oral-archive TEI subset
    (and tei_all.rng with --tei-all); cross-references (pointers resolve, TEI and JSON
    agree) and the original's checksum. Each problem is printed as
    "<record id>: [<layer>] <location> (line N): <what is wrong>". Exit code 1 when any
    record has a problem.
    """
    archive = open_archive(ctx)
    report = archive.validate(record_ids or None, schema="full" if tei_all else "subset")
    invalid = [rid for rid, problems in report.items() if problems]
    if as_json:
        # {record id: [problems]} for every record checked ([] when valid); record_id is the
        # id we asked for, even when the broken files name another one.
        print_json({rid: [{**p.to_dict(), "record_id": rid} for p in problems] for rid, problems in report.items()})
    else:
        for rid in invalid:
            for problem in report[rid]:
                stdout.print(f"{rid}: {problem}", markup=False)
        stdout.print(f"{len(report) - len(invalid)} valid, {len(invalid)} invalid", markup=False)
    if invalid:
        ctx.exit(1)
