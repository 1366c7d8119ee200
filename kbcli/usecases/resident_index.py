"""The search index kept open by a long-running process (``kb daemon``, ``kb serve``).

A one-shot ``kb search`` pays for the interpreter, its imports, opening the index and
``git status`` on every call. A resident process pays once: it opens the index, syncs
it, and then lets a file watcher (watchfiles, as ``kb serve``) say when anything under
the repo changed. A search finds the index current unless the watcher reported a change
since the last sync; then it syncs first (the same ``sync`` as a one-shot search, git
status included), so it never answers from an index older than the files it saw change.

The workspace (configuration, roster, history caches) is kept while nothing changed
and made again after any change, so a new HEAD, kb.toml or people.yaml is always seen.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.adapters.repo_watch import RepoWatcher

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_index import CardIndex
    from kbcli.workspace import Workspace

# Under .git only these say that what a search shows may differ (HEAD, branches): the
# history behind trust. Object writes and the like are noise.
GIT_SIGNALS = ("HEAD", "refs", "packed-refs")


def watch_filter(root: Path) -> Callable[[Any, str], bool]:
    """Changes that can alter an answer: anything in the repo but kb's own cache and git's
    internals (except its refs)."""
    cache, git = root / ".kb", root / ".git"

    def keep(_change: Any, path: str) -> bool:
        p = Path(path)
        if p == cache or cache in p.parents:
            return False
        if p == git or git in p.parents:
            rel = p.relative_to(git).parts
            return bool(rel) and rel[0] in GIT_SIGNALS
        return True

    return keep


class ResidentIndex:
    """One repo's index, open, with a watcher thread that marks it stale on changes."""

    def __init__(self, make_workspace: Callable[[date | None], Workspace]) -> None:
        """``make_workspace(today)`` builds a fresh workspace (None: today's date)."""
        self._make = make_workspace
        self._lock = threading.Lock()
        self._stale = True
        self._workspaces: dict[date | None, Workspace] = {}
        self._index: CardIndex | None = None
        self.root = make_workspace(None).root.resolve()
        self._watcher = RepoWatcher(
            self.root, watch_filter(self.root), self._changed, debounce=100, step=10
        )

    def start(self) -> None:
        """Watch the repo in a background thread, open and sync the index and read the
        history behind trust now, and return once the watches are in place."""
        from kbcli.usecases import semantic
        from kbcli.usecases.verdict_cache import warm

        # Watching first: a card saved while the index syncs marks it stale again.
        self._watcher.start()
        workspace, index = self.current(None)
        warm(workspace)  # so the first answer judges its hits in milliseconds
        if semantic.in_use(workspace):  # and has the model and the vector rows loaded
            from kbcli.adapters.embedder import Unavailable

            # Two queries: from its second a process scores with numpy (imported then).
            with contextlib.suppress(Unavailable):  # (a search says so itself)
                for text in ("warm", "warm up"):
                    semantic.dense_ranking(workspace, index, text, 1)
        # Answer only once the watcher sees changes: a card saved before that was missed
        # for good (1 start in 3 under a test's timing).
        if not self._watcher.wait_ready():
            self.invalidate()

    def stop(self) -> None:
        self._watcher.stop()

    def invalidate(self) -> None:
        """Sync (and make a new workspace) before the next answer: this process itself
        just wrote to the repo, and must not wait for the watcher to say so."""
        with self._lock:
            self._stale = True

    def current(self, today: date | None) -> tuple[Workspace, CardIndex]:
        """The workspace for ``today`` and the index, synced if anything changed since."""
        from kbcli.usecases.search import open_index, sync

        with self._lock:
            stale, self._stale = self._stale, False
            if stale:
                self._workspaces.clear()
            workspace = self._workspaces.get(today)
            if workspace is None:
                workspace = self._workspaces[today] = self._make(today)
            if self._index is None:
                self._index = open_index(workspace, resident=True)
                stale = True
            if stale:
                sync(workspace, index=self._index, wait=5.0)
            elif workspace.memo.head is None:
                # A workspace made since the last sync (another day's): HEAD as that sync
                # saw it, as a one-shot search has it before git status answers, so that
                # hits' verdicts come from the verdict cache instead of being judged again.
                workspace.memo.expected_head = self._index.manifest.head or None
            return workspace, self._index

    def _changed(self, _paths: set[str]) -> None:
        with self._lock:
            self._stale = True
