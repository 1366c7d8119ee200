"""``kb report --gaps`` and ``--used``: the usage log as a table or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kbcli.core.usage import Gap, Use


def gaps_json(found: Sequence[Gap]) -> list[dict[str, Any]]:
    return [
        {"query": g.query, "count": g.count, "last": g.last_at, "surfaces": list(g.surfaces)}
        for g in found
    ]


def used_json(found: Sequence[Use]) -> list[dict[str, Any]]:
    return [{"path": u.path, "count": u.count, "last": u.last_at} for u in found]


def render_gaps(found: Sequence[Gap]) -> None:
    from rich.markup import escape

    from kbcli.cli.output import console

    out = console()
    if not found:
        out.print("No unanswered searches in the usage log (.kb/usage/).")
        return
    out.print("[bold]Knowledge gaps[/]: searches that found no card, most frequent first")
    for gap in found:
        where = ", ".join(gap.surfaces)
        out.print(
            f"  {gap.count:>4}×  {escape(gap.query)}  [dim](last {gap.last_at[:10]}, {where})[/]",
            soft_wrap=True,
            emoji=False,
        )
    out.print("[dim]Write the card: kb new --title '...', or kb ask 'QUESTION' to find an owner[/]")


def render_used(found: Sequence[Use]) -> None:
    from rich.markup import escape

    from kbcli.cli.output import console

    out = console()
    if not found:
        out.print("No searches that led to a card in the usage log (.kb/usage/).")
        return
    out.print("[bold]Reuse[/]: cards that searches led to, most often first")
    for use in found:
        out.print(
            f"  {use.count:>4}×  {escape(use.path)}  [dim](last {use.last_at[:10]})[/]",
            soft_wrap=True,
            emoji=False,
        )
