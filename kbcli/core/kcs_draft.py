"""A KCS draft from a conversation: the requester's words, the accepted answer, the source.

Knowledge-Centered Service captures an article while solving, in the requester's
own words. From a Slack thread: Issue is the question (and the asker's follow-ups
before anyone answered), Resolution is the reply marked with a check-mark reaction,
else the last substantial reply by someone other than the asker, and the other
useful replies become quoted context. Drafts from ticket notes or an e-mail are
``kcs_text``'s.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from kbcli.core.slack import Message, Thread
from kbcli.core.slack_markup import Names, plain, to_markdown

CHECK_MARKS = frozenset({"white_check_mark", "heavy_check_mark", "check", "ballot_box_with_check"})
MAX_TITLE = 90
MAX_QUOTE = 500
MAX_CONTEXT = 12  # quoted replies in Discussion; a long thread is summarised, not copied
GREETING = re.compile(
    r"^(?:(?:hi|hey|hello|morning|good morning|yo|hiya|folks|all|team|everyone|there|y'all|"
    r"guys|quick question|question|qq|help|urgent|fyi|привет|здравствуйте|שלום)[\s,!:.\-—–]*)+",
    re.IGNORECASE,
)
_LEADING_MENTIONS = re.compile(r"^(?:\s*<[@!][^>]*>[\s,:;]*)+")
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
_EMOJI = re.compile(r":[a-z0-9_+\-]+:")
_SENTENCE_END = re.compile(r"(?<=[?!.])\s+|\n")
_TRIVIAL = re.compile(
    r"^(?:thanks?|thank you|thx|ty|ok(?:ay)?|great|cool|nice|perfect|awesome|\+1|same|"
    r"that worked|it worked|works now|got it|lgtm|спасибо|תודה)\b[\s!.,:]*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Participant:
    """A Slack user as the card shows them: a name, and their roster handle when known."""

    name: str
    handle: str | None = None
    left: bool = False

    @property
    def label(self) -> str:
        if self.handle:
            return f"{self.name} (@{self.handle})"
        return self.name + (" (former member)" if self.left else "")


@dataclass(frozen=True)
class Draft:
    """Everything a new KCS card needs, before it is rendered through a template."""

    title: str
    issue: str
    environment: tuple[str, ...] = ()
    resolution: str = ""
    context: str = ""
    source: str = ""
    participants: tuple[str, ...] = ()
    owner: str | None = None  # roster handle of whoever answered
    answered_by: str | None = None  # display name of whoever answered
    tags: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    lang: str | None = None  # the requester's language, when it is not Latin-script

    def sections(self) -> dict[str, str]:
        """Section name to markdown content; empty content keeps the template's hint."""
        env = "\n".join(f"- {fact}" for fact in self.environment)
        source = self.source
        if self.participants:
            source += "\n\nParticipants: " + ", ".join(self.participants)
        return {
            "Issue": self.issue,
            "Environment": env,
            "Resolution": self.resolution,
            "Discussion": self.context,
            "Source": source,
        }

    @property
    def thread_marker(self) -> str | None:
        """``(ts 1712345678.000100)``: how the Source names the Slack thread, if it does.

        A card whose text holds the marker was captured from (or told about) that thread.
        """
        start = self.source.find("(ts ")
        if start < 0:
            return None
        return self.source[start : self.source.find(")", start) + 1]

    @property
    def search_text(self) -> str:
        """What the duplicate check searches for: the question and its answer.

        A card that already answers the question shares the answer's words (menu
        paths, reason codes) as much as the question's.
        """
        answer = self.resolution.split("\n\n*Answered by", 1)[0]
        answer = _COMMENTS.sub("", answer)
        return f"{self.title}\n{self.issue}\n{answer}"


def draft_from_thread(
    thread: Thread,
    people: Mapping[str, Participant],
    names: Names,
    *,
    link: str | None,
) -> Draft:
    """Turn a Slack thread into a KCS draft (see the module docstring for the rules)."""
    question = _question(thread)
    answer = accepted_answer(thread)
    rest = [m for m in thread.replies if m not in question and m is not answer]

    def who(message: Message) -> Participant:
        return people.get(message.user) or Participant(
            message.fallback_name or f"unknown user {message.user}"
        )

    warnings: list[str] = []
    if answer is None:
        warnings.append(
            "nobody but the asker replied in this thread: the Resolution is left to write"
        )
    seen: dict[str, None] = {}
    for message in thread.messages:
        seen.setdefault(who(message).label)
    owner_person = who(answer) if answer is not None else None
    text = " ".join(m.text for m in thread.messages)
    return Draft(
        title=suggest_title(plain(_LEADING_MENTIONS.sub("", thread.root.text), names)),
        issue="\n\n".join(_quote_block(m, names) for m in question),
        environment=environment(plain(text, names)),
        resolution="" if answer is None else _resolution(answer, who(answer), names),
        context=_context([m for m in rest if _substantial(m, names)], who, names),
        source=_thread_source(thread, who(thread.root), link),
        participants=tuple(seen),
        owner=owner_person.handle if owner_person else None,
        answered_by=owner_person.name if owner_person else None,
        tags=(thread.channel,),
        warnings=tuple(warnings),
        lang=guess_lang(" ".join(plain(m.text, names) for m in question)),
    )


