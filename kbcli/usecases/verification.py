"""Use cases that change who vouches for cards: verify and reassign.

Both edit front matter only through the surgical editor (one field, every other
byte kept) and make one commit of exactly the files they touched, so the history
pass can later tell who verified what, and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kbcli.core import rules
from kbcli.core.cards import Card, Status
from kbcli.core.catalog import Assessed
from kbcli.core.people import Me, Roster
from kbcli.core.report import owns
from kbcli.core.stamps import allowed_handles
from kbcli.core.trust import TrustState
from kbcli.errors import ExitCode, KbError

if TYPE_CHECKING:
    from pathlib import Path

    from kbcli.workspace import Workspace


@dataclass(frozen=True)
class Outcome:
    cards: list[Card]
    changed: list[str]
    commit: str | None


def slack_me(workspace: Workspace, member_id: str, email: str | None) -> Me:
    """The person behind a Slack user: by member id (people.yaml ``slack:``), then e-mail.

    The name and e-mail are the roster's, so the commit is authored by the person the
    history checks know; an unknown user keeps no handle and is refused like a stranger.
    """
    roster = workspace.config.roster
    handle = roster.handle_for_slack(member_id, email)
    person = roster.people.get(handle or "")
    if person is None:
        return Me(None, email, None)
    return Me(person.display, person.emails[0] if person.emails else email, handle)


# The verdicts that ask the owner to verify: ``kb report`` lists the same cards as
# each owner's to-do (a card with evidence against its stamp is one of them).
_TO_VERIFY = (TrustState.EXPIRED, TrustState.DUE, TrustState.UNVERIFIED, TrustState.NEEDS_REVIEW)


def due_cards(workspace: Workspace, me: Me) -> list[Assessed]:
    """Published cards the user owns (personally or through a team) that need verifying,
    by their verdict: dates and the evidence of the history."""
    from kbcli.usecases.health import judged

    roster = workspace.config.roster
    if me.handle is None:
        raise KbError(
            f"your git identity {me.signature} is not in people.yaml, so kb cannot tell "
            f"which cards are yours: {_join_the_roster(roster)}"
        )
    return [
        item
        for item in judged(workspace)
        if item.card.meta.status is Status.PUBLISHED
        and owns(me.handle, item.card.meta.owner, roster)
        and item.trust.state in _TO_VERIFY
    ]


def check_allowed(
    workspace: Workspace, cards: Sequence[Card], me: Me, *, force: bool, reason: str | None
) -> None:
    """Refuse (exit 1) when the user is neither owner nor verifier, unless forced with a reason."""
    if force and not (reason and reason.strip()):
        raise KbError("--force needs --reason TEXT: say why you verify cards you do not own")
    if reason and not force:
        raise KbError("--reason is only used with --force")
    unreadable = [p for c in cards for p in c.problems if p.rule in rules.HEADER_UNREADABLE]
    if unreadable:  # its owner is unknown: "neither owner nor verifier" would mislead
        raise KbError(
            f"{unreadable[0].at()}; kb will not stamp a header it cannot read",
            exit_code=ExitCode.FINDINGS,
        )
    roster = workspace.config.roster
    refused = [
        c for c in cards if me.handle is None or me.handle not in allowed_handles(c.meta, roster)
    ]
    if refused and not force:
        names = ", ".join(c.path for c in refused[:5])
        more = f" and {len(refused) - 5} more" if len(refused) > 5 else ""
        stranger = f"; {_join_the_roster(roster)}" if me.handle is None else ""
        raise KbError(
            f"you ({me.described}) are neither owner nor verifier of {names}{more}; ask the "
            "owner to verify, or pass --force --reason TEXT (the reason is recorded in the "
            f"commit){stranger}",
            exit_code=ExitCode.FINDINGS,
        )


def _join_the_roster(roster: Roster) -> str:
    """What someone kb cannot map to a handle does about it: a newcomer has no entry to
    add an e-mail to, and a repo may have no roster at all."""
    entry = "an entry with your handle, name and e-mails: [your git e-mail]"
    if not roster.people:
        return f"there is no people.yaml roster yet: write one with {entry}"
    return f"add your git e-mail to your entry in people.yaml, or {entry} if you have none"


def verify_warnings(workspace: Workspace, count: int, *, commit: bool, sign: bool) -> list[str]:
    """What the user should know before ``count`` cards are verified: a bulk re-stamp the
    history checks will report, or an unsigned commit that ``require_signed`` ignores."""
    warnings = []
    history = workspace.config.history
    if count >= history.bulk_threshold and commit:
        warnings.append(
            f"re-stamping {count} cards is reported as a bulk re-verification (kb.toml "
            f"[history] bulk_threshold = {history.bulk_threshold} within "
            f"{history.bulk_window_hours} hours) unless their text changed too"
        )
    if workspace.config.verification.require_signed and commit and not sign:
        warnings.append(
            "kb.toml [verification] require_signed = true: an unsigned verification does not "
            "count; pass --sign"
        )
    return warnings


def verify(
    workspace: Workspace,
    cards: Sequence[Card],
    me: Me,
    *,
    commit: bool = True,
    forced_reason: str | None = None,
    sign: bool = False,
    via: str | None = None,
) -> Outcome:
    """Set ``verified_at`` to today on each card and commit exactly those files
    (``sign``: a signed commit, for ``[verification] require_signed``)."""
    from kbcli.adapters.card_writer import edit_field
    from kbcli.adapters.git_commits import commit_files, in_git_repo, refuse_nested
    from kbcli.adapters.git_history import uncommitted
    from kbcli.adapters.write_note import writing

    cards = list({c.path: c for c in cards}.values())
    if commit and not in_git_repo(workspace.root):
        raise KbError(
            f"{workspace.root} is not in a git repository, so kb cannot record who verified: "
            "run 'git init' first, or pass --no-commit to only edit the files"
        )
    if commit:
        refuse_nested(workspace.root, [c.path for c in cards])
    from kbcli.usecases.lifecycle import clear_resolved_flags

    paths = [c.path for c in cards]
    with writing(workspace.root, "kb verify", paths, commit=commit, resumes=True):
        stamped_today, doubted = _stamped_today(workspace, cards)
        changed = [
            c.path
            for c in cards
            if (
                c.path not in stamped_today
                and edit_field(
                    workspace.root / c.path,
                    "verified_at",
                    _stamp_now(workspace) if c.path in doubted else workspace.today,
                    root=workspace.root,
                )
            )
            | clear_resolved_flags(workspace, c)
        ]
        if not commit:
            return Outcome(cards, changed, None)
        to_commit = sorted(uncommitted(workspace.root, [c.path for c in cards]))
        if not to_commit:
            return Outcome(cards, changed, None)
        message = _verify_message(cards, me, workspace.today.isoformat(), forced_reason)
        author = None
        if via:  # verified from another surface (Slack): the person is the author, with a trailer
            message += f"Verified-via: {via}\n"
            author = me.signature if me.name and me.email else None
        sha = commit_files(workspace.root, to_commit, message, sign=sign, author=author)
        return Outcome(cards, changed, sha)


def _stamped_today(workspace: Workspace, cards: Sequence[Card]) -> tuple[set[str], set[str]]:
    """The cards already stamped today whose stamp kb trusts (left as they are), and
    those whose stamp it doubts (someone not allowed made it, an edit came after it...).

    Writing today's date again on a doubted one would change nothing, so no commit would
    record this verification and the card would stay needs review: it gets today's date
    with the time of day instead (``2026-12-07T14:05:09Z``), a new value the history sees."""
    from kbcli.usecases.health import judge_cards

    today = [
        workspace.assess(c)
        for c in cards
        if c.meta.verified_at is not None and c.meta.verified_at.date() == workspace.today
    ]
    if not today:
        return set(), set()
    trusted: set[str] = set()
    doubted: set[str] = set()
    for item in judge_cards(workspace, today):
        evidence = any(reason.rule != rules.FLAGGED for reason in item.trust.reasons)
        (doubted if evidence else trusted).add(item.path)
    return trusted, doubted


def _stamp_now(workspace: Workspace) -> datetime:
    """Today (``--today`` when given) at the current time of day, in UTC, to the second."""
    now = datetime.now(UTC).time().replace(microsecond=0)
    return datetime.combine(workspace.today, now, tzinfo=UTC)


def _verify_message(cards: Sequence[Card], me: Me, day: str, reason: str | None) -> str:
    subject = f"Verify {cards[0].path}" if len(cards) == 1 else f"Verify {len(cards)} cards"
    lines = [subject, ""]
    lines += [f"- {c.path}: {c.title}" for c in cards]
    lines += ["", f"Reviewed and marked verified on {day} with kb verify."]
    if reason:
        lines += [
            "",
            f"Forced: {me.described} is not an owner or verifier of every card.",
            f"Reason: {reason.strip()}",
        ]
    lines += ["", f"Verified-by: {me.signature}"]
    if reason:
        lines.append(f"Verify-forced: {reason.strip()}")
    return "\n".join(lines) + "\n"


# ``kb reassign --from none``: the cards that have no owner at all.
UNOWNED = "none"


def reassign(
    workspace: Workspace,
    old: str,
    new: str,
    paths: Sequence[str],
    me: Me,
    *,
    reset_verification: bool = False,
    commit: bool = True,
) -> Outcome:
    """Give every card owned or verified by ``old`` (under ``paths``) to ``new``, in one commit."""
    from kbcli.adapters.card_writer import drop_field
    from kbcli.adapters.git_commits import commit_files, in_git_repo, refuse_nested
    from kbcli.adapters.git_history import uncommitted
    from kbcli.adapters.write_note import refuse_if_stopped, writing

    roster = workspace.config.roster
    if old == new:
        raise KbError("--from and --to name the same owner")
    if roster.people and not roster.knows(new):
        raise KbError(f"'{new}' is not a person or team in people.yaml: add them there first")
    gone = roster.left_on(new, workspace.today)
    if gone is not None:  # the cards would fail owner-left the moment they arrive
        raise KbError(
            f"'{new}' left on {gone.isoformat()} (people.yaml left:): give the cards to "
            "someone still on the team"
        )
    if commit and not in_git_repo(workspace.root):
        raise KbError(f"{workspace.root} is not in a git repository: pass --no-commit to only edit")
    if commit:  # before "no card has OLD": a stopped run may have handed them over already
        refuse_if_stopped(workspace.root)
    cards = _held_by(workspace, old, paths)
    root = workspace.root
    if commit:
        refuse_nested(root, [c.path for c in cards])
    with writing(root, "kb reassign", [c.path for c in cards], commit=commit):
        changed: list[str] = []
        for card in cards:
            touched = _hand_over(root, card, old, new)
            if reset_verification:
                touched |= drop_field(root / card.path, "verified_at", root=root)
            if touched:
                changed.append(card.path)
        if not commit or not changed:
            return Outcome(cards, changed, None)
        to_commit = sorted(set(changed) & uncommitted(root, changed)) or changed
        message = _reassign_message(old, new, changed, me, reset_verification=reset_verification)
        return Outcome(cards, changed, commit_files(root, to_commit, message))


def _held_by(workspace: Workspace, old: str, paths: Sequence[str]) -> list[Card]:
    """The cards ``old`` owns or verifies (``none``: the unowned ones) under ``paths``."""
    from kbcli.usecases.selection import named_cards

    scope = {card.path for card in named_cards(workspace, paths)} if paths else None
    unowned = old == UNOWNED
    cards = [
        c
        for c in workspace.catalog
        if ((c.meta.owner is None if unowned else c.meta.owner == old) or old in c.meta.verifiers)
        and (scope is None or c.path in scope)
    ]
    if not cards:
        where = f" under {', '.join(paths)}" if paths else ""
        if unowned:
            raise KbError(f"no card{where} lacks an owner")
        raise KbError(f"no card{where} has '{old}' as owner or verifier")
    return cards


def _hand_over(root: Path, card: Card, old: str, new: str) -> bool:
    """Put ``new`` where ``old`` is owner or verifier; True when the file changed."""
    from kbcli.adapters.card_writer import edit_field

    target = root / card.path
    touched = False
    if card.meta.owner == old or (old == UNOWNED and card.meta.owner is None):
        touched |= edit_field(target, "owner", new, root=root)
    if old in card.meta.verifiers:
        verifiers = list(dict.fromkeys(new if v == old else v for v in card.meta.verifiers))
        touched |= edit_field(target, "verifiers", verifiers, root=root)
    return touched


def _reassign_message(
    old: str, new: str, changed: Sequence[str], me: Me, *, reset_verification: bool
) -> str:
    lines = [f"Reassign {len(changed)} card(s) from {old} to {new}", ""]
    lines += [f"- {p}" for p in changed]
    if reset_verification:
        lines += ["", "Verification dates removed: the new owner must verify these cards."]
    else:
        lines += ["", "Verification dates kept."]
    lines += ["", f"Reassigned-by: {me.signature}"]
    return "\n".join(lines) + "\n"
