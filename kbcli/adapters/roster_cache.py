"""people.yaml, parsed once per version of its text: YAML costs more than a whole search.

Importing PyYAML and parsing the roster takes longer than ``kb search`` itself in a
big repo, and every command loads the roster to validate the configuration. The
parsed roster is kept in ``.kb/people.json`` next to the exact text it came from;
it is used only when people.yaml still has that very text, so an edit is always
parsed again and its problems reported as before. A roster with problems, or with
values JSON cannot hold exactly, is never cached.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kbcli.adapters.yaml_text import YamlProblem

CACHE_FILE = "people.json"


def load_roster_yaml(text: str, cache_dir: Path) -> tuple[Any, YamlProblem | None]:
    """``yaml_text.load_yaml(text)``, answered from the cache when ``text`` is unchanged."""
    cache = cache_dir / CACHE_FILE
    cached = _read(cache)
    if cached is not None and cached.get("text") == text and "data" in cached:
        return cached["data"], None
    from kbcli.adapters.yaml_text import ROSTER_LIMITS, load_yaml

    data, problem = load_yaml(text, ROSTER_LIMITS)
    if problem is None and cache_dir.is_dir() and _survives_json(data):
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
