"""Trust state: the one function every feature uses to say whether a card can be trusted.

Search badges, ``kb list``, reports, ``kb check`` and the handbook all call
``assess``, so a card never reads as verified in one place and expired in another.
"""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from kbcli.core.cards import CardMeta, Status
from kbcli.core.durations import Duration, parse_duration


class TrustState(StrEnum):
    VERIFIED = "verified"
    DUE = "due"
    EXPIRED = "expired"
    UNVERIFIED = "unverified"
    # A verification kb has evidence against (see ``kbcli.core.verdict``).
    NEEDS_REVIEW = "needs-review"


class Reason(NamedTuple):
    """Why a card needs review: a rule id (stable, for CI and JSON) and one line of text."""

    rule: str
    text: str


class Cadence(NamedTuple):
    """How often cards must be re-verified and how early they count as due."""

    verify_every: Duration = parse_duration("3m")
    warn_within: Duration = parse_duration("14d")


class TrustPolicy:
    """Repository defaults plus per-folder overrides (the longest matching folder wins)."""

    __slots__ = ("_by_folder", "default", "folders")

    def __init__(
        self, default: Cadence = Cadence(), folders: Mapping[str, Cadence] | None = None
    ) -> None:
        self.default = default
        self.folders: Mapping[str, Cadence] = {} if folders is None else folders
        # Cadence per card folder: every card of a folder gets the same answer, and a
        # report asks once per card (100,000 times on a big knowledge base).
        self._by_folder: dict[str, Cadence] = {}

    def __repr__(self) -> str:
        return f"TrustPolicy(default={self.default!r}, folders={self.folders!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TrustPolicy):
            return NotImplemented
        return (self.default, self.folders) == (other.default, other.folders)

    def cadence_for(self, path: str) -> Cadence:
        folder_of_card = path.rpartition("/")[0]
        found = self._by_folder.get(folder_of_card)
        if found is None:
            found = self._by_folder[folder_of_card] = self._match(folder_of_card + "/")
        return found

    def _match(self, path: str) -> Cadence:
        best, best_len = self.default, -1
        for folder, cadence in self.folders.items():
            prefix = folder.strip("/")
            if (path.startswith(prefix + "/") or prefix in ("", ".")) and len(prefix) > best_len:
                best, best_len = cadence, len(prefix)
        return best


class Trust(NamedTuple):
    """A card's trust at a given day: its state, the dates behind it and owner presence."""

    state: TrustState
    verified_on: date | None
    expires_on: date | None
    verify_every: Duration
    no_owner: bool
    # Evidence against the verification (empty unless ``verdict.judge`` found some).
    reasons: tuple[Reason, ...] = ()
    # The first day the card counts as due (None when it never expires): lets a page
    # built earlier recompute its badge on the day it is read.
    due_on: date | None = None

    @property
    def is_fresh(self) -> bool:
        """Counts as verified in the trust score: verified or due, with no evidence against."""
        return self.state in (TrustState.VERIFIED, TrustState.DUE)

    @property
    def reason_ids(self) -> tuple[str, ...]:
        """The rule ids behind ``reasons``, each once, in order."""
        return tuple(dict.fromkeys(r.rule for r in self.reasons))

    def days_left(self, today: date) -> int | None:
        """Days until expiry (negative once expired); None when it never expires."""
        if self.expires_on is None or self.expires_on == date.max:
            return None
        return (self.expires_on - today).days


def assess(meta: CardMeta, policy: TrustPolicy, path: str, today: date) -> Trust:
    """The trust state of one card on ``today`` (a UTC calendar day).

    A card is verified until ``verified_on + verify_every``; it is due once that day
    is within ``warn_within``; it expires on that day. No valid ``verified_at``
    means unverified: the card parser has already turned invalid and future dates
    into None, so a broken date can never read as fresh.
    """
    cadence = policy.cadence_for(path)
    every = meta.verify_every or cadence.verify_every
    no_owner = not meta.owner
    verified_on = meta.verified_on
    if verified_on is None:
        return Trust(TrustState.UNVERIFIED, None, None, every, no_owner)
    if every.is_never:  # date.max stands for never: even --today 9999-12-31 is before it
        return Trust(TrustState.VERIFIED, verified_on, None, every, no_owner)
    expires_on = every.after(verified_on)
    if today >= expires_on:
        state = TrustState.EXPIRED
    elif today >= cadence.warn_within.before(expires_on):  # due_on below
        state = TrustState.DUE
    else:
        state = TrustState.VERIFIED
    due_on = cadence.warn_within.before(expires_on)
    return Trust(state, verified_on, expires_on, every, no_owner, due_on=due_on)


def needs_owner(meta: CardMeta) -> bool:
    """Published cards must have someone answerable for them; drafts may not yet."""
    return meta.status is Status.PUBLISHED and not meta.owner


def days_from_today(left: int) -> str:
    """``in 3 days``, ``in 1 day``, ``today``, ``1 day ago``: how far a date is from today
    (``left`` days ahead, negative when past), in the words every surface uses."""
    if left == 0:
        return "today"
    count = abs(left)
    days = f"{count} day{'s' if count != 1 else ''}"
    return f"in {days}" if left > 0 else f"{days} ago"


def trust_detail(trust: Trust, today: date) -> str:
    """The reason behind a badge in words: ``verified 2026-10-01, expires 2027-01-01 (in 40
    days)``. Every surface (terminal, Slack, handbook) says it the same way."""
    if trust.verified_on is None:
        return "never verified"
    text = f"verified {trust.verified_on.isoformat()}"
    left = trust.days_left(today)
    if left is None:
        return text + ", never expires"
    assert trust.expires_on is not None
    verb = "expires" if left > 0 else "expired"
    return f"{text}, {verb} {trust.expires_on.isoformat()} ({days_from_today(left)})"
