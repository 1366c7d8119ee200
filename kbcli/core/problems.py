"""Problems found while reading a card, with the position that lets an editor jump to them.

Rule ids are stable: ``kb check`` configures severities by id and CI dashboards key
on them, so never rename one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    OFF = "off"


# Card-reading rule ids (front-matter schema).
NOT_UTF8 = "not-utf8"
YAML_SYNTAX = "yaml-syntax"
UNCLOSED_FRONT_MATTER = "unclosed-front-matter"
FRONT_MATTER_NOT_MAPPING = "front-matter-not-mapping"
INVALID_FIELD = "invalid-field"
INVALID_DATE = "invalid-date"
FUTURE_DATE = "future-date"
UNKNOWN_STATUS = "unknown-status"
UNKNOWN_AUDIENCE = "unknown-audience"
INVALID_DURATION = "invalid-duration"
DUPLICATE_ALIAS = "duplicate-alias"
CARD_UNREADABLE = "card-unreadable"
OUTSIDE_REPO = "card-outside-repo"


@dataclass(frozen=True)
class Problem:
    """Something wrong in one card, at a 1-based line and column of the file."""

    rule: str
    message: str
    line: int = 1
    column: int = 1
    severity: Severity = Severity.ERROR

    def at(self, path: str) -> str:
        """``path:line:column: message [rule]``, the form editors and CI logs link."""
        return f"{path}:{self.line}:{self.column}: {self.message} [{self.rule}]"
