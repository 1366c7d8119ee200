"""kb slack: run the Slack app over this checkout; kb slack manifest prints its manifest."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import seconds

app = typer.Typer(
    name="slack",
    help="The Slack app: /kb search, capture a thread, unfurl links, verify, ask an expert.",
    invoke_without_command=True,
    rich_markup_mode=None,
)


@app.callback()
def run(
    ctx: typer.Context,
    pull_every: Annotated[
        float,
        typer.Option(
            help="Seconds between git pull --ff-only of the checkout.", min=5, callback=seconds
        ),
    ] = 60.0,
    api_url: Annotated[
        str | None,
        typer.Option(
            envvar="KB_SLACK_API_URL", hidden=True, help="Slack Web API address (for tests)."
        ),
    ] = None,
) -> None:
    """Run the Slack app in Socket Mode (no public URL) over this checkout of the
    knowledge repo. Tokens come from the environment: SLACK_BOT_TOKEN (xoxb-...) and
    SLACK_APP_TOKEN (xapp-..., with connections:write), never from the repo.

    Example: SLACK_BOT_TOKEN=xoxb-... SLACK_APP_TOKEN=xapp-... kb slack
    """
    if ctx.invoked_subcommand is not None:
        return
    import logging
    import os

    from kbcli.errors import KbError
    from kbcli.usecases.checkout import Checkout

    bot, app_token = os.environ.get("SLACK_BOT_TOKEN"), os.environ.get("SLACK_APP_TOKEN")
    if not bot or not app_token:
        raise KbError(
            "set SLACK_BOT_TOKEN (xoxb-...) and SLACK_APP_TOKEN (xapp-...) in the environment: "
            "kb slack manifest prints the app to create first"
        )
    try:
        from kbcli.cli.slack.app import run as serve
    except ImportError:
        raise KbError("kb slack needs the Slack extra: pip install 'kbcli[slack]'") from None
    workspace = ctx.obj.workspace
    checkout = Checkout(workspace.root, pull_every=pull_every)
    if ctx.obj.today_text:  # --today: judge trust as of that day (demos, what-ifs)
        fixed = ctx.obj.today
        checkout.today = lambda: fixed
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    typer.echo(f"kb slack: serving {workspace.root} (Ctrl-C to stop)", err=True)
    serve(checkout, bot_token=bot, app_token=app_token, api_url=api_url)


@app.command()
def manifest(ctx: typer.Context) -> None:
    """Print the app manifest (JSON) with exactly the scopes kb slack uses; paste it at
    api.slack.com/apps, "Create New App", "From an app manifest".

    Example: kb slack manifest > slack-manifest.json
    """
    import json

    from kbcli.core.slack_manifest import manifest as build

    handbook = ctx.obj.workspace.config.handbook
    typer.echo(json.dumps(build(handbook.title, handbook.url), indent=2))


def register(root: typer.Typer) -> None:
    root.add_typer(app)
