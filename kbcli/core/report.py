"""The health report of a whole knowledge base: trust score, findings, owners, urgent cards.

Pure: built from the assessed cards, their findings and the roster; rendered by
``kbcli/cli/views/`` as a terminal page, JSON or a markdown digest per owner.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from posixpath import dirname, join, normpath

from kbcli.core.cards import Card, Status
from kbcli.core.catalog import Assessed
from kbcli.core.findings import Finding
from kbcli.core.people import Roster
from kbcli.core.rules import OWNER_INACTIVE, RULES
from kbcli.core.trust import TrustState, days_from_today
from kbcli.core.verdict import trust_score

_URGENCY = {
    TrustState.EXPIRED: 0,
    TrustState.NEEDS_REVIEW: 1,
    TrustState.UNVERIFIED: 2,
    TrustState.DUE: 3,
}
# Already said by the trust reason of a to-do ("expired ...", "never verified").
_TRUST_RULES = frozenset({"expired", "due-soon", "never-verified"})


@dataclass(frozen=True)
class Todo:
    """A card someone must act on, and why."""

    item: Assessed
    reasons: tuple[str, ...]
    inbound: int = 0

    @property
    def path(self) -> str:
        return self.item.card.path

    @property
    def in_words(self) -> tuple[str, ...]:
        """The reasons as the owner reads them: the verdict's own words for its evidence
        (who edited the card, in which commit), as Slack answers and unfurls give them,
        where the report's tables and JSON keep the rule ids."""
        words = {reason.rule: reason.text for reason in self.item.trust.reasons}
        return tuple(words.get(reason, reason) for reason in self.reasons)


@dataclass(frozen=True)
class OwnerDigest:
    owner: str
    name: str
    cards: int
    expired: int
    due: int
    unverified: int
    findings: int
    todo: tuple[Todo, ...]
    left: bool = False
    unknown: bool = False
    needs_review: int = 0


@dataclass(frozen=True)
class Report:
    today: date
    cards: int
    published: int
    fresh: int
    states: dict[str, int]
    rule_counts: dict[str, int]
    owners: tuple[OwnerDigest, ...]
    urgent: tuple[Todo, ...]
    findings: tuple[Finding, ...]
    skipped: tuple[str, ...] = ()
    history_commits: int | None = None
    trend: tuple[tuple[date, float], ...] = field(default_factory=tuple)
    notices: tuple[str, ...] = ()  # warnings for stderr (a shallow clone); not in any output
    # (day, cards): cards whose last verification is a ``kb adopt --baseline`` commit, a
    # team's declared starting point rather than a reading of each card.
    baselines: tuple[tuple[date, int], ...] = ()
    # Published cards that need review and whose date is due soon too: the due-soon
    # findings count them (the finding is about the date), the "due" state does not (the
    # verdict says needs review): due-soon findings = due + these. tldr after bulk
    # re-stamps: due 213, due-soon 692.
    needs_review_due_soon: int = 0

    @property
    def score(self) -> float | None:
        """Share of published cards that are verified (or due, still within their date)."""
        return self.fresh / self.published if self.published else None


def build_report(
    items: Sequence[Assessed],
    findings: Sequence[Finding],
    roster: Roster,
    today: date,
    *,
    owner: str | None = None,
    urgent_limit: int = 10,
    skipped: Iterable[str] = (),
    history_commits: int | None = None,
    notices: Iterable[str] = (),
    refs: Callable[[Card], Refs] | None = None,
) -> Report:
    """Summarise the knowledge base (or one owner's part of it, with ``owner``); ``refs``:
    see ``inbound_links``."""
    inbound = inbound_links([item.card for item in items], refs)
    routed = _stand_ins(items, findings, roster, today)
    if owner is not None:
        items = [i for i in items if owns(owner, i.card.meta.owner, roster)]
        paths = {i.card.path for i in items}
        findings = [f for f in findings if f.path in paths]
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        by_path.setdefault(finding.path, []).append(finding)
    published, groups, candidates = _walk(items, by_path, inbound, today, routed)
    for path, (handles, item, finding) in routed.items():
        linked = inbound.get(path, 0)
        routed_todo = Todo(item, (finding.message,), linked)
        key = (_URGENCY.get(item.trust.state, 3), -linked, path)
        for handle in handles:
            if owner is None or owns(owner, handle, roster):
                groups.setdefault(handle, _Group()).todo.append((key, routed_todo))
    states = Counter(i.trust.state.value for i in published)
    states["no-owner"] = sum(1 for i in published if i.trust.no_owner)
    owners = _owners(groups, roster, today)
    # The first ``urgent_limit`` of the whole order (``nsmallest`` is ``sorted(...)[:n]``).
    urgent = [todo for _, todo in heapq.nsmallest(urgent_limit, candidates, key=_first)]
    return Report(
        today=today,
        cards=len(items),
        published=len(published),
        fresh=trust_score(published).fresh,
        states={s: states.get(s, 0) for s in (*(t.value for t in TrustState), "no-owner")},
        rule_counts=dict(sorted(Counter(f.rule for f in findings).items())),
        owners=owners,
        urgent=tuple(urgent),
        findings=tuple(findings),
        skipped=tuple(skipped),
        history_commits=history_commits,
        notices=tuple(notices),
        needs_review_due_soon=sum(1 for i in published if _due_under_review(i, today)),
    )


