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
    from kbcli.cli.output import print_json
    from kbcli.cli.views.health import history_json, render_history
    from kbcli.usecases.health import card_timeline

    workspace = ctx.obj.workspace
    found = workspace.card(card)
    timeline, dirty = card_timeline(workspace, found.path, allow_shallow=allow_shallow)
    if json:
        print_json({**history_json(timeline, workspace.config.roster), "uncommitted": dirty})
    else:
        render_history(timeline, workspace.config.roster, found.title, dirty)


def register(app: typer.Typer) -> None:
    app.command()(history)
