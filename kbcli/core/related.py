"""Related cards from term vectors: the cards whose weighted words overlap most.

Each card is a sparse vector of its terms (title, tag and body tokens, analysed per
language group as the search index analyses them), weighted tf x idf with the same idf
as Tantivy's BM25 and more-like-this. Only a card's ``TOP_TERMS`` strongest terms are
kept (what more-like-this would query with), the vector is normalised, and two cards
are as related as the dot product of their vectors (cosine similarity).

Why not one more-like-this query per card against the index: that also built a snippet
for every hit and cost ~27 ms a card (22.9 s of a 28 s build on an 851-page handbook),
and Tantivy picks its query terms from a hash map, so equal-scored terms were chosen in
a different order from run to run (18 of 851 cards listed different cards between two
identical builds). Here everything is computed from sorted inputs, ties are broken by
term and by path, and the result depends only on the cards.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence

TOP_TERMS = 30  # terms kept per card, as more-like-this's max_query_terms
# A term in more than COMMON_CARDS cards is too common to tell cards apart (in a repo of
# a few dozen cards idf alone weighs such terms down), and its posting list would make
# the pairwise pass quadratic: with
# this cap the pass costs at most (cards x TOP_TERMS x COMMON_CARDS) additions. Measured on
# the 7,424 English tldr pages: 1.2 s of CPU with 50, 2.7 s with 100, 6.6 s with 200, and
# the lists with 50 were as sensible on a sample (tar: xz, bzip2; git-commit: git-stage).
COMMON_CARDS = 50


def weigh(
    cards: Sequence[tuple[str, Mapping[str, float]]], top_terms: int = TOP_TERMS
) -> list[dict[str, float]]:
    """Each card's normalised vector of its ``top_terms`` strongest terms (tf x idf).

    ``cards`` are (path, term -> frequency); the vectors come back in the same order.
    """
    total = len(cards)
    frequency: dict[str, int] = {}
    for _, counts in cards:
        for term in counts:
            frequency[term] = frequency.get(term, 0) + 1
    common = COMMON_CARDS
    idf = {
        term: math.log(1.0 + (total - df + 0.5) / (df + 0.5))
        for term, df in frequency.items()
        if df <= common
    }
    vectors = []
    for _, counts in cards:
        scored = [
            (tf * weight, term)
            for term, tf in counts.items()
            if (weight := idf.get(term)) is not None and tf > 0
        ]
        # Strongest first; equal weights in term order, so the choice never varies.
        best = heapq.nsmallest(top_terms, scored, key=lambda item: (-item[0], item[1]))
        norm = math.sqrt(sum(w * w for w, _ in best)) or 1.0
        vectors.append({term: w / norm for w, term in best})
    return vectors


def most_similar(
    cards: Sequence[tuple[str, Mapping[str, float]]],
    limit: int,
    candidates: Collection[str] | None = None,
    *,
    only: Collection[str] | None = None,
    links: Mapping[str, Collection[str]] | None = None,
) -> dict[str, list[str]]:
    """Each card's ``limit`` most related cards, best first (``scored_similar``)."""
    found = scored_similar(cards, limit, candidates, only=only, links=links)
    return {path: [other for other, _ in listed] for path, listed in found.items()}


def scored_similar(
    cards: Sequence[tuple[str, Mapping[str, float]]],
    limit: int,
    candidates: Collection[str] | None = None,
    *,
    only: Collection[str] | None = None,
    links: Mapping[str, Collection[str]] | None = None,
) -> dict[str, list[tuple[str, float]]]:
    """Each card's ``limit`` most related cards with their similarity, best first.

    Only paths in ``candidates`` (all cards when None) are listed as related; every
    card still contributes to the idf. A card is never related to itself, and cards
    that share no kept term are not related at all, unless ``links`` (path -> paths it
    is linked with, e.g. by ``depends_on`` either way) links them: linked cards come
    first, whatever their words. ``only``: list these cards' relations, not every card's.
    Ties go by path.
    """
    paths = [path for path, _ in cards]
    vectors = weigh(cards)
    postings: dict[str, list[tuple[int, float]]] = {}
    for number, (path, vector) in enumerate(zip(paths, vectors, strict=True)):
        if candidates is not None and path not in candidates:
            continue
        for term, weight in vector.items():
            postings.setdefault(term, []).append((number, weight))
    numbers = {path: number for number, path in enumerate(paths)}
    related: dict[str, list[tuple[str, float]]] = {}
    for number, vector in enumerate(vectors):
        path = paths[number]
        if only is not None and path not in only:
            continue
        scores: dict[int, float] = {}
        for term in sorted(vector):
            weight = vector[term]
            for other, other_weight in postings.get(term, ()):
                scores[other] = scores.get(other, 0.0) + weight * other_weight
        linked = {
            numbers[other]
            for other in (links or {}).get(path, ())
            if other in numbers and (candidates is None or other in candidates)
        }
        for other in linked:
            scores.setdefault(other, 0.0)
        scores.pop(number, None)
        best = heapq.nsmallest(
            limit,
            scores.items(),
            key=lambda item: (item[0] not in linked, -round(item[1], 9), paths[item[0]]),
        )
        related[path] = [(paths[other], score) for other, score in best]
    return related


def term_counts(parts: Iterable[tuple[str, Iterable[str], float]]) -> dict[str, float]:
    """Weighted term frequencies of a card from (prefix, tokens, weight) parts: the
    prefix keeps fields apart that must not match each other (languages, tags)."""
    counts: dict[str, float] = {}
    for prefix, tokens, weight in parts:
        for token, tf in Counter(tokens).items():
            if len(token) < 2:
                continue
            key = f"{prefix}:{token}"
            counts[key] = counts.get(key, 0.0) + tf * weight
    return counts
