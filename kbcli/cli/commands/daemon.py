"""kb daemon: keep the search index open so that kb search answers in milliseconds."""

from __future__ import annotations

from typing import Annotated

import typer


def daemon(
    ctx: typer.Context,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print each search answered and its time.")
    ] = False,
    status: Annotated[
        bool,
        typer.Option("--status", help="Say whether a kb daemon runs for this repo (exit 1: none)."),
    ] = False,
    stop: Annotated[
        bool, typer.Option("--stop", help="Stop the kb daemon of this repo, if one runs.")
    ] = False,
    started_by_search: Annotated[
        bool,
        typer.Option(
            "--started-by-search",
            hidden=True,
            help="Run as a search started it: exit when idle ([search] daemon_idle_minutes).",
        ),
    ] = False,
    lock_fd: Annotated[
        int | None,
        typer.Option("--lock-fd", hidden=True, help="The repo's daemon lock, already taken."),
    ] = None,
) -> None:
    """Answer kb search from a resident process until Ctrl-C (or SIGTERM).

    The index stays open and a file watcher re-syncs it after any change in the repo,
    so each kb search in this repo skips start-up, git status and opening the index.
    kb search works the same without it. kb serve runs one too, and a search that ranks
    by meaning starts one in the background when none runs ([search] start_daemon);
    that one exits after [search] daemon_idle_minutes without a search.

    Example: kb daemon &   (kb daemon --status, kb daemon --stop)
    """
    from kbcli.cli import daemon_control

    if status or stop:
        ctx.exit(daemon_control.stop(ctx.obj) if stop else daemon_control.status(ctx.obj))
    daemon_control.run(ctx.obj, verbose=verbose, by_search=started_by_search, lock=lock_fd)


def register(app: typer.Typer) -> None:
    app.command()(daemon)
