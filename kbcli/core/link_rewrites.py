"""Rewriting a site generator's link tags as plain markdown links, for ``kb adopt``.

``[Refunds]({% page "/billing/refunds/" %})`` works on the team's old site and nowhere
else: not on GitHub, not in an editor's preview, not in kb's handbook. When the one link
resolver (``links.py``) says the tag's site path is a card, the destination is rewritten
as the relative path to that card's file, ``[Refunds](../billing/refunds.md)``, the text
and the anchor kept. Only the destination changes: the link's text, its title and every
other byte of the file stay as they were. Tags that name no card are left alone (``kb
check`` names them). Pure: resolved links in, positioned edits out.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from kbcli.core.cards import Card
from kbcli.core.link_targets import LinkKind
from kbcli.core.links import LinkResolver, Resolved
from kbcli.core.site_paths import served_at, tag_at, tag_position
from kbcli.core.template_tags import tag_end


@dataclass(frozen=True)
class LinkRewrite:
    """One destination to rewrite, at a 1-based file line and column of ``path``."""

    path: str
    line: int
    column: int
    old: str  # the destination as written: {% page "/billing/refunds/" %}
    new: str  # the relative path to the card: ../billing/refunds.md#steps


def link_rewrites(
    card: Card, resolved: Iterable[Resolved], resolver: LinkResolver
) -> list[LinkRewrite]:
    """The link tags of ``card`` whose site path is a card, as rewrites, in file order."""
    found = []
    for result in resolved:
        link = result.link
        if link.kind is not LinkKind.SITE or not result.target or not resolver.card(result.target):
            continue
        start = tag_at(link.source)
        old = link.source[start : start + destination_length(link.source[start:])]
        line, column = tag_position(link)
        found.append(
            LinkRewrite(card.path, line + card.body_line - 1, column, old, _relative(card, result))
        )
    return sorted(found, key=lambda r: (r.line, r.column))


def folder_url_rewrites(
    card: Card, resolved: Iterable[Resolved], resolver: LinkResolver
) -> list[LinkRewrite]:
    """Relative links written for the page's address, not its file: generators serve
    ``tools/slack.md`` at ``/tools/slack/``, so its ``[x](user-management/)`` is
    ``tools/slack/user-management.md`` on the site; from the file's folder it leads
    nowhere. Only a link broken from the file whose address names one card is rewritten,
    as the relative path to that card's file (the anchor as written)."""
    found = []
    for result in resolved:
        link = result.link
        if link.kind is not LinkKind.PATH or result.ok or link.target.startswith("/"):
            continue
        if "](" not in link.source:
            continue
        target = served_at(card, link.target, resolver.site_roots, resolver.site_card)
        written = _written_path(link.source)
        if target is None or written is None or unquote(written[1]) != link.target:
            continue
        at, old = written
        line = link.line + link.source.count("\n", 0, at) + card.body_line - 1
        newline = link.source.rfind("\n", 0, at)
        column = link.column + at if newline < 0 else at - newline
        new = posixpath.relpath(target.path, card.folder or ".")
        found.append(LinkRewrite(card.path, line, column, old, new))
    return found


def _written_path(source: str) -> tuple[int, str] | None:
    """Where the path of an inline link's destination starts in its source, and the path
    as written (before any ``#``); None for one in ``<...>`` or with no path."""
    at = source.rfind("](") + 2
    while at < len(source) and source[at] in " \t\n":
        at += 1
    end = at
    while end < len(source) and source[end] not in " \t\n)#?<>":
        end += 1
    return (at, source[at:end]) if end > at else None


def destination_length(text: str) -> int:
    """How long the destination that starts ``text`` is: its tag, then any path written
    right after it (``{{ site.baseurl }}/travel/``), up to a space or the closing ``)``."""
    end = tag_end(text)
    while end < len(text) and text[end] not in " \t\r\n)":
        end += 1
    return end


def _relative(card: Card, result: Resolved) -> str:
    assert result.target is not None
    path = posixpath.relpath(result.target, card.folder or ".")
    if result.link.anchor:
        path += "#" + result.link.anchor
    return f"<{path}>" if any(c in path for c in " ()<>") else path


def rewritten(text: str, rewrites: Sequence[LinkRewrite]) -> str:
    """``text`` (a whole card file) with ``rewrites`` made; ValueError when the file no
    longer holds what the plan read at a position (it changed since: plan again)."""
    lines = text.split("\n")  # as the body was split: "\r" stays at each line's end
    for rewrite in sorted(rewrites, key=lambda r: (r.line, r.column), reverse=True):
        at = rewrite.column - 1
        line = lines[rewrite.line - 1] if rewrite.line <= len(lines) else ""
        if line[at : at + len(rewrite.old)] != rewrite.old:
            raise ValueError(
                f"line {rewrite.line} no longer holds {rewrite.old}; run kb adopt again"
            )
        lines[rewrite.line - 1] = line[:at] + rewrite.new + line[at + len(rewrite.old) :]
    return "\n".join(lines)
