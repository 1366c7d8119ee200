"""What a link names: a markdown destination, a wikilink's target, a site generator's
link tag. Shared by the scanner (``link_scan``) and the handbook renderer, so both read
``refunds.md#steps`` and ``{% page "/billing/refunds/" %}`` the same way.
"""

from __future__ import annotations

import re
from enum import StrEnum
from urllib.parse import unquote

from kbcli.core.naming import shown_path
from kbcli.core.template_tags import site_path


class LinkKind(StrEnum):
    PATH = "path"  # a relative markdown link or image: [text](dest)
    WIKI = "wiki"  # [[Target]]
    ANCHOR = "anchor"  # [text](#heading) into the same card
    SITE = "site"  # a site path in a generator's link tag: [text]({% link a.md %})


_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.\-]*:|//)")


def destination(dest: str) -> tuple[LinkKind, str, str | None] | None:
    """What a markdown link destination names: ``(kind, path, anchor)``, both decoded.

    None for links kb never judges: other sites (``https:``, ``mailto:``, ``//host``)
    and empty destinations. Template syntax (``{% page "/a/" %}``) is a SITE link.
    """
    dest = dest.strip()
    if dest.startswith("<") and dest.endswith(">"):
        dest = dest[1:-1].strip()
    dest = re.sub(r"\\(.)", r"\1", dest)
    if "{" in dest or "%7B" in dest or "%7b" in dest:
        tagged = _site_destination(dest)
        if tagged is not None:
            return tagged
    if not dest or _SCHEME.match(dest):
        return None
    path, hash_, anchor = dest.partition("#")
    path = path.partition("?")[0]
    kind = LinkKind.PATH if path else LinkKind.ANCHOR
    return kind, _decoded(path), _decoded(anchor) if hash_ else None


def _site_destination(dest: str) -> tuple[LinkKind, str, str | None] | None:
    """A destination written with a site generator's template syntax (a renderer hands
    it over percent-encoded): ``(SITE, path, anchor)`` when it names a site path, else
    ``(SITE, "", None)``, a tag that is no link kb can follow (``{% download "a.pdf" %}``
    is checked as a tag, never as a path named ``{%``)."""
    text = unquote(dest) if "{" not in dest else dest
    if "{%" not in text and "{{" not in text:
        return None
    named = site_path(text)
    if named is None:
        return LinkKind.SITE, "", None
    path, anchor = named
    return LinkKind.SITE, _decoded(path), _decoded(anchor) if anchor is not None else None


def _decoded(text: str) -> str:
    """Percent-decoded; escapes that are not UTF-8 (``caf%E9.md``) name those very bytes,
    shown as ``\\xNN`` as kb shows such a file's name, not as U+FFFD."""
    return shown_path(unquote(text, errors="surrogateescape"))


def wiki_target(inner: str, text_first: bool = False) -> tuple[str, str | None]:
    """``Title#Heading|label`` -> ``("Title", "Heading")``; the anchor is None without ``#``.
    ``text_first``: a GitHub wiki's ``label|Title#Heading``."""
    target = wiki_sides(inner, text_first)[0]
    target, hash_, anchor = target.partition("#")
    return target.strip(), anchor.strip() if hash_ else None


def wiki_sides(inner: str, text_first: bool = False) -> tuple[str, str]:
    """``(the side naming the page, the link text)`` of ``[[inner]]``: the page first in
    Obsidian and kb (``[[Page|text]]``), last on a GitHub wiki (``[[Link text|Page]]``);
    the page's name is the text when there is one side only."""
    first, bar, last = inner.partition("|")
    if not bar:
        return first, first
    return (last, first) if text_first else (first, last)
