"""The junit format: one test case per card and rule, for Jenkins and GitLab test reports.

Follows the Jenkins xUnit plugin's junit-10.xsd (what GitLab and most CI servers
read). Each card with no finding is one passing test case (``all rules``); each
rule that fired on a card is one test case: a ``<failure>`` for errors, a passing
case with the warnings in ``<system-out>`` for warnings. Golden queries get their
own suite, one case per query.
"""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from kbcli.core.findings import Finding
from kbcli.core.gate import CheckResult
from kbcli.core.rules import Severity

# Characters XML 1.0 cannot carry at all.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.3f}"


def render(result: CheckResult) -> str:
    root = ET.Element("testsuites", name="kb check")
    suite = ET.SubElement(root, "testsuite", name="kb check")
    grouped = result.by_card()
    tests = failures = 0
    for path in result.cards:
        findings = grouped.get(path, [])
        classname = _clean(result.display_path(path))
        if not findings:
            ET.SubElement(suite, "testcase", name="all rules", classname=classname, time="0.000")
            tests += 1
            continue
        by_rule: dict[str, list[Finding]] = {}
        for finding in findings:
            by_rule.setdefault(finding.rule, []).append(finding)
        for rule, fired in by_rule.items():
            case = ET.SubElement(suite, "testcase", name=rule, classname=classname, time="0.000")
            tests += 1
            detail = "\n".join(
                f"{result.display_path(f.path)}:{f.line}:{f.column}: {f.severity.value}: "
                f"{f.message}"
                for f in fired
            )
            if any(f.severity is Severity.ERROR for f in fired):
                failures += 1
                failure = ET.SubElement(
                    case, "failure", type=rule, message=_clean(fired[0].message)
                )
                failure.text = _clean(detail)
            else:
                ET.SubElement(case, "system-out").text = _clean(detail)
    _totals(suite, tests, failures, result.seconds)
    suites_tests, suites_failures = tests, failures
    if result.golden:
        golden = ET.SubElement(root, "testsuite", name="kb golden queries")
        for outcome in result.golden:
            case = ET.SubElement(
                golden,
                "testcase",
                name=_clean(outcome.query),
                classname=_clean(result.golden_file or "golden"),
                time="0.000",
            )
            if not outcome.passed:
                ET.SubElement(
                    case, "failure", type="golden-query", message=_clean(outcome.message)
                ).text = _clean(f"expected {outcome.expect} in the top {outcome.top_k}")
        failed = len(result.golden_failures)
        _totals(golden, len(result.golden), failed, 0.0)
        suites_tests += len(result.golden)
        suites_failures += failed
    root.set("tests", str(suites_tests))
    root.set("failures", str(suites_failures))
    root.set("errors", "0")
    root.set("time", _seconds(result.seconds))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _totals(suite: ET.Element, tests: int, failures: int, seconds: float) -> None:
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", _seconds(seconds))
    suite.set("timestamp", datetime.now(UTC).replace(microsecond=0).isoformat())
    suite.set("hostname", _clean(socket.gethostname()))
