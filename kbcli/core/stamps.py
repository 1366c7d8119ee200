"""A card's stamps in its history: the stamp that set its current ``verified_at``, who
could verify it then, and the bulk runs of stamps across the whole history.

The look-ups the provenance rules (``core/provenance.py``) share with the use cases
that judge cards (signatures, ``kb verify``'s own check of who may verify). Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from kbcli.core.cards import Card, CardMeta, to_utc
from kbcli.core.history import CardHistory, Change, Commit, RepoHistory, scalar, text_list
from kbcli.core.people import Roster


@dataclass(frozen=True)
class BulkRun:
    """Stamps one person made without edits within one window (``bulk_runs``): how
    many cards, in how many commits, from the first stamp's day to the last's."""

    person: str
    cards: int
    commits: int
    first: date
    last: date


def current_stamp(card_history: CardHistory, meta: CardMeta) -> Change | None:
    """The commit that set the card's current ``verified_at`` (None when uncommitted)."""
    last = card_history.last_verification
    if last is None or meta.verified_at is None:
        return None
    value = _verified_value(last.values.get("verified_at"))
    if value is None or value.date() != meta.verified_at.date():
        return None
    return last


def current_stamps(history: RepoHistory, cards: Iterable[Card]) -> dict[str, Change]:
    """Each card's ``current_stamp`` by path (cards without one left out): found once per
    run for every rule and use case that asks (signatures, kb import's commits, the
    provenance rules)."""
    found: dict[str, Change] = {}
    get = history.get
    for card in cards:
        card_history = get(card.path)
        stamp = current_stamp(card_history, card.meta) if card_history else None
        if stamp is not None:
            found[card.path] = stamp
    return found


@lru_cache(maxsize=1 << 16)
def _verified_value(raw: str | None) -> datetime | None:
    """``Change.verified_value``, parsed once per distinct text (cards share dates)."""
    return to_utc(scalar(raw)) if raw else None


def allowed_handles(meta: CardMeta, roster: Roster) -> set[str]:
    """Owner and verifiers, with teams expanded to their members."""
    handles: set[str] = set()
    for handle in (meta.owner, *meta.verifiers):
        if handle:
            handles.add(handle)
            handles |= roster.members(handle)
    return handles


def meta_at(card_history: CardHistory, change: Change) -> CardMeta:
    """Owner and verifiers as the card said right after ``change``."""
    return _owner_meta(
        card_history.value_at("owner", change), card_history.value_at("verifiers", change)
    )


def meta_before(card_history: CardHistory, change: Change) -> CardMeta:
    """Owner and verifiers as the card said right before ``change``."""
    owner = verifiers = None
    for item in card_history.changes:
        if item.commit.seq >= change.commit.seq:
            break
        owner = item.values.get("owner", owner)
        verifiers = item.values.get("verifiers", verifiers)
    return _owner_meta(owner, verifiers)


@lru_cache(maxsize=1 << 14)
def _owner_meta(owner: str | None, verifiers: str | None) -> CardMeta:
    """Owner and verifiers as a card said them, parsed once per distinct text."""
    return CardMeta(title="", owner=scalar(owner), verifiers=text_list(verifiers))


def bulk_runs(
    repo: RepoHistory, person: Callable[[Commit], str], window: timedelta, threshold: int
) -> dict[tuple[int, str], BulkRun]:
    """Stamps without edits that belong to a bulk run, keyed by (commit seq, card path).

    A run is ``threshold`` or more stamps by the same person (``person`` of the
    author) whose author dates fit in ``window``, however many commits they were split
    into. Each stamp gets the first run (in time) that covers it; every stamp is
    marked once, so the pass is linear after one sort per person.
    """
    if threshold < 2:
        threshold = 2
    by_person: dict[str, list[tuple[datetime, int, str, Commit]]] = {}
    for history in (*repo.cards.values(), *repo.deleted):
        for change in history.changes:
            # An adoption baseline (kb adopt --baseline, trailer "Kb-Adopt: baseline") is
            # a declared starting point, recorded as such, not a bulk re-stamp.
            if change.is_stamp_only and change.commit.sha not in repo.baselines:
                commit = change.commit
                key = person(commit)
                by_person.setdefault(key, []).append((commit.when, commit.seq, change.path, commit))
    runs: dict[tuple[int, str], BulkRun] = {}
    for who, stamps in by_person.items():
        if len(stamps) < threshold:
            continue
        stamps.sort(key=lambda s: (s[0], s[1]))
        end = marked = 0  # stamps[:marked] already belong to a run: each is marked once
        for start in range(len(stamps)):
            end = max(end, start)
            while end + 1 < len(stamps) and stamps[end + 1][0] - stamps[start][0] <= window:
                end += 1
            if end - start + 1 < threshold or end < marked:
                continue
            members = stamps[start : end + 1]
            commits = len({m[1] for m in members})
            run = BulkRun(who, len(members), commits, members[0][3].day, members[-1][3].day)
            for _when, seq, path, _commit in stamps[max(start, marked) : end + 1]:
                runs[(seq, path)] = run
            marked = end + 1
    return runs
