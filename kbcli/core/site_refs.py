"""How a site generator or a vault finds a page or a file from a name, not a path.

Kept apart from ``links.py`` (the one resolver) so that module stays within its size.
Pure and stdlib only.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from typing import TypeVar

from kbcli.core.link_scan import Link, github_slug
from kbcli.core.link_targets import wiki_target

CardT = TypeVar("CardT")


def hugo_ref(
    by_path: Mapping[str, CardT], find: Callable[[str], list[CardT]], folder: str, key: str
) -> CardT | None:
    """Hugo's lookup of a path that is not from the site root: beside the page first
    (``ref "b.md"`` from ``docs/a.md`` is ``docs/b.md``), then a logical page name,
    with or without ``.md``, when only one card has it."""
    if not key.startswith("/"):
        near = posixpath.normpath(posixpath.join(folder, key.partition("#")[0]))
        for candidate in (near, near + ".md", near + "/_index.md", near + "/index.md"):
            if candidate in by_path:
                return by_path[candidate]
    hits = find(key) or find(key.removesuffix(".md"))
    return hits[0] if len(hits) == 1 else None


def files_by_name(files: Collection[str]) -> dict[str, list[str]]:
    """Repo-relative paths by their file name, case-folded."""
    names: dict[str, list[str]] = {}
    for path in files:
        names.setdefault(path.rpartition("/")[2].casefold(), []).append(path)
    return names


def attachment(files: Collection[str], names: Mapping[str, list[str]], target: str) -> str | None:
    """The other file a wikilink names (Obsidian's ``![[diagram.png]]``): by its path,
    or by its file name when exactly one file in the repository has it, as a vault
    finds an attachment wherever it sits."""
    key = target.strip().lstrip("/")
    if key in files:
        return key
    found = names.get(key.casefold(), [])
    return found[0] if len(found) == 1 and "/" not in key else None


def text_first(link: Link) -> Link:
    """A wiki link read GitHub's way: the scan (and its cache) reads every ``[[a|b]]``
    as ``a`` naming the page; on a GitHub wiki ``b`` does."""
    inner = link.source.removeprefix("!").removeprefix("[[").removesuffix("]]")
    target, anchor = wiki_target(inner, text_first=True)
    return replace(link, target=target, anchor=anchor)


def layout_section(header: Mapping[str, object], anchor: str) -> str | None:
    """The header key (``questions:``) whose slug is ``anchor``, if the card has one: a
    site's layout (18F's) renders it as a section with that anchor."""
    for key in header:
        if isinstance(key, str) and github_slug(key.replace("_", " ")) == anchor:
            return key
    return None
