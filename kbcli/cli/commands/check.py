"""kb check: the CI gate."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kbcli.cli.completion import choices

FORMATS = ("text", "json", "github", "junit", "sarif", "gitlab")


Paths = Annotated[
    list[str] | None,
    typer.Argument(help="Only these cards or folders (default: every card).", metavar="PATHS"),
]
Format = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Output: " + ", ".join(FORMATS) + ".",
        metavar="F",
        autocompletion=choices(FORMATS),
    ),
]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the output to FILE, not stdout.", metavar="FILE"),
]
Reports = Annotated[
    list[str] | None,
    typer.Option(
        help="Also write FORMAT to FILE, e.g. junit=kb-junit.xml (repeatable).",
        metavar="FORMAT=FILE",
    ),
]
ChangedSince = Annotated[
    str | None,
    typer.Option(
        help="Pull-request mode: only cards changed since REF (and links the change broke).",
        metavar="REF",
    ),
]
Strict = Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")]
Queries = Annotated[
    Path | None,
    typer.Option(help="Also run the golden search queries in FILE (YAML).", metavar="FILE"),
]
AllowShallow = Annotated[
    bool,
    typer.Option(
        "--allow-shallow", help="Run in a shallow clone although history findings are wrong."
    ),
]
ListRules = Annotated[
    bool, typer.Option("--list-rules", help="List every rule with its severity and exit.")
]
Json = Annotated[bool, typer.Option("--json", help="Same as --format json.")]
FindingsOnly = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print the findings only: no summary line.")
]


def check(
    ctx: typer.Context,
    paths: Paths = None,
    format: Format = "text",
    output: Output = None,
    report: Reports = None,
    changed_since: ChangedSince = None,
    strict: Strict = False,
    queries: Queries = None,
    allow_shallow: AllowShallow = False,
    list_rules: ListRules = False,
    json: Json = False,
    quiet: FindingsOnly = False,
) -> None:
    """Check every card: schema, trust, history, links and template sections.

    Exits 0 when there is no error (warnings allowed), 1 when there are errors,
    2 when kb could not run (configuration, usage, shallow clone, not a repository).
    Severities come from kb.toml [check.rules] and [folders.PATH.rules].

    Example: kb check --changed-since origin/main --format github
    """
    from kbcli.cli.check_run import run_command

    run_command(
        ctx.obj,
        paths=tuple(paths or ()),
        format="json" if json else format,
        output=output,
        reports=tuple(report or ()),
        changed_since=changed_since,
        strict=strict,
        queries=queries,
        allow_shallow=allow_shallow,
        list_rules=list_rules,
        quiet=quiet,
    )


def register(app: typer.Typer) -> None:
    app.command()(check)
