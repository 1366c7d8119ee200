"""Cards ranked by their passages' cosines to a query (the best, blended with the mean),
with the stdlib alone.

The vectors are L2-normalised, so a dot product is the cosine. ``best_of_cards`` gets
each row's dot product from ``math.dist`` (C, float64: p·q = (|p|² + |q|² - |p-q|²) / 2,
with each row's |p|² kept), ~7 µs for a 384-wide row: cheaper than importing numpy
(~75 ms of CPU) up to a few thousand passages, which is why a one-shot ``kb search``
scores this way. Larger matrices, and a resident process, score with numpy
(``vector_store.best_of_cards``): float64 dot products that differ from these in the
16th digit, so both keep ``DIGITS`` decimals and agree. ``ranked`` makes
the ranking (ties by path) and the standout floor. Pure.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

DIGITS = 9  # decimals kept of a cosine: summation order changes only the 16th


def best_of_cards(
    matrix: bytes | memoryview,
    squares: Sequence[float],
    dims: int,
    spans: Sequence[tuple[int, int]],
    query: Sequence[float],
    mean_share: float = 0.0,
) -> list[float]:
    """Each card's score for ``query``: the best cosine of its rows (``spans``: first
    row, end row) of ``matrix`` (float32 rows of ``dims`` values, native byte order;
    ``squares``: each row's squared length), blended with their mean cosine by
    ``mean_share`` (``card_score``)."""
    values = memoryview(matrix).cast("B").cast("f")
    q = tuple(float(x) for x in query)
    own = math.fsum(x * x for x in q)
    best = []
    for first, end in spans:
        dots = [
            (squares[r] + own - math.dist(values[r * dims : (r + 1) * dims], q) ** 2) / 2
            for r in range(first, end)
        ]
        best.append(card_score(max(dots), math.fsum(dots) / len(dots), mean_share))
    return best


def card_score(best: float, mean: float, mean_share: float) -> float:
    """A card's cosine to a query from its passages' best and mean: (best + share * mean)
    / (1 + share). A long page whose every section is on the subject ranks above one
    with a single matching section; share 0 is the best passage alone."""
    return (best + mean_share * mean) / (1 + mean_share) if mean_share else best


def ranked(
    best: Sequence[float],
    paths: Sequence[str],
    limit: int,
    standout: float,
    rounded: bool = False,
    among: Sequence[int] | None = None,
) -> tuple[dict[str, float], float]:
    """(the ``limit`` best cards -> cosine, best first and ties by path; the floor a
    card sharing no query word must reach: ``standout`` deviations above the mean).
    ``rounded``: ``best`` holds ``round(score, DIGITS)`` already (numpy rounds faster).
    ``among``: indexes of ``best`` that hold the ``limit`` best and every card tied with
    the last of them (numpy finds them faster); the order is chosen among these only."""
    scores = best if rounded else [round(b, DIGITS) for b in best]
    if not scores:
        return {}, 0.0
    mean = math.fsum(scores) / len(scores)
    spread = math.sqrt(math.fsum((s - mean) ** 2 for s in scores) / len(scores))
    indexes = range(len(scores)) if among is None else among
    order = heapq.nsmallest(limit, indexes, key=lambda i: (-scores[i], paths[i]))
    return {paths[i]: scores[i] for i in order}, round(mean + standout * spread, DIGITS)
