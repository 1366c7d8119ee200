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

import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from itertools import chain
from typing import Any

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
    idf = _idf(cards)
    return [unit_vector(counts, idf, top_terms) for _, counts in cards]


def _idf(cards: Sequence[tuple[str, Mapping[str, float]]]) -> dict[str, float]:
    """The idf of every term in at most ``COMMON_CARDS`` cards (BM25's formula)."""
    total = len(cards)
    # Counter counts an iterable in C: a few times faster than a loop over every term.
    frequency = Counter(chain.from_iterable(counts for _, counts in cards))
    common = COMMON_CARDS
    return {
        term: math.log(1.0 + (total - df + 0.5) / (df + 0.5))
        for term, df in frequency.items()
        if df <= common
    }


def unit_vector(
    counts: Mapping[str, float], idf: Any, top_terms: int = TOP_TERMS
) -> dict[str, float]:
    """A card's normalised vector; ``idf`` is anything with ``get(term)`` (a weight or None)."""
    get = idf.get
    # (-weight, term) pairs sorted as they are: strongest first, equal weights in term
    # order, so the choice never varies (terms are unique: no key function needed, a
    # third of this function's time on the tldr pages when it was nsmallest's key).
    scored = [
        (-(tf * weight), term)
        for term, tf in counts.items()
        if (weight := get(term)) is not None and tf > 0
    ]
    scored.sort()
    best = scored[:top_terms]
    norm = math.sqrt(sum(w * w for w, _ in best)) or 1.0
    return {term: -w / norm for w, term in best}


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
    keep: dict[str, dict[str, float]] | None = None,
) -> dict[str, list[tuple[str, float]]]:
    """Each card's ``limit`` most related cards with their similarity, best first (and
    every card's vector in ``keep``, for ``update_similar``).

    Only paths in ``candidates`` (all cards when None) are listed as related; every
    card still contributes to the idf. A card is never related to itself, and cards
    that share no kept term are not related at all, unless ``links`` (path -> paths it
    is linked with, e.g. by ``depends_on`` either way) links them: linked cards come
    first, whatever their words. ``only``: list these cards' relations, not every card's.
    Ties go by path.
    """
    paths = [path for path, _ in cards]
    vectors = weigh(cards)
    if keep is not None:
        keep.update(zip(paths, vectors, strict=True))
    # Each term's cards and their weights, as two lists zipped in the pass below: about
    # a fifth quicker than unpacking a (card, weight) tuple per product (~900,000 on the
    # English tldr pages), the same sums in the same order.
    postings: dict[str, tuple[list[int], list[float]]] = {}
    for number, (path, vector) in enumerate(zip(paths, vectors, strict=True)):
        if candidates is not None and path not in candidates:
            continue
        for term, weight in vector.items():
            found = postings.get(term)
            if found is None:
                found = postings[term] = ([], [])
            found[0].append(number)
            found[1].append(weight)
    numbers = {path: number for number, path in enumerate(paths)}
    related: dict[str, list[tuple[str, float]]] = {}
    nothing: tuple[list[int], list[float]] = ([], [])
    for number, vector in enumerate(vectors):
        path = paths[number]
        if only is not None and path not in only:
            continue
        scores: dict[int, float] = {}
        score = scores.get
        for term in sorted(vector):
            weight = vector[term]
            others, weights = postings.get(term, nothing)
            # Equal lengths by making; a strict= keyword costs every call a keyword parse.
            for other, other_weight in zip(others, weights):  # noqa: B905
                scores[other] = score(other, 0.0) + weight * other_weight
        related[path] = _best(
            scores, number, _linked(path, links, numbers, candidates), paths.__getitem__, limit
        )
    return related


def similar_to(
    cards: Sequence[tuple[str, Mapping[str, float]]],
    path: str,
    limit: int,
    candidates: Collection[str] | None = None,
    *,
    links: Mapping[str, Collection[str]] | None = None,
) -> list[tuple[str, float]]:
    """One card's ``scored_similar`` list (the same cards, scores and order), computing
    only the vectors it needs: the card's, and those of the cards that have one of its
    terms (at most ``COMMON_CARDS`` a term) or a link to it, instead of every card's."""
    if path not in dict(cards):
        return []
    space = TermSpace(cards, idf=_idf(cards))
    return space.similar([path], limit, candidates, links)[path]


Scored = dict[str, list[tuple[str, float]]]  # path -> its related paths with their similarity


def _linked(
    path: str,
    links: Mapping[str, Collection[str]] | None,
    numbers: Mapping[str, int],
    candidates: Collection[str] | None,
) -> set[int]:
    """The numbers of the cards ``path`` links to that may be listed."""
    return {
        numbers[other]
        for other in (links or {}).get(path, ())
        if other in numbers and (candidates is None or other in candidates)
    }


