"""Search hits: each card's verdict, trust and language factors, and its snippet.

Trust is never read from the index for display: each hit's trust is assessed with
``core.trust.assess`` on the run's day, and the ranking boost for verified cards and
penalty for expired ones is applied then.
"""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from kbcli.core.cards import CardMeta, Status, to_utc
from kbcli.core.durations import parse_duration
from kbcli.core.languages import STOP_WORDS, normalize_lang
from kbcli.core.query import ParsedQuery
from kbcli.core.trust import Trust, assess

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_index import CardIndex, RawHit
    from kbcli.adapters.tantivy_writer import SyncStats
    from kbcli.core.snippets import Snippet
    from kbcli.workspace import Workspace


OTHER_LANGUAGE = 0.4  # score factor of a card not in the query's (confident) language


class Hit(NamedTuple):
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
    dense: float = 0.0  # its passages' cosine to the query (best and mean, semantic.MEAN_SHARE)

    @property
    def is_draft(self) -> bool:
        return self.meta.status in (Status.DRAFT, Status.REQUESTED)


class SearchResult:
    """What one search found; the search fills in the notes after ranking."""

    def __init__(self, query: ParsedQuery, hits: list[Hit], total: int, stage: str = "") -> None:
        self.query = query
        self.hits = hits
        self.total = total
        self.stage = stage
        self.stats: SyncStats | None = None
        self.hints: list[str] = []
        self.archived_hidden = 0
        self.expansions: dict[str, list[str]] = {}  # typo -> terms used
        self.languages: tuple[str, ...] = ()  # the query's languages, preferred in the ranking
        self.semantic = ""  # how dense retrieval took part: "" (off), "fused", or why not
        self.missing_vectors = 0  # indexed cards that had no vectors for this search

    def __repr__(self) -> str:
        return f"SearchResult({self.query!r}, {len(self.hits)} hits, total={self.total})"


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


def trust_factor(workspace: "Workspace", trust: Trust) -> float:
    """The ranking multiplier of a verdict (kb.toml [search]; ``verdict.ranking_factor``)."""
    from kbcli.core.verdict import ranking_factor

    search = workspace.config.search
    return ranking_factor(trust, search.verified_boost, search.expired_penalty)


def score_hits(
    workspace: "Workspace",
    raw: "Sequence[RawHit]",
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
                title=meta.shown_title,
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


def with_snippet(workspace: "Workspace", hit: Hit, text: str, matcher: "Matcher") -> Hit:
    """``hit`` with the passage of ``text`` that best matches (highlighted by ``matcher``)."""
    from kbcli.core.snippets import make_snippet  # here: --paths-only makes no snippet

    lang = normalize_lang(hit.meta.lang, workspace.config.search.default_lang)
    words = matcher.words(hit.path, text, lang)
    snippet: Snippet = make_snippet(text, select=matcher(lang), words=words)
    return hit._replace(snippet=snippet.text, highlights=snippet.highlights)


class Matcher:
    """Per card language: which words of a card match the query's terms."""

    def __init__(self, index: "CardIndex", terms: set[str]) -> None:
        self.analysis = index.analysis
        self.wanted = terms - STOP_WORDS

    def __call__(self, lang: str) -> Callable[[frozenset[str]], set[str]]:
        def select(card_words: frozenset[str]) -> set[str]:
            return self.analysis.matching(lang, card_words, self.wanted)

        return select

    def words(self, path: str, text: str, lang: str) -> frozenset[str]:
        """The distinct words of a card's text that can match (``Analysis.card_words``)."""
        return self.analysis.card_words(path, text, lang, self.wanted)


def term_matcher(index: "CardIndex", terms: set[str]) -> Matcher:
    """Per card language: does a word of the card match one of the query's terms?"""
    return Matcher(index, terms)
