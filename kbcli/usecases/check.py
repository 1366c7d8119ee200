"""The ``kb check`` use case: every rule over the cards, graded, scoped, timed.

Findings come from one place each: schema, trust, roster and history findings from
``kbcli.usecases.health.assess_health`` (issue 4), content findings (broken links,
template sections) from ``kbcli.core.content``. Severities, the grace window and
``--strict`` are applied once by ``kbcli.core.severity.RulePolicy``.

Scope: all cards; or the cards under PATHS (what pre-commit passes); or, with
``--changed-since REF``, the cards changed on the branch plus the unchanged cards
whose links the change broke (a renamed or deleted card, a retitled wikilink
target, a removed heading).
"""

from __future__ import annotations

import posixpath
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

# Every module that registers rules, so that kb.toml can name any of them.
import kbcli.core.content
import kbcli.core.health  # noqa: F401
from kbcli.core.cards import Card
from kbcli.core.catalog import Catalog
from kbcli.core.findings import Finding
from kbcli.core.gate import CheckResult, GoldenOutcome, sort_findings
from kbcli.core.link_scan import LinkKind
from kbcli.core.links import Resolved
from kbcli.core.progress import Progress, no_progress, tracked
from kbcli.core.severity import effective
from kbcli.core.trust import TrustState
from kbcli.errors import KbError
from kbcli.usecases.links import link_resolver, other_files

if TYPE_CHECKING:
    from kbcli.adapters.git_diff import Changes
    from kbcli.usecases.health import Health
    from kbcli.workspace import Workspace


@dataclass(frozen=True)
class CheckOptions:
    paths: tuple[str, ...] = ()
    changed_since: str | None = None
    strict: bool = False
    allow_shallow: bool = False
    queries: Path | None = None


@dataclass
class _Scope:
    cards: set[str]
    describe: str
    # PR mode: unchanged cards get only the link findings the change caused.
    caused: Callable[[Resolved], bool] | None = None
    notes: list[str] = field(default_factory=list)
    # PR mode: each changed card's version at the base (by its path now), to tell the
    # findings the branch caused from those it found (``core.standing``).
    before: dict[str, Card] = field(default_factory=dict)


def run_check(
    workspace: Workspace, options: CheckOptions, progress: Progress = no_progress
) -> CheckResult:
    """Run every rule in scope and grade the findings; raises KbError when kb cannot run.

    What the user should hear about (a shallow clone, checks that could not run) comes
    back in the result's ``notices``; nothing is printed here.
    """
    from kbcli.adapters.git_history import locate
    from kbcli.usecases.health import assess_health, roster_notices, rule_policy

    started = time.perf_counter()
    policy = rule_policy(workspace, strict=options.strict)
    place = locate(workspace.root)
    if place is None:
        raise KbError(
            f"{workspace.root} is not in a git repository: kb check reads the cards' history "
            "from git; run 'git init' and commit the cards, or run it inside a clone"
        )
    cards = _load_cards(workspace, progress)
    health = assess_health(workspace, allow_shallow=options.allow_shallow)
    findings = health.findings
    scope = _scope(workspace, cards, options)
    chosen = set(scope.cards)  # cards with links the change broke join below, links only
    content = _content_findings(workspace, cards, scope, progress)
    selected = [f for f in findings if f.path in chosen]
    if policy.grace is None and not policy.strict:
        # Judging graded the health findings with these kb.toml severities already;
        # only a grace window or --strict changes them here (225,000 at 100k cards).
        graded = selected + effective(content, policy, workspace.today, {})
    else:
        graded = effective(selected + content, policy, workspace.today, _expiries(health))
    if scope.before:
        graded = _not_caused(workspace, cards, scope, graded)
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
        notices=(*health.notices(), *roster_notices(workspace)),
    )


def _not_caused(
    workspace: Workspace, cards: Sequence[Card], scope: _Scope, graded: list[Finding]
) -> list[Finding]:
    """Findings the changed cards had before the branch too: warnings, saying so."""
    from kbcli.core.standing import not_caused

    after = {card.path: card for card in cards if card.path in scope.before}
    config = workspace.config
    return not_caused(
        graded, scope.before, after, config.roster, config.trust_policy, workspace.today
    )


def _expiries(health: Health) -> dict[str, date]:
    """Card path -> the day its verification expired, for the grace window."""
    return {
        item.path: item.trust.expires_on
        for item in health.items  # assessed once, for the findings above
        if item.trust.state is TrustState.EXPIRED and item.trust.expires_on is not None
    }


