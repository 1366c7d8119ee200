"""kb init: make a knowledge repo."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from kbcli.cli.commands.options import Quiet

DEFAULT_TITLE = "Knowledge base"


def init(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="Folder to set up (created if missing).")
    ] = Path("."),
    title: Annotated[
        str, typer.Option(help="Handbook title (default: the site's own, if any).")
    ] = DEFAULT_TITLE,
    git: Annotated[
        bool, typer.Option(help="Run git init when the folder is not a repo yet.")
    ] = True,
    quiet: Quiet = False,
) -> None:
    """Make a knowledge repo: kb.toml, people.yaml, .gitignore, templates/ and git init.

    Example: kb init support-kb --title "Support handbook"
    """
    from kbcli.adapters.git_repo import identity, repo_root
    from kbcli.cli.output import console
    from kbcli.core.naming import slugify
    from kbcli.usecases.scaffold import create_repo, site_shape

    target = directory.resolve()
    existing = next(folder for folder in (target, *target.parents) if folder.exists())
    # A new folder inside a repository is a folder of that repository, not a nested one.
    make_git = git and repo_root(existing) is None
    who = identity(existing)
    me = None
    if who.email or who.name:
        handle = slugify((who.email or "").partition("@")[0] or who.name or "me")
        me = (handle, who.name, who.email)
    shape = site_shape(target)
    if shape and shape.title and title == DEFAULT_TITLE:
        title = shape.title
    created = create_repo(target, title=title, me=me, make_git=make_git, shape=shape)
    out = console(quiet=quiet)
    out.print(f"Created a knowledge repo in [bold]{target}[/]:")
    for name in created:
        out.print(f"  {name}")
    if shape:
        where = ", ".join(f"{f}/" for f in shape.folders)
        out.print(f"Found {shape.name}: the cards are the pages in {where} (kb.toml \\[cards])")
    found = _markdown_already_here(target, ctx.obj.today)
    if found:
        out.print(
            f"Found {found} markdown file(s) already here. Next: kb people suggest >> "
            "people.yaml (review who is current), then kb adopt (a plan of owners; "
            "--apply writes it)"
        )
    else:
        out.print('Next: kb new --template kcs --title "How to ..."')


def _markdown_already_here(root: Path, today: date) -> int:
    """How many card files the new kb.toml sees: a team with docs adopts them first."""
    from kbcli.config import load_config
    from kbcli.errors import KbError
    from kbcli.workspace import Workspace

    try:
        return len(Workspace(load_config(root), today, root).card_files.paths())
    except KbError:  # an older kb.toml or people.yaml kb init kept: kb adopt will say
        return 0


def register(app: typer.Typer) -> None:
    app.command()(init)
