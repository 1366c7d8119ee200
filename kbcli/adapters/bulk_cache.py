"""The bulk runs of a history, kept on disk between runs (``.kb/bulk.marshal``).

Finding bulk re-stamps means reading every card's history (every stamp of every
person, deleted cards included): the one provenance rule that needs the whole history.
``kb search`` judges only its hits but still needs the runs, and ``kb report`` would
pay for them on every run, so they are kept next to the history cache, keyed by what
they depend on (history tip, roster identities, window and threshold); any change
recomputes them. marshal, not pickle: 100,000 entries load in milliseconds (pickle of
the dataclasses took 2 s, measured on the 100k benchmark repo).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from kbcli.core.stamps import BulkRun

FILE = "bulk.marshal"
VERSION = 1
Runs = dict[tuple[int, str], BulkRun]


def cached(cache_dir: Path, key: str, compute: Callable[[], Runs]) -> Runs:
    """``compute()``, or what it returned for ``key`` last time (a damaged file is ignored)."""
    from kbcli.adapters.keyed_cache import cached as stored

    try:
        return _decode(*stored(cache_dir / FILE, (VERSION, key), lambda: _encode(compute())))
    except (TypeError, ValueError, IndexError):  # the right key, a damaged value
        return compute()


def _encode(runs: Runs) -> tuple[list[tuple[str, int, int, int, int]], list[tuple[int, str, int]]]:
    ids: dict[int, int] = {}
    table: list[tuple[str, int, int, int, int]] = []
    entries = []
    for (seq, path), run in runs.items():
        index = ids.get(id(run))
        if index is None:
            index = ids[id(run)] = len(table)
            table.append(
                (run.person, run.cards, run.commits, run.first.toordinal(), run.last.toordinal())
            )
        entries.append((seq, path, index))
    return table, entries


def _decode(
    table: list[tuple[str, int, int, int, int]], entries: list[tuple[int, str, int]]
) -> Runs:
    runs = [
        BulkRun(person, cards, commits, date.fromordinal(first), date.fromordinal(last))
        for person, cards, commits, first, last in table
    ]
    return {(seq, path): runs[index] for seq, path, index in entries}
