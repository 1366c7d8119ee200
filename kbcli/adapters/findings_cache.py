"""Every card's graded findings and verdict, kept in ``.kb/findings.marshal``.

Judging 100,000 cards (trust, roster, history and provenance rules, kb.toml's
severities, the verdict) was most of a warm ``kb report`` or ``kb check``, every run,
to find the same answers. A card's findings and verdict are a function of its bytes
and of things that hold for the whole run: kb's code, the settings they are judged with
(``core.verdict.SETTINGS``: from kb.toml, the roster, ``KB_*``), the day and the git
history (its tip). So the file is kept under a key of those whole-run things, and each
card's entry under the hash of its bytes (the per-card cache's, ``card_cache``):

- another key (a new commit, a switched setting findings depend on, an edited
  people.yaml, the next day, another kb): the file is not used at all;
- a card whose bytes hash differently (or that has no hash: an unreadable file): judged
  again.

The file carries a checksum; a missing, truncated, damaged or foreign file, or an
entry of the wrong shape, means judging again, never a wrong answer. Writes are atomic
and only where ``.kb/`` exists.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from kbcli.adapters import checked_file
from kbcli.core.durations import Duration
from kbcli.core.findings import Finding, Severity, made
from kbcli.core.trust import Reason, Trust, TrustState

FILE = "findings.marshal"
_MAGIC = b"kbfind01"

# path -> (digest of the card's bytes, encoded verdict, encoded findings)
Entry = tuple[bytes, tuple[Any, ...], tuple[tuple[Any, ...], ...]]

_STATE = {s.value: s for s in TrustState}
_SEVERITY = {s.value: s for s in Severity}


def load(path: Path, key: Any) -> dict[str, Entry]:
    """The entries kept for ``key`` (``checked_file.load``)."""
    return checked_file.load(path, key, _MAGIC)


def save(path: Path, key: Any, entries: dict[str, Entry]) -> None:
    """Keep ``entries`` for ``key`` (``checked_file.save``)."""
    checked_file.save(path, key, entries, _MAGIC)


# -- values ---------------------------------------------------------------------------


def _day(value: date | None) -> int | None:
    return None if value is None else value.toordinal()


def _from_day(value: int | None) -> date | None:
    return None if value is None else date.fromordinal(value)


def encode_trust(trust: Trust) -> tuple[Any, ...]:
    every = trust.verify_every
    return (
        trust.state.value,
        _day(trust.verified_on),
        _day(trust.expires_on),
        (every.count, every.unit),
        trust.no_owner,
        tuple((r.rule, r.text) for r in trust.reasons),
        _day(trust.due_on),
    )


def decode_trust(value: tuple[Any, ...], memo: dict[tuple[Any, ...], Trust]) -> Trust:
    """The verdict ``encode_trust`` kept; cards with the same verdict share one (frozen)
    ``Trust`` through ``memo`` (most of 100,000 cards fall into a few hundred)."""
    found = memo.get(value)
    if found is None:
        found = memo[value] = _trust(value)
    return found


def _trust(value: Sequence[Any]) -> Trust:
    state, verified_on, expires_on, every, no_owner, reasons, due_on = value
    return Trust(
        _STATE[state],
        _from_day(verified_on),
        _from_day(expires_on),
        Duration(*every),
        bool(no_owner),
        tuple(Reason(rule, text) for rule, text in reasons),
        _from_day(due_on),
    )


def encode_findings(findings: Sequence[Finding], card: str, title: str) -> tuple[Any, ...]:
    """One card's findings (all on ``card``: the caller checks); the title is kept only
    where it is not the card's."""
    return tuple(
        (
            f.rule,
            f.severity.value,
            f.line,
            f.message,
            f.column,
            None if f.title == title else f.title,
        )
        for f in findings
    )


def decode_findings(value: Sequence[Sequence[Any]], card: str, title: str) -> list[Finding]:
    severity = _SEVERITY
    return [
        made(rule, severity[level], card, line, message, column, title if own is None else own)
        for rule, level, line, message, column, own in value
    ]
