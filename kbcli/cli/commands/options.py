"""Options that several commands share, declared once so they read and behave the same."""

from __future__ import annotations

import math
from typing import Annotated

import typer

from kbcli.cli import completion

CardRef = Annotated[
    str,
    typer.Argument(
        help="A card: path, file name, alias or title.", autocompletion=completion.card_refs
    ),
]
Commit = Annotated[
    bool, typer.Option("--commit/--no-commit", help="Commit the change with git (default).")
]
Json = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
Quiet = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress bar and no summary: only errors and warnings."),
]


def seconds(value: float) -> float:
    """A duration in seconds, checked where min= cannot: nan passes every range check and
    makes every comparison false (a wait for a busy writer that spins forever)."""
    if not math.isfinite(value):
        raise typer.BadParameter("give a number of seconds, such as 30")
    return value
