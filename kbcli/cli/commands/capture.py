"""kb capture slack|text: turn a Slack thread or ticket notes into a KCS draft card."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from kbcli.cli.commands.options import Commit, Json, Quiet

if TYPE_CHECKING:
    from kbcli.core.kcs_draft import Draft
    from kbcli.usecases.capture import Candidate, Options, Outcome

app = typer.Typer(
    name="capture",
    help="Turn a Slack thread or ticket notes into a KCS draft card (search before create).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

Title = Annotated[
    str | None, typer.Option("--title", "-t", help="Card title (default: suggested).")
]
Owner = Annotated[
    str | None, typer.Option(help="Owner handle (default: whoever answered, via the roster).")
]
Tags = Annotated[list[str] | None, typer.Option("--tag", help="A tag; repeat for more.")]
Folder = Annotated[str | None, typer.Option(help="Folder for the new card.")]
Template = Annotated[str | None, typer.Option(help="Card template (default: kcs).")]
AppendTo = Annotated[
    str | None,
    typer.Option(
        "--append-to",
        metavar="CARD",
        help="Add the requester's words and the source to this card instead of a new one.",
    ),
]
Yes = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask: create a new card unless --append-to.")
]
Append = Annotated[
    bool,
    typer.Option(
        "--append",
        help="If this thread was captured before, add its new replies to that card (no asking).",
    ),
]
Force = Annotated[
    bool,
    typer.Option("--force", help="Write a new card even if this thread was captured before."),
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Print the card that would be written; write nothing.")
]


@app.command()
def slack(
    ctx: typer.Context,
    export: Annotated[str, typer.Argument(help="A Slack export: its folder or .zip file.")],
    channel: Annotated[str | None, typer.Option(help="Channel name or id.")] = None,
    thread: Annotated[
        str | None, typer.Option(help="Thread timestamp (1699999999.123456) or permalink.")
    ] = None,
    link: Annotated[
        str | None, typer.Option("--link", help="Slack permalink of the thread.")
    ] = None,
    latest: Annotated[
        int | None,
        typer.Option(metavar="N", min=1, help="List the N most recent threads and exit."),
    ] = None,
    title: Title = None,
    owner: Owner = None,
    tag: Tags = None,
    folder: Folder = None,
    template: Template = None,
    append_to: AppendTo = None,
    append: Append = False,
    force: Force = False,
    yes: Yes = False,
    commit: Commit = True,
    dry_run: DryRun = False,
    json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Make a draft card from one Slack thread of a workspace export.

    Pick the thread with --channel and --thread, or --link PERMALINK; --latest N lists
    recent threads. Issue is the question in the asker's words, Resolution the reply
    marked with a check mark (else the last substantial answer), with a Source link.
    Existing cards that may already answer it are proposed first; a thread captured
    before is offered for its card (its new replies are added) rather than a copy.

    Example: kb capture slack export.zip --channel billing-help --thread 1793749200.000100
    """
    from kbcli.usecases import capture, capture_slack

    data = capture_slack.open_export(export)
    if latest is not None:  # listing needs no knowledge repo
        _print_latest(capture_slack.latest_threads(data, latest, channel), export, json)
        return
    workspace = ctx.obj.workspace
    found, host = capture_slack.find_thread(data, channel=channel, thread=thread, link=link)
    draft = capture_slack.thread_draft(workspace, data, found, host)
    what = f"Slack thread #{found.channel} {found.ts}"
    if append and force:
        from kbcli.errors import KbError

        raise KbError("give --append or --force, not both")
    options = capture.Options(
        title, owner, tuple(tag or ()), folder, template, append_to, commit, append, force
    )
    _finish(ctx, draft, what, options, yes=yes, dry_run=dry_run, as_json=json, quiet=quiet)


