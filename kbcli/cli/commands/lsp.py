"""kb lsp: a language server for cards (diagnostics, completion, hover, links, actions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from kbcli.workspace import Workspace


def lsp(ctx: typer.Context) -> None:
    """Speak the Language Server Protocol on stdin/stdout for editors (VS Code, Neovim,
    Helix...): kb check's findings as you type, the trust verdict on verified_at,
    completion of links, anchors, owners, tags and front matter, hover, go to
    definition, "Verify this card". Needs the lsp extra: pip install 'kbcli[lsp]'.

    Example: kb --kb ~/support-kb lsp
    """
    from kbcli.cli.context import RunContext
    from kbcli.errors import KbError

    try:
        from kbcli.cli.lsp_server import serve
    except ImportError:
        raise KbError("kb lsp needs pygls: pip install 'kbcli[lsp]'") from None
    options: RunContext = ctx.obj
    first = options.workspace  # fail now, before the editor waits on us

    def workspace() -> Workspace:
        today = options.today if options.today_text else RunContext().today
        return first.on(today)

    serve(workspace)


def register(app: typer.Typer) -> None:
    app.command()(lsp)
