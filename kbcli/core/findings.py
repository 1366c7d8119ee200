"""Findings: what ``kb check``, ``kb report`` and the handbook's health page list.

A finding is one rule firing on one card, at the line it concerns. Reading a card makes
findings too (``Card.problems``: bad YAML, a bad date...), of the same type, so that
``kb list``, the editor and ``kb check`` show one thing. Rule
ids are stable API (kb.toml severities, CI dashboards, SARIF rule ids); every rule is
declared once in ``kbcli.core.rules`` with its default severity and a one-line
description, so that ``kb check --list-rules``, the README and SARIF metadata come from
one table.
"""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
from typing import NamedTuple

from kbcli.core.rules import RULES, Severity


class Finding(NamedTuple):
    rule: str
    severity: Severity
    path: str
    line: int
    message: str
    column: int = 1
    title: str = ""

    def at(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message} [{self.rule}]"


def made(
    rule: str, severity: Severity, path: str, line: int, message: str, column: int, title: str
) -> Finding:
    """``Finding(rule, severity, path, line, message, column, title)`` made straight from
    the tuple, as ``card_bodies.kept_card`` makes cards: a warm ``kb report`` at 100,000
    cards turns over 200,000 kept findings back into ``Finding``s."""
    return _made(Finding, (rule, severity, path, line, message, column, title))


_made = tuple.__new__


def on_card(path: str, rule: str, message: str, line: int = 1, column: int = 1) -> Finding:
    """A finding made while reading the card at ``path``, at its rule's default severity
    (kb.toml's severities are applied later, with every other finding's)."""
    registered = RULES.get(rule)
    severity = registered.severity if registered else Severity.ERROR
    return Finding(rule, severity, path, line, message, column)
