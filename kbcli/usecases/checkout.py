"""A knowledge repo checkout that a long-running app (``kb slack``) keeps current.

Searches read one Workspace; when HEAD moves (a pull, a commit made by the app), or
the day changes, the next request gets a fresh one, so cached cards, verdicts and
trust never go stale. Git errors while pulling are reported, never fatal.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from kbcli.errors import KbError
from kbcli.workspace import Workspace


def utc_today() -> date:
    return datetime.now(UTC).date()


class Checkout:
    """One knowledge repo checkout, its current Workspace, and a lock for writes."""

    def __init__(
        self,
        root: Path,
        *,
        today: Callable[[], date] = utc_today,
        pull_every: float = 60.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self.root = root
        self.today = today
        self.pull_every = pull_every
        self.env = dict(os.environ if env is None else env)
        self.lock = threading.RLock()  # one writer (and reloader) at a time
        self._workspace: Workspace | None = None
        self._key: tuple[str, date] | None = None
        self._last_pull = 0.0

    def workspace(self) -> Workspace:
        """The Workspace for the checkout as it is now (reloaded when HEAD or the day moved)."""
        from kbcli.adapters.git_checkout import head

        key = (head(self.root), self.today())
        with self.lock:
            if self._workspace is None or key != self._key:
                workspace = self._load(self.root, key[1])
                self._sync(workspace)
                self._workspace, self._key = workspace, key
            return self._workspace

    def _sync(self, workspace: Workspace) -> None:
        """Bring the search index to this HEAD once, so answers can skip the freshness
        check (a ``git status`` of the whole tree: 150-200 ms of the 250 ms an answer took
        on the tldr corpus). Nobody edits the app's checkout by hand; what the app writes
        itself moves HEAD."""
        from kbcli.usecases.search import sync

        sync(workspace)

    def _load(self, root: Path, today: date) -> Workspace:
        from kbcli.config import load_config

        return Workspace(config=load_config(root, self.env), today=today, cwd=root)

    def refresh(self, *, force: bool = False) -> str | None:
        """Pull (fast-forward only) when the interval has passed; the error text, if any."""
        from kbcli.adapters.git_checkout import pull

        now = time.monotonic()
        if not force and now - self._last_pull < self.pull_every:
            return None
        with self.lock:
            self._last_pull = now
            try:
                pull(self.root)
            except KbError as error:
                return str(error)
        return None

    def before_write(self) -> Workspace:
        """Pull first (a write must start from what the team has), then the Workspace;
        raises KbError when the pull fails."""
        from kbcli.adapters.git_checkout import pull

        with self.lock:
            pull(self.root)
            self._last_pull = time.monotonic()
            return self.workspace()

    def push(self, branch: str) -> str | None:
        from kbcli.adapters.git_checkout import push

        return push(self.root, branch)

    def publish(self) -> str | None:
        """Push the checkout's own branch (after a commit the app made on it) when it
        tracks a remote; the remote's name, or None."""
        from kbcli.adapters.git_checkout import git, upstream

        remote = upstream(self.root)
        if remote:
            git(self.root, "push", "--quiet")
        return remote

    def branch(self) -> str | None:
        from kbcli.adapters.git_checkout import current_branch

        return current_branch(self.root)
