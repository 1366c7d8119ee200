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

Session 13 (all off by default; bench/README.md, "Issue 12 A, session 13"):

- ``TITLE_BONUS`` / ``LEAD_BONUS`` > 0: a flat bonus per question word found in the card's
  title (with its aliases) / its lead paragraph, times the word's idf weight as the
  coordination bonus weighs it: a match there counted once, not saturated by BM25's term
  frequency as the repetition of the naming parts inside ``words`` is.
- ``PASSAGE_WEIGHT`` > 0: each candidate's best passage (``card_passages``: paragraphs,
  a tldr example's description with its command; or sections at headings) adds this
  times its score: the idf weights of the question's words it holds, or its BM25.
- ``PROXIMITY_WEIGHT`` > 0: a clause per pair of the question's words within
  ``PROXIMITY_SLOP`` positions of each other (Tantivy phrase queries with slop).

The passage and title/lead levers re-score the candidates kb's search returns (60) in
Python, from their stored text: fine to measure relevance, not how kb would ship them.
"""

from __future__ import annotations

import itertools
import marshal
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
PASSAGE_WEIGHT = 0.0  # > 0: a card's best passage adds this times its score (session 13)
PASSAGE_SPLIT = "blocks"  # or "sections" (at headings), how a card becomes passages
PASSAGE_SCORE = "coord"  # or "bm25": the passage's idf-weighted words, or BM25 over passages
TITLE_BONUS = 0.0  # > 0: per question word in the card's title (and aliases), x its idf weight
LEAD_BONUS = 0.0  # > 0: the same for its lead paragraph (session 13)
PROXIMITY_WEIGHT = 0.0  # > 0: pairs of query words near each other score (session 13)
PROXIMITY_SLOP = 8  # positions allowed between the two words of a pair
PROXIMITY_PAIRS = "adjacent"  # or "all": which pairs of the question's words
PROXIMITY_SCORE = "bm25"  # or "const": the pair's own BM25, or a flat bonus by idf
PROXIMITY_BOTH_ORDERS = True  # the pair in either order ("modified files", "files modified")

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
    from kbcli.usecases import search_rank

    CardIndex.search = _searching(CardIndex.search)  # type: ignore[method-assign]
    search_rank.word_clauses = _with_proximity(search_rank.word_clauses)
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
        if (TITLE_BONUS or LEAD_BONUS) and words:
            raw = _by_naming_parts(self, raw, words)
        if PASSAGE_WEIGHT and words:
            raw = _by_passages(self, raw, words)
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
        entries = kept_entries(index.directory / "documents.marshal")
        counts, lengths = {}, {}
        for path, (_, _, values) in entries.items():
            terms = str(values[0]).split()
            counts[path] = dict(Counter(terms))
            lengths[path] = len(terms)
        mean = sum(lengths.values()) / max(len(lengths), 1)
        _documents[key] = (counts, lengths, mean)
    return _documents[key]


def kept_entries(path: Any) -> dict[str, Any]:
    """The documents kb keeps for rebuilds (``index_documents``), whatever their
    fingerprint: path -> (hash, language, fields; the ``words`` terms first)."""
    from kbcli.adapters.index_documents import parse

    data = path.read_bytes()
    start = len(b"kbdocs2\n")
    fingerprint = marshal.loads(
        data[start + 4 : start + 4 + int.from_bytes(data[start : start + 4], "big")]
    )
    return parse(data, fingerprint)


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
        if (RESCORE or PASSAGE_WEIGHT or TITLE_BONUS or LEAD_BONUS) and boost > 0 and terms:
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


def _with_proximity(original: Callable[..., Any]) -> Callable[..., Any]:
    """``word_clauses`` plus, with ``PROXIMITY_WEIGHT``, one clause per pair of the
    question's (exact, not typo) words: the two within ``PROXIMITY_SLOP`` positions
    of each other in the card's ``words`` field (a phrase query with slop, scored by
    Tantivy: no Python work per card). A card where the question's words stand
    together (one tldr example, one handbook sentence) gains over one that has them
    scattered."""

    def word_clauses(qb: Any, words: Any, down: frozenset[str] = frozenset()) -> Any:
        found = original(qb, words, down)
        if not PROXIMITY_WEIGHT:
            return found
        from kbcli.core.word_forms import query_words

        t = qb.t
        exact = []
        for word in dict.fromkeys(p for w in words for p in query_words(w.lower())):
            if word in down or word in found.expansions:
                continue
            terms = [term for term in qb.terms(word) if qb.known(term)]
            if terms:
                exact.append(terms)
        if PROXIMITY_PAIRS == "adjacent":
            pairs = list(itertools.pairwise(exact))
        else:
            pairs = [(a, b) for i, a in enumerate(exact) for b in exact[i + 1 :]]
        for a, b in pairs:
            combos = [(x, y) for x in a for y in b if x != y][:4]
            if PROXIMITY_BOTH_ORDERS:
                combos += [(y, x) for x, y in combos]
            if not combos:
                continue
            phrases = [
                t.Query.phrase_query(qb.schema, "words", [x, y], PROXIMITY_SLOP) for x, y in combos
            ]
            near = phrases[0] if len(phrases) == 1 else t.Query.disjunction_max_query(phrases)
            if PROXIMITY_SCORE == "const":
                bonus = PROXIMITY_WEIGHT * min(qb.weight(a), qb.weight(b))
                found.clauses.append(t.Query.const_score_query(near, bonus))
            else:
                found.clauses.append(t.Query.boost_query(near, PROXIMITY_WEIGHT))
        return found

    return word_clauses


def card_passages(text: str) -> list[str]:
    """A card's body as passages: ``PASSAGE_SPLIT`` "blocks" (paragraphs; a paragraph
    ending with ":" keeps the next, so a tldr example is its description and its command;
    a heading joins the paragraph after it) or "sections" (at headings)."""
    if PASSAGE_SPLIT == "sections":
        from kbcli.core.passages import _sections

        return [" ".join([h, *lines]) for h, lines in _sections(text)]
    found: list[str] = []
    glue = False
    for block in (b.strip() for b in text.split("\n\n")):
        if not block:
            continue
        if glue and found:
            found[-1] += "\n" + block
        else:
            found.append(block)
        glue = block.endswith(":") or (block.startswith("#") and "\n" not in block)
    return found


def _by_passages(index: Any, raw: list[Any], words: list[tuple[list[str], float]]) -> list[Any]:
    """``raw`` with each card's best passage added: ``PASSAGE_WEIGHT`` times the sum of
    the idf weights of the question's words it holds ("coord"), or its BM25 ("bm25",
    k1 1.2, b 0.75 over the passages' mean length among the candidates)."""
    import math

    from kbcli.adapters.tantivy_schema import WORDS
    from kbcli.core.languages import normalize_lang

    searcher = index.index.searcher()
    docs = max(1, int(searcher.num_docs))
    freq = {t: int(searcher.doc_freq(WORDS, t)) for terms, _ in words for t in terms}

    def idf(n: int) -> float:
        return math.log(1 + (docs - n + 0.5) / (n + 0.5))

    weights = [idf(max(max(freq[t] for t in terms), 1)) / idf(1) for terms, _ in words]
    analysed = []
    for hit in raw:
        lang = normalize_lang(hit.meta.get("lang"), "en")
        analysed.append([Counter(index.analysis.terms(lang, p)) for p in card_passages(hit.text)])
    lengths = [sum(c.values()) for passages in analysed for c in passages]
    mean = sum(lengths) / max(len(lengths), 1)
    out = []
    for hit, passages in zip(raw, analysed, strict=True):
        best = 0.0
        for tf in passages:
            if PASSAGE_SCORE == "coord":
                score = sum(
                    w * boost
                    for (terms, boost), w in zip(words, weights, strict=True)
                    if any(t in tf for t in terms)
                )
            else:
                norm = 1.2 * (0.25 + 0.75 * sum(tf.values()) / max(mean, 1))
                score = sum(
                    boost
                    * max(
                        (idf(freq[t]) * tf[t] * 2.2 / (tf[t] + norm) for t in terms if t in tf),
                        default=0.0,
                    )
                    for terms, boost in words
                )
            best = max(best, score)
        out.append(hit._replace(score=hit.score + PASSAGE_WEIGHT * best))
    out.sort(key=lambda r: -r.score)
    return out


