"""The json format: kb's own documented shape (README, "kb check --format json")."""

from __future__ import annotations

import json
from typing import Any

from kbcli.core.gate import CheckResult
from kbcli.core.rules import RULES


def as_data(result: CheckResult) -> dict[str, Any]:
    """Fields may be added, never renamed (tests/schemas/kb-check.schema.json).

    Version 2 names each card once, in ``cards`` (path to title), not in every finding:
    a card with a long title and thousands of findings repeated its title thousands of
    times in version 1."""
    cards: dict[str, dict[str, str]] = {}
    for f in result.findings:
        if f.path not in cards:
            cards[f.path] = {"title": f.title}
    return {
        "version": 2,
        "exit_code": result.exit_code,
        "scope": result.scope,
        "strict": result.strict,
        "summary": {
            "cards": len(result.cards),
            "cards_with_findings": len(result.by_card()),
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "golden_failed": len(result.golden_failures),
        },
        "findings": [
            {
                "rule": f.rule,
                "severity": f.severity.value,
                "group": RULES[f.rule].group if f.rule in RULES else "",
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "message": f.message,
            }
            for f in result.findings
        ],
        "golden": [
            {
                "query": g.query,
                "expect": g.expect,
                "top_k": g.top_k,
                "rank": g.rank,
                "passed": g.passed,
                "message": g.message,
            }
            for g in result.golden
        ],
        "cards": cards,
    }


def render(result: CheckResult) -> str:
    """Indented, with one finding per line: readable, diffable and fast for 100,000 cards."""
    data = as_data(result)
    findings = data.pop("findings")
    golden = data.pop("golden")
    cards = data.pop("cards")
    encode = json.JSONEncoder(ensure_ascii=False).encode
    head = json.dumps(data, ensure_ascii=False, indent=2)[:-2]
    parts = [head + ","]
    for key, items in (("findings", findings), ("golden", golden)):
        row = _row if key == "findings" else encode
        rows = ",\n".join("    " + row(item) for item in items)
        parts.append(f'  "{key}": [\n{rows}\n  ]' if rows else f'  "{key}": []')
    rows = ",\n".join(f"    {_TEXT(path)}: {_row(card)}" for path, card in cards.items())
    parts.append(f'  "cards": {{\n{rows}\n  }}' if rows else '  "cards": {}')
    return parts[0] + "\n" + ",\n".join(parts[1:]) + "\n}\n"


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
_TEXT = json.encoder.encode_basestring  # what ensure_ascii=False encodes strings with
_KEYS: dict[str, str] = {}


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
