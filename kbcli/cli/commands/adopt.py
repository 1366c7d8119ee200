"""kb adopt: turn existing markdown files into cards, with an owner suggestion per file."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from kbcli.cli.commands.options import Commit, Json

if TYPE_CHECKING:
    from rich.console import Console

    from kbcli.usecases.adopt import AdoptOutcome


def adopt(
    ctx: typer.Context,
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files, folders or globs (default: every card file).")
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the plan (default: only show it).")
    ] = False,
    baseline: Annotated[
        bool,
        typer.Option(
            "--baseline",
            help="Declare the files read today: write verified_at and mark the commit "
            "'Kb-Adopt: baseline'.",
        ),
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Apply without asking.")] = False,
    json: Json = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No plan table, only counts.")
    ] = False,
    commit: Commit = True,
) -> None:
    """Plan, then add front matter (title, owner, tags, status) to existing markdown files.

    Owners come with their evidence: CODEOWNERS, then who changed the file or its folder
    most in kb.toml [adopt] history (mapped through people.yaml), then [folders.X] owner
    or [adopt] owner. Links written as a site generator's template tag that name a card
    ([a]({% page "/billing/" %}), {% link %}, {{< relref >}}) become relative markdown
    links. Nothing is written without --apply (or a yes at the prompt); then one commit
    rewrites those links, and another adds front matter and changes no other line.

    Example: kb adopt docs/ --apply
    """
    from kbcli.cli.output import console, err_console, print_json
    from kbcli.cli.views.adopt import plan_json, render_plan
    from kbcli.usecases.adopt import apply as run_apply
    from kbcli.usecases.adopt import plan, refuse_after_a_stopped_run

    workspace = ctx.obj.workspace
    if apply and commit:
        refuse_after_a_stopped_run(workspace)
    adoption = plan(workspace, paths or [], baseline=baseline)
    if json:
        print_json(plan_json(adoption))
    else:
        render_plan(adoption, quiet=quiet)
    if not adoption.to_write and not adoption.rewrites and not adoption.converts_markup:
        return
    if not apply:
        if json or yes or not sys.stdin.isatty() or not sys.stdout.isatty():
            if not json:
                err_console().print("Nothing written: review the plan, then run with --apply.")
            return
        if not typer.confirm("Write this plan now?"):
            return
    outcome = run_apply(workspace, adoption, commit=commit)
    say_outcome(outcome, err_console() if json else console())


def say_outcome(outcome: AdoptOutcome, out: Console) -> None:
    """What was written and committed, in the order the commits were made."""
    if outcome.converted:
        out.print(f"converted {len(outcome.converted)} TOML header(s) to YAML")
    if outcome.headers_commit:
        out.print(f"committed {outcome.headers_commit[:10]}")
    if outcome.plain:
        out.print(f"wrote the block markup of {len(outcome.plain)} file(s) as plain Markdown")
    if outcome.markup_commit:
        out.print(f"committed {outcome.markup_commit[:10]}")
    if outcome.relinked:
        out.print(f"rewrote link tags in {len(outcome.relinked)} file(s)")
    if outcome.links_commit:
        out.print(f"committed {outcome.links_commit[:10]}")
    out.print(f"adopted {len(outcome.written)} file(s)")
    if outcome.commit:
        out.print(f"committed {outcome.commit[:10]}")


def register(app: typer.Typer) -> None:
    app.command()(adopt)
