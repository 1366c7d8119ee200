"""kb serve: a live preview of the handbook that rebuilds and reloads on save."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kbcli.cli.commands.build import AudienceChoice, Search
from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.cli.search_daemon import SearchDaemon
    from kbcli.usecases.handbook import BuildMemo, BuildReport
    from kbcli.workspace import Workspace


Port = Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="TCP port.")]
Host = Annotated[
    str,
    typer.Option(help="Address to listen on; the default keeps the preview on this machine."),
]
Out = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Output folder (default: .kb/serve in the repo)."),
]
AudienceOption = Annotated[
    AudienceChoice, typer.Option(help="Preview the internal handbook or the public one.")
]


def serve(
    ctx: typer.Context,
    port: Port = 8000,
    host: Host = "127.0.0.1",
    out: Out = None,
    audience: AudienceOption = AudienceChoice.internal,
    search: Search = True,
) -> None:
    """Build the handbook, serve it, and rebuild only what changed when a card or template
    is saved; open pages reload by themselves. Stop with Ctrl-C.

    Example: kb serve --port 8080
    """
    from kbcli.cli.context import RunContext
    from kbcli.cli.gc_pause import paused_gc
    from kbcli.cli.output import console, warn
    from kbcli.cli.views.handbook import build_summary
    from kbcli.usecases.handbook import run_build
    from kbcli.usecases.serve import serve as run_serve

    options = ctx.obj
    if host not in ("127.0.0.1", "localhost", "::1"):
        warn(f"serving on {host}: anyone who can reach this machine can read the handbook")
    target = out
    first = options.workspace
    if target is None:
        target = first.config.cache_dir / "serve"
    state = {"first": True}

    def workspace() -> Workspace:
        if state.pop("first", False):
            return first
        fresh: Workspace = RunContext(options.kb_dir, options.today_text).workspace
        return fresh

    def build(ws: Workspace, memo: BuildMemo) -> BuildReport:
        with paused_gc():  # each rebuild, as kb build: see paused_gc
            return run_build(
                ws, target, audience.value, search=search, memo=memo, allow_shallow=True
            )

    searches = _search_daemon(options.kb_dir)
    try:
        run_serve(
            workspace,
            build,
            out=target,
            host=host,
            port=port,
            on_build=lambda report: build_summary(report, serving=True),
            on_error=lambda message: warn(f"rebuild failed: {message}"),
            on_ready=lambda url: console().print(f"Serving {url} (Ctrl-C to stop)", soft_wrap=True),
        )
    finally:
        if searches is not None:
            searches.stop()


def _search_daemon(kb_dir: str | None) -> SearchDaemon | None:
    """Answer kb search from this process too (as kb daemon), in a thread; None when
    another process already does."""
    import threading

    from kbcli.adapters import daemon_lock
    from kbcli.cli.output import warn
    from kbcli.cli.search_daemon import DaemonRunning, SearchDaemon

    try:
        searches = SearchDaemon(kb_dir, kind=daemon_lock.BY_SERVE)
    except DaemonRunning:
        return None  # that one answers kb search
    except (KbError, OSError) as error:
        warn(f"kb search will not use this process: {error}")
        return None
    threading.Thread(target=searches.serve_forever, name="kb-search", daemon=True).start()
    return searches


def register(app: typer.Typer) -> None:
    app.command()(serve)
