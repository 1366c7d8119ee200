"""kb flag: say a card is wrong or incomplete, so its owner sees it in kb report."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import CardRef, Commit, Json, Quiet


def flag(
    ctx: typer.Context,
    card: CardRef,
    reason: Annotated[str, typer.Option("--reason", "-r", help="What is wrong or missing.")],
    by: Annotated[
        str | None, typer.Option(help="Who flags it (default: you, mapped through the roster).")
    ] = None,
    commit: Commit = True,
    json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Flag a card: who, when and why go into its front matter; kb verify clears it.

    Example: kb flag billing/refund-request-processing.md --reason "Backstage menu was renamed"
    """
    from kbcli.cli.views.change import print_change
    from kbcli.usecases.lifecycle import flag as flag_card

    workspace = ctx.obj.workspace
    print_change(
        flag_card(workspace, card, reason=reason, by=by, commit=commit),
        workspace.root,
        as_json=json,
        quiet=quiet,
    )


def register(app: typer.Typer) -> None:
    app.command()(flag)
