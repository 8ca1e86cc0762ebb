"""``oral-archive duplicates``: records that hold the same text, and where their metadata disagree."""

from __future__ import annotations

import click

from .app import main, open_archive, print_json, stdout


@main.command("duplicates")
@click.option("--threshold", type=click.FloatRange(0.3, 1.0), default=None,
              help="Estimated similarity (Jaccard of word shingles) from which two texts count as the same  [default: 0.4].")
@click.option("--json", "as_json", is_flag=True, help="Print the clusters as JSON.")
@click.pass_context
def duplicates_command(ctx: click.Context, threshold: float | None, as_json: bool) -> None:
    """List groups of records with the same text (copies from several sources), with their
    similarity and the fields where the copies' metadata disagree, so one can be kept and
    the others withdrawn."""
    archive = open_archive(ctx)
    with archive.writing():  # builds the index the first time (an archive made before it)
        groups = archive.duplicate_clusters(threshold)
    if as_json:
        print_json([
            {"records": list(cluster.record_ids), "similarity": round(cluster.similarity, 2),
             "pairs": [{"a": a, "b": b, "similarity": round(s, 2)} for a, b, s in cluster.pairs],
             "disagreements": disagreements}
            for cluster, disagreements in groups
        ])
        return
    if not groups:
        click.echo("no two records hold the same text", err=True)
    for number, (cluster, disagreements) in enumerate(groups, start=1):
        stdout.print(f"cluster {number}: {len(cluster.record_ids)} records, similarity {cluster.similarity:.2f} or more", markup=False)
        for record_id in cluster.record_ids:
            stdout.print(f"  {record_id}", markup=False)
        for field, values in disagreements.items():
            shown = "; ".join(f"{record_id}: {value if value is not None else '(none)'}" for record_id, value in values.items())
            stdout.print(f"  {field} differs: {shown}", markup=False)
    if groups:
        click.echo(f"{len(groups)} group(s) of copies", err=True)
