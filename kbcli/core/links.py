"""Links between cards: resolve them, say which are broken (``link_scan`` finds them).

Used by ``kb check`` (broken-link findings) and the handbook (rewriting links into
page URLs). Pure: it works on card bodies and paths already in memory.

What counts as a link:

* relative markdown links and images, ``[text](../billing/refunds.md#steps)``, and
  reference definitions ``[id]: refunds.md`` (``/billing/x.md`` is relative to the
  knowledge repo root, as on GitHub);
* wikilinks ``[[Refund a duplicate charge]]``, ``[[refund-dupe|the refund card]]``,
  ``[[Title#Heading]]`` and ``[[#Heading]]``, resolved by path, alias, title or file
  name;
* site paths in a site generator's link tag, ``[text]({% page "/billing/refunds/" %})``,
  ``{% link docs/a.md %}``, ``{{< relref "a" >}}``, ``{{ site.baseurl }}/billing/``: the
  page of the site a card is (its path under a card folder, ``permalink``, ``url``,
  ``redirect_from`` or ``aliases``); see ``core/template_tags.py``;
* anchors ``#heading-slug``, matched against GitHub-style heading slugs (lower case,
  punctuation dropped, spaces to ``-``, ``-1``/``-2`` for repeated headings) and
  explicit ``<a name>`` / ``id`` anchors.

Links inside fenced or indented code blocks, inline code and HTML comments are not
links. External URLs (``https:``, ``mailto:``, ``//host``) are never checked.

Typical use::

    resolver = LinkResolver(cards, files=other_files)
    for result in resolver.broken(card):
        print(card.path, result.link.line, result.problem)

``Link.line`` and ``Link.column`` are 1-based positions in the *body*;
``LinkResolver`` reports file lines (``card.body_line`` added).
"""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from kbcli.core.cards import Card
from kbcli.core.link_scan import BodyScan, Link, LinkKind, github_slug, scan, wiki_slug
from kbcli.core.naming import raw_path
from kbcli.core.plain_line import title_key
from kbcli.core.sections import title_heading_line
from kbcli.core.site_paths import served_at, site_index, site_key, tag_at
from kbcli.core.site_refs import attachment, files_by_name, hugo_ref, layout_section, text_first
from kbcli.core.template_tags import GENERATOR_LINK_TAGS, tag_name, tag_shown

# --- resolving ----------------------------------------------------------------------

# Above this many cards, "did you mean" over all titles costs more than it helps.
_SUGGEST_LIMIT = 3000


