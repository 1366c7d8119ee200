"""kb publish: move a draft to published once it has an owner and its required sections."""

from __future__ import annotations

from typing import Annotated

import typer


def publish(
    ctx: typer.Context,
    card: Annotated[str, typer.Argument(help="A path, file name, alias or title.")],
    commit: Annotated[
        bool, typer.Option("--commit/--no-commit", help="Commit the change with git.")
    ] = True,
    json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Publish a draft: it needs an owner and the template's required sections filled.

    Only the status line changes. Exit 1 (and no change) lists what is missing.

    Example: kb publish billing/refund-for-a-duplicate-charge.md
    """
    from kbcli.change_view import print_change
    from kbcli.lifecycle import publish as publish_card

    print_change(publish_card(ctx.obj.workspace, card, commit=commit), as_json=json)


def register(app: typer.Typer) -> None:
    app.command()(publish)