def _due_under_review(item: Assessed, today: date) -> bool:
    """Needs review, and its date alone would make it due (a needs-review verdict only
    replaces verified and due: ``verdict.with_reasons``)."""
    trust = item.trust
    return (
        trust.state is TrustState.NEEDS_REVIEW
        and trust.due_on is not None
        and trust.due_on <= today
        and (trust.expires_on is None or today < trust.expires_on)
    )


Routed = dict[str, tuple[tuple[str, ...], Assessed, Finding]]


def _stand_ins(
    items: Sequence[Assessed], findings: Sequence[Finding], roster: Roster, today: date
) -> Routed:
    """Cards whose owner has gone quiet (owner-inactive), by path: who acts instead
    (``Roster.stand_ins``), the card and the finding. The quiet owner is the one person
    who will not read a to-do asking whether they still own the card."""
    quiet = {f.path: f for f in findings if f.rule == OWNER_INACTIVE}
    if not quiet:
        return {}
    routed: Routed = {}
    for item in items:
        finding = quiet.get(item.card.path)
        if finding is None:
            continue
        meta = item.card.meta
        handles = roster.stand_ins(meta.owner or "", meta.verifiers, today)
        if handles:
            routed[item.card.path] = (handles, item, finding)
    return routed


def owns(handle: str, owner: str | None, roster: Roster) -> bool:
    """``handle`` owns a card owned by itself, or by a team it belongs to."""
    return bool(owner) and (owner == handle or handle in roster.members(owner or ""))


@dataclass
class _Group:
    """One owner's cards, gathered in the one pass over every card (``_walk``)."""

    cards: int = 0
    states: Counter[TrustState] = field(default_factory=Counter)
    findings: int = 0
    todo: list[tuple[tuple[int, int, str], Todo]] = field(default_factory=list)  # (order, to-do)


def _walk(
    items: Sequence[Assessed],
    by_path: dict[str, list[Finding]],
    inbound: dict[str, int],
    today: date,
    routed: Routed,
) -> tuple[list[Assessed], dict[str, _Group], list[tuple[tuple[int, int, int, str], Todo]]]:
    """One pass over the cards: the published ones, each owner's group (to-dos with
    their order in the owner's list), and the to-dos that may be urgent (live cards in
    an urgent trust state), each with its order in the urgent list."""
    published: list[Assessed] = []
    groups: dict[str, _Group] = {}
    candidates: list[tuple[tuple[int, int, int, str], Todo]] = []
    requested, live_status, urgency = Status.REQUESTED, Status.PUBLISHED, _URGENCY
    for item in items:
        card = item.card
        path = card.path
        meta = card.meta
        live = meta.status is live_status
        owner = meta.owner or ""
        group = groups.get(owner)
        if group is None:
            group = groups[owner] = _Group()
        group.cards += 1
        state = item.trust.state
        if live:
            published.append(item)
            group.states[state] += 1
        found = by_path.get(path, ())
        group.findings += len(found)
        if path in routed:  # the owner-inactive to-do is someone else's (``_stand_ins``)
            found = [f for f in found if f.rule != OWNER_INACTIVE]
        urgent = live and state in urgency
        if live or found or meta.status is requested:
            reasons = _reasons(item, live, found, today)
        else:
            reasons = ()
        if reasons or urgent:
            linked = inbound.get(path, 0)
            todo = Todo(item, reasons, linked)
            if reasons:
                group.todo.append(((urgency.get(state, 3), -linked, path), todo))
            if urgent:
                left = item.trust.days_left(today) or 0
                candidates.append(((urgency[state], -linked, left, path), todo))
    return published, groups, candidates


