"""Stamps no commit of the history shows: who set ``verified_at`` is unknown, so the
card is not trusted (fail closed). Pure; the caller tells committed stamps from ones
not committed yet (git status): those are not trusted either, and are judged by the
history rules once committed.
"""

from __future__ import annotations

from kbcli.core.cards import Card
from kbcli.core.findings import Finding
from kbcli.core.history import Commit
from kbcli.core.provenance import make_finding
from kbcli.core.rules import UNCOMMITTED, UNTRACED


def untraced(card: Card) -> Finding:
    """A committed ``verified_at`` that no commit of the history set.

    ``git log`` shows a merge commit's own changes (a conflict resolved, or any edit made
    while merging) to no one, so a stamp made there has no author, date or edit order
    for the provenance rules to judge: it must not read as trusted (fail closed). A stamp
    not committed yet is ``uncommitted``."""
    assert card.meta.verified_at is not None
    value = card.meta.verified_at.date().isoformat()
    return make_finding(
        UNTRACED,
        card,
        "verified_at",
        f"verified_at {value} was committed, but by no commit the history shows (a merge "
        "commit's own change, which git log attributes to no one), so kb cannot tell who "
        f"verified the card, or when; an owner or verifier should review it and run "
        f"'kb verify {card.path}'",
    )


def uncommitted(card: Card) -> Finding:
    """A ``verified_at`` set in the working tree (or in a card never committed): anyone can
    type a date, and no commit says who did, so it is not trusted until it is committed;
    then the history rules judge it. A clean clone (CI) never has one."""
    assert card.meta.verified_at is not None
    value = card.meta.verified_at.date().isoformat()
    return make_finding(
        UNCOMMITTED,
        card,
        "verified_at",
        f"verified_at {value} is in no commit of this card yet (set, edited or renamed and "
        "not committed), so no commit says who verified it; it counts once committed "
        f"('kb verify {card.path}' commits its own stamp)",
    )


def cut_off(card: Card, boundary: Commit) -> Finding:
    """A stamp that seems set where a shallow clone's history begins.

    Every card the clone's first commit holds looks added by that commit's author on
    its day, verified_at included; the commit that set it is cut off, so its author and
    the edits around it are unknown (fail closed: not trusted)."""
    assert card.meta.verified_at is not None
    return make_finding(
        UNTRACED,
        card,
        "verified_at",
        f"verified_at {card.meta.verified_at.date().isoformat()} was set in commit "
        f"{boundary.short} or before it (this shallow clone's history begins there: every "
        "file looks added by it), so kb cannot tell who "
        "verified the card, or what changed since; run 'git fetch --unshallow' for the "
        "whole history",
    )
