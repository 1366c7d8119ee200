"""Findings: what ``kb check``, ``kb report`` and the handbook's health page list.

A finding is one rule firing on one card, at the front-matter line it concerns. Rule
ids are stable API (kb.toml severities, CI dashboards, SARIF rule ids); every rule is
registered here with its default severity and a one-line description, so that
``kb check --list-rules``, the README and SARIF metadata come from one table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kbcli.core import problems as P
from kbcli.core.problems import Problem, Severity


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    description: str
    group: str  # "schema", "trust", "history", "content"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    path: str
    line: int
    message: str
    column: int = 1
    title: str = ""

    def at(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message} [{self.rule}]"


RULES: dict[str, Rule] = {}


def register(rule_id: str, severity: Severity, description: str, group: str) -> str:
    """Add a rule to the registry; returns its id so modules can keep a constant."""
    RULES[rule_id] = Rule(rule_id, severity, description, group)
    return rule_id


E, W = Severity.ERROR, Severity.WARNING
for _id, _desc in (
    (P.NOT_UTF8, "The card file is not UTF-8 text."),
    (P.YAML_SYNTAX, "The front matter is not valid YAML."),
    (P.UNCLOSED_FRONT_MATTER, "The front matter has no closing '---' line."),
    (P.FRONT_MATTER_NOT_MAPPING, "The front matter is not a set of 'key: value' lines."),
    (P.INVALID_FIELD, "A front-matter key has the wrong type or is set twice."),
    (P.INVALID_DATE, "verified_at is not an ISO date in 1900-2999 (counts as never verified)."),
    (P.FUTURE_DATE, "verified_at lies in the future (the card counts as never verified)."),
    (P.UNKNOWN_STATUS, "status is not draft, published or archived."),
    (P.UNKNOWN_AUDIENCE, "audience is not internal or public."),
    (P.INVALID_DURATION, "verify_every is not a duration such as 30d, 6w, 3m, 1y or never."),
    (P.DUPLICATE_ALIAS, "An alias is claimed by more than one card."),
    (P.CARD_UNREADABLE, "kb could not read the card at all (it is skipped, never trusted)."),
    (P.OUTSIDE_REPO, "The card is a link to a file outside the repository (never read)."),
):
    register(_id, E, _desc, "schema")

EXPIRED = register("expired", E, "The card's verification has expired.", "trust")
DUE = register("due-soon", W, "The card's verification expires soon.", "trust")
NEVER_VERIFIED = register("never-verified", W, "The card has never been verified.", "trust")
NO_OWNER = register("no-owner", E, "A published card has no owner.", "trust")


def from_problem(path: str, problem: Problem, title: str = "") -> Finding:
    rule = RULES.get(problem.rule)
    severity = rule.severity if rule else problem.severity
    return Finding(
        problem.rule, severity, path, problem.line, problem.message, problem.column, title
    )


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The most severe level present: what decides an exit code."""
    levels = {f.severity for f in findings}
    for level in (Severity.ERROR, Severity.WARNING):
        if level in levels:
            return level
    return None
