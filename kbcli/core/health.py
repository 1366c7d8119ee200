"""Health findings: what front matter, git history and the roster say about each card.

Pure: cards with their trust state, the history pass, the roster and ``today`` go in,
positioned findings come out. Every rule is registered in ``findings.RULES`` with a
default severity that kb.toml can change, and every message says what to do.

Who counts as allowed to verify a card: its owner and its verifiers (a team handle
stands for every member of the team), as the card says now or said in the commit
that set ``verified_at``. A card added with a ``verified_at`` earlier than the commit
that added it was imported (from another tool or repository): its verification is
judged by its date, not by who committed the import.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from kbcli.core.cards import Card, CardMeta, Status, to_utc
from kbcli.core.catalog import Assessed
from kbcli.core.durations import Duration, parse_duration
from kbcli.core.findings import (
    DUE,
    EXPIRED,
    NEVER_VERIFIED,
    NO_OWNER,
    RULES,
    Finding,
    Severity,
    register,
)
from kbcli.core.history import CardHistory, Change, Commit, RepoHistory, scalar, text_list
from kbcli.core.people import Roster
from kbcli.core.trust import TrustPolicy, TrustState, needs_owner

E, W = Severity.ERROR, Severity.WARNING
OWNER_UNKNOWN = register(
    "owner-unknown", W, "The owner or a verifier is not in the roster (people.yaml).", "trust"
)
OWNER_LEFT = register("owner-left", E, "The owner has left (people.yaml 'left:').", "trust")
OWNER_INACTIVE = register(
    "owner-inactive",
    W,
    "The owner made no commit in the repository for [history] inactive_after.",
    "history",
)
EDITED_SINCE_VERIFIED = register(
    "edited-since-verified",
    W,
    "Someone who is neither owner nor verifier changed the card after its last verification.",
    "history",
)
VERIFIED_BY_NON_VERIFIER = register(
    "verified-by-non-verifier",
    E,
    "The commit that set verified_at was authored by someone who is neither owner nor verifier.",
    "history",
)
BACKDATED = register(
    "backdated-verification",
    E,
    "verified_at is earlier than a content edit committed before the verification.",
    "history",
)
FUTURE_VERIFICATION = register(
    "future-verification",
    E,
    "verified_at is later than the day of the commit that set it.",
    "history",
)
BULK = register(
    "bulk-reverification",
    W,
    "One commit re-stamped many cards ([history] bulk_threshold) without changing them.",
    "history",
)
DEPENDENCY_CHANGED = register(
    "dependency-changed",
    W,
    "Files matching depends_on changed after the card's last verification.",
    "history",
)

# A commit made in the latest time zone on earth (UTC+14) may carry the next UTC day.
_ZONE_SLACK = timedelta(hours=14)


@dataclass(frozen=True)
class HealthSettings:
    inactive_after: Duration = field(default_factory=lambda: parse_duration("180d"))
    bulk_threshold: int = 10


@dataclass
class HealthResult:
    findings: list[Finding]
    skipped: list[str]


def card_findings(
    items: Sequence[Assessed],
    roster: Roster,
    today: date,
    history: RepoHistory | None,
    settings: HealthSettings,
) -> HealthResult:
    """Trust, roster and history findings for every card, in path order."""
    findings: list[Finding] = []
    skipped: list[str] = []
    people = bool(roster.people)
    if not people:
        skipped.append(
            "owner and verifier identity checks (owner-unknown, owner-inactive, "
            "verified-by-non-verifier, edited-since-verified): there is no people.yaml roster"
        )
    last_seen = _last_seen(history, roster) if history and people else {}
    stamps = history.stamp_counts() if history else {}
    memo = _Memo(roster)
    for item in items:
        findings += trust_findings(item, today)
        if people:
            findings += roster_findings(item, roster, today)
        if history is None:
            continue
        if people:
            findings += inactive_findings(item, roster, today, history, last_seen, settings, memo)
        card_history = history.get(item.card.path)
        if card_history is not None:
            findings += history_findings(
                item,
                card_history,
                history,
                roster,
                stamps,
                settings,
                check_people=people,
                memo=memo,
            )
    return HealthResult(findings, skipped)


class _Memo:
    """Roster look-ups repeated for every card (identities, allowed handles), done once each."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.ids: dict[tuple[str, str], str | None] = {}
        self.allowed_sets: dict[tuple[str | None, tuple[str, ...]], set[str]] = {}
        self.inactive: dict[str, str | None] = {}  # owner -> how long inactive, or None

    def identity(self, commit: Commit) -> str | None:
        key = (commit.author_name, commit.author_email)
        if key not in self.ids:
            self.ids[key] = identity(commit, self.roster)
        return self.ids[key]

    def describe(self, commit: Commit) -> str:
        handle = self.identity(commit)
        if handle:
            return f"{self.roster.display(handle)} ({handle})"
        return f"{commit.author_name} <{commit.author_email}> (not in people.yaml)"

    def allowed(self, meta: CardMeta) -> set[str]:
        key = (meta.owner, meta.verifiers)
        if key not in self.allowed_sets:
            self.allowed_sets[key] = allowed_handles(meta, self.roster)
        return self.allowed_sets[key]