@app.command()
def text(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(help="Ticket notes or an e-mail (a file, or - for stdin).")
    ] = "-",
    source: Annotated[
        str | None, typer.Option(help="Where it came from, e.g. 'ticket SUP-1234' or a URL.")
    ] = None,
    title: Title = None,
    owner: Owner = None,
    tag: Tags = None,
    folder: Folder = None,
    template: Template = None,
    append_to: AppendTo = None,
    yes: Yes = False,
    commit: Commit = True,
    dry_run: DryRun = False,
    json: Json = False,
    quiet: Quiet = False,
) -> None:
    """Make a draft card from ticket notes or an e-mail (Subject/From headers are read).

    Issue is the subject and first paragraph, the rest become Resolution notes to edit.
    Existing cards that may already answer it are proposed first.

    Example: kb capture text ticket-4711.txt --source "ticket SUP-4711" --tag billing
    """
    from kbcli.usecases import capture, capture_notes

    workspace = ctx.obj.workspace
    body = capture_notes.read_text_input(file)
    draft = capture_notes.text_draft(workspace, body, file=file, source=source)
    if owner is None and not append_to:
        owner = workspace.me().handle
    what = source or ("stdin" if file == "-" else file)
    options = capture.Options(title, owner, tuple(tag or ()), folder, template, append_to, commit)
    _finish(
        ctx,
        draft,
        what,
        options,
        yes=yes,
        dry_run=dry_run,
        as_json=json,
        stdin_used=file == "-",
        quiet=quiet,
    )


def _finish(
    ctx: typer.Context,
    draft: Draft,
    what: str,
    options: Options,
    *,
    yes: bool,
    dry_run: bool,
    as_json: bool,
    stdin_used: bool = False,
    quiet: bool = False,
) -> None:
    """Search before create, then write (or print, with --dry-run) and report."""
    from kbcli.cli.output import print_json, warn
    from kbcli.usecases import capture

    workspace = ctx.obj.workspace
    candidates, notices = capture.similar_cards(workspace, draft)
    for message in notices:
        warn(message)
    asking = not yes and not options.append and not options.force
    shown = candidates and not options.append_to and (dry_run or not as_json)
    if shown and (asking or not quiet):  # -q: the list only when someone must choose
        _show_candidates(candidates)
    if dry_run:
        for message in capture.dry_run_warnings(workspace, draft, options):
            warn(message)
        recaptured = not options.force and capture.captured_in(workspace, draft) is not None
        if not options.append_to and not recaptured:
            where = capture.planned_path(workspace, draft, options, candidates)
            typer.echo(f"Would create {where}:", err=True)
        typer.echo(capture.preview(workspace, draft, options), nl=False)
        return

    def choose(found: list[Candidate]) -> int | None:
        return _choose(found, stdin_used=stdin_used)

    outcome = capture.save(workspace, draft, what, options, candidates, None if yes else choose)
    if outcome is None:
        typer.echo("Cancelled; nothing was written.", err=True)
        return
    for message in outcome.warnings:
        warn(message)
    if as_json:
        print_json(_outcome_json(outcome, candidates))
        return
    if not quiet:
        _print_outcome(outcome)


def _show_candidates(candidates: list[Candidate]) -> None:
    from rich.markup import escape

    from kbcli.cli.output import err_console

    out = err_console()
    out.print("Existing cards that may already answer this (search before create):")
    for number, item in enumerate(candidates, 1):
        why = f" — {item.why}" if item.why else ""
        line = f"  {number}. {escape(item.title)} [dim]({escape(item.path)}){escape(why)}[/]"
        out.print(line, emoji=False, soft_wrap=True)


def _choose(candidates: list[Candidate], *, stdin_used: bool = False) -> int | None:
    """Ask on stderr, read stdin: Enter or n = new card, 1..N = append, c = cancel.

    When the notes themselves came on stdin, the answer is read from the terminal.
    """
    from kbcli.errors import KbError

    if not stdin_used:
        return _ask(candidates, sys.stdin)
    try:
        with open("/dev/tty", encoding="utf-8") as terminal:
            return _ask(candidates, terminal)
    except OSError:
        raise KbError(
            "the notes came on stdin and there is no terminal to ask on: "
            "pass --yes to create a new card, or --append-to CARD"
        ) from None


