"""The github format: workflow commands that put annotations on the pull request.

``::error file=kb/billing/refunds.md,line=4,col=14,title=kb expired::message``
places the annotation on the ``verified_at`` line of the card in the diff. Values
are escaped as GitHub's runner does (``toolkit/packages/core/src/command.ts``):
``%``, CR and LF everywhere, and ``:`` and ``,`` in properties.
"""

from __future__ import annotations

from kbcli.core.gate import CheckResult
from kbcli.core.rules import Severity


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, **properties: str | int) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{level} {props}::{escape_data(message)}"


def render(result: CheckResult) -> str:
    out = []
    for finding in result.findings:
        level = "error" if finding.severity is Severity.ERROR else "warning"
        out.append(
            command(
                level,
                finding.message,
                file=result.display_path(finding.path),
                line=finding.line,
                col=finding.column,
                title=f"kb {finding.rule}",
            )
        )
    for outcome in result.golden_failures:
        out.append(
            command(
                "error",
                f"golden query {outcome.query!r}: {outcome.message}",
                file=result.golden_file or "",
                line=outcome.line,
                title="kb golden-query",
            )
        )
    mark = "✖" if result.exit_code else "✔"
    out.append(f"{mark} kb check: {result.summary()}, {result.scope}")
    return "\n".join(out) + "\n"
