"""The result of a ``kb check`` run: graded findings, what was checked, the exit code.

Every output format (text, json, github, junit, sarif, gitlab, the step summary)
renders this one value, so they always agree on counts and on the exit code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter

from kbcli.core.counted import counted
from kbcli.core.findings import Finding
from kbcli.core.rules import Severity

EXIT_OK = 0
EXIT_ERRORS = 1


@dataclass(frozen=True)
class GoldenOutcome:
    """One golden query: did the expected card come back within ``top_k``?"""

    query: str
    expect: str
    top_k: int
    rank: int | None  # 1-based rank of the expected card; None when not found
    passed: bool
    message: str
    line: int = 1


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    cards: tuple[str, ...]  # the card paths that were checked, sorted
    strict: bool = False
    scope: str = "all cards"  # what was checked, in words ("cards changed since main")
    seconds: float = 0.0
    golden: tuple[GoldenOutcome, ...] = ()
    golden_file: str | None = None
    path_prefix: str = ""  # the knowledge repo's folder inside the git repo ("" or "kb/")
    notes: tuple[str, ...] = field(default_factory=tuple)
    # What the person running kb should hear on stderr (a shallow clone, checks that
    # could not run); the command line prints them, no output format carries them.
    notices: tuple[str, ...] = ()

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    @cached_property
    def _levels(self) -> Counter[Severity]:
        """How many findings of each severity (every output asks for the exit code)."""
        return Counter(f.severity for f in self.findings)

    @cached_property
    def _grouped(self) -> dict[str, list[Finding]]:
        grouped: dict[str, list[Finding]] = {}
        for finding in sorted(self.findings, key=_order):
            grouped.setdefault(finding.path, []).append(finding)
        return grouped

    @property
    def golden_failures(self) -> list[GoldenOutcome]:
        return [g for g in self.golden if not g.passed]

    @property
    def exit_code(self) -> int:
        """0 when nothing is an error (warnings allowed), 1 otherwise."""
        failed = self._levels[Severity.ERROR] or self.golden_failures
        return EXIT_ERRORS if failed else EXIT_OK

    def by_card(self) -> dict[str, list[Finding]]:
        """Findings grouped by card path, cards in path order, findings by line (grouped
        once per result: the outputs ask again)."""
        return {path: list(found) for path, found in self._grouped.items()}

    @property
    def cards_with_findings(self) -> int:
        return len(self._grouped)

    def rule_counts(self) -> list[tuple[str, Severity, int]]:
        """(rule, severity, count), most frequent first."""
        counts = Counter((f.rule, f.severity) for f in self.findings)
        return [(rule, level, n) for (rule, level), n in counts.most_common()]

    def display_path(self, path: str) -> str:
        """The path as CI tools want it: relative to the git repository root."""
        return self.path_prefix + path

    def summary(self) -> str:
        """``2 errors and 1 warning in 3 of 50 cards`` (plus golden queries when run)."""
        parts = [
            f"{counted(self._levels[Severity.ERROR], 'error')} and "
            f"{counted(self._levels[Severity.WARNING], 'warning')}",
            f"in {self.cards_with_findings} of {counted(len(self.cards), 'card')}",
        ]
        text = " ".join(parts)
        if self.golden:
            failed = len(self.golden_failures)
            text += f"; {failed} of {counted(len(self.golden), 'golden query', 'golden queries')}"
            text += " failed"
        return text


# (path, line, column, rule): a key made in C, for 200,000 findings.
_order = attrgetter("path", "line", "column", "rule")


def sort_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=_order))
