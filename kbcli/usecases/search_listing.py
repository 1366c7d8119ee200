"""A query of filters only (``tag:git``, ``is:expired``): a list, most useful first.

Without words there is nothing to rank by relevance. A trust state asks for what needs
an owner, so ``is:expired`` lists the longest expired first and ``is:due`` the soonest
due (``verdict.urgency``, the handbook's "Most urgent" order); any other filter lists by
title, as a reader scans a list (by path, ``pages.ru/...`` came before ``pages/...`` and
folders decided the order).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kbcli.core.plain_line import display_title
from kbcli.core.query import TRUST_STATES, ParsedQuery
from kbcli.core.verdict import urgency
from kbcli.usecases.search_hits import Hit, SearchResult, score_hits, term_matcher, with_snippet

if TYPE_CHECKING:
    import tantivy

    from kbcli.adapters.tantivy_index import CardIndex
    from kbcli.adapters.tantivy_queries import QueryBuilder
    from kbcli.workspace import Workspace


def listed(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    query: ParsedQuery,
    limit: int,
    required: list[tantivy.Query],
    excluded: list[tantivy.Query],
    snippets: bool,
) -> SearchResult:
    """The cards that pass the filters, in ``listing_order``, the first ``limit`` shown."""
    q = qb.combine([], must_not=excluded, filters=required)
    total, raw = index.search(q, limit, by_path=True)
    if total > len(raw):  # the order needs every match, not the first by path
        total, raw = index.search(q, total, by_path=True)
    raw.sort(key=lambda r: (display_title(r.meta.get("title") or "").casefold(), r.path))
    if not _by_urgency(query):
        raw = raw[:limit]  # in title order already: judge only the cards shown
    hits = sorted(score_hits(workspace, raw, "filters only"), key=listing_order(query))[:limit]
    if snippets:
        texts = {r.path: r.text for r in raw}
        matcher = term_matcher(index, set())
        hits = [with_snippet(workspace, h, texts[h.path], matcher) for h in hits]
    return SearchResult(query, hits, total, "filters")


def _by_urgency(query: ParsedQuery) -> bool:
    return any(s.state in TRUST_STATES and not s.negated for s in query.states)


def listing_order(query: ParsedQuery) -> Callable[[Hit], Any]:
    """Most urgent first when the query asks for a trust state, else by title."""
    if _by_urgency(query):
        return lambda hit: (urgency(hit.trust), hit.title.casefold(), hit.path)
    return lambda hit: (hit.title.casefold(), hit.path)
