"""Fusing the lexical ranking with the dense one: reciprocal rank or normalised score.

Both take each ranking as an ordered mapping path -> score (best first) and return the
fused scores; a card found by one ranking only still gets that ranking's share. Which
fusion kb uses, and its weights, were chosen on bench/relevance's tuning halves
(bench/README.md, "Dense retrieval"). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

RRF_K = 60  # the constant of Cormack et al. (2009): damps the top ranks' lead


def reciprocal_rank(
    lexical: Mapping[str, float], dense: Mapping[str, float], dense_weight: float = 1.0
) -> dict[str, float]:
    """sum of weight / (k + rank) over the rankings each card appears in."""
    fused: dict[str, float] = {}
    for ranking, weight in ((lexical, 1.0), (dense, dense_weight)):
        for rank, path in enumerate(ranking, 1):
            fused[path] = fused.get(path, 0.0) + weight / (RRF_K + rank)
    return fused


def normalised_score(
    lexical: Mapping[str, float], dense: Mapping[str, float], dense_weight: float = 1.0
) -> dict[str, float]:
    """Each ranking's scores scaled to 0..1 (min-max over its list), then a weighted sum."""
    fused: dict[str, float] = {}
    for ranking, weight in ((lexical, 1.0), (dense, dense_weight)):
        for path, value in _scaled(ranking).items():
            fused[path] = fused.get(path, 0.0) + weight * value
    return fused


def _scaled(scores: Mapping[str, float]) -> dict[str, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {p: (s - low) / span if span > 0 else 1.0 for p, s in scores.items()}


FUSIONS = {"rrf": reciprocal_rank, "score": normalised_score}
