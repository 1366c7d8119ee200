"""A progress bar on stderr for long interactive runs: silent for the first second."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

_T = TypeVar("_T")


def _progress_after() -> float:
    """Seconds before the bar appears (KB_PROGRESS_AFTER overrides it, for tests)."""
    try:
        return float(os.environ.get("KB_PROGRESS_AFTER") or 1.0)
    except ValueError:
        return 1.0


class Progress:
    """A progress bar on stderr that appears only once a run has lasted a second."""

    def __init__(self, enabled: bool, started: float) -> None:
        self.enabled = enabled
        self.started = started
        self.after = _progress_after()
        self._bar: Any = None

    def track(self, items: Sequence[_T], label: str) -> Iterator[_T]:
        if not self.enabled:
            yield from items
            return
        task = None
        for index, item in enumerate(items):
            if task is None and time.perf_counter() - self.started > self.after:
                task = self._start(label, len(items), index)
            elif task is not None and index % 200 == 0:
                self._update(task, index)
            yield item
        if task is not None:
            self._update(task, len(items))

    def _start(self, label: str, total: int, done: int) -> object:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        from kbcli.cli.output import err_console

        if self._bar is None:
            bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console(),
                transient=True,
            )
            bar.start()
            self._bar = bar
        return self._bar.add_task(label, total=total, completed=done)

    def _update(self, task: object, done: int) -> None:
        self._bar.update(task, completed=done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
