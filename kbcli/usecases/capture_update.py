"""Capture into a card that exists: the thread's new replies, an answer, or a reported case.

KCS: the requester's words go to the card that answers them. The card a thread was
captured into gets only the replies it does not hold yet; a knowledge request (status:
requested) gets the thread's answer (``usecases.ask``); any other card gets the new
words and their source at the end of its Issue. Each is the card's whole new text, which
the caller writes (atomically, in the checkout) or commits on a branch of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kbcli.core import sections
from kbcli.core.kcs_draft import Draft, append_note, thread_update
from kbcli.usecases.capture_write import CardWrite

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.workspace import Workspace


def add_to_card(
    workspace: Workspace, card: Card, draft: Draft, what: str, *, committed: bool = False
) -> tuple[CardWrite, bool] | None:
    """What adding the draft to ``card`` writes, and whether it is the thread's new
    replies; None when the card already holds this conversation. ``committed``: start
    from the card as HEAD holds it (a review branch: the checkout may hold an edit
    nobody committed, which must not ride along)."""
    path = workspace.root / card.path
    if committed:
        text = _committed_text(workspace, card.path)
        card = workspace.card_files.parse(card.path, text.encode(), workspace.today)
    else:
        text = path.read_text(encoding="utf-8")
    marker = draft.thread_marker
    update = thread_replies(workspace, card, draft)
    if marker and marker in card.body and not update:
        return None
    if update:
        message = (
            f"capture: update '{card.title}' from its thread\n\n"
            f"From {what}: the replies the card did not hold yet."
        )
        for name, addition in update.items():
            text = sections.append(text, name, addition)
        return CardWrite(path, text, False, message), True
    from kbcli.usecases.ask import answered_text, answers_request

    if answers_request(card, draft):
        message = (
            f"capture: answer the knowledge request '{card.title}'\n\n"
            f"From {what}: its resolution fills the request (status: draft)."
        )
        return CardWrite(path, answered_text(text, draft), False, message), False
    message = (
        f"capture: add a reported case to '{card.title}'\n\n"
        f"From {what}. KCS: the requester's words go to the card that answers them."
    )
    # The draft's Issue statement and Source go to the end of the card's Issue.
    text = sections.append(text, "Issue", append_note(draft, today=workspace.today))
    return CardWrite(path, text, False, message), False


def _committed_text(workspace: Workspace, rel: str) -> str:
    from kbcli.adapters.git_commits import committed_file
    from kbcli.errors import KbError

    data = committed_file(workspace.root, rel)
    if data is None:
        raise KbError(f"{rel} is not committed yet, so a review branch cannot add to it")
    return data.decode("utf-8")


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
