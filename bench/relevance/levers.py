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

Session 16 (all off by default; bench/README.md, "Issue 12 A, session 16"):

- ``QTF_POWER`` > 0: a word the question repeats weighs its count ** ``QTF_POWER`` (kb
  takes each word once; rank_bm25 scores a repeated query word once per repeat).
- ``IDF_FLOOR`` > 0: a word whose idf weight (0-1, ``QueryBuilder.weight``) is below the
  floor is left out of the query (corpus-made stop words: the words most cards use),
  unless it is the question's only word, or, with ``IDF_FLOOR_KEEPS_REPEATS``, the
  question repeats it.
- ``IDF_POWER`` != 0: each word's clause and coordination bonus times its idf weight **
  ``IDF_POWER`` (> 0: telling words count more against common ones than BM25's idf says).
- ``MINED`` "leads" / "titles": synonyms mined from the corpus itself, no outside data.
  "leads": terms that appear together in cards' naming parts (title, aliases, lead
  paragraph) more than by chance (cosine of their card sets, at least ``MINED_MIN`` cards
  together); "titles": a lead term's associated title terms (how the pages' one-line
  descriptions name what their titles call it: "archive" -> tar, zip). The
  ``MINED_TERMS`` strongest per term become alternatives of a query word at boost
  ``MINED_WEIGHT``, through the ``SYNONYMS`` disjunction-max (never adding to the word).

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
QTF_POWER = 0.0  # > 0: a repeated question word weighs count ** this (session 16)
IDF_FLOOR = 0.0  # > 0: words whose idf weight is below this are left out of the query
IDF_FLOOR_KEEPS_REPEATS = False  # ... unless the question repeats the word
IDF_POWER = 0.0  # != 0: each word's clause and bonus times its idf weight ** this
MINED = ""  # "leads" or "titles": synonyms mined from the corpus's naming parts
MINED_TERMS = 3  # alternatives kept per term, strongest first
MINED_MIN = 3  # cards a pair must share
MINED_MIN_COSINE = 0.1  # association a pair must reach
MINED_WEIGHT = 0.3  # a mined alternative's boost (the word's own is 1)
MINED_MAX_SHARE = 0.02  # terms in more of the cards' naming parts than this are not mined
SPAN_WEIGHT = 0.0  # > 0: the candidates re-scored by how near the question's words stand
SPAN_SHAPE = "mindist"  # or "cover": the nearest pair's distance, or the shortest window
SCORER = "bm25"  # RESCORE's model: "bm25", or "dirichlet" (query likelihood, session 16)
MU = 1000.0  # the Dirichlet prior: how many words of the whole corpus smooth each card
SECTION_LONG = 0  # > 0: a card with more words than this scores by its best section instead
SECTION_SPLIT = "sections"  # how a long card is cut: "sections" (at headings) or "blocks"

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
    search_rank.word_clauses = _with_term_weights(_with_proximity(search_rank.word_clauses))
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
        if SPAN_WEIGHT and words:
            raw = _by_span(self, raw, words)
        if SECTION_LONG and words:
            raw = _by_best_section(self, raw, words)
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
    if SCORER == "dirichlet":
        return _query_likelihood(index, raw, words, bonus)
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
        if (
            RESCORE or PASSAGE_WEIGHT or TITLE_BONUS or LEAD_BONUS or SPAN_WEIGHT or SECTION_LONG
        ) and (boost > 0 and terms):
            _words.append((list(terms), boost))
        table = _mined(self.index) if MINED else SYNONYMS
        weight = MINED_WEIGHT if MINED else SYNONYM_WEIGHT
        if not table or boost != 1.0 or not terms:
            return query
        found = [s for t in terms for s in table.get(t, ()) if s not in terms]
        found = [s for s in dict.fromkeys(found) if self.known(s)]
        if not found:
            return query
        other = original(self, found, weight)
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


