"""kb related: the cards most similar to one card."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import CardRef, Quiet


def related(
    ctx: typer.Context,
    card: CardRef,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 5,
    json: Annotated[
        bool, typer.Option("--json", help="Print JSON (same fields as kb search).")
    ] = False,
    paths_only: Annotated[
        bool, typer.Option("--paths-only", "-l", help="Print only the paths, one per line.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """List the cards most similar to CARD: the related cards of its handbook page
    (shared words, title and tags; cards linked by depends_on first).

    Exits 1 when no card is similar.

    Example: kb related billing/refund-request-processing.md
    """
    from kbcli.cli.output import console
    from kbcli.cli.progress import ProgressBar
    from kbcli.cli.views.search import render_hits
    from kbcli.usecases.search import related as run_related

    workspace = ctx.obj.workspace
    with ProgressBar(enabled=not quiet) as progress:
        path, hits = run_related(workspace, card, limit=limit, progress=progress)
    if not json and not paths_only and not quiet:
        console().print(f"[dim]Cards related to {path}:[/]")
    render_hits(hits, workspace, json=json, paths_only=paths_only)
    if not hits:
        if not json and not paths_only and not quiet:
            console().print("No related cards found.")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(related)
