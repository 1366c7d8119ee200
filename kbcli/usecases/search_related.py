"""Related cards, suggestions for a text, and likely duplicates of a new title.

Stable API for other features (``kb capture`` calls ``suggest``)::

    suggest(workspace, text, limit=5) -> list[Hit]

All of them rank through ``search_rank.rank``, the one ranking of kb.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.core.languages import content_words, normalize_lang
from kbcli.core.progress import Progress, no_progress
from kbcli.core.query import ParsedQuery
from kbcli.core.word_forms import query_words
from kbcli.errors import KbError
from kbcli.usecases.search_hits import Hit, score_hits, term_matcher, with_snippet
from kbcli.usecases.search_index import open_index, sync
from kbcli.usecases.search_rank import rank, word_clauses

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_index import CardIndex
    from kbcli.workspace import Workspace


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
    from kbcli.core.cards import Audience
    from kbcli.core.handbook import in_audience
    from kbcli.usecases.related import SharedTerms, related_to

    lang = workspace.config.search.default_lang
    cards = [c for c in workspace.catalog.cards if in_audience(c, Audience.INTERNAL)]
    shared = SharedTerms(workspace)
    known = shared.load()
    ranked, terms = related_to(card, cards, lang, limit, known_terms=known, workspace=workspace)
    shared.keep(terms)
    if not ranked:
        return []
    qb = index.queries()
    q = qb.combine([], should=[qb.path(path) for path, _ in ranked], min_should=1)
    _, raw = index.search(q, len(ranked), by_path=True)
    texts = {r.path: r.text for r in raw}
    found = {h.path: h for h in score_hits(workspace, raw, "similar")}
    card_lang = normalize_lang(card.meta.lang, lang)
    words = card_words(index, card.meta.title, card.meta.tags, card.body, card_lang)
    matcher = term_matcher(index, word_clauses(qb, content_words(words)).highlight)
    return [
        with_snippet(
            workspace,
            found[path]._replace(score=score, bm25=score, factor=1.0),
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

    return content_words(query_words(text))


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
    return [h._replace(stage="similar") for h in result.hits]


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
        have = set(analysis.terms(lang, " ".join((hit.meta.title, *hit.meta.aliases))))
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
