"""Where ``kb build`` may write: never over the cards it is built from.

``kb build --out docs`` into a card folder used to write hundreds of HTML pages
between the cards without a word; the next ``git add -A`` committed them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.errors import ExitCode, KbError

if TYPE_CHECKING:
    from kbcli.workspace import Workspace


def refuse_card_folder_output(workspace: Workspace, out: Path) -> None:
    """Raise a usage error when ``out`` is a card folder, lies inside one, or holds cards.

    With ``folders = ["."]`` every path in the repo is "inside" a card folder, so there
    only folders that already hold cards are refused, and a fresh folder such as
    ``site/`` is fine (its pages are HTML, never cards).
    """
    root = workspace.root.resolve()
    target = (workspace.cwd / out).resolve()
    if not target.is_relative_to(root):
        return
    rel = target.relative_to(root).as_posix()
    if rel == "." or rel.split("/")[0] == ".kb" or target.is_file():
        return  # the repo itself and files have their own errors in the build
    folders = [f.strip("/") or "." for f in workspace.config.cards.folders]
    inside = [f for f in folders if f != "." and _under(rel, f)]
    holds_cards = [p for p in workspace.card_files.paths() if _under(p, rel)]
    if not inside and not holds_cards:
        return
    where = f"card folder {inside[0]}" if inside else f"a folder with {len(holds_cards)} card(s)"
    raise KbError(
        f"--out {out} is {where} (card folders: {', '.join(folders)}): the handbook's pages "
        "would be written between the cards. Pick another folder (default .kb/site), "
        "or pass --force.",
        exit_code=ExitCode.USAGE,
    )


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + "/")
