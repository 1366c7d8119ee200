"""Terminal output of kb build and kb serve."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from kbcli.cli.output import console, err_console, warn
from kbcli.core.counted import counted

if TYPE_CHECKING:
    from collections.abc import Callable
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
    full: bool = False,
) -> int:
    """``kb build`` (the typer command and ``cli.fast_build``): build, report, exit code."""
    from kbcli.cli.gc_pause import paused_gc
    from kbcli.core.handbook import pages_url_hint
    from kbcli.errors import ExitCode
    from kbcli.usecases.handbook import run_build
    from kbcli.usecases.health import history_notices

    workspace = context.workspace
    if out is not None and not force:
        from kbcli.usecases.build_output import refuse_card_folder_output

        refuse_card_folder_output(workspace, out)
    with paused_gc(last=True):  # the history pass, the findings, the kept state: see paused_gc
        report = run_build(
            workspace,
            out,
            audience,
            search=search,
            jobs=jobs,
            related=related,
            allow_shallow=allow_shallow,
            full=full,
        )
    for notice in history_notices(workspace.history):
        warn(notice)
    hint = pages_url_hint(workspace.config.handbook.url, os.environ)
    if hint:
        warn(hint)
    build_summary(report, quiet=quiet, timings=verbose)
    return ExitCode.FINDINGS if strict and report.broken else ExitCode.OK


def build_summary(
    report: BuildReport, *, quiet: bool = False, timings: bool = False, serving: bool = False
) -> None:
    """``serving``: kb serve's own builds, which need no "open it with kb serve" line."""
    if not _plain_summary(report, quiet=quiet, timings=timings, serving=serving):
        _rich_summary(report, quiet=quiet, timings=timings, serving=serving)


def _rich_summary(report: BuildReport, *, quiet: bool, timings: bool, serving: bool) -> None:
    from rich.markup import escape

    out = console()
    problems = err_console()
    # Emoji codes off: a broken link on line 100 is "x.md:100:", not "x.md💯".
    for line in _problem_lines(report, escape):
        problems.print(line, soft_wrap=True, emoji=False)
    if quiet:
        return
    out.print(escape(_summary_line(report)), soft_wrap=True)
    if report.broken:
        out.print(_broken_line(report))
    if timings:
        out.print(_steps_line(report), soft_wrap=True)
    # Browsers refuse Pagefind's module import from file:// pages: a server is needed to search.
    if not serving:
        out.print(_open_line(report, escape(str(report.out))), soft_wrap=True)


def _plain_summary(report: BuildReport, *, quiet: bool, timings: bool, serving: bool) -> bool:
    """The summary (and the broken links and warnings) as rich would print them, written
    without importing rich (50 ms of a build): when neither stdout nor, if there is
    anything for it, stderr is a terminal (``output.plain_lines``). False when rich must
    print them."""
    import sys

    from kbcli.cli.output import NeedsRich, plain_lines, plain_text

    problems: str | None = ""
    lines: list[str] = []
    try:
        if report.broken or report.warnings:
            text_of = lambda text: plain_text(text, emoji=False)  # noqa: E731
            problems = plain_lines(_problem_lines(report, text_of), stderr=True, emoji=False)
        if not quiet:
            lines = [plain_text(_summary_line(report))]
            lines += [_broken_line(report)] if report.broken else []
            lines += [plain_text(_steps_line(report))] if timings else []
            lines += [] if serving else [_open_line(report, plain_text(str(report.out)))]
    except NeedsRich:
        return False
    text = plain_lines(lines) if lines else ""
    if text is None or problems is None:
        return False
    sys.stderr.write(problems)
    sys.stderr.flush()
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


def _broken_line(report: BuildReport) -> str:
    return f"{len(report.broken)} broken link(s), listed above."


def _problem_lines(report: BuildReport, escape: Callable[[str], str]) -> list[str]:
    """The broken links and warnings as markup for stderr (printed with emoji codes off)."""
    lines = [f"[yellow]{escape(broken.at())}[/]" for broken in report.broken]
    return lines + [f"[yellow]kb: warning:[/] {escape(message)}" for message in report.warnings]


def _summary_line(report: BuildReport) -> str:
    t = report.timings
    render = sum(v for k, v in t.items() if k != "search")
    line = (
        f"Built the {report.audience.value} handbook: {counted(report.cards, 'card')}, "
        f"{counted(report.pages, 'page')} ({report.written} written, "
        f"{counted(report.bodies_rendered, 'body', 'bodies')} rendered"
        + (f", {report.removed} removed" if report.removed else "")
        + f") in {render:.2f}s"
    )
    if report.searched:
        line += f"; search index {t.get('search', 0.0):.2f}s"
    return line


def _steps_line(report: BuildReport) -> str:
    return "steps: " + ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items())


def _open_line(report: BuildReport, out: str) -> str:
    """``out`` escaped for the printer. kb serve previews the internal handbook unless told
    the audience."""
    serve = "kb serve" + (" --audience public" if report.audience.value == "public" else "")
    return (
        f"Open it with: {serve} (search needs a web server; {out} "
        "can also be served by any static web server)"
    )
