"""Terminal, JSON and markdown views of the health report and of a card's history."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.markup import escape
from rich.table import Table

from kbcli.cli.output import badge, console, write_records
from kbcli.core.counted import counted
from kbcli.core.findings import Finding
from kbcli.core.history import CardHistory, Change, scalar, text_list
from kbcli.core.people import Roster
from kbcli.core.report import OwnerDigest, Report

_BAR = "█"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def render_report(report: Report, roster: Roster, *, title: str = "Knowledge base") -> None:
    out = console()
    _render_summary(report, title)
    if report.trend:
        out.print()
        render_trend(report.trend)
    out.print()
    if report.rule_counts:
        _render_rule_counts(report)
    else:
        out.print("[green]No findings.[/]")
    out.print()
    render_owners(report.owners, roster)
    if report.urgent:
        out.print()
        _render_urgent(report)


def _render_summary(report: Report, title: str) -> None:
    out = console()
    score = percent(report.score)
    out.print(f"[bold]{escape(title)}: health on {report.today.isoformat()}[/]")
    out.print(
        f"Trust score [bold]{score}[/]: {report.fresh} of {report.published} published cards "
        f"have a current verification ({counted(report.cards, 'card')} in all)"
    )
    states = report.states
    # The five states add up to the published cards; "no owner" is counted among them
    # (a card without an owner is also verified, due, ...), so it stands apart.
    out.print(
        f"  verified {states['verified']} · due {states['due']} · expired {states['expired']}"
        f" · needs review {states['needs-review']}{due_under_review(report)}"
        f" · never verified {states['unverified']}; {states['no-owner']} with no owner"
    )
    for day, count in report.baselines:
        out.print(
            f"  adopted baseline on {day.isoformat()}: {count} card(s) verified by the "
            "adoption (declared by the team, not read one by one)"
        )
    if report.history_commits is not None:
        out.print(f"[dim]  history: {report.history_commits} commits read[/]")
    for note in report.skipped:
        out.print(f"[yellow]  skipped {escape(note)}[/]")


def due_under_review(report: Report) -> str:
    """`` (N of them due soon)`` after the needs-review count: the due-soon findings count
    these cards too, the "due" state does not (it counts cards nothing is held against)."""
    count = report.needs_review_due_soon
    return f" ({count} of them due soon)" if count else ""


def _render_rule_counts(report: Report) -> None:
    from kbcli.core.rules import RULES

    out = console()
    levels: dict[str, set[str]] = {}  # one pass over the findings, not one per rule
    for finding in report.findings:
        levels.setdefault(finding.rule, set()).add(finding.severity.value)
    rows = [
        (str(count), rule, "/".join(sorted(levels.get(rule, set()))), _meaning(rule, RULES))
        for rule, count in sorted(report.rule_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    if not out.is_terminal:
        write_records(rows, kind="finding")
        return
    table = Table(title="Findings", title_justify="left", box=None, pad_edge=False)
    for column in ("count", "rule", "severity", "meaning"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    out.print(table)


def _render_urgent(report: Report) -> None:
    out = console()
    if not out.is_terminal:
        write_records(
            (
                (
                    todo.item.trust.state.value,
                    todo.path,
                    todo.item.card.meta.owner or "-",
                    str(todo.inbound),
                    "; ".join(todo.reasons),
                )
                for todo in report.urgent
            ),
            kind="urgent",
        )
        return
    table = Table(title="Most urgent", title_justify="left", box=None, pad_edge=False)
    for column in ("trust", "card", "owner", "links", "why"):
        table.add_column(column, overflow="fold", ratio=2 if column == "why" else None)
    for todo in report.urgent:
        meta = todo.item.card.meta
        table.add_row(
            badge(todo.item.trust),
            escape(todo.path),
            escape(meta.owner or "no owner"),
            str(todo.inbound),
            escape("; ".join(todo.reasons)),
        )
    out.print(table)


def _meaning(rule: str, rules: Any) -> str:
    known = rules.get(rule)
    return known.description if known else ""


def render_owners(owners: tuple[OwnerDigest, ...], roster: Roster) -> None:
    out = console()
    if not out.is_terminal:
        write_records(
            (
                (
                    d.owner or "-",
                    str(d.cards),
                    str(d.expired),
                    str(d.needs_review),
                    str(d.due),
                    str(d.unverified),
                    str(d.findings),
                    str(len(d.todo)),
                    "left" if d.left else "not-in-roster" if d.unknown else "",
                )
                for d in owners
            ),
            kind="owner",
        )
        return
    table = Table(title="By owner", title_justify="left", box=None, pad_edge=False)
    # The trust states in the order of urgency, as the to-do lists them.
    columns = ("cards", "expired", "needs review", "due", "never verified", "findings", "to do")
    for column in ("owner", *columns):
        table.add_column(column, overflow="fold")
    for digest in owners:
        who = digest.owner or "(no owner)"
        if digest.left:
            who += " [red](left)[/]"
        elif digest.unknown:
            who += " [yellow](not in roster)[/]"
        table.add_row(
            who if digest.left or digest.unknown else escape(who),
            str(digest.cards),
            str(digest.expired),
            str(digest.needs_review),
            str(digest.due),
            str(digest.unverified),
            str(digest.findings),
            str(len(digest.todo)),
        )
    out.print(table)


def render_trend(points: tuple[tuple[date, float], ...] | list[tuple[date, float]]) -> None:
    """A small horizontal bar chart: one line per week."""
    out = console()
    out.print("[bold]Trust score by week[/]")
    width = 30
    for day, value in points:
        filled = round(value * width)
        out.print(f"  {day.isoformat()} {_BAR * filled}{'·' * (width - filled)} {percent(value)}")


def report_json(report: Report, *, findings: bool = True) -> dict[str, Any]:
    """The documented JSON shape of ``kb report --json`` (add fields, never rename);
    without ``findings``, an empty list in their place (``finding_json`` makes each)."""
    return {
        "today": report.today.isoformat(),
        "trust_score": report.score,
        "cards": report.cards,
        "published": report.published,
        "verified": report.fresh,
        "states": report.states,
        "needs_review_due_soon": report.needs_review_due_soon,
        "adoption_baselines": [
            {"date": day.isoformat(), "cards": count} for day, count in report.baselines
        ],
        "findings_by_rule": report.rule_counts,
        "owners": [
            {
                "owner": d.owner or None,
                "name": d.name,
                "cards": d.cards,
                "expired": d.expired,
                "due": d.due,
                "unverified": d.unverified,
                "needs_review": d.needs_review,
                "findings": d.findings,
                "left": d.left,
                "unknown": d.unknown,
                "to_verify": [
                    {
                        "path": t.path,
                        "title": t.item.card.meta.shown_title,
                        "reasons": list(t.reasons),
                    }
                    for t in d.todo
                ],
            }
            for d in report.owners
        ],
        "urgent": [
            {
                "path": t.path,
                "title": t.item.card.meta.shown_title,
                "owner": t.item.card.meta.owner,
                "trust": t.item.trust.state.value,
                "linked_from": t.inbound,
                "reasons": list(t.reasons),
            }
            for t in report.urgent
        ],
        "findings": [finding_json(f) for f in report.findings] if findings else [],
        "skipped": list(report.skipped),
        "history_commits": report.history_commits,
        "trend": [{"week_ending": d.isoformat(), "trust_score": v} for d, v in report.trend],
    }


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity.value,
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "message": f.message,
    }


# -- kb history ------------------------------------------------------------------------------


def change_events(change: Change, roster: Roster) -> list[str]:
    """What one commit did to a card, in words."""
    events = []
    if change.created:
        events.append("created")
    if change.deleted:
        events.append("deleted")
    if change.renamed:
        events.append(f"renamed from {change.old_path}")
    if change.is_verification:
        events.append(f"verified (verified_at: {scalar(change.values.get('verified_at'))})")
    elif "verified_at" in change.values and not change.created:
        events.append("verification removed")
    if change.owner_changed:
        events.append(f"owner → {scalar(change.values.get('owner')) or 'none'}")
    if "verifiers" in change.values and not change.created:
        events.append(f"verifiers → {', '.join(text_list(change.values['verifiers'])) or 'none'}")
    if not change.created and not change.deleted:
        other = [k for k in change.keys if k not in ("verified_at", "owner", "verifiers")]
        if change.body_changed:
            events.append("edited the text")
        if other:
            events.append("changed " + ", ".join(other))
    return events or ["no change to the card's text or front matter"]


def who(change: Change, roster: Roster) -> str:
    """The roster handle of a commit's author, by e-mail only (a name anyone can set), as
    the provenance rules see them; otherwise the name git recorded."""
    handle = roster.handle_for(None, change.commit.author_email)
    return handle or change.commit.author_name


def history_json(history: CardHistory, roster: Roster) -> dict[str, Any]:
    def commit(change: Change | None) -> dict[str, Any] | None:
        if change is None:
            return None
        return {
            "commit": change.commit.sha,
            "author": change.commit.author_name,
            "email": change.commit.author_email,
            "handle": roster.handle_for(None, change.commit.author_email),
            "when": change.commit.when.isoformat(),
        }

    return {
        "path": history.path,
        "created": commit(history.created),
        "last_edit": commit(history.last_edit),
        "last_verification": commit(history.last_verification),
        "events": [
            {**(commit(c) or {}), "path": c.path, "events": change_events(c, roster)}
            for c in history.changes
        ],
    }


def render_history(history: CardHistory, roster: Roster, title: str, dirty: bool) -> None:
    out = console()
    out.print(f"[bold]{escape(title)}[/] [dim]({escape(history.path)})[/]")
    for label, change in (("created", history.created), ("last edit", history.last_edit)):
        if change is not None:
            out.print(
                f"  {label}: {change.commit.day.isoformat()} by "
                f"{escape(who(change, roster))} (commit {change.commit.short})"
            )
    stamp = history.last_verification
    if stamp is not None:
        value = scalar(stamp.values.get("verified_at"))
        out.print(
            f"  last verified: {value}, committed {stamp.commit.day.isoformat()} by "
            f"{escape(who(stamp, roster))} (commit {stamp.commit.short})"
        )
    if dirty:
        out.print("  [yellow]the card has uncommitted changes[/]")
    out.print()
    rows = [
        (
            change.commit.when.strftime("%Y-%m-%d %H:%M"),
            change.commit.short,
            who(change, roster),
            "; ".join(change_events(change, roster)),
        )
        for change in history.changes
    ]
    if not out.is_terminal:  # a table there wraps "changed title" mid-phrase at 80 columns
        write_records(rows, kind="change")
        return
    table = Table(box=None, pad_edge=False)
    for column in ("date", "commit", "who", "what"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(escape(field) for field in row))
    out.print(table)
