"""The ``kb check`` use case: every rule over the cards, graded, scoped, timed.

Findings come from one place each: schema, trust, roster and history findings from
``kbcli.health.collect_findings`` (issue 4), content findings (broken links,
template sections) from ``kbcli.core.content``. Severities, the grace window and
``--strict`` are applied once by ``kbcli.core.severity.RulePolicy``.

Scope: all cards; or the cards under PATHS (what pre-commit passes); or, with
``--changed-since REF``, the cards changed on the branch plus the unchanged cards
whose links the change broke (a renamed or deleted card, a retitled wikilink
target, a removed heading).
"""

from __future__ import annotations

import os
import posixpath
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

# Every module that registers rules, so that kb.toml can name any of them.
import kbcli.core.content
import kbcli.core.health  # noqa: F401
from kbcli.config import ALWAYS_IGNORED
from kbcli.core.cards import Card
from kbcli.core.catalog import Catalog
from kbcli.core.findings import Finding
from kbcli.core.gate import CheckResult, GoldenOutcome, sort_findings
from kbcli.core.links import LinkKind, LinkResolver, Resolved
from kbcli.core.severity import RulePolicy, effective
from kbcli.core.trust import TrustState
from kbcli.errors import ConfigError, KbError

if TYPE_CHECKING:
    from kbcli.adapters.git_diff import Changes
    from kbcli.context import RunContext
    from kbcli.workspace import Workspace

_T = TypeVar("_T")


# Shown only when a run lasts longer than this, and only on a terminal
# (KB_PROGRESS_AFTER overrides it, for tests and the curious).
def _progress_after() -> float:
    try:
        return float(os.environ.get("KB_PROGRESS_AFTER") or 1.0)
    except ValueError:
        return 1.0


@dataclass(frozen=True)
class CheckOptions:
    paths: tuple[str, ...] = ()
    changed_since: str | None = None
    strict: bool = False
    allow_shallow: bool = False
    queries: Path | None = None
    progress: bool = False


@dataclass
class _Scope:
    cards: set[str]
    describe: str
    # PR mode: unchanged cards get only the link findings the change caused.
    caused: Callable[[Resolved], bool] | None = None
    notes: list[str] = field(default_factory=list)


def rule_policy(workspace: Workspace, *, strict: bool = False) -> RulePolicy:
    """kb.toml's severities as a policy; unknown rule names are a configuration error."""
    config = workspace.config
    folders = {name: dict(f.rules) for name, f in config.folders.items() if f.rules}
    policy = RulePolicy(dict(config.check.rules or {}), folders, config.check.grace, strict)
    unknown = policy.unknown_rules()
    if unknown:
        detail = "\n".join(f"  {u}" for u in unknown)
        raise ConfigError(
            f"the configuration has {len(unknown)} problem(s):\n{detail}\n"
            "  (kb check --list-rules lists every rule)"
        )
    return policy


def run_check(workspace: Workspace, options: CheckOptions) -> CheckResult:
    """Run every rule in scope and grade the findings; raises KbError when kb cannot run."""
    from kbcli.adapters.git_history import locate
    from kbcli.health import collect_findings

    started = time.perf_counter()
    policy = rule_policy(workspace, strict=options.strict)
    place = locate(workspace.root)
    if place is None:
        raise KbError(
            f"{workspace.root} is not in a git repository: kb check reads the cards' history "
            "from git; run 'git init' and commit the cards, or run it inside a clone"
        )
    progress = Progress(options.progress, started)
    cards = _load_cards(workspace, progress)
    findings = collect_findings(workspace, allow_shallow=options.allow_shallow)
    scope = _scope(workspace, cards, options)
    content = _content_findings(workspace, cards, scope, progress)
    progress.close()
    selected = [f for f in findings if f.path in scope.cards] + content
    expiries = {
        item.path: item.trust.expires_on
        for item in workspace.assessed()
        if item.trust.state is TrustState.EXPIRED and item.trust.expires_on is not None
    }
    graded = effective(selected, policy, workspace.today, expiries)
    golden: tuple[GoldenOutcome, ...] = ()
    if options.queries is not None:
        golden = run_golden(workspace, options.queries)
    checked = tuple(sorted(scope.cards))
    return CheckResult(
        findings=sort_findings(graded),
        cards=checked,
        strict=options.strict,
        scope=scope.describe,
        seconds=time.perf_counter() - started,
        golden=golden,
        golden_file=str(options.queries) if options.queries else None,
        path_prefix=f"{place.prefix}/" if place.prefix else "",
        notes=tuple(scope.notes),
    )


