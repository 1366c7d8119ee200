"""The handbook's Pagefind index after a build: nothing, a new delta, or a fold.

``core.search_delta`` says what the base and the delta are and when the delta folds.
Here they meet the output folder: the base is ``pagefind/`` (what a whole index makes,
as before), the delta ``pagefind-delta/`` (Pagefind over the pages changed since the
base, and ``kb-delta.json``: the base entries the browser must drop, the delta's
languages). A fold writes an empty ``kb-delta.json`` so the browser always finds one.

kb keeps the delta's state beside the build manifest: which base it belongs to (the
base's entry file), the base's page ids by path (read once, at the fold), the pages in
the delta and the urls whose base entries are dropped. It is removed before the site's
index is touched and written back once the index is whole again, so an index cut short,
or pages written by a ``--no-search`` build, mean a fold next time, never a stale answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.core.search_delta import DeltaPlan, plan_delta

if TYPE_CHECKING:
    from kbcli.usecases.handbook import HandbookBuild
    from kbcli.usecases.handbook_state import BuildStore

STATE_VERSION = 1
INDEXED_MARK = b"data-pagefind-body"  # Pagefind indexes only the pages that have it


def index_build(
    build: HandbookBuild, was_current: bool, written: list[str], removed: list[str]
) -> bool:
    """``update_search_index`` after ``build`` (whole or quick) wrote and removed those
    pages: whether the index is the site's now (the report says whether Pagefind ran)."""
    indexed, build.report.searched = update_search_index(
        build.store,
        build.out,
        wanted=build.search,
        was_current=was_current,
        written=written,
        removed=removed,
        cards=build.report.cards,
        full=build.full,
    )
    return indexed


def update_search_index(
    store: BuildStore,
    out: Path,
    *,
    wanted: bool,
    was_current: bool,
    written: Iterable[str],
    removed: Iterable[str],
    cards: int,
    full: bool = False,
) -> tuple[bool, bool]:
    """Bring the search index up to this build's pages: (whether the index is the
    site's now, whether Pagefind ran). ``was_current``: the index was the site's before
    this build wrote ``written`` (the card pages: only those are indexed; every page of
    a site without cards, which Pagefind indexes whole) and removed ``removed`` (page
    paths); ``cards``: the site's card pages."""
    written, removed = list(written), list(removed)
    changed = bool(written or removed)
    path = state_path(store)
    if not wanted:
        if changed:
            _forget(path)  # pages changed that no index has seen
        return was_current and not changed, False
    if was_current and not changed and not full and index_on_disk(out):
        return True, False
    kept = _kept(store, out) if was_current and cards else None
    if kept is not None:  # of the files removed, only indexed pages matter
        removed = [rel for rel in removed if rel in kept["ids"] or rel in kept["pages"]]
    plan = plan_delta(kept, written, removed, full=full)
    _forget(path)  # from here until the state is written back, the index is not trusted
    if plan.fold:
        state = _fold(out, cards)
    else:
        assert kept is not None
        state = _delta(out, plan, kept)
    store.dump(path, "search_delta", state)
    return True, True


def index_on_disk(out: Path) -> bool:
    """Whether the site holds an index for the browser: the base and the delta's file
    (a delta removed by hand is made again from the state, the base is not)."""
    from kbcli.adapters.pagefind_index import BUNDLE, DELTA, DELTA_FILE

    return (out / BUNDLE).is_dir() and (out / DELTA / DELTA_FILE).is_file()


def state_path(store: BuildStore) -> Path:
    return store.manifest_path.with_name(
        store.manifest_path.name.replace("manifest", "search-delta")
    )


def _kept(store: BuildStore, out: Path) -> dict[str, Any] | None:
    """The delta state, when it is this build's and belongs to the base in ``out``."""
    from kbcli.adapters.pagefind_index import BUNDLE, bundle_token

    state = store.load(state_path(store), "search_delta")
    if state.get("version") != STATE_VERSION or not state.get("cards"):
        return None
    if not isinstance(state.get("ids"), dict) or not isinstance(state.get("pages"), list):
        return None
    if state.get("base") is None or state.get("base") != bundle_token(out / BUNDLE):
        return None
    return state


def _fold(out: Path, cards: int) -> dict[str, Any]:
    """Every page into a new base, an empty delta."""
    import shutil

    from kbcli.adapters.pagefind_index import BUNDLE, DELTA, bundle_token, index_site, page_ids

    delta = out / DELTA
    if delta.exists():  # never a delta over a base it was not made for
        shutil.rmtree(delta)
    index_site(out, _card_glob(out) if cards else None)
    ids = page_ids(out / BUNDLE) if cards else {}
    _write_delta_file(delta, [], {})
    return {
        "version": STATE_VERSION,
        "base": bundle_token(out / BUNDLE),
        "ids": ids,
        "base_pages": len(ids),
        "cards": bool(cards),
        "pages": [],
        "drops": [],
    }


def _delta(out: Path, plan: DeltaPlan, kept: dict[str, Any]) -> dict[str, Any]:
    """The pages changed since the base into a new delta; the base entries it drops."""
    from kbcli.adapters.pagefind_index import DELTA, index_pages

    pages = [rel for rel in plan.pages if _indexed(out / rel)]
    delta = out / DELTA
    languages = index_pages(out, pages, delta)
    ids: dict[str, str] = kept["ids"]
    _write_delta_file(delta, sorted({ids[url] for url in plan.drops if url in ids}), languages)
    return {**kept, "pages": list(plan.pages), "drops": list(plan.drops)}


def _card_glob(out: Path) -> str | None:
    """``core.handbook.search_glob`` of the site, when Pagefind makes the same index from
    it as from every page: the handbook's own pages carry no ``data-pagefind-body`` and
    a page the glob matches does (Pagefind then indexes only the pages that have it).
    A custom template that marks a list page, or none, means every page (None)."""
    import os

    from kbcli.adapters.pagefind_index import BUNDLE, DELTA
    from kbcli.core.handbook import RESERVED, search_glob

    with os.scandir(out) as entries:
        top = [(entry.name, entry.is_dir()) for entry in entries]
    glob = search_glob(top)
    if glob is None:
        return None
    own = {name for name, _ in top if name in RESERVED} - {BUNDLE, DELTA}
    if any(_indexed(page) for name in own for page in _pages(out / name)):
        return None
    matched = (page for name, _ in top if name not in RESERVED for page in _pages(out / name))
    return glob if any(_indexed(page) for page in matched) else None


def _pages(path: Path) -> Iterable[Path]:
    """The HTML pages at ``path``: itself, or every one under it."""
    if path.is_dir():
        yield from path.rglob("*.html")
    elif path.name.endswith(".html"):
        yield path


def _indexed(page: Path) -> bool:
    """Whether Pagefind indexes the page (a card's page; a missing one is not)."""
    try:
        return INDEXED_MARK in page.read_bytes()
    except OSError:
        return False


def _write_delta_file(delta: Path, drops: list[str], languages: dict[str, int]) -> None:
    """What the browser reads first (``static/handbook.js``): the base page ids to drop
    and the delta's languages with their page counts (none: there is no delta bundle)."""
    from kbcli.adapters.atomic_file import replace_file
    from kbcli.adapters.pagefind_index import DELTA_FILE

    delta.mkdir(parents=True, exist_ok=True)
    data = json.dumps({"drop": drops, "languages": languages})  # Pagefind's language order
    replace_file(delta / DELTA_FILE, (data.encode("utf-8"),), durable=False)


def _forget(path: Path) -> None:
    import contextlib

    with contextlib.suppress(FileNotFoundError):
        path.unlink()