_mined_tables: dict[tuple[str, str, int, int, float, float], dict[str, list[str]]] = {}


def _mined(index: Any) -> dict[str, list[str]]:
    """Synonyms mined from ``index``'s own cards (``MINED``), made once per setting."""
    key = (str(index.directory), MINED, MINED_TERMS, MINED_MIN, MINED_MIN_COSINE, MINED_MAX_SHARE)
    if key not in _mined_tables:
        _mined_tables[key] = mine(
            index, MINED, MINED_TERMS, MINED_MIN, MINED_MIN_COSINE, MINED_MAX_SHARE
        )
    return _mined_tables[key]


def naming_parts(index: Any) -> list[tuple[str, set[str], set[str]]]:
    """Each card's (language, title and alias terms, lead paragraph terms), analysed as
    indexed."""
    import tantivy

    from kbcli.core.languages import normalize_lang
    from kbcli.core.pointers import lead_span

    searcher = index.index.searcher()
    _, raw = index.search(tantivy.Query.all_query(), max(1, int(searcher.num_docs)))
    out = []
    for hit in raw:
        lang = normalize_lang(hit.meta.get("lang"), "en")
        title = " ".join([str(hit.meta.get("title", "")), *hit.meta.get("aliases", [])])
        start, end = lead_span(hit.text)
        lead = hit.text[start:end]
        out.append(
            (lang, set(index.analysis.terms(lang, title)), set(index.analysis.terms(lang, lead)))
        )
    return out


def mine(
    index: Any, mode: str, keep: int, least: int, cosine: float, share: float = 1.0
) -> dict[str, list[str]]:
    """term -> its ``keep`` most associated terms (cosine of the sets of cards holding
    each, at least ``least`` cards together and ``cosine`` strong). "leads": both terms
    in a card's title-and-lead; "titles": the first in a lead, the second in that card's
    title (a description word -> the names titles give it). Terms in more than ``share``
    of the naming parts of their language's cards (function words, "More information")
    are left out."""
    import math

    cards = naming_parts(index)
    seen: Counter[tuple[str, str]] = Counter(
        (lang, t) for lang, title, lead in cards for t in title | lead
    )
    per_lang = Counter(lang for lang, _, _ in cards)
    common = {t for (lang, t), n in seen.items() if n > share * per_lang[lang]}

    together: Counter[tuple[str, str]] = Counter()
    first: Counter[str] = Counter()
    second: Counter[str] = Counter()
    for _, title, lead in cards:
        title, lead = title - common, lead - common
        if mode == "leads":
            words = sorted(title | lead)
            first.update(words)
            second.update(words)
            together.update((a, b) for a in words for b in words if a != b)
        else:
            first.update(lead)
            second.update(title)
            together.update((a, b) for a in lead for b in title if a != b)
    found: dict[str, list[tuple[float, str]]] = {}
    for (a, b), n in together.items():
        if n < least:
            continue
        strength = n / math.sqrt(first[a] * second[b])
        if strength >= cosine:
            found.setdefault(a, []).append((strength, b))
    return {a: [b for _, b in sorted(pairs, reverse=True)[:keep]] for a, pairs in found.items()}