def make_finding(rule: str, card: Card, key: str, message: str) -> Finding:
    line, column = card.position.of(key)
    return Finding(rule, RULES[rule].severity, card.path, line, message, column, card.title)


def trust_findings(item: Assessed, today: date) -> list[Finding]:
    """Expired, due soon, never verified and no owner (published cards only)."""
    card, trust = item.card, item.trust
    if card.meta.status is not Status.PUBLISHED:
        return []
    found = []
    verify = f"kb verify {card.path}"
    if trust.state is TrustState.EXPIRED:
        assert trust.expires_on is not None
        days = (today - trust.expires_on).days
        ago = "today" if days == 0 else f"{days} day{'s' if days != 1 else ''} ago"
        found.append(
            make_finding(
                EXPIRED,
                card,
                "verified_at",
                f"verification expired on {trust.expires_on.isoformat()} ({ago}); "
                f"the owner should review the card and run '{verify}'",
            )
        )
    elif trust.state is TrustState.DUE:
        assert trust.expires_on is not None
        found.append(
            make_finding(
                DUE,
                card,
                "verified_at",
                f"verification expires on {trust.expires_on.isoformat()} "
                f"(in {(trust.expires_on - today).days} days); review it and run '{verify}'",
            )
        )
    elif trust.state is TrustState.UNVERIFIED:
        found.append(
            make_finding(
                NEVER_VERIFIED,
                card,
                "verified_at",
                f"the card has never been verified; its owner should check it and run '{verify}'",
            )
        )
    if needs_owner(card.meta):
        found.append(
            make_finding(
                NO_OWNER,
                card,
                "owner" if "owner" in card.position.lines else "title",
                "the published card has no owner; add 'owner: HANDLE' "
                "(a person or team from people.yaml)",
            )
        )
    return found


def roster_findings(item: Assessed, roster: Roster, today: date) -> list[Finding]:
    """Owners and verifiers unknown to the roster; owners who left."""
    card = item.card
    meta = card.meta
    if meta.status is Status.ARCHIVED:
        return []
    found = []
    if meta.owner and not roster.knows(meta.owner):
        found.append(
            make_finding(
                OWNER_UNKNOWN,
                card,
                "owner",
                f"owner '{meta.owner}' is not in people.yaml; add them to the roster, or "
                f"reassign the card (kb reassign --from {meta.owner} --to HANDLE {card.path})",
            )
        )
    for verifier in meta.verifiers:
        if not roster.knows(verifier):
            found.append(
                make_finding(
                    OWNER_UNKNOWN,
                    card,
                    "verifiers",
                    f"verifier '{verifier}' is not in people.yaml; add them to the roster "
                    "or remove them from verifiers",
                )
            )
    if meta.owner and roster.knows(meta.owner):
        members = [roster.people[h] for h in roster.members(meta.owner) if h in roster.people]
        gone = [p for p in members if p.left is not None and p.left <= today]
        if members and len(gone) == len(members):
            when = max(p.left for p in gone if p.left is not None).isoformat()
            who = roster.display(meta.owner)
            found.append(
                make_finding(
                    OWNER_LEFT,
                    card,
                    "owner",
                    f"owner '{meta.owner}' ({who}) left on {when}; give the card a new owner "
                    f"(kb reassign --from {meta.owner} --to HANDLE)",
                )
            )
    return found


