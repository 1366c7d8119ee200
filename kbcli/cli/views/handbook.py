"""Terminal output of kb build and kb serve."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape

from kbcli.cli.output import console, err_console, warn

if TYPE_CHECKING:
    from pathlib import Path

    from kbcli.cli.context import RunContext
    from kbcli.usecases.handbook import BuildReport


def build_command(
    context: RunContext,
    out: Path | None,
    audience: str,
    *,
    search: bool = True,
    jobs: int | None = None,
    related: bool = True,
    verbose: bool = False,
    strict: bool = False,
    allow_shallow: bool = False,
    force: bool = False,
    quiet: bool = False,
) -> int:
    """``kb build`` (the typer command and ``cli.fast_build``): build, report, exit code."""
    from kbcli.cli.gc_pause import paused_gc
    from kbcli.errors import ExitCode
    from kbcli.usecases.handbook import run_build
    from kbcli.usecases.health import history_notices

    workspace = context.workspace
    if out is not None and not force:
        from kbcli.usecases.build_output import refuse_card_folder_output

        refuse_card_folder_output(workspace, out)
    with paused_gc():  # the history pass and the findings: see paused_gc
        report = run_build(
            workspace,
            out,
            audience,
            search=search,
            jobs=jobs,
            related=related,
            allow_shallow=allow_shallow,
        )
    for notice in history_notices(workspace.history):
        warn(notice)
    build_summary(report, quiet=quiet, timings=verbose)
    return ExitCode.FINDINGS if strict and report.broken else ExitCode.OK


def build_summary(report: BuildReport, *, quiet: bool = False, timings: bool = False) -> None:
    out = console()
    problems = err_console()
    for broken in report.broken:
        problems.print(f"[yellow]{escape(broken.at())}[/]", soft_wrap=True)
    for message in report.warnings:
        warn(message)
    if quiet:
        return
    t = report.timings
    render = sum(v for k, v in t.items() if k != "search")
    line = (
        f"Built the {report.audience.value} handbook: {report.cards} cards, {report.pages} pages "
        f"({report.written} written, {report.bodies_rendered} bodies rendered"
        + (f", {report.removed} removed" if report.removed else "")
        + f") in {render:.2f}s"
    )
    if report.searched:
        line += f"; search index {t.get('search', 0.0):.2f}s"
    out.print(escape(line), soft_wrap=True)
    if report.broken:
        out.print(f"{len(report.broken)} broken link(s), listed above.")
    if timings:
        out.print("steps: " + ", ".join(f"{k} {v:.2f}s" for k, v in t.items()), soft_wrap=True)
    # Browsers refuse Pagefind's module import from file:// pages: a server is needed to search.
    out.print(
        f"Open it with: kb serve (search needs a web server; {escape(str(report.out))} "
        "can also be served by any static web server)",
        soft_wrap=True,
    )
