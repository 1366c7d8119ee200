"""Flags: "this card is wrong or incomplete", raised by whoever reused it (KCS "flag it").

A flag lives in the card's front matter, so it travels with the card through
review and history::

    flags:
      - by: noa
        at: 2026-11-22
        reason: step 3 names a menu that no longer exists

A flag is open until it is resolved: either it carries ``resolved: true`` (or a
``resolved_at`` date), or the card was verified after the flag was raised (the
owner re-checked the card, which is what resolving a flag means). ``kb report``
lists open flags for owners; ``kb verify`` drops the resolved ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kbcli.core.cards import Card, CardMeta, to_utc
from kbcli.core.findings import Finding
from kbcli.core.rules import FLAGGED, Severity

FIELD = "flags"


@dataclass(frozen=True)
class Flag:
    by: str
    at: date | None
    reason: str
    resolved: bool = False

    def as_field(self) -> dict[str, Any]:
        """The front-matter form: ``{by, at, reason}`` (plain values, block style)."""
        return {"by": self.by, "at": self.at.isoformat() if self.at else "", "reason": self.reason}


def flags_of(meta: CardMeta) -> list[Flag]:
    """Every flag in the front matter, open or resolved; malformed entries are skipped."""
    raw = meta.extra.get(FIELD)
    if not isinstance(raw, list):
        return []
    found = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            continue
        when = to_utc(entry.get("at")) if entry.get("at") else None
        resolved = bool(entry.get("resolved")) or bool(entry.get("resolved_at"))
        found.append(
            Flag(
                by=str(entry.get("by") or "someone"),
                at=when.date() if when else None,
                reason=str(entry.get("reason") or "").strip(),
                resolved=resolved,
            )
        )
    return found


def is_open(flag: Flag, meta: CardMeta) -> bool:
    """Open unless marked resolved or the card was verified after the flag's day.

    A flag raised on the day of the last verification stays open (the order within
    a day is unknown; ``kb verify`` removes the flags it resolves).
    """
    if flag.resolved:
        return False
    verified = meta.verified_on
    return verified is None or flag.at is None or flag.at >= verified


def open_flags(card: Card) -> list[Flag]:
    """The card's flags that still need the owner's attention."""
    return [flag for flag in flags_of(card.meta) if is_open(flag, card.meta)]


def remaining_after_verify(meta: CardMeta, verified_on: date) -> list[dict[str, Any]] | None:
    """The ``flags`` value to keep once the card is verified on ``verified_on``.

    Verifying resolves every flag raised up to that day; flags raised later (in a
    what-if run with an earlier ``--today``) stay. None means: drop the field.
    """
    raw = meta.extra.get(FIELD)
    if not isinstance(raw, list):
        return None
    keep = []
    for entry, flag in zip(_mappings(raw), flags_of(meta), strict=True):
        if not flag.resolved and flag.at is not None and flag.at > verified_on:
            keep.append(dict(entry))
    return keep or None


def _mappings(raw: list[Any]) -> list[Mapping[str, Any]]:
    return [entry for entry in raw if isinstance(entry, Mapping)]


def with_flag(meta: CardMeta, flag: Flag) -> list[dict[str, Any]]:
    """The new ``flags`` value: the existing entries as they are, plus ``flag``."""
    raw = meta.extra.get(FIELD)
    existing = [dict(entry) for entry in _mappings(raw)] if isinstance(raw, list) else []
    return [*existing, flag.as_field()]


def flag_findings(card: Card) -> list[Finding]:
    """One ``flagged`` finding per open flag, at the ``flags`` line (for report and check)."""
    line, column = card.position.of(FIELD)
    return [
        Finding(
            FLAGGED,
            Severity.WARNING,
            card.path,
            line,
            f"flagged by {flag.by}"
            + (f" on {flag.at.isoformat()}" if flag.at else "")
            + (f": {flag.reason}" if flag.reason else ""),
            column,
            card.title,
        )
        for flag in open_flags(card)
    ]
