"""The gitlab format: GitLab Code Quality JSON (a CodeClimate subset).

Each finding is ``{description, check_name, fingerprint, severity, location: {path,
lines: {begin}}}``. The fingerprint leaves out line numbers and digits in the
message ("expired 3 days ago"), so GitLab keeps seeing the same issue from one run
to the next instead of a new one every day.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from kbcli.core.findings import Finding
from kbcli.core.gate import CheckResult
from kbcli.core.rules import Severity

_DIGITS = re.compile(r"\d+")
SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def fingerprint(finding: Finding) -> str:
    stable = _DIGITS.sub("#", finding.message)
    key = "\0".join((finding.rule, finding.path, stable))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def as_data(result: CheckResult) -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = []
    for finding in result.findings:
        issues.append(
            {
                "type": "issue",
                "description": finding.message,
                "check_name": finding.rule,
                "fingerprint": fingerprint(finding),
                "severity": SEVERITY.get(finding.severity, "info"),
                "categories": ["Style"],
                "location": {
                    "path": result.display_path(finding.path),
                    "lines": {"begin": max(finding.line, 1)},
                },
            }
        )
    for outcome in result.golden_failures:
        key = f"golden\0{outcome.query}\0{outcome.expect}".encode()
        issues.append(
            {
                "type": "issue",
                "description": f"golden query {outcome.query!r}: {outcome.message}",
                "check_name": "golden-query",
                "fingerprint": hashlib.sha256(key).hexdigest()[:32],
                "severity": "major",
                "categories": ["Bug Risk"],
                "location": {
                    "path": result.golden_file or "",
                    "lines": {"begin": max(outcome.line, 1)},
                },
            }
        )
    return issues


def render(result: CheckResult) -> str:
    return json.dumps(as_data(result), ensure_ascii=False, separators=(",", ":")) + "\n"
