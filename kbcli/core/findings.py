"""Findings: what ``kb check``, ``kb report`` and the handbook's health page list.

A finding is one rule firing on one card, at the front-matter line it concerns. Rule
ids are stable API (kb.toml severities, CI dashboards, SARIF rule ids); every rule is
declared once in ``kbcli.core.rules`` with its default severity and a one-line
description, so that ``kb check --list-rules``, the README and SARIF metadata come from
one table.
"""

from __future__ import annotations

from dataclasses import dataclass

from kbcli.core.problems import Problem, Severity
from kbcli.core.rules import RULES


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


def from_problem(path: str, problem: Problem, title: str = "") -> Finding:
    rule = RULES.get(problem.rule)
    severity = rule.severity if rule else problem.severity
    return Finding(
        problem.rule, severity, path, problem.line, problem.message, problem.column, title
    )
