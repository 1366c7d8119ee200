"""The sarif format: SARIF 2.1.0, for GitHub code scanning and other dashboards.

Every registered rule is described in ``tool.driver.rules`` with the level kb.toml
gives it; each finding is a result located at its card's line, with a fingerprint
that survives the card moving up or down a few lines.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from kbcli import __version__
from kbcli.cli.formats.gitlab import fingerprint
from kbcli.core.findings import Finding
from kbcli.core.gate import CheckResult, GoldenOutcome
from kbcli.core.rules import RULES

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"


def render(result: CheckResult) -> str:
    return json.dumps(as_data(result), ensure_ascii=False, separators=(",", ":")) + "\n"


def as_data(result: CheckResult) -> dict[str, Any]:
    rule_ids = sorted(RULES)
    index = {rule: i for i, rule in enumerate(rule_ids)}
    results = [_result(result, finding, index) for finding in result.findings]
    results += [_golden_result(result, outcome) for outcome in result.golden_failures]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kb",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": [_rule(rule) for rule in rule_ids],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "invocations": [{"executionSuccessful": True}],
                "results": results,
            }
        ],
    }


def _rule(rule: str) -> dict[str, Any]:
    return {
        "id": rule,
        "name": _camel(rule),
        "shortDescription": {"text": RULES[rule].description},
        "defaultConfiguration": _configuration(RULES[rule].severity.value),
        "properties": {"tags": ["kb", RULES[rule].group]},
    }


def _result(result: CheckResult, finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": finding.severity.value,
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {
                        "uri": quote(result.display_path(finding.path)),
                        "uriBaseId": "%SRCROOT%",
                    },
                    "region": {
                        "startLine": max(finding.line, 1),
                        "startColumn": max(finding.column, 1),
                    },
                }
            }
        ],
        "partialFingerprints": {"kbFinding/v1": fingerprint(finding)},
    }
    if finding.rule in index:
        entry["ruleIndex"] = index[finding.rule]
    return entry


def _golden_result(result: CheckResult, outcome: GoldenOutcome) -> dict[str, Any]:
    return {
        "ruleId": "golden-query",
        "level": "error",
        "message": {"text": f"golden query {outcome.query!r}: {outcome.message}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(result.golden_file or "")},
                    "region": {"startLine": max(outcome.line, 1)},
                }
            }
        ],
    }


def _camel(rule: str) -> str:
    return "".join(part.capitalize() for part in rule.split("-"))


def _configuration(level: str) -> dict[str, Any]:
    if level == "off":
        return {"level": "none", "enabled": False}
    return {"level": level}
