"""CODEOWNERS files, GitHub and GitLab syntax, read into rules (matching is the adapter's).

Both hosts use gitignore-style patterns, one rule per line, and the last matching rule
wins. GitLab adds sections: ``[Docs] @docs-team`` opens a section whose rules without
owners take the section's default owners (``^[Optional]`` and ``[Name][2]`` approval
counts are accepted and ignored). A GitHub rule with no owners un-owns the paths it
matches; kb keeps that as a rule with no owners so "last match wins" stays true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Where GitHub and GitLab look, in the order they look.
LOCATIONS = ("CODEOWNERS", ".github/CODEOWNERS", ".gitlab/CODEOWNERS", "docs/CODEOWNERS")

_SECTION = re.compile(r"^\^?\[(?P<name>[^\]]+)\](?:\[\d+\])?(?P<owners>(?:\s+\S+)*)\s*$")


@dataclass(frozen=True)
class OwnerRule:
    """One CODEOWNERS line: a pattern, its owners as written, and where it is."""

    pattern: str
    owners: tuple[str, ...]
    line: int
    section: str = ""


def parse_codeowners(text: str) -> list[OwnerRule]:
    """Every rule of a CODEOWNERS file, in file order (comments and blank lines dropped)."""
    rules: list[OwnerRule] = []
    section, defaults = "", ()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw).strip()
        if not line:
            continue
        header = _SECTION.match(line)
        if header and not line.startswith("\\["):
            section = header["name"]
            defaults = tuple(header["owners"].split())
            continue
        pattern, owners = _split_rule(line)
        rules.append(OwnerRule(pattern, owners or defaults, number, section))
    return rules


def _strip_comment(line: str) -> str:
    """Drop a ``#`` comment; ``\\#`` is a literal hash in a pattern."""
    out = []
    escaped = False
    for ch in line:
        if ch == "#" and not escaped:
            break
        escaped = ch == "\\" and not escaped
        out.append(ch)
    return "".join(out)


def _split_rule(line: str) -> tuple[str, tuple[str, ...]]:
    """``docs/\\ guides/ @ana`` -> ``("docs/ guides/", ("@ana",))``: ``\\ `` escapes a space."""
    parts = re.split(r"(?<!\\)\s+", line)
    pattern = parts[0].replace("\\ ", " ")
    return pattern, tuple(parts[1:])


def owner_handle(owner: str) -> tuple[str, str | None]:
    """A CODEOWNERS owner as ``(handle, email)``.

    ``@ana`` -> ``("ana", None)``; ``@acme/docs-team`` -> ``("docs-team", None)`` (the
    org is dropped: kb teams are roster team names); ``ana@acme.com`` -> ``("ana",
    "ana@acme.com")``.
    """
    if owner.startswith("@"):
        return owner[1:].rpartition("/")[2], None
    if "@" in owner:
        return owner.partition("@")[0], owner
    return owner, None
