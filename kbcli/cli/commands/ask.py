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
    """Ask an expert: write and commit a draft card with status: requested, the question
    as its Issue, owned by whoever owns the cards most related to it (found by search).

    The request is committed on the current branch (--no-commit only writes the file) and
    shows in that owner's kb report to-do until it is answered. The cards most related to
    the question are listed: read them first, one may answer it already. To look for an
    answer without filing a request, use kb suggest or kb search.

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
    from rich.markup import escape

    owner = request.owner or "nobody yet"
    lines = [f"Requested [bold]{escape(request.path)}[/] for {escape(owner)}"]
    if request.commit:
        on = f" on branch {escape(request.branch)}" if request.branch else ""
        lines.append(
            f"  committed {request.commit}{on}, not pushed (to take it back: "
            f"git revert {request.commit})"
        )
    else:
        lines.append("  written, not committed")
    if request.related:
        lines.append("  cards that may already answer it: " + escape(", ".join(request.related)))
    out = console(quiet=quiet)
    for line in lines:
        out.print(line, soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    app.command()(ask)
