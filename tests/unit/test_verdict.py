"""The trust verdict: evidence against a verification is never shown as verified."""

from __future__ import annotations

from datetime import date

import pytest

from kbcli.core import health as _health  # noqa: F401  (registers the history rules)
from kbcli.core.cards import Card, CardMeta, Position, Status, parse_meta
from kbcli.core.catalog import Assessed
from kbcli.core.durations import parse_duration
from kbcli.core.findings import Finding, Severity
from kbcli.core.rules import RULES
from kbcli.core.trust import Cadence, TrustPolicy, TrustState, assess
from kbcli.core.verdict import EVIDENCE, judge, judge_all, ranking_factor, summary, trust_score

TODAY = date(2026, 11, 22)
POLICY = TrustPolicy(Cadence(parse_duration("3m"), parse_duration("14d")))


def item(path: str, verified_at: date | None, status: str = "published") -> Assessed:
    meta, _ = parse_meta(
        {"verified_at": verified_at, "owner": "ana", "status": status},
        Position(),
        path=path,
        body="",
        today=TODAY,
    )
    card = Card(path=path, meta=meta, body="")
    return Assessed(card, assess(meta, POLICY, path, TODAY))


def finding(
    rule: str, path: str = "a.md", message: str = "why it is doubted; what to do"
) -> Finding:
    return Finding(rule, Severity.WARNING, path, 1, message)


def test_every_evidence_rule_is_registered_with_a_description():
    assert set(RULES) >= EVIDENCE


@pytest.mark.parametrize("rule", sorted(EVIDENCE))
def test_evidence_turns_a_current_verification_into_needs_review(rule):
    fresh = item("a.md", date(2026, 11, 1)).trust
    judged = judge(fresh, [finding(rule)])
    assert judged.state is TrustState.NEEDS_REVIEW
    assert judged.reason_ids == (rule,)
    assert judged.reasons[0].text == "why it is doubted"
    assert not judged.is_fresh
    assert summary(judged) == "needs review: why it is doubted"


def test_other_findings_leave_the_verdict_alone():
    fresh = item("a.md", date(2026, 11, 1)).trust
    assert judge(fresh, [finding("owner-unknown"), finding("due-soon")]) is fresh


def test_expired_stays_expired_but_keeps_its_reasons():
    stale = item("a.md", date(2025, 1, 1)).trust
    judged = judge(stale, [finding("flagged")])
    assert judged.state is TrustState.EXPIRED and judged.reason_ids == ("flagged",)


def test_needs_review_gets_the_penalty_not_the_boost():
    fresh = item("a.md", date(2026, 11, 1)).trust
    assert ranking_factor(fresh, 1.2, 0.5) == 1.2
    assert ranking_factor(judge(fresh, [finding("bulk-reverification")]), 1.2, 0.5) == 0.5


def test_trust_score_counts_needs_review_as_not_verified():
    items = [item("a.md", date(2026, 11, 1)), item("b.md", date(2026, 11, 1))]
    items.append(item("c.md", date(2026, 11, 1), status="draft"))
    assert trust_score(items).percent == 100
    judged = judge_all(items, [finding("verified-by-non-verifier", "b.md")])
    score = trust_score(judged)
    assert (score.fresh, score.published, score.percent) == (1, 2, 50)
    assert [i.trust.state for i in judged] == [
        TrustState.VERIFIED,
        TrustState.NEEDS_REVIEW,
        TrustState.VERIFIED,
    ]


def test_no_published_card_means_no_score():
    assert trust_score([]).percent is None
    assert isinstance(CardMeta(title="x").status, Status)
