"""Findings a pull request did not cause: the ones the card's version at the base had too.

``kb check --changed-since REF`` checks each changed card whole. A contributor who fixes a
typo in a card that had expired (or had no owner, or whose owner left) before the branch
was made cannot make those findings go away: only the owner (or the lead) can. So they
are reported, on the card the pull request touched, but do not fail it; the nightly run
over every card still does. Only findings kb can judge from the card's own text, the
roster and today are compared (dates, status, owner); history and link findings are
about what the branch's commits did, so they stay the branch's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from kbcli.core.cards import Card
from kbcli.core.catalog import Assessed
from kbcli.core.findings import Finding
from kbcli.core.health import roster_findings, status_findings, trust_findings
from kbcli.core.people import Roster
from kbcli.core.rules import OWNER_INACTIVE, Severity
from kbcli.core.trust import TrustPolicy, assess

BEFORE = " (so before this change too: reported, not failing it)"


def standing_rules(
    before: Card, after: Card, roster: Roster, policy: TrustPolicy, today: date
) -> frozenset[str]:
    """The rule ids the card's base version ``before`` already broke on ``today``."""
    old = Assessed(before, assess(before.meta, policy, after.path, today))
    found = [*trust_findings(old, today), *status_findings(old)]
    if roster.people:
        found += roster_findings(old, roster, today)
    rules = {finding.rule for finding in found}
    if before.meta.owner and before.meta.owner == after.meta.owner:
        rules.add(OWNER_INACTIVE)  # whether the owner commits is no branch's doing
    return frozenset(rules)


def not_caused(
    findings: Iterable[Finding],
    before: Mapping[str, Card],
    after: Mapping[str, Card],
    roster: Roster,
    policy: TrustPolicy,
    today: date,
) -> list[Finding]:
    """``findings`` with those the base version had too made warnings that say so."""
    standing: dict[str, frozenset[str]] = {}
    kept = []
    for finding in findings:
        old, new = before.get(finding.path), after.get(finding.path)
        if old is None or new is None:
            kept.append(finding)
            continue
        if finding.path not in standing:
            standing[finding.path] = standing_rules(old, new, roster, policy, today)
        if finding.rule in standing[finding.path]:
            finding = finding._replace(severity=Severity.WARNING, message=finding.message + BEFORE)
        kept.append(finding)
    return kept
