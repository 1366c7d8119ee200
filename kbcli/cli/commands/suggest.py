"""kb suggest: the cards most likely to answer a ticket, an email or a chat question."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kbcli.cli.commands.options import Quiet


def suggest(
    ctx: typer.Context,
    text: Annotated[
        list[str], typer.Argument(help="The question or ticket text; - reads it from stdin.")
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 5,
    json: Annotated[
        bool, typer.Option("--json", help="Print JSON (same fields as kb search).")
    ] = False,
    paths_only: Annotated[
        bool, typer.Option("--paths-only", "-l", help="Print only the paths, one per line.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Suggest the cards that most likely answer TEXT: "search early, search often".

    Paste a whole ticket or email; kb picks the telling words itself. Exits 1 when
    no card looks relevant.

    Example: pbpaste | kb suggest -
    """
    from kbcli.cli.output import console
    from kbcli.cli.progress import ProgressBar
    from kbcli.cli.views.search import render_hits
    from kbcli.usecases.search import suggest as run_suggest

    body = sys.stdin.read() if text == ["-"] else " ".join(text)
    workspace = ctx.obj.workspace
    with ProgressBar(enabled=not quiet) as progress:
        hits = run_suggest(workspace, body, limit=limit, progress=progress)
    render_hits(hits, workspace, json=json, paths_only=paths_only)
    if not hits:
        if not json and not paths_only and not quiet:
            console().print("No card looks like an answer: this may be a new article to write.")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(suggest)
