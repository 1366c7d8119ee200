"""A query that is a card's whole title names that card: it comes first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kbcli.core.word_forms import query_words

if TYPE_CHECKING:
    from kbcli.core.query import ParsedQuery
    from kbcli.usecases.search_hits import Hit


def titled_first(hits: list[Hit], query: ParsedQuery, pool: Sequence[Hit] = ()) -> list[Hit]:
    """The cards whose whole title the query is (its words, any case) first, in score order.

    A query that is a title names that card: someone looking for a card to fix it or to
    send it types its title, and a doubted card (ranked down by its trust factor) or a
    title of common words must not fall out of the first page then. Such a card is looked
    for in the whole candidate ``pool`` too, not only in the ``hits`` kept for the limit:
    ``--limit 1`` must not answer otherwise than the first line of ``--limit 10``. Of
    titles with the same words, the one written as the query is (``g++``, not ``g[``;
    ``C++``, not ``C#``) comes first: the signs are what tells such names apart. A
    command written with its options names the command's card (``rm -rf``: ``rm``)."""
    named_by = [w for w in query.words if w not in query.options]
    words = tuple(w.casefold() for part in (*named_by, *query.phrases) for w in query_words(part))
    if not words:
        return hits
    named: dict[str, Hit] = {}
    for hit in (*hits, *pool):  # a kept hit first: its score may be a pointer's
        if hit.path not in named and tuple(w.casefold() for w in query_words(hit.title)) == words:
            named[hit.path] = hit
    if not named:
        return hits
    typed = _as_written(" ".join(named_by) if query.options else query.text)
    first = sorted(named.values(), key=lambda h: (_as_written(h.title) != typed, -h.score))
    return [*first, *(h for h in hits if h.path not in named)]


def _as_written(text: str) -> str:
    return " ".join(text.split()).casefold()
