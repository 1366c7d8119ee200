"""Rule severities: registry defaults, kb.toml, folders, grace and --strict."""

from __future__ import annotations

from datetime import date

import kbcli.core.content  # noqa: F401  (registers broken-link)
from kbcli.core.durations import parse_duration
from kbcli.core.findings import Finding
from kbcli.core.rules import EXPIRED, NEVER_VERIFIED, Severity
from kbcli.core.severity import RulePolicy

TODAY = date(2026, 11, 22)


def finding(rule: str = EXPIRED, path: str = "billing/a.md") -> Finding:
    return Finding(rule, Severity.ERROR, path, 4, "verification expired", 14)


def test_defaults_come_from_the_registry():
    policy = RulePolicy()
    assert policy.configured(EXPIRED, "a.md") is Severity.ERROR
    assert policy.configured(NEVER_VERIFIED, "a.md") is Severity.WARNING


def test_the_longest_folder_wins_per_rule():
    policy = RulePolicy(
        rules={EXPIRED: "warning"},
        folders={"runbooks": {EXPIRED: "error"}, "runbooks/old": {EXPIRED: "off"}, ".": {}},
    )
    assert policy.configured(EXPIRED, "billing/a.md") is Severity.WARNING
    assert policy.configured(EXPIRED, "runbooks/a.md") is Severity.ERROR
    assert policy.configured(EXPIRED, "runbooks/old/a.md") is Severity.OFF
    assert policy.configured(EXPIRED, "runbooks-archive/a.md") is Severity.WARNING
    assert policy.grade(finding(path="runbooks/old/a.md"), today=TODAY) is None


def test_grace_turns_a_fresh_expiry_into_a_warning_until_it_ends():
    policy = RulePolicy(grace=parse_duration("7d"))
    graded = policy.grade(finding(), today=TODAY, expired_on=date(2026, 11, 20))
    assert graded is not None and graded.severity is Severity.WARNING
    assert "fails the check from 2026-11-27" in graded.message
    last_day = policy.grade(finding(), today=TODAY, expired_on=date(2026, 11, 15))
    assert last_day is not None and last_day.severity is Severity.ERROR


def test_grace_never_raises_a_rule_the_team_lowered():
    policy = RulePolicy(rules={EXPIRED: "warning"}, grace=parse_duration("7d"))
    graded = policy.grade(finding(), today=TODAY, expired_on=date(2026, 11, 20))
    assert graded is not None and graded.severity is Severity.WARNING
    assert "grace" not in graded.message


def test_strict_makes_warnings_errors_including_grace_ones():
    policy = RulePolicy(grace=parse_duration("7d"), strict=True)
    graded = policy.grade(finding(), today=TODAY, expired_on=date(2026, 11, 20))
    assert graded is not None and graded.severity is Severity.ERROR
    never = policy.grade(finding(NEVER_VERIFIED), today=TODAY)
    assert never is not None and never.severity is Severity.ERROR


def test_unknown_rule_names_are_reported_with_suggestions():
    policy = RulePolicy(rules={"exipred": "off"}, folders={"x": {"broken-links": "warning"}})
    problems = policy.unknown_rules()
    assert problems == [
        "kb.toml [folders.x.rules]: no rule is called 'broken-links'; did you mean 'broken-link'?",
        "kb.toml [check.rules]: no rule is called 'exipred'; did you mean 'expired'?",
    ]
