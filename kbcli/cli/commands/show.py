"""kb show: one card, rendered in the terminal."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from kbcli.cli.commands.options import CardRef
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.core.findings import Finding


def show(
    ctx: typer.Context,
    card: CardRef,
    raw: Annotated[bool, typer.Option("--raw", help="Print the file as it is.")] = False,
    json: Annotated[
        bool, typer.Option("--json", help="Print the card's JSON (as kb list --json).")
    ] = False,
) -> None:
    """Show a card under a header with owner, trust state and verification dates.

    Example: kb show billing/refund-duplicate-charge.md
    """
    from kbcli.cli.views.cards import card_page

    workspace = ctx.obj.workspace
    found = workspace.card(card)
    if raw:
        from kbcli.adapters.card_files import read_card_bytes

        try:
            data = read_card_bytes(workspace.root, found.path)
        except OSError as error:
            raise KbError(f"{found.path}: cannot read it ({error.strerror})") from None
        typer.echo(data.decode("utf-8", errors="replace"), nl=False)
        return
    from kbcli.cli.notices import say_history_notices, say_skipped_checks
    from kbcli.usecases.health import judge_cards

    (item,) = judge_cards(workspace, [workspace.assess(found)])
    say_history_notices(workspace)
    say_skipped_checks(workspace)
    if json:
        from kbcli.cli.output import card_json, print_json

        print_json(card_json(item, workspace.today))
    else:
        card_page(item, workspace.today, workspace.config.roster)
    _say_problems(found.path, item.card.problems)


def _say_problems(path: str, problems: Sequence[Finding]) -> None:
    """A card kb could not read shows as an empty, ownerless page: say why, as kb list
    does (stderr, exit 1), and how to see the file itself."""
    if not problems:
        return
    from kbcli.cli.output import err_console, print_problems
    from kbcli.errors import ExitCode

    print_problems(problems)
    err_console().print(f"kb show --raw {shlex.quote(path)} prints the file as it is", markup=False)
    raise typer.Exit(ExitCode.FINDINGS)


def register(app: typer.Typer) -> None:
    app.command()(show)
