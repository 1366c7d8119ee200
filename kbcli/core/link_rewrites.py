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

from kbcli.core.cards import Card
from kbcli.core.link_targets import LinkKind
from kbcli.core.links import LinkResolver, Resolved
from kbcli.core.site_paths import tag_at, tag_position
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
