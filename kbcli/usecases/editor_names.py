"""Names an editor completes and follows in a card: links, anchors, owners, tags, keys.

Every answer comes from what kb already knows: the cards (titles, aliases, paths and
headings through the one ``LinkResolver``), the roster, the templates, and the front
matter's JSON Schema (``core.schema``), so completion offers exactly what ``kb check``
accepts. Lines and columns are 0-based here, as editors count them.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kbcli.core.cards import Card

if TYPE_CHECKING:
    from kbcli.core.links import Resolved
    from kbcli.usecases.editor import EditorSession


@dataclass(frozen=True)
class Suggestion:
    """One completion: what to show, what to insert, and a line about it."""

    label: str
    insert: str
    detail: str = ""
    kind: str = "reference"  # reference, anchor, value, key, person, tag
    filter: str = ""


_WIKI_OPEN = re.compile(r"\[\[([^\]\[]*)$")
_MD_OPEN = re.compile(r"\]\(([^)\s]*)$")
_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:(.*)$")
PEOPLE_KEYS = ("owner", "verifiers")
MAX_CARDS = 200


def complete(
    session: EditorSession, card: Card, text: str, line: int, col: int
) -> list[Suggestion]:
    """What may be typed at (line, col) of the card's text."""
    lines = text.split("\n")
    before = lines[line][:col] if line < len(lines) else ""
    if 0 < line < _front_end(lines):
        return _front_matter(session, before)
    wiki = _WIKI_OPEN.search(before)
    if wiki:
        target, hash_, _ = wiki.group(1).partition("#")
        if hash_:
            return _anchors(session, card, target, wiki=True)
        return _cards(session, card, wiki.group(1), wiki=True)
    md = _MD_OPEN.search(before)
    if md:
        target, hash_, _ = md.group(1).partition("#")
        if hash_:
            return _anchors(session, card, target, wiki=False)
        return _cards(session, card, md.group(1), wiki=False)
    return []


def _front_end(lines: list[str]) -> int:
    """The line of the closing ``---`` (0 when the card has no front matter)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i, text in enumerate(lines[1:], start=1):
        if text.strip() in ("---", "..."):
            return i
    return len(lines)


def _front_matter(session: EditorSession, before: str) -> list[Suggestion]:
    from kbcli.core.schema import card_schema

    properties = card_schema()["properties"]
    key_line = _KEY_LINE.match(before)
    if key_line is None:
        if before.startswith((" ", "-", "\t")):
            return []
        return [
            Suggestion(key, f"{key}: ", spec.get("description", ""), "key")
            for key, spec in properties.items()
        ]
    key = key_line.group(1)
    spec = properties.get(key, {})
    if "enum" in spec:
        return [Suggestion(v, v, f"{key} value", "value") for v in spec["enum"]]
    ws = session.workspace
    if key in PEOPLE_KEYS:
        roster = ws.config.roster
        people = [Suggestion(h, h, p.display, "person") for h, p in sorted(roster.people.items())]
        teams = [Suggestion(t, t, "team", "person") for t in sorted(roster.teams)]
        return people + teams
    if key == "tags":
        tags = sorted({t for c in session.cards.values() for t in c.meta.tags})
        return [Suggestion(t, t, "tag", "tag") for t in tags]
    if key == "template":
        return [Suggestion(n, n, "card template", "value") for n in sorted(session.required)]
    return []


def _cards(session: EditorSession, card: Card, typed: str, *, wiki: bool) -> list[Suggestion]:
    """Other cards whose title, alias or path contains what was typed: by title
    (wikilinks) or by relative path (markdown links). At most ``MAX_CARDS``, so a
    38,000-card repo does not send the editor 38,000 items per keystroke."""
    from kbcli.core.handbook import trust_view
    from kbcli.core.plain_line import display_title

    here = posixpath.dirname(card.path)
    wanted = typed.casefold().removeprefix("./").lstrip("./")
    found: list[Suggestion] = []
    for other in session.cards.values():
        if other.path == card.path:
            continue
        # A title as every surface shows it; a wikilink written with it finds the card.
        title = display_title(other.title)
        if wanted and not any(
            wanted in name.casefold() for name in (title, other.path, *other.meta.aliases)
        ):
            continue
        if len(found) == MAX_CARDS:
            break
        trust = session.workspace.assess(other).trust
        detail = f"{other.path} · {trust_view(trust, session.workspace.today)['word']}"
        names = " ".join((title, *other.meta.aliases, other.path))
        if wiki:
            found.append(Suggestion(title, title, detail, filter=names))
        else:
            rel = posixpath.relpath(other.path, here or ".")
            found.append(Suggestion(rel, rel, f"{title} · {detail}", filter=f"{rel} {names}"))
    return found


def _anchors(session: EditorSession, card: Card, target: str, *, wiki: bool) -> list[Suggestion]:
    """Headings of the linked card (of this card when the target is empty)."""
    linked = _target_card(session, card, target, wiki=wiki) if target else card
    if linked is None:
        return []
    headings = session.resolver.scan(linked).headings
    if wiki:
        return [Suggestion(h.text, h.text, f"#{h.slug}", "anchor") for h in headings]
    return [Suggestion(h.slug, h.slug, h.text, "anchor") for h in headings]


def _target_card(session: EditorSession, card: Card, target: str, *, wiki: bool) -> Card | None:
    if wiki:
        hits = session.resolver.find(target)
        return hits[0] if len(hits) == 1 else None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(card.path), target))
    return session.cards.get(joined.removeprefix("/"))


def link_at(session: EditorSession, card: Card, line: int, col: int) -> Resolved | None:
    """The link under the cursor (0-based), resolved by the one link resolver."""
    session.resolver.refresh(card)
    for result in session.resolver.resolve_all(card):
        start = result.column - 1
        if result.line - 1 == line and start <= col < start + len(result.link.source):
            return result
    return None


def heading_line(session: EditorSession, target: Card, anchor: str | None) -> int:
    """The 0-based file line of ``anchor``'s heading in ``target`` (0 when none)."""
    if not anchor:
        return 0
    for heading in session.resolver.scan(target).headings:
        if anchor in (heading.slug, heading.text):
            return heading.line + target.body_line - 2
    return 0
