"""Search use cases: keep the index fresh, search, related cards, suggestions, duplicates.

The parts: ``search_index`` (open and sync the index), ``search_rank`` (the one
ranking: query planning, scoring, fusion), ``search_hits`` (verdicts, factors,
snippets), ``search_explain`` (``--explain`` and empty-result hints),
``search_related`` (related, suggest, duplicates). This module runs a search and is
the API the rest of kb imports.

Stable API for other features (``kb capture`` calls ``suggest``)::

    suggest(workspace, text, limit=5) -> list[Hit]
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from kbcli.core.progress import Progress, no_progress
from kbcli.core.query import ParsedQuery, QueryError, parse_query
from kbcli.errors import KbError
from kbcli.usecases.freshness import FreshnessStart
from kbcli.usecases.search_explain import empty_hints
from kbcli.usecases.search_hits import Hit, SearchResult, trust_factor
from kbcli.usecases.search_index import index_status, open_index, settings_key, sync
from kbcli.usecases.search_rank import rank
from kbcli.usecases.search_related import card_words, duplicates, related, similar, suggest

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_index import CardIndex
    from kbcli.adapters.tantivy_queries import QueryBuilder
    from kbcli.workspace import Workspace

__all__ = [
    "Hit",
    "SearchResult",
    "card_words",
    "duplicates",
    "index_status",
    "open_index",
    "rank",
    "related",
    "search",
    "settings_key",
    "similar",
    "suggest",
    "sync",
    "trust_factor",
]


def search(
    workspace: Workspace,
    text: str,
    *,
    limit: int = 10,
    include_archived: bool = False,
    explain: bool = False,
    sync_first: bool = True,
    snippets: bool = True,
    started: FreshnessStart | None = None,
    progress: Progress = no_progress,
    index: CardIndex | None = None,
    hints: bool = True,
) -> SearchResult:
    """Search the cards with the query language (see ``kbcli.core.query``).

    With ``sync_first`` the index is brought up to date first, in effect: the query
    runs while ``git status`` (``started`` early by the caller, or now) is still
    looking for changed cards, and runs again only if the sync changed the index.
    ``snippets=False`` leaves each hit's snippet empty (``--paths-only`` shows none).
    ``index``: an open index to use when ``sync_first`` is off (a resident process's).
    ``hints=False`` skips the searches that explain an empty result (for a program).
    """
    try:
        query = parse_query(text)
        if query.is_empty:
            raise QueryError(
                'give something to search for, e.g. kb search "refund duplicate charge"'
            )
    except QueryError as error:
        if started is not None:  # stop the freshness check nobody will read
            started.close()
        raise KbError(str(error)) from None
    if not sync_first:
        index = index or open_index(workspace)
    else:
        if started is None or started.root != os.fspath(workspace.root):
            if started is not None:
                started.close()
            started = FreshnessStart(workspace.root)
        index = open_index(workspace, started.manifest_files)
        workspace.memo.expected_head = index.manifest.head or None
        workspace.memo.index_cards = index.manifest.count()
    qb = index.queries()
    result = _run(workspace, index, qb, query, limit, include_archived, explain, snippets)
    if started is not None:
        stats = sync(workspace, index=index, git=started.git, progress=progress)
        memo = workspace.memo  # verdicts from the cache of another HEAD: judge again
        if stats.rebuilt or stats.touched or memo.verdict_head not in (None, memo.head):
            qb = index.queries()
            result = _run(workspace, index, qb, query, limit, include_archived, explain, snippets)
        result.stats = stats
    if hints and not result.hits:
        result.hints = empty_hints(workspace, index, qb, query, include_archived)
    return result


def _run(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    query: ParsedQuery,
    limit: int,
    include_archived: bool,
    explain: bool,
    snippets: bool = True,
) -> SearchResult:
    return rank(
        workspace,
        index,
        query,
        limit,
        include_archived=include_archived,
        explain=explain,
        snippets=snippets,
        qb=qb,
    )