def run_golden(workspace: Workspace, path: Path) -> tuple[GoldenOutcome, ...]:
    """Golden queries (``kbcli.golden``): each expected card must rank within its top_k."""
    from kbcli.golden import evaluate, load_golden

    queries = load_golden(path)
    report = evaluate(workspace, queries)
    outcomes = []
    for result in report.results:
        golden = result.golden
        expect = " or ".join(golden.expect)
        if result.hit:
            message = (
                f"{result.found[result.rank - 1] if result.rank else expect} ranks {result.rank}"
            )
        else:
            gone = [p for p in golden.expect if workspace.catalog.get(p) is None]
            if len(gone) == len(golden.expect):
                message = (
                    f"{expect} is no card (renamed or deleted?); update {path.name} "
                    "or restore the card"
                )
            elif result.rank is None:
                message = f"{expect} is not in the results at all"
            else:
                message = f"{expect} ranks {result.rank}, below the top {golden.top_k}"
            top = ", ".join(result.found[:3])
            if top:
                message += f" (top: {top})"
        outcomes.append(
            GoldenOutcome(
                query=golden.query,
                expect=expect,
                top_k=golden.top_k,
                rank=result.rank,
                passed=result.hit,
                message=message,
                line=golden.line or 1,
            )
        )
    return tuple(outcomes)


# --- loading ------------------------------------------------------------------------


def _load_cards(workspace: Workspace, progress: Progress) -> list[Card]:
    """Read every card once (with a progress bar on long interactive runs)."""
    files = workspace.card_files
    paths = files.paths()
    cards = []
    for card_path in progress.track(paths, "reading cards"):
        cards.append(files.read(card_path, workspace.today))
    # Every later step (trust, history findings, links) reuses this one read.
    workspace.catalog = Catalog(cards)
    return cards


def other_files(root: Path) -> set[str]:
    """Repo-relative paths of every file under ``root`` (images, attachments, READMEs)."""
    found: set[str] = set()
    base = str(root)
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, base).replace(os.sep, "/")
        rel = "" if rel == "." else rel
        dirnames[:] = [
            d for d in dirnames if not d.startswith(".") and not (not rel and d in ALWAYS_IGNORED)
        ]
        found.update(f"{rel}/{name}" if rel else name for name in filenames)
    return found


def _required_sections(workspace: Workspace) -> dict[str, tuple[str, ...]]:
    templates = workspace.card_templates().available()
    return {name: t.required_sections for name, t in templates.items()}


def _content_findings(
    workspace: Workspace, cards: Sequence[Card], scope: _Scope, progress: Progress
) -> list[Finding]:
    from kbcli.core.content import broken_link, content_findings

    resolver = LinkResolver(cards, files=other_files(workspace.root))
    required = _required_sections(workspace)
    found: list[Finding] = []
    for card in progress.track(cards, "checking links"):
        if card.path in scope.cards:
            found += content_findings(card, resolver, required)
        elif scope.caused is not None:
            for result in resolver.broken(card):
                if scope.caused(result):
                    found.append(broken_link(card, result))
                    scope.cards.add(card.path)
    return found


# --- scope --------------------------------------------------------------------------


def _scope(workspace: Workspace, cards: Sequence[Card], options: CheckOptions) -> _Scope:
    every = {card.path for card in cards}
    if options.changed_since:
        scope = _changed_scope(workspace, cards, options.changed_since, every)
        if options.paths:
            scope.cards &= _paths_scope(workspace, options.paths, every)
        return scope
    if options.paths:
        chosen = _paths_scope(workspace, options.paths, every)
        named = ", ".join(options.paths[:3])
        if len(options.paths) > 3:
            named += f" and {len(options.paths) - 3} more"
        return _Scope(chosen, f"cards in {named}")
    return _Scope(set(every), "all cards")


def _paths_scope(workspace: Workspace, paths: Iterable[str], every: set[str]) -> set[str]:
    root = workspace.root.resolve()
    chosen: set[str] = set()
    for given in paths:
        target = (workspace.cwd / given).resolve()
        if not target.exists() and (root / given).exists():
            target = (root / given).resolve()  # kb --kb DIR check billing
        if not target.exists():
            raise KbError(f"{given}: no such file or folder")
        if not target.is_relative_to(root):
            continue  # pre-commit passes every .md file of the repository
        rel = target.relative_to(root).as_posix()
        if target.is_dir():
            prefix = "" if rel == "." else rel + "/"
            chosen.update(p for p in every if p.startswith(prefix))
        elif rel in every:
            chosen.add(rel)
    return chosen


