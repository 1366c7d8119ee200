"""Capture from the Slack app: a live thread becomes the same KCS draft as its export.

The thread comes from the Web API (``conversations.replies`` and ``users.info``) and
goes through the export's parser and ``capture_slack.thread_draft``, so "Capture this
thread" and ``kb capture slack`` on an export of that thread write the same card.
The change is committed on a new ``kb/capture-...`` branch made with git plumbing (the
app's checkout never moves, and nothing is checked out) and pushed when the repo has a
remote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kbcli.adapters.git_commits import BranchTaken
from kbcli.core.kcs_draft import Draft
from kbcli.core.naming import slugify
from kbcli.core.slack import SlackUser, Thread
from kbcli.core.slack_blocks import CardLine
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.usecases.capture import Outcome
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
    review_url: str | None = None  # the merge request opened for the branch
    review_error: str | None = None  # why none was opened although a token is set
    reviewed: bool = True  # False: committed to the checkout's branch ([capture] review)


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
    """Write the draft (or append to ``append_to``) on a new branch, commit, push when the
    repo has a remote, and open a merge request when a forge token is set. With
    ``[capture] review = false`` commit to the checkout's own branch and push that."""
    from kbcli.usecases import capture

    with checkout.lock:
        base = checkout.before_write()
        draft = draft_of(base, thread, users, host)
        what = f"Slack thread #{thread.channel} {thread.ts}"
        # Searched in the checkout, whose index is current; a review branch starts at its
        # HEAD, so its cards, settings and index answer for the branch too.
        found = capture.similar_cards(base, draft)[0] if append_to is None else []
        if not base.config.capture.review:
            options = capture.Options(append_to=append_to)
            done = _done(capture.save(base, draft, what, options, found, None))
            pushed = checkout.publish()
            branch = checkout.branch() or "HEAD"
            return Saved(*_fields(done), branch, str(done.commit), pushed, reviewed=False)
        branch = branch_name(draft, thread)
        options = capture.Options(append_to=append_to, branch=branch)
        try:
            done = _done(capture.save(base, draft, what, options, found, None))
        except BranchTaken:
            raise KbError(
                f"this thread was captured before on the branch {branch}, which waits for "
                "review: merge or delete it, then capture the thread again"
            ) from None
        pushed = checkout.push(branch)
        url, error = (None, None)
        if pushed:
            url, error = open_review(checkout, base, pushed, branch, done, what)
    return Saved(*_fields(done), branch, str(done.commit), pushed, url, error)


def _done(outcome: Outcome | None) -> Outcome:
    """A capture that changed something and committed it, else a KbError saying why not."""
    if outcome is None or not outcome.changed or not outcome.commit:
        raise KbError(
            "; ".join(outcome.warnings) if outcome else "nothing was captured from this thread"
        )
    return outcome


def _fields(outcome: Outcome) -> tuple[str, str, bool]:
    return outcome.path, outcome.title, outcome.created


def open_review(
    checkout: Checkout,
    workspace: Workspace,
    remote: str,
    branch: str,
    outcome: Outcome,
    what: str,
) -> tuple[str | None, str | None]:
    """(merge request address, None), or (None, why not) when the forge refused; (None,
    None) when the remote is on no known forge or no token is set (pushing is enough)."""
    from kbcli.adapters.forge_api import open_review as post
    from kbcli.adapters.git_checkout import current_branch, remote_url
    from kbcli.core.forge import forge_for, token_names

    settings = workspace.config.capture
    forge = forge_for(remote_url(checkout.root, remote), settings.forge, settings.forge_api)
    if forge is None:
        return None, None
    token = next((checkout.env[n] for n in token_names(forge.kind) if checkout.env.get(n)), None)
    if not token:
        return None, None
    doing = "New KCS draft" if outcome.created else "Adds the thread to"
    body = (
        f"{doing} `{outcome.path}` ({outcome.title}), captured from {what} with kb slack "
        f"(commit {str(outcome.commit)[:10]}).\n\nReview the card (KCS: the requester's words, the "
        "resolution that worked), then merge."
    )
    try:
        url = post(
            forge,
            token,
            source=branch,
            target=current_branch(checkout.root) or "main",
            title=f"kb capture: {outcome.title}",
            body=body,
        )
    except KbError as error:
        return None, str(error)
    return url, None


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
