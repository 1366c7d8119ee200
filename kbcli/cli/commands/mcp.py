"""kb mcp: serve the knowledge base to AI assistants over the Model Context Protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from datetime import date

    from kbcli.workspace import Workspace


def mcp(
    ctx: typer.Context,
    http: Annotated[
        bool,
        typer.Option("--http", help="Serve Streamable HTTP on 127.0.0.1 instead of stdio."),
    ] = False,
    port: Annotated[
        int, typer.Option("--port", "-p", min=1, max=65535, help="TCP port for --http.")
    ] = 8765,
    allow_write: Annotated[
        bool,
        typer.Option(
            "--allow-write",
            help="Also offer capture_draft (a draft card on a new branch) and flag_card.",
        ),
    ] = False,
) -> None:
    """Serve cards to AI assistants (Claude, Copilot, Cursor) over MCP: search, read and
    cite verified cards; expired and unverified ones only when asked. Read-only unless
    --allow-write. Needs the mcp extra: pip install 'kbcli[mcp]'.

    Example: claude mcp add kb -- kb --kb ~/support-kb mcp
    """
    from kbcli.cli.context import RunContext
    from kbcli.errors import KbError

    try:
        from kbcli.cli.mcp_server import serve
    except ImportError:
        raise KbError("kb mcp needs the MCP SDK: pip install 'kbcli[mcp]'") from None
    options: RunContext = ctx.obj
    first = options.workspace  # fail now, not on the first call, when this is no kb repo

    def workspace(day: date | None) -> Workspace:
        # The config (kb.toml) is read once, at start; cards, history and the index
        # are read again after any change (the resident index watches the repo).
        return first.on(day or RunContext().today)

    def today() -> date | None:
        # Asked on every call, so a server left running past midnight judges on the new day.
        return options.today if options.today_text else RunContext().today

    serve(workspace, today=today, allow_write=allow_write, http_port=port if http else None)


def register(app: typer.Typer) -> None:
    app.command()(mcp)
