"""Running ``kb check`` from the command line: options in, outputs written, exit code out."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.cli.gc_pause import keep_until_exit, paused_gc
from kbcli.cli.progress import ProgressBar, interactive
from kbcli.config import CONFIG_FILE
from kbcli.errors import KbError
from kbcli.usecases.check import CheckOptions, run_check
from kbcli.usecases.health import rule_policy

if TYPE_CHECKING:
    from kbcli.cli.context import RunContext
    from kbcli.config import KbConfig
    from kbcli.core.gate import CheckResult
    from kbcli.workspace import Workspace


def run_command(
    run: RunContext,
    *,
    paths: tuple[str, ...],
    format: str,
    output: Path | None,
    reports: tuple[str, ...],
    changed_since: str | None,
    strict: bool,
    queries: Path | None,
    allow_shallow: bool,
    list_rules: bool,
    quiet: bool = False,
) -> None:
    """Parse and check the options, run the check, write every output, exit with its code."""
    import typer

    from kbcli.cli.formats import FORMATS

    if format not in FORMATS:
        raise KbError(f"unknown --format {format!r}: use one of {', '.join(FORMATS)}")
    extra = [_report_option(spec, FORMATS) for spec in reports]
    if paths and run.kb_dir is None:
        run.kb_dir = _root_from_paths(paths)
    workspace = run.workspace
    if list_rules:
        _print_rules(workspace, format)
        return
    if queries is not None and not queries.is_file():
        raise KbError(f"--queries {queries}: no such file")
    _refuse_without_a_card_folder(workspace.config)
    options = CheckOptions(
        paths=paths,
        changed_since=changed_since,
        strict=strict,
        allow_shallow=allow_shallow,
        queries=queries,
    )
    with paused_gc(last=True):  # the result holds every card and finding: see paused_gc
        with ProgressBar(interactive() and not quiet) as progress:
            result = run_check(workspace, options, progress)
        keep_until_exit(result, workspace)
        _say(result.notices)
        _emit(result, format, output, quiet=quiet)
        for name, target in extra:
            _write(target, _render(name, result))
    _step_summary(result)
    raise typer.Exit(result.exit_code)


def _report_option(spec: str, formats: Sequence[str]) -> tuple[str, Path]:
    name, sep, target = spec.partition("=")
    if not sep or not target or name not in formats:
        raise KbError(
            f"--report {spec!r}: write FORMAT=FILE with FORMAT one of {', '.join(formats)}, "
            "e.g. --report junit=kb-junit.xml"
        )
    return name, Path(target)


def _root_from_paths(paths: Sequence[str]) -> str | None:
    """The knowledge repo of PATHS when the current folder is in none (pre-commit runs
    hooks from the git root, which may hold the knowledge repo in a subfolder)."""
    from kbcli.config import CONFIG_FILE

    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return None
    for given in paths:
        start = (here / given).resolve()
        for folder in (start, *start.parents):
            if (folder / CONFIG_FILE).is_file():
                return str(folder)
    return None


def _say(notices: Sequence[str]) -> None:
    from kbcli.cli.output import warn

    for notice in notices:
        warn(notice)


def _render(name: str, result: CheckResult) -> str:
    from kbcli.cli.formats import renderer

    return renderer(name)(result)


def _emit(result: CheckResult, format: str, output: Path | None, *, quiet: bool) -> None:
    import sys

    if output is not None:
        _write(output, _render(format, result))
    elif format == "text":
        from kbcli.cli.formats.text import show
        from kbcli.cli.output import console

        show(result, console(), quiet=quiet)
    elif format == "json":  # written as it is made: see json.pieces
        from kbcli.cli.formats.json import pieces

        sys.stdout.writelines(pieces(result))
        sys.stdout.flush()
    else:
        sys.stdout.write(_render(format, result))
        sys.stdout.flush()
    if not quiet and (output is not None or format not in ("text", "github")):
        # Machine output stays clean on stdout; people still see the verdict.
        from kbcli.cli.output import err_console

        mark = "✖" if result.exit_code else "✔"
        err_console().print(f"{mark} kb check: {result.summary()}, {result.scope}", markup=False)


def _write(target: Path, text: str) -> None:
    try:
        from kbcli.adapters.atomic_file import replace_file

        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, text.encode("utf-8"))
    except OSError as error:
        raise KbError(f"cannot write {target}: {error.strerror}") from None


def _step_summary(result: CheckResult) -> None:
    """Append the markdown summary to $GITHUB_STEP_SUMMARY when GitHub Actions set it."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    from kbcli.cli.formats.summary import render
    from kbcli.cli.output import warn

    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(render(result))
    except OSError as error:
        warn(f"cannot append to GITHUB_STEP_SUMMARY ({target}): {error.strerror}")


def _print_rules(workspace: Workspace, format: str) -> None:
    from kbcli.cli.output import console, print_json
    from kbcli.core.rules import RULES

    policy = rule_policy(workspace)
    rows = [
        (
            rule.id,
            str(policy.configured(rule.id, "")),
            str(rule.severity),
            rule.group,
            rule.description,
        )
        for rule in sorted(RULES.values(), key=lambda r: (r.group, r.id))
    ]
    if format == "json":
        keys = ("id", "severity", "default", "group", "description")
        print_json([dict(zip(keys, row, strict=True)) for row in rows])
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("rule", "severity", "default", "group", "description"):
        table.add_column(column, overflow="fold")
    from rich.markup import escape

    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    console().print(table)


def _refuse_without_a_card_folder(config: KbConfig) -> None:
    """Fail closed: with none of its card folders there (a typo in kb.toml, a renamed
    folder), the gate would pass having checked no card."""
    folders = config.cards.folders
    if folders and len(config.missing_card_folders) == len(folders):
        raise KbError(
            f"none of the card folders in {config.root / CONFIG_FILE} exists ([cards] folders "
            f"= {', '.join(folders)}): kb check would pass without checking a card; fix "
            "[cards] folders, or write the first card (kb new)"
        )
