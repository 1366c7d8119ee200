"""The handbook's view models: page URLs, link resolution, groups, trust score, chart geometry.

Pure: templates receive plain dicts built here, so what a page shows can be tested
without Jinja, a browser or a filesystem, and the same dict is hashed to decide
whether a page must be rendered again.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import unquote, urlsplit

from kbcli.core.cards import Audience, Card, CardMeta, Status
from kbcli.core.catalog import Assessed
from kbcli.core.link_scan import Link, wiki_slug
from kbcli.core.link_targets import LinkKind, destination, wiki_target
from kbcli.core.links import LinkResolver
from kbcli.core.naming import slugify
from kbcli.core.template_tags import GENERATOR_LINK_TAGS, tag_name
from kbcli.core.trust import Trust, days_from_today

# Site paths the handbook itself uses; a card folder with one of these names is moved under cards/.
RESERVED = frozenset(
    {
        "tags",
        "owners",
        "static",
        "pagefind",
        "pagefind-delta",
        "index.html",
        "health.html",
        "404.html",
    }
)
RTL_LANGS = frozenset({"he", "iw", "ar", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ckb"})
BADGE_ICON = {"verified": "✔", "due": "◷", "expired": "✖", "unverified": "?", "needs-review": "✖"}
BADGE_WORD = {
    "verified": "Verified",
    "due": "Due for review",
    "expired": "Expired",
    "unverified": "Unverified",
    "needs-review": "Needs review",
}

# A top-level name the search glob can spell as it is (no glob syntax, no separators).
_GLOB_NAME = re.compile(r"[\w.-]+")


def search_glob(entries: Iterable[tuple[str, bool]]) -> str | None:
    """The Pagefind glob of a site with cards, from its top-level (name, is a folder)
    entries: the pages under every entry but the handbook's own (``RESERVED``: the lists,
    health, static files, the search bundles). Pagefind reads and parses every page it
    matches, and the list pages (an index of every card, the health table) are a tenth
    of a site's HTML that it indexes none of, as no card is there. None (Pagefind's
    default: every page) when a name would need escaping or is hidden."""
    parts = []
    for name, is_folder in sorted(entries):
        if name in RESERVED or not (is_folder or name.endswith(".html")):
            continue
        if name.startswith(".") or not _GLOB_NAME.fullmatch(name):
            return None
        parts.append(f"{name}/**/*.html" if is_folder else name)
    return "{" + ",".join(parts) + "}" if parts else None


def card_url(path: str) -> str:
    """``billing/refunds.md`` -> ``billing/refunds.html`` (cards keep their folder layout)."""
    url = path.removesuffix(".md") + ".html"
    if url.partition("/")[0] in RESERVED:
        url = "cards/" + url
    return url


def tag_url(tag: str) -> str:
    return f"tags/{slugify(tag)}.html"


def owner_url(owner: str) -> str:
    return f"owners/{slugify(owner)}.html"


def root_of(page_url: str) -> str:
    """The relative prefix from a page back to the site root: ``""`` or ``"../"``..."""
    return "../" * page_url.count("/")


def relative_url(from_page: str, to_page: str) -> str:
    """A link from one site page to another that works from disk and under any prefix."""
    rel = posixpath.relpath(to_page, posixpath.dirname(from_page) or ".")
    return rel


_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def page_lang(lang: str | None, default: str) -> str:
    """A BCP 47 tag fit for ``<html lang>`` and a per-language search index; else the default."""
    if lang and _LANG.match(lang.strip()):
        return lang.strip().lower()
    return default


def text_direction(lang: str) -> str:
    return "rtl" if lang.split("-", 1)[0].lower() in RTL_LANGS else "ltr"


def in_audience(card: Card, audience: Audience) -> bool:
    """Which cards a build shows: published ones (drafts and archived cards never, as
    ``kb archive`` promises); public builds only those with ``audience: public``."""
    if card.meta.status is not Status.PUBLISHED:
        return False
    return audience is Audience.INTERNAL or card.meta.audience is Audience.PUBLIC


def in_site(item: Assessed, audience: Audience, omit_stale: bool) -> bool:
    """``in_audience``, and for a public build told to omit them (``[handbook]
    public_stale = "omit"``), not a card that is not current: a help center then never
    shows an answer kb doubts."""
    if not in_audience(item.card, audience):
        return False
    return audience is Audience.INTERNAL or not omit_stale or item.trust.is_fresh


# ---------------------------------------------------------------------------------------------
# Links between cards


@dataclass(frozen=True)
class Destination:
    """Where the renderer sends one link of a card body."""

    # "card" (a page in this build), "hidden" (a card not in this build), "broken", "file"
    # (a file of the repo, copied to the site at its path)
    kind: str
    target: str = ""  # the card path for card/hidden, the file's for file
    fragment: str = ""


@dataclass
class SiteLinks:
    """The build's side of the one ``LinkResolver`` that ``kb check`` uses too: which
    cards are pages of this build. Anchors do not change where a link goes (a link to a
    missing heading still opens the page), so they are left to the resolver's report."""

    resolver: LinkResolver
    shown: frozenset[str]

    def href(self, card_path: str, href: str) -> Destination | None:
        """A markdown link's destination; None when the page keeps the link as written
        (other sites, anchors in the same page, files and folders that exist)."""
        found = destination(href)
        if found is None or found[0] not in (LinkKind.PATH, LinkKind.SITE) or not found[1]:
            return None  # a template tag that names no page is left as written
        fragment = href.partition("#")[2] if "#" in href else ""
        if found[0] is not LinkKind.SITE:
            return self._lead(card_path, Link(found[0], found[1], None, href, 1, 1), fragment)
        fragment = found[2] or ""  # the tag's own anchor, not the rest of the tag
        source = unquote(href)  # the tag as written: its name says how strict to be
        link = Link(found[0], found[1], None, source, 1, 1)
        lead = self._lead(card_path, link, fragment)
        if lead is None:
            # A tag naming a file of the repo (``{% download "forms/a.pdf" %}``): the build
            # copies it to the same path, so the link goes there.
            file = self._file(card_path, link)
            if file is not None:
                return Destination("file", file, fragment)
        # A tag that leads to no card nor file (the site's home page, a download the repo
        # lacks: kb check says so): its text stays, plain, rather than a link to the tag's
        # own text.
        if lead is None or (lead.kind == "broken" and tag_name(source) not in GENERATOR_LINK_TAGS):
            return Destination("hidden")
        return lead

    def _file(self, card_path: str, link: Link) -> str | None:
        card = self.resolver.card(card_path) or Card(card_path, CardMeta(title=""), "")
        found = self.resolver.resolve(card, link)
        if found.ok and found.target and self.resolver.card(found.target) is None:
            return found.target
        return None

    def wiki(self, card_path: str, inner: str) -> Destination | None:
        """``[[Title]]``, ``[[alias]]``, ``[[folder/name]]``, ``[[Title#Heading]]``...; one
        that names a file, not a card (an Obsidian attachment), keeps its text, plain: a
        wiki link has no destination of its own to keep, and pages hold no attachments."""
        anchor = wiki_target(inner, self.resolver.wiki_text_first)[1]
        target = wiki_target(inner)[0]  # the resolver reads the sides as the repo writes them
        fragment = wiki_slug(anchor) if anchor else ""
        link = Link(LinkKind.WIKI, target, None, inner, 1, 1)
        return self._lead(card_path, link, fragment) or Destination("hidden")

    def _lead(self, card_path: str, link: Link, fragment: str) -> Destination | None:
        card = self.resolver.card(card_path) or Card(card_path, CardMeta(title=""), "")
        found = self.resolver.resolve(card, link)
        if found.target is not None and self.resolver.card(found.target) is not None:
            kind = "card" if found.target in self.shown else "hidden"
            return Destination(kind, found.target, fragment)
        return None if found.ok else Destination("broken", fragment=fragment)


