"""Pointer cards (``core.pointers``) in a ranking: the way in across languages.

An alias or redirect card repeats none of its target's words, so words alone rank it
nowhere. Where its target is in the list, the pointer adds nothing (the target is the
answer) and is not shown after it: it would take the place of the next answer.

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
    import tantivy

    from kbcli.adapters.tantivy_index import CardIndex, RawHit
    from kbcli.adapters.tantivy_queries import QueryBuilder
    from kbcli.workspace import Workspace

# A query's (phrases, excluded, required) filter queries, as the ranking built them.
Filters = tuple[list["tantivy.Query"], list["tantivy.Query"], list["tantivy.Query"]]


def with_pointers(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    hits: Sequence[Hit],
    limit: int,
    languages: frozenset[str] = frozenset(),
    filters: Filters | None = None,
) -> tuple[list[Hit], list[RawHit]]:
    """The first ``limit`` of ``hits`` (best first), with the pointers in the query's
    ``languages`` to cards found only in other languages (``_across``) that pass the
    query's ``filters`` (phrases, excluded, required); and the index documents of those
    added.

    A pointer to a card the list already shows is not added after it: it answers nothing
    its target does not, and it would push the next answer down a place (bench/README.md,
    "Issue 12 A, session 14"). It still ranks by its own words, as any card does."""
    top = list(hits[:limit])
    across, across_raw = _across(
        workspace, index, qb, hits, languages, limit, filters or ([], [], [])
    )
    if not across:
        return top, []
    best = {h.path: h for h in top}
    for hit in across:  # a pointer the words found too: its better score
        if hit.path not in best or best[hit.path].score < hit.score:
            best[hit.path] = hit
    top = sorted(best.values(), key=lambda h: -h.score)[:limit]
    used = {h.path for h in top}
    return top, [r for r in across_raw if r.path in used]


def _across(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    hits: Sequence[Hit],
    languages: frozenset[str],
    limit: int,
    filters: Filters,
) -> tuple[list[Hit], list[RawHit]]:
    """Pointer cards in the query's ``languages`` naming a candidate card that is in
    another language only, scored as that card without its other-language factor. They
    pass the query's filters as every card listed does (``lang:ru`` lists no English
    alias, ``-word`` none holding the word)."""
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
    phrases, excluded, required = filters
    should = [qb.points(t) for t in titles]
    q = qb.combine(phrases, should=should, must_not=excluded, filters=required, min_should=1)
    _, raw = index.search(q, 4 * limit, by_path=True)
    found: list[Hit] = []
    for hit, item in zip(score_hits(workspace, raw, "pointer", languages), raw, strict=True):
        target = targets.get(str(item.meta.get("points") or ""))
        if target is None or hit.lang_factor != 1.0:
            continue
        found.append(hit._replace(score=target.score / target.lang_factor))
    return found, list(raw)
