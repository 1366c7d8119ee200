"""Ranking levers measured in session 9 and not adopted, kept here so the figures rerun.

Each is switched on by ``sweep.py`` (module ``"levers"``) around kb's own ranking,
without a knob in kb: they wrap ``CardIndex.search`` (the one unordered search of
``search_rank.rank``; the look-ups by path are left alone) and ``QueryBuilder.any_term``.

- ``FEEDBACK_DOCS`` > 0: pseudo-relevance feedback, RM3-style. The first pass's best
  cards give their terms (term frequency over card length, times the card's score over
  the first card's, times the term's idf weight); the ``FEEDBACK_TERMS`` strongest,
  used by at least two cards and not already in the query, are added as OR clauses,
  the strongest at boost ``FEEDBACK_WEIGHT`` (a query word's is 1). The bench questions
  carry no filters, so the second pass is simply "first query OR feedback terms".
  ``FEEDBACK_CHARS`` > 0 reads only each card's first characters (its title and lead).
- ``LENGTH_PRIOR`` != 0: each candidate's BM25 score times (characters of the card) **
  ``LENGTH_PRIOR`` (a document-length prior on top of BM25's own normalisation).
- ``SYNONYMS``: English WordNet synonyms (``thesaurus.py``) of an exact query word's
  terms, known to the index, as an alternative of that word at boost ``SYNONYM_WEIGHT``
  (a disjunction-max with the word: a synonym never adds to the word itself).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

FEEDBACK_DOCS = 0
FEEDBACK_TERMS = 10
FEEDBACK_WEIGHT = 0.2
FEEDBACK_CHARS = 0  # > 0: read only the first this many characters of each card (its lead)
LENGTH_PRIOR = 0.0
SYNONYMS: dict[str, set[str]] = {}
SYNONYM_WEIGHT = 0.3

_installed = False
_asked: set[str] = set()  # the current query's terms (QueryBuilder.terms records them)


def install() -> None:
    """Wrap kb's search and query builder once (each lever is off until switched on)."""
    global _installed
    if _installed:
        return
    from kbcli.adapters.tantivy_index import CardIndex
    from kbcli.adapters.tantivy_queries import QueryBuilder

    CardIndex.search = _searching(CardIndex.search)  # type: ignore[method-assign]
    QueryBuilder.any_term = _with_synonyms(QueryBuilder.any_term)  # type: ignore[method-assign]
    QueryBuilder.terms = _recording(QueryBuilder.terms)  # type: ignore[method-assign]
    _installed = True


def _searching(original: Callable[..., Any]) -> Callable[..., Any]:
    def search(self: Any, query: Any, limit: int, *, by_path: bool = False) -> Any:
        total, raw = original(self, query, limit, by_path=by_path)
        if by_path:
            return total, raw
        asked = set(_asked)
        _asked.clear()
        if FEEDBACK_DOCS and raw:
            more = _feedback(self, raw, asked)
            if more:
                import tantivy

                occur = tantivy.Occur.Should
                expanded = tantivy.Query.boolean_query(
                    [(occur, query), *((occur, m) for m in more)]
                )
                total, raw = original(self, expanded, limit)
        if LENGTH_PRIOR:
            raw = [r._replace(score=r.score * max(len(r.text), 1) ** LENGTH_PRIOR) for r in raw]
            raw.sort(key=lambda r: -r.score)
        return total, raw

    return search


def _feedback(index: Any, raw: list[Any], asked: set[str]) -> list[Any]:
    from kbcli.adapters.tantivy_schema import WORDS
    from kbcli.core.languages import normalize_lang

    qb = index.queries()
    top = sorted(raw, key=lambda r: -r.score)[:FEEDBACK_DOCS]
    weights: Counter[str] = Counter()
    for hit in top:
        text = hit.text[:FEEDBACK_CHARS] if FEEDBACK_CHARS else hit.text
        terms = index.analysis.terms(normalize_lang(hit.meta.get("lang"), "en"), text)
        if not terms or top[0].score <= 0:
            continue
        share = hit.score / top[0].score / len(terms)
        for term, count in Counter(terms).items():
            weights[term] += share * count
    ranked = []
    for term, weight in weights.most_common(FEEDBACK_TERMS * 4):
        if term not in asked and int(qb.searcher.doc_freq(WORDS, term)) >= 2:
            ranked.append((term, weight * qb.weight([term])))
    ranked.sort(key=lambda item: -item[1])
    ranked = ranked[:FEEDBACK_TERMS]
    if not ranked:
        return []
    strongest = ranked[0][1]
    return [qb.any_term([t], FEEDBACK_WEIGHT * w / strongest) for t, w in ranked]


def _recording(original: Callable[..., Any]) -> Callable[..., Any]:
    def terms(self: Any, word: str) -> list[str]:
        found: list[str] = original(self, word)
        _asked.update(found)
        return found

    return terms


def _with_synonyms(original: Callable[..., Any]) -> Callable[..., Any]:
    def any_term(self: Any, terms: list[str], boost: float = 1.0) -> Any:
        query = original(self, terms, boost)
        if not SYNONYMS or boost != 1.0 or not terms:
            return query
        found = [s for t in terms for s in SYNONYMS.get(t, ()) if s not in terms]
        found = [s for s in dict.fromkeys(found) if self.known(s)]
        if not found:
            return query
        other = original(self, found, SYNONYM_WEIGHT)
        return self.t.Query.disjunction_max_query([query, other])

    return any_term
