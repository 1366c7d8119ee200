"""kb verify: mark cards as checked today, as their owner or verifier, in one commit."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import Commit, Quiet


def verify(
    ctx: typer.Context,
    cards: Annotated[list[str] | None, typer.Argument(help="Cards, folders or globs.")] = None,
    mine: Annotated[
        bool, typer.Option("--mine", help="Every published card you own that is due or expired.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before --mine.")] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Verify cards you neither own nor verify (needs --reason)."),
    ] = False,
    reason: Annotated[
        str | None, typer.Option(help="Why --force is right; recorded in the commit.")
    ] = None,
    commit: Commit = True,
    sign: Annotated[
        bool,
        typer.Option(
            "--sign",
            help="Sign the verification commit (git commit -S, with your gpg.format and "
            "user.signingkey); required with [verification] require_signed.",
        ),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Set verified_at to today and commit just those cards with a Verified-by: trailer.

    Only an owner or verifier (your git identity, mapped through people.yaml) may verify;
    uncommitted edits to a card are committed with its verification.

    Example: kb verify billing/refund-policy.md

    Example: kb verify 'runbooks/*.md' guides/
    """
    from kbcli.cli.output import console, warn
    from kbcli.errors import ExitCode, KbError
    from kbcli.usecases.selection import named_cards
    from kbcli.usecases.verification import check_allowed, due_cards
    from kbcli.usecases.verification import verify as run_verify

    workspace = ctx.obj.workspace
    me = workspace.me()
    if mine and cards:
        raise KbError("give CARD arguments or --mine, not both")
    if not mine and not cards:
        raise KbError("name the cards to verify (kb verify CARD...), or pass --mine")
    out = console()
    if mine:
        items = due_cards(workspace, me)
        if not items:
            out.print(f"Nothing to verify: no card of {me.handle} is due or expired.")
            return
        out.print(f"{len(items)} card(s) of {me.handle} need verifying:")
        for item in items:
            out.print(f"  {item.trust.state.value:10} {item.card.path}  {item.card.title}")
        if not yes and not typer.confirm("Did you review them all, and verify them now?"):
            raise KbError("nothing verified", exit_code=ExitCode.FINDINGS)
        found = [item.card for item in items]
    else:
        found = named_cards(workspace, cards or ())
    check_allowed(workspace, found, me, force=force, reason=reason)
    history = workspace.config.history
    if len(found) >= history.bulk_threshold and commit:
        warn(
            f"re-stamping {len(found)} cards is reported as a bulk re-verification (kb.toml "
            f"[history] bulk_threshold = {history.bulk_threshold} within "
            f"{history.bulk_window_hours} hours) unless their text changed too"
        )
    if workspace.config.verification.require_signed and commit and not sign:
        warn(
            "kb.toml [verification] require_signed = true: an unsigned verification does not "
            "count; pass --sign"
        )
    outcome = run_verify(
        workspace, found, me, commit=commit, forced_reason=reason if force else None, sign=sign
    )
    day = workspace.today.isoformat()
    out = console(quiet=quiet)
    for card in outcome.cards:
        note = "" if card.path in outcome.changed else " (verified_at was already today)"
        out.print(f"✔ verified {card.path} on {day}{note}")
    if outcome.commit:
        out.print(f"committed {outcome.commit[:10]} (Verified-by: {me.signature})")
    elif commit:
        out.print("nothing to commit: the cards were already verified today")


def register(app: typer.Typer) -> None:
    app.command()(verify)
