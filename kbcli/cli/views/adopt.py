"""The adoption plan on a terminal (a table), in a pipe (one tab-separated line per file),
and as JSON."""

from __future__ import annotations

import sys
from typing import Any

from rich.markup import escape
from rich.table import Table

from kbcli.cli.output import console
from kbcli.usecases.adopt import AdoptPlan


def plan_json(adoption: AdoptPlan) -> dict[str, Any]:
    """The documented ``kb adopt --json`` shape. Add fields, never rename."""
    return {
        "baseline": adoption.baseline,
        "already_cards": adoption.already,
        "files": [
            {
                "path": row.path,
                "owner": row.owner,
                "source": row.suggestion.source,
                "reason": row.suggestion.reason,
                "adds": sorted(row.adds),
                "skipped": row.skipped or None,
            }
            for row in adoption.rows
        ],
        "link_rewrites": [
            {"path": r.path, "line": r.line, "column": r.column, "from": r.old, "to": r.new}
            for r in adoption.rewrites
        ],
        "template_tags_left": adoption.tags_left,
        "toml_headers_to_yaml": sorted(adoption.headers.converted) if adoption.headers else [],
        "markup_to_markdown": sorted(adoption.headers.markup) if adoption.headers else [],
        "not_read": adoption.unread,
    }


def render_plan(adoption: AdoptPlan, *, quiet: bool = False) -> None:
    """``path → owner (why)`` for every file; a table on a terminal, TSV in a pipe."""
    out = console()
    rows = adoption.rows
    if quiet:
        pass
    elif not sys.stdout.isatty():
        for row in rows:
            fields = [row.path, row.owner or "-", row.suggestion.source, row.suggestion.reason]
            sys.stdout.write("\t".join(f.replace("\t", " ") for f in fields) + "\n")
    elif rows:
        table = Table(box=None, pad_edge=False, show_edge=False)
        table.add_column("path", overflow="fold")
        table.add_column("owner", no_wrap=True)
        table.add_column("why", overflow="fold")
        table.add_column("adds", overflow="fold")
        for row in rows:
            owner = escape(row.owner) if row.owner else "[bold red]none[/]"
            table.add_row(
                escape(row.path),
                owner,
                escape(row.suggestion.reason),
                escape(", ".join(row.adds)) if not row.skipped else "[yellow]skipped[/]",
            )
        out.print(table)
    if adoption.rewrites and not quiet and sys.stdout.isatty():
        links = Table(box=None, pad_edge=False, show_edge=False)
        links.add_column("link tag", overflow="fold")
        links.add_column("becomes", overflow="fold")
        for r in adoption.rewrites:
            links.add_row(f"{escape(r.path)}:{r.line}  {escape(r.old)}", escape(r.new))
        out.print(links)
    summary(adoption)


def summary(adoption: AdoptPlan) -> None:
    """Counts on stderr, so a pipe of the plan stays one record per line."""
    from kbcli.cli.output import err_console

    rows = adoption.rows
    owned = sum(1 for r in adoption.to_write if r.owner)
    skipped = sum(1 for r in rows if r.skipped)
    text = (
        f"{len(adoption.to_write)} file(s) to adopt ({owned} with an owner), "
        f"{adoption.already} already cards"
    )
    if skipped:
        text += f", {skipped} skipped (a header kb cannot read or convert)"
    err_console().print(text + (" · baseline: verified_at today" if adoption.baseline else ""))
    if adoption.headers and adoption.headers.converted:
        err_console().print(
            f"{len(adoption.headers.converted)} TOML header(s) (+++) to convert to YAML (---) "
            "first, in a commit of their own"
        )
    if adoption.headers and adoption.headers.markup:
        err_console().print(
            f"{len(adoption.headers.markup)} file(s) with {adoption.headers.shape} block markup "
            "(admonitions, details, tabs) to write as plain Markdown, in a commit of their own"
        )
    if adoption.unread:
        shown = ", ".join(adoption.unread[:3]) + (" ..." if len(adoption.unread) > 3 else "")
        err_console().print(
            f"{len(adoption.unread)} .mdx file(s) in the card folders are not cards ({shown}): "
            "kb reads .md files only; rename (git mv) the ones that are plain Markdown to .md "
            "and run kb adopt again"
        )
    if adoption.rewrites or adoption.tags_left:
        files = len({r.path for r in adoption.rewrites})
        addressed = sum(1 for r in adoption.rewrites if "{" not in r.old)
        also = f" (and {addressed} link(s) written for a page's address)" if addressed else ""
        err_console().print(
            f"{len(adoption.rewrites) - addressed} link tag(s){also} in {files} file(s) to "
            f"rewrite as markdown links; {adoption.tags_left} template tag(s) kb does not "
            "render stay (kb check names them)"
        )
