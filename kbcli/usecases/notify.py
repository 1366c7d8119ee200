"""Owner reminders: each owner's to-do from ``kb report`` as a Slack message.

The same model as ``kb report --json`` (``health_report``), one Block Kit payload per
owner with something to do, mentioning the owner when people.yaml has their Slack
member id (``slack: U0123ABC``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kbcli.core.slack_blocks import CardLine, Todo, reminder
from kbcli.core.trust import trust_detail

if TYPE_CHECKING:
    from kbcli.core.report import OwnerDigest
    from kbcli.workspace import Workspace


@dataclass(frozen=True)
class Reminder:
    owner: str
    name: str
    cards: int
    payload: dict[str, Any]


def reminders(
    workspace: Workspace, *, owner: str | None = None, allow_shallow: bool = False
) -> tuple[list[Reminder], list[str]]:
    """One reminder per owner with to-dos (cards expired, due, unverified, flagged,
    requested); warnings name the cards nobody can be reminded of (no owner, or an
    owner people.yaml says has left)."""
    from kbcli.usecases.health import health_report

    report = health_report(workspace, owner=owner, urgent_limit=0, allow_shallow=allow_shallow)
    found: list[Reminder] = []
    warnings: list[str] = list(report.notices)  # a shallow clone, an uncommitted roster
    for digest in report.owners:
        if not digest.todo:
            continue
        if not digest.owner:
            warnings.append(
                f"{len(digest.todo)} card(s) with to-dos have no owner: nobody is reminded "
                "(kb report lists them; kb reassign gives them one)"
            )
            continue
        if digest.left:  # a reminder to someone who left reaches no one who can act
            warnings.append(
                f"{len(digest.todo)} card(s) with to-dos belong to {digest.name} "
                f"({digest.owner}), who left: nobody is reminded "
                f"(kb reassign --from {digest.owner} --to HANDLE gives them a new owner)"
            )
            continue
        found.append(_reminder(workspace, digest))
    return found, warnings


def _reminder(workspace: Workspace, digest: OwnerDigest) -> Reminder:
    person = workspace.config.roster.people.get(digest.owner)
    mention = person.slack if person else None
    todos = [
        Todo(
            CardLine(
                path=t.path,
                title=t.item.card.meta.shown_title,
                state=t.item.trust.state.value,
                reason=trust_detail(t.item.trust, workspace.today),
                owner=digest.owner,
            ),
            t.in_words,
        )
        for t in digest.todo
    ]
    payload = reminder(digest.owner, digest.name, mention, todos, workspace.config.handbook.url)
    return Reminder(digest.owner, digest.name, len(todos), payload)


def send(
    items: list[Reminder], url: str, progress: Callable[[Reminder], None] | None = None
) -> int:
    """Post each reminder to the webhook; stop at the first failure (a WebhookError)."""
    from kbcli.adapters.slack_webhook import WebhookError, post_json

    sent = 0
    for item in items:
        try:
            post_json(url, item.payload)
        except WebhookError as error:
            raise WebhookError(
                f"posting {item.owner}'s reminder failed ({sent} of {len(items)} sent): {error}"
            ) from None
        sent += 1
        if progress:
            progress(item)
    return sent
