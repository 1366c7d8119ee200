"""Block Kit messages for Slack: reminders, search answers, unfurls, capture and requests.

Pure: each function turns kb's data (already judged by ``core.trust``) into the JSON
Slack renders. Both the webhook reminders (``kb notify slack``) and the Slack app
(``kb slack``) build their messages here, so a badge reads the same everywhere.
The action ids are the contract with the app's handlers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kbcli.core.handbook import BADGE_WORD, card_url

ACTION_VERIFY = "kb_verify"
ACTION_SHARE = "kb_share"
ACTION_ASK = "kb_ask"
ACTION_CAPTURE_NEW = "kb_capture_new"
ACTION_CAPTURE_APPEND = "kb_capture_append"
CAPTURE_SHORTCUT = "kb_capture_thread"

# One emoji per state; a state this table does not know yet shows a warning sign,
# so a new verdict never reads as trustworthy by accident.
BADGE_EMOJI = {
    "verified": ":large_green_circle:",
    "due": ":large_yellow_circle:",
    "expired": ":red_circle:",
    "unverified": ":white_circle:",
}
MAX_BLOCKS = 50  # Slack rejects a message with more
MAX_TEXT = 2900  # a section's text may hold 3000 characters


@dataclass(frozen=True)
class CardLine:
    """One card as a message shows it: its trust already judged, in words."""

    path: str
    title: str
    state: str
    reason: str
    owner: str | None = None
    owner_mention: str | None = None
    snippet: str = ""
    verified: str | None = None


# Slack's mrkdwn has no escape for its formatting markers: a marker at a word's edge,
# where it could open or close bold, italics, strike or code, becomes a character that
# looks the same; one inside a word (``pg_dump``, ``a*b``) never formats and stays.
_LOOKALIKE = str.maketrans({"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"})
_MARKER_AT_EDGE = re.compile(r"(?<![^\W_])[*_~`]|[*_~`](?![^\W_])")


def escape(text: str) -> str:
    """Text from people or cards (a query, a title, a reason) as mrkdwn that shows it as
    written: Slack's three control characters as entities, and no formatting marker left
    that could bold, italicise, strike or quote part of the message."""
    text = _entities(text)
    return _MARKER_AT_EDGE.sub(lambda found: found.group().translate(_LOOKALIKE), text)


def code(text: str) -> str:
    """``text`` (a path, a branch) as inline code, which Slack shows literally: only a
    backtick could end it early."""
    return "`" + _entities(text).replace("`", "\u02cb") + "`"


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def badge(state: str) -> str:
    """``:red_circle: Expired``: an emoji and a word, so colour is never the only signal."""
    emoji = BADGE_EMOJI.get(state, ":warning:")
    return f"{emoji} {BADGE_WORD.get(state, state.replace('_', ' ').capitalize())}"


def page_url(handbook_url: str, path: str) -> str | None:
    """The handbook page of a card, or None when no handbook address is configured."""
    if not handbook_url:
        return None
    return handbook_url.rstrip("/") + "/" + card_url(path)


def title_link(handbook_url: str, line: CardLine) -> str:
    url = page_url(handbook_url, line.path)
    title = escape(line.title)
    return f"<{url}|{title}>" if url else f"{title} ({code(line.path)})"


def _clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _section(text: str, accessory: dict[str, object] | None = None) -> dict[str, object]:
    block: dict[str, object] = {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text)}}
    if accessory:
        block["accessory"] = accessory
    return block


def _context(text: str) -> dict[str, object]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(text)}]}


def _skipped(checks: Sequence[str]) -> list[dict[str, object]]:
    """A context line per check kb could not run (``core.people.skipped_checks``): a
    badge next to it rests on less than it seems (Verified on the dates alone)."""
    return [_context(f":warning: Skipped {escape(check)}") for check in checks]


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, object]:
    found: dict[str, object] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:75]},
        "action_id": action_id,
        "value": value[:2000],
    }
    if style:
        found["style"] = style
    return found


def _who(line: CardLine) -> str:
    if line.owner_mention:
        return f"<@{line.owner_mention}>"
    return escape(line.owner) if line.owner else "no owner"


# ---- owner reminders (kb notify slack) -------------------------------------------


@dataclass(frozen=True)
class Todo:
    line: CardLine
    reasons: tuple[str, ...]


def reminder(
    owner: str, name: str, mention: str | None, todos: Sequence[Todo], handbook_url: str
) -> dict[str, object]:
    """One owner's to-do as a message: each card with its badge, why, and a Verify button."""
    who = f"<@{mention}>" if mention else escape(name)
    count = len(todos)
    head = f"{who}: {count} card{'s' if count != 1 else ''} in the knowledge base need you"
    blocks: list[dict[str, object]] = [_section(f"*{head}*")]
    room = MAX_BLOCKS - 3
    for todo in todos[:room]:
        reasons = "\n".join(f"• {escape(r)}" for r in todo.reasons)
        text = f"*{title_link(handbook_url, todo.line)}*  {badge(todo.line.state)}\n{reasons}"
        verify = button("Verify", ACTION_VERIFY, todo.line.path, "primary")
        blocks.append(_section(text, verify))
    if count > room:
        blocks.append(_context(f"…and {count - room} more: `kb report --owner {escape(owner)}`"))
    blocks.append(
        _context(
            "What to do: read each card and fix what is wrong, then press *Verify* "
            "(or run `kb verify PATH`). A knowledge request needs its answer written."
        )
    )
    return {"text": head, "blocks": blocks}