_WIKI = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
# A destination written as a template tag (``]({% page "/a/" %})``) is one reference whole:
# what it resolves to is part of the page's key, as for any link.
_TAG_DEST = r"\{%[^\n]*?%\}|\{\{[^\n]*?\}\}[^)\s]*"
_MDLINK = re.compile(r"\]\(\s*<?(" + _TAG_DEST + r"|[^)\s>]+)")
_REFDEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(" + _TAG_DEST + r"|\S+?)>?(?:\s|$)", re.MULTILINE)


def link_refs(body: str) -> list[tuple[str, str]]:
    """Every link reference a body may hold, as ``("wiki"|"md", ref)``: a superset of what
    the renderer will resolve (code blocks included), good enough as a cache key."""
    refs = [("wiki", m.group(1)) for m in _WIKI.finditer(body)]  # either side may name it
    for pattern in (_MDLINK, _REFDEF):
        refs += [("md", m.group(1)) for m in pattern.finditer(body)]
    return refs


def link_context(card_path: str, body: str, links: SiteLinks) -> list[Any]:
    """What the links of one body resolve to: part of the key that says "render again"."""
    context: list[Any] = []
    for kind, ref in sorted(set(link_refs(body))):
        found = links.wiki(card_path, ref) if kind == "wiki" else links.href(card_path, ref)
        context.append([kind, ref, found.kind if found else "", found.target if found else ""])
    return context