def inactive_findings(
    item: Assessed,
    roster: Roster,
    today: date,
    history: RepoHistory,
    last_seen: dict[str, date],
    settings: HealthSettings,
    memo: _Memo | None = None,
) -> list[Finding]:
    """An owner with no commit in the repository for ``inactive_after``."""
    card, meta = item.card, item.card.meta
    if meta.status is Status.ARCHIVED or not meta.owner:
        return []
    owners = memo.inactive if memo is not None else {}
    if meta.owner not in owners:
        owners[meta.owner] = _inactive_since(
            meta.owner, roster, today, history, last_seen, settings
        )
    since = owners[meta.owner]
    if since is None:
        return []
    return [
        make_finding(
            OWNER_INACTIVE,
            card,
            "owner",
            f"owner '{meta.owner}' {since} (inactive after {settings.inactive_after}); confirm "
            f"they still own the card or reassign it (kb reassign --from {meta.owner} --to HANDLE)",
        )
    ]


def _inactive_since(
    owner: str,
    roster: Roster,
    today: date,
    history: RepoHistory,
    last_seen: dict[str, date],
    settings: HealthSettings,
) -> str | None:
    """How an inactive owner has been inactive ("has made no commit since ..."); None
    when the owner is active, unknown, gone (owner-left says so) or cannot be judged."""
    if not roster.knows(owner):
        return None
    if history.first_commit is None or settings.inactive_after.is_never:
        return None
    members = [h for h in roster.members(owner) if h in roster.people]
    active_members = [h for h in members if not roster.people[h].left]
    if not active_members:
        return None  # owner-left covers it
    seen = [last_seen.get(h) for h in active_members]
    if any(day is not None and settings.inactive_after.after(day) > today for day in seen):
        return None
    if all(day is None for day in seen):
        if settings.inactive_after.after(history.first_commit.day) > today:
            return None  # the repository is younger than the inactivity window
        return "has made no commit in this repository"
    latest = max(day for day in seen if day is not None)
    return f"has made no commit since {latest.isoformat()}"


def history_findings(
    item: Assessed,
    card_history: CardHistory,
    history: RepoHistory,
    roster: Roster,
    stamps: dict[str, int],
    settings: HealthSettings,
    *,
    check_people: bool = True,
    memo: _Memo | None = None,
) -> list[Finding]:
    """Findings that need the card's git history."""
    memo = memo or _Memo(roster)
    card, meta = item.card, item.card.meta
    if meta.status is Status.ARCHIVED or meta.verified_at is None:
        return []
    stamp = current_stamp(card_history, meta)
    if stamp is None:
        return []  # verified_at is not committed yet: nothing to judge
    verify = f"kb verify {card.path}"
    value = meta.verified_at.date().isoformat()
    found: list[Finding] = []
    imported = stamp.created and meta.verified_at.date() < stamp.commit.day
    author = memo.identity(stamp.commit) if check_people and not imported else None
    if (
        check_people
        and not imported
        and author not in memo.allowed(meta)
        and author not in memo.allowed(_meta_at(card_history, stamp))
    ):
        found.append(
            make_finding(
                VERIFIED_BY_NON_VERIFIER,
                card,
                "verified_at",
                f"verified_at was set by {memo.describe(stamp.commit)} on "
                f"{stamp.commit.day.isoformat()} (commit {stamp.commit.short}), who is neither "
                f"the owner nor a verifier; an owner or verifier should review it and run "
                f"'{verify}'",
            )
        )
    if check_people:
        strangers = [
            c
            for c in card_history.edits_after(stamp)
            if memo.identity(c.commit) not in memo.allowed(meta)
        ]
        if strangers:
            last = strangers[-1]
            more = f" (and {len(strangers) - 1} more edit(s))" if len(strangers) > 1 else ""
            found.append(
                make_finding(
                    EDITED_SINCE_VERIFIED,
                    card,
                    "verified_at",
                    f"edited by {memo.describe(last.commit)} on {last.commit.day.isoformat()} "
                    f"(commit {last.commit.short}){more} after its verification of {value}; "
                    f"the owner should review the change and run '{verify}'",
                )
            )
    before = [c for c in card_history.edits_before(stamp) if not c.created]
    if before and before[-1].commit.day > meta.verified_at.date():
        edit = before[-1]
        found.append(
            make_finding(
                BACKDATED,
                card,
                "verified_at",
                f"verified_at {value} is earlier than the edit of {edit.commit.day.isoformat()} "
                f"(commit {edit.commit.short}) that it was committed after; a verification "
                f"cannot predate what it checked: run '{verify}' to stamp today",
            )
        )
    if meta.verified_at.date() > (stamp.commit.when + _ZONE_SLACK).date():
        found.append(
            make_finding(
                FUTURE_VERIFICATION,
                card,
                "verified_at",
                f"verified_at {value} is later than the commit that set it "
                f"({stamp.commit.day.isoformat()}, commit {stamp.commit.short}); set it to the "
                f"day the card was checked: run '{verify}'",
            )
        )
    count = stamps.get(stamp.commit.sha, 0)
    baseline = stamp.commit.sha in history.baselines
    if stamp.is_stamp_only and count >= max(settings.bulk_threshold, 2) and not baseline:
        found.append(
            make_finding(
                BULK,
                card,
                "verified_at",
                f"verified in bulk: commit {stamp.commit.short} by "
                f"{memo.describe(stamp.commit)} on {stamp.commit.day.isoformat()} re-stamped "
                f"{count} cards without changing any of them, so it was likely not read; "
                f"review this card and run '{verify}'",
            )
        )
    if meta.depends_on:
        changed = history.changed_since(meta.depends_on, stamp.commit.seq)
        if changed:
            path, commit = changed[0]
            more = f" and {len(changed) - 1} more file(s)" if len(changed) > 1 else ""
            found.append(
                make_finding(
                    DEPENDENCY_CHANGED,
                    card,
                    "depends_on",
                    f"{_relative(path, history.prefix)}{more} (depends_on) changed in commit "
                    f"{commit.short} on {commit.day.isoformat()}, after the verification of "
                    f"{value}; check the card against it and run '{verify}'",
                )
            )
    return found


