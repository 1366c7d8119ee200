"""Site paths: which card a static-site generator publishes at an address.

A page written for Jekyll, Hugo or Eleventy links to ``/billing/refunds/`` rather than to
``../billing/refunds.md``. Every generator publishes a file at its path under the site's
source folder (kb's card folders), unless its header moves it (``permalink``, ``url``)
or keeps old addresses alive (``redirect_from``, ``aliases``). An address two cards claim
leads to neither: kb never guesses which one the author meant.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Sequence

from kbcli.core.cards import Card
from kbcli.core.link_scan import Link


def site_index(cards: Sequence[Card], roots: Sequence[str]) -> dict[str, str | None]:
    """Site path (``site_key``) -> the card published there; None when two claim it.
    A card's own file path comes first, then the addresses its header names."""
    bases = [r.strip("/") for r in roots if r.strip("/") not in ("", ".")]
    found: dict[str, str | None] = {}
    for card in cards:
        keys = {site_key(card.path)}
        keys.update(
            site_key(card.path[len(b) + 1 :]) for b in bases if card.path.startswith(b + "/")
        )
        _claim(found, keys, card.path)
    named: dict[str, str | None] = {}
    for card in cards:
        keys = {site_key(a) for a in [*_addresses(card), *_slugs(card, bases)]}
        # not ``keys - found.keys()``: that copies the whole view into a set for every
        # card (0.56 s of CPU at 7,424 cards, the broken-link hint's first call)
        _claim(named, [key for key in keys if key not in found], card.path)
    return {**named, **found}


def site_key(path: str) -> str:
    """A site path as every generator would publish it: ``/a/b/``, ``a/b.md``,
    ``a/b/index.html`` and ``a/b`` are one page."""
    key = path.strip().partition("#")[0].partition("?")[0].strip("/")
    for suffix in (".md", ".html", ".htm"):
        key = key.removesuffix(suffix)
    for index in ("index", "_index"):
        if key == index or key.endswith("/" + index):
            key = key[: -len(index)].rstrip("/")
    return key


def _addresses(card: Card) -> list[str]:
    """The site paths a card's header says it is published at or redirected from
    (Jekyll ``permalink``/``redirect_from``, Hugo ``url``/``aliases``, kb ``aliases``);
    templated ones (``/{{ page.fileSlug }}/``) name no fixed path."""
    found = list(card.meta.aliases)
    for key in ("permalink", "url", "redirect_from"):
        value = card.meta.extra.get(key)
        values = value if isinstance(value, (list, tuple)) else [value]
        found += [v for v in values if isinstance(v, str) and v.strip()]
    return [a for a in found if "{" not in a and "://" not in a]


def _slugs(card: Card, bases: Sequence[str]) -> list[str]:
    """Docusaurus' ``slug``: from the site root when it starts with ``/`` (served under
    the docs' base, ``/docs/guide``, or at ``/guide``), else beside the page."""
    slug = card.meta.extra.get("slug")
    if not isinstance(slug, str) or not slug.strip() or "{" in slug or "://" in slug:
        return []
    base = next((b for b in bases if card.path.startswith(b + "/")), "")
    if slug.startswith("/"):
        return [slug, f"{base}{slug}"] if base else [slug]
    folder = card.path.rpartition("/")[0]
    return [f"{folder}/{slug}", f"{folder[len(base) + 1 :]}/{slug}" if base else slug]


def _claim(found: dict[str, str | None], keys: Collection[str], card_path: str) -> None:
    for key in keys:
        if key in found and found[key] != card_path:
            found[key] = None  # two cards claim one address: neither is guessed
        else:
            found[key] = card_path


def tag_position(link: Link) -> tuple[int, int]:
    """The body line and column where the template tag of a SITE link's destination starts."""
    prefix = link.source[: tag_at(link.source)]
    newline = prefix.rfind("\n")
    if newline < 0:
        return link.line, link.column + len(prefix)
    return link.line + prefix.count("\n"), len(prefix) - newline


def tag_at(source: str) -> int:
    """Where the template syntax of a link's destination begins in its source."""
    starts = [i for i in (source.find("{%"), source.find("{{")) if i >= 0]
    return min(starts) if starts else 0


def served_at(
    card: Card, target: str, roots: Sequence[str], site_card: Callable[[str], Card | None]
) -> Card | None:
    """The card a relative link written for the page's address names: generators serve
    ``tools/slack.md`` at ``/tools/slack/``, where ``user-management/`` is
    ``/tools/slack/user-management/``. None for a link to a file (``.md``) or from the root."""
    if target.startswith("/") or target.endswith(".md"):
        return None
    page = "/" + page_address(card, roots) + "/"
    return site_card(posixpath.normpath(posixpath.join(page, target)))


def page_address(card: Card, roots: Sequence[str]) -> str:
    """The address the site serves ``card`` at, as a ``site_key``: its permalink when it
    names a fixed one, else its path under the card folder it sits in."""
    permalink = card.meta.extra.get("permalink")
    if isinstance(permalink, str) and permalink.strip() and "{" not in permalink:
        return site_key(permalink)
    for root in (r.strip("/") for r in roots):
        if root not in ("", ".") and card.path.startswith(root + "/"):
            return site_key(card.path[len(root) + 1 :])
    return site_key(card.path)
