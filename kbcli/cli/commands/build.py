"""kb build: render the handbook, a static site with trust on every page and browser search."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class AudienceChoice(StrEnum):
    internal = "internal"
    public = "public"


Out = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Output folder (default: .kb/site in the repo)."),
]
AudienceOption = Annotated[
    AudienceChoice,
    typer.Option(
        help="internal: every card; public: a help center of public cards only "
        "(no internal cards or links, no owners, no health page)."
    ),
]
Search = Annotated[
    bool, typer.Option("--search/--no-search", help="Build the Pagefind search index.")
]
Jobs = Annotated[
    int | None,
    typer.Option("--jobs", "-j", min=1, help="Rendering processes (default: all cores)."),
]
Related = Annotated[
    bool,
    typer.Option(
        "--related/--no-related",
        help="Show each card's related cards, from the cards' weighted words.",
    ),
]
Verbose = Annotated[
    bool, typer.Option("--verbose", "-v", help="Also print the time of each build step.")
]
Strict = Annotated[bool, typer.Option("--strict", help="Exit 1 when a card has a broken link.")]
AllowShallow = Annotated[
    bool,
    typer.Option(
        "--allow-shallow",
        help="Build from a shallow clone anyway; every page then says that history-based "
        "facts (authors, dates, findings) are missing.",
    ),
]
Force = Annotated[
    bool, typer.Option("--force", help="Build into --out even when it is a card folder.")
]
Full = Annotated[
    bool,
    typer.Option(
        "--full",
        help="Index every page again in one search index, rather than the pages changed "
        "since the last whole index in a small second one (builds fold it in by themselves "
        "once it grows).",
    ),
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Print only problems, no summary.")]


def build(
    ctx: typer.Context,
    out: Out = None,
    audience: AudienceOption = AudienceChoice.internal,
    search: Search = True,
    jobs: Jobs = None,
    related: Related = True,
    verbose: Verbose = False,
    strict: Strict = False,
    allow_shallow: AllowShallow = False,
    force: Force = False,
    quiet: Quiet = False,
    full: Full = False,
) -> None:
    """Render the cards to a static site; unchanged cards are not rendered again.

    Broken links between cards are reported as file:line on stderr.

    Example: kb build --audience public --out public-site
    """
    from kbcli.cli.views.handbook import build_command

    code = build_command(
        ctx.obj,
        out,
        audience.value,
        search=search,
        jobs=jobs,
        related=related,
        verbose=verbose,
        strict=strict,
        allow_shallow=allow_shallow,
        force=force,
        quiet=quiet,
        full=full,
    )
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    app.command()(build)
