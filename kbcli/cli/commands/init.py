"""kb init: make a knowledge repo."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kbcli.cli.commands.options import Quiet


def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder to set up (created if missing).")
    ] = Path("."),
    title: Annotated[str, typer.Option(help="Handbook title.")] = "Knowledge base",
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
    from kbcli.usecases.scaffold import create_repo

    target = directory.resolve()
    make_git = git and (not target.exists() or repo_root(target) is None)
    who = identity(target if target.exists() else Path.cwd())
    me = None
    if who.email or who.name:
        handle = slugify((who.email or "").partition("@")[0] or who.name or "me")
        me = (handle, who.name, who.email)
    created = create_repo(target, title=title, me=me, make_git=make_git)
    out = console(quiet=quiet)
    out.print(f"Created a knowledge repo in [bold]{target}[/]:")
    for name in created:
        out.print(f"  {name}")
    out.print('Next: kb new --template kcs --title "How to ..."')


def register(app: typer.Typer) -> None:
    app.command()(init)
