"""kb notify slack: each owner's to-do as a Block Kit message to a Slack incoming webhook."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import Quiet

app = typer.Typer(
    name="notify",
    help="Remind owners of the cards they must verify (Slack incoming webhook).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command()
def slack(
    ctx: typer.Context,
    webhook_url: Annotated[
        str | None,
        typer.Option(
            "--webhook-url",
            envvar="KB_SLACK_WEBHOOK_URL",
            metavar="URL",
            help="The incoming webhook (or set KB_SLACK_WEBHOOK_URL; keep it out of the repo).",
        ),
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Only this person's (or team's) reminder.")
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print each payload as one JSON line; post nothing."),
    ] = False,
    allow_shallow: Annotated[
        bool,
        typer.Option("--allow-shallow", help="Go on in a shallow clone (history is incomplete)."),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Post one message per owner with to-dos: cards expired, due, never verified,
    flagged or requested, why, and links to their handbook pages ([handbook] url).

    Owners are mentioned when people.yaml gives their Slack member id (slack: U0123ABC).
    Exits 2 when Slack cannot be reached or answers with an error.

    Example: kb notify slack --webhook-url https://hooks.slack.com/services/T0/B0/XXX
    """
    import json

    from kbcli.cli.output import err_console, warn
    from kbcli.errors import KbError
    from kbcli.usecases import notify

    if not dry_run and not webhook_url:
        raise KbError("give --webhook-url URL (or set KB_SLACK_WEBHOOK_URL), or use --dry-run")
    workspace = ctx.obj.workspace
    roster = workspace.config.roster
    if owner is not None and roster.people and not roster.knows(owner):
        raise KbError(f"--owner {owner!r} is not a person or team in people.yaml")
    items, warnings = notify.reminders(workspace, owner=owner, allow_shallow=allow_shallow)
    for message in warnings:
        warn(message)
    if dry_run:
        for item in items:
            typer.echo(json.dumps(item.payload, ensure_ascii=False))
        return
    assert webhook_url is not None
    out = err_console()
    out.quiet = quiet
    sent = notify.send(items, webhook_url, lambda r: out.print(f"sent {r.owner} ({r.cards})"))
    out.print(f"{sent} reminder(s) posted" if sent else "Nothing to remind anyone of.")


def register(root: typer.Typer) -> None:
    root.add_typer(app)
