"""Find and match the repository's CODEOWNERS file (gitignore-style patterns via pathspec)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kbcli.core.codeowners import LOCATIONS, OwnerRule, parse_codeowners


@dataclass(frozen=True)
class CodeOwners:
    """The rules of one CODEOWNERS file; ``file`` is its path relative to the git top level."""

    file: str
    rules: list[OwnerRule]
    matchers: Sequence[Callable[[str], bool]]

    def rule_for(self, git_path: str) -> OwnerRule | None:
        """The last rule whose pattern matches ``git_path`` (the one GitHub and GitLab use)."""
        for rule, matches in zip(reversed(self.rules), reversed(self.matchers), strict=True):
            if matches(git_path):
                return rule
        return None


def load_codeowners(top: Path) -> CodeOwners | None:
    """The first CODEOWNERS file in the places GitHub and GitLab look, or None."""
    import pathspec

    for location in LOCATIONS:
        path = top / location
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        rules = parse_codeowners(text)
        matchers = [pathspec.GitIgnoreSpec.from_lines([rule.pattern]).match_file for rule in rules]
        return CodeOwners(location, rules, matchers)
    return None
