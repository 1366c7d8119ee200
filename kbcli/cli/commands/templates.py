"""kb templates: the card templates kb new can use."""

from __future__ import annotations

from typing import Annotated

import typer


def templates(
    ctx: typer.Context,
    json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List card templates: built-in ones and the repo's own templates/ (which win by name).

    Example: kb templates
    """
    from rich.table import Table

    from kbcli.cli.output import console, print_json

    available = ctx.obj.workspace.card_templates().available()
    if json:
        print_json(
            [
                {
                    "name": t.name,
                    "source": t.source,
                    "description": t.description,
                    "required_sections": list(t.required_sections),
                }
                for t in available.values()
            ]
        )
        return
    table = Table(box=None, pad_edge=False)
    for column in ("template", "from", "description", "required sections"):
        table.add_column(column)
    for t in available.values():
        table.add_row(t.name, t.source, t.description, ", ".join(t.required_sections))
    console().print(table)


def register(app: typer.Typer) -> None:
    app.command()(templates)
