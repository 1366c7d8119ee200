"""kb import: another tool's export as cards, written once, committed once, safe to repeat.

The source adapter reads the export (through the shared zip guards) into
``ImportedCard`` values; ``core/imports`` gives them paths and rewrites their links;
this use case writes each card and each referenced image or attachment next to it.
A file that already holds exactly what the import would write is left alone, so a
second run of the same export changes nothing; a file that differs (edited since the
import) is kept and reported, never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.core.imports import (
    ImportedCard,
    ImportedExport,
    ImportNote,
    assign_paths,
    rewrite_links,
)
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.adapters.export_archive import ExportSource
    from kbcli.core.people import Roster
    from kbcli.workspace import Workspace

SOURCES = ("guru", "notion", "zendesk", "confluence")
_DOCUMENTS = (".md", ".html", ".htm", ".csv", ".yaml", ".yml", ".json")


@dataclass
class ImportOutcome:
    cards: list[ImportedCard]
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    notes: list[ImportNote] = field(default_factory=list)
    commit: str | None = None


def _reader(
    kind: str,
) -> tuple[Callable[[ExportSource, Roster, list[ImportNote]], ImportedExport], str | None, str]:
    if kind == "guru":
        from kbcli.adapters.import_guru import read_guru

        return read_guru, "collection.yaml", "a Guru collection export"
    if kind == "notion":
        from kbcli.adapters.import_notion import read_notion

        return read_notion, None, "a Notion Markdown & CSV export"
    if kind == "zendesk":
        from kbcli.adapters.import_zendesk import read_zendesk

        return read_zendesk, None, "a folder or .zip of Zendesk Help Center API JSON"
    if kind == "confluence":
        from kbcli.adapters.import_confluence import read_confluence

        return read_confluence, "index.html", "a Confluence space HTML export"
    raise KbError(f"unknown import source '{kind}': use one of {', '.join(SOURCES)}")


def import_export(
    workspace: Workspace,
    kind: str,
    export: Path,
    *,
    folder: str | None = None,
    owner: str | None = None,
    commit: bool = True,
) -> ImportOutcome:
    """Read ``export`` as ``kind`` and write its pages as cards under ``folder``."""
    from kbcli.adapters.export_archive import open_source
    from kbcli.adapters.git_commits import commit_files, in_git_repo
    from kbcli.adapters.write_note import writing

    read, marker, what = _reader(kind)
    source = open_source(export, marker=marker, what=what)
    notes: list[ImportNote] = []
    contents = read(source, workspace.config.roster, notes)
    cards = contents.cards
    base = folder if folder is not None else _default_folder(workspace, kind)
    _check_folder(workspace, base)
    assign_paths(cards, base)
    # Attachments are the export's files that are not pages or indexes (Notion's CSVs).
    members = {n for n in source.names() if not n.endswith(_DOCUMENTS)}
    notes += rewrite_links(
        cards, lambda p: p in members, canonical=contents.canonical, names=contents.names
    )
    if commit and not in_git_repo(workspace.root):
        raise KbError(f"{workspace.root} is not in a git repository: pass --no-commit")
    outcome = ImportOutcome(cards, notes=notes)
    planned = [c.path for c in cards]
    planned += [_asset_path(c, name) for c in cards for name in c.assets.values()]
    with writing(workspace.root, "kb import", planned, commit=commit):
        for card in cards:
            if "owner" not in card.meta and owner:
                card.meta = _with_owner(card.meta, owner)
            elif "owner" not in card.meta:
                notes.append(ImportNote(card.source, "no owner could be mapped (pass --owner)"))
            _write(workspace, card.path, _card_text(card).encode("utf-8"), outcome)
            for asset, name in card.assets.items():
                data = source.read(asset)
                if data is not None:
                    _write(workspace, _asset_path(card, name), data, outcome)
        if commit and outcome.written:
            message = (
                f"Import {len(cards)} card(s) from {kind} ({export.name})\n\nKb-Import: {kind}\n"
            )
            outcome.commit = commit_files(workspace.root, sorted(outcome.written), message)
    return outcome


def _asset_path(card: ImportedCard, name: str) -> str:
    """Where an attachment goes: beside its card."""
    return f"{card.path.rpartition('/')[0]}/{name}".lstrip("/")


def _default_folder(workspace: Workspace, kind: str) -> str:
    first = workspace.config.cards.folders[0].strip("/")
    return kind if first in ("", ".") else f"{first}/{kind}"


def _check_folder(workspace: Workspace, base: str) -> None:
    target = (workspace.root / base).resolve()
    if not target.is_relative_to(workspace.root.resolve()):
        raise KbError(f"--folder {base} is outside the knowledge repo")
    if not workspace.card_files.is_card_path(f"{base.strip('/')}/x.md".lstrip("/")):
        folders = ", ".join(workspace.config.cards.folders)
        raise KbError(f"{base} is outside the card folders (kb.toml [cards] folders = {folders})")


def _with_owner(meta: dict[str, object], owner: str) -> dict[str, object]:
    ordered = {"title": meta["title"], "owner": owner}
    ordered.update(meta)
    return ordered


def _card_text(card: ImportedCard) -> str:
    from kbcli.adapters.card_writer import card_text

    return card_text(card.meta, card.body)


def _write(workspace: Workspace, rel: str, data: bytes, outcome: ImportOutcome) -> None:
    from kbcli.adapters.card_writer import write_atomic

    target = workspace.root / rel
    if target.exists():
        if target.read_bytes() == data:
            outcome.unchanged.append(rel)
        else:
            outcome.kept.append(rel)
            outcome.notes.append(
                ImportNote(rel, "differs from the export (edited since the import?); kept as is")
            )
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data, root=workspace.root)
    outcome.written.append(rel)
