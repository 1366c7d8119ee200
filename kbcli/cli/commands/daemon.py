"""kb daemon: keep the search index open so that kb search answers in milliseconds."""

from __future__ import annotations

from typing import Annotated

import typer


def daemon(
    ctx: typer.Context,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print each search answered and its time.")
    ] = False,
) -> None:
    """Answer kb search from a resident process until Ctrl-C (or SIGTERM).

    The index stays open and a file watcher re-syncs it after any change in the repo,
    so each kb search in this repo skips start-up, git status and opening the index.
    kb search works the same without it. kb serve runs one too.

    Example: kb daemon &
    """
    import signal

    from kbcli.cli.output import console
    from kbcli.cli.search_daemon import SearchDaemon

    def answered(argv: list[str], code: int, seconds: float) -> None:
        print(f"{' '.join(argv)} -> exit {code} in {seconds * 1000:.1f} ms", flush=True)

    def terminated(*_: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops it as ^C does: the socket is removed

    signal.signal(signal.SIGTERM, terminated)
    server: SearchDaemon | None = None
    try:
        server = SearchDaemon(ctx.obj.kb_dir, answered if verbose else None)
        console().print(
            f"kb daemon: answering kb search for {server.root} (Ctrl-C to stop)", soft_wrap=True
        )
        server.serve_forever()
    except KeyboardInterrupt:
        if server is not None:
            server.close()


def register(app: typer.Typer) -> None:
    app.command()(daemon)
