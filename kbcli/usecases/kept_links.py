"""``kb check``'s link scans through the links cache (``adapters/links_cache``).

A card whose bytes are those its kept links were scanned from gives the resolver
those links; the rest are scanned as before and kept for the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Card
from kbcli.core.links import LinkResolver

if TYPE_CHECKING:
    from kbcli.workspace import Workspace


@dataclass
class Kept:
    """What one run found in the links cache, for ``keep_links`` to bring up to date."""

    key: Any
    path: Path
    entries: dict[str, Any]
    digests: dict[str, bytes | None]
    given: set[str]


def give_kept_links(workspace: Workspace, cards: Sequence[Card], resolver: LinkResolver) -> Kept:
    """Hand the resolver every card's kept links; returns what to pass to ``keep_links``."""
    from kbcli.adapters import links_cache
    from kbcli.usecases.judging import code_fingerprint

    key = (1, code_fingerprint())
    path = workspace.config.cache_dir / links_cache.FILE
    kept = links_cache.load(path, key)
    digests = {card.path: workspace.card_files.digest(card) for card in cards}
    known = {}
    for card in cards:
        entry = kept.get(card.path)
        digest = digests[card.path]
        if digest is None or not isinstance(entry, tuple) or len(entry) != 2:
            continue
        if entry[0] != digest:
            continue
        try:
            known[card.path] = links_cache.decode(entry[1])
        except (TypeError, ValueError, KeyError, IndexError):
            continue
    resolver.know_links(known)
    return Kept(key, path, kept, digests, set(known))


def keep_links(resolver: LinkResolver, state: Kept) -> None:
    """Keep the links of every card the resolver scanned, under its bytes' hash."""
    from kbcli.adapters import links_cache

    kept, known = state.entries, state.given
    found = resolver.found_links()
    if not (found.keys() - known) and len(kept) == len(known):
        return  # nothing new to keep
    entries = {
        card: kept[card] if card in known else (digest, links_cache.encode(found[card]))
        for card, digest in state.digests.items()
        if digest is not None and card in found
    }
    links_cache.save(state.path, state.key, entries)
