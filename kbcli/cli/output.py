"""Terminal output: one place that knows colours, badges and JSON.

Rich already drops colour when ``NO_COLOR`` is set or stdout is not a terminal;
badges always carry a word, so meaning never depends on colour.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

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


def owner_text(owner: str | None, roster: Roster, *, full: bool = True) -> str:
    """The owner as rich markup: "Ana Souza (ana)" from the roster, "no owner" in red.

    Here rather than in views/cards: kb search prints it, and that module's imports
    (rich tables, the catalog) cost a search 40 ms (-X importtime, loaded machine).
    """
    from rich.markup import escape

    if not owner:
        return "[bold red]no owner[/]"
    if not full:
        return escape(owner)
    name = roster.display(owner)
    return escape(owner if name == owner else f"{name} ({owner})")


def console(*, quiet: bool = False) -> Console:
    """Standard output; ``quiet`` (a command's ``-q``) drops what is printed through it."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, quiet=quiet)


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def badge(trust: Trust) -> str:
    """Rich markup for a trust badge, e.g. ``[bold red]✖ expired[/]``."""
    state = trust.state.value
    return f"[{BADGE_STYLE[state]}]{BADGE_ICON[state]} {state.replace('-', ' ')}[/]"


def card_json(item: Assessed, today: date) -> dict[str, Any]:
    """The documented JSON shape of a card (README: "JSON output"). Add fields, never rename."""
    meta, trust = item.card.meta, item.trust
    return {
        "path": item.card.path,
        "title": meta.title,
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


def print_json(data: Any) -> None:
    """Indented UTF-8 JSON on stdout; orjson because the standard library's indented
    encoder is pure Python and costs seconds on the report of a big knowledge base."""
    import orjson

    options = orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
    try:
        text = orjson.dumps(data, default=str, option=options).decode()
    except orjson.JSONEncodeError:  # e.g. an integer beyond 64 bits in a card's front matter
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write(text + "\n")


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
