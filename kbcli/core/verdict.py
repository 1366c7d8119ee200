"""The trust verdict: one answer per card that folds in every piece of evidence.

A card's dates say whether its verification is current (``trust.assess``); its
findings say whether that verification can be believed. ``judge`` combines the two:
a card whose verification is current but that kb has evidence against (stamped by
someone who may not verify it, re-stamped in bulk, backdated, edited since, a
dependency changed, an open flag, an unsigned stamp where signatures are required...)
is **needs review**. It never reads as verified: it gets the ranking penalty, not the
boost, and counts as not verified in the trust score.

Stable API for every surface (CLI, handbook, Slack, MCP, LSP)::

    judge(trust, findings) -> Trust        # .state, .reasons, .reason_ids
    summary(trust) -> str                  # "needs review: re-stamped with 29 other cards ..."
    evidence(trust) -> str                 # "re-stamped with 29 other cards ..." (no state)
    ranking_factor(trust, boost, penalty) -> float
    trust_score(items) -> Score            # .fresh, .published, .percent

Reasons are the findings' rule ids (stable: kb.toml, SARIF and CI dashboards use the
same ids), each with the finding's first clause as its one line of text. A rule set
to "off" in kb.toml yields no finding and so no evidence.
"""

# No ``from __future__ import annotations``: a search loads this module, and typing
# compiled Score's field types written as strings when the class was made.
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from kbcli.core.cards import Status
from kbcli.core.trust import Reason, Trust, TrustState

if TYPE_CHECKING:  # at run time only judge_all needs them: a search showing kept
    # verdicts loads neither (about 5 ms of its start, -X importtime)
    from kbcli.core.catalog import Assessed
    from kbcli.core.findings import Finding

# Rules whose finding is evidence against a card's verification. The ids are
# registered (with severity and description) where each rule fires: core/health.py,
# core/provenance.py and core/flags.py.
EVIDENCE: frozenset[str] = frozenset(
    {
        # history (core/health.py)
        "verified-by-non-verifier",
        "committer-not-verifier",
        "bulk-reverification",
        "backdated-verification",
        "future-verification",
        "edited-since-verified",
        "dependency-changed",
        "flagged",
        "unsigned-verification",
        "signature-not-verifier",
        "roster-changed-with-stamp",
        "self-granted-verifier",
        "untraced-verification",
        "uncommitted-verification",
        # status (core/health.py): a draft, a request or an archived card is no answer
        "not-published",
        # roster (core/health.py): an owner who left keeps no card current, so the card
        # counts in no trust score until kb reassign gives it someone who answers for it
        "owner-left",
    }
)

# Evidence about who keeps the card current, not about what it says (see ranking_factor).
UPKEEP: frozenset[str] = frozenset({"owner-left"})

# The parts of kb's configuration (``KbConfig`` fields) a verdict is judged with: what
# ``usecases/judging`` and the date-only trust read. Verdicts kept between runs
# (``usecases/verdict_cache``) are keyed by these alone, so switching a setting that
# cannot change a verdict (search ranking, the handbook, capture, adopt, usage) does
# not judge every hit again. ``cards``: which files are cards and how much front matter
# is read (an oversized one reads as an unowned draft); ``verification`` and
# ``folders``: the cadence and ``require_signed``, per-folder cadence and severities;
# ``check``: severities (an evidence rule set to off is no evidence) and grace;
# ``history``: the history rules' thresholds; ``roster``: who may verify, with which
# e-mails and keys. The kept findings (``usecases/judging.run_key``) are keyed by the same
# settings: the verdict is made from those findings, and judging them reads nothing else.
# tests/integration/test_verdict_settings.py flips every setting, for both.
SETTINGS = ("root", "cards", "verification", "folders", "history", "check", "roster")

# The states a needs-review verdict replaces: expired and never verified already say
# "do not trust this" and keep their own word (their reasons are still listed).
_CURRENT = (TrustState.VERIFIED, TrustState.DUE)


def reason_of(finding: "Finding") -> Reason:
    """A finding as a reason: its rule id and the part of its message before the fix."""
    text = finding.message.split("; ", 1)[0].strip()
    return Reason(finding.rule, text)