def _resolution(answer: Message, by: Participant, names: Names) -> str:
    """The accepted answer, and who gave it and why it counts as accepted."""
    marked = bool(CHECK_MARKS & set(answer.reactions))
    how = "marked with a check mark in the thread" if marked else "the last answer in the thread"
    return _body(answer, names) + f"\n\n*Answered by {by.label}, {how}.*"


def _context(useful: Sequence[Message], who: Callable[[Message], Participant], names: Names) -> str:
    """The other useful replies, quoted with who wrote them and when (at most MAX_CONTEXT)."""
    context = "\n\n".join(
        f"> **{who(m).label}** ({m.when:%Y-%m-%d %H:%M} UTC):\n" + quoted(_body(m, names))
        for m in useful[:MAX_CONTEXT]
    )
    if len(useful) > MAX_CONTEXT:
        more = len(useful) - MAX_CONTEXT
        context += f"\n\n*… and {more} more replies in the thread (see the Source link).*"
    return context


def _thread_source(thread: Thread, asker: Participant, link: str | None) -> str:
    first = f"{thread.root.when:%Y-%m-%d}"
    where = f"Slack thread in #{thread.channel}"
    source = f"Source: [{where}]({link}), {first}" if link else f"Source: {where}, {first}"
    return source + f" (ts {thread.ts}), asked by {asker.label}."


def _question(thread: Thread) -> list[Message]:
    """The root message plus the asker's follow-ups before anyone else replied."""
    found = [thread.root]
    for message in thread.replies:
        if message.user != thread.root.user:
            break
        found.append(message)
    return found


def accepted_answer(thread: Thread) -> Message | None:
    """The reply marked with a check mark (most marks, then latest; someone else's
    before the asker's own), else the last substantial reply by someone other than
    the asker."""
    asker = thread.root.user
    question = _question(thread)
    replies = [m for m in thread.replies if m not in question]
    marked = [m for m in replies if CHECK_MARKS & set(m.reactions)]
    if marked:
        return max(marked, key=lambda m: (m.user != asker, _marks(m), float(m.ts)))
    candidates = [m for m in replies if m.user != asker]
    substantial = [m for m in candidates if _substantial(m, Names())]
    if substantial:
        return substantial[-1]
    return candidates[-1] if candidates else None


def _marks(message: Message) -> int:
    return len({u for name in CHECK_MARKS for u in message.reactions.get(name, ())}) or 1


def _substantial(message: Message, names: Names) -> bool:
    text = plain(message.text, names)
    if message.files or "```" in message.text:
        return True
    rest = _TRIVIAL.sub("", text)
    return len(re.findall(r"\w+", rest)) >= 4


def _body(message: Message, names: Names) -> str:
    text = to_markdown(message.text, names).strip()
    if message.files:
        links = "\n".join(f"- [{_label(f.name)}]({f.url})" for f in message.files)
        text = (text + "\n\n" if text else "") + "Attached:\n\n" + links
    return text


def _label(text: str) -> str:
    return text.replace("[", r"\[").replace("]", r"\]")


def _quote_block(message: Message, names: Names) -> str:
    return quoted(_body(message, names))


def quoted(text: str) -> str:
    if len(text) > MAX_QUOTE and "```" not in text:
        text = text[:MAX_QUOTE].rsplit(" ", 1)[0] + " …"
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def suggest_title(text: str) -> str:
    """A card title from a question: greeting dropped, first sentence, first clause, capped.

    The first sentence usually states the situation ("Customer on the Business plan
    was charged twice"); a later "can we...?" only makes sense after it.
    """
    text = " ".join(_EMOJI.sub("", text).split())
    text = GREETING.sub("", text).strip()
    sentences = [s.strip() for s in _SENTENCE_END.split(text) if len(s.split()) >= 2]
    title = sentences[0] if sentences else text
    clause = re.split(r"\s*[:;]\s+|\s+[—–-]\s+", title, maxsplit=1)[0]
    if len(clause.split()) >= 4:
        title = clause
    title = title.rstrip(" ?.!:,;")
    if len(title) > MAX_TITLE:
        head, comma, _ = title[:MAX_TITLE].rpartition(", ")
        if comma and len(head.split()) >= 4:
            title = head
        else:
            title = title[:MAX_TITLE].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"
    return (title[:1].upper() + title[1:]) if title else "Captured question"


