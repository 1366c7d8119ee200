"""How a long use case reports progress without printing anything itself.

A use case takes a ``Progress`` callable and calls it with a label, how many items are
done and how many there are; the command line turns the calls into one bar on stderr
(``kbcli.cli.progress``), tests and other callers pass ``no_progress``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

_T = TypeVar("_T")

Progress = Callable[[str, int, int], None]
"""``progress(label, done, total)``: called now and then while a step runs, and at its end."""


def no_progress(label: str, done: int, total: int) -> None:
    """The progress callable that shows nothing."""


def tracked(items: Sequence[_T], progress: Progress, label: str, every: int = 64) -> Iterator[_T]:
    """Yield ``items`` and report every ``every``-th one (a call per item costs too much
    on 100,000 cards) and the end of the step."""
    total = len(items)
    for index, item in enumerate(items):
        if index % every == 0:
            progress(label, index, total)
        yield item
    progress(label, total, total)
