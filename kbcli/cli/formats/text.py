"""The text format: findings grouped by card, like ESLint's "stylish", for people."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kbcli.core.findings import Finding
from kbcli.core.gate import CheckResult
from kbcli.core.plain_line import display_title
from kbcli.core.rules import Severity

if TYPE_CHECKING:
    from rich.console import Console

_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow"}


def lines(result: CheckResult, *, markup: bool, quiet: bool = False) -> list[str]:
    """The report as lines; with ``markup`` they carry rich colour markup; ``quiet``
    keeps the findings only (like ruff's -q), for scripts and pre-commit output."""
    from rich.markup import escape

    def paint(text: str, style: str) -> str:
        return f"[{style}]{escape(text)}[/]" if markup else text

    def plain(text: str) -> str:
        return escape(text) if markup else text

    out: list[str] = []
    for path, findings in result.by_card().items():
        title = display_title(findings[0].title)
        heading = paint(path, "bold underline") + (f"  {paint(title, 'dim')}" if title else "")
        out.append(heading)
        width = max(len(_where(f)) for f in findings)
        for finding in findings:
            level = finding.severity.value
            out.append(
                f"  {_where(finding).ljust(width)}  "
                f"{paint(level.ljust(7), _STYLE.get(finding.severity, 'dim'))}  "
                f"{plain(finding.message)}  {paint(finding.rule, 'dim')}"
            )
        out.append("")
    if result.golden:
        out.append(paint(f"golden queries ({result.golden_file})", "bold underline"))
        for outcome in result.golden:
            mark = paint("pass", "green") if outcome.passed else paint("FAIL", "red")
            out.append(f"  {mark}  {plain(outcome.query)}  {paint(outcome.message, 'dim')}")
        out.append("")
    if quiet:
        return out
    for note in result.notes:
        out.append(paint(note, "dim"))
    mark = paint("✖", "bold red") if result.exit_code else paint("✔", "bold green")
    strict = " (strict: warnings count as errors)" if result.strict else ""
    out.append(
        f"{mark} {plain(result.summary())}, {plain(result.scope)}{strict} "
        f"{paint(f'({result.seconds:.2f}s)', 'dim')}"
    )
    return out


def _where(finding: Finding) -> str:
    return f"{finding.line}:{finding.column}"


def render(result: CheckResult, *, quiet: bool = False) -> str:
    text = "\n".join(lines(result, markup=False, quiet=quiet))
    return text + "\n" if text else ""


def show(result: CheckResult, console: Console, *, quiet: bool = False) -> None:
    """Print on ``console``: coloured on a terminal, plain (and fast) otherwise."""
    if console.is_terminal and not console.no_color:
        text = "\n".join(lines(result, markup=True, quiet=quiet))
        if text:
            console.print(text, soft_wrap=True, highlight=False)
    else:
        console.file.write(render(result, quiet=quiet))
