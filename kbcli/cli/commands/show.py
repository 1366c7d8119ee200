"""kb show: one card, rendered in the terminal."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import CardRef


def show(
    ctx: typer.Context,
    card: CardRef,
    raw: Annotated[bool, typer.Option("--raw", help="Print the file as it is.")] = False,
) -> None:
    """Show a card under a header with owner, trust state and verification dates.

    Example: kb show billing/refund-duplicate-charge.md
    """
    from kbcli.cli.views.cards import card_page

    workspace = ctx.obj.workspace
    found = workspace.card(card)
    if raw:
        typer.echo((workspace.root / found.path).read_text(encoding="utf-8"), nl=False)
        return
    card_page(workspace.assess(found), workspace.today, workspace.config.roster)


def register(app: typer.Typer) -> None:
    app.command()(show)
