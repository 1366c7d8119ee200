"""Explaining a search: the terms behind a hit's score, and why nothing matched."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kbcli.core.query import KeyFilter, ParsedQuery, StateFilter
from kbcli.usecases.search_rank import rank

if TYPE_CHECKING:
    import tantivy

    from kbcli.adapters.tantivy_index import CardIndex, RawHit
    from kbcli.adapters.tantivy_queries import QueryBuilder
    from kbcli.workspace import Workspace


def why(
    index: CardIndex, q: tantivy.Query, raw: Sequence[RawHit], path: str
) -> tuple[tuple[str, float], ...]:
    """The term contributions behind one hit's BM25 score, largest first."""
    import re

    from kbcli.adapters.tantivy_queries import iter_terms

    address = next(r.address for r in raw if r.path == path)
    totals: dict[str, float] = {}
    for context, value in iter_terms(index.explain(q, address)):
        match = re.search(r'field=(\d+), type=(\w+), (?:"(.*)"|(\S+))\)', context)
        if not match:
            continue
        label = match.group(3) or match.group(4)
        totals[label] = totals.get(label, 0.0) + value
    ordered = sorted(totals.items(), key=lambda kv: -kv[1])
    return tuple((k, round(v, 3)) for k, v in ordered if v > 0)[:8]


def empty_hints(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    query: ParsedQuery,
    include_archived: bool,
) -> list[str]:
    """Why nothing matched: filters that emptied the result, hidden archived cards, near words."""
    hints = []
    items: list[KeyFilter | StateFilter] = [*query.filters, *query.states]
    for item in items:
        relaxed = query.without(item)
        if relaxed.is_empty:
            continue
        found = rank(
            workspace, index, relaxed, 3, include_archived=include_archived, snippets=False, qb=qb
        )
        if found.hits:
            hints.append(
                f"without {query.describe(item)}: {found.total} card(s), e.g. {found.hits[0].path}"
            )
    for relaxed, change in _loosened(query):
        found = rank(
            workspace, index, relaxed, 3, include_archived=include_archived, snippets=False, qb=qb
        )
        if found.hits:
            hints.append(f"{change}: {found.total} card(s), e.g. {found.hits[0].path}")
    if not include_archived and not query.mentions_status:
        found = rank(workspace, index, query, 3, include_archived=True, snippets=False, qb=qb)
        if found.hits:
            hints.append(
                f"{found.total} archived card(s) match; add is:archived or --archived to see them"
            )
    if not hints and query.words:
        near = _near_words(index, query.words)
        if near:
            hints.append("did you mean: " + ", ".join(near))
    return hints


def _loosened(query: ParsedQuery) -> list[tuple[ParsedQuery, str]]:
    """The query with one phrase read as plain words, or one ``-word`` dropped, each with
    the words that say so. A pasted error message quotes a file path no card holds, and a
    pasted command's option (``-la``) reads as an exclusion: the hint says what would
    match instead of leaving a reader with nothing."""
    loosened = []
    for phrase in query.phrases:
        phrases = tuple(p for p in query.phrases if p != phrase)
        words = (*query.words, *phrase.split())
        change = f'without the quotes around "{phrase}"'
        loosened.append((query._replace(phrases=phrases, words=words), change))
    for word in query.excluded_words:
        kept = tuple(w for w in query.excluded_words if w != word)
        loosened.append((query._replace(excluded_words=kept), f"without -{word}"))
    return loosened


def _near_words(index: CardIndex, words: Sequence[str]) -> list[str]:
    """Titles of cards with a word within a typo of the query's (``typo_distance``, as the
    ranking's expansion: two edits of a three-letter word are any word, so ``vpn`` offered
    "Acquisition" and "18F Design")."""
    from kbcli.adapters.tantivy_schema import WORDS
    from kbcli.core.typos import typo_distance

    qb = index.queries()
    parts = [
        qb.t.Query.fuzzy_term_query(qb.schema, WORDS, term, typo_distance(term), True, False)
        for word in words
        for term in qb.terms(word)
        if typo_distance(term)
    ]
    if not parts:
        return []
    _, raw = index.search(qb.combine([], should=parts, min_should=1), 3)
    return [f'"{r.meta.get("title")}" ({r.path})' for r in raw]
