"""kb index: bring the search index up to date (kb search does this by itself)."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import Quiet


def index(
    ctx: typer.Context,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Throw the index away and index every card again.")
    ] = False,
    wait: Annotated[
        float,
        typer.Option(help="Seconds to wait for another kb process that is writing the index."),
    ] = 30.0,
    json: Annotated[bool, typer.Option("--json", help="Print what changed as JSON.")] = False,
    quiet: Quiet = False,
) -> None:
    """Update the search index under .kb/index/ (only cards added, changed or deleted).

    kb search, related and suggest update the index themselves before every query;
    run this after a large checkout, or with --rebuild if the index seems wrong.

    Example: kb index --rebuild
    """
    from kbcli.cli.output import console, print_json
    from kbcli.cli.progress import ProgressBar
    from kbcli.usecases.search import index_status, sync

    workspace = ctx.obj.workspace
    with ProgressBar(enabled=not quiet) as progress:
        stats = sync(workspace, rebuild=rebuild, wait=wait, progress=progress)
    facts = index_status(workspace)
    if json:
        print_json(
            {
                "added": stats.added,
                "changed": stats.changed,
                "deleted": stats.deleted,
                "unchanged": stats.unchanged,
                "rebuilt": stats.rebuilt,
                "seconds": round(stats.seconds, 3),
                "cards": facts["cards"],
                "languages": facts["languages"],
            }
        )
        return
    what = "rebuilt" if stats.rebuilt else "updated"
    if quiet:
        return
    if not stats.touched and not stats.rebuilt:
        console().print(f"Index up to date: {facts['cards']} card(s).")
        return
    console().print(
        f"Index {what}: {stats.added} added, {stats.changed} changed, {stats.deleted} deleted "
        f"({facts['cards']} card(s), languages {', '.join(facts['languages'])}) "
        f"in {stats.seconds:.2f} s."
    )


def register(app: typer.Typer) -> None:
    app.command()(index)
