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
- ``RESCORE`` (session 10): the ``RESCORE_POOL`` best Tantivy candidates scored again in
  Python by BM25 over the same ``words`` terms (read from ``.kb/index/documents.marshal``),
  with ``K1`` and ``B`` settable (Tantivy fixes k1 1.2, b 0.75; rank_bm25 uses k1 1.5).
  idf and the coordination bonus are kb's own (Tantivy's idf from the searcher's
  ``doc_freq`` and ``num_docs``, one bonus per matched word as ``search_rank``); a word's
  alternative terms take the best of them (as the disjunction-max query does).
  ``COORDINATION_SHAPE`` changes how the bonus grows with the share of the question's
  words (weighted by idf) a card matches: linear (kb's), square, sqrt, or "all" (the
  whole bonus again when every word matches).
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
RESCORE = False
RESCORE_POOL = 200
K1 = 1.2
B = 0.75
COORDINATION_SHAPE = "linear"  # or "square", "sqrt", "all" (levers._shaped)

_installed = False
_asked: set[str] = set()  # the current query's terms (QueryBuilder.terms records them)
_words: list[tuple[list[str], float]] = []  # the current query's (terms, boost) per word
_documents: dict[str, tuple[dict[str, dict[str, int]], dict[str, int], float]] = {}


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
        if by_path:
            return original(self, query, limit, by_path=by_path)
        total, raw = original(self, query, max(limit, RESCORE_POOL) if RESCORE else limit)
        asked = set(_asked)
        _asked.clear()
        words = list(_words)
        _words.clear()
        if RESCORE and words:
            raw = _rescored(self, raw, words)[:limit]
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


def _term_counts(index: Any) -> tuple[dict[str, dict[str, int]], dict[str, int], float]:
    """Per card path: its ``words`` terms counted, its length; the mean length."""
    key = str(index.directory)
    if key not in _documents:
        import marshal

        data = (index.directory / "documents.marshal").read_bytes()
        _, entries = marshal.loads(data[12:])  # magic (8 bytes), checksum (4)
        counts, lengths = {}, {}
        for path, (_, _, values) in entries.items():
            terms = str(values[0]).split()
            counts[path] = dict(Counter(terms))
            lengths[path] = len(terms)
        mean = sum(lengths.values()) / max(len(lengths), 1)
        _documents[key] = (counts, lengths, mean)
    return _documents[key]


def _byte4(code: int) -> int:
    """Lucene's SmallFloat.byte4ToInt, the lengths Tantivy's one-byte field norms keep."""
    if code < 24:
        return code
    i = code - 24
    bits, shift = i & 7, (i >> 3) - 1
    return (bits if shift == -1 else (bits | 8) << shift) + 24


_NORMS = [_byte4(c) for c in range(256)]


def _stored_length(length: int) -> int:
    """A card's length as Tantivy keeps it (the largest norm not above it)."""
    import bisect

    return _NORMS[bisect.bisect_right(_NORMS, length) - 1]


def _rescored(index: Any, raw: list[Any], words: list[tuple[list[str], float]]) -> list[Any]:
    """``raw`` scored again by BM25 with ``K1``/``B`` plus kb's coordination bonus."""
    import math

    from kbcli.adapters.tantivy_schema import WORDS
    from kbcli.usecases import search_rank

    counts, lengths, mean = _term_counts(index)
    searcher = index.index.searcher()
    docs = max(1, int(searcher.num_docs))
    freq = {t: int(searcher.doc_freq(WORDS, t)) for terms, _ in words for t in terms}

    def idf(n: int) -> float:
        return math.log(1 + (docs - n + 0.5) / (n + 0.5))

    bonus = []
    for terms, boost in words:
        weight = idf(max(max(freq[t] for t in terms), 1)) / idf(1)
        bonus.append(search_rank.COORDINATION * boost * weight)
    out = []
    for hit in raw:
        tf = counts.get(hit.path)
        if tf is None:
            out.append(hit)
            continue
        norm = K1 * (1 - B + B * _stored_length(lengths[hit.path]) / mean)
        score = share = 0.0
        for (terms, boost), extra in zip(words, bonus, strict=True):
            best = max(
                (idf(freq[t]) * tf[t] * (K1 + 1) / (tf[t] + norm) for t in terms if t in tf),
                default=0.0,
            )
            if best > 0:
                score += boost * best
                share += extra
        out.append(hit._replace(score=score + _shaped(share, sum(bonus))))
    out.sort(key=lambda r: -r.score)
    return out


def _shaped(matched: float, whole: float) -> float:
    """The coordination bonus of a card matching ``matched`` of the query's ``whole``
    (each word's bonus, kb's linear sum) in the shape ``COORDINATION_SHAPE``."""
    if COORDINATION_SHAPE == "linear" or whole <= 0:
        return matched
    part = matched / whole
    if COORDINATION_SHAPE == "square":  # the same bonus for all words, less for some
        return whole * part**2
    if COORDINATION_SHAPE == "sqrt":  # more for the first words matched
        return whole * part**0.5
    return matched + (whole if part > 0.999 else 0.0)  # "all": double when all match


def _recording(original: Callable[..., Any]) -> Callable[..., Any]:
    def terms(self: Any, word: str) -> list[str]:
        found: list[str] = original(self, word)
        _asked.update(found)
        return found

    return terms


def _with_synonyms(original: Callable[..., Any]) -> Callable[..., Any]:
    def any_term(self: Any, terms: list[str], boost: float = 1.0) -> Any:
        query = original(self, terms, boost)
        if RESCORE and boost > 0 and terms:
            _words.append((list(terms), boost))
        if not SYNONYMS or boost != 1.0 or not terms:
            return query
        found = [s for t in terms for s in SYNONYMS.get(t, ()) if s not in terms]
        found = [s for s in dict.fromkeys(found) if self.known(s)]
        if not found:
            return query
        other = original(self, found, SYNONYM_WEIGHT)
        return self.t.Query.disjunction_max_query([query, other])

    return any_term
