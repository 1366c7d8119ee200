"""The handbook's card bodies: the link index they resolve against, each body's key, and
the bodies rendered again (only those whose key changed).

A body's key hashes what its HTML depends on: its text, what its links resolve to, the
audience and the renderer. ``kb serve`` remembers keys by card object; a fresh ``kb build``
takes them from the last manifest while the card's text and every card's link names are
the same, so only edited cards' links are resolved again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Audience
from kbcli.core.handbook import SiteLinks, digest, link_context
from kbcli.core.handbook_pages import Body
from kbcli.core.sections import without_title_heading
from kbcli.usecases.handbook_state import BuildMemo, renderer_version
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
    rendered: int = 0

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
        cache: dict[str, str],
        init: tuple[Any, ...],
    ) -> dict[str, Body]:
        """Every shown card's rendered body: from the cache when its key is unchanged,
        else rendered (in parallel when there are many). Its broken links are what the
        resolver says, the very list ``kb check`` reports."""
        old_bodies: dict[str, Any] = previous.get("bodies", {})
        keys = self._keys(shown, links, previous)
        bodies: dict[str, Body] = {}
        todo: list[tuple[str, str]] = []
        broken: dict[str, list[dict[str, Any]]] = {}
        for item in shown:
            card = item.card
            key = keys[card.path]
            broken[card.path] = [
                {"ref": r.link.ref, "line": r.line} for r in links.resolver.broken(card)
            ]
            old = old_bodies.get(card.path)
            if old and old.get("key") == key and key in cache:
                bodies[card.path] = Body(
                    cache[key], key, old["links"], broken[card.path], old["headings"]
                )
            else:
                todo.append((card.path, shown_body(card)[0]))
        for path, done in run_jobs(render_body, todo, self.workers, init):
            bodies[path] = Body(done.html, keys[path], done.links, broken[path], done.headings)
        self.rendered = len(todo)
        return bodies

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
        for item in shown:
            card = item.card
            remembered = known.get(card.path)
            source = source_key(card)
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


def source_key(card: Card) -> str:
    """What a card's body key is computed from, besides the link names: its path, title,
    text and first line, and the renderer."""
    return digest(
        "source", card.path, card.meta.title, card.body_line, card.body, renderer_version()
    )


def shown_body(card: Card) -> tuple[str, int]:
    """The body a page shows, and its first line: a leading ``# Title`` equal to the
    card's title is the page's own heading already, so it is not shown twice."""
    body, dropped = without_title_heading(card.body, card.meta.title)
    return body, card.body_line + dropped
