"""Notion's "Markdown & CSV" export as imported cards.

Notion names every page and folder ``Name <32 hex id>``; kb strips the ids from card
paths (links still find their pages: they are resolved against the export's own names
first). Database indexes (``*.csv``) are skipped: each row is exported as a page too.
A page's first ``# `` line is its title; ``Key: value`` lines right below it are the
row's properties, of which ``Owner`` (an e-mail or a name in people.yaml), ``Tags``
and ``Last verified`` (a date) become front matter.
"""

from __future__ import annotations

import posixpath
import re
from datetime import date

from kbcli.adapters.export_archive import ExportSource
from kbcli.core.imports import ImportedCard, ImportedExport, ImportNote
from kbcli.core.naming import slugify
from kbcli.core.people import Roster
from kbcli.errors import KbError

_ID = re.compile(r"\s+[0-9a-f]{32}$")
_PROPERTY = re.compile(r"^([A-Z][\w ]{0,40}):\s+(.+)$")


def strip_id(name: str) -> str:
    """``Refunds 0123...cdef.md`` -> ``Refunds.md``; folders the same without extension."""
    stem, dot, ext = name.rpartition(".") if name.endswith(".md") else (name, "", "")
    return _ID.sub("", stem) + (dot + ext if dot else "")


def read_notion(source: ExportSource, roster: Roster, notes: list[ImportNote]) -> ImportedExport:
    cards = []
    for name in source.names():
        if name.endswith(".csv"):
            continue
        if not name.endswith(".md"):
            continue
        text = (source.read(name) or b"").decode("utf-8-sig", errors="replace")
        folder = "/".join(slugify(strip_id(p)) for p in posixpath.dirname(name).split("/") if p)
        title, body, properties = _split_page(text, strip_id(posixpath.basename(name))[:-3])
        cards.append(
            ImportedCard(
                source=name,
                folder=folder,
                title=title,
                meta=_front_matter(title, properties, roster, notes, name),
                body=body,
            )
        )
    if not cards:
        raise KbError(f"{source.label}: no .md pages found: is it a Notion Markdown & CSV export?")
    return ImportedExport(cards)


def _split_page(text: str, fallback: str) -> tuple[str, str, dict[str, str]]:
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].startswith("# "):
        return fallback, text, {}
    title = lines[0][2:].strip()
    index, properties = 1, {}
    while index < len(lines) and not lines[index].strip():
        index += 1
    start = index
    while index < len(lines) and (match := _PROPERTY.match(lines[index].rstrip("\r\n"))):
        properties[match.group(1).strip().casefold()] = match.group(2).strip()
        index += 1
    if not properties:
        index = start
    body = lines[0] + "\n" + "".join(lines[index:]).lstrip("\r\n")
    return title, body, properties


def _front_matter(
    title: str, properties: dict[str, str], roster: Roster, notes: list[ImportNote], where: str
) -> dict[str, object]:
    front: dict[str, object] = {"title": title}
    owner = properties.get("owner")
    if owner:
        handle = roster.handle_for(owner, owner if "@" in owner else None)
        if handle:
            front["owner"] = handle
        else:
            notes.append(ImportNote(where, f"owner {owner} is not in people.yaml"))
    verified = properties.get("last verified")
    if verified:
        day = _date(verified)
        if day is None:
            notes.append(ImportNote(where, f"Last verified {verified!r} is not a date"))
        else:
            front["verified_at"] = day
    tags = properties.get("tags")
    if tags:
        front["tags"] = [slugify(t) for t in tags.split(",") if t.strip()]
    front["status"] = "published"
    front["imported_from"] = f"notion {where}"
    return front


def _date(text: str) -> date | None:
    """An ISO date, or Notion's own ``October 1, 2026``."""
    from datetime import datetime

    for parse in (
        lambda t: date.fromisoformat(t[:10]),
        lambda t: datetime.strptime(t, "%B %d, %Y").date(),
    ):
        try:
            return parse(text.strip())
        except ValueError:
            continue
    return None
