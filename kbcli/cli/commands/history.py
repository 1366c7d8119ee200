"""kb history: one card's timeline from git."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import CardRef


def history(
    ctx: typer.Context,
    card: CardRef,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    allow_shallow: Annotated[
        bool,
        typer.Option("--allow-shallow", help="Go on in a shallow clone (history is incomplete)."),
    ] = False,
) -> None:
    """Show when a card was created, edited, verified (by whom), given a new owner or moved.

    Renames are followed: a card keeps its history across git mv.

    Example: kb history billing/refund-policy.md
    """
    from kbcli.cli.gc_pause import paused_gc
    from kbcli.cli.output import print_json, warn
    from kbcli.cli.views.health import history_json, render_history
    from kbcli.usecases.health import card_timeline

    workspace = ctx.obj.workspace
    found = workspace.card(card)
    with paused_gc():  # the history pass makes millions of objects: see paused_gc
        timeline = card_timeline(workspace, found.path, allow_shallow=allow_shallow)
    for notice in timeline.notices:
        warn(notice)
    roster = workspace.config.roster
    if json:
        print_json({**history_json(timeline.history, roster), "uncommitted": timeline.uncommitted})
    else:
        render_history(timeline.history, roster, found.meta.shown_title, timeline.uncommitted)


def register(app: typer.Typer) -> None:
    app.command()(history)
