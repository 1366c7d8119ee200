"""Terminal views shared by commands: the card table and the card page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from rich.markup import escape
from rich.table import Table

from kbcli.cli.output import badge, console, owner_text, write_records
from kbcli.core.catalog import Assessed
from kbcli.core.people import Roster
from kbcli.core.trust import trust_detail


def card_table(
    items: Sequence[Assessed], today: date, roster: Roster, *, no_card_yet: bool = False
) -> None:
    """``no_card_yet``: the repo holds no card at all (a new team's first kb list)."""
    out = console()
    if not items:
        first = ': kb new --title "How to ..." writes the first one'
        out.print(f"No cards yet{first}." if no_card_yet else "No cards match.")
        return
    if not out.is_terminal:
        write_records(
            (
                item.trust.state.value,
                item.card.path,
                item.card.meta.shown_title,
                item.card.meta.owner or "-",
                item.trust.expires_on.isoformat() if item.trust.expires_on else "-",
                ",".join(item.card.meta.tags),
            )
            for item in items
        )
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("trust", no_wrap=True)
    table.add_column("title", ratio=3, overflow="fold", min_width=16)
    table.add_column("path", ratio=2, overflow="fold", min_width=12)
    table.add_column("owner", no_wrap=True, max_width=24, overflow="ellipsis")
    table.add_column("expires", no_wrap=True)
    table.add_column("tags", no_wrap=True, max_width=28, overflow="ellipsis")
    for item in items:
        meta, trust = item.card.meta, item.trust
        title = escape(meta.shown_title)
        if meta.status.value != "published":
            title += f" [dim]({meta.status.value})[/]"
        expires = trust.expires_on.isoformat() if trust.expires_on else "-"
        table.add_row(
            badge(trust),
            title,
            escape(item.card.path),
            owner_text(meta.owner, roster, full=False),
            expires,
            escape(", ".join(meta.tags)),
        )
    out.print(table)
    out.print(f"[dim]{len(items)} card(s)[/]")


def card_page(item: Assessed, today: date, roster: Roster) -> None:
    from rich.markdown import Markdown
    from rich.rule import Rule

    meta, trust = item.card.meta, item.trust
    out = console()
    out.print(Rule(f"[bold]{escape(meta.shown_title)}[/]"))
    facts = [
        badge(trust),
        escape(trust_detail(trust, today)),
        f"owner {owner_text(meta.owner, roster)}",
    ]
    if meta.effective_verifiers and meta.effective_verifiers != (meta.owner,):
        facts.append("verifiers " + escape(", ".join(meta.effective_verifiers)))
    out.print(" · ".join(facts))
    tags = f" · tags {escape(', '.join(meta.tags))}" if meta.tags else ""
    out.print(
        f"[dim]{escape(item.card.path)} · {meta.status.value} · {meta.audience.value}{tags}[/]"
    )
    if trust.reasons:
        from rich.panel import Panel

        lines = "\n".join(f"✖ {escape(r.text)} [dim]\\[{r.rule}][/]" for r in trust.reasons)
        if out.soft_wrap:  # a pipe: a box would crop each reason at 80 columns
            out.print(f"why it needs review:\n{lines}")
        else:
            out.print(
                Panel(lines, title="why it needs review", title_align="left", border_style="red")
            )
    out.print(Rule())
    from kbcli.core.sections import without_title_heading

    out.print(Markdown(without_title_heading(item.card.body, meta.title)[0]))
