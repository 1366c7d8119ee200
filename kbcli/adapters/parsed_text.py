"""A parsed file kept in ``.kb/`` next to the exact text it came from.

Parsing some small files costs more than the command that reads them: importing PyYAML
for people.yaml, or tomllib for kb.toml (its regular expressions are compiled at import:
~9% of a one-shot ``kb search``'s instructions). The parsed value is kept as JSON with
the text it came from, and used only when the file still has that very text, so an edit
is always parsed again and its problems reported as before. A text with problems, or a
value JSON cannot hold exactly (a date, a non-string key), is never cached.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable


def load(text: str, cache: Path, parse: Callable[[str], tuple[Any, Any]]) -> tuple[Any, Any]:
    """``parse(text)`` -> (value, problem), answered from ``cache`` when ``text`` is the text
    it was made from; a value parsed without problem is cached (if ``cache``'s folder exists)."""
    cached = _read(cache)
    if cached is not None and cached.get("text") == text and "data" in cached:
        return cached["data"], None
    data, problem = parse(text)
    if problem is None and cache.parent.is_dir() and _survives_json(data):
        _write(cache, {"text": text, "data": data})
    return data, problem


def _read(cache: Path) -> dict[str, Any] | None:
    try:
        found = json.loads(cache.read_bytes())
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _survives_json(data: Any) -> bool:
    """True when JSON gives back exactly ``data`` (same keys, values and types)."""
    try:
        again = json.loads(json.dumps(data, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError):
        return False
    return _same(data, again)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _write(cache: Path, content: dict[str, Any]) -> None:
    """Best effort: a cache that cannot be written is simply not there next time."""
    from kbcli.adapters.atomic_file import replace_cache

    replace_cache(cache, json.dumps(content, ensure_ascii=False).encode("utf-8"))
