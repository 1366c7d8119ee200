"""kb adopt on a generator's site: TOML headers (``+++``, Hugo) converted to YAML, and the
block markup of MkDocs and Docusaurus (admonitions, details, tabs) written as plain
Markdown (``core/site_markup.py``), each in a commit of its own.

The plan reads each converted file as the card it will be (title, tags, aliases from
its header), so the owners, added keys and link rewrites the team reviews are those of
the converted files. ``apply`` converts first, then the link rewrites and the adoption
commit see YAML headers like any other card. A header that cannot be converted exactly
is left alone and its file is skipped with the reason (see ``core/toml_front.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.workspace import Workspace

HEADERS_TRAILER = "Kb-Adopt: headers"
MARKUP_TRAILER = "Kb-Adopt: markup"


@dataclass
class TomlHeaders:
    """The selected files with a TOML header: converted text, or why it stays; and the
    files whose block markup becomes plain Markdown (their text once both are done)."""

    converted: dict[str, str] = field(default_factory=dict)
    left: dict[str, str] = field(default_factory=dict)
    markup: dict[str, str] = field(default_factory=dict)
    shape: str = ""  # the site generator whose markup is converted (MkDocs, Docusaurus)

    @classmethod
    def find(cls, workspace: Workspace, selected: Sequence[str], shape: str = "") -> TomlHeaders:
        from kbcli.core.site_markup import SHAPES, with_plain_markup
        from kbcli.core.toml_front import as_yaml, has_toml_header

        found = cls(shape=shape if shape in SHAPES else "")
        for rel in selected:
            try:
                text = (workspace.root / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # the card reader reports it
            if has_toml_header(text):
                try:
                    text = found.converted[rel] = as_yaml(text)
                except ValueError as exc:
                    found.left[rel] = f"{rel}: {exc}; convert its +++ header to YAML by hand"
                    continue
            if found.shape:
                plain = with_plain_markup(text, found.shape)
                if plain != text:
                    found.markup[rel] = plain
        return found

    def card(self, workspace: Workspace, rel: str) -> Card:
        """The card as it will read once converted (as it reads now otherwise)."""
        text = self.markup.get(rel) or self.converted.get(rel)
        if text is None:
            return workspace.card_files.read(rel, workspace.today)
        return workspace.card_files.parse(rel, text.encode("utf-8"), workspace.today)


def unread_pages(workspace: Workspace) -> list[str]:
    """Pages under the card folders kb does not read as cards (Docusaurus' ``.mdx``): the
    plan names them, so no file of the site is left out in silence."""
    import os

    from kbcli.config import ALWAYS_IGNORED

    root = workspace.root.resolve()
    found: set[str] = set()
    for folder in workspace.config.cards.folders:
        base = (root / folder).resolve()
        if not base.is_dir() or not base.is_relative_to(root):
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d not in ALWAYS_IGNORED]
            for name in filenames:
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                if name.endswith(".mdx") and not workspace.card_files.ignore.match_file(rel):
                    found.add(rel)
    return sorted(found)


def convert(workspace: Workspace, headers: TomlHeaders) -> list[str]:
    """Write the converted headers, atomically per file; every file is checked against the
    plan before the first is written, so a file edited since leaves all as they were."""
    from kbcli.adapters.card_writer import edit_text
    from kbcli.core.toml_front import as_yaml

    root = workspace.root
    for rel, planned in headers.converted.items():
        try:
            now = as_yaml((root / rel).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise KbError(f"{rel}: {exc}; nothing was written") from exc
        if now != planned:
            raise KbError(f"{rel} changed since the plan; nothing was written")
    return [rel for rel in headers.converted if edit_text(root / rel, as_yaml, root=root)]


def convert_markup(workspace: Workspace, headers: TomlHeaders) -> list[str]:
    """Write the plain Markdown of the planned files (after their headers are YAML), with
    the same all-or-nothing check against the plan as ``convert``."""
    from kbcli.adapters.card_writer import edit_text
    from kbcli.core.site_markup import with_plain_markup

    def plain(text: str) -> str:
        return with_plain_markup(text, headers.shape)

    root = workspace.root
    for rel, planned in headers.markup.items():
        try:
            now = plain((root / rel).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise KbError(f"{rel}: {exc}; nothing was written") from exc
        if now != planned:
            raise KbError(f"{rel} changed since the plan; nothing was written")
    return [rel for rel in headers.markup if edit_text(root / rel, plain, root=root)]


def markup_message(paths: Sequence[str], shape: str) -> str:
    """Subject, what changed and the trailer that keeps the commit out of authorship."""
    lines = [f"Write {len(paths)} page(s)' {shape} block markup as plain Markdown", ""]
    lines.append("kb adopt: admonitions (!!! note, :::note) as blockquotes under their title,")
    lines.append('collapsible blocks (??? note) as <details>, tabs (=== "Tab") as the tab\'s')
    lines.append("name in bold above its text; every word kept, code blocks untouched.")
    lines += ["", *[f"- {p}" for p in paths[:20]]]
    if len(paths) > 20:
        lines.append(f"- ... and {len(paths) - 20} more")
    lines += ["", MARKUP_TRAILER]
    return "\n".join(lines) + "\n"


def headers_message(paths: Sequence[str]) -> str:
    """Subject, what changed and the trailer that keeps the commit out of authorship."""
    lines = [f"Convert {len(paths)} TOML front matter header(s) (+++) to YAML (---)", ""]
    lines.append("kb adopt: the same keys and values, written as YAML, which kb reads and")
    lines.append("Hugo reads as well; the body of each file unchanged.")
    lines += ["", *[f"- {p}" for p in paths[:20]]]
    if len(paths) > 20:
        lines.append(f"- ... and {len(paths) - 20} more")
    lines += ["", HEADERS_TRAILER]
    return "\n".join(lines) + "\n"
