"""The usage log: every search from every surface, appended to ``.kb/usage/``.

Stable API for every surface that searches (the CLI, the Slack app, the MCP server)::

    log_search(workspace, query, surface, result_paths, user=None) -> None
    read_searches(workspace) -> Searches          # what kb report --gaps/--used read
    gaps(workspace, limit=20) -> list[Gap]
    used(workspace, limit=20) -> list[Use]

One JSON object a line in ``.kb/usage/searches-YYYY-MM.jsonl`` (a file a month, so
old months can be deleted by hand). Each record is written by a single ``O_APPEND``
write under 4 KiB, so concurrent writers never interleave and a line is never
rewritten. The user is kept only when kb.toml says ``[usage] log_users = true``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kbcli.core.usage import Gap, SearchEvent, Use, from_line, to_line
from kbcli.core.usage import gaps as count_gaps
from kbcli.core.usage import uses as count_uses

if TYPE_CHECKING:
    from pathlib import Path

    from kbcli.workspace import Workspace

USAGE_DIR = "usage"
PREFIX = "searches-"


@dataclass
class Searches:
    """The logged searches, and how many lines could not be read (a damaged log)."""

    events: list[SearchEvent] = field(default_factory=list)
    damaged: int = 0

    @property
    def warnings(self) -> list[str]:
        if not self.damaged:
            return []
        return [f"{self.damaged} line(s) of the usage log could not be read and were skipped"]


def usage_dir(workspace: Workspace) -> Path:
    return workspace.config.cache_dir / USAGE_DIR


def log_search(
    workspace: Workspace,
    query: str,
    surface: str,
    result_paths: list[str],
    user: str | None = None,
) -> None:
    """Append one search to the log. Never raises for I/O: a full disk must not cost an answer.

    ``user`` is recorded only when the knowledge repo opted in (``[usage] log_users``).
    """
    now = datetime.now(UTC)
    event = SearchEvent(
        at=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        surface=surface,
        query=query,
        results=tuple(result_paths),
        user=user if workspace.config.usage.log_users else None,
    )
    folder = usage_dir(workspace)
    data = to_line(event).encode("utf-8")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(
            folder / f"{PREFIX}{now:%Y-%m}.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644
        )
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    except OSError:
        return


def read_searches(workspace: Workspace) -> Searches:
    """Every logged search, oldest file first; damaged lines are counted, not fatal."""
    found = Searches()
    folder = usage_dir(workspace)
    try:
        names = sorted(n for n in os.listdir(folder) if n.startswith(PREFIX))
    except OSError:
        return found
    for name in names:
        try:
            text = (folder / name).read_text(encoding="utf-8", errors="replace")
        except OSError:
            found.damaged += 1
            continue
        for line in text.splitlines():
            if not line.strip():
                continue
            event = from_line(line)
            if event is None:
                found.damaged += 1
            else:
                found.events.append(event)
    return found


def gaps(workspace: Workspace, limit: int = 20) -> tuple[list[Gap], list[str]]:
    """The most frequent questions that found nothing (``kb report --gaps``), and warnings."""
    searches = read_searches(workspace)
    return count_gaps(searches.events, limit), searches.warnings


def used(workspace: Workspace, limit: int = 20) -> tuple[list[Use], list[str]]:
    """The cards searches led to most often (``kb report --used``), and warnings."""
    searches = read_searches(workspace)
    return count_uses(searches.events, limit), searches.warnings
