"""One value kept on disk under ``.kb/`` with the key it was computed for (marshal).

The history's derived facts (bulk runs, adoption baselines) depend only on the history
tip and a few settings; recomputing them costs a whole-history pass or a ``git log``
walk on every run, so each is stored with its key and reused while the key matches.
A missing, damaged or foreign file means computing again, never a wrong answer.
"""

from __future__ import annotations

import contextlib
import marshal
from collections.abc import Callable
from pathlib import Path
from typing import Any


def cached(path: Path, key: Any, compute: Callable[[], Any]) -> Any:
    """What ``compute()`` returned for ``key`` last time (``path``), else ``compute()``.

    The value must be marshal-able; ``key`` is compared with ``==`` (strings, tuples).
    None (the computation could not tell) is returned but not kept; the file is
    written only where its folder exists (no ``.kb/``: nothing is kept).
    """
    found = load(path, key)
    if found is not None:
        return found
    value = compute()
    if value is not None:
        save(path, key, value)
    return value


def load(path: Path, key: Any) -> Any:
    """The value kept in ``path`` for ``key``; None when there is none (or it is damaged)."""
    try:
        stored = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key:
        return stored[1]
    return None


def save(path: Path, key: Any, value: Any) -> None:
    """Keep ``value`` for ``key`` in ``path``, atomically; nothing when its folder is missing."""
    if not path.parent.is_dir():
        return
    from kbcli.adapters.atomic_file import replace_cache

    with contextlib.suppress(ValueError):  # a value marshal cannot store: not kept
        replace_cache(path, marshal.dumps((key, value)))
