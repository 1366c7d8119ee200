"""A KCS draft from ticket notes or an e-mail: Issue from the subject or the first
paragraph, the rest as notes to edit into a Resolution.

Headers (``Subject:``, ``From:``, ``Date:``), greetings, sign-offs, signatures and the
quoted earlier mail are not the requester's words, so they are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kbcli.core.kcs_draft import GREETING, Draft, environment, guess_lang, quoted, suggest_title

_SIGN_OFF = re.compile(
    r"^(?:thanks|thank you|many thanks|best|regards|best regards|kind regards|cheers)"
    r"[ ,!.]*(?:\n?\s*[\w .'-]{1,40})?$",
    re.IGNORECASE,
)
_HEADER = re.compile(r"^(?P<key>[A-Za-z][A-Za-z-]{1,30}):[ \t]*(?P<value>.*)$")
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|tr|sv)\s*:\s*)+", re.I)
_SIGNATURE = re.compile(r"^(?:-- ?|__+|sent from my .*)$", re.I | re.MULTILINE)
_QUOTE_INTRO = re.compile(r"^On .{5,200} wrote:\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Notes:
    """Ticket notes or an e-mail, split into headers and paragraphs."""

    subject: str | None
    sender: str | None
    sent: str | None
    paragraphs: tuple[str, ...]


def parse_notes(text: str) -> Notes:
    """Read ``Subject:``/``From:``/``Date:`` headers (if the text starts with them),
    drop the signature and the quoted earlier mail, split into paragraphs."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    headers: dict[str, str] = {}
    index = 0
    while index < len(lines) and _HEADER.match(lines[index]):
        match = _HEADER.match(lines[index])
        assert match is not None
        headers[match.group("key").lower()] = match.group("value").strip()
        index += 1
    if not headers.keys() & {"subject", "from", "to", "date"}:
        headers, index = {}, 0
    body = "\n".join(lines[index:])
    for cut in (_SIGNATURE, _QUOTE_INTRO):
        match = cut.search(body)
        if match:
            body = body[: match.start()]
    paragraphs = tuple(p.strip() for p in re.split(r"\n\s*\n", body) if p.strip())
    subject = headers.get("subject")
    subject = _REPLY_PREFIX.sub("", subject).strip() if subject else None
    return Notes(subject or None, headers.get("from"), headers.get("date"), paragraphs)


def draft_from_text(text: str, *, source: str, today: date) -> Draft:
    """A KCS draft from ticket notes or an e-mail: Issue from the subject or the first
    paragraph, the rest as Resolution notes to edit."""
    notes = parse_notes(text)
    # "Hi team," and "Thanks, Sam" are not part of the issue or the resolution.
    paragraphs = [
        p for p in notes.paragraphs if GREETING.sub("", p).strip(" ,.!") and not _SIGN_OFF.match(p)
    ]
    if not paragraphs and not notes.subject:
        return Draft(title="", issue="")
    issue_paras = paragraphs[:1]
    rest = paragraphs[1:]
    first = issue_paras[0] if issue_paras else notes.subject or ""
    issue = "\n\n".join(quoted(p) for p in issue_paras)
    if notes.subject:
        issue = f"**{notes.subject}**\n\n{issue}" if issue_paras else notes.subject
    title = suggest_title(notes.subject or " ".join(first.split()))
    resolution = ""
    if rest:
        resolution = (
            "<!-- Notes captured with the ticket: edit them into the steps that fixed it. -->\n\n"
            + "\n\n".join(rest)
        )
    line = f"Source: {source}, captured {today.isoformat()}"
    if notes.sender:
        line += f", from {notes.sender}"
    if notes.sent:
        line += f" ({notes.sent})"
    return Draft(
        title=title,
        issue=issue,
        environment=environment(text),
        resolution=resolution,
        source=line + ".",
        lang=guess_lang(first),
    )
