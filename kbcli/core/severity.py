"""Rule severities: which findings fail a build, which only warn, which are off.

One pure function of the registry defaults, kb.toml and the day, shared by
``kb check`` and ``kb report`` so that both agree on what an error is:

1. the rule's default severity (``rules.RULES``);
2. ``[check.rules]`` in kb.toml (``expired = "warning"``);
3. ``[folders.PATH.rules]``, from the shortest matching folder to the longest, so
   the most specific folder wins for each rule it names;
4. the grace window (``[check] grace = "7d"``): an expired card whose rule is an
   error is only a warning for that long after it expired;
5. ``--strict``: every remaining warning becomes an error.

"off" at any level drops the finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from kbcli.core.durations import Duration
from kbcli.core.findings import Finding
from kbcli.core.rules import EXPIRED, RULES, Severity


@dataclass(frozen=True)
class RulePolicy:
    """Severities from kb.toml; ``severity`` and ``grade`` apply them to findings."""

    rules: Mapping[str, str] = field(default_factory=dict)
    folders: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    grace: Duration | None = None
    strict: bool = False

    # (rule, the card's folder) -> severity: asked for every finding (225,000 on the
    # 100,000-card benchmark repo), answered once per rule and folder.
    _memo: dict[tuple[str, str], Severity] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def configured(self, rule: str, path: str) -> Severity:
        """The severity kb.toml gives ``rule`` for the card at ``path`` (no grace, no strict)."""
        key = (rule, path.rpartition("/")[0])
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._configured(rule, path)
        return found

    def _configured(self, rule: str, path: str) -> Severity:
        known = RULES.get(rule)
        level = str(known.severity) if known else str(Severity.ERROR)
        level = self.rules.get(rule, level)
        for folder in sorted(self.folders, key=len):
            prefix = folder.strip("/")
            if rule in self.folders[folder] and (
                prefix in ("", ".") or path.startswith(prefix + "/")
            ):
                level = self.folders[folder][rule]
        return Severity(level)

    def in_grace(self, expired_on: date | None, today: date) -> bool:
        """Whether a card that expired on ``expired_on`` is still within the grace window."""
        if self.grace is None or self.grace.is_never or expired_on is None:
            return False
        return today < self.grace.after(expired_on)

    def grade(
        self, finding: Finding, *, today: date, expired_on: date | None = None
    ) -> Finding | None:
        """``finding`` with its effective severity (message noting a grace); None when off."""
        level = self.configured(finding.rule, finding.path)
        if level is Severity.OFF:
            return None
        message = finding.message
        if (
            finding.rule == EXPIRED
            and level is Severity.ERROR
            and expired_on is not None
            and self.in_grace(expired_on, today)
        ):
            assert self.grace is not None
            level = Severity.WARNING
            fails_on = self.grace.after(expired_on).isoformat()
            message += f" (within the {self.grace} grace period: fails the check from {fails_on})"
        if self.strict and level is Severity.WARNING:
            level = Severity.ERROR
        if level == finding.severity and message == finding.message:
            return finding
        return finding._replace(severity=level, message=message)

    def unknown_rules(self) -> list[str]:
        """kb.toml entries naming no registered rule, each with a suggestion when close."""
        named: dict[str, str] = {rule: "[check.rules]" for rule in self.rules}
        for folder, rules in self.folders.items():
            for rule in rules:
                named.setdefault(rule, f"[folders.{folder}.rules]")
        problems = []
        for rule, where in sorted(named.items()):
            if rule in RULES:
                continue
            import difflib  # only for a misspelt rule name

            close = difflib.get_close_matches(rule, list(RULES), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            problems.append(f"kb.toml {where}: no rule is called '{rule}'{hint}")
        return problems


def effective(
    findings: Iterable[Finding], policy: RulePolicy, today: date, expiries: Mapping[str, date]
) -> list[Finding]:
    """Grade every finding (``expiries``: card path -> day its verification expired)."""
    graded = []
    for finding in findings:
        result = policy.grade(finding, today=today, expired_on=expiries.get(finding.path))
        if result is not None:
            graded.append(result)
    return graded
