"""kb new: create a card from a template."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from kbcli.cli import completion
from kbcli.cli.commands.options import Quiet


def new(
    ctx: typer.Context,
    title: Annotated[
        str, typer.Option("--title", "-t", help="Title of the new card.", prompt="Title")
    ],
    template: Annotated[
        str,
        typer.Option(
            "--template",
            "-T",
            help="Card template (kb templates lists them).",
            autocompletion=completion.templates,
        ),
    ] = "kcs",
    owner: Annotated[
        str | None, typer.Option(help="Owner handle (default: you, mapped through the roster).")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag; repeat for more.")] = None,
    folder: Annotated[
        str | None,
        typer.Option(help="Folder for the card (default: the first card folder in kb.toml)."),
    ] = None,
    edit: Annotated[bool, typer.Option(help="Open the new card in $EDITOR.")] = True,
    force: Annotated[
        bool, typer.Option("--force", help="Create it even if a card has the same title.")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Create a card from a template, with a safe unique file name from the title.

    Example: kb new --template kcs --title "Refund a duplicate charge" --tag billing
    """
    from kbcli.adapters.editor import open_in_editor
    from kbcli.cli.output import console, warn

    workspace = ctx.obj.workspace
    if owner is None:
        owner = workspace.me().handle
        if owner is None:
            warn(
                "could not map your git identity to a person in the roster; "
                "the card has no owner yet (pass --owner)"
            )
    if not force:
        _refuse_same_title(workspace, title)
    _warn_duplicates(workspace, title)
    path = workspace.new_card(
        template=template, title=title, owner=owner, tags=tuple(tag or ()), folder=folder
    )
    rel = path.relative_to(workspace.root).as_posix()
    console(quiet=quiet).print(f"Created [bold]{rel}[/] from template '{template}'")
    if edit:
        open_in_editor(path)


def _refuse_same_title(workspace: Any, title: str) -> None:
    """A card with this very title exists: show it and ask (or stop, when nobody can
    answer), instead of writing ``...-2.md`` and warning afterwards."""
    import sys

    from kbcli.errors import KbError

    wanted = " ".join(title.split()).casefold()
    same = [c for c in workspace.catalog if " ".join(c.title.split()).casefold() == wanted]
    if not same:
        return
    card = same[0]
    owner = card.meta.owner or "no owner"
    shown = f"{card.path} ({card.title!r}, owner {owner})"
    if sys.stdin.isatty() and typer.confirm(
        f"A card with this title exists: {shown}. Create another one anyway?", default=False
    ):
        return
    raise KbError(
        f"a card with this title exists already: {shown}; edit it, or pass --force to "
        "create another one"
    )


def _warn_duplicates(workspace: object, title: str) -> None:
    """Search early: name the existing cards that look like the one being created."""
    from kbcli.cli.output import warn
    from kbcli.usecases.search import duplicates

    similar = duplicates(workspace, title)  # type: ignore[arg-type]
    if similar:
        listed = "; ".join(f"{hit.path} ({hit.title})" for hit in similar)
        warn(f"similar cards already exist, consider updating one instead: {listed}")


def register(app: typer.Typer) -> None:
    app.command()(new)
