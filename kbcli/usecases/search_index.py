"""The search index kept in step with the card files: open it, sync it, describe it.

Every search syncs first (stat only when nothing changed), so an edit is visible to
the very next search. In a git work tree only the files git reports as changed are
looked at.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import CardMeta
from kbcli.core.languages import (
    normalize_lang,
)
from kbcli.core.progress import Progress, no_progress
from kbcli.errors import KbError
from kbcli.usecases.freshness import INDEX_DIR

if TYPE_CHECKING:
    from kbcli.adapters.card_cache import CardCache
    from kbcli.adapters.git_status import PendingView
    from kbcli.adapters.index_manifest import ManifestFiles
    from kbcli.adapters.language_id import Detector
    from kbcli.adapters.tantivy_index import CardIndex
    from kbcli.adapters.tantivy_schema import IndexedCard
    from kbcli.adapters.tantivy_writer import SyncStats
    from kbcli.workspace import Workspace


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


def open_index(
    workspace: Workspace, opened: ManifestFiles | None = None, *, resident: bool = False
) -> CardIndex:
    """The repo's index; ``resident``: kept open to answer many searches (``kb daemon``)."""
    from kbcli.adapters.tantivy_index import CardIndex

    directory = workspace.config.cache_dir / INDEX_DIR
    return CardIndex(workspace.root, directory, settings_key(workspace), opened, resident)


class _Rebuild:
    """What a whole rebuild reuses, each opened on first need (a rebuild whose documents
    are all kept opens neither): the per-card cache and the languages detected before."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._cache: CardCache | None = None
        self._detector: Detector | None = None

    def cache(self) -> CardCache:
        if self._cache is None:
            self._cache = self.workspace.card_files.cache()
        return self._cache

    def detector(self) -> Detector:
        if self._detector is None:
            from kbcli.adapters.language_id import FILE, Detector

            # The languages the last whole pass (or handbook build) detected, by text: the
            # detection was half of a rebuild's CPU (py3langid's model load included).
            self._detector = Detector(self.workspace.config.cache_dir / FILE)
        return self._detector

    def detect(self, text: str) -> str | None:
        return self.detector()(text)

    def take(self) -> tuple[Any, Any]:
        """What the per-card cache and the detector gained since the last call, forgotten
        here (a worker process's share of the rebuild, for ``add`` in the parent)."""
        return (
            None if self._cache is None else self._cache.take_new(),
            None if self._detector is None else self._detector.take_new(),
        )

    def add(self, new: tuple[Any, Any]) -> None:
        """Keep what a worker's ``take`` gave, as if this process had done its work."""
        cards, languages = new
        if cards is not None:
            self.cache().add_new(cards)
        if languages is not None:
            self.detector().add_new(languages)

    def save(self) -> None:
        if self._cache is not None:
            self._cache.save(keep_unseen=True)
        if self._detector is not None:
            self._detector.save()


def _on_first_use(
    make: Callable[[], Callable[[str, bytes], IndexedCard]],
) -> Callable[[str, bytes], IndexedCard]:
    """``make()``'s preparer, made for the first card to prepare: a sync that finds
    nothing changed then never loads the card parser nor the language detector."""
    made: list[Callable[[str, bytes], IndexedCard]] = []

    def prepare(rel: str, data: bytes) -> IndexedCard:
        if not made:
            made.append(make())
        return made[0](rel, data)

    return prepare


def _preparer(
    workspace: Workspace, rebuild: _Rebuild | None = None
) -> Callable[[str, bytes], IndexedCard]:
    """Turns a card file's bytes into its index document; in a whole ``rebuild``, cards
    unchanged since another command read them are not parsed again, and a card without
    ``lang`` gets the language detected for its text before."""
    from kbcli.adapters.card_files import card_from_bytes

    detect: Callable[[str], str | None]
    if rebuild is None:
        from kbcli.adapters.language_id import detect
    else:
        detect = rebuild.detect
    from kbcli.adapters.tantivy_schema import NEVER, IndexedCard, day_number

    policy = workspace.config.trust_policy
    default_lang = workspace.config.search.default_lang
    max_front = workspace.config.cards.max_front_matter

    def prepare(rel: str, data: bytes) -> IndexedCard:
        # No "today": future dates are judged at query time.
        if rebuild is not None:
            card = rebuild.cache().card_from(rel, data, workspace.card_files.parse, None)
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
    whole = documents = spread = None
    if rebuild or index.manifest.key != index.key:  # every card is indexed again
        from kbcli.adapters.index_documents import DocumentCache
        from kbcli.adapters.tantivy_writer import writer_lock
        from kbcli.usecases.index_workers import spreader

        whole = _Rebuild(workspace)
        documents = DocumentCache(index.directory, index.key, (__file__,))
        spread = spreader(whole, (writer_lock(index),))
    stats = index.sync(
        scan,
        _on_first_use(lambda: _preparer(workspace, whole)),
        rebuild=rebuild,
        wait=wait,
        progress=lambda done, total: progress("indexing cards", done, total),
        checked=checked,
        head=head,
        dirty=dirty,
        documents=documents,
        spread=spread,
    )
    if whole is not None and documents is not None and not stats.busy:
        whole.save()
        documents.save()
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
        from kbcli.adapters.index_scan import scan_cards

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
        from kbcli.adapters.index_scan import scan_cards

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


def _cards(workspace: Workspace, paths: Collection[str]) -> frozenset[str]:
    """The card files among git's ``paths``, named as the scan names them: a name that
    is not UTF-8 (git gives its bytes) as ``shown_path`` shows it, which no file has, so
    it is never indexed, as in a whole scan (Tantivy refused the raw name: a traceback)."""
    if not paths:  # a clean work tree: no card files to look at (nor their module to load)
        return frozenset()
    from kbcli.core.naming import shown_path

    is_card = workspace.card_files.is_card_path
    return frozenset(shown_path(p) for p in paths if p.endswith(".md") and is_card(p))


def index_status(workspace: Workspace, index: CardIndex | None = None) -> dict[str, Any]:
    """Facts about the index for ``kb index --status``; ``index``: the one a sync of this
    process just wrote (its manifest and searcher are current), else it is opened."""
    index = index or open_index(workspace)
    return {
        "path": str(index.directory),
        "cards": index.manifest.count(),
        "documents": index.count(),
        "languages": index.groups(),
    }
