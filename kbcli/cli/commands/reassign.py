"""kb reassign: hand cards from one owner (or verifier) to another, in one commit."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import Commit, Quiet


def reassign(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None, typer.Argument(help="Only cards in these files or folders.")
    ] = None,
    from_: Annotated[
        str,
        typer.Option(
            "--from", help="The current owner or verifier handle; 'none' for unowned cards."
        ),
    ] = "",
    to: Annotated[str, typer.Option("--to", help="The new owner or verifier handle.")] = "",
    reset_verification: Annotated[
        bool,
        typer.Option(
            "--reset-verification", help="Remove verified_at: the new owner must verify again."
        ),
    ] = False,
    commit: Commit = True,
    quiet: Quiet = False,
) -> None:
    """Change owner (and verifiers) from one person or team to another, keeping verification dates.

    Example: kb reassign --from dmitri --to hannah runbooks/

    Example: kb reassign --from none --to docs-team guides/
    """
    from kbcli.cli.notices import say_if_on_no_branch
    from kbcli.cli.output import console
    from kbcli.errors import KbError
    from kbcli.usecases.verification import reassign as run_reassign

    if not from_ or not to:
        raise KbError(
            "give both --from HANDLE and --to HANDLE (--from none takes the cards with no owner)"
        )
    workspace = ctx.obj.workspace
    outcome = run_reassign(
        workspace,
        from_.strip(),
        to.strip(),
        paths or [],
        workspace.me(),
        reset_verification=reset_verification,
        commit=commit,
    )
    out = console(quiet=quiet)
    for path in outcome.changed:
        out.print(f"✔ {path}: {from_} → {to}")
    if outcome.commit:
        out.print(f"committed {outcome.commit[:10]}: {len(outcome.changed)} card(s) reassigned")
    say_if_on_no_branch(workspace.root, outcome.commit)


def register(app: typer.Typer) -> None:
    app.command()(reassign)
