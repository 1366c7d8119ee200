"""Related cards for the handbook: term vectors of every card, compared in one pass.

The terms are the search index's own (its analyzers, per language group: stemmed
English and Russian, the Ukrainian and Hebrew stand-ins), so "related" means what a
search would call similar, but no index is opened or synced and no query is run: the
build already holds every card's text. See ``kbcli.core.related`` for the weighting.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kbcli.core.languages import group_of, normalize_lang
from kbcli.core.related import most_similar, term_counts

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_index import Analysis

RELATED_LIMIT = 8  # kept per card; the page shows five
# Field weights, as the search's boosts: title > tags > body.
TITLE_WEIGHT, TAG_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0


def card_terms(analysis: Analysis, card: Any, default_lang: str) -> dict[str, float]:
    """A card's weighted term counts; terms of different language groups never match
    (the same spelling may stem differently), tags match across languages."""
    group = group_of(normalize_lang(card.meta.lang, default_lang))
    title = " ".join((card.title, *card.meta.aliases))
    return term_counts(
        [
            (group, analysis.tokens(group, title), TITLE_WEIGHT),
            ("tag", analysis.tokens("xx", " ".join(card.meta.tags)), TAG_WEIGHT),
            (group, analysis.tokens(group, card.body), BODY_WEIGHT),
        ]
    )


def related_cards(
    cards: Sequence[Any],
    candidates: Collection[str],
    default_lang: str,
    *,
    known_terms: Mapping[str, tuple[str, dict[str, float]]] | None = None,
) -> tuple[dict[str, list[str]], dict[str, tuple[str, dict[str, float]]]]:
    """(path -> its most related candidate paths, the term counts by path and key).

    ``cards`` are every card whose words count (sorted by path for a stable result);
    ``known_terms`` maps a path to (body key, term counts) from an earlier build, reused
    while the key is the same, so a rebuild analyses only the cards that changed.
    """
    from kbcli.adapters.tantivy_index import Analysis

    analysis: Analysis | None = None
    known = known_terms or {}
    terms: dict[str, tuple[str, dict[str, float]]] = {}
    vectors: list[tuple[str, Mapping[str, float]]] = []
    for card in sorted(cards, key=lambda c: c.path):
        key = _terms_key(card, default_lang)
        kept = known.get(card.path)
        if kept is not None and kept[0] == key:
            counts = kept[1]
        else:
            if analysis is None:
                analysis = Analysis()
            counts = card_terms(analysis, card, default_lang)
        terms[card.path] = (key, counts)
        vectors.append((card.path, counts))
    return most_similar(vectors, RELATED_LIMIT, candidates), terms


def _terms_key(card: Any, default_lang: str) -> str:
    from kbcli.core.handbook import digest

    return digest(
        "terms",
        card.title,
        card.meta.aliases,
        card.meta.tags,
        card.meta.lang,
        default_lang,
        card.body,
    )
