"""kb import: bring a Guru, Notion, Zendesk or Confluence export in as cards, in one commit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kbcli.cli.commands.options import Commit, Quiet


def import_export(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(help="Where the export comes from: guru, notion, zendesk or confluence."),
    ],
    export: Annotated[Path, typer.Argument(help="The export: a .zip file or its unpacked folder.")],
    folder: Annotated[
        str | None, typer.Option(help="Folder for the cards (default: one named for the source).")
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Owner of the cards whose owner the export does not map.")
    ] = None,
    quiet: Quiet = False,
    commit: Commit = True,
) -> None:
    """Import an export as cards: owners, verification dates, tags and folders mapped, links
    rewritten, images copied next to each card, and a list of what could not be mapped.

    Importing the same export again changes nothing; a card edited since is kept.
    What could not be mapped is always listed (kb: not mapped: ...), also with -q.

    Example: kb import guru ~/Downloads/guru-export.zip --owner support-team

    Example: kb import confluence ~/Downloads/Confluence-space-export-SUP.html.zip
    """
    from kbcli.cli.output import console, err_console
    from kbcli.usecases.import_export import import_export as run_import

    outcome = run_import(
        ctx.obj.workspace, source, export, folder=folder, owner=owner, commit=commit
    )
    out = console()
    if not quiet:
        for path in outcome.written:
            out.print(f"+ {path}", soft_wrap=True, markup=False, highlight=False)
    err = err_console()
    for note in outcome.notes:
        err.print(f"kb: not mapped: {note}", soft_wrap=True, markup=False)
    if quiet:
        return
    err.print(
        f"{len(outcome.cards)} card(s) in the export: {len(outcome.written)} file(s) written, "
        f"{len(outcome.unchanged)} unchanged, {len(outcome.kept)} kept (edited since)"
    )
    if outcome.commit:
        err.print(f"committed {outcome.commit[:10]}")


def register(app: typer.Typer) -> None:
    app.command(name="import")(import_export)
