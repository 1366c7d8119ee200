"""The run context every command receives: global options, then a lazily built Workspace.

Like zk's container, this is the one place that turns options into a configured
workspace; commands never read kb.toml or the environment themselves.
"""

from __future__ import annotations

import os
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.workspace import Workspace


# The argv of the running ``kb`` (set by ``app.run``): click drops the ``--`` that ends
# options, and a command that lets unknown options through as words (search) needs to
# know which of its words came after it.
ARGV: ContextVar[tuple[str, ...]] = ContextVar("kb_argv", default=())


class RunContext:
    def __init__(
        self,
        kb_dir: str | None = None,
        today_text: str | None = None,
        overrides: dict[str, Any] | None = None,
        resident: Workspace | None = None,
    ) -> None:
        self.kb_dir = kb_dir
        self.today_text = today_text
        self.overrides: dict[str, Any] = {} if overrides is None else overrides
        # A workspace built elsewhere (kb daemon keeps one per checkout between requests).
        self.resident = resident

    @cached_property
    def today(self) -> date:
        """The UTC calendar day that trust is judged on (``--today`` for what-ifs and tests)."""
        if not self.today_text:
            return datetime.now(UTC).date()
        try:
            return date.fromisoformat(self.today_text)
        except ValueError:
            raise KbError(
                f"--today {self.today_text!r} is not an ISO date such as 2026-01-31"
            ) from None

    @cached_property
    def workspace(self) -> Workspace:
        if self.resident is not None:
            return self.resident
        from kbcli.cli.output import warn
        from kbcli.config import find_root, load_config
        from kbcli.workspace import Workspace

        try:
            cwd = Path.cwd()
        except FileNotFoundError:
            raise KbError(
                "the current folder no longer exists: cd into your knowledge repo"
            ) from None
        root = find_root(cwd, self.kb_dir)
        config = load_config(root, os.environ, self.overrides)
        for warning in config.warnings:
            warn(warning)
        return Workspace(config=config, today=self.today, cwd=cwd)
