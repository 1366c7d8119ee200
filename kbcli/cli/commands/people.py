"""kb people: the roster (people.yaml). ``kb people suggest`` lists git authors not in it."""

from __future__ import annotations

from typing import Annotated

import typer

from kbcli.cli.commands.options import Json, Quiet

people_app = typer.Typer(
    help="The people roster (people.yaml).", no_args_is_help=True, rich_markup_mode=None
)


@people_app.command()
def suggest(
    ctx: typer.Context,
    min_commits: Annotated[
        int, typer.Option("--min-commits", min=1, help="Only authors with this many commits.")
    ] = 1,
    json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Git authors not yet in people.yaml, as entries to paste into it (most commits first).

    Identities are merged by e-mail and by name; each entry says how many commits the
    person made and when the last one was. Review the list, then append what you accept.

    Example: kb people suggest --min-commits 5 >> people.yaml
    """
    from kbcli.cli.output import err_console, print_json
    from kbcli.core.frontmatter_edit import format_value
    from kbcli.usecases.people import suggest_people

    found = suggest_people(ctx.obj.workspace, min_commits=min_commits)
    if json:
        print_json(
            [
                {
                    "handle": p.handle,
                    "name": p.name,
                    "emails": list(p.emails),
                    "commits": p.commits,
                    "last_commit": p.last.date().isoformat(),
                }
                for p in found
            ]
        )
        return
    for person in found:
        typer.echo(
            f"{person.handle}:  # {person.commits} commit(s), last {person.last.date().isoformat()}"
        )
        typer.echo(f"  name: {format_value(person.name)}")
        typer.echo(f"  emails: {format_value(list(person.emails))}")
    if not quiet:
        err_console().print(f"{len(found)} git author(s) not in people.yaml")


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")
