"""Search use cases: keep the index fresh, search, related cards, suggestions, duplicates.

Every use case syncs the index first (stat only when nothing changed), so an edit
is visible to the very next search. Trust is never read from the index for display:
each hit's trust is assessed with ``core.trust.assess`` on the run's day, and the
ranking boost for verified cards and penalty for expired ones is applied then.

Stable API for other features (``kb capture`` calls ``suggest``)::

    suggest(workspace, text, limit=5) -> list[Hit]
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import CardMeta, Status, to_utc
from kbcli.core.durations import parse_duration
from kbcli.core.languages import (
    STOP_WORDS,
    content_words,
    he_words,
    make_snippet,
    normalize_lang,
    query_languages,
)
from kbcli.core.progress import Progress, no_progress
from kbcli.core.query import KeyFilter, ParsedQuery, QueryError, StateFilter, parse_query
from kbcli.core.trust import Trust, assess
from kbcli.errors import KbError
from kbcli.usecases.freshness import INDEX_DIR, FreshnessStart

if TYPE_CHECKING:
    import tantivy

    from kbcli.adapters.card_cache import CardCache
    from kbcli.adapters.git_status import PendingView
    from kbcli.adapters.index_manifest import ManifestFiles
    from kbcli.adapters.tantivy_index import CardIndex, RawHit
    from kbcli.adapters.tantivy_queries import QueryBuilder
    from kbcli.adapters.tantivy_schema import IndexedCard
    from kbcli.adapters.tantivy_writer import SyncStats
    from kbcli.core.languages import Snippet
    from kbcli.workspace import Workspace

# Ranking constants, tuned on bench/relevance's tuning halves (bench/README.md):
COORDINATION = 1.5  # added per query word a card matches: more of the question wins
TYPO_PENALTY = 0.4  # a typo's expansion scores as its real term, times this
OTHER_LANGUAGE = 0.4  # score factor of a card not in the query's (confident) language
POOL = 60  # candidates re-ranked by trust and language before the limit is cut
FUSION, DENSE_WEIGHT = "score", 2.0  # how the dense ranking joins (tuning halves: bench)
RELATED_TERMS, RELATED_TERMS_VERSION = "related-terms.marshal", 1  # kb related's term counts


@dataclass(frozen=True)
class Hit:
    """One search result. Fields are stable: ``kb capture`` and ``--json`` rely on them.

    ``score`` is the final ranking score (``bm25`` times ``factor``, the trust
    boost or penalty); ``snippet`` is a passage of the card with ``highlights``, the
    (start, end) character ranges in it that matched.
    """

    path: str
    title: str
    meta: CardMeta
    trust: Trust
    score: float
    bm25: float
    factor: float
    snippet: str = ""
    highlights: tuple[tuple[int, int], ...] = ()
    stage: str = ""
    why: tuple[tuple[str, float], ...] = ()
    lang_factor: float = 1.0
    lexical_rank: int | None = None  # with dense retrieval: the card's rank by words
    dense_rank: int | None = None  # ... and by meaning (None: not in that list)
    dense: float = 0.0  # the best cosine of its passages to the query

    @property
    def is_draft(self) -> bool:
        return self.meta.status in (Status.DRAFT, Status.REQUESTED)


@dataclass
class SearchResult:
    query: ParsedQuery
    hits: list[Hit]
    total: int
    stage: str = ""
    stats: SyncStats | None = None
    hints: list[str] = field(default_factory=list)
    archived_hidden: int = 0
    expansions: dict[str, list[str]] = field(default_factory=dict)  # typo -> terms used
    languages: tuple[str, ...] = ()  # the query's languages, preferred in the ranking
    semantic: str = ""  # how dense retrieval took part: "" (off), "fused", or why not
    missing_vectors: int = 0  # indexed cards that had no vectors for this search


# --- the index --------------------------------------------------------------------------


def settings_key(workspace: Workspace) -> str:
    """What documents depend on besides the card files: a change forces a rebuild."""
    config = workspace.config
    return repr(
        (
            config.search.default_lang,
            config.trust_policy,
            config.cards.folders,
            config.cards.ignore,
            config.cards.max_front_matter,
        )
    )


def open_index(workspace: Workspace, opened: ManifestFiles | None = None) -> CardIndex:
    from kbcli.adapters.tantivy_index import CardIndex

    return CardIndex(
        workspace.root, workspace.config.cache_dir / INDEX_DIR, settings_key(workspace), opened
    )


def _preparer(
    workspace: Workspace, cache: CardCache | None = None
) -> Callable[[str, bytes], IndexedCard]:
    """Turns a card file's bytes into its index document; with ``cache`` (a whole
    rebuild), cards unchanged since another command read them are not parsed again."""
    from kbcli.adapters.card_files import card_from_bytes
    from kbcli.adapters.language_id import detect
    from kbcli.adapters.tantivy_schema import NEVER, IndexedCard, day_number

    policy = workspace.config.trust_policy
    default_lang = workspace.config.search.default_lang
    max_front = workspace.config.cards.max_front_matter

    def prepare(rel: str, data: bytes) -> IndexedCard:
        # No "today": future dates are judged at query time.
        if cache is not None:
            card = cache.card_from(rel, data, workspace.card_files.parse, None)
        else:
            card = card_from_bytes(rel, data, None, max_front)
        meta = card.meta
        # The card's own lang, else its text's, else the repo's default.
        lang = normalize_lang(meta.lang or detect(card.body), default_lang)
        cadence = policy.cadence_for(rel)
        every = meta.verify_every or cadence.verify_every
        verified_on = meta.verified_on
        if verified_on is None:
            vday = eday = wday = -1
        elif every.is_never:
            vday, eday, wday = day_number(verified_on), NEVER, NEVER
        else:
            expires = every.after(verified_on)
            vday, eday = day_number(verified_on), day_number(expires)
            wday = day_number(cadence.warn_within.before(expires))
        return IndexedCard(card, lang, vday, eday, wday, _front(meta, lang))

    return prepare


def _front(meta: CardMeta, lang: str) -> dict[str, Any]:
    """Every front-matter key as text (lists stay lists), for ``key:value`` filters."""
    front: dict[str, Any] = {k: _text_leaves(v) for k, v in meta.extra.items()}
    front.update(
        title=meta.title,
        status=meta.status.value,
        audience=meta.audience.value,
        lang=lang,
        tags=list(meta.tags),
        aliases=list(meta.aliases),
        verifiers=list(meta.effective_verifiers),
        depends_on=list(meta.depends_on),
    )
    if meta.owner:
        front["owner"] = meta.owner
    if meta.template:
        front["template"] = meta.template
    if meta.verified_at:
        front["verified_at"] = meta.verified_on.isoformat() if meta.verified_on else ""
    if meta.verify_every:
        front["verify_every"] = str(meta.verify_every)
    return {k: v for k, v in front.items() if v not in ([], "", None)}


def _text_leaves(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _text_leaves(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text_leaves(v) for v in value if v is not None]
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def sync(
    workspace: Workspace,
    *,
    rebuild: bool = False,
    wait: float = 0.0,
    progress: Progress = no_progress,
    index: CardIndex | None = None,
    git: PendingView | None = None,
) -> SyncStats:
    """Bring the index in step with the card files; returns what changed.

    ``wait`` is how long to wait for another kb process's writer (0: don't wait and
    search the last committed index instead). ``git`` is a ``git status`` of the
    repo started earlier (``git_status.start``); without it, one is run now.
    """
    started = time.monotonic()
    index = index or open_index(workspace)
    scan, checked, head, dirty = _look(workspace, index, rebuild, git)
    cache = None
    if rebuild or index.manifest.key != index.key:  # every card is indexed again
        cache = workspace.card_files.cache()
    stats = index.sync(
        scan,
        _preparer(workspace, cache),
        rebuild=rebuild,
        wait=wait,
        progress=lambda done, total: progress("indexing cards", done, total),
        checked=checked,
        head=head,
        dirty=dirty,
    )
    if cache is not None and not stats.busy:
        cache.save(keep_unseen=True)
    stats.seconds = time.monotonic() - started  # the freshness check included
    if stats.busy and wait > 0:
        raise KbError(
            f"another kb process has been updating the index for over {wait:.0f} seconds; "
            "try again when it has finished"
        )
    return stats


def _look(
    workspace: Workspace, index: CardIndex, rebuild: bool, pending: PendingView | None
) -> tuple[dict[str, tuple[int, int]], set[str] | None, str, frozenset[str]]:
    """What to compare with the index: (stats, paths checked or None for all, HEAD, dirty).

    In a git work tree only the files git reports as changed (now, at the last sync,
    or between the last sync's HEAD and this one) are stat-ed; elsewhere, every card.
    """
    from kbcli.adapters import git_status
    from kbcli.adapters.index_scan import scan_cards

    manifest = index.manifest
    folders = tuple(workspace.config.cards.folders)
    state_dir = os.fspath(workspace.config.cache_dir / INDEX_DIR)
    if pending is not None and (
        pending.root != os.fspath(workspace.root) or pending.folders not in (None, folders)
    ):
        pending.cancel()  # another repo, or card folders kb.toml no longer names
        pending = None
    if pending is None:
        pending = git_status.start(workspace.root, folders, state_dir)
    git = pending.result()
    if git is not None:
        git_status.remember_folders(state_dir, folders)
        workspace.memo.head = git.head if git.shallow is False else None
    if git is None:
        return (
            scan_cards(workspace.card_files, {} if rebuild else manifest.files),
            None,
            "",
            frozenset(),
        )
    full = rebuild or manifest.key != index.key or not manifest.head
    between: set[str] | None = set()
    if not full and manifest.head != git.head:
        between = git_status.changed_between(workspace.root, manifest.head, git.head)
    if full or between is None:
        scan = scan_cards(workspace.card_files, {} if rebuild else manifest.files)
        return scan, None, git.head, _cards(workspace, git.dirty)
    checked = _cards(workspace, git.dirty | set(manifest.dirty) | between)
    scan = {}
    for rel in checked:
        try:
            st = os.stat(workspace.root / rel)
        except OSError:
            continue
        scan[rel] = (st.st_size, st.st_mtime_ns)
    return scan, set(checked), git.head, _cards(workspace, git.dirty)


def _cards(workspace: Workspace, paths: Iterable[str]) -> frozenset[str]:
    is_card = workspace.card_files.is_card_path
    return frozenset(p for p in paths if p.endswith(".md") and is_card(p))


def _meta_from(stored: dict[str, Any], today: date) -> CardMeta:
    verified_at = to_utc(stored.get("verified_at")) if stored.get("verified_at") else None
    if verified_at is not None and verified_at.date() > today:
        verified_at = None  # a future date counts as never verified (as kb list says)
    every = None
    if stored.get("verify_every"):
        try:
            every = parse_duration(stored["verify_every"])
        except ValueError:
            every = None
    try:
        status = Status(stored.get("status") or "published")
    except ValueError:
        status = Status.PUBLISHED
    from kbcli.core.cards import Audience

    try:
        audience = Audience(stored.get("audience") or "internal")
    except ValueError:
        audience = Audience.INTERNAL
    return CardMeta(
        title=stored.get("title") or "",
        owner=stored.get("owner"),
        verified_at=verified_at,
        verify_every=every,
        tags=tuple(stored.get("tags") or ()),
        status=status,
        audience=audience,
        lang=stored.get("lang"),
        aliases=tuple(stored.get("aliases") or ()),
    )


def trust_factor(workspace: Workspace, trust: Trust) -> float:
    """The ranking multiplier of a verdict (kb.toml [search]; ``verdict.ranking_factor``)."""
    from kbcli.core.verdict import ranking_factor

    search = workspace.config.search
    return ranking_factor(trust, search.verified_boost, search.expired_penalty)


Matcher = Callable[[str], Callable[[str], bool]]


def _hits(
    workspace: Workspace,
    raw: Sequence[RawHit],
    stage: str,
    languages: frozenset[str] = frozenset(),
) -> list[Hit]:
    """Hits with trust and final scores (BM25 x trust x language preference)."""
    from kbcli.usecases.verdict_cache import verdicts_for

    hits = []
    policy = workspace.config.trust_policy
    metas = {item.path: _meta_from(item.meta, workspace.today) for item in raw}
    verdicts = verdicts_for(
        workspace, {p: assess(m, policy, p, workspace.today) for p, m in metas.items()}
    )
    for item in raw:
        meta = metas[item.path]
        trust = verdicts[item.path]
        factor = trust_factor(workspace, trust)
        lang = normalize_lang(meta.lang, workspace.config.search.default_lang)
        lang_factor = OTHER_LANGUAGE if languages and lang not in languages else 1.0
        hits.append(
            Hit(
                path=item.path,
                title=meta.title,
                meta=meta,
                trust=trust,
                score=item.score * factor * lang_factor,
                bm25=item.score,
                factor=factor,
                stage=stage,
                lang_factor=lang_factor,
            )
        )
    return hits


def _with_snippet(workspace: Workspace, hit: Hit, text: str, matcher: Matcher) -> Hit:
    """``hit`` with the passage of ``text`` that best matches (highlighted by ``matcher``)."""
    lang = normalize_lang(hit.meta.lang, workspace.config.search.default_lang)
    snippet: Snippet = make_snippet(text, matcher(lang))
    return replace(hit, snippet=snippet.text, highlights=snippet.highlights)


def _matcher(index: CardIndex, terms: set[str]) -> Matcher:
    """Per card language: does a word of the card match one of the query's terms?"""
    analysis = index.analysis
    wanted = terms - STOP_WORDS

    def for_lang(lang: str) -> Callable[[str], bool]:
        def matches(card_word: str) -> bool:
            return any(t in wanted for t in analysis.word_terms(lang, card_word))

        return matches

    return for_lang


# --- search -----------------------------------------------------------------------------


def search(
    workspace: Workspace,
    text: str,
    *,
    limit: int = 10,
    include_archived: bool = False,
    explain: bool = False,
    sync_first: bool = True,
    snippets: bool = True,
    started: FreshnessStart | None = None,
    progress: Progress = no_progress,
    index: CardIndex | None = None,
    hints: bool = True,
) -> SearchResult:
    """Search the cards with the query language (see ``kbcli.core.query``).

    With ``sync_first`` the index is brought up to date first, in effect: the query
    runs while ``git status`` (``started`` early by the caller, or now) is still
    looking for changed cards, and runs again only if the sync changed the index.
    ``snippets=False`` leaves each hit's snippet empty (``--paths-only`` shows none).
    ``index``: an open index to use when ``sync_first`` is off (a resident process's).
    ``hints=False`` skips the searches that explain an empty result (for a program).
    """
    try:
        query = parse_query(text)
        if query.is_empty:
            raise QueryError(
                'give something to search for, e.g. kb search "refund duplicate charge"'
            )
    except QueryError as error:
        if started is not None:  # stop the freshness check nobody will read
            started.close()
        raise KbError(str(error)) from None
    if not sync_first:
        index = index or open_index(workspace)
    else:
        if started is None or started.root != os.fspath(workspace.root):
            if started is not None:
                started.close()
            started = FreshnessStart(workspace.root)
        index = open_index(workspace, started.manifest_files)
        workspace.memo.expected_head = index.manifest.head or None
    qb = index.queries()
    result = _run(workspace, index, qb, query, limit, include_archived, explain, snippets)
    if started is not None:
        stats = sync(workspace, index=index, git=started.git, progress=progress)
        memo = workspace.memo  # verdicts from the cache of another HEAD: judge again
        if stats.rebuilt or stats.touched or memo.verdict_head not in (None, memo.head):
            qb = index.queries()
            result = _run(workspace, index, qb, query, limit, include_archived, explain, snippets)
        result.stats = stats
    if hints and not result.hits:
        result.hints = _hints(workspace, index, qb, query, include_archived)
    return result


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


@dataclass
class _Terms:
    """A query's words as index terms: exact ones, typo expansions, all to highlight."""

    clauses: list[tantivy.Query]
    expansions: dict[str, list[str]]
    highlight: set[str]


def _word_clauses(qb: QueryBuilder, words: Sequence[str]) -> _Terms:
    """One OR clause per word, plus a constant bonus per matched word (coordination).

    A word in the vocabulary matches its own terms only; a word that no card uses is
    expanded to its nearest vocabulary terms, scored as those terms with a penalty, so
    a typo's match never outranks an exact one.
    """
    t = qb.t
    clauses: list[tantivy.Query] = []
    expansions: dict[str, list[str]] = {}
    highlight: set[str] = set()
    parts = (m.group() for w in words for m in he_words(w.lower()))  # tar.gz: tar, gz
    for word in dict.fromkeys(parts):
        terms = qb.terms(word)
        boost = 1.0
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
        q = qb.combine([], must_not=excluded, filters=required)
        total, raw = index.search(q, limit, by_path=True)
        hits = _hits(workspace, raw, "filters only")
        if snippets:
            texts = {r.path: r.text for r in raw}
            matcher = _matcher(index, set())
            hits = [_with_snippet(workspace, h, texts[h.path], matcher) for h in hits]
        return SearchResult(query, hits, total, "filters")
    words = content_words(query.words) if query.words else []
    terms = _word_clauses(qb, words)
    for phrase in query.phrases:
        for word in index.analysis.words_of(phrase):
            terms.highlight.update(qb.terms(word))
    phrases = [qb.phrase(p) for p in query.phrases]
    should = [*terms.clauses, *extra]
    q = qb.combine(
        phrases,
        should=should,
        must_not=excluded,
        filters=required,
        min_should=None if phrases else 1,
    )
    if languages is None:
        languages = query_languages(
            [m.group() for w in (*query.words, *query.phrases) for m in he_words(w)], qb.groups
        )
    total, raw = index.search(q, max(POOL, limit * 3))
    hits = _hits(workspace, raw, "ranked", languages)
    note, missing = "", 0
    if semantic and not extra:
        dense_query = " ".join((*query.words, *query.phrases))
        found = _dense(workspace, index, dense_query, max(POOL, limit * 3))
        note, missing = found.note, found.missing
        if found.scores:
            ok = qb.combine(
                phrases,
                should=[qb.path(p) for p in found.scores],
                must_not=excluded,
                filters=required,
                min_should=1,
            )
            _, allowed = index.search(ok, len(found.scores), by_path=True)
            lexical = {h.path for h in hits}
            only_dense = [
                r for r in allowed if r.path not in lexical and found.scores[r.path] >= found.floor
            ]
            hits += _hits(workspace, only_dense, "ranked", languages)
            raw = [*raw, *only_dense]
            passing = lexical | {r.path for r in only_dense}
            dense = {p: s for p, s in found.scores.items() if p in passing}
            hits = _fused(hits, dense)
            total = max(total, len(hits))
    hits.sort(key=lambda h: -h.score)
    hits = hits[:limit]
    texts = {r.path: r.text for r in raw}
    if explain:
        hits = [replace(h, why=_why(index, q, raw, h.path) if h.bm25 else ()) for h in hits]
    if snippets:
        matcher = _matcher(index, terms.highlight)
        hits = [_with_snippet(workspace, h, texts[h.path], matcher) for h in hits]
    result = SearchResult(query, hits, total, "ranked")
    result.expansions = terms.expansions
    result.languages = tuple(sorted(languages))
    result.semantic, result.missing_vectors = note, missing
    return result


@dataclass
class _Dense:
    scores: dict[str, float] = field(default_factory=dict)
    note: str = ""
    missing: int = 0
    floor: float = 0.0


def _dense(workspace: Workspace, index: CardIndex, text: str, limit: int) -> _Dense:
    """The dense ranking when there is one to use, else why not ("" when not wanted).

    Silent without the extra unless vectors were made here (someone wanted them): then,
    as when the model cannot load, the note says search ranks by words only.
    """
    from kbcli.usecases import semantic

    if not semantic.enabled(workspace):
        return _Dense()
    from kbcli.adapters.embedder import NotInstalled, Unavailable

    try:
        ranking = semantic.dense_ranking(workspace, index, text, limit)
    except Unavailable as error:
        if isinstance(error, NotInstalled) and not semantic.vectors_exist(workspace):
            return _Dense()
        return _Dense(note=f"{error}; ranking by words only")
    return _Dense(ranking.scores, "fused", ranking.missing, ranking.floor)


def _fused(hits: list[Hit], dense: dict[str, float]) -> list[Hit]:
    """``hits`` scored by the fusion of their lexical and dense rankings, times each
    card's trust and language factors (applied once, after fusion)."""
    from kbcli.core.fusion import FUSIONS

    lexical = {h.path: h.bm25 for h in sorted(hits, key=lambda h: -h.bm25) if h.bm25 > 0}
    fused = FUSIONS[FUSION](lexical, dense, DENSE_WEIGHT)
    lex_rank = {p: i for i, p in enumerate(lexical, 1)}
    dense_rank = {p: i for i, p in enumerate(dense, 1)}
    return [
        replace(
            h,
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


def _run(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    query: ParsedQuery,
    limit: int,
    include_archived: bool,
    explain: bool,
    snippets: bool = True,
) -> SearchResult:
    return rank(
        workspace,
        index,
        query,
        limit,
        include_archived=include_archived,
        explain=explain,
        snippets=snippets,
        qb=qb,
    )


def _why(
    index: CardIndex, q: tantivy.Query, raw: Sequence[RawHit], path: str
) -> tuple[tuple[str, float], ...]:
    """The term contributions behind one hit's BM25 score, largest first."""
    import re

    from kbcli.adapters.tantivy_queries import iter_terms

    address = next(r.address for r in raw if r.path == path)
    totals: dict[str, float] = {}
    for context, value in iter_terms(index.explain(q, address)):
        match = re.search(r'field=(\d+), type=(\w+), (?:"(.*)"|(\S+))\)', context)
        if not match:
            continue
        label = match.group(3) or match.group(4)
        totals[label] = totals.get(label, 0.0) + value
    ordered = sorted(totals.items(), key=lambda kv: -kv[1])
    return tuple((k, round(v, 3)) for k, v in ordered if v > 0)[:8]


def _hints(
    workspace: Workspace,
    index: CardIndex,
    qb: QueryBuilder,
    query: ParsedQuery,
    include_archived: bool,
) -> list[str]:
    """Why nothing matched: filters that emptied the result, hidden archived cards, near words."""
    hints = []
    items: list[KeyFilter | StateFilter] = [*query.filters, *query.states]
    for item in items:
        relaxed = query.without(item)
        if relaxed.is_empty:
            continue
        found = _run(workspace, index, qb, relaxed, 3, include_archived, False, False)
        if found.hits:
            hints.append(
                f"without {query.describe(item)}: {found.total} card(s), e.g. {found.hits[0].path}"
            )
    if not include_archived and not query.mentions_status:
        found = _run(workspace, index, qb, query, 3, True, False, False)
        if found.hits:
            hints.append(
                f"{found.total} archived card(s) match; add is:archived or --archived to see them"
            )
    if not hints and query.words:
        near = _near_words(index, query.words)
        if near:
            hints.append("did you mean: " + ", ".join(near))
    return hints


def _near_words(index: CardIndex, words: Sequence[str]) -> list[str]:
    """Titles of cards whose words are two edits or less from the query's."""
    from kbcli.adapters.tantivy_schema import WORDS

    qb = index.queries()
    parts = [
        qb.t.Query.fuzzy_term_query(qb.schema, WORDS, term, 2, True, False)
        for word in words
        for term in qb.terms(word)
        if len(term) >= 3
    ]
    if not parts:
        return []
    _, raw = index.search(qb.combine([], should=parts, min_should=1), 3)
    return [f'"{r.meta.get("title")}" ({r.path})' for r in raw]


# --- related, suggest, duplicates ------------------------------------------------------


def card_words(
    index: CardIndex, title: str, tags: Sequence[str], body: str, lang: str
) -> list[str]:
    """What a card is about, as query words: its title and tags, then the body's words
    that are most frequent in it and rarest in the repo (tf x idf), up to 30 in all."""
    import math

    from kbcli.adapters.tantivy_schema import WORDS

    chosen = list(dict.fromkeys(w.lower() for w in _words(" ".join((title, *tags)))))
    counts: dict[str, int] = {}
    first: dict[str, str] = {}
    for word in _words(body):
        terms = index.analysis.word_terms(lang, word)
        if not terms or len(word) < 3 or word.isdigit():
            continue
        counts[terms[0]] = counts.get(terms[0], 0) + 1
        first.setdefault(terms[0], word.lower())
    searcher = index.index.searcher()
    live = max(1, int(searcher.num_docs))

    def weight(term: str) -> float:
        df = min(live, int(searcher.doc_freq(WORDS, term)))
        return counts[term] * math.log(1 + (live - df + 0.5) / (df + 0.5))

    for term in sorted(counts, key=weight, reverse=True):
        if len(chosen) >= 30:
            break
        if first[term] not in chosen:
            chosen.append(first[term])
    return chosen


def related(
    workspace: Workspace, ref: str, *, limit: int = 5, progress: Progress = no_progress
) -> tuple[str, list[Hit]]:
    """The cards most similar to one card: its words ranked as a query, same language first."""
    index = open_index(workspace)
    sync(workspace, index=index, progress=progress)
    card = _card_fast(workspace, ref)
    return card.path, similar(workspace, index, card, limit)


def similar(workspace: Workspace, index: CardIndex, card: Any, limit: int) -> list[Hit]:
    """The cards the handbook lists as related to ``card`` (``usecases.related``: term
    vectors, ``depends_on`` links first), as hits with their verdicts and snippets.

    The same list as the handbook's (an internal build's published cards), never a
    second notion of "related"; ``score`` is the similarity. Every card's term counts
    are kept in ``.kb/`` so a later run analyses only changed cards.
    """
    from kbcli.adapters import keyed_cache
    from kbcli.core.cards import Audience
    from kbcli.core.handbook import in_audience
    from kbcli.usecases.related import related_to

    lang = workspace.config.search.default_lang
    cards = [c for c in workspace.catalog.cards if in_audience(c, Audience.INTERNAL)]
    store, key = workspace.config.cache_dir / RELATED_TERMS, (RELATED_TERMS_VERSION, lang)
    known = keyed_cache.load(store, key) or {}
    ranked, terms = related_to(card, cards, lang, limit, known_terms=known, workspace=workspace)
    if terms != known:
        keyed_cache.save(store, key, terms)
    if not ranked:
        return []
    qb = index.queries()
    q = qb.combine([], should=[qb.path(path) for path, _ in ranked], min_should=1)
    _, raw = index.search(q, len(ranked), by_path=True)
    texts = {r.path: r.text for r in raw}
    found = {h.path: h for h in _hits(workspace, raw, "similar")}
    card_lang = normalize_lang(card.meta.lang, lang)
    words = card_words(index, card.meta.title, card.meta.tags, card.body, card_lang)
    matcher = _matcher(index, _word_clauses(qb, content_words(words)).highlight)
    return [
        _with_snippet(
            workspace,
            replace(found[path], score=score, bm25=score, factor=1.0),
            texts[path],
            matcher,
        )
        for path, score in ranked
        if path in found
    ]


def _card_fast(workspace: Workspace, ref: str) -> Any:
    """A card by path without loading the whole catalog; falls back to full resolution."""
    candidates = [ref, ref + ".md"]
    rel_cwd = None
    if workspace.cwd.resolve().is_relative_to(workspace.root):
        rel_cwd = workspace.cwd.resolve().relative_to(workspace.root)
    for candidate in candidates:
        path = Path(candidate).expanduser()
        options = [path] if path.is_absolute() else [workspace.root / path]
        if rel_cwd is not None and not path.is_absolute():
            options.append(workspace.root / rel_cwd / path)
        for option in options:
            resolved = option.resolve()
            if resolved.is_file() and resolved.is_relative_to(workspace.root):
                rel = resolved.relative_to(workspace.root).as_posix()
                if workspace.card_files.is_card_path(rel):
                    return workspace.card_files.read(rel, workspace.today)
    return workspace.card(ref)


def _words(text: str) -> list[str]:
    from kbcli.core.languages import he_words

    return content_words(m.group() for m in he_words(text))


def suggest(
    workspace: Workspace, text: str, limit: int = 5, progress: Progress = no_progress
) -> list[Hit]:
    """The cards most likely to answer ``text`` (a ticket, an email, a chat question).

    Stable API (``kb capture`` uses it): returns up to ``limit`` ``Hit`` objects, best
    first, each with ``path``, ``title``, ``trust`` (assessed today), ``score`` and a
    highlighted ``snippet``. The text may be in any language the repo's cards use;
    archived cards are left out. The index is synced first.
    """
    if not text.strip():
        raise KbError("give the text of a ticket or question (or - to read it from stdin)")
    index = open_index(workspace)
    sync(workspace, index=index, progress=progress)
    words = list(dict.fromkeys(w.lower() for w in _words(text)))[:60]
    result = rank(workspace, index, ParsedQuery(words=tuple(words)), limit)
    return [replace(h, stage="similar") for h in result.hits]


def duplicates(workspace: Workspace, title: str, *, limit: int = 3) -> list[Hit]:
    """Cards whose title says much the same as ``title`` (for ``kb new``'s warning).

    A card counts as a likely duplicate when at least 60% of the new title's content
    words (after stemming) are in its title or aliases, or its text has every word.
    """
    words = _words(title)
    if not words:
        return []
    index = open_index(workspace)
    sync(workspace, index=index)
    result = rank(workspace, index, ParsedQuery(words=tuple(words)), limit * 2, snippets=False)
    analysis = index.analysis
    found = []
    for hit in result.hits:
        lang = normalize_lang(hit.meta.lang, workspace.config.search.default_lang)
        wanted = {t for w in words for t in analysis.word_terms(lang, w)[:1]}
        have = set(analysis.terms(lang, " ".join((hit.title, *hit.meta.aliases))))
        overlap = len(wanted & have) / max(1, len(wanted))
        if overlap >= 0.6 or (len(words) >= 3 and wanted <= _card_terms(workspace, hit, lang)):
            found.append(hit)
    return found[:limit]


def _card_terms(workspace: Workspace, hit: Hit, lang: str) -> set[str]:
    from kbcli.adapters.card_files import read_card_bytes

    index = open_index(workspace)
    try:
        text = read_card_bytes(workspace.root, hit.path).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return set()
    return set(index.analysis.terms(lang, text))


def index_status(workspace: Workspace) -> dict[str, Any]:
    """Facts about the index for ``kb index --status``."""
    index = open_index(workspace)
    return {
        "path": str(index.directory),
        "cards": index.manifest.count(),
        "documents": index.count(),
        "languages": index.groups(),
    }