def _ask(candidates: list[Candidate], answers: TextIO) -> int | None:
    from kbcli.errors import KbError
    from kbcli.usecases.capture import CAPTURED

    numbers = "1" if len(candidates) == 1 else f"1-{len(candidates)}"
    prompt = f"Create a new card [n], append to card [{numbers}], or cancel [c]? [n] "
    default = 0
    if candidates[0].why == CAPTURED:
        # Captured before: adding its new replies to that card is what is wanted, not a copy.
        prompt = (
            f"This thread is already in card 1 ({candidates[0].path}). Add its new replies "
            f"to it [1], append to another card [{numbers}], create a new card [n], or "
            "cancel [c]? [1] "
        )
        default = 1
    for _ in range(3):
        sys.stderr.write(prompt)
        sys.stderr.flush()
        line = answers.readline()
        if not line:
            raise KbError(
                "no answer on stdin: pass --yes to create a new card, or --append-to CARD"
            )
        answer = line.strip().lower()
        if not answer:
            return default
        if answer in ("n", "new"):
            return 0
        if answer in ("c", "cancel", "q"):
            return None
        if answer.isdigit() and 1 <= int(answer) <= len(candidates):
            return int(answer)
        sys.stderr.write(f"Please answer n, c or a number {numbers}.\n")
    raise KbError("no valid answer after 3 tries; nothing was written")


def _print_outcome(outcome: Outcome) -> None:
    from rich.markup import escape

    from kbcli.cli.output import console

    if not outcome.changed:
        console().print(f"{escape(outcome.path)} is unchanged", soft_wrap=True)
        return
    verb = (
        "Created draft"
        if outcome.created
        else "Added the thread's new replies to"
        if outcome.updated
        else "Added the reported case to"
    )
    owner = f", owner {escape(outcome.owner)}" if outcome.owner else ", no owner yet"
    line = f"{verb} [bold]{escape(outcome.path)}[/] ({escape(outcome.title)}{owner})"
    if outcome.commit:
        line += f"; committed {outcome.commit}"
    console().print(line, soft_wrap=True)


def _outcome_json(outcome: Outcome, candidates: list[Candidate]) -> dict[str, Any]:
    return {
        "path": outcome.path,
        "action": "created"
        if outcome.created
        else "updated"
        if outcome.updated
        else "appended"
        if outcome.changed
        else "none",
        "title": outcome.title,
        "owner": outcome.owner,
        "commit": outcome.commit,
        "warnings": outcome.warnings,
        "similar": [{"path": c.path, "title": c.title, "score": c.score} for c in candidates],
    }


def _print_latest(threads: list[Any], export: str, as_json: bool) -> None:
    from rich.markup import escape

    from kbcli.cli.output import console, print_json

    if as_json:
        print_json([vars(t) for t in threads])
        return
    out = console()
    if not threads:
        out.print("No threads in this export.")
        return
    wide = out.width >= 120  # the author column only when there is room for the first line
    headers = ("channel", "thread", "replies", "started (UTC)", *(("by",) if wide else ()))
    rows = [
        ("#" + t.channel, t.ts, str(t.replies), t.date, *((t.author,) if wide else ()))
        for t in threads
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    room = max(out.width - sum(widths) - 2 * len(widths), 20)

    def line(cells: tuple[str, ...], rest: str) -> str:
        text = "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True))
        rest = rest if len(rest) <= room else rest[: room - 1] + "…"
        return escape(f"{text}  {rest}")

    out.print(f"[bold]{line(headers, 'first line')}[/]", soft_wrap=True)
    for row, item in zip(rows, threads, strict=True):
        out.print(line(row, item.first_line), soft_wrap=True, emoji=False)
    first = threads[0]
    out.print(
        f"[dim]Capture one: kb capture slack {escape(export)} "
        f"--channel {escape(first.channel)} --thread {first.ts}[/]",
        soft_wrap=True,
    )


def register(root: typer.Typer) -> None:
    root.add_typer(app)
