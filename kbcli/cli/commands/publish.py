"""kb publish: move a draft to published once it has an owner and its required sections."""

from __future__ import annotations

import typer

from kbcli.cli.commands.options import CardRef, Commit, Json, Quiet


def publish(
    ctx: typer.Context,
    card: CardRef,
    commit: Commit = True,
    json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Publish a draft: it needs an owner and the template's required sections filled.

    Only the status line changes. Exit 1 (and no change) lists what is missing.

    Example: kb publish billing/refund-for-a-duplicate-charge.md
    """
    from kbcli.cli.views.change import print_change
    from kbcli.usecases.lifecycle import publish as publish_card

    workspace = ctx.obj.workspace
    change = publish_card(workspace, card, commit=commit)
    print_change(change, workspace.root, as_json=json, quiet=quiet)


def register(app: typer.Typer) -> None:
    app.command()(publish)
