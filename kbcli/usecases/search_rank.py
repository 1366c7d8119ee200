"""The one ranking of kb: search, suggest, related and duplicates all come here.

Query planning (filters, one OR clause per word with a coordination bonus, typo
expansion only for words no card uses, phrases), BM25 over the combined ``words``
field, then fusion with the dense ranking when there is one, trust and language.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kbcli.core.languages import STOP_WORDS, content_words, query_languages
from kbcli.core.query import ParsedQuery
from kbcli.core.word_forms import query_words
from kbcli.usecases.search_hits import (
    Hit,
    SearchResult,
    score_hits,
    term_matcher,
    with_snippet,
)
from kbcli.usecases.search_listing import listed
from kbcli.usecases.search_pointers import with_pointers
from kbcli.usecases.search_titles import titled_first

if TYPE_CHECKING:
    import tantivy

    from kbcli.adapters.tantivy_index import CardIndex, RawHit
    from kbcli.adapters.tantivy_queries import QueryBuilder
    from kbcli.workspace import Workspace


# Ranking constants, tuned on bench/relevance's tuning halves (bench/README.md):
COORDINATION = 1.5  # added per query word a card matches: more of the question wins
TYPO_PENALTY = 0.4  # a typo's expansion scores as its real term, times this
COORDINATION_BY_IDF = True  # a word's bonus in proportion to its idf (a stop word's: ~0)
STOP_WORDS_SCORED = False  # stop words stay in the query (BM25's idf weighs them), not dropped
STOP_WORD_WEIGHT = 0.0  # else: a stop word's clause weighs this much (0: the word is dropped)
POOL = 60  # candidates re-ranked by trust and language before the limit is cut
# The dense weight when the query is (confidently) in one of these languages, where the
# dense model measured weaker against kb's own stemming than in English (tuning halves).
DENSE_WEIGHTS: dict[str, float] = {"ru": 1.0, "uk": 1.0}
FUSION, DENSE_WEIGHT = "score", 2.0  # how the dense ranking joins (tuning halves: bench)
POINTERS = True  # a pointer card in the query's language stands for its target in another


def _filters(
    workspace: Workspace, qb: QueryBuilder, query: ParsedQuery, include_archived: bool
) -> tuple[list[tantivy.Query], list[tantivy.Query]]:
    """(required, excluded) filter queries of a parsed query."""
    from kbcli.adapters.tantivy_schema import day_number

    today = day_number(workspace.today)
    required: list[tantivy.Query] = []
    excluded: list[tantivy.Query] = []
    for item in query.filters:
        (excluded if item.negated else required).append(qb.key(item.key, item.value))
    for state in query.states:
        (excluded if state.negated else required).append(_state(workspace, qb, state.state, today))
    if not include_archived and not query.mentions_status:
        excluded.append(qb.key("status", "archived"))
    return required, excluded


class _Terms:
    """A query's words as index terms: exact ones, typo expansions, all to highlight.

    This and the other records of a ranking are plain classes, not dataclasses: making
    a dataclass costs ~0.5 ms of a one-shot search's start-up (its methods are compiled
    when the module loads), and nothing compares or prints these.
    """

    __slots__ = ("clauses", "expansions", "highlight")

    def __init__(
        self,
        clauses: list[tantivy.Query],
        expansions: dict[str, list[str]],
        highlight: set[str],
    ) -> None:
        self.clauses = clauses
        self.expansions = expansions
        self.highlight = highlight


def word_clauses(
    qb: QueryBuilder, words: Sequence[str], down: frozenset[str] = frozenset()
) -> _Terms:
    """One OR clause per word, plus a constant bonus per matched word (coordination).

    A word in the vocabulary matches its own terms only; a word that no card uses is
    expanded to its nearest vocabulary terms, scored as those terms with a penalty, so
    a typo's match never outranks an exact one. Words in ``down`` (stop words of a
    question) weigh ``STOP_WORD_WEIGHT``.
    """
    t = qb.t
    clauses: list[tantivy.Query] = []
    expansions: dict[str, list[str]] = {}
    highlight: set[str] = set()
    parts = (part for w in words for part in query_words(w.lower()))  # tar.gz: tar, gz
    for word in dict.fromkeys(parts):
        terms = qb.terms(word)
        boost = STOP_WORD_WEIGHT if word in down else 1.0
        if terms and not any(qb.known(term) for term in terms):
            near = [n for term in terms for n in qb.near_terms(term)]
            if near:
                expansions[word] = near
                terms, boost = list(dict.fromkeys(near)), TYPO_PENALTY
        if not terms:
            continue
        highlight.update(terms)
        match = qb.any_term(terms, boost)
        clauses.append(match)
        if COORDINATION_BY_IDF:
            bonus = COORDINATION * boost * qb.weight(terms)
            clauses.append(t.Query.const_score_query(match, bonus))
        elif word not in STOP_WORDS:
            clauses.append(t.Query.const_score_query(match, COORDINATION * boost))
    return _Terms(clauses, expansions, highlight)


def rank(
    workspace: Workspace,
    index: CardIndex,
    query: ParsedQuery,
    limit: int,
    *,
    include_archived: bool = False,
    explain: bool = False,
    snippets: bool = True,
    qb: QueryBuilder | None = None,
    languages: frozenset[str] | None = None,
    extra: Sequence[tantivy.Query] = (),
    exclude_path: str | None = None,
    semantic: bool = True,
) -> SearchResult:
    """The one ranking of kb: search, suggest, related and duplicates all come here.

    One OR query over the combined ``words`` field (BM25 with title, tags and headings
    weighted by repetition), a coordination bonus per matched word, typo expansion only
    for words no card uses; then trust and the query's language as score factors. No
    stage ever hides a better partial match. Phrases must appear; filters constrain.
    """
    qb = qb or index.queries()
    required, excluded = _filters(workspace, qb, query, include_archived)
    excluded += [qb.word(w) for w in query.excluded_words]
    excluded += [qb.phrase(p) for p in query.excluded_phrases]
    if exclude_path:
        excluded.append(qb.path(exclude_path))
    if not query.has_terms and not extra:
        return listed(workspace, index, qb, query, limit, required, excluded, snippets)
    terms = _query_terms(index, qb, query)
    phrases = [qb.phrase(p) for p in query.phrases]
    q = qb.combine(
        phrases,
        should=[*terms.clauses, *extra],
        must_not=excluded,
        filters=required,
        min_should=None if phrases else 1,
    )
    if languages is None:
        languages = query_languages(
            [part for w in (*query.words, *query.phrases) for part in query_words(w)], qb.groups
        )
    total, raw = index.search(q, max(POOL, limit * 3))
    dense = _Dense()
    if semantic and not extra:
        dense_query = " ".join((*query.words, *query.phrases))
        dense = _dense(workspace, index, dense_query, max(POOL, limit * 3))
    filters = (phrases, excluded, required)
    found = _with_dense(workspace, index, qb, raw, total, dense, filters, languages)
    follow = POINTERS and not extra
    hits = _ordered(workspace, index, qb, found, limit, follow, languages, filters)
    if not extra:
        hits = titled_first(hits, query, found.hits)
    hits = _finish(workspace, index, q, found.raw, hits[:limit], terms.highlight, explain, snippets)
    result = SearchResult(query, hits, found.total, "ranked")
    result.expansions = terms.expansions
    result.languages = tuple(sorted(languages))
    result.semantic, result.missing_vectors = dense.note, dense.missing
    return result


def _query_terms(index: CardIndex, qb: QueryBuilder, query: ParsedQuery) -> _Terms:
    """The query's word clauses, and its phrases' terms to highlight."""
    words, down = list(query.words), frozenset[str]()
    if not STOP_WORDS_SCORED:
        content = content_words(words)
        if STOP_WORD_WEIGHT and len(content) < len(words):
            down = frozenset(w.lower() for w in words if w not in content)
        else:
            words = content
    terms = word_clauses(qb, words, down)
    for phrase in query.phrases:
        for word in index.analysis.words_of(phrase):
            terms.highlight.update(qb.terms(word))
    return terms


class _Found:
    """The candidates so far: hits, their index documents, and how many matched."""

    __slots__ = ("hits", "raw", "total")

    def __init__(self, hits: list[Hit], raw: list[RawHit], total: int) -> None:
        self.hits = hits
        self.raw = raw
        self.total = total


def _with_dense(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    raw: list[RawHit],
    total: int,
    dense: _Dense,
    filters: tuple[list[tantivy.Query], list[tantivy.Query], list[tantivy.Query]],
    languages: frozenset[str],
) -> _Found:
    """The lexical hits ``raw`` fused with the dense ranking; a card sharing no query word
    joins only if it passes the query's filters and its cosine stands out
    (``dense.floor``). All are judged in one verdict pass; no dense scores, no fusion."""
    if not dense.scores:
        return _Found(score_hits(workspace, raw, "ranked", languages), list(raw), total)
    phrases, excluded, required = filters
    ok = qb.combine(
        phrases,
        should=[qb.path(p) for p in dense.scores],
        must_not=excluded,
        filters=required,
        min_should=1,
    )
    _, allowed = index.search(ok, len(dense.scores), by_path=True)
    lexical = {r.path for r in raw}
    only_dense = [
        r for r in allowed if r.path not in lexical and dense.scores[r.path] >= dense.floor
    ]
    hits = score_hits(workspace, [*raw, *only_dense], "ranked", languages)
    passing = lexical | {r.path for r in only_dense}
    scores = {p: s for p, s in dense.scores.items() if p in passing}
    hits = _fused(hits, scores, dense_weight(languages))
    return _Found(hits, [*raw, *only_dense], max(total, len(hits)))


def _ordered(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    found: _Found,
    limit: int,
    follow: bool,
    languages: frozenset[str],
    filters: tuple[list[tantivy.Query], list[tantivy.Query], list[tantivy.Query]],
) -> list[Hit]:
    """The hits best first; with ``follow``, pointer cards in the query's language that
    pass the query's ``filters`` take the place of targets only other languages have
    (``search_pointers``)."""
    hits = sorted(found.hits, key=lambda h: -h.score)
    if not follow:
        return hits
    hits, pointer_raw = with_pointers(workspace, index, qb, hits, limit, languages, filters)
    found.raw += pointer_raw
    return hits


def _finish(
    workspace: Workspace,
    index: CardIndex,
    q: tantivy.Query,
    raw: Sequence[RawHit],
    hits: list[Hit],
    highlight: set[str],
    explain: bool,
    snippets: bool,
) -> list[Hit]:
    """The hits shown: with the terms behind each score (``explain``) and snippets."""
    texts = {r.path: r.text for r in raw}
    if explain:
        from kbcli.usecases.search_explain import why

        hits = [h._replace(why=why(index, q, raw, h.path) if h.bm25 else ()) for h in hits]
    if snippets:
        matcher = term_matcher(index, highlight)
        hits = [with_snippet(workspace, h, texts[h.path], matcher) for h in hits]
    return hits


class _Dense:
    """The dense ranking's scores by path, or the note saying why there is none."""

    __slots__ = ("floor", "missing", "note", "scores")

    def __init__(
        self,
        scores: dict[str, float] | None = None,
        note: str = "",
        missing: int = 0,
        floor: float = 0.0,
    ) -> None:
        self.scores = {} if scores is None else scores
        self.note = note
        self.missing = missing
        self.floor = floor


