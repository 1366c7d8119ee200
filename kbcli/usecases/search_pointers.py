"""Pointer cards follow the card they name (``core.pointers``) in a ranking.

An alias or redirect card repeats none of its target's words, so words alone rank it
nowhere; it is as good an answer as its target, and is shown right after it (never
above it: a pointer adds a way in, it does not push its target down).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from kbcli.core.languages import normalize_lang
from kbcli.usecases.search_hits import Hit, score_hits

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_index import CardIndex, RawHit
    from kbcli.adapters.tantivy_queries import QueryBuilder
    from kbcli.workspace import Workspace


def with_pointers(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    hits: Sequence[Hit],
    limit: int,
) -> tuple[list[Hit], list[RawHit]]:
    """The first ``limit`` of ``hits`` (best first), each followed by the pointer cards in
    its language that name it; and the index documents of the pointers added."""
    top = list(hits[:limit])
    titles = {h.title.strip().lower() for h in top if h.title.strip()}
    titles = {t for t in titles if qb.pointed_at(t)}  # term look-ups: no search when none
    if not titles:
        return top, []
    q = qb.combine([], should=[qb.points(t) for t in sorted(titles)], min_should=1)
    _, raw = index.search(q, 4 * limit, by_path=True)
    default = workspace.config.search.default_lang
    pointers: dict[tuple[str, str], list[Hit]] = {}
    for hit, item in zip(score_hits(workspace, raw, "pointer"), raw, strict=True):
        key = (str(item.meta.get("points") or ""), normalize_lang(hit.meta.lang, default))
        pointers.setdefault(key, []).append(hit)
    ranked: list[Hit] = []
    for hit in top:
        if any(h.path == hit.path for h in ranked):
            continue  # a pointer already placed after its target
        ranked.append(hit)
        key = (hit.title.strip().lower(), normalize_lang(hit.meta.lang, default))
        for pointer in pointers.get(key, ()):
            if any(h.path == pointer.path for h in ranked):
                continue  # ranked above its target by its own words
            own = next((h for h in top if h.path == pointer.path), None)
            ranked.append(own or replace(pointer, score=hit.score))
    used = {h.path for h in ranked}
    return ranked[:limit], [r for r in raw if r.path in used]
