"""Capture from the Slack app: a live thread becomes the same KCS draft as its export.

The thread comes from the Web API (``conversations.replies`` and ``users.info``) and
goes through the export's parser and ``capture_slack.thread_draft``, so "Capture this
thread" and ``kb capture slack`` on an export of that thread write the same card.
The change is committed on a new ``kb/capture-...`` branch in a temporary work tree
(the app's checkout never moves) and pushed when the repo has a remote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kbcli.core.kcs_draft import Draft
from kbcli.core.naming import slugify
from kbcli.core.slack import SlackUser, Thread
from kbcli.core.slack_blocks import CardLine
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.usecases.checkout import Checkout
    from kbcli.workspace import Workspace


@dataclass(frozen=True)
class Saved:
    path: str
    title: str
    created: bool
    branch: str
    commit: str
    pushed_to: str | None


def draft_of(
    workspace: Workspace, thread: Thread, users: Mapping[str, SlackUser], host: str | None
) -> Draft:
    from kbcli.usecases.capture_slack import thread_draft

    return thread_draft(workspace, users, thread, host)


def candidates(workspace: Workspace, draft: Draft) -> list[CardLine]:
    """Search before create: cards that may already answer the thread, with their badges."""
    from kbcli.usecases.capture import similar_cards
    from kbcli.usecases.slack_answers import line_for

    found, _fallback_note = similar_cards(workspace, draft)  # the list is the answer here
    return [line_for(workspace, c.path) for c in found]


def branch_name(draft: Draft, thread: Thread) -> str:
    slug = slugify(draft.title)[:40].strip("-") or "thread"
    return f"kb/capture-{slug}-{thread.ts.replace('.', '')}"


def save(
    checkout: Checkout,
    thread: Thread,
    users: Mapping[str, SlackUser],
    host: str | None,
    *,
    append_to: str | None = None,
) -> Saved:
    """Write the draft (or append to ``append_to``) on a new branch, commit, push if possible."""
    from kbcli.usecases import capture

    base = checkout.before_write()
    draft = draft_of(base, thread, users, host)
    branch = branch_name(draft, thread)
    what = f"Slack thread #{thread.channel} {thread.ts}"
    with checkout.on_branch(branch) as workspace:
        found = capture.similar_cards(workspace, draft)[0] if append_to is None else []
        options = capture.Options(append_to=append_to)
        outcome = capture.save(workspace, draft, what, options, found, None)
    if outcome is None or not outcome.changed or not outcome.commit:
        raise KbError(
            "; ".join(outcome.warnings) if outcome else "nothing was captured from this thread"
        )
    pushed = checkout.push(branch)
    return Saved(outcome.path, outcome.title, outcome.created, branch, outcome.commit, pushed)


def user_ids(messages: Sequence[object]) -> list[str]:
    """Everyone a thread's raw messages name: authors, mentions and reactions."""
    import re

    found: dict[str, None] = {}
    for raw in messages:
        if not isinstance(raw, dict):
            continue
        if isinstance(raw.get("user"), str):
            found[raw["user"]] = None
        for uid in re.findall(r"<@([UW][A-Z0-9]+)", str(raw.get("text") or "")):
            found[uid] = None
        for reaction in raw.get("reactions") or []:
            if isinstance(reaction, dict):
                for uid in reaction.get("users") or []:
                    if isinstance(uid, str):
                        found[uid] = None
    return list(found)
