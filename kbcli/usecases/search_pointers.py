"""Pointer cards follow the card they name (``core.pointers``) in a ranking.

An alias or redirect card repeats none of its target's words, so words alone rank it
nowhere; it is as good an answer as its target, and is shown right after it (never
above it: a pointer adds a way in, it does not push its target down).

Across languages: when the query's language is known and a card in that language is a
pointer to a card that exists only in other languages (a Ukrainian alias of a command
whose page is English or Russian), the pointer takes its target's score without the
other-language factor: it is the entry in the reader's language to that answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kbcli.core.languages import normalize_lang
from kbcli.usecases.search_hits import Hit, score_hits

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_index import CardIndex, RawHit
    from kbcli.adapters.tantivy_queries import QueryBuilder
    from kbcli.workspace import Workspace


# Pointers shown right after the card they name, at most (the first by path): a flood of
# aliases (xzgrep's five lz*/xz* names) would push other answers out of the list.
FOLLOWERS = 1


def with_pointers(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    hits: Sequence[Hit],
    limit: int,
    languages: frozenset[str] = frozenset(),
) -> tuple[list[Hit], list[RawHit]]:
    """The first ``limit`` of ``hits`` (best first), each followed by a pointer card in
    its language that names it (``FOLLOWERS``); and the index documents of those added.

    With the query's ``languages``, pointers in those languages to cards found only in
    other languages join too (``_across``)."""
    top = list(hits[:limit])
    across, across_raw = _across(workspace, index, qb, hits, languages, limit)
    if across:
        best = {h.path: h for h in top}
        for hit in across:  # a pointer the words found too: its better score
            if hit.path not in best or best[hit.path].score < hit.score:
                best[hit.path] = hit
        top = sorted(best.values(), key=lambda h: -h.score)[:limit]
    titles = {h.meta.title.strip().lower() for h in top if h.meta.title.strip()}
    titles = {t for t in titles if qb.pointed_at(t)}  # term look-ups: no search when none
    if not titles:
        return top, [r for r in across_raw if any(h.path == r.path for h in top)]
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
        key = (hit.meta.title.strip().lower(), normalize_lang(hit.meta.lang, default))
        for pointer in pointers.get(key, ())[:FOLLOWERS]:
            if any(h.path == pointer.path for h in ranked):
                continue  # ranked above its target by its own words
            own = next((h for h in top if h.path == pointer.path), None)
            ranked.append(own or pointer._replace(score=hit.score))
    used = {h.path for h in ranked[:limit]}
    return ranked[:limit], [r for r in (*raw, *across_raw) if r.path in used]


def _across(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    hits: Sequence[Hit],
    languages: frozenset[str],
    limit: int,
) -> tuple[list[Hit], list[RawHit]]:
    """Pointer cards in the query's ``languages`` naming a candidate card that is in
    another language only, scored as that card without its other-language factor."""
    if not languages:
        return [], []
    default = workspace.config.search.default_lang
    targets: dict[str, Hit] = {}  # title -> its best card in another language
    own: set[str] = set()  # titles with a card in the query's language
    for hit in hits:
        title = hit.meta.title.strip().lower()
        if not title:
            continue
        if normalize_lang(hit.meta.lang, default) in languages:
            own.add(title)
        elif title not in targets:
            targets[title] = hit
    titles = sorted(t for t in targets if t not in own and qb.pointed_at(t))
    if not titles:
        return [], []
    q = qb.combine([], should=[qb.points(t) for t in titles], min_should=1)
    _, raw = index.search(q, 4 * limit, by_path=True)
    found: list[Hit] = []
    for hit, item in zip(score_hits(workspace, raw, "pointer", languages), raw, strict=True):
        target = targets.get(str(item.meta.get("points") or ""))
        if target is None or hit.lang_factor != 1.0:
            continue
        found.append(hit._replace(score=target.score / target.lang_factor))
    return found, list(raw)