def current_stamp(card_history: CardHistory, meta: CardMeta) -> Change | None:
    """The commit that set the card's current ``verified_at`` (None when uncommitted)."""
    last = card_history.last_verification
    if last is None or meta.verified_at is None:
        return None
    value = _verified_value(last.values.get("verified_at"))
    if value is None or value.date() != meta.verified_at.date():
        return None
    return last


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


def identity(commit: Commit, roster: Roster) -> str | None:
    return roster.handle_for(commit.author_name, commit.author_email)


def describe(commit: Commit, roster: Roster) -> str:
    handle = identity(commit, roster)
    if handle:
        return f"{roster.display(handle)} ({handle})"
    return f"{commit.author_name} <{commit.author_email}> (not in people.yaml)"


def _meta_at(card_history: CardHistory, change: Change) -> CardMeta:
    return _owner_meta(
        card_history.value_at("owner", change), card_history.value_at("verifiers", change)
    )


@lru_cache(maxsize=1 << 14)
def _owner_meta(owner: str | None, verifiers: str | None) -> CardMeta:
    """Owner and verifiers as a card said them, parsed once per distinct text."""
    return CardMeta(title="", owner=scalar(owner), verifiers=text_list(verifiers))


def _last_seen(history: RepoHistory, roster: Roster) -> dict[str, date]:
    seen: dict[str, date] = {}
    for commit in history.authors.values():
        handle = identity(commit, roster)
        if handle and (handle not in seen or seen[handle] < commit.day):
            seen[handle] = commit.day
    return seen


def _relative(path: str, prefix: str) -> str:
    if prefix and path.startswith(prefix + "/"):
        return path[len(prefix) + 1 :]
    if prefix:
        return "../" * (prefix.count("/") + 1) + path
    return path


# -- trust over time -------------------------------------------------------------------------


def trust_score(items: Iterable[Assessed]) -> tuple[int, int]:
    """(fresh, published): published cards that are verified or due, out of all published."""
    fresh = published = 0
    for item in items:
        if item.card.meta.status is Status.PUBLISHED:
            published += 1
            fresh += item.trust.is_fresh
    return fresh, published


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