def _changed_scope(
    workspace: Workspace, cards: Sequence[Card], ref: str, every: set[str]
) -> _Scope:
    from kbcli.adapters.git_diff import changes_since

    changes = changes_since(workspace.root, ref)
    changed = changes.changed & every
    names = _old_names(workspace, changes, every)
    touched = changes.changed | changes.removed

    def caused(result: Resolved) -> bool:
        link = result.link
        if link.kind is LinkKind.WIKI and link.target:
            return link.target.strip().removeprefix("/").casefold() in names or (
                result.target in touched
            )
        return result.target is not None and result.target in touched

    describe = f"cards changed since {ref}"
    notes = []
    if changes.renamed:
        moved = ", ".join(f"{a} -> {b}" for a, b in sorted(changes.renamed.items())[:5])
        notes.append(f"renamed: {moved}")
    return _Scope(set(changed), describe, caused, notes)


def _old_names(workspace: Workspace, changes: Changes, every: set[str]) -> set[str]:
    """Titles, aliases and paths that changed or removed cards answered to before."""
    from kbcli.adapters.card_files import card_from_bytes
    from kbcli.adapters.git_diff import old_versions

    is_card = workspace.card_files.is_card_path
    paths = [p for p in changes.changed | changes.removed if is_card(p)]
    names: set[str] = set()
    for path, data in old_versions(workspace.root, changes.base, paths).items():
        old = card_from_bytes(path, data)
        names.update(n.casefold() for n in (old.title, old.stem, path, path[:-3]))
        names.update(a.casefold() for a in old.meta.aliases)
    for path in changes.removed:
        names.update({path.casefold(), posixpath.basename(path).removesuffix(".md").casefold()})
    return names


# --- progress -----------------------------------------------------------------------


class Progress:
    """A progress bar on stderr that appears only once a run has lasted a second."""

    def __init__(self, enabled: bool, started: float) -> None:
        self.enabled = enabled
        self.started = started
        self.after = _progress_after()
        self._bar: Any = None

    def track(self, items: Sequence[_T], label: str) -> Iterator[_T]:
        if not self.enabled:
            yield from items
            return
        task = None
        for index, item in enumerate(items):
            if task is None and time.perf_counter() - self.started > self.after:
                task = self._start(label, len(items), index)
            elif task is not None and index % 200 == 0:
                self._update(task, index)
            yield item
        if task is not None:
            self._update(task, len(items))

    def _start(self, label: str, total: int, done: int) -> object:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        from kbcli.output import err_console

        if self._bar is None:
            bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err_console(),
                transient=True,
            )
            bar.start()
            self._bar = bar
        return self._bar.add_task(label, total=total, completed=done)

    def _update(self, task: object, done: int) -> None:
        self._bar.update(task, completed=done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


# --- the command's edge -------------------------------------------------------------


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
) -> None:
    """Parse and check the options, run the check, write every output, exit with its code."""
    import typer

    from kbcli.formats import FORMATS

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
    options = CheckOptions(
        paths=paths,
        changed_since=changed_since,
        strict=strict,
        allow_shallow=allow_shallow,
        queries=queries,
        progress=_interactive(),
    )
    result = run_check(workspace, options)
    _emit(result, format, output)
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


def _interactive() -> bool:
    import sys

    return sys.stderr.isatty() and os.environ.get("CI", "") in ("", "0", "false")


def _render(name: str, result: CheckResult) -> str:
    from kbcli.formats import renderer

    return renderer(name)(result)


def _emit(result: CheckResult, format: str, output: Path | None) -> None:
    import sys

    if output is not None:
        _write(output, _render(format, result))
    elif format == "text":
        from kbcli.formats.text import show
        from kbcli.output import console

        show(result, console())
    else:
        sys.stdout.write(_render(format, result))
        sys.stdout.flush()
    if format != "text" or output is not None:
        # Machine output stays clean on stdout; people still see the verdict.
        from kbcli.output import err_console

        mark = "✖" if result.exit_code else "✔"
        err_console().print(f"{mark} kb check: {result.summary()}, {result.scope}", markup=False)


def _write(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise KbError(f"cannot write {target}: {error.strerror}") from None


def _step_summary(result: CheckResult) -> None:
    """Append the markdown summary to $GITHUB_STEP_SUMMARY when GitHub Actions set it."""
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    from kbcli.formats.summary import render
    from kbcli.output import warn

    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(render(result))
    except OSError as error:
        warn(f"cannot append to GITHUB_STEP_SUMMARY ({target}): {error.strerror}")


def _print_rules(workspace: Workspace, format: str) -> None:
    from kbcli.core.findings import RULES
    from kbcli.output import console, print_json

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
