"""``oral-archive search``."""

from __future__ import annotations

import html
import re
from dataclasses import asdict

import click
from rich.markup import escape

from .app import main, open_archive, print_json, stdout


def _terminal_snippet(marked: str, styled: bool) -> str:
    """<mark>term</mark> as bold yellow on a terminal, as »term« in plain output (pipes, logs)."""
    parts = re.split(r"(<mark>.*?</mark>)", marked)
    return "".join(
        (f"[bold yellow]{escape(html.unescape(p[6:-7]))}[/bold yellow]" if styled else escape(f"»{html.unescape(p[6:-7])}«"))
        if p.startswith("<mark>")
        else escape(html.unescape(p))
        for p in parts
    )


@main.command("search")
@click.argument("query")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Hits per page.")
@click.option("--page", default=1, show_default=True, type=click.IntRange(1), help="Page of results.")
@click.option("--sort", type=click.Choice(["relevance", "date", "title"]), default="relevance", show_default=True)
@click.option("--facets", is_flag=True, help="Count hits by role, organization, place and subject.")
@click.option("--json", "as_json", is_flag=True, help="Print results as JSON.")
@click.pass_context
def search_command(ctx: click.Context, query: str, limit: int, page: int, sort: str, facets: bool, as_json: bool) -> None:
    """Full-text search (Whoosh syntax: AND/OR/NOT, "phrases", field:value, wildcards, ranges)."""
    results = open_archive(ctx).search(query, limit=limit, page=page, sort=sort, facets=facets)
    if as_json:
        print_json(asdict(results))
        return
    stdout.print(f"{results.total} hit(s) for {query!r}", markup=False)
    for hit in results.hits:
        stdout.print(f"\n[bold]{escape(hit.title)}[/bold]  ({hit.id}, v{hit.version}, score {hit.score:.2f})")
        for snippet in hit.snippets:
            where = snippet.segment + (f" @{snippet.start}" if snippet.start else "") + (f" {snippet.who}" if snippet.who else "")
            stdout.print(f"  [dim]{escape(where)}[/dim]  {_terminal_snippet(snippet.text, stdout.is_terminal)}")
    for name, counts in results.facets.items():
        if counts:
            stdout.print(f"\n{name}: " + ", ".join(f"{k} ({v})" for k, v in counts.items()), markup=False)
