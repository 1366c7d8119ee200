"""The trust score over time (``kb report --trend``, the handbook's health page), replayed
from the committed front matter of every card's history. Pure: histories in, points out.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from functools import lru_cache

from kbcli.core.cards import CardMeta, Status, to_utc
from kbcli.core.durations import Duration, parse_duration
from kbcli.core.history import CardHistory, scalar
from kbcli.core.trust import TrustPolicy


def trust_trend(
    histories: Iterable[CardHistory],
    policy: TrustPolicy,
    days: Sequence[date],
    is_card: Callable[[str], bool],
) -> list[tuple[date, float]]:
    """The trust score at the end of each day in ``days``, from committed front matter.

    A point is left out when no published card existed that day.

    Each card's timeline is replayed once, keeping only the three keys trust depends on;
    a state is judged (status, expiry date) once, however many days fall on it, so the
    cost grows with the cards, not with cards times days.
    """
    days = list(days)
    fresh = [0] * len(days)
    published = [0] * len(days)
    judge = _StateJudge(policy, is_card)
    first_day = days[0] if days else None
    for history in histories:
        moments, states = _timeline(history)
        if not moments:
            continue
        if first_day is not None and moments[-1] <= first_day:
            # Nothing changed during the window: one state for every day.
            verdict = judge(states[-1])
            if verdict is not None:
                verified_on, expires_on = verdict
                for index, day in enumerate(days):
                    published[index] += 1
                    if verified_on is not None and verified_on <= day < expires_on:
                        fresh[index] += 1
            continue
        for index, day in enumerate(days):
            position = bisect.bisect_right(moments, day) - 1
            if position < 0:
                continue
            verdict = judge(states[position])
            if verdict is None:
                continue
            verified_on, expires_on = verdict
            published[index] += 1
            if verified_on is not None and verified_on <= day < expires_on:
                fresh[index] += 1
    return [(day, fresh[i] / published[i]) for i, day in enumerate(days) if published[i]]


# A card's trust-relevant state after a commit: path, raw status, verify_every, verified_at.
_State = tuple[str, str | None, str | None, str | None]


class _StateJudge:
    """Whether a past state counts as a published card, and the days it is fresh in.

    Returns None for a state that is not a published card, else ``(verified_on,
    expires_on)``: the card is fresh on ``day`` when ``verified_on <= day < expires_on``
    (a verification dated after ``day`` did not exist yet that day). This is what
    ``trust.assess`` says for every day, computed once per state.
    """

    def __init__(self, policy: TrustPolicy, is_card: Callable[[str], bool]) -> None:
        self.policy = policy
        self.is_card = is_card
        self.known: dict[_State | None, tuple[date | None, date] | None] = {None: None}
        self.cards: dict[str, bool] = {}  # path -> is it a card path

    def __call__(self, state: _State | None) -> tuple[date | None, date] | None:
        try:
            return self.known[state]
        except KeyError:
            pass
        assert state is not None
        verdict = self._judge(state)
        self.known[state] = verdict
        return verdict

    def _judge(self, state: _State) -> tuple[date | None, date] | None:
        path, status, every, verified_at = state
        card = self.cards.get(path)
        if card is None:
            card = self.cards[path] = self.is_card(path)
        if not card:
            return None
        published, verified_on, verify_every = _trust_fields(status, every, verified_at)
        if not published:
            return None
        if verified_on is None:
            return None, date.min
        cadence = self.policy.cadence_for(path)
        return verified_on, (verify_every or cadence.verify_every).after(verified_on)


@lru_cache(maxsize=1 << 16)
def _trust_fields(
    status: str | None, every: str | None, verified_at: str | None
) -> tuple[bool, date | None, Duration | None]:
    """(published, verified_on, verify_every) of raw front matter; cards share values."""
    meta = _trust_meta({"status": status, "verify_every": every, "verified_at": verified_at})
    return meta.status is Status.PUBLISHED, meta.verified_on, meta.verify_every


def _timeline(history: CardHistory) -> tuple[list[date], list[_State | None]]:
    """Per commit day, the card's path and trust-relevant raw front matter (None once
    deleted)."""
    moments: list[date] = []
    states: list[_State | None] = []
    status = every = verified_at = None
    for change in history.changes:
        values = change.values
        if values:
            status = values.get("status", status)
            every = values.get("verify_every", every)
            verified_at = values.get("verified_at", verified_at)
        state: _State | None = None
        if not change.deleted:
            state = (change.path, status, every, verified_at)
        day = change.commit.day
        if moments and moments[-1] >= day:
            states[-1] = state  # same day (or a clock that went back): last state wins
        else:
            moments.append(day)
            states.append(state)
    return moments, states


def _trust_meta(values: dict[str, str | None]) -> CardMeta:
    status_text = (scalar(values.get("status")) or "published").lower()
    try:
        status = Status(status_text)
    except ValueError:
        status = Status.PUBLISHED
    try:
        every = (
            parse_duration(scalar(values.get("verify_every")))
            if values.get("verify_every")
            else None
        )
    except ValueError:
        every = None
    return CardMeta(
        title="",
        verified_at=to_utc(scalar(values.get("verified_at"))),
        status=status,
        verify_every=every,
    )
