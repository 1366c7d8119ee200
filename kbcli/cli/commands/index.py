"""kb index: bring the search index up to date (kb search does this by itself)."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import Quiet, seconds

Rebuild = Annotated[
    bool, typer.Option("--rebuild", help="Throw the index away and index every card again.")
]
Wait = Annotated[
    float,
    typer.Option(
        min=0,
        callback=seconds,
        help="Seconds to wait for another kb process that is writing the index (0: none).",
    ),
]
Json = Annotated[bool, typer.Option("--json", help="Print what changed as JSON.")]


def index(
    ctx: typer.Context,
    rebuild: Rebuild = False,
    wait: Wait = 30.0,
    json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Update the search index under .kb/index/ (only cards added, changed or deleted).

    kb search, related and suggest update the index themselves before every query;
    run this after a large checkout, or with --rebuild if the index seems wrong.
    With kbcli[semantic] installed it also embeds the new and changed cards' passages
    (vectors under .kb/, only changed passages; searches use whatever vectors exist).

    Example: kb index --rebuild
    """
    from kbcli.cli.views.index import index_command

    index_command(ctx.obj, rebuild=rebuild, wait=wait, json=json, quiet=quiet)


def register(app: typer.Typer) -> None:
    app.command()(index)