def _with_term_weights(original: Callable[..., Any]) -> Callable[..., Any]:
    """``word_clauses`` with the session-16 weights of each question word: its repeats
    (``QTF_POWER``), an idf floor (``IDF_FLOOR``), an idf power (``IDF_POWER``). Off, the
    original; on, the same clauses as kb makes (typo expansion, coordination by idf)
    with each word's boost changed."""

    def word_clauses(qb: Any, words: Any, down: frozenset[str] = frozenset()) -> Any:
        if not (QTF_POWER or IDF_FLOOR or IDF_POWER):
            return original(qb, words, down)
        from kbcli.core.word_forms import query_words
        from kbcli.usecases import search_rank

        t = qb.t
        parts = [part for w in words for part in query_words(w.lower())]
        counts = Counter(parts)
        found = search_rank._Terms([], {}, set())
        planned = []
        for word in dict.fromkeys(parts):
            terms = qb.terms(word)
            boost = search_rank.STOP_WORD_WEIGHT if word in down else 1.0
            if terms and not any(qb.known(term) for term in terms):
                near = [n for term in terms for n in qb.near_terms(term)]
                if near:
                    found.expansions[word] = near
                    terms, boost = list(dict.fromkeys(near)), search_rank.TYPO_PENALTY
            if not terms:
                continue
            planned.append((word, terms, boost, qb.weight(terms)))
        if IDF_FLOOR and planned:
            kept = [
                p
                for p in planned
                if p[2] <= 0  # stop words weigh 0 already
                or p[3] >= IDF_FLOOR
                or (IDF_FLOOR_KEEPS_REPEATS and counts[p[0]] > 1)
            ]
            if not any(p[2] > 0 for p in kept):  # never the question's last word
                kept = [max(planned, key=lambda p: (p[2] > 0, p[3]))]
            planned = kept
        for word, terms, boost, weight in planned:
            if QTF_POWER:
                boost *= counts[word] ** QTF_POWER
            if IDF_POWER:
                boost *= max(weight, 1e-6) ** IDF_POWER
            found.highlight.update(terms)
            match = qb.any_term(terms, boost)
            found.clauses.append(match)
            bonus = search_rank.COORDINATION * boost * weight
            found.clauses.append(t.Query.const_score_query(match, bonus))
        return found

    return word_clauses


def _by_span(index: Any, raw: list[Any], words: list[tuple[list[str], float]]) -> list[Any]:
    """``raw`` re-scored by proximity over each candidate's whole text (session 16; session
    13's pairs were Tantivy phrase clauses with a slop): "mindist", Tao and Zhai's
    log(0.3 + exp(-d)) with d the fewest positions between two different question words
    in the card (0 when fewer than two match: the bonus then is log 0.3, the floor);
    "cover", the share of the card's matched question words (by idf weight) over
    log2(2 + w - n), w the shortest window holding one of each and n their number.
    Either is added times ``SPAN_WEIGHT``."""
    import math

    from kbcli.core.languages import normalize_lang

    qb = index.queries()
    weights = [qb.weight(terms) * boost for terms, boost in words]
    which = {t: i for i, (terms, _) in enumerate(words) for t in terms}
    out = []
    for hit in raw:
        lang = normalize_lang(hit.meta.get("lang"), "en")
        positions = [
            (pos, which[t])
            for pos, t in enumerate(index.analysis.terms(lang, hit.text))
            if t in which
        ]
        kinds = {i for _, i in positions}
        if SPAN_SHAPE == "mindist":
            best = math.inf
            last: dict[int, int] = {}
            for pos, i in positions:
                for j, at in last.items():
                    if j != i:
                        best = min(best, pos - at)
                last[i] = pos
            extra = math.log(0.3 + math.exp(-best)) - math.log(0.3) if best < math.inf else 0.0
        else:
            best_window = math.inf
            need = len(kinds)
            have: Counter[int] = Counter()
            left = 0
            for pos, i in positions:
                have[i] += 1
                while len(have) == need:
                    best_window = min(best_window, pos - positions[left][0] + 1)
                    j = positions[left][1]
                    have[j] -= 1
                    if not have[j]:
                        del have[j]
                    left += 1
            total = sum(weights) or 1.0
            share = sum(weights[i] for i in kinds) / total
            extra = share / math.log2(2 + best_window - need) if need > 1 else 0.0
        out.append(hit._replace(score=hit.score + SPAN_WEIGHT * extra))
    out.sort(key=lambda r: -r.score)
    return out


