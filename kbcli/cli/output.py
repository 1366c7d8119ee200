"""Terminal output: one place that knows colours, badges and JSON.

Rich already drops colour when ``NO_COLOR`` is set or stdout is not a terminal;
badges always carry a word, so meaning never depends on colour.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from kbcli.core.patterns import lazy

if TYPE_CHECKING:
    from rich.console import Console

    from kbcli.core.catalog import Assessed
    from kbcli.core.findings import Finding
    from kbcli.core.people import Roster
    from kbcli.core.trust import Trust

BADGE_STYLE = {
    "verified": "bold green",
    "due": "bold yellow",
    "expired": "bold red",
    "unverified": "bold magenta",
    "needs-review": "bold red",
}
BADGE_ICON = {"verified": "✔", "due": "◷", "expired": "✖", "unverified": "?", "needs-review": "✖"}


def owner_text(
    owner: str | None,
    roster: Roster,
    *,
    full: bool = True,
    escape: Callable[[str], str] | None = None,
) -> str:
    """The owner as rich markup: "Ana Souza (ana)" from the roster, "no owner" in red.

    Here rather than in views/cards: kb search prints it, and that module's imports
    (rich tables, the catalog) cost a search 40 ms (-X importtime, loaded machine).
    ``escape``: how text is escaped (rich's markup escape unless given).
    """
    if not owner:
        return "[bold red]no owner[/]"
    if escape is None:
        from rich.markup import escape as rich_escape

        escape = rich_escape
    if not full:
        return escape(owner)
    name = roster.display(owner)
    return escape(owner if name == owner else f"{name} ({owner})")


# What rich treats specially in printed text: control characters (some stripped),
# tabs (expanded), backslashes (escapes) and ``:name:`` emoji codes. A bracket prints as
# it is: rich's escape and its markup parser give back "[username]" or "[Link](url)".
_RICH_SPECIAL = lazy(r"[\\\x00-\x1f\x7f-\x9f\ue000]|:\S*?:")
_MARKUP_TAG = lazy(r"\[[a-z#/@][^\[]*?\]")
_RICH_CONTROL = lazy(r"[\\\x00-\x1f\x7f-\x9f\ue000]")
_EMOJI_CODE = lazy(r":\S*?:")
_BRACKET = "\ue000"  # a user's "[" while kb's own tags are dropped (private use)


class NeedsRich(Exception):
    """Text that only rich itself prints exactly as rich would (``plain_text``)."""


def plain_text(text: str, *, emoji: bool = True) -> str:
    """``text`` escaped for ``plain_lines`` (as rich's ``escape`` for rich); raises
    ``NeedsRich`` when rich would not print it as it is (``emoji=False``: printed with
    rich's emoji codes off, so ``:100:`` is no special text)."""
    if (_RICH_SPECIAL if emoji else _RICH_CONTROL).search(text):
        raise NeedsRich(text)
    return text.replace("[", _BRACKET)


def plain_lines(markup: Iterable[str], *, stderr: bool = False, emoji: bool = True) -> str | None:
    """What ``console().print(line, soft_wrap=True)`` writes for each markup line when
    stdout is not a terminal (no colour, no wrapping: kb's tags dropped), without
    importing rich (a third of a one-shot search's start-up); None when stdout is a
    terminal to rich, or a line holds an emoji code. The text in the markup must have
    been escaped with ``plain_text``, and each piece of it be followed by a tag or the
    end of the line (so no tag can start inside it). ``stderr``: for ``err_console()``
    instead; ``emoji=False``: for a print with rich's emoji codes off."""
    if _rich_terminal(sys.stderr if stderr else sys.stdout):
        return None
    lines = [_MARKUP_TAG.sub("", line).replace(_BRACKET, "[") for line in markup]
    if emoji and any(_EMOJI_CODE.search(line) for line in lines):
        return None
    return "".join(f"{line}\n" for line in lines)


def _rich_terminal(stream: Any) -> bool:
    """Whether rich's console would treat ``stream`` as a terminal (``Console.is_terminal``)."""
    import builtins
    import os

    if hasattr(builtins, "get_ipython"):
        return True  # a notebook: rich's own rules
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return bool(stream.isatty())
    except ValueError:
        return False


def console(*, quiet: bool = False) -> Console:
    """Standard output; ``quiet`` (a command's ``-q``) drops what is printed through it.
    Wrapped at the terminal's width, but never when stdout is a pipe or a file: rich
    would wrap at 80 columns there, mid-word (``kb report | less`` broke "no owner")."""
    from rich.console import Console

    wrap = _rich_terminal(sys.stdout)
    # emoji=False: ":x:" in a query or a card is text ("without tag:x: 3 cards" showed ❌).
    return Console(highlight=False, soft_wrap=not wrap, quiet=quiet, emoji=False)


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, emoji=False)


def badge(trust: Trust) -> str:
    """Rich markup for a trust badge, e.g. ``[bold red]✖ expired[/]``."""
    state = trust.state.value
    return f"[{BADGE_STYLE[state]}]{BADGE_ICON[state]} {state.replace('-', ' ')}[/]"


def card_json(item: Assessed, today: date) -> dict[str, Any]:
    """The documented JSON shape of a card (README: "JSON output"). Add fields, never rename."""
    meta, trust = item.card.meta, item.trust
    return {
        "path": item.card.path,
        "title": meta.shown_title,
        "owner": meta.owner,
        "verifiers": list(meta.effective_verifiers),
        "status": meta.status.value,
        "audience": meta.audience.value,
        "tags": list(meta.tags),
        "lang": meta.lang,
        "aliases": list(meta.aliases),
        "trust": trust.state.value,
        "reasons": reasons_json(trust),
        "no_owner": trust.no_owner,
        "verified_at": meta.verified_at.isoformat() if meta.verified_at else None,
        "verify_every": str(trust.verify_every),
        "expires_on": trust.expires_on.isoformat() if trust.expires_on else None,
        "days_left": trust.days_left(today),
        "problems": [
            {"rule": p.rule, "line": p.line, "column": p.column, "message": p.message}
            for p in item.card.problems
        ],
        "extra": dict(meta.extra),
    }


def reasons_json(trust: Trust) -> list[dict[str, str]]:
    """The evidence behind a verdict: ``[{"rule": id, "text": one line}]`` (README)."""
    return [{"rule": r.rule, "text": r.text} for r in trust.reasons]


def print_json(data: Any, *, rows: tuple[str, Iterable[Any]] | None = None) -> None:
    """Indented UTF-8 JSON on stdout; orjson because the standard library's indented
    encoder is pure Python and costs seconds on the report of a big knowledge base.

    ``rows``: (key, items) for a top-level key that ``data`` holds as an empty list; the
    items are encoded and written a few thousand at a time, in its place (the findings
    of 100,000 cards as objects and as one text at once cost hundreds of MB)."""
    import orjson

    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
    try:
        encoded = orjson.dumps(data, default=str, option=options)
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits in a card's front matter
        whole = data if rows is None else {**data, rows[0]: list(rows[1])}
        sys.stdout.write(json.dumps(whole, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if rows is None:
        write_utf8(encoded + b"\n")
        return
    key, items = rows
    place = b"\n  " + orjson.dumps(key) + b": ["
    at = encoded.find(place + b"]")
    if at < 0:
        raise ValueError(f"print_json: {key!r} is not an empty top-level list")
    tail = encoded[at + len(place) + 1 :]
    write_utf8(memoryview(encoded)[: at + len(place)])  # no copy of the head (~27 MB)
    del encoded
    opened = False
    for batch in batched(items, 4096):
        try:
            text = orjson.dumps(batch, default=str, option=options)
        except orjson.JSONEncodeError:
            text = json.dumps(batch, ensure_ascii=False, indent=2, default=str).encode()
        # "[\n  {...}\n]" one level deeper: each line two more spaces in
        write_utf8((b",\n  " if opened else b"\n  ") + text[2:-2].replace(b"\n", b"\n  "))
        opened = True
    write_utf8((b"\n  ]" if opened else b"]") + tail + b"\n")


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of ``size`` (the last one shorter): what the streamed JSON
    outputs write at a time (itertools.batched is Python 3.12's; kb runs on 3.11)."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def write_utf8(data: bytes | memoryview) -> None:
    """UTF-8 bytes on stdout, as they are where stdout takes them (no copy to text and
    back: the report of 100,000 cards is 120 MB, held three times over that way)."""
    import os

    buffer = getattr(sys.stdout, "buffer", None)
    encoding = (getattr(sys.stdout, "encoding", "") or "").lower().replace("_", "-")
    if buffer is None or encoding not in ("utf-8", "utf8") or os.linesep != "\n":
        sys.stdout.write(bytes(data).decode())
        return
    sys.stdout.flush()
    buffer.write(data)
    buffer.flush()


def print_problems(problems: Sequence[Finding]) -> None:
    """``path:line:col: message [rule]`` on stderr, one per line, for editors and CI logs.

    One write for all of them: printing 200,000 findings one rich call at a time took
    a minute where writing them takes a second."""
    from rich.markup import escape

    if not problems:
        return
    out = err_console()
    if out.is_terminal and not out.no_color:
        text = "\n".join(
            f"[{'red' if problem.severity == 'error' else 'yellow'}]{escape(problem.at())}[/]"
            for problem in problems
        )
        out.print(text, soft_wrap=True, highlight=False)
    else:
        out.file.write("".join(problem.at() + "\n" for problem in problems))
        out.file.flush()


def print_error(message: str) -> None:
    """``kb: error: MESSAGE`` on stderr: how every user-facing error is shown."""
    from rich.markup import escape

    err_console().print(f"[bold red]kb: error:[/] {escape(message)}", soft_wrap=True)


def warn(message: str) -> None:
    """``kb: warning: MESSAGE`` on stderr; through a pipe without importing rich (a
    third of a one-shot search's start-up, and a search may warn)."""
    try:
        plain = plain_lines([f"[yellow]kb: warning:[/] {plain_text(message)}"], stderr=True)
    except NeedsRich:
        plain = None
    if plain is not None:
        sys.stderr.write(plain)
        return
    from rich.markup import escape

    err_console().print(f"[yellow]kb: warning:[/] {escape(message)}", soft_wrap=True)


def write_records(rows: Iterable[Sequence[str]], *, kind: str = "") -> None:
    """One record per line, tab-separated, full paths: what ``grep`` and ``cut`` want
    when stdout is not a terminal (a table there wraps an 80-column row mid-path)."""
    import sys

    prefix = [kind] if kind else []
    for row in rows:
        fields = [*prefix, *row]
        sys.stdout.write("\t".join(f.replace("\t", " ").replace("\n", " ") for f in fields) + "\n")
