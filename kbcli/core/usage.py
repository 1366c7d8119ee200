"""What people searched for: knowledge gaps (searches that found nothing) and card reuse.

Pure: the usage log's lines are read by ``kbcli.usecases.usage``; here they are
parsed and counted. A KCS team works its gaps list most-frequent first, and a card
that searches keep leading to is worth keeping verified.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Caps that keep one record under the 4 KiB that POSIX guarantees one O_APPEND write
# to land whole, so records of concurrent writers (the Slack app, the MCP server,
# the CLI) never interleave.
MAX_QUERY_CHARS = 500
MAX_RESULTS = 10
MAX_FIELD_CHARS = 200


@dataclass(frozen=True)
class SearchEvent:
    """One search: when (ISO UTC), where from, what was asked, the cards it showed."""

    at: str
    surface: str
    query: str
    results: tuple[str, ...] = ()
    user: str | None = None

    @property
    def found(self) -> bool:
        return bool(self.results)


@dataclass(frozen=True)
class Gap:
    """A question that searches keep failing to answer."""

    query: str
    count: int
    last_at: str
    surfaces: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Use:
    """How often searches led to one card."""

    path: str
    count: int
    last_at: str


def normalise_query(text: str) -> str:
    """The key that counts "Refund  duplicate" and "refund duplicate" as one question."""
    return " ".join(text.split()).casefold()


def to_record(event: SearchEvent) -> dict[str, Any]:
    """The JSON object of one log line (``user`` only when there is one to keep)."""
    record: dict[str, Any] = {
        "at": event.at,
        "surface": event.surface[:MAX_FIELD_CHARS],
        "query": event.query[:MAX_QUERY_CHARS],
        "results": [p[:MAX_FIELD_CHARS] for p in event.results[:MAX_RESULTS]],
    }
    if event.user:
        record["user"] = event.user[:MAX_FIELD_CHARS]
    return record


def to_line(event: SearchEvent) -> str:
    return json.dumps(to_record(event), ensure_ascii=False, separators=(",", ":")) + "\n"


def from_line(line: str) -> SearchEvent | None:
    """The event of one log line; None for a damaged or foreign line (never an error)."""
    try:
        raw = json.loads(line)
    except ValueError:
        return None
    if not isinstance(raw, Mapping):
        return None
    at, surface, query = raw.get("at"), raw.get("surface"), raw.get("query")
    results = raw.get("results", [])
    if not (isinstance(at, str) and isinstance(surface, str) and isinstance(query, str)):
        return None
    if not isinstance(results, list) or not all(isinstance(p, str) for p in results):
        return None
    user = raw.get("user")
    return SearchEvent(at, surface, query, tuple(results), user if isinstance(user, str) else None)


def gaps(events: Iterable[SearchEvent], limit: int = 20) -> list[Gap]:
    """Questions whose latest search found nothing, most frequent (then most recent) first.

    A question that found a card since (someone wrote it) is no longer a gap.
    """
    misses: Counter[str] = Counter()
    last: dict[str, SearchEvent] = {}
    surfaces: dict[str, dict[str, None]] = {}
    for event in sorted(events, key=lambda e: e.at):
        key = normalise_query(event.query)
        if not key:
            continue
        last[key] = event
        if not event.found:
            misses[key] += 1
            surfaces.setdefault(key, {})[event.surface] = None
    found = [
        Gap(last[key].query.strip(), count, last[key].at, tuple(surfaces[key]))
        for key, count in misses.items()
        if not last[key].found
    ]
    found.sort(key=lambda g: (-g.count, _negated(g.last_at), g.query))
    return found[:limit]


def uses(events: Iterable[SearchEvent], limit: int = 20) -> list[Use]:
    """Cards that searches led to, most often first.

    A search leads to its first result (the card a surface shows on top, or the one a
    surface logged alone because the user picked it); the rest were only shown.
    """
    counts: Counter[str] = Counter()
    last: dict[str, str] = {}
    for event in events:
        if not event.results:
            continue
        path = event.results[0]
        counts[path] += 1
        if event.at > last.get(path, ""):
            last[path] = event.at
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], _negated(last[kv[0]]), kv[0]))
    return [Use(path, count, last[path]) for path, count in ranked[:limit]]


def _negated(text: str) -> tuple[int, ...]:
    # Sort key for "most recent first" on ISO strings, alongside ascending keys.
    return tuple(-ord(c) for c in text)
