"""Guru's collection export (``cards/*.yaml`` + ``cards/*.html|.md``, ``boards/*.yaml``,
``resources/``) as imported cards.

Keys read from a card's YAML: ``Title``, ``ExternalId``, ``ExternalUrl``, ``Tags``,
``Verifiers`` (e-mails; the first becomes the owner, all become verifiers) or
``VerifierEmail``, ``LastVerified`` (an ISO date: the card arrives verified that day,
which the history rules read as an import, not as a verification by the importer) and
``VerificationInterval`` (days). A board's YAML has ``Title`` and ``Items`` (``ID`` of
each card); boards become folders.
"""

from __future__ import annotations

import posixpath
from datetime import date
from typing import Any

from kbcli.adapters.export_archive import ExportSource
from kbcli.adapters.html_markdown import html_to_markdown
from kbcli.core.imports import ImportedCard, ImportedExport, ImportNote
from kbcli.core.naming import slugify
from kbcli.core.people import Roster
from kbcli.errors import KbError


def read_guru(source: ExportSource, roster: Roster, notes: list[ImportNote]) -> ImportedExport:
    names = source.names()
    folders = _board_folders(source, names, notes)
    cards = []
    for name in names:
        if not (name.startswith("cards/") and name.endswith((".yaml", ".yml"))):
            continue
        card_id = posixpath.basename(name).rpartition(".")[0]
        meta = _yaml(source, name)
        content_name, body = _content(source, f"cards/{card_id}")
        if content_name is None:
            notes.append(ImportNote(name, "no cards/ID.html or .md content; card skipped"))
            continue
        title = str(meta.get("Title") or card_id)
        cards.append(
            ImportedCard(
                source=content_name,
                folder=folders.get(card_id, ""),
                title=title,
                meta=_front_matter(meta, title, roster, notes, name),
                body=body,
                keys=tuple(
                    k
                    for k in (
                        card_id,
                        f"cards/{card_id}.html",
                        f"cards/{card_id}.md",
                        str(meta.get("ExternalUrl") or ""),
                    )
                    if k
                ),
            )
        )
    if not cards:
        raise KbError(f"{source.label}: no cards/*.yaml found: is it a Guru collection export?")
    return ImportedExport(cards)


def _front_matter(
    meta: dict[str, Any], title: str, roster: Roster, notes: list[ImportNote], where: str
) -> dict[str, object]:
    emails = meta.get("Verifiers") or meta.get("VerifierEmail") or []
    emails = [emails] if isinstance(emails, str) else [str(e) for e in emails]
    handles = []
    for email in emails:
        handle = roster.handle_for(None, email)
        if handle:
            handles.append(handle)
        else:
            notes.append(ImportNote(where, f"verifier {email} is not in people.yaml"))
    front: dict[str, object] = {"title": title}
    if handles:
        front["owner"] = handles[0]
        if len(handles) > 1:
            front["verifiers"] = handles
    verified = meta.get("LastVerified")
    if verified:
        try:
            front["verified_at"] = date.fromisoformat(str(verified)[:10])
        except ValueError:
            notes.append(ImportNote(where, f"LastVerified {verified!r} is not a date"))
    interval = meta.get("VerificationInterval")
    if isinstance(interval, int) and interval > 0:
        front["verify_every"] = f"{interval}d"
    tags = meta.get("Tags") or []
    if tags:
        front["tags"] = [slugify(str(t).rpartition(":")[2]) for t in tags]
    front["status"] = "published"
    front["imported_from"] = f"guru {meta.get('ExternalId') or where}"
    return front


def _board_folders(
    source: ExportSource, names: list[str], notes: list[ImportNote]
) -> dict[str, str]:
    folders: dict[str, str] = {}
    for name in names:
        if not (name.startswith("boards/") and name.endswith((".yaml", ".yml"))):
            continue
        board = _yaml(source, name)
        folder = slugify(str(board.get("Title") or posixpath.basename(name)))
        for item in board.get("Items") or []:
            card_id = str(item.get("ID")) if isinstance(item, dict) else str(item)
            if card_id in folders:
                notes.append(ImportNote(name, f"card {card_id} is on several boards; kept in one"))
                continue
            folders[card_id] = folder
    return folders


def _content(source: ExportSource, stem: str) -> tuple[str | None, str]:
    for ext in (".html", ".md"):
        data = source.read(stem + ext)
        if data is not None:
            text = data.decode("utf-8-sig", errors="replace")
            return stem + ext, html_to_markdown(text) if ext == ".html" else text
    return None, ""


def _yaml(source: ExportSource, name: str) -> dict[str, Any]:
    import yaml

    data = source.read(name) or b""
    try:
        loaded = yaml.safe_load(data.decode("utf-8-sig", errors="replace"))
    except yaml.YAMLError as error:
        raise KbError(f"{source.label}: {name} is not valid YAML ({error})") from None
    if not isinstance(loaded, dict):
        raise KbError(f"{source.label}: {name} is not a mapping of Guru keys")
    return loaded
