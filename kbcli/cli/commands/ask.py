"""kb ask: a knowledge request, as a requested draft card for the owner search finds."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import Commit, Json, Quiet


def ask(
    ctx: typer.Context,
    question: Annotated[
        list[str], typer.Argument(help="The question, in the asker's words (quotes optional).")
    ],
    asker: Annotated[
        str | None, typer.Option("--from", help="Who asks (default: you, via people.yaml).")
    ] = None,
    commit: Commit = True,
    json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Ask an expert: write a draft card with status: requested, the question as its
    Issue, owned by whoever owns the cards most related to it (found by search).

    The request shows in that owner's kb report to-do until it is answered.

    Example: kb ask "Can a customer get a refund after a plan downgrade?"
    """
    # Words as kb search and kb suggest take them: a question typed without quotes is
    # the same question, not a usage error.
    from kbcli.cli.output import console, print_json, warn
    from kbcli.usecases.ask import ask as run_ask

    workspace = ctx.obj.workspace
    request = run_ask(
        workspace, " ".join(question), asker=asker or workspace.me().handle, commit=commit
    )
    for message in request.warnings:
        warn(message)
    if json:
        print_json(vars(request))
        return
    owner = request.owner or "nobody yet"
    line = f"Requested [bold]{request.path}[/] for {owner}"
    if request.commit:
        line += f"; committed {request.commit}"
    console(quiet=quiet).print(line, soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(ask)