def _by_best_section(index: Any, raw: list[Any], words: list[tuple[list[str], float]]) -> list[Any]:
    """``raw`` with each long card (over ``SECTION_LONG`` words) scored by its best
    section's BM25 instead of its whole text's (session 16; session 13 added the best
    passage to every card). Both BM25s are computed here over the card's analysed text
    (k1 1.2, b 0.75, Tantivy's idf; lengths over the candidates' mean card / section
    length), and the card's score changes by their difference, so its coordination
    bonus, title repeats and trust factor stay as kb made them. Short cards (every tldr
    page) are left as they are."""
    import math

    from kbcli.adapters.tantivy_schema import WORDS
    from kbcli.core.languages import normalize_lang

    global PASSAGE_SPLIT
    searcher = index.index.searcher()
    docs = max(1, int(searcher.num_docs))
    freq = {t: int(searcher.doc_freq(WORDS, t)) for terms, _ in words for t in terms}

    def idf(n: int) -> float:
        return math.log(1 + (docs - n + 0.5) / (n + 0.5))

    def bm25(tf: Counter[str], mean: float) -> float:
        norm = 1.2 * (0.25 + 0.75 * sum(tf.values()) / max(mean, 1))
        return sum(
            boost
            * max(
                (idf(freq[t]) * tf[t] * 2.2 / (tf[t] + norm) for t in terms if t in tf),
                default=0.0,
            )
            for terms, boost in words
        )

    was, PASSAGE_SPLIT = PASSAGE_SPLIT, SECTION_SPLIT
    try:
        cards = []
        for hit in raw:
            lang = normalize_lang(hit.meta.get("lang"), "en")
            whole = Counter(index.analysis.terms(lang, hit.text))
            parts = [Counter(index.analysis.terms(lang, p)) for p in card_passages(hit.text)]
            cards.append((whole, [p for p in parts if p]))
    finally:
        PASSAGE_SPLIT = was
    mean_card = sum(sum(w.values()) for w, _ in cards) / max(len(cards), 1)
    sections = [sum(p.values()) for _, parts in cards for p in parts]
    mean_section = sum(sections) / max(len(sections), 1)
    out = []
    for hit, (whole, parts) in zip(raw, cards, strict=True):
        if sum(whole.values()) <= SECTION_LONG or len(parts) < 2:
            out.append(hit)
            continue
        best = max(bm25(p, mean_section) for p in parts)
        out.append(hit._replace(score=hit.score - bm25(whole, mean_card) + best))
    out.sort(key=lambda r: -r.score)
    return out


_collection: dict[str, tuple[Counter[str], int]] = {}


def _query_likelihood(
    index: Any, raw: list[Any], words: list[tuple[list[str], float]], bonus: list[float]
) -> list[Any]:
    """``raw`` scored by query likelihood with Dirichlet smoothing instead of BM25
    (session 16): per question word, log(1 + tf / (MU x p(term | corpus))), plus the
    question's length x log(MU / (card length + MU)), over the same ``words`` terms;
    kb's coordination bonus added as ``_rescored`` adds it. A word's alternatives
    take the best of them."""
    import math

    counts, lengths, _ = _term_counts(index)
    key = str(index.directory)
    if key not in _collection:
        whole: Counter[str] = Counter()
        for tf in counts.values():
            whole.update(tf)
        _collection[key] = (whole, sum(whole.values()))
    whole, size = _collection[key]
    out = []
    for hit in raw:
        tf = counts.get(hit.path)
        if tf is None:
            out.append(hit)
            continue
        score = share = 0.0
        for (terms, boost), extra in zip(words, bonus, strict=True):
            best = max(
                (math.log(1 + tf[t] / (MU * max(whole[t], 1) / size)) for t in terms if t in tf),
                default=0.0,
            )
            if best > 0:
                score += boost * best
                share += extra
        score += sum(b for _, b in words) * math.log(MU / (lengths[hit.path] + MU))
        out.append(hit._replace(score=score + _shaped(share, sum(bonus))))
    out.sort(key=lambda r: -r.score)
    return out
