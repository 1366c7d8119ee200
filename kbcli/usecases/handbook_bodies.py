"""The handbook's card bodies: the link index they resolve against, each body's key, and
the bodies rendered again (only those whose key changed).

A body's key hashes what its HTML depends on: its text, what its links resolve to, the
audience and the renderer. ``kb serve`` remembers keys by card object; a fresh ``kb build``
takes them from the last manifest while the card's text and every card's link names are
the same, so only edited cards' links are resolved again.

What a card's links say besides its HTML (``LinkFacts``: its broken links, the files it
references, the cards whose headings its anchors were checked against) is kept in the
manifest too and taken back while the card's source, every card's link names and those
cards' sources are the same: a one-card rebuild resolves only that card's links.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Audience
from kbcli.core.handbook import SiteLinks, card_url, digest, link_context
from kbcli.core.handbook_pages import Body
from kbcli.core.sections import without_title_heading
from kbcli.usecases.handbook_state import BodyCache, BuildMemo, renderer_version
from kbcli.usecases.handbook_workers import render_body, run_jobs

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.workspace import Workspace


@dataclass
class BodyPass:
    """One build's bodies: keys, cache hits and the rendering of the rest."""

    audience: Audience
    memo: BuildMemo
    workers: int
    same_link_names: bool = False  # kb serve's remembered keys still hold
    link_names_key: str = ""  # the hash of every card's link names, kept in the manifest
    sources: dict[str, str] = field(default_factory=dict)  # path -> its key's source hash
    facts: dict[str, LinkFacts] = field(default_factory=dict)  # path -> what its links said
    rendered: int = 0
    new: set[str] = field(default_factory=set)  # the paths whose body this build rendered
    ids: dict[str, str] = field(default_factory=dict)  # path -> body id (handbook_cards)

    def link_index(
        self, ws: Workspace, items: list[Any], shown: list[Any], files: set[str]
    ) -> SiteLinks:
        """The build's links: the resolver ``kb check`` uses, over every card and file.

        Body keys remembered by ``kb serve`` stay valid while no card's link names (path,
        title, aliases), no shown card and no other file changed."""
        from kbcli.usecases.links import link_resolver

        names = (
            tuple((c.path, c.title, c.meta.aliases) for c in (i.card for i in items)),
            tuple(i.card.path for i in shown),
            frozenset(files),
        )
        self.same_link_names = self.memo.link_names == names
        self.memo.link_names = names
        self.link_names_key = digest("names", names[0], names[1], sorted(files))
        resolver = link_resolver(ws, [i.card for i in items], files)
        return SiteLinks(resolver, frozenset(i.card.path for i in shown))

    def render(
        self,
        shown: list[Any],
        links: SiteLinks,
        previous: dict[str, Any],
        cache: BodyCache | None,
        init: tuple[Any, ...],
        meanwhile: Callable[[], None] | None = None,
    ) -> dict[str, Body]:
        """Every shown card's rendered body: kept (``KeptBody``, its HTML read from
        ``cache`` only if a page shows it) when its key is unchanged, else rendered (in
        parallel when there are many, ``meanwhile`` running in this process as the
        workers render). Its broken links are what the resolver says, the very list
        ``kb check`` reports; those of the bodies rendered again are resolved while the
        workers render them."""
        old_bodies: dict[str, Any] = previous.get("bodies", {})
        keys = self._keys(shown, links, previous)
        same_names = previous.get("link_names") == self.link_names_key
        before: dict[str, str] = previous.get("sources", {}) if same_names else {}
        bodies: dict[str, Body] = {}
        todo: list[tuple[str, str]] = []
        later: list[Card] = []  # cards whose links are resolved as the workers render
        self.facts = {}
        for item in shown:
            card = item.card
            key = keys[card.path]
            old = old_bodies.get(card.path)
            facts = self._kept_facts(card.path, old, before)
            kept = bool(old and old.get("key") == key and cache is not None)
            if facts is None and not kept:
                later.append(card)
                todo.append((card.path, shown_body(card)[0]))
                continue
            facts = self.facts[card.path] = facts or link_facts(card, links)
            if kept:
                assert old is not None and cache is not None
                bodies[card.path] = KeptBody(
                    cache, card.path, key, old["links"], facts.broken, old["headings"]
                )
            else:
                todo.append((card.path, shown_body(card)[0]))

        def resolve_then(more: Callable[[], None] | None = meanwhile) -> None:
            self.facts.update((card.path, link_facts(card, links)) for card in later)
            if more is not None:
                more()

        for path, done in run_jobs(render_body, todo, self.workers, init, resolve_then):
            broken = self.facts[path].broken
            bodies[path] = Body(done.html, keys[path], done.links, broken, done.headings)
        self.rendered = len(todo)
        self.new = {path for path, _ in todo}
        return bodies

    def ensure(
        self, bodies: dict[str, Body], urls: list[str], shown: list[Any], init: tuple[Any, ...]
    ) -> None:
        """Read the HTML of the kept bodies of the card pages at ``urls`` (the pages to
        write); the cache's missing or outdated ones are rendered again."""
        pages = {card_url(path): path for path in bodies}
        paths = [pages[url] for url in urls if url in pages]
        kept = [b for b in (bodies.get(p) for p in paths) if isinstance(b, KeptBody)]
        missing = [body.path for body in kept if body.fetch() is None]
        if not missing:
            return
        cards = {item.card.path: item.card for item in shown}
        jobs = [(path, shown_body(cards[path])[0]) for path in missing]
        for path, done in run_jobs(render_body, jobs, self.workers, init):
            body = bodies[path]
            object.__setattr__(body, "_html", done.html)
            self.new.add(path)
        self.rendered += len(jobs)

    def _kept_facts(
        self, path: str, old: dict[str, Any] | None, before: dict[str, str]
    ) -> LinkFacts | None:
        """The last build's ``LinkFacts`` of a card, while they still hold: the same source,
        the same link names (``before`` is empty otherwise), and every card whose headings
        its anchors were checked against unchanged."""
        if not old or "deps" not in old or before.get(path) != self.sources[path]:
            return None
        deps = old["deps"]
        if any(d not in self.sources or before.get(d) != self.sources[d] for d in deps):
            return None
        return LinkFacts(old["broken"], deps, old["assets"])

    def _keys(self, shown: list[Any], links: SiteLinks, previous: dict[str, Any]) -> dict[str, str]:
        """Each shown card's body key: remembered by kb serve for the same card object,
        taken from the manifest for the same source and link names, else computed."""
        known = self.memo.body_keys if self.same_link_names else {}
        old_bodies: dict[str, Any] = previous.get("bodies", {})
        same_names = previous.get("link_names") == self.link_names_key
        sources: dict[str, str] = previous.get("sources", {}) if same_names else {}
        self.sources = {}
        keys: dict[str, str] = {}
        body_keys: dict[str, tuple[Any, str]] = {}
        renderer = renderer_version()
        for item in shown:
            card = item.card
            remembered = known.get(card.path)
            source = source_key(card, self.ids.get(card.path), renderer)
            self.sources[card.path] = source
            old = old_bodies.get(card.path)
            if remembered is not None and remembered[0] is card:
                key = remembered[1]
            elif old and sources.get(card.path) == source:
                key = old["key"]
            else:
                key = self._body_key(card, links)
            body_keys[card.path] = (card, key)
            keys[card.path] = key
        self.memo.body_keys = body_keys
        return keys

    def _body_key(self, card: Card, links: SiteLinks) -> str:
        """What a rendered body depends on: its text, what its links resolve to, the
        audience and the renderer."""
        return digest(
            "body",
            card.path,
            *shown_body(card),
            self.audience.value,
            link_context(card.path, card.body, links),
            renderer_version(),
        )


