"""Capture into a card that exists: the thread's new replies, an answer, or a reported case.

KCS: the requester's words go to the card that answers them. The card a thread was
captured into gets only the replies it does not hold yet; a knowledge request (status:
requested) gets the thread's answer (``usecases.ask``); any other card gets the new
words and their source at the end of its Issue. Each is one atomic write of the card.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.core import sections
from kbcli.core.kcs_draft import Draft, append_note, thread_update

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.workspace import Workspace


def add_to_card(
    workspace: Workspace, card: Card, draft: Draft, what: str
) -> tuple[Path, str, bool] | None:
    """Add the draft to ``card``: (the file, the commit message, whether it was the
    thread's new replies); None when the card already holds this conversation."""
    marker = draft.thread_marker
    update = thread_replies(workspace, card, draft)
    if marker and marker in card.body and not update:
        return None
    if update:
        message = (
            f"capture: update '{card.title}' from its thread\n\n"
            f"From {what}: the replies the card did not hold yet."
        )
        return _add_update(workspace, card, update), message, True
    from kbcli.usecases.ask import answer_request, answers_request

    if answers_request(card, draft):
        message = (
            f"capture: answer the knowledge request '{card.title}'\n\n"
            f"From {what}: its resolution fills the request (status: draft)."
        )
        return answer_request(workspace, card, draft), message, False
    message = (
        f"capture: add a reported case to '{card.title}'\n\n"
        f"From {what}. KCS: the requester's words go to the card that answers them."
    )
    return append_to(workspace, card, draft), message, False


def append_to(workspace: Workspace, card: Card, draft: Draft) -> Path:
    """Add the draft's Issue statement and Source to the end of an existing card's Issue."""
    path = workspace.root / card.path
    text = path.read_text(encoding="utf-8")
    new = sections.append(text, "Issue", append_note(draft, today=workspace.today))
    _write_existing(workspace, path, new)
    return path


def thread_replies(workspace: Workspace, card: Card, draft: Draft) -> dict[str, str]:
    """New replies of the thread a card was created from (its Source section names the
    thread); nothing for a card the thread was only appended to (Also reported)."""
    marker = draft.thread_marker
    if not marker:
        return {}
    source = sections.find(card.body, "Source")
    if source is None or marker not in card.body[source.start : source.end]:
        return {}
    return thread_update(draft, card.body, today=workspace.today)


def _add_update(workspace: Workspace, card: Card, update: dict[str, str]) -> Path:
    path = workspace.root / card.path
    text = path.read_text(encoding="utf-8")
    for name, addition in update.items():
        text = sections.append(text, name, addition)
    _write_existing(workspace, path, text)
    return path


def _write_existing(workspace: Workspace, path: Path, text: str) -> None:
    from kbcli.adapters.card_writer import write_atomic

    write_atomic(path, text.encode("utf-8"), root=workspace.root)
