"""kb search: ranked search with trust badges, snippets and the query language."""

from __future__ import annotations

from typing import Annotated

import typer


def search(
    ctx: typer.Context,
    query: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY",
            help='Words, "phrases", -exclusions, key:value and is:state filters.',
        ),
    ],
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many hits.")] = 10,
    json: Annotated[
        bool, typer.Option("--json", help="Print JSON (fields in the README).")
    ] = False,
    paths_only: Annotated[
        bool, typer.Option("--paths-only", help="Print only the paths, one per line.")
    ] = False,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show why each hit ranked where it did.")
    ] = False,
    archived: Annotated[
        bool, typer.Option("--archived", help="Include archived cards (hidden by default).")
    ] = False,
) -> None:
    """Search the cards, best first, with each card's trust badge and a matching passage.

    Query language: plain words (cards with more of them rank higher), "exact phrases",
    -word to exclude, tag: owner: status: audience: lang: or any front-matter key:value,
    and is:verified, is:due, is:expired, is:unverified, is:needs-review, is:unowned.

    A command's options are words, not exclusions: a dash before a number (kill -9), or
    before one or two letters right after a word (rm -rf, ls -la, df -h); a longer one
    excludes, so write it without its dash (tar xzf), and put a long option after --
    (kb search -- git log --oneline). --explain says what was read as an option and what
    was excluded. A filter needs a value (tag: alone is an error).

    Filters only (tag:git, is:expired) list cards by title; with a trust state, the most
    urgent first (longest expired, then needs review, soonest due, never verified).
    Exits 1 when nothing matches, as grep does.

    Example: kb search refund "duplicate charge" tag:billing -is:expired
    """
    from kbcli.cli.views.search import search_command

    if query == ["-h"]:  # -h alone asks for help; after a word it is an option (df -h)
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    _refuse_unknown_options(ctx, query)
    code = search_command(
        ctx.obj,
        query,
        limit=limit,
        json=json,
        paths_only=paths_only,
        explain=explain,
        archived=archived,
    )
    if code:
        raise typer.Exit(code)


def _refuse_unknown_options(ctx: typer.Context, query: list[str]) -> None:
    """``--paths-onyl`` is a typo, not a search word: a usage error with "did you mean".

    Unknown options must reach the query (``-stripe`` excludes a word), so click lets
    them through; no query word starts with ``--``, so those are options mistyped, except
    after a ``--`` (``kb search -- --force``), which makes every later word a word, as in
    the fast path (``fast_search.parse``).
    """
    import click

    from kbcli.cli.context import ARGV

    argv = ARGV.get()
    literal = set(argv[argv.index("--") + 1 :]) if "--" in argv else set()
    for word in query:
        if word.startswith("--") and len(word) > 2 and word not in literal:
            known = [name for param in ctx.command.params for name in param.opts]
            name = word.partition("=")[0]
            message = f"No such option: {name}"
            if word != query[0]:  # after a word: a pasted command's option (git log --oneline)
                message += f" (to search for it: kb search -- {' '.join(query)})"
            raise click.NoSuchOption(name, message, possibilities=known)


def register(app: typer.Typer) -> None:
    # Unknown "options" are query words: kb search refund -stripe, kb search df -h
    settings = {"ignore_unknown_options": True, "help_option_names": ["--help"]}
    app.command(context_settings=settings)(search)