def _reasons(
    item: Assessed, live: bool, findings: Sequence[Finding], today: date
) -> tuple[str, ...]:
    reasons: list[str] = []
    if live:
        trust = item.trust
        if trust.state is TrustState.EXPIRED and trust.expires_on:
            when = days_from_today((trust.expires_on - today).days)
            reasons.append(f"expired {trust.expires_on.isoformat()} ({when})")
        elif trust.state is TrustState.DUE and trust.expires_on:
            when = days_from_today((trust.expires_on - today).days)
            reasons.append(f"expires {trust.expires_on.isoformat()} ({when})")
        elif trust.state is TrustState.UNVERIFIED:
            reasons.append("never verified")
    elif item.card.meta.status is Status.REQUESTED:
        asker = item.card.meta.extra.get("requested_by")
        by = f" by {asker}" if isinstance(asker, str) and asker else ""
        reasons.append(f"knowledge request{by}: write the answer")
    for finding in findings:
        if finding.rule == "flagged":  # who flagged it and why is what the owner needs
            reasons.append(finding.message)
        elif finding.rule not in _TRUST_RULES and finding.rule in RULES:
            reasons.append(finding.rule)
    return tuple(dict.fromkeys(reasons))


def _first(pair: tuple[tuple[int, int, int, str], Todo]) -> tuple[int, int, int, str]:
    return pair[0]


def _first_key(pair: tuple[tuple[int, int, str], Todo]) -> tuple[int, int, str]:
    return pair[0]


def _owners(groups: dict[str, _Group], roster: Roster, today: date) -> tuple[OwnerDigest, ...]:
    digests = []
    for owner, group in groups.items():
        ordered = group.todo
        ordered.sort(key=_first_key)  # paths differ: no two keys tie
        todo = [t for _, t in ordered]
        states = group.states
        digests.append(
            OwnerDigest(
                owner=owner,
                name=roster.display(owner) if owner else "(no owner)",
                cards=group.cards,
                expired=states[TrustState.EXPIRED],
                due=states[TrustState.DUE],
                unverified=states[TrustState.UNVERIFIED],
                needs_review=states[TrustState.NEEDS_REVIEW],
                findings=group.findings,
                todo=tuple(todo),
                left=bool(owner) and roster.left_on(owner, today) is not None,
                unknown=bool(owner) and bool(roster.people) and not roster.knows(owner),
            )
        )
    return tuple(sorted(digests, key=lambda d: (-len(d.todo), d.owner == "", d.owner)))


_WIKI = re.compile(r"\[\[([^\]|#]+)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]")
_LINK = re.compile(r"\]\(\s*<?([^)\s>#?]+\.md)(?:[#?][^)\s>]*)?>?(?:\s+\"[^\"]*\")?\s*\)")


# What a card's body links to, for ``inbound_links``: (wiki targets as written, casefolded
# and stripped; relative ``.md`` links as written). A function of the body alone, so the
# per-card cache keeps it and a warm report need not read any body.
Refs = tuple[tuple[str, ...], tuple[str, ...]]


def card_refs(body: str) -> Refs:
    """The links of ``body`` that ``inbound_links`` counts, before resolving them."""
    if "[[" not in body and "](" not in body:  # most cards: no link to look for
        return (), ()
    wikis = tuple(dict.fromkeys(m.group(1).strip().casefold() for m in _WIKI.finditer(body)))
    links = tuple(
        dict.fromkeys(link for m in _LINK.finditer(body) if "://" not in (link := m.group(1)))
    )
    return wikis, links


def inbound_links(
    cards: Sequence[Card], refs: Callable[[Card], Refs] | None = None
) -> dict[str, int]:
    """How many other cards link to each card (``[[Title]]`` or ``[text](path.md)``);
    ``refs`` gives a card's links (default: read from its body). Only cards that link
    anywhere cost more than asking for their links (most cards of a big knowledge base
    link nowhere)."""
    linking = [
        (card, found)
        for card in cards
        if (found := refs(card) if refs is not None else card_refs(card.body)) != ((), ())
    ]
    if not linking:
        return {}
    names: dict[str, str] = {}
    if any(wikis for _, (wikis, _links) in linking):
        for card in cards:
            for key in (card.title, card.stem, *card.meta.aliases):
                names.setdefault(key.casefold().removesuffix(".md"), card.path)
    paths = {card.path for card in cards}
    counts: Counter[str] = Counter()
    for card, (wikis, links) in linking:
        targets: set[str] = set()
        for name in wikis:
            target = names.get(name)
            if target:
                targets.add(target)
        folder = dirname(card.path)
        for link in links:
            resolved = normpath(join(folder, link)).lstrip("/")
            if resolved in paths:
                targets.add(resolved)
        targets.discard(card.path)
        counts.update(targets)
    return dict(counts)
