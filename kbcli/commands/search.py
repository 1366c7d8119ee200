"""kb search: ranked search with trust badges, snippets and the query language."""

from __future__ import annotations

from typing import Annotated

import typer


def search(
    ctx: typer.Context,
    query: Annotated[
        list[str],
        typer.Argument(help='Words, "phrases", -exclusions, key:value and is:state filters.'),
    ],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="Show at most this many hits.")
    ] = 10,
    json: Annotated[
        bool, typer.Option("--json", help="Print JSON (fields in the README).")
    ] = False,
    paths_only: Annotated[
        bool, typer.Option("--paths-only", "-l", help="Print only the paths, one per line.")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show why each hit ranked where it did.")
    ] = False,
    archived: Annotated[
        bool, typer.Option("--archived", help="Include archived cards (hidden by default).")
    ] = False,
) -> None:
    """Search the cards, best first, with each card's trust badge and a matching passage.

    Query language: plain words (all required while that finds enough), "exact phrases",
    -word to exclude, tag: owner: status: audience: lang: or any front-matter key:value,
    and is:verified, is:due, is:expired, is:unverified, is:unowned. Exits 1 when nothing
    matches, as grep does.

    Example: kb search refund "duplicate charge" tag:billing -is:expired
    """
    from kbcli.search import search as run_search
    from kbcli.views_search import render_hits, render_no_hits

    workspace = ctx.obj.workspace
    result = run_search(
        workspace, " ".join(query), limit=limit, include_archived=archived, explain=explain
    )
    render_hits(result.hits, workspace, json=json, paths_only=paths_only, explain=explain)
    if not result.hits:
        render_no_hits(result, json=json or paths_only)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(search)
