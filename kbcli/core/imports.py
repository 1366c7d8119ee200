"""Imported knowledge: the card kb makes of one page of another tool, and its links.

Each source adapter (Guru, Notion...) reads its export into ``ImportedCard`` values;
this module gives them unique card paths and rewrites their links: a link to another
imported page points at that card's new path, a link to an image or attachment in the
export points at the copy next to the card, and anything else is reported, never
silently kept pointing into an export that will not exist.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from kbcli.core.link_scan import headings
from kbcli.core.naming import slugify

# Markdown links and images: [text](target "title") / ![alt](target).
_LINK = re.compile(r"(!?\[(?:[^\]\\]|\\.)*\])\(\s*<?([^)\s>]+)>?((?:\s+\"[^\"]*\")?)\s*\)")
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#)")


@dataclass
class ImportedCard:
    """One page of an export as a card: where it goes, its front matter and its body.

    ``source`` is the page's path in the export (links are resolved against it);
    ``keys`` are other names links may use for it (a Guru card id, a Zendesk URL).
    """

    source: str
    folder: str
    title: str
    meta: dict[str, object]
    body: str
    keys: tuple[str, ...] = ()
    path: str = ""  # set by assign_paths
    assets: dict[str, str] = field(default_factory=dict)  # export path -> card-relative name
    # The source's heading ids (Zendesk ``h_01...``, Confluence ``Page-Section``) -> the
    # heading's text, so ``#id`` links can point at the heading's anchor in kb.
    anchors: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportedExport:
    """What a source adapter read: the cards, and how links into the source tool resolve
    (see ``rewrite_links`` for ``canonical`` and ``names``)."""

    cards: list[ImportedCard]
    canonical: Callable[[str], str | None] | None = None
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportNote:
    """Something that could not be mapped, with where it is (``source`` in the export)."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


def assign_paths(cards: Sequence[ImportedCard], base: str) -> None:
    """``base/folder/slug.md`` for every card, unique, stable for the same export."""
    taken: set[str] = set()
    for card in sorted(cards, key=lambda c: c.source):
        folder = "/".join(p for p in (base.strip("/"), *card.folder.split("/")) if p)
        stem = slugify(card.title)
        path, number = f"{folder}/{stem}.md" if folder else f"{stem}.md", 2
        while path in taken:
            path = f"{folder}/{stem}-{number}.md" if folder else f"{stem}-{number}.md"
            number += 1
        taken.add(path)
        card.path = path


def rewrite_links(
    cards: Sequence[ImportedCard],
    exists: Callable[[str], bool],
    *,
    canonical: Callable[[str], str | None] | None = None,
    names: Mapping[str, str] | None = None,
) -> list[ImportNote]:
    """Point links at the new card paths and at asset copies; return what stayed unmapped.

    ``exists`` says whether a path is a file in the export (an image or attachment).
    ``canonical`` lets a source name what a link into its own tool stands for (a
    Zendesk article URL -> that article's key, an attachment URL -> its path in the
    export): a link it recognises but kb did not import is reported, not silently
    kept. ``names`` gives the original file name of an export file the tool renamed
    (Confluence stores attachments by id), so the copy keeps a name people know.
    """
    resolve = _Resolver(exists, canonical, names or {})
    by_key: dict[str, ImportedCard] = {}
    for card in cards:
        by_key[card.source] = card
        for key in card.keys:
            by_key[key] = card
    notes: list[ImportNote] = []
    for card in cards:

        def replace(match: re.Match[str], card: ImportedCard = card) -> str:
            return _rewrite(match, card, by_key, resolve, notes)

        card.body = _LINK.sub(replace, card.body)
    return notes


@dataclass(frozen=True)
class _Resolver:
    exists: Callable[[str], bool]
    canonical: Callable[[str], str | None] | None
    names: Mapping[str, str]


def _rewrite(
    match: re.Match[str],
    card: ImportedCard,
    by_key: dict[str, ImportedCard],
    resolve: _Resolver,
    notes: list[ImportNote],
) -> str:
    label, target, title = match.group(1), match.group(2), match.group(3)
    if target in by_key:
        new = _relative(by_key[target].path, card.path)
        return f"{label}({new}{title})"
    raw, _, anchor = target.partition("#")
    if not raw and anchor in card.anchors:
        return f"{label}(#{_anchor(card, anchor)}{title})"
    known = resolve.canonical(raw) if resolve.canonical and raw else None
    if known is not None:
        if known in by_key:
            other = by_key[known]
            suffix = _suffix(other, anchor, card, notes, target)
            return f"{label}({_relative(other.path, card.path)}{suffix}{title})"
        if resolve.exists(known):
            return f"{label}({_asset(known, card, resolve)}{title})"
        notes.append(ImportNote(card.source, f"link to {target} is not in the export; kept as is"))
        return match.group(0)
    if _EXTERNAL.match(target):
        return match.group(0)
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(card.source), unquote(raw)))
    if resolved in by_key:
        other = by_key[resolved]
        suffix = _suffix(other, anchor, card, notes, target)
        return f"{label}({_relative(other.path, card.path)}{suffix}{title})"
    for candidate in (resolved, posixpath.normpath(unquote(raw).lstrip("/"))):
        if not candidate.startswith("..") and resolve.exists(candidate):
            return f"{label}({_asset(candidate, card, resolve)}{title})"
    notes.append(
        ImportNote(card.source, f"link to {target} points at nothing kb imported; kept as is")
    )
    return match.group(0)


def _suffix(
    other: ImportedCard, anchor: str, card: ImportedCard, notes: list[ImportNote], target: str
) -> str:
    """``#anchor`` of the heading in ``other``; a heading it does not have is reported."""
    if not anchor:
        return ""
    mapped = _anchor(other, anchor)
    if mapped not in {heading.slug for heading in headings(other.body)}:
        notes.append(
            ImportNote(card.source, f"link to {target}: that page has no such heading; kept")
        )
    return "#" + mapped


def _anchor(card: ImportedCard, anchor: str) -> str:
    """The kb anchor of the heading the source called ``anchor`` (else ``anchor``)."""
    text = card.anchors.get(anchor)
    if text is None:
        return anchor
    wanted = " ".join(text.split())
    for heading in headings(card.body):
        if " ".join(heading.text.split()) == wanted:
            return heading.slug
    return anchor


def _asset(source: str, card: ImportedCard, resolve: _Resolver) -> str:
    if source not in card.assets:
        card.assets[source] = _asset_name(source, card, resolve.names.get(source))
    return card.assets[source]


def _asset_name(source: str, card: ImportedCard, original: str | None = None) -> str:
    """The copy's file name next to the card: the card's stem, then the original name."""
    stem = card.path.rpartition("/")[2].removesuffix(".md")
    name = original or posixpath.basename(source)
    base, dot, ext = name.rpartition(".")
    clean = slugify(base) + dot + ext.lower() if dot else slugify(name)
    taken = set(card.assets.values())
    candidate, number = f"{stem}.{clean}", 2
    while candidate in taken:
        candidate, number = f"{stem}.{number}.{clean}", number + 1
    return candidate


def _relative(target: str, start: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(start) or ".")
