"""The bulk runs of a history, kept on disk between runs (``.kb/bulk.pickle``).

Finding bulk re-stamps means reading every card's history (every stamp of every
person); that is what makes it the one expensive provenance rule. ``kb search`` judges
only its hits but still needs the runs, so they are kept next to the history cache,
keyed by everything they depend on (history tip, roster identities, window and
threshold); any change recomputes them.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

FILE = "bulk.pickle"
VERSION = 1


def cached(cache_dir: Path, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, or what it returned for ``key`` last time (a damaged file is ignored)."""
    path = cache_dir / FILE
    try:
        with path.open("rb") as handle:
            stored = pickle.load(handle)
        if isinstance(stored, dict) and stored.get("key") == (VERSION, key):
            return stored["value"]
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        pass
    value = compute()
    if cache_dir.is_dir():
        tmp = path.with_name(f"{FILE}.{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as handle:
                pickle.dump({"key": (VERSION, key), "value": value}, handle, protocol=5)
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
    return value