def run_golden(workspace: Workspace, path: Path) -> tuple[GoldenOutcome, ...]:
    """Golden queries (``kbcli.usecases.golden``): each expected card must rank within its top_k."""
    from kbcli.usecases.golden import evaluate, load_golden

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
    cards = files.load_all(workspace.today, tracked(files.paths(), progress, "reading cards"))
    # Every later step (trust, history findings, links) reuses this one read.
    workspace.catalog = Catalog(cards)
    return cards


def _required_sections(workspace: Workspace) -> dict[str, tuple[str, ...]]:
    templates = workspace.card_templates().available()
    return {name: t.required_sections for name, t in templates.items()}


def _content_findings(
    workspace: Workspace, cards: Sequence[Card], scope: _Scope, progress: Progress
) -> list[Finding]:
    from kbcli.core.content import broken_link, content_findings
    from kbcli.core.lints import FileMatcher
    from kbcli.usecases.kept_links import give_kept_links, keep_links

    files = other_files(workspace.root)
    resolver = link_resolver(workspace, cards, files)
    kept = give_kept_links(workspace, cards, resolver)
    required = _required_sections(workspace)
    by_path = {card.path: card for card in cards}
    matcher = FileMatcher(files)
    found: list[Finding] = []
    for card in tracked(cards, progress, "checking links"):
        if card.path in scope.cards:
            found += content_findings(card, resolver, required, cards=by_path, files=matcher)
        elif scope.caused is not None:
            for result in resolver.broken(card):
                if scope.caused(result):
                    found.append(broken_link(card, result))
                    scope.cards.add(card.path)
    keep_links(resolver, kept)
    return found + _duplicate_findings(workspace, cards, scope, by_path)


def _duplicate_findings(
    workspace: Workspace, cards: Sequence[Card], scope: _Scope, by_path: dict[str, Card]
) -> list[Finding]:
    """Near-duplicate published cards (``core.lints``), when one of a pair is in scope."""
    from kbcli.core.cards import Status
    from kbcli.core.lints import duplicate_findings, near_duplicates
    from kbcli.usecases.related import card_terms

    settings = workspace.config.check
    published = [c for c in cards if c.meta.status is Status.PUBLISHED]
    if settings.duplicate_similarity <= 0 or len(published) < 2:
        return []
    if len(published) > settings.duplicate_max_cards:
        scope.notes.append(
            f"near-duplicate check skipped: {len(published)} published cards is more than "
            f"[check] duplicate_max_cards = {settings.duplicate_max_cards}"
        )
        return []
    from kbcli.adapters.tantivy_index import Analysis

    analysis = Analysis()
    lang = workspace.config.search.default_lang
    terms = [(c.path, card_terms(analysis, c, lang)) for c in published]
    pairs = [
        pair
        for pair in near_duplicates(terms, settings.duplicate_similarity)
        if pair[0] in scope.cards or pair[1] in scope.cards
    ]
    return duplicate_findings(pairs, by_path)


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
        return _Scope(chosen, f"cards in {named}", notes=_outside_notes(workspace, options))
    return _Scope(set(every), "all cards")


def _outside_notes(workspace: Workspace, options: CheckOptions) -> list[str]:
    """A note for each PATH that names no card, with the configured folders: never a
    silent "0 of 0 cards". Not an error: pre-commit passes README.md and other files."""
    from kbcli.usecases.selection import folders_hint

    every = set(workspace.card_files.paths())
    return [
        f"{given} holds no card: not checked{folders_hint(workspace)}"
        for given in options.paths
        if not _paths_scope(workspace, (given,), every)
    ]


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
    names, before = _old_names(workspace, changes, changed)
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
    return _Scope(set(changed), describe, caused, notes, before)


def _old_names(
    workspace: Workspace, changes: Changes, changed: set[str]
) -> tuple[set[str], dict[str, Card]]:
    """Titles, aliases and paths that changed or removed cards answered to before; and
    each changed card's version at the base, by its path now (a renamed card's too)."""
    from kbcli.adapters.card_files import card_from_bytes
    from kbcli.adapters.git_diff import old_versions

    is_card = workspace.card_files.is_card_path
    paths = [p for p in changes.changed | changes.removed if is_card(p)]
    now = {old: new for old, new in changes.renamed.items() if new in changed}
    now.update((path, path) for path in changed if path not in changes.renamed.values())
    names: set[str] = set()
    before: dict[str, Card] = {}
    for path, data in old_versions(workspace.root, changes.base, paths).items():
        old = card_from_bytes(path, data, workspace.today, workspace.config.cards.max_front_matter)
        names.update(n.casefold() for n in (old.title, old.stem, path, path[:-3]))
        names.update(a.casefold() for a in old.meta.aliases)
        if path in now:
            before[now[path]] = old
    for path in changes.removed:
        names.update({path.casefold(), posixpath.basename(path).removesuffix(".md").casefold()})
    return names, before
