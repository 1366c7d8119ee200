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
    With kbcli[semantic] installed it also embeds the new and changed cards' passages
    (vectors under .kb/, only changed passages; searches use whatever vectors exist).

    Example: kb index --rebuild
    """
    from kbcli.cli.output import console, print_json, warn
    from kbcli.cli.progress import ProgressBar
    from kbcli.usecases.search import index_status, sync
    from kbcli.usecases.semantic import embed_step

    workspace = ctx.obj.workspace
    with ProgressBar(enabled=not quiet) as progress:
        stats = sync(workspace, rebuild=rebuild, wait=wait, progress=progress)
        vectors, unavailable = embed_step(workspace, progress=progress)
    facts = index_status(workspace)
    if unavailable:
        warn(unavailable)
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
                "vectors": None
                if vectors is None
                else {
                    "model": vectors.model,
                    "cards_embedded": vectors.cards,
                    "passages_embedded": vectors.passages,
                    "passages_reused": vectors.reused,
                    "cards_with_vectors": vectors.total,
                    "seconds": round(vectors.seconds, 3),
                },
            }
        )
        return
    what = "rebuilt" if stats.rebuilt else "updated"
    if quiet:
        return
    if not stats.touched and not stats.rebuilt:
        console().print(f"Index up to date: {facts['cards']} card(s).")
    else:
        console().print(
            f"Index {what}: {stats.added} added, {stats.changed} changed, {stats.deleted} "
            f"deleted ({facts['cards']} card(s), languages {', '.join(facts['languages'])}) "
            f"in {stats.seconds:.2f} s."
        )
    if vectors is not None and vectors.cards:
        console().print(
            f"Vectors: {vectors.cards} card(s) embedded ({vectors.passages} passage(s), "
            f"{vectors.reused} reused) in {vectors.seconds:.1f} s; "
            f"{vectors.total} of {facts['cards']} card(s) have vectors."
        )


def register(app: typer.Typer) -> None:
    app.command()(index)
