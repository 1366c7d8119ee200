"""kb list: the cards with their trust state, filtered."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.completion import choices

STATE_NAMES = ("verified", "due", "expired", "unverified", "needs-review", "no-owner")
StatusOption = Annotated[
    list[str] | None,
    typer.Option(
        help="Only cards with this status: draft, requested, published, archived (repeatable)."
    ),
]
StateOption = Annotated[
    list[str] | None,
    typer.Option(
        help="Only cards in this trust state: " + ", ".join(STATE_NAMES) + " (repeatable).",
        autocompletion=choices(STATE_NAMES),
    ),
]


def list_cards(
    ctx: typer.Context,
    tag: Annotated[
        list[str] | None, typer.Option(help="Only cards with this tag (repeatable).")
    ] = None,
    owner: Annotated[
        list[str] | None, typer.Option(help="Only cards of this owner (repeatable).")
    ] = None,
    status: StatusOption = None,
    state: StateOption = None,
    json: Annotated[
        bool, typer.Option("--json", help="Print JSON (fields in the README).")
    ] = False,
) -> None:
    """List cards with trust state, owner and expiry; broken cards are reported as file:line.

    Exits 1 when a card has problems (the other cards are still listed).

    Example: kb list --state expired --owner ana
    """
    from kbcli.cli.gc_pause import paused_gc
    from kbcli.cli.notices import say_history_notices, say_skipped_checks
    from kbcli.cli.output import card_json, print_json, print_problems
    from kbcli.cli.views.cards import card_table
    from kbcli.core.cards import Status
    from kbcli.core.catalog import CardFilter
    from kbcli.errors import ExitCode, KbError
    from kbcli.usecases.health import judged

    bad = [s for s in state or () if s not in STATE_NAMES]
    if bad:
        raise KbError(f"unknown --state {bad[0]!r}: use one of {', '.join(STATE_NAMES)}")
    try:
        statuses = tuple(Status(s) for s in status or ())
    except ValueError as error:
        raise KbError(f"{error}: use draft, requested, published or archived") from None
    workspace = ctx.obj.workspace
    with paused_gc():  # every card judged on the history pass: see paused_gc
        items = judged(
            workspace,
            CardFilter(tuple(tag or ()), tuple(owner or ()), statuses, tuple(state or ())),
        )
    say_history_notices(workspace)
    say_skipped_checks(workspace)
    problems = workspace.catalog.problems()
    if json:
        print_json([card_json(item, workspace.today) for item in items])
    else:
        none = not items and not workspace.card_files.paths()
        card_table(items, workspace.today, workspace.config.roster, no_card_yet=none)
    print_problems(problems)
    raise typer.Exit(ExitCode.FINDINGS if problems else ExitCode.OK)


def register(app: typer.Typer) -> None:
    app.command(name="list")(list_cards)