def _by_naming_parts(index: Any, raw: list[Any], words: list[tuple[list[str], float]]) -> list[Any]:
    """``raw`` with a flat bonus per question word in the card's title (``TITLE_BONUS``)
    and lead paragraph (``LEAD_BONUS``), each x the word's idf weight (as the
    coordination bonus): a title or lead match counted once, never saturated by BM25's
    term frequency as the repetition inside ``words`` is."""
    from kbcli.core.languages import normalize_lang
    from kbcli.core.pointers import lead_span

    qb = index.queries()
    weights = [qb.weight(terms) * boost for terms, boost in words]
    out = []
    for hit in raw:
        lang = normalize_lang(hit.meta.get("lang"), "en")
        title = " ".join([str(hit.meta.get("title", "")), *hit.meta.get("aliases", [])])
        start, end = lead_span(hit.text)
        extra = 0.0
        for bonus, text in ((TITLE_BONUS, title), (LEAD_BONUS, hit.text[start:end])):
            if not bonus:
                continue
            have = set(index.analysis.terms(lang, text))
            extra += bonus * sum(
                w for (terms, _), w in zip(words, weights, strict=True) if have & set(terms)
            )
        out.append(hit._replace(score=hit.score + extra))
    out.sort(key=lambda r: -r.score)
    return out
