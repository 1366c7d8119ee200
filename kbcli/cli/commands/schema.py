"""kb schema: a JSON Schema of card front matter, for editors."""

from __future__ import annotations

import typer


def schema() -> None:
    """Print a JSON Schema of card front matter, so editors validate cards as you type.

    VS Code (YAML extension): save it as .kb/card.schema.json and add
    "yaml.schemas": {".kb/card.schema.json": "*.md"} to your settings.

    Example: kb schema > .kb/card.schema.json
    """
    from kbcli.cli.output import print_json
    from kbcli.core.schema import card_schema

    print_json(card_schema())


def register(app: typer.Typer) -> None:
    app.command()(schema)