# ---- search answers (/kb QUERY) ------------------------------------------------------


def search_answer(
    query: str, lines: Sequence[CardLine], handbook_url: str, skipped: Sequence[str]
) -> dict[str, object]:
    """The ephemeral answer to ``/kb QUERY``: the top cards, each with badge and reason,
    under the checks that could not run (``skipped``)."""
    blocks = [_context(f"kb search: *{escape(query)}*"), *_skipped(skipped)]
    for line in lines:
        blocks.append(_section(_card_text(line, handbook_url)))
        share = json.dumps({"path": line.path, "query": query[:200]})
        blocks.append(
            {"type": "actions", "elements": [button("Share in channel", ACTION_SHARE, share)]}
        )
    first = lines[0].title if lines else ""
    return {"text": f"{len(lines)} card(s) for {query}: {first}", "blocks": blocks}


def _card_text(line: CardLine, handbook_url: str) -> str:
    text = f"*{title_link(handbook_url, line)}*\n{badge(line.state)} — {escape(line.reason)}"
    text += f" · owner {_who(line)}"
    if line.snippet:
        text += "\n>" + escape(" ".join(line.snippet.split()))[:300]
    return text


def shared_card(
    line: CardLine, handbook_url: str, sharer: str, skipped: Sequence[str]
) -> dict[str, object]:
    """A card posted in the channel by "Share in channel" (badge and reason included)."""
    return {
        "text": line.title,
        "blocks": [
            _section(_card_text(line, handbook_url)),
            *_skipped(skipped),
            _context(f"Shared by <@{sharer}> from kb"),
        ],
        "response_type": "in_channel",
    }


def no_match(query: str, hints: Sequence[str] = ()) -> dict[str, object]:
    """No card answers: say so, and offer to ask an expert (a knowledge request)."""
    text = f"No card matches *{escape(query)}*."
    if hints:
        text += "\n" + "\n".join(f"• {escape(h)}" for h in hints[:3])
    ask = button("Ask an expert", ACTION_ASK, query[:2000], "primary")
    return {"text": f"No card matches {query}", "blocks": [_section(text, ask)]}


def error_message(text: str) -> dict[str, object]:
    return {"text": text, "blocks": [_section(f":warning: {escape(text)}")]}


# ---- link unfurls --------------------------------------------------------------------


def unfurl(line: CardLine, handbook_url: str, skipped: Sequence[str]) -> dict[str, object]:
    """The preview of a handbook link: title, badge with its reason, owner, last verified."""
    verified = f"last verified {line.verified}" if line.verified else "never verified"
    text = f"*{title_link(handbook_url, line)}*\n{badge(line.state)} — {escape(line.reason)}"
    owner = _context(f"Owner {_who(line)} · {verified}")
    return {"blocks": [_section(text), owner, *_skipped(skipped)]}


