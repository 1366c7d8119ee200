"""The one progress bar of kb: on stderr, for long interactive runs, silent at first.

Use cases report progress through a ``kbcli.core.progress.Progress`` callable; a
``ProgressBar`` is that callable for the terminal. It stays invisible for the first
second (``KB_PROGRESS_AFTER`` seconds; tests set 0), so quick runs print nothing, and
never draws when stderr is not a terminal, so machine output stays clean.
"""

from __future__ import annotations

import os
import time
from typing import Any


def _progress_after() -> float:
    """Seconds before the bar appears (KB_PROGRESS_AFTER overrides it, for tests)."""
    try:
        return float(os.environ.get("KB_PROGRESS_AFTER") or 1.0)
    except ValueError:
        return 1.0


def interactive() -> bool:
    """Whether a person watches stderr (a terminal, and not a CI job)."""
    import sys

    return sys.stderr.isatty() and os.environ.get("CI", "") in ("", "0", "false")


class ProgressBar:
    """``progress(label, done, total)`` drawn as a transient rich bar, one row per label."""

    def __init__(self, enabled: bool = True, started: float | None = None) -> None:
        self.enabled = enabled
        self.started = time.perf_counter() if started is None else started
        self.after = _progress_after()
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __call__(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        task = self._tasks.get(label)
        if task is None:
            if time.perf_counter() - self.started < self.after or done >= total:
                return
            task = self._start(label, total, done)
            if task is None:
                return
        self._bar.update(task, completed=done, total=total)

    def _start(self, label: str, total: int, done: int) -> Any:
        if self._bar is None:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            from kbcli.cli.output import err_console

            out = err_console()
            if not out.is_terminal:
                self.enabled = False
                return None
            self._bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=out,
                transient=True,
            )
            self._bar.start()
        task = self._bar.add_task(label, total=total, completed=done)
        self._tasks[label] = task
        return task

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
            self._tasks.clear()