def _dense(workspace: Workspace, index: CardIndex, text: str, limit: int) -> _Dense:
    """The dense ranking when there is one to use, else why not ("" when not wanted).

    Silent without the extra unless vectors were made here (someone wanted them): then,
    as when the model cannot load, the note says search ranks by words only.
    """
    if not workspace.config.search.semantic:  # as semantic.enabled, before importing it
        return _Dense()
    from kbcli.adapters.embedder import NotInstalled, Unavailable
    from kbcli.usecases import semantic

    try:
        ranking = semantic.dense_ranking(workspace, index, text, limit)
    except Unavailable as error:
        if isinstance(error, NotInstalled) and not semantic.vectors_exist(workspace):
            return _Dense()
        return _Dense(note=f"{error}; ranking by words only")
    return _Dense(ranking.scores, "fused", ranking.missing, ranking.floor)


def dense_weight(languages: frozenset[str]) -> float:
    """The dense ranking's weight in the fusion: ``DENSE_WEIGHTS`` for a query whose
    languages all have one (the smallest), else ``DENSE_WEIGHT``."""
    if languages and all(lang in DENSE_WEIGHTS for lang in languages):
        return min(DENSE_WEIGHTS[lang] for lang in languages)
    return DENSE_WEIGHT


def _fused(hits: list[Hit], dense: dict[str, float], weight: float) -> list[Hit]:
    """``hits`` scored by the fusion of their lexical and dense rankings, times each
    card's trust and language factors (applied once, after fusion)."""
    from kbcli.core.fusion import FUSIONS

    lexical = {h.path: h.bm25 for h in sorted(hits, key=lambda h: -h.bm25) if h.bm25 > 0}
    fused = FUSIONS[FUSION](lexical, dense, weight)
    lex_rank = {p: i for i, p in enumerate(lexical, 1)}
    dense_rank = {p: i for i, p in enumerate(dense, 1)}
    return [
        h._replace(
            score=fused.get(h.path, 0.0) * h.factor * h.lang_factor,
            lexical_rank=lex_rank.get(h.path),
            dense_rank=dense_rank.get(h.path),
            dense=dense.get(h.path, 0.0),
        )
        for h in hits
        if h.path in fused
    ]


def _state(workspace: Workspace, qb: QueryBuilder, state: str, today: int) -> tantivy.Query:
    """``is:STATE`` on the verdict: the index knows dates; evidence comes from the history
    (judging every card, as kb list does, only when a query filters on trust this way)."""
    if state not in ("verified", "due", "needs-review"):
        return qb.state(state, today)
    from kbcli.usecases.health import judged

    doubted = [qb.path(i.path) for i in judged(workspace) if i.trust.reasons]
    if state == "needs-review":
        fresh = qb.combine([], should=[qb.state("verified", today), qb.state("due", today)])
        return qb.combine([fresh], should=doubted or [qb.path("")], min_should=1)
    return qb.combine([qb.state(state, today)], must_not=doubted)