def digest(*parts: Any) -> str:
    """A stable hash of plain parts (str, numbers, None, dates, lists, tuples, dicts): the build
    manifest's keys. ``repr`` is deterministic for these and several times faster than JSON;
    dicts are built by the same code each time, so their order is stable too."""
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


# ---------------------------------------------------------------------------------------------
# View models


@dataclass(frozen=True)
class GitFacts:
    """What git knows about one card (from the history pass): last edit, last verifier."""

    last_author: str | None = None
    last_date: date | None = None
    verified_by: str | None = None


@dataclass(frozen=True)
class HandbookFacts:
    """Everything outside the cards that pages show; history is optional (not a git repo)."""

    git: Mapping[str, GitFacts] = field(default_factory=dict)
    trend: Sequence[tuple[date, int]] = ()
    findings: Sequence[Mapping[str, Any]] = ()
    related: Mapping[str, Sequence[str]] = field(default_factory=dict)
    has_history: bool = False
    has_related: bool = False


@dataclass(frozen=True)
class SiteOptions:
    title: str
    audience: Audience
    today: date
    default_lang: str = "en"
    edit_base: str = ""  # "https://host/org/repo/edit/main/prefix/" or ""
    # Built from a shallow clone (--allow-shallow): every page says history facts are missing.
    shallow: bool = False
    # Where the site's root is on its host ("/handbook/" for a GitHub Pages project site):
    # the 404 page is served at any missing path, so its links start from here.
    site_path: str = "/"


def trust_view(trust: Trust, today: date, verifiers: Sequence[str] = ()) -> dict[str, Any]:
    state = trust.state.value
    left = trust.days_left(today)
    if trust.verified_on is None:
        detail = "never verified"
    elif left is None:
        detail = f"verified {trust.verified_on.isoformat()}, never expires"
    else:
        verb = "expires" if left >= 0 else "expired"
        detail = f"verified {trust.verified_on.isoformat()}, {verb} {days_from_today(left)}"
    return {
        "state": state,
        "icon": BADGE_ICON[state],
        "word": BADGE_WORD[state],
        "verified_on": trust.verified_on.isoformat() if trust.verified_on else None,
        "expires_on": trust.expires_on.isoformat() if trust.expires_on else None,
        "due_on": trust.due_on.isoformat() if trust.due_on else None,
        "days_left": left,
        "detail": detail,
        "verifiers": list(verifiers),
        "no_owner": trust.no_owner,
        "reasons": [{"rule": r.rule, "text": r.text} for r in trust.reasons],
    }


def site_path(url: str) -> str:
    """The path the site is published under, from ``[handbook] url`` ("/" when unset):
    "https://org.github.io/handbook" -> "/handbook/"."""
    path = urlsplit(url.strip()).path.strip("/")
    return f"/{path}/" if path else "/"


def pages_url_hint(url: str, env: Mapping[str, str]) -> str:
    """What to set when a GitHub Actions build has no ``[handbook] url`` ("" otherwise).

    The 404 page is served at any missing path, so its links start from the site's path
    on its host; without the setting that is ``/``, and a GitHub Pages project site
    (``https://OWNER.github.io/REPO/``) gets a 404 page with no style, search or way home.
    The likely address is named, not assumed: the same workflow may publish elsewhere."""
    if url.strip() or env.get("GITHUB_ACTIONS") != "true":
        return ""
    owner, _, name = env.get("GITHUB_REPOSITORY", "").partition("/")
    if not owner or not name or name.lower() == f"{owner.lower()}.github.io":
        return ""  # a user or organisation site is served at the root
    site = f"https://{owner.lower()}.github.io/{name}/"
    return (
        "[handbook] url is not set, so the 404 page's links start at the host's root (/); "
        f'if this site is published on GitHub Pages at {site}, set url = "{site}" under '
        "[handbook] in kb.toml (or KB_HANDBOOK_URL) so that page keeps its style, search "
        "and home link"
    )


def edit_base(repo_url: str, branch: str, prefix: str) -> str:
    """The URL an "edit this card" link starts with (GitLab and Gitea/GitHub forms)."""
    if not repo_url:
        return ""
    base = repo_url.rstrip("/").removesuffix(".git")
    host = base.split("//", 1)[-1].split("/", 1)[0]
    verb = "-/edit" if "gitlab" in host else "edit"
    prefix = prefix.strip("/")
    return f"{base}/{verb}/{branch}/" + (prefix + "/" if prefix else "")
