"""watchfiles, as kb's long-running processes use it (``kb daemon``, ``kb serve``, the MCP
server): a thread that watches a repo and hands on each batch of changed paths.

watchfiles gives no sign that its watches are in place, and a file saved before then sends
no event: a process that says it is ready too early misses that save for good. The thread
wakes every ``WATCH_TICK_MS`` when nothing changes, and its first wake-up says the watches
are in place; ``wait_ready`` waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

# How often the watcher thread wakes when nothing changes. It also bounds how long a
# starting process waits (``wait_ready``) before it answers or announces itself.
WATCH_TICK_MS = 500


class RepoWatcher:
    """Watches ``root`` from ``start()`` until ``stop()``; ``on_change`` gets the absolute
    paths of each batch of changes that ``keep`` lets through (called in the thread)."""

    def __init__(
        self,
        root: Path,
        keep: Callable[[Any, str], bool],
        on_change: Callable[[set[str]], None],
        *,
        debounce: int,
        step: int = 50,
        stop: threading.Event | None = None,
    ) -> None:
        self.root, self._keep, self._on_change = root, keep, on_change
        self._debounce, self._step = debounce, step
        self._stop = stop or threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        import watchfiles  # noqa: F401  (imported here, so that the thread starts watching at once)

        self._thread = threading.Thread(target=self._watch, name="kb-watch", daemon=True)
        self._thread.start()

    def wait_ready(self) -> bool:
        """Wait until every change from now on is seen (at most ten ticks); False if the
        watches are still not in place, or the watcher stopped."""
        return self._ready.wait(timeout=10 * WATCH_TICK_MS / 1000) and self.running

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _watch(self) -> None:
        import watchfiles

        try:
            for changes in watchfiles.watch(
                self.root,
                watch_filter=self._keep,
                stop_event=self._stop,
                debounce=self._debounce,
                step=self._step,
                rust_timeout=WATCH_TICK_MS,
                yield_on_timeout=True,
                raise_interrupt=False,
            ):
                self._ready.set()
                if changes:
                    self._on_change({path for _change, path in changes})
        finally:
            self._ready.set()  # nobody waits for a watcher that stopped
