"""The json format: kb's own documented shape (README, "kb check --format json")."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from kbcli.cli.output import batched
from kbcli.core.findings import Finding
from kbcli.core.gate import CheckResult, GoldenOutcome
from kbcli.core.plain_line import display_title
from kbcli.core.rules import RULES


def as_data(result: CheckResult) -> dict[str, Any]:
    """Fields may be added, never renamed (tests/schemas/kb-check.schema.json).

    Version 2 names each card once, in ``cards`` (path to title), not in every finding:
    a card with a long title and thousands of findings repeated its title thousands of
    times in version 1."""
    return {
        **_head(result),
        "findings": [_finding(f) for f in result.findings],
        "golden": [_golden(g) for g in result.golden],
        "cards": _cards(result),
    }


def _head(result: CheckResult) -> dict[str, Any]:
    return {
        "version": 2,
        "exit_code": result.exit_code,
        "scope": result.scope,
        "strict": result.strict,
        "summary": {
            "cards": len(result.cards),
            "cards_with_findings": result.cards_with_findings,
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "golden_failed": len(result.golden_failures),
        },
    }


def _finding(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "group": RULES[f.rule].group if f.rule in RULES else "",
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "message": f.message,
    }


def _golden(g: GoldenOutcome) -> dict[str, Any]:
    return {
        "query": g.query,
        "expect": g.expect,
        "top_k": g.top_k,
        "rank": g.rank,
        "passed": g.passed,
        "message": g.message,
    }


def _cards(result: CheckResult) -> dict[str, dict[str, str]]:
    cards: dict[str, dict[str, str]] = {}
    for f in result.findings:
        if f.path not in cards:
            cards[f.path] = {"title": display_title(f.title)}
    return cards


def render(result: CheckResult) -> str:
    """Indented, with one finding per line: readable, diffable and fast for 100,000 cards."""
    return "".join(pieces(result))


def pieces(result: CheckResult) -> Iterator[str]:
    """``render``'s text in pieces of a few thousand rows, made as they are written: the
    findings of 100,000 cards are never all in memory as objects and again as text."""
    encode = json.JSONEncoder(ensure_ascii=False).encode
    yield json.dumps(_head(result), ensure_ascii=False, indent=2)[:-2] + ",\n"
    yield from _block("findings", "[]", (_finding_row(f) for f in result.findings))
    yield ",\n"
    yield from _block("golden", "[]", (encode(_golden(g)) for g in result.golden))
    yield ",\n"
    cards = _cards(result)
    yield from _block("cards", "{}", (f"{_TEXT(path)}: {_row(c)}" for path, c in cards.items()))
    yield "\n}\n"


def _block(key: str, brackets: str, rows: Iterable[str], size: int = 4096) -> Iterator[str]:
    """``  "key": [`` then the rows, four spaces in and one a line, then ``  ]``."""
    opened = False
    for batch in batched(rows, size):
        yield (",\n    " if opened else f'  "{key}": {brackets[0]}\n    ') + ",\n    ".join(batch)
        opened = True
    yield f"\n  {brackets[1]}" if opened else f'  "{key}": {brackets}'


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_TEXT = json.encoder.encode_basestring  # what ensure_ascii=False encodes strings with
_KEYS: dict[str, str] = {}


def _finding_row(f: Finding) -> str:
    """``_row(_finding(f))`` without the dict, for the strings and integers findings hold."""
    rule, path, message, line, column = f.rule, f.path, f.message, f.line, f.column
    level = f.severity.value
    group = RULES[rule].group if rule in RULES else ""
    if not (
        type(rule) is str
        and type(level) is str
        and type(group) is str
        and type(path) is str
        and type(message) is str
        and type(line) is int
        and type(column) is int
    ):
        return _row(_finding(f))
    return (
        f'{{"rule": {_TEXT(rule)}, "severity": {_TEXT(level)}, "group": {_TEXT(group)}, '
        f'"path": {_TEXT(path)}, "line": {int.__repr__(line)}, '
        f'"column": {int.__repr__(column)}, "message": {_TEXT(message)}}}'
    )


def _row(item: dict[str, Any]) -> str:
    """``json``'s encoding of a flat object of strings and integers (the same bytes),
    value by value: the whole-object encoder costs seconds for 200,000 findings."""
    parts = []
    for name, value in item.items():
        key = _KEYS.get(name)
        if key is None:
            key = _KEYS[name] = _TEXT(name) + ": "
        kind = type(value)
        if kind is str:
            parts.append(key + _TEXT(value))
        elif kind is int:
            parts.append(key + int.__repr__(value))
        else:  # anything else (none today): the encoder itself
            return _ENCODE(item)
    return "{" + ", ".join(parts) + "}"
