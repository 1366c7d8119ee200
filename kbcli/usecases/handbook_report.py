"""What one handbook build reports: counts, broken links, warnings, step timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kbcli.core.cards import Audience


@dataclass(frozen=True)
class BrokenLink:
    path: str
    line: int
    ref: str

    def at(self) -> str:
        return f"{self.path}:{self.line}: broken link '{self.ref}'"


@dataclass
class BuildReport:
    out: Path
    audience: Audience
    cards: int = 0
    pages: int = 0
    written: int = 0
    bodies_rendered: int = 0
    removed: int = 0
    searched: bool = False
    broken: list[BrokenLink] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