_ENV_PATTERNS: Sequence[tuple[str, re.Pattern[str]]] = (
    (
        "Plan",
        re.compile(
            r"\b(starter|free|team|pro|business|enterprise|premium)\s+(?:plan|tier)\b", re.I
        ),
    ),
    (
        "Browser",
        re.compile(
            r"\b(chrome|chromium|firefox|safari|edge|opera|brave)(?:\s+v?(\d+(?:\.\d+)*))?\b", re.I
        ),
    ),
    (
        "OS",
        re.compile(
            r"\b(windows\s*(?:10|11|server\s*\d{4})?|macos(?:\s+\d+(?:\.\d+)*)?|mac os x|"
            r"ios\s*\d+(?:\.\d+)*|android\s*\d+|ubuntu(?:\s+\d+\.\d+)?|linux)\b",
            re.I,
        ),
    ),
    (
        "Version",
        re.compile(
            r"\b(?:version|release|build|app)\s+v?(\d+(?:\.\d+){1,3})\b|\bv(\d+(?:\.\d+){1,3})\b",
            re.I,
        ),
    ),
    (
        "Integration",
        re.compile(
            r"\b(okta|azure ad|entra id|google workspace|onelogin|salesforce|hubspot|zapier|"
            r"stripe|quickbooks|xero|jira|zendesk|slack app|google calendar|outlook|scim|saml)\b",
            re.I,
        ),
    ),
)
_KEY_VALUE = re.compile(
    r"^\s*(?:[-*•]\s*)?(plan|version|browser|os|platform|environment|region|account|workspace|"
    r"integration|device)\s*:\s*(.+?)\s*$",
    re.I | re.MULTILINE,
)


def environment(text: str) -> tuple[str, ...]:
    """Facts about the customer's environment found in the text: plan, browser, OS,
    versions, integrations, and ``Key: value`` lines such as ``Plan: Business``."""
    facts: dict[str, list[str]] = {}
    for match in _KEY_VALUE.finditer(text):
        key = match.group(1).strip().capitalize()
        key = "OS" if key.lower() == "os" else key
        facts.setdefault(key, []).append(match.group(2).strip())
    for label, pattern in _ENV_PATTERNS:
        for match in pattern.finditer(text):
            value = (
                " ".join(g for g in match.groups() if g) if label == "Version" else match.group(0)
            )
            value = " ".join(value.split())
            if label == "Plan":
                value = value.split()[0].capitalize() + " plan"
            known = facts.setdefault(label, [])
            if value.casefold() not in (v.casefold() for v in known):
                known.append(value)
    return tuple(f"{label}: {', '.join(values)}" for label, values in facts.items())


_HEBREW = re.compile(r"[\u05d0-\u05ea]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")


def guess_lang(text: str) -> str | None:
    """``he``, ``uk`` or ``ru`` when most letters are Hebrew or Cyrillic, else None.

    Search stems each card by its ``lang``; a question asked in Hebrew should be
    found by Hebrew words. Latin-script languages are left to the repo's default.
    """
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters:
        return None
    if len(_HEBREW.findall(text)) * 2 > letters:
        return "he"
    if len(_CYRILLIC.findall(text)) * 2 > letters:
        return "uk" if _UKRAINIAN.search(text) else "ru"
    return None


def append_note(draft: Draft, *, today: date) -> str:
    """What ``--append-to`` adds to an existing card's Issue: the new words and source."""
    return f"Also reported ({today.isoformat()}):\n\n{draft.issue}\n\n{draft.source}"


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def thread_update(draft: Draft, body: str, *, today: date) -> dict[str, str]:
    """What a thread captured before now says that its card does not: the paragraphs of
    the draft's Resolution and Discussion missing from ``body``, by section, each led by
    the date (empty when the card already holds everything).

    A re-captured thread usually has new replies; adding only those keeps the card one
    card instead of a ``-2`` copy, and the commit's diff shows exactly what was new.
    """
    seen = " ".join(body.split())
    update: dict[str, str] = {}
    for name, text in (("Resolution", draft.resolution), ("Discussion", draft.context)):
        fresh = [
            part.strip("\n")
            for part in _PARAGRAPH_BREAK.split(text)
            if part.strip() and " ".join(part.split()) not in seen
        ]
        if fresh:
            update[name] = f"*Added from the thread on {today.isoformat()}:*\n\n" + "\n\n".join(
                fresh
            )
    return update
