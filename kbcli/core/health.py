"""Health findings: what front matter, git history and the roster say about each card.

Pure: cards with their trust state, the history pass, the roster and ``today`` go in,
positioned findings come out. Every rule is declared in ``core/rules.py`` with a
default severity that kb.toml can change, and every message says what to do. The
rules about a card's verification stamp (who set it, when, how) are in
``core/provenance.py``, one function each.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from kbcli.core import rules
from kbcli.core.cards import Status
from kbcli.core.catalog import Assessed
from kbcli.core.durations import Duration, parse_duration
from kbcli.core.findings import Finding
from kbcli.core.history import Change, Commit, RepoHistory
from kbcli.core.people import Roster, skipped_checks
from kbcli.core.provenance import People, Signature, Stamp, make_finding, stamp_findings
from kbcli.core.rules import (
    DUE,
    EXPIRED,
    NEVER_VERIFIED,
    NO_OWNER,
    NOT_PUBLISHED,
    OWNER_INACTIVE,
    OWNER_LEFT,
    OWNER_UNKNOWN,
)
from kbcli.core.stamps import BulkRun, bulk_runs, current_stamps
from kbcli.core.trust import TrustState, days_from_today, needs_owner
from kbcli.core.untraced_stamps import cut_off


@dataclass(frozen=True)
class HealthSettings:
    inactive_after: Duration = field(default_factory=lambda: parse_duration("180d"))
    bulk_threshold: int = 10
    bulk_window: timedelta = timedelta(hours=24)
    ci_identities: tuple[str, ...] = ()


@dataclass
class HealthResult:
    findings: list[Finding]
    skipped: list[str]
    # Cards whose verified_at no commit of the history set: uncommitted, or committed
    # where ``git log`` shows no change (a merge commit's own change). Only the caller
    # can tell which (git status): see ``provenance.untraced``.
    unrecorded: list[Assessed] = field(default_factory=list)


def card_findings(
    items: Sequence[Assessed],
    roster: Roster,
    today: date,
    history: RepoHistory | None,
    settings: HealthSettings,
    *,
    bulk: Mapping[tuple[int, str], BulkRun] | None = None,
    signatures: Mapping[str, Signature] | None = None,
    imports: frozenset[str] = frozenset(),
    stamps: Mapping[str, Change] | None = None,
) -> HealthResult:
    """Trust, roster and history findings for every card, in path order.

    ``bulk`` (``bulk_runs`` of the history) is computed here unless the caller kept
    it; ``signatures`` (commit sha -> what git said) only when signatures are required;
    ``imports``: the commits ``kb import`` made among those that added a card already
    verified (``judging.import_commits``); ``stamps``: each card's current stamp
    (``stamps.current_stamps``), found here unless the caller found them already.
    """
    findings: list[Finding] = []
    skipped = skipped_checks(roster)
    has_people = bool(roster.people)
    people = People(roster, settings.ci_identities)
    last_seen = _last_seen(history, people) if history and has_people else {}
    if history is not None and bulk is None:
        bulk = history_bulk(history, people, settings)
    inactive: dict[str, str | None] = {}
    unrecorded: list[Assessed] = []
    stamp_facts = (bulk or {}, signatures, imports)  # the same for every card's stamp
    if history is not None and stamps is None:
        stamps = current_stamps(history, (item.card for item in items))
    for item in items:
        findings += trust_findings(item, today)
        findings += status_findings(item)
        if has_people:
            findings += roster_findings(item, roster, today)
        if history is None:
            continue
        if has_people:
            findings += inactive_findings(
                item, roster, today, history, last_seen, settings, inactive
            )
        if item.card.meta.status is Status.ARCHIVED:
            continue
        stamp = stamps.get(item.card.path) if stamps is not None else None
        if stamp is None:
            if item.card.meta.verified_at is not None:
                unrecorded.append(item)
            continue
        if stamp.created and stamp.commit.sha in history.cut_at:
            findings.append(cut_off(item.card, stamp.commit))
            continue
        card_history = history.get(item.card.path)
        assert card_history is not None  # the stamp is one of its changes
        findings += stamp_findings(
            Stamp(item.card, card_history, history, stamp, people, has_people, *stamp_facts)
        )
    return HealthResult(findings, skipped, unrecorded)


def history_bulk(
    history: RepoHistory, people: People, settings: HealthSettings
) -> dict[tuple[int, str], BulkRun]:
    """The bulk runs of a history, by roster handle (or e-mail when not in the roster)."""

    def person(commit: Commit) -> str:
        return people.identity(commit) or commit.author_email.strip().lower()

    return bulk_runs(history, person, settings.bulk_window, settings.bulk_threshold)


_UNREADABLE = frozenset((rules.YAML_SYNTAX, rules.FRONT_MATTER_NOT_MAPPING))


def trust_findings(item: Assessed, today: date) -> list[Finding]:
    """Expired, due soon, never verified and no owner (published cards only)."""
    card, trust = item.card, item.trust
    if card.meta.status is not Status.PUBLISHED:
        return []
    found = []
    verify = f"kb verify {card.path}"
    # A header YAML could not read is one error already (yaml-syntax): its keys are
    # unknown, not missing, so "no owner" or "never verified" would send people astray.
    # The card still reads as unverified everywhere (fail closed).
    unreadable = any(p.rule in _UNREADABLE for p in card.problems)
    if trust.state is TrustState.EXPIRED:
        assert trust.expires_on is not None
        ago = days_from_today((trust.expires_on - today).days)
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
                f"({days_from_today((trust.expires_on - today).days)}); "
                f"review it and run '{verify}'",
            )
        )
    elif trust.state is TrustState.UNVERIFIED and not unreadable:
        found.append(
            make_finding(
                NEVER_VERIFIED,
                card,
                "verified_at",
                f"the card has never been verified; its owner should check it and run '{verify}'",
            )
        )
    if needs_owner(card.meta) and not unreadable:
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


# What each status that is not a published answer is, and what its owner can do, for
# the reason a surface shows ({path}: the card). An archived card is kept for reference:
# publishing it is the way back only when it is a current answer again.
_NOT_AN_ANSWER = {
    Status.DRAFT: "the card is a draft, not a published answer, whatever its verified_at "
    "says; its owner publishes it (kb publish {path}) once it is one",
    Status.REQUESTED: "the card is a question waiting for its answer (status: requested), "
    "whatever its verified_at says; its owner publishes it (kb publish {path}) once answered",
    Status.ARCHIVED: "the card is archived, kept for reference and no longer a current "
    "answer, whatever its verified_at says; kb archive {path} ends its verification "
    "(kb publish {path} if it is a current answer again)",
}


def status_findings(item: Assessed) -> list[Finding]:
    """A current verification on a card that is not published: a draft (or a request, or
    an archived card) is not an answer to rely on, whoever verified its text, so it must
    not read as verified anywhere. Expired or never verified already says so."""
    card, trust = item.card, item.trust
    what = _NOT_AN_ANSWER.get(card.meta.status)
    if what is None or trust.state not in (TrustState.VERIFIED, TrustState.DUE):
        return []
    return [
        make_finding(
            NOT_PUBLISHED,
            card,
            "status",
            what.format(path=card.path),
        )
    ]


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
    left = roster.left_on(meta.owner, today) if meta.owner else None
    if meta.owner and left is not None:
        found.append(
            make_finding(
                OWNER_LEFT,
                card,
                "owner",
                f"owner '{meta.owner}' ({roster.display(meta.owner)}) left on "
                f"{left.isoformat()}; give the card a new owner "
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
    owners: dict[str, str | None] | None = None,
) -> list[Finding]:
    """An owner with no commit in the repository for ``inactive_after``."""
    card, meta = item.card, item.card.meta
    if meta.status is Status.ARCHIVED or not meta.owner:
        return []
    owners = owners if owners is not None else {}
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


def _last_seen(history: RepoHistory, people: People) -> dict[str, date]:
    seen: dict[str, date] = {}
    for commit in history.authors.values():
        handle = people.identity(commit)
        if handle and (handle not in seen or seen[handle] < commit.day):
            seen[handle] = commit.day
    return seen