def _best(
    scores: dict[int, float],
    number: int,
    linked: set[int],
    path_of: Callable[[int], str],
    limit: int,
) -> list[tuple[str, float]]:
    """The one ranking of a related list: linked cards first, then by score (rounded, so
    float noise never reorders), ties by path, so identical inputs give identical lists."""
    for other in linked:
        scores.setdefault(other, 0.0)
    scores.pop(number, None)
    items: Iterable[tuple[int, float]] = scores.items()
    if len(scores) > 4 * limit:
        # Only cards scoring near the limit-th best can be on the list: a card whose
        # rounded score ties or beats the limit-th best rounded score scores at least the
        # limit-th best raw score less the rounding (1e-9 covers it twice over), and the
        # limit-th best of all is no better than the list's worst unlinked card. The same
        # list as ranking every card; related_cards on the 7,424 English tldr pages went
        # from 2.3 to 1.9 s CPU (most cards score against ~100 others: one round() each).
        # A sort in C of a hundred floats is quicker than heapq's nlargest in Python.
        floor = sorted(scores.values(), reverse=True)[limit - 1] - 1e-9
        if linked:
            items = [item for item in items if item[1] >= floor or item[0] in linked]
        else:
            items = [item for item in items if item[1] >= floor]
    # sorted()[:limit] is what nsmallest(limit, ..., key) documents itself to equal;
    # on the dozen cards left it spares nsmallest's own Python.
    best = sorted(
        items, key=lambda item: (item[0] not in linked, -round(item[1], 9), path_of(item[0]))
    )[:limit]
    return [(path_of(other), score) for other, score in best]


class TermSpace:
    """The cards' term counts with each term's card count; idf and vectors on demand."""

    def __init__(
        self,
        cards: Sequence[tuple[str, Mapping[str, float]]],
        *,
        df: Mapping[str, int] | None = None,
        df_override: Mapping[str, int] | None = None,
        idf: Mapping[str, float] | None = None,
    ) -> None:
        self.cards = cards
        self.total = len(cards)
        self.df: Mapping[str, int] = (
            df
            if df is not None or idf is not None
            else Counter(chain.from_iterable(c for _, c in cards))
        ) or {}
        self.override = df_override or {}
        self.weights: dict[str, float | None] = {}
        self.vectors: dict[str, dict[str, float]] = {}
        self.counts = dict(cards)
        self.numbers = {path: number for number, (path, _) in enumerate(cards)}
        self.idf: Any = idf if idf is not None else _LazyIdf(self)

    def weight(self, term: str) -> float | None:
        df = self.override.get(term)
        if df is None:
            df = self.df.get(term, 0)
        if df <= 0 or df > COMMON_CARDS:
            return None
        return math.log(1.0 + (self.total - df + 0.5) / (df + 0.5))

    def vector(self, path: str) -> dict[str, float]:
        found = self.vectors.get(path)
        if found is None:
            found = self.vectors[path] = unit_vector(self.counts[path], self.idf)
        return found

    def having(self, terms: set[str]) -> set[str]:
        """The cards whose counts have one of ``terms``."""
        if not terms:
            return set()
        return {path for path, counts in self.cards if not terms.isdisjoint(counts)}

    def similar(
        self,
        paths: Collection[str],
        limit: int,
        candidates: Collection[str] | None,
        links: Mapping[str, Collection[str]] | None,
    ) -> Scored:
        """``scored_similar``'s lists of ``paths``, from one scan of the cards for the
        cards having each of their terms (in card order, as its postings)."""
        wanted = {term for path in paths for term in self.vector(path)}
        having: dict[str, list[int]] = {term: [] for term in wanted}
        for number, (other_path, counts) in enumerate(self.cards):
            if candidates is not None and other_path not in candidates:
                continue
            for term in wanted.intersection(counts):
                having[term].append(number)
        return {path: self._similar(path, having, limit, candidates, links) for path in paths}

    def _similar(
        self,
        path: str,
        having: Mapping[str, list[int]],
        limit: int,
        candidates: Collection[str] | None,
        links: Mapping[str, Collection[str]] | None,
    ) -> list[tuple[str, float]]:
        cards, numbers = self.cards, self.numbers
        vector = self.vector(path)
        scores: dict[int, float] = {}
        for term in sorted(vector):
            weight = vector[term]
            for other in having[term]:
                other_weight = self.vector(cards[other][0]).get(term)
                if other_weight is not None:
                    scores[other] = scores.get(other, 0.0) + weight * other_weight
        linked = _linked(path, links, numbers, candidates)
        return _best(scores, numbers[path], linked, lambda other: cards[other][0], limit)


class _LazyIdf:
    """``TermSpace``'s idf as the mapping ``unit_vector`` reads, computed per term when asked."""

    def __init__(self, space: TermSpace) -> None:
        self.space = space

    def get(self, term: str) -> float | None:
        cache = self.space.weights
        if term in cache:
            return cache[term]
        weight = cache[term] = self.space.weight(term)
        return weight


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
