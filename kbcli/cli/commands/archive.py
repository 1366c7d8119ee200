"""kb archive: retire a card; search and the handbook hide it unless asked for."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import CardRef, Commit, Json, Quiet


def archive(
    ctx: typer.Context,
    card: CardRef,
    reason: Annotated[
        str | None, typer.Option(help="Why it is archived (goes into the commit message).")
    ] = None,
    commit: Commit = True,
    json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Archive a card: only its status line changes; the file and its history stay.

    Example: kb archive integrations/api-v1-migration.md --reason "v1 API shut down"
    """
    from kbcli.cli.views.change import print_change
    from kbcli.usecases.lifecycle import archive as archive_card

    workspace = ctx.obj.workspace
    print_change(
        archive_card(workspace, card, reason=reason, commit=commit),
        workspace.root,
        as_json=json,
        quiet=quiet,
    )


def register(app: typer.Typer) -> None:
    app.command()(archive)
