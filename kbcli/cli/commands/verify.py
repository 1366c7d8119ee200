"""kb verify: mark cards as checked today, as their owner or verifier, in one commit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kbcli.cli.commands.options import Commit, Quiet

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.core.people import Me
    from kbcli.usecases.verification import Outcome
    from kbcli.workspace import Workspace

Cards = Annotated[list[str] | None, typer.Argument(help="Cards, folders or globs.")]
Mine = Annotated[
    bool,
    typer.Option(
        "--mine",
        help="Every published card you own that is due, expired, never verified or needs review.",
    ),
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before --mine.")]
Force = Annotated[
    bool, typer.Option("--force", help="Verify cards you neither own nor verify (needs --reason).")
]
Reason = Annotated[str | None, typer.Option(help="Why --force is right; recorded in the commit.")]
Sign = Annotated[
    bool,
    typer.Option(
        "--sign",
        help="Sign the verification commit (git commit -S, with your gpg.format and "
        "user.signingkey); required with [verification] require_signed.",
    ),
]


def verify(
    ctx: typer.Context,
    cards: Cards = None,
    mine: Mine = False,
    yes: Yes = False,
    force: Force = False,
    reason: Reason = None,
    commit: Commit = True,
    sign: Sign = False,
    quiet: Quiet = False,
) -> None:
    """Set verified_at to today and commit just those cards with a Verified-by: trailer.

    Only an owner or verifier (your git identity, mapped through people.yaml) may verify;
    uncommitted edits to a card are committed with its verification.

    Example: kb verify billing/refund-policy.md

    Example: kb verify 'runbooks/*.md' guides/
    """
    from kbcli.cli.output import warn
    from kbcli.errors import KbError
    from kbcli.usecases.selection import named_cards
    from kbcli.usecases.verification import check_allowed, verify_warnings
    from kbcli.usecases.verification import verify as run_verify

    if mine and cards:
        raise KbError("give CARD arguments or --mine, not both")
    if not mine and not cards:
        raise KbError("name the cards to verify (kb verify CARD...), or pass --mine")
    workspace = ctx.obj.workspace
    me = workspace.me()
    found = _mine(workspace, me, yes=yes) if mine else named_cards(workspace, cards or ())
    if found is None:
        return
    check_allowed(workspace, found, me, force=force, reason=reason)
    for message in verify_warnings(workspace, len(found), commit=commit, sign=sign):
        warn(message)
    outcome = run_verify(
        workspace, found, me, commit=commit, forced_reason=reason if force else None, sign=sign
    )
    _print_outcome(workspace, outcome, me, commit=commit, quiet=quiet)


def _mine(workspace: Workspace, me: Me, *, yes: bool) -> list[Card] | None:
    """The user's due cards, listed and confirmed (None: nothing to do)."""
    from kbcli.cli.output import console
    from kbcli.errors import ExitCode, KbError
    from kbcli.usecases.verification import due_cards

    out = console()
    items = due_cards(workspace, me)
    if not items:
        out.print(f"Nothing to verify: no card of {me.handle} is due, expired or needs review.")
        return None
    out.print(f"{len(items)} card(s) of {me.handle} need verifying:")
    for item in items:
        out.print(f"  {item.trust.state.value:10} {item.card.path}  {item.card.title}")
    if not yes and not typer.confirm("Did you review them all, and verify them now?"):
        raise KbError("nothing verified", exit_code=ExitCode.FINDINGS)
    return [item.card for item in items]


def _print_outcome(
    workspace: Workspace, outcome: Outcome, me: Me, *, commit: bool, quiet: bool
) -> None:
    from kbcli.cli.notices import say_if_on_no_branch
    from kbcli.cli.output import console
    from kbcli.core.cards import Status

    day = workspace.today.isoformat()
    out = console(quiet=quiet)
    for card in outcome.cards:
        note = "" if card.path in outcome.changed else " (verified_at was already today)"
        if commit and card.meta.status is not Status.PUBLISHED:  # the not-published rule
            out.print(
                f"stamped {card.path} with {day}{note}; a {card.meta.status.value} card is no "
                f"answer to rely on, so it reads needs review until published "
                f"(kb publish {card.path})",
                soft_wrap=True,
            )
        elif commit:
            out.print(f"✔ verified {card.path} on {day}{note}")
        else:  # a date in the working tree is not trusted until a commit says who set it
            out.print(f"stamped {card.path} with {day}{note}, not committed")
    if not commit and outcome.cards:
        out.print("It counts as verified once committed: commit the card(s) yourself.")
    if outcome.commit:
        out.print(f"committed {outcome.commit[:10]} (Verified-by: {me.signature})")
    elif commit:
        out.print("nothing to commit: the cards were already verified today")
    say_if_on_no_branch(workspace.root, outcome.commit)


def register(app: typer.Typer) -> None:
    app.command()(verify)
