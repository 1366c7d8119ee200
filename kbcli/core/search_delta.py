"""The handbook's search index as a base plus a delta, and when to fold the delta in.

Pagefind cannot update one page of an index on disk, and indexing the whole site again
after each edit costs seconds on thousands of pages. So a build that changed a few pages
indexes only the pages changed since the last whole index (the *base*) into a small
second bundle (the *delta*), and lists the base's entries those pages supersede, or that
belong to pages removed since: the browser searches both bundles and drops those
entries, so an edited page is found by its new words and not by its old ones, and a
removed page is never shown.

The delta grows with every edit (it always holds every page changed since the base),
and its pages are ranked against the delta's few pages rather than the whole site, so
when it grows past a share of the site the next build indexes everything again into a
new base and empties the delta (a *fold*).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

FOLD_SHARE = 0.05  # the delta folds when it would cover more than this share of the base...
FOLD_MIN_PAGES = 10  # ...but never below this many pages (small sites)...
FOLD_MAX_PAGES = 100  # ...and always above this many (a delta's cost grows with its pages)


def fold_limit(base_pages: int) -> int:
    """How many pages (changed or removed since the base) a delta may cover."""
    return min(FOLD_MAX_PAGES, max(FOLD_MIN_PAGES, int(base_pages * FOLD_SHARE)))


@dataclass(frozen=True)
class DeltaPlan:
    """What the next search index is: ``fold`` (index every page into a new base), or
    the delta's ``pages`` and the base entries it ``drops`` (page urls)."""

    fold: bool
    pages: tuple[str, ...] = ()
    drops: tuple[str, ...] = ()


FOLD = DeltaPlan(fold=True)


def plan_delta(
    kept: Mapping[str, object] | None,
    written: Iterable[str],
    removed: Iterable[str],
    *,
    full: bool = False,
) -> DeltaPlan:
    """The plan after a build that wrote the pages ``written`` and removed ``removed``
    (urls), given the delta state the last index left (``kept``: its ``pages``,
    ``drops`` and ``base_pages``; None when there is no trusted base). ``full`` (``kb
    build --full``) always folds."""
    if full or not kept:
        return FOLD
    gone = set(removed)
    drops = set(_strings(kept.get("drops"))) | set(written) | gone
    pages = (set(_strings(kept.get("pages"))) | set(written)) - gone
    base_pages = kept.get("base_pages")
    if not isinstance(base_pages, int) or len(drops | pages) > fold_limit(base_pages):
        return FOLD
    return DeltaPlan(fold=False, pages=tuple(sorted(pages)), drops=tuple(sorted(drops)))


def _strings(value: object) -> list[str]:
    if not isinstance(value, (list, tuple)):
        return []
    return [each for each in value if isinstance(each, str)]
