"""The ``kb`` command line: global options, command registration and the error edge.

``run`` is the single exit path: a ``KbError`` becomes one sentence on stderr with
its exit code, a usage error exits 2, ^C exits 130, and anything else is a bug in
kb: its traceback is shown and the exit code is 3, so CI never mistakes a crash
for findings.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kbcli import __version__
from kbcli.cli.commands import (
    adopt,
    archive,
    ask,
    build,
    capture,
    check,
    daemon,
    flag,
    history,
    import_export,
    index,
    init,
    list_cards,
    lsp,
    mcp,
    new,
    notify,
    people,
    publish,
    reassign,
    related,
    report,
    schema,
    search,
    serve,
    show,
    slack,
    suggest,
    templates,
    verify,
)
from kbcli.cli.context import RunContext

app = typer.Typer(
    name="kb",
    help="A git-backed knowledge base: search, verify and publish markdown cards.\n\n"
    "Example: kb search 'refund duplicate charge'",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kb {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    kb: Annotated[
        str | None,
        typer.Option(
            "--kb",
            envvar="KB_DIR",
            metavar="PATH",
            help="Knowledge repo root (default: the nearest folder with a kb.toml, upwards).",
        ),
    ] = None,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            envvar="KB_TODAY",
            metavar="DATE",
            help="Judge trust as of this ISO date instead of today (UTC): what expires next month?",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help="Show kb's version and exit.",
        ),
    ] = False,
) -> None:
    """A git-backed knowledge base: search, verify and publish markdown cards."""
    ctx.obj = RunContext(kb_dir=kb, today_text=today)


for module in (
    init,
    adopt,
    new,
    templates,
    list_cards,
    show,
    schema,
    search,
    index,
    related,
    suggest,
    report,
    history,
    verify,
    reassign,
    people,
    import_export,
    build,
    serve,
    daemon,
    capture,
    publish,
    archive,
    flag,
    check,
    notify,
    ask,
    slack,
    mcp,
    lsp,
):
    module.register(app)


def run(argv: list[str] | None = None) -> int:
    """Run kb with ``argv`` and return the exit code (tests call this directly)."""
    from kbcli.cli.context import ARGV
    from kbcli.cli.gc_pause import forget_kept
    from kbcli.errors import ExitCode, KbError

    args = sys.argv[1:] if argv is None else argv
    ARGV.set(tuple(args))
    forget_kept()
    try:
        result = app(args=args, prog_name="kb", standalone_mode=False)
    except KbError as error:
        _error(error.message)
        return error.exit_code
    except (KeyboardInterrupt, typer.Abort) as error:
        if isinstance(error.__context__, EOFError):  # click's prompt met the end of input
            _error(
                "kb asked a question but its input ended (no terminal, or empty input): "
                "give the answer as an option instead (see the command's --help)"
            )
            return ExitCode.USAGE
        _error("interrupted")
        return ExitCode.INTERRUPTED
    except (SystemExit, GeneratorExit):
        raise
    except BaseException as error:
        # BaseException too: a Rust panic inside tantivy arrives as pyo3's PanicException,
        # which is not an Exception, and must still exit 3, not 1 ("findings").
        if hasattr(error, "exit_code") and hasattr(error, "show"):  # click usage errors
            error.show()
            return int(error.exit_code)
        from kbcli.cli.edge import bug

        return bug()
    return result if isinstance(result, int) else ExitCode.OK


def _error(message: str) -> None:
    from kbcli.cli.output import print_error

    print_error(message)
