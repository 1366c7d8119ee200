"""Capture from Slack: open an export, list recent threads, pick one, draft its card.

The export is read by the ``slack_export`` adapter; turning a thread into a draft
is pure (``core.kcs_draft``). Here the two meet the roster, so Slack users become
people the knowledge repo knows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.core.kcs_draft import Draft, Participant, draft_from_thread
from kbcli.core.slack import (
    Channel,
    SlackUser,
    Thread,
    normalise_ts,
    parse_permalink,
    permalink,
    threads_from,
    users_from,
)
from kbcli.core.slack_markup import Names, plain
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.adapters.slack_export import SlackExport
    from kbcli.workspace import Workspace


@dataclass(frozen=True)
class ThreadSummary:
    channel: str
    ts: str
    date: str
    author: str
    first_line: str
    replies: int


def open_export(path: str) -> SlackExport:
    from kbcli.adapters.slack_export import open_export as open_it

    return open_it(Path(path).expanduser())


def latest_threads(export: SlackExport, count: int, channel: str | None) -> list[ThreadSummary]:
    """The ``count`` most recently active threads (messages with replies), newest first."""
    from kbcli.adapters.slack_export import iter_threads

    names = Names({uid: u.display for uid, u in export.users.items()})
    chosen = export.channel(channel) if channel else None
    threads = [t for t in iter_threads(export, chosen) if t.replies]
    threads.sort(key=lambda t: -float(t.last_activity))
    summaries = []
    for thread in threads[:count]:
        root = thread.root
        user = export.users.get(root.user)
        summaries.append(
            ThreadSummary(
                channel=thread.channel,
                ts=thread.ts,
                date=f"{root.when:%Y-%m-%d %H:%M}",
                author=user.display if user else root.fallback_name or root.user,
                first_line=_first_line(plain(root.text, names)),
                replies=len(thread.replies),
            )
        )
    return summaries


def _first_line(text: str, width: int = 90) -> str:
    text = text.strip()
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def find_thread(
    export: SlackExport, *, channel: str | None, thread: str | None, link: str | None
) -> tuple[Thread, str | None]:
    """The thread chosen by ``--channel/--thread`` or a permalink, plus the link's host."""
    host = None
    if link or (thread and "://" in thread):
        parsed = parse_permalink(link or thread or "")
        if parsed is None:
            raise KbError(
                f"'{link or thread}' is not a Slack message link such as "
                "https://acme.slack.com/archives/C0123ABC/p1699999999123456"
            )
        host, ts = f"https://{parsed.host}", parsed.thread_ts or parsed.ts
        chosen = export.channel(parsed.channel_id)
    else:
        if not channel or not thread:
            raise KbError(
                "choose a thread: --channel NAME --thread TS, a permalink with --link URL, "
                "or list recent threads with --latest 10"
            )
        ts_or_none = normalise_ts(thread)
        if ts_or_none is None:
            raise KbError(f"--thread '{thread}' is not a Slack timestamp such as 1699999999.123456")
        ts = ts_or_none
        chosen = export.channel(channel)
    for candidate in export.threads(chosen):
        if ts in (m.ts for m in candidate.messages):
            return candidate, host
    raise KbError(
        f"no thread {ts} in #{chosen.name} of {export.label}; "
        f"kb capture slack {export.label} --latest 10 --channel {chosen.name} lists recent threads"
    )


def thread_draft(
    workspace: Workspace,
    export: SlackExport | Mapping[str, SlackUser],
    thread: Thread,
    host: str | None,
) -> Draft:
    """The KCS draft of a thread, with Slack users mapped to roster handles.

    ``export`` is a workspace export, or the users by id (the Slack app fetches them
    with ``users.info``): either way the same thread gives the same draft.
    """
    roster = workspace.config.roster
    people: dict[str, Participant] = {}
    users = export if isinstance(export, Mapping) else export.users
    for uid, user in users.items():
        handle = roster.handle_for(user.real_name or None, user.email) or roster.handle_for(
            user.name or None, None
        )
        people[uid] = Participant(user.display, handle, left=user.deleted)
    names = Names({uid: p.label for uid, p in people.items()})
    base = host or workspace.config.capture.slack_url
    link = permalink(base, thread.channel_id, thread.ts) if base else None
    draft = draft_from_thread(thread, people, names, link=link)
    if thread.channel == thread.channel_id:
        draft = replace(draft, tags=())  # a direct message: its "name" is an id, not a topic
    if not base:
        draft = _with_warning(
            draft,
            "the Source line has no link: set [capture] slack_url in kb.toml "
            "(https://YOUR-WORKSPACE.slack.com) or capture with --link",
        )
    return draft


def _with_warning(draft: Draft, warning: str) -> Draft:
    return replace(draft, warnings=(*draft.warnings, warning))


def thread_from_api(
    channel_id: str,
    channel_name: str,
    messages: Sequence[object],
    users: Sequence[object],
) -> tuple[Thread, dict[str, SlackUser]]:
    """A thread from Web API answers (``conversations.replies`` messages, ``users.info``
    users): the same parsing as an export's day files, so edits, bots and events are
    dropped the same way. Raises KbError when nothing of the thread is left."""
    try:
        people = users_from(list(users))
    except ValueError as error:
        raise KbError(f"Slack sent users kb cannot read ({error})") from None
    found = threads_from(Channel(channel_id, channel_name or channel_id), [list(messages)], people)
    if not found:
        raise KbError("that thread has no message from a person to capture")
    return found[0], people
