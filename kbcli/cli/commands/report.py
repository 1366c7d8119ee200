"""kb report: the health of the whole knowledge base at a glance."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.completion import choices

# json as in kb check, where --json is "--format json": one spelling works for both.
FORMATS = ("text", "markdown", "json")


Owner = Annotated[
    str | None,
    typer.Option(help="Only the cards this person (or a team they belong to) owns."),
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON (fields in the README).")]
Format = Annotated[
    str,
    typer.Option(
        "--format",
        help="text; markdown: a digest per owner to paste into an issue; json (as --json).",
        autocompletion=choices(FORMATS),
    ),
]
Trend = Annotated[
    bool, typer.Option("--trend", help="Add the weekly trust score, rebuilt from git history.")
]
Weeks = Annotated[int, typer.Option(help="How many weeks --trend covers.", min=1)]
Limit = Annotated[int, typer.Option(help="How many urgent cards to list.", min=0)]
AllowShallow = Annotated[
    bool, typer.Option("--allow-shallow", help="Go on in a shallow clone (history is incomplete).")
]
Gaps = Annotated[
    bool, typer.Option("--gaps", help="List the searches that found nothing, most frequent first.")
]
Used = Annotated[
    bool, typer.Option("--used", help="List the cards searches led to, most often first.")
]


def report(
    ctx: typer.Context,
    owner: Owner = None,
    json: Json = False,
    format: Format = "text",
    trend: Trend = False,
    weeks: Weeks = 12,
    limit: Limit = 10,
    allow_shallow: AllowShallow = False,
    gaps: Gaps = False,
    used: Used = False,
) -> None:
    """Trust score, findings per rule, what each owner must verify and the most urgent cards.

    History checks read git once (cached in .kb/history). Exits 0: use kb check to fail CI.

    --gaps and --used read the usage log (.kb/usage/) that kb slack, kb ask and
    other search surfaces append to.

    Example: kb report --format markdown --owner ana
    """
    from kbcli.errors import KbError

    if format not in FORMATS:
        raise KbError(f"unknown --format {format!r}: use {', '.join(FORMATS)}")
    json = json or format == "json"
    if gaps or used:
        _usage(ctx, gaps=gaps, used=used, as_json=json, limit=limit or 20)
        return
    roster = ctx.obj.workspace.config.roster
    if owner is not None and roster.people and not roster.knows(owner):
        raise KbError(f"--owner {owner!r} is not a person or team in people.yaml")
    _health(
        ctx,
        owner=owner,
        format="json" if json else format,
        weeks=weeks if trend else 0,
        limit=limit,
        allow_shallow=allow_shallow,
    )


def _health(
    ctx: typer.Context,
    *,
    owner: str | None,
    format: str,
    weeks: int,
    limit: int,
    allow_shallow: bool,
) -> None:
    from kbcli.cli.gc_pause import keep_until_exit, paused_gc
    from kbcli.cli.output import warn
    from kbcli.cli.views.digest import report_markdown
    from kbcli.cli.views.health import render_report, report_json
    from kbcli.usecases.health import health_report

    workspace = ctx.obj.workspace
    roster = workspace.config.roster
    with paused_gc(last=True):  # the model holds every card and finding: see paused_gc
        model = health_report(
            workspace,
            owner=owner,
            trend_weeks=weeks,
            urgent_limit=limit,
            allow_shallow=allow_shallow,
        )
        keep_until_exit(model, workspace)
        for notice in model.notices:
            warn(notice)
        title = workspace.config.handbook.title
        if format == "json":
            from kbcli.cli.output import print_json
            from kbcli.cli.views.health import finding_json

            rows = (finding_json(f) for f in model.findings)  # written as they are made
            print_json(report_json(model, findings=False), rows=("findings", rows))
        elif format == "markdown":
            typer.echo(report_markdown(model, roster, title=title), nl=False)
        else:
            render_report(model, roster, title=title)


def _usage(ctx: typer.Context, *, gaps: bool, used: bool, as_json: bool, limit: int) -> None:
    from kbcli.cli.output import print_json, warn
    from kbcli.cli.views import usage as view
    from kbcli.usecases import usage

    workspace = ctx.obj.workspace
    data: dict[str, object] = {}
    if gaps:
        found_gaps, warnings = usage.gaps(workspace, limit)
        data["gaps"] = view.gaps_json(found_gaps)
    if used:
        found_used, warnings = usage.used(workspace, limit)
        data["used"] = view.used_json(found_used)
    for message in warnings:
        warn(message)
    if as_json:
        print_json(data)
        return
    if gaps:
        view.render_gaps(found_gaps)
    if used:
        view.render_used(found_used)


def register(app: typer.Typer) -> None:
    app.command()(report)