class KeptBody(Body):
    """A body whose key is unchanged since the last build: its links and headings from
    the manifest, its HTML from the body cache on first use (a build after one edit
    writes a handful of card pages and so reads a handful of bodies). ``BodyPass.ensure``
    reads them before the pages are written, rendering again any the cache lost."""

    path: str
    _cache: BodyCache
    _html: str | None

    def __init__(
        self,
        cache: BodyCache,
        path: str,
        key: str,
        links: Any,
        broken: Any,
        headings: Any,
    ) -> None:
        for name, value in (("key", key), ("links", links), ("broken", broken)):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "headings", headings)
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "_cache", cache)
        object.__setattr__(self, "_html", None)

    def fetch(self) -> str | None:
        """The HTML, read from the cache if not yet read; None when the cache lost it."""
        if self._html is None:
            object.__setattr__(self, "_html", self._cache.html(self.path, self.key))
        return self._html

    @property
    def html(self) -> str:
        found = self.fetch()
        if found is None:
            raise RuntimeError(f"the body of {self.path} was used before it was ensured")
        return found


@dataclass(frozen=True)
class LinkFacts:
    """What one card's links said in a build, besides its HTML (kept in the manifest)."""

    broken: list[dict[str, Any]]  # {"ref", "line"}: the list kb check reports
    deps: list[str]  # other cards whose headings its anchors were checked against
    assets: list[list[Any]]  # [target, image, file line] of links to files, not cards


def link_facts(card: Card, links: SiteLinks) -> LinkFacts:
    """Resolve every link of ``card`` (the resolver ``kb check`` uses)."""
    from kbcli.core.link_scan import LinkKind

    resolver = links.resolver
    resolved = resolver.resolve_all(card)
    broken = [{"ref": r.link.ref, "line": r.line} for r in resolved if not r.ok]
    deps = {
        r.target
        for r in resolved
        if r.link.anchor and r.target and r.target != card.path and resolver.card(r.target)
    }
    assets = [
        [link.target, link.image, card.body_line + link.line - 1]
        for link in resolver.links(card)
        if link.kind is LinkKind.PATH
        and not link.target.endswith(".md")
        and not link.target.startswith("/")
    ]
    # Files a site generator's tag names (``{% download "forms/a.pdf" %}``), resolved from
    # the site's root: copied like any other, as a path from the card's folder.
    folder = posixpath.dirname(card.path) or "."
    assets += [
        [posixpath.relpath(r.target, folder), r.link.image, r.line]
        for r in resolved
        if r.link.kind is LinkKind.SITE and r.ok and r.target and not resolver.card(r.target)
    ]
    return LinkFacts(broken, sorted(deps), assets)


def source_key(card: Card, body_id: str | None = None, renderer: str | None = None) -> str:
    """What a card's body key is computed from, besides the link names: its path, title,
    text (or its body id, which stands for it) and first line, and the renderer."""
    text = ("id", body_id) if body_id is not None else card.body
    renderer = renderer or renderer_version()
    return digest("source", card.path, card.meta.title, card.body_line, text, renderer)


def shown_body(card: Card) -> tuple[str, int]:
    """The body a page shows, and its first line: a leading ``# Title`` equal to the
    card's title is the page's own heading already, so it is not shown twice."""
    body, dropped = without_title_heading(card.body, card.meta.title)
    return body, card.body_line + dropped