@dataclass(frozen=True)
class Resolved:
    """Where one link leads. ``problem`` says why it is broken (None: it works)."""

    card: str  # path of the card holding the link
    link: Link
    line: int  # file line of the link (body line + card.body_line - 1)
    column: int
    target: str | None  # repo-relative path it leads to (broken path links: the path sought)
    anchor: str | None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class LinkResolver:
    """Resolves links between the cards of one knowledge repo.

    ``files`` are the repo-relative paths of other files (images, attachments,
    README.md files that are not cards); a link to one of them is fine. When
    ``files`` is None, links to anything but a card are not judged. ``site_roots`` are
    the card folders a site generator publishes from (``[cards] folders``): a site path
    ``/billing/refunds/`` is ``<root>/billing/refunds.md`` there.
    """

    cards: Sequence[Card]
    files: Collection[str] | None = None
    site_roots: Sequence[str] = ()
    wiki_text_first: bool = False  # a GitHub wiki's [[Link text|Page name]]
    _by_path: dict[str, Card] = field(init=False)
    _scans: dict[str, BodyScan] = field(init=False, default_factory=dict)
    _links: dict[str, tuple[Link, ...]] = field(init=False, default_factory=dict)
    # One difflib pass over every title per distinct broken wikilink, not per occurrence:
    # 300 cards linking to one missing title cost 300 passes (a third of a kb check).
    _title_hints: dict[str, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._by_path = {card.path: card for card in self.cards}

    # The indexes below are built on first use: most cards link to little or nothing.

    @cached_property
    def _folders(self) -> dict[str, list[str]]:
        folders: dict[str, list[str]] = {}
        for path in self._by_path:
            folders.setdefault(posixpath.dirname(path), []).append(path)
        return folders

    @cached_property
    def _file_dirs(self) -> set[str]:
        dirs: set[str] = set()
        for path in [*(self.files or ()), *self._by_path]:
            parent = posixpath.dirname(path)
            while parent and parent not in dirs:
                dirs.add(parent)
                parent = posixpath.dirname(parent)
        return dirs

    @cached_property
    def _alias_paths(self) -> dict[str, str]:
        aliases: dict[str, str] = {}
        for card in self.cards:
            for alias in card.meta.aliases:
                aliases.setdefault(alias.removeprefix("/"), card.path)
        return aliases

    @cached_property
    def _by_name(self) -> dict[str, list[Card]]:
        names: dict[str, list[Card]] = {}
        for card in self.cards:
            keys = {title_key(card.title), card.stem.casefold(), card.path.casefold()}
            keys.add(card.path.removesuffix(".md").casefold())
            keys.update(alias.casefold() for alias in card.meta.aliases)
            for key in keys:
                names.setdefault(key, []).append(card)
        return names

    @cached_property
    def _site_paths(self) -> dict[str, str | None]:
        return site_index(self.cards, self.site_roots)

    def site_card(self, path: str) -> Card | None:
        """The card a site path names (``/billing/refunds/``, ``docs/a.md``), if exactly one."""
        target = self._site_paths.get(site_key(path))
        return self._by_path.get(target) if target else None

    def card(self, path: str) -> Card | None:
        """The card at a repo-relative path, if there is one."""
        return self._by_path.get(path)

    def scan(self, card: Card) -> BodyScan:
        """The (cached) scan of a card's body."""
        cached = self._scans.get(card.path)
        if cached is None:
            cached = self._scans[card.path] = scan(card.body, title=card.title)
        return cached

    def links(self, card: Card) -> tuple[Link, ...]:
        """The (cached) links of a card's body."""
        cached = self._scans.get(card.path)
        if cached is not None:
            return cached.links
        found = self._links.get(card.path)
        if found is None:
            found = self._links[card.path] = scan(card.body, with_headings=False).links
        return found

    def know_links(self, links: Mapping[str, tuple[Link, ...]]) -> None:
        """Cards' links as an earlier scan of the same bodies found them (a cache): those
        bodies are not scanned for links again."""
        self._links.update(links)

    def found_links(self) -> dict[str, tuple[Link, ...]]:
        """Every card's links this resolver scanned for (or was given), by path."""
        return dict(self._links)

    def refresh(self, card: Card) -> None:
        """Take a card's new text (an editor's unsaved buffer) in place of the old one.

        Only its own scan is dropped: the name indexes keep the saved title and aliases,
        which only links from other cards to this one depend on.
        """
        self._by_path[card.path] = card
        self._scans.pop(card.path, None)
        self._links.pop(card.path, None)

    def resolve_all(self, card: Card) -> list[Resolved]:
        """Every link of ``card``, resolved."""
        return [self.resolve(card, link) for link in self.links(card)]

    def broken(self, card: Card) -> list[Resolved]:
        """The links of ``card`` that lead nowhere, with the reason and a fix."""
        return [r for r in self.resolve_all(card) if not r.ok]

    def resolve(self, card: Card, link: Link) -> Resolved:
        line, column = link.line + card.body_line - 1, link.column
        if link.kind is LinkKind.ANCHOR:
            return self._anchored(card, link, line, column, card)
        if link.kind is LinkKind.WIKI:
            if self.wiki_text_first and "|" in link.source:
                link = text_first(link)
            return self._wiki(card, link, line, column)
        if link.kind is LinkKind.SITE:
            return self._site(card, link, line, column)
        return self._path(card, link, line, column)

    def _site(self, card: Card, link: Link, line: int, column: int) -> Resolved:
        """A site path in a template tag. A site's own tag (18F's ``page``) is a link only
        when its path is a card's or a file's; otherwise it is a template tag kb does not
        render (``kb check`` says so), never a broken path named ``{%``."""
        tag = link.source[tag_at(link.source) :]
        name = tag_name(tag)
        key = link.target
        if name == "post_url":
            key = "_posts/" + key
        target = self.site_card(key)
        if target is None and name in ("ref", "relref"):
            target = hugo_ref(self._by_path, self.find, card.folder, key)
        if target is not None:
            return self._anchored(card, link, line, column, target)
        file = self._site_file(key)
        if file is not None:
            return Resolved(card.path, link, line, column, file, link.anchor)
        if name not in GENERATOR_LINK_TAGS:
            if self.files is not None and _names_a_file(key):
                # A download the generator copies from folders this repo does not hold:
                # the page can only show the link's words.
                problem = (
                    f"{link.source} names the file {key.lstrip('/')}, which is not in the "
                    "repo, so the handbook shows the link's text only: add the file at "
                    "that path (kb build copies it to the site) or link to where it is "
                    "published"
                )
                return Resolved(card.path, link, line, column, None, link.anchor, problem)
            return Resolved(card.path, link, line, column, None, link.anchor)
        problem = (
            f"link tag {tag_shown(tag)} names {link.target}, which is no card's path under "
            f"a card folder nor any card's permalink, url, redirect_from or aliases"
        )
        return Resolved(card.path, link, line, column, None, link.anchor, problem)

    def _site_file(self, path: str) -> str | None:
        """The other file a site path names (a download, an image), under a site root."""
        if self.files is None:
            return None
        rel = path.strip().lstrip("/")
        for root in ["", *(r.strip("/") for r in self.site_roots)]:
            candidate = posixpath.normpath(posixpath.join(root, rel)) if rel else ""
            if candidate and candidate in self.files:
                return candidate
        return None

    def find(self, name: str) -> list[Card]:
        """Cards a wikilink target names: a path, an alias, a title (by ``title_key``, so
        as it is written or as it is shown) or a file name."""
        key = name.strip().removeprefix("/").casefold()
        hits = (
            self._by_name.get(key)
            or self._by_name.get(key + ".md")
            or self._by_name.get(title_key(name))
            or []
        )
        unique = {card.path: card for card in hits}
        return list(unique.values())

    def _wiki(self, card: Card, link: Link, line: int, column: int) -> Resolved:
        if not link.target:
            return self._anchored(card, link, line, column, card)
        hits = self.find(link.target)
        if not hits and self.wiki_text_first:  # GitHub: [[Page Name]] is Page-Name.md
            hits = self.find(link.target.replace(" ", "-"))
        if len(hits) == 1:
            return self._anchored(card, link, line, column, hits[0])
        file = attachment(self.files, self._file_names, link.target) if self.files else None
        if file is not None and not hits:
            return Resolved(card.path, link, line, column, file, link.anchor)
        if hits:
            paths = ", ".join(sorted(c.path for c in hits))
            problem = (
                f"wikilink [[{link.target}]] matches {len(hits)} cards ({paths}); "
                "link by path or alias instead"
            )
        else:
            problem = f"wikilink [[{link.target}]] matches no card by title, alias or path"
            if len(self.cards) <= _SUGGEST_LIMIT:
                hint = self._title_hints.get(link.target)
                if hint is None:
                    hint = self._suggest(link.target, [c.title for c in self.cards])
                    self._title_hints[link.target] = hint
                problem += hint
        return Resolved(card.path, link, line, column, None, link.anchor, problem)

    @cached_property
    def _file_names(self) -> dict[str, list[str]]:
        return files_by_name(self.files or ())

    def _path(self, card: Card, link: Link, line: int, column: int) -> Resolved:
        target = link.target
        if target.startswith("/"):
            joined = target.lstrip("/")
        else:
            joined = posixpath.join(card.folder, target)
        resolved = posixpath.normpath(joined)
        if resolved.startswith("../") or resolved == "..":
            # Outside the knowledge repo: nothing here can say whether it exists.
            return Resolved(card.path, link, line, column, None, link.anchor)
        candidates = [resolved]
        if not resolved.endswith(".md"):
            candidates.append(resolved.rstrip("/") + ".md")
        for candidate in candidates:
            if candidate in self._by_path and _not_utf8(candidate):
                problem = (
                    f"link to {target} leads to {candidate}, whose file name is not valid "
                    "UTF-8, so kb does not read it and the handbook has no page for it; "
                    "rename the file (git mv) and link to the new name"
                )
                return Resolved(card.path, link, line, column, None, link.anchor, problem)
            if candidate in self._by_path:
                return self._anchored(card, link, line, column, self._by_path[candidate])
        site = self.site_card(target) if target.startswith("/") else None
        if site is not None:  # a site address: a permalink, a Docusaurus slug
            return self._anchored(card, link, line, column, site)
        if self.files is not None and (
            resolved in self.files or resolved.rstrip("/") in self._file_dirs
        ):
            return Resolved(card.path, link, line, column, resolved, link.anchor)
        if self.files is None and not resolved.endswith(".md"):
            return Resolved(card.path, link, line, column, None, link.anchor)
        what = "image" if link.image else "link"
        problem = f"{what} to {target} leads to {resolved}, which does not exist"
        moved = self._alias_paths.get(resolved) or self._alias_paths.get(
            resolved.removesuffix(".md")
        )
        if moved:
            fix = posixpath.relpath(moved, card.folder or ".")
            problem += f"; the card moved to {moved}: link to {fix}"
        elif served := served_at(card, target, self.site_roots, self.site_card):
            fix = posixpath.relpath(served.path, card.folder or ".")
            problem += (
                f"; from the page's address on its old site it is {served.path}: link to {fix}"
            )
        elif resolved.endswith(".md"):
            siblings = self._folders.get(posixpath.dirname(resolved), [])
            problem += self._suggest(resolved, siblings, relative_to=card.folder)
        return Resolved(card.path, link, line, column, resolved, link.anchor, problem)

    def _anchored(self, card: Card, link: Link, line: int, column: int, target: Card) -> Resolved:
        if link.anchor is None or link.anchor == "":
            return Resolved(card.path, link, line, column, target.path, link.anchor)
        scanned = self.scan(target)
        wanted = link.anchor.lower()
        if link.kind is LinkKind.WIKI:
            wanted = wiki_slug(link.anchor)
        if wanted in scanned.anchors:
            return Resolved(card.path, link, line, column, target.path, link.anchor)
        where = "this card" if target.path == card.path else target.path
        if wanted == github_slug(target.title) and title_heading_line(target.body, target.title):
            problem = (
                f"{link.source} points to #{link.anchor}, the title of {where}, which the "
                f"handbook shows as the page's title with no anchor: link to {where} "
                f"without #{link.anchor}"
            )
            return Resolved(card.path, link, line, column, target.path, link.anchor, problem)
        problem = f"{link.source} points to #{link.anchor}, but {where} has no such heading"
        key = layout_section(target.meta.extra, wanted)
        if key is not None:
            # The site generator's layout (18F's) renders this header key as a section
            # with that anchor: true there, broken on kb's page, which shows no such key.
            problem += (
                f": its header's '{key}:' is what the site's layout shows as a section "
                "with that anchor, and kb's handbook does not show it; link without "
                f"#{link.anchor}, or write that section in the card under a heading "
                f"('## {key.replace('_', ' ').capitalize()}')"
            )
            return Resolved(card.path, link, line, column, target.path, link.anchor, problem)
        problem += self._suggest(wanted, sorted(scanned.anchors), prefix="#")
        return Resolved(card.path, link, line, column, target.path, link.anchor, problem)

    @staticmethod
    def _suggest(
        wanted: str, choices: Sequence[str], *, prefix: str = "", relative_to: str | None = None
    ) -> str:
        close = difflib.get_close_matches(wanted, choices, n=1, cutoff=0.6)
        if not close:
            return ""
        best = close[0]
        if relative_to is not None:
            best = posixpath.relpath(best, relative_to or ".")
        return f"; did you mean {prefix}{best}?"


def _names_a_file(path: str) -> bool:
    """Whether a site path names a file (``downloads/form.pdf``), not a page."""
    extension = posixpath.splitext(path.rstrip("/").rpartition("/")[2])[1].lower()
    return len(extension) > 1 and extension not in (".html", ".htm", ".md", ".markdown")


def _not_utf8(path: str) -> bool:
    """Whether ``path`` is the shown form of a file name that is not UTF-8 (``caf\\xe9.md``)."""
    return "\\x" in path and raw_path(path) != path
