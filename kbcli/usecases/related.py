"""Related cards for the handbook: term vectors of every card, compared in one pass.

The terms are the search index's own (its analyzers, per language group: stemmed
English and Russian, the Ukrainian and Hebrew stand-ins), so "related" means what a
search would call similar, but no index is opened or synced and no query is run: the
build already holds every card's text. See ``kbcli.core.related`` for the weighting.

When ``kb index`` has made meaning vectors for every card's current text (issue 12's
semantic search), cards are related by those instead (``semantic.nearest_cards``): cards
about the same thing in other words, at the cost of one matrix product. Cards linked by
``depends_on`` come first either way.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kbcli.core.languages import group_of, normalize_lang
from kbcli.core.related import Scored, scored_similar, similar_to, term_counts
from kbcli.core.related_update import update_similar

if TYPE_CHECKING:
    from kbcli.adapters.text_analysis import Analysis
    from kbcli.workspace import Workspace

RELATED_LIMIT = 8  # kept per card; the page shows five
# Field weights, as the search's boosts: title > tags > body.
TITLE_WEIGHT, TAG_WEIGHT, BODY_WEIGHT = 3.0, 2.0, 1.0


def card_terms(analysis: Analysis, card: Any, default_lang: str) -> dict[str, float]:
    """A card's weighted term counts; terms of different language groups never match
    (the same spelling may stem differently), tags match across languages."""
    group = group_of(normalize_lang(card.meta.lang, default_lang))
    title = " ".join((card.title, *card.meta.aliases))
    return term_counts(
        [
            (group, analysis.tokens(group, title), TITLE_WEIGHT),
            ("tag", analysis.tokens("xx", " ".join(card.meta.tags)), TAG_WEIGHT),
            (group, analysis.tokens(group, card.body), BODY_WEIGHT),
        ]
    )


Terms = dict[str, tuple[str, dict[str, float]]]  # path -> (what they are made of, counts)


def related_cards(
    cards: Sequence[Any],
    candidates: Collection[str],
    default_lang: str,
    *,
    known_terms: Mapping[str, tuple[str, dict[str, float]]] | None = None,
    known_lists: Mapping[str, Any] | None = None,
    ids: Mapping[str, str] | None = None,
    shared: SharedTerms | None = None,
) -> tuple[dict[str, list[str]], Terms, dict[str, Any]]:
    """(path -> its most related candidate paths, the term counts by path and key, the
    lists with their scores to pass back as ``known_lists`` next time).

    ``cards`` are every card whose words count (sorted by path for a stable result);
    ``known_terms`` maps a path to (terms key, term counts) from an earlier build, reused
    while the key is the same, so a rebuild analyses only the cards that changed; with
    the ``known_lists`` computed from those counts, only the lists an edit can reach are
    computed again (``core.related_update``: the same lists as a whole pass). ``ids``:
    the body id of cards that have one (``handbook_cards``), which stands for the body
    in the terms key (the body itself is then not read). ``shared``: the counts kept in
    ``.kb/`` for every output folder, asked for a card ``known_terms`` has no current
    counts of. Cards linked by ``depends_on`` (either way) come first in each other's lists.
    """
    vectors, terms = _vectors(cards, default_lang, known_terms or {}, ids or {}, shared)
    links = _links(cards)
    shape = _shape(candidates, links)
    scored: Scored | None = None
    unit: dict[str, dict[str, float]] = {}  # every card's normalised vector, for next time
    if known_terms and known_lists is not None and known_lists.get("shape") == shape:
        before = {path: counts for path, (_, counts) in known_terms.items()}
        listed, known = known_lists.get("scored", {}), known_lists.get("vectors")
        scored = update_similar(
            vectors, RELATED_LIMIT, before, listed, candidates, links=links, vectors=known,
            keep=unit,
        )  # fmt: skip
    if scored is None:
        unit.clear()
        scored = scored_similar(vectors, RELATED_LIMIT, candidates, links=links, keep=unit)
    found = {path: [other for other, _ in listed] for path, listed in scored.items()}
    return found, terms, {"shape": shape, "scored": scored, "vectors": unit}


def _shape(candidates: Collection[str], links: Mapping[str, set[str]]) -> str:
    """What related lists are computed for besides the counts: the list length, the
    candidates and the links (a hash, kept with the lists)."""
    from kbcli.core.handbook import digest

    linked = sorted((path, sorted(others)) for path, others in links.items())
    return digest("shape", RELATED_LIMIT, sorted(candidates), linked)


def related_to(
    card: Any,
    cards: Sequence[Any],
    default_lang: str,
    limit: int,
    *,
    known_terms: Mapping[str, tuple[str, dict[str, float]]] | None = None,
    workspace: Workspace | None = None,
) -> tuple[list[tuple[str, float]], Terms]:
    """``kb related``: the cards among ``cards`` most related to ``card``, with their
    similarity, exactly as ``related_cards`` lists them for a handbook of ``cards``
    (``card`` itself counts for the idf only when it is one of them); by meaning, as
    ``build_related``, when ``workspace`` has vectors for all of them."""
    candidates = {c.path for c in cards}
    everyone = cards if card.path in candidates else [*cards, card]
    if workspace is not None:
        dense = dense_related(workspace, everyone, limit, candidates, only={card.path})
        if dense is not None:
            return dense.get(card.path, []), dict(known_terms or {})
    vectors, terms = _vectors(everyone, default_lang, known_terms or {}, {})
    found = similar_to(vectors, card.path, limit, candidates, links=_links(everyone))
    return found, terms


def _vectors(
    cards: Sequence[Any],
    default_lang: str,
    known: Mapping[str, tuple[str, dict[str, float]]],
    ids: Mapping[str, str],
    shared: SharedTerms | None = None,
) -> tuple[list[tuple[str, Mapping[str, float]]], Terms]:
    from kbcli.adapters.text_analysis import Analysis

    analysis: Analysis | None = None
    terms: Terms = {}
    vectors: list[tuple[str, Mapping[str, float]]] = []
    for card in sorted(cards, key=lambda c: c.path):
        key = _terms_key(card, default_lang, ids.get(card.path))
        kept = known.get(card.path)
        if (kept is None or kept[0] != key) and shared is not None:
            kept = shared.get(card.path)
        if kept is not None and kept[0] == key:
            counts = kept[1]
        else:
            if analysis is None:
                analysis = Analysis()
            counts = card_terms(analysis, card, default_lang)
        terms[card.path] = (key, counts)
        vectors.append((card.path, counts))
    return vectors, terms


def _links(cards: Sequence[Any]) -> dict[str, set[str]]:
    """Cards linked by ``depends_on``, both ways (translations, policies behind
    procedures): related whatever their words or language. Globs link nothing."""
    links: dict[str, set[str]] = {}
    for card in cards:
        for target in card.meta.depends_on:
            if target != card.path and not any(ch in target for ch in "*?["):
                links.setdefault(card.path, set()).add(target)
                links.setdefault(target, set()).add(card.path)
    return links


def _terms_key(card: Any, default_lang: str, body_id: str | None) -> str:
    from kbcli.core.handbook import digest

    return digest(
        "terms",
        card.title,
        card.meta.aliases,
        card.meta.tags,
        card.meta.lang,
        default_lang,
        ("id", body_id) if body_id is not None else card.body,
    )


def build_related(
    ws: Workspace, store: Any, cards: Sequence[Any], ids: Mapping[str, str]
) -> dict[str, list[str]]:
    """The handbook's related lists for ``cards`` (every shown card, each a candidate).

    By meaning when every card has a current vector (``dense_related``); else by words:
    each card's term counts, related list and vector are kept in the build's sharded
    related-cards state (``handbook_state.BuildStore.related_state``) by a hash of what
    they are made of, so a rebuild analyses only changed cards, computes only the lists
    their change can reach and rewrites only the shards holding what changed. A damaged
    state means computing everything again. ``ids``: the cards' body ids.
    """
    paths = {c.path for c in cards}
    dense = dense_related(ws, cards, RELATED_LIMIT, paths)
    if dense is not None:
        return {path: [other for other, _ in listed] for path, listed in dense.items()}
    lang = ws.config.search.default_lang
    state = store.related_state(lang)
    known, lists = state.known()
    # Only a folder with no state of its own (new, removed, damaged) asks the shared
    # counts: after an edit, the cards missing from the state are the changed ones, which
    # the shared file cannot hold, and reading then rewriting it cost an 18F one-edit
    # build 18 ms of its 0.22 s.
    shared = SharedTerms(ws) if not known else None
    found, terms, now = related_cards(
        cards, paths, lang, known_terms=known, known_lists=lists, ids=ids, shared=shared
    )
    state.keep(terms, now)
    if shared is not None:
        shared.keep(terms)
    return found


class SharedTerms:
    """Every card's term counts by path, kept in ``.kb/`` apart from any output folder
    (``kb related`` keeps its own there too): a first build into a new folder, or one
    after ``.kb/handbook`` was removed, takes the counts of unchanged cards from here
    instead of analysing all their words again (0.6 s of CPU of the 7,424 English tldr
    pages). Read only when the folder has no related state of its own; each entry
    is used only under its card's terms key, and the file (``checked_file``: crc32, the
    key of the code that analyses words) reads as empty when damaged or foreign."""

    FILE = "card-terms.marshal"
    MAGIC = b"kbterms1"

    def __init__(self, ws: Workspace) -> None:
        from kbcli.usecases.handbook_state import related_key

        self.path = ws.config.cache_dir / self.FILE
        self.key = related_key(ws.config.search.default_lang)
        self.entries: dict[str, Any] | None = None  # read on first use

    def load(self) -> dict[str, Any]:
        if self.entries is None:
            from kbcli.adapters import checked_file

            self.entries = checked_file.load(self.path, self.key, self.MAGIC)
        return self.entries

    def get(self, path: str) -> tuple[str, dict[str, float]] | None:
        found = self.load().get(path)
        return found if isinstance(found, tuple) and len(found) == 2 else None

    def keep(self, terms: Terms) -> None:
        """Keep ``terms`` (this run's cards) when they differ from what was read; nothing
        when the file was never read (every card's counts were in the folder's state)."""
        if self.entries is not None and terms != self.entries:
            from kbcli.adapters import checked_file

            checked_file.save(self.path, self.key, dict(terms), self.MAGIC)
            self.entries = dict(terms)


def dense_related(
    ws: Workspace,
    cards: Sequence[Any],
    limit: int,
    candidates: Collection[str],
    only: Collection[str] | None = None,
) -> Scored | None:
    """Each card's ``limit`` nearest candidates by meaning (``semantic.nearest_cards``),
    cards linked by ``depends_on`` first (by path; their similarity is 0.0 when they are
    not among the nearest); None when the vectors cannot stand for these cards."""
    from kbcli.usecases.semantic import nearest_cards

    links = _links(cards)
    most = limit + max((len(found) for found in links.values()), default=0)
    nearest = nearest_cards(ws, cards, most, candidates=candidates, only=only)
    if nearest is None:
        return None
    result: Scored = {}
    for path, listed in sorted(nearest.items()):
        linked = sorted(p for p in links.get(path, ()) if p in candidates and p != path)
        scores = dict(listed)
        first = [(p, scores.get(p, 0.0)) for p in linked]
        result[path] = (first + [item for item in listed if item[0] not in linked])[:limit]
    return result
