"""Code actions an editor offers on a card: verify it, add the front matter it lacks.

"Verify" is ``kb verify`` for the editor's git identity (same permission check, same
flag clearing, one commit of that file); "Add missing front matter" goes through the
surgical front-matter editor, so existing lines keep their spelling and comments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.core.frontmatter_edit import YamlValue
    from kbcli.usecases.editor import EditorSession


def missing_front_matter(session: EditorSession, card: Card, text: str) -> str | None:
    """The card's text with the keys a new card gets filled in; None when none is missing.

    Missing means absent from the front matter: title (from the first heading or the
    file name), owner (the editor's git identity through the roster), tags, status
    (draft) and audience (internal). verified_at is left to "Verify this card".
    """
    from kbcli.core.frontmatter_edit import set_field

    present = set(card.position.lines)
    wanted: dict[str, YamlValue] = {"title": card.title}
    owner = session.workspace.me().handle
    if owner:
        wanted["owner"] = owner
    wanted.update({"tags": [], "status": "draft", "audience": "internal"})
    missing = {k: v for k, v in wanted.items() if k not in present}
    if not missing:
        return None
    for key, value in missing.items():
        text = set_field(text, key, value)
    return text


def verify_card(session: EditorSession, rel: str) -> str:
    """``kb verify`` of the saved card for the editor's git identity; what happened, in words."""
    from kbcli.usecases.verification import check_allowed, verify

    ws = session.workspace
    card = ws.card_files.read(rel, ws.today)
    me = ws.me()
    try:
        check_allowed(ws, [card], me, force=False, reason=None)
        outcome = verify(ws, [card], me)
    except KbError as error:
        return f"kb verify: {error.message}"
    session.remember(ws.card_files.read(rel, ws.today))
    if outcome.commit:
        return f"Verified {rel} as {me.described} (commit {outcome.commit[:7]})"
    return f"{rel} was already verified today"