def judge(trust: Trust, findings: "Iterable[Finding]") -> Trust:
    """``trust`` with the evidence among ``findings`` (one card's) folded in.

    Pure and cheap: the caller passes the card's findings after kb.toml severities
    were applied. Non-evidence findings (schema, roster, expiry) are ignored here.
    """
    return with_reasons(trust, tuple(reason_of(f) for f in findings if f.rule in EVIDENCE))


def with_reasons(trust: Trust, reasons: tuple[Reason, ...]) -> Trust:
    """``trust`` with this evidence against it (``judge``'s result for these reasons)."""
    if not reasons:
        return trust
    state = TrustState.NEEDS_REVIEW if trust.state in _CURRENT else trust.state
    # The constructor, not dataclasses.replace: called for every doubted card (76,000
    # on the 100,000-card benchmark repo), where replace's generic copy costs seconds.
    return Trust(
        state,
        trust.verified_on,
        trust.expires_on,
        trust.verify_every,
        trust.no_owner,
        reasons,
        trust.due_on,
    )


def judge_all(items: "Iterable[Assessed]", findings: "Iterable[Finding]") -> "list[Assessed]":
    """Every card's verdict from one list of findings (any order, any cards)."""
    from kbcli.core.catalog import Assessed

    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.rule in EVIDENCE:
            by_path.setdefault(finding.path, []).append(finding)
    judged = []
    for item in items:
        found = by_path.get(item.card.path)
        judged.append(item if not found else Assessed(item.card, judge(item.trust, found)))
    return judged


def summary(trust: Trust) -> str:
    """One line: the state and, when there is evidence, the first reason and how many more."""
    word = trust.state.value.replace("-", " ")
    return f"{word}: {evidence(trust)}" if trust.reasons else word


def evidence(trust: Trust) -> str:
    """The first reason against the card and how many more ("" without evidence), for a
    surface whose badge already says the state."""
    if not trust.reasons:
        return ""
    more = len(trust.reasons) - 1
    tail = f" (+{more} more)" if more else ""
    return f"{trust.reasons[0].text}{tail}"


# Expired first, then doubted, then due, then never verified (the handbook's "Most urgent").
_URGENCY = {
    TrustState.EXPIRED: 0,
    TrustState.NEEDS_REVIEW: 1,
    TrustState.DUE: 2,
    TrustState.UNVERIFIED: 3,
}


def urgency(trust: Trust) -> "tuple[int, date]":
    """How soon a card needs its owner, as a sort key: by state (verified last), then the
    longest expired or the soonest due first."""
    return (_URGENCY.get(trust.state, len(_URGENCY)), trust.expires_on or date.max)


def ranking_factor(trust: Trust, verified_boost: float, penalty: float) -> float:
    """Search ranking multiplier: the boost only for verified; the penalty for expired and
    needs review (a doubted answer must not outrank an honest one)."""
    if trust.state is TrustState.VERIFIED:
        return verified_boost
    if trust.state is TrustState.EXPIRED:
        return penalty
    if trust.state is TrustState.NEEDS_REVIEW:
        # An owner who left doubts the card's upkeep, not its text (verified, still in
        # date): no boost, as it is not ✔, but no penalty either, unless more is held
        # against it (the demo's email-outage runbook fell from 1st to 5th).
        upkeep_only = all(reason.rule in UPKEEP for reason in trust.reasons)
        return 1.0 if upkeep_only else penalty
    return 1.0


class Score(NamedTuple):
    """The trust score: published cards that count as verified, out of all published."""

    fresh: int
    published: int

    @property
    def percent(self) -> int | None:
        """Rounded percentage; None when nothing is published."""
        return round(100 * self.fresh / self.published) if self.published else None


def trust_score(items: "Iterable[Assessed]") -> Score:
    """The one trust-score formula (report, handbook, trend): verified or due, no evidence."""
    fresh = published = 0
    for item in items:
        if item.card.meta.status is Status.PUBLISHED:
            published += 1
            fresh += item.trust.is_fresh
    return Score(fresh, published)