# ---- capture and knowledge requests --------------------------------------------------


def capture_choices(
    title: str,
    candidates: Sequence[CardLine],
    thread: dict[str, str],
    handbook_url: str,
    skipped: Sequence[str],
) -> dict[str, object]:
    """Search before create: the cards that may already answer the thread, then the choice."""
    blocks: list[dict[str, object]] = [_section(f"*Capture this thread*: _{escape(title)}_")]
    if candidates:
        blocks.append(_context("Existing cards that may already answer it:"))
        blocks += _skipped(skipped)
    for line in candidates[:5]:
        value = json.dumps({**thread, "card": line.path})
        append = button("Append to this card", ACTION_CAPTURE_APPEND, value)
        blocks.append(_section(_card_text(line, handbook_url), append))
    new = button("New draft", ACTION_CAPTURE_NEW, json.dumps(thread), "primary")
    blocks.append({"type": "actions", "elements": [new]})
    return {"text": f"Capture this thread: {title}", "blocks": blocks}


def captured(
    path: str,
    title: str,
    created: bool,
    branch: str,
    commit: str,
    pushed: str,
    review_url: str | None = None,
) -> dict[str, object]:
    """A capture done: the card, its branch and commit, then ``pushed``, where it went
    (mrkdwn already: ``capture_went``)."""
    verb = "Drafted" if created else "Added this thread to"
    text = (
        f":memo: {verb} *{escape(title)}* ({code(path)}) on branch {code(branch)} "
        f"(commit `{commit[:10]}`). {pushed}"
    )
    if review_url:
        text += f" <{escape(review_url)}|Review the merge request>."
    return {"text": f"{verb} {title} on {branch}", "blocks": [_section(text)]}


def verified(path: str, day: str, commit: str | None, signature: str) -> str:
    """The answer to a Verify button (mrkdwn): the path and the commit as code, as a
    capture's answer shows them (escaped whole, the commit's backticks became look-alike
    quotes and the id no code span)."""
    done = f":white_check_mark: verified {code(path)} on {escape(day)}"
    if commit:
        done += f" (commit {code(commit[:10])}, Verified-by: {escape(signature)})"
    return done


def capture_went(
    branch: str,
    pushed_to: str | None,
    reviewed: bool,
    review_url: str | None,
    review_error: str | None,
) -> str:
    """Where a capture went (mrkdwn, for ``captured``): the merge request, the pushed
    branch, or neither."""
    remote = escape(pushed_to or "")
    if not reviewed:
        pushed = f" and pushed to {remote}" if remote else ""
        return f"Committed to {escape(branch)}{pushed} ([capture] review = false)."
    if review_url:
        return f"Pushed to {remote} and opened a merge request."
    if not remote:
        return "The repo has no remote: the branch waits in the app's checkout."
    failed = f" (kb could not open it: {review_error})" if review_error else ""
    return f"Pushed to {remote}: open a merge request from {code(branch)}{escape(failed)}."


def request_for_owner(
    question: str,
    path: str,
    asker: str | None,
    owner_mention: str | None,
    owner: str | None,
    warnings: Sequence[str] = (),
) -> dict[str, object]:
    """The knowledge request as the chosen owner sees it (and the asker, in the channel),
    with what kb could not do in choosing the owner (``ask.Request.warnings``)."""
    who = f"<@{owner_mention}>" if owner_mention else escape(owner or "nobody yet")
    by = f"<@{asker}>" if asker else "someone"
    text = (
        f":raising_hand: *Knowledge request* from {by} for {who}:\n>{escape(question)}\n"
        f"Draft {code(path)} (status: requested). Answer in this thread, then use "
        "*Capture this thread* to turn the answer into the card."
    )
    notes = [_context(f":warning: {escape(w[:1].upper() + w[1:])}") for w in warnings]
    return {"text": f"Knowledge request: {question}", "blocks": [_section(text), *notes]}
