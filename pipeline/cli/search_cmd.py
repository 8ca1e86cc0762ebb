"""``oral-archive search`` and ``oral-archive index-status``."""

from __future__ import annotations

import html
import re
from dataclasses import asdict

import click
from rich.text import Text

from .app import main, open_archive, print_json, stderr, stdout


def _terminal_snippet(marked: str, styled: bool) -> Text:
    """<mark>term</mark> as bold yellow on a terminal, as »term« in plain output (pipes, logs).

    A ``Text`` of the snippet's own characters: brackets and colons in a transcript are
    never read as markup or emoji codes.
    """
    snippet = Text()
    for part in re.split(r"(<mark>.*?</mark>)", marked):
        if part.startswith("<mark>"):
            word = html.unescape(part[6:-7])
            if styled:
                snippet.append(word, style="bold yellow")
            else:
                snippet.append(f"»{word}«")
        else:
            snippet.append(html.unescape(part))
    return snippet


def _not_empty(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--speaker must name someone: an empty value would otherwise search everybody's words."""
    if value is not None and not re.search(r"\w", value):
        raise click.BadParameter("must name a participant (id, label, name or role), not be empty", ctx=ctx, param=param)
    return value


@main.command("search")
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Hits per page.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Page of results.")
@click.option("--sort", type=click.Choice(["relevance", "date", "title"]), default="relevance", show_default=True,
              help="date: newest interview first (undated after, by ingest); title: A to Z.")
@click.option("--reverse", is_flag=True, help="Reverse a date or title sort.")
@click.option("--facets", is_flag=True, help="Count hits by role, organization, place and subject.")
@click.option("--speaker", metavar="WHO", callback=_not_empty, help="Search only what this person said (participant id, label, name or role).")
@click.option("--allow-stale", is_flag=True, help="Search even if records are missing from the index (with a warning).")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_context
def search_command(ctx: click.Context, query: str, limit: int, page: int, sort: str, reverse: bool, facets: bool,
                   speaker: str | None, allow_stale: bool, as_json: bool) -> None:
    """Full-text search (Whoosh syntax: AND/OR/NOT, "phrases", field:value, wildcards, fuzzy~, ranges, dates).

    See docs/search.md for the fields and examples.
    """
    if reverse and sort == "relevance":  # a malformed command line: a usage error (exit 2)
        raise click.UsageError("--reverse needs --sort date or title", ctx)
    results = open_archive(ctx).search(query, limit=limit, page=page, sort=sort, reverse=reverse, facets=facets,
                                       speaker=speaker, allow_stale=allow_stale)
    for warning in results.warnings:
        stderr.print(f"warning: {warning}", markup=False)
    if as_json:
        print_json(asdict(results))
        return
    said = f" said by {speaker!r}" if speaker else ""
    shown = f"; page {results.page} of {results.pages}" if results.pages > 1 else ""
    stdout.print(f"{results.total} hit(s) for {query!r}{said}{shown}", markup=False)
    for hit in results.hits:
        facts = [hit.id, f"v{hit.version}"]
        if hit.score is not None:
            facts.append(f"score {hit.score:.2f}")
        if hit.date:
            facts.append(hit.date)
        if hit.speaker:
            facts.append(f"speaker {hit.speaker_name or hit.speaker}")
        stdout.print(Text.assemble("\n", (hit.title, "bold"), f"  ({', '.join(facts)})"))
        for snippet in hit.snippets:
            where = snippet.segment + (f" @{snippet.start}" if snippet.start else "") + (f" {snippet.who}" if snippet.who else "")
            stdout.print(Text.assemble("  ", (where, "dim"), "  ", _terminal_snippet(snippet.text, stdout.is_terminal)))
    for name, counts in results.facets.items():
        if counts:
            stdout.print(f"\n{name}: " + ", ".join(f"{k} ({v})" for k, v in counts.items()), markup=False)


@main.command("index-status")
@click.option("--deep", is_flag=True, help="Also compare every record's latest version with the indexed one.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def index_status_command(ctx: click.Context, deep: bool, as_json: bool) -> None:
    """Say whether the search index is missing, outdated, stale, locked or up to date (exit 1 unless usable)."""
    status = open_archive(ctx).index_status(deep=deep)
    if as_json:
        print_json(asdict(status))
    else:
        stdout.print(f"{status.state}: {status.message}", markup=False)
        for record_id in status.differing[:20]:
            stdout.print(f"  differs: {record_id}", markup=False)
    if status.state not in ("ok", "empty", "locked"):
        ctx.exit(1)
