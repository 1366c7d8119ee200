"""Health of a knowledge repo: findings from front matter, git history and the roster.

Stable interface for other features (``kb check``, ``kb report``, the handbook):

- ``assess_health(workspace, *, allow_shallow=False) -> Health``: schema problems plus
  trust, roster and history findings, severities from kb.toml applied ("off" rules
  dropped), sorted by path and line; with the assessed cards, the history, and the
  checks that could not run (no git repository, no roster) for the caller to announce
  (``Health.notices``: nothing here prints).
- ``card_histories(workspace, *, allow_shallow=False) -> Mapping[str, CardHistory]``:
  per card path, ``created``, ``last_edit`` (author and date: ``.commit.author_name``,
  ``.commit.when``), ``last_verification``, ``verifications``, ``owner_changes``,
  ``renames``; empty outside a git repository.
- ``trust_trend(workspace, weeks=12, *, allow_shallow=False) -> list[tuple[date, float]]``:
  the trust score (share of published cards that are verified or due) at the end of
  each of the last ``weeks`` weeks up to ``today``, oldest first.

A shallow clone raises ``ShallowClone`` (a ``KbError``, exit 2, with the fix) unless
``allow_shallow``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING

from kbcli.core.catalog import Assessed, CardFilter
from kbcli.core.findings import Finding
from kbcli.core.history import CardHistory, RepoHistory
from kbcli.core.severity import RulePolicy
from kbcli.core.trust import Trust
from kbcli.errors import ConfigError

if TYPE_CHECKING:
    from kbcli.core.report import Report
    from kbcli.workspace import Workspace

BASELINES_FILE = "baselines.marshal"  # under .kb/: the adoption baseline commits, by tip
SHALLOW_NOTICE = (
    "this is a shallow clone: git history is cut off, so creation and edit dates "
    "of older cards are wrong (run 'git fetch --unshallow' for full history)"
)


@dataclass
class Health:
    """``items`` carry each card's verdict: its dates with the findings folded in."""

    items: list[Assessed]
    findings: list[Finding]
    history: RepoHistory | None
    skipped: list[str] = field(default_factory=list)

    def notices(self) -> tuple[str, ...]:
        """What the person running kb should be told on stderr, in order."""
        return (*history_notices(self.history), *(f"skipped {note}" for note in self.skipped))


def history_notices(history: RepoHistory | None) -> tuple[str, ...]:
    """The warning a history read from a shallow clone deserves (none otherwise)."""
    return (SHALLOW_NOTICE,) if history is not None and history.shallow else ()


ROSTER_NOTICE = (
    "people.yaml has uncommitted changes: these verdicts use them, while a clean clone "
    "(CI) judges with the committed roster; commit the roster (in a reviewed commit of "
    "its own) before relying on them"
)


def roster_notices(workspace: Workspace) -> tuple[str, ...]:
    """The warning an uncommitted people.yaml deserves: who may verify, and with which
    e-mails, is what every history verdict rests on (none outside git or without one)."""
    from kbcli.adapters.git_history import uncommitted
    from kbcli.config import ROSTER_FILE

    if not (workspace.root / ROSTER_FILE).is_file():
        return ()
    return (ROSTER_NOTICE,) if uncommitted(workspace.root, [ROSTER_FILE]) else ()


def repo_history(workspace: Workspace, *, allow_shallow: bool = False) -> RepoHistory | None:
    """The history pass for the workspace (cached on disk and for the rest of the run)."""
    from kbcli.adapters.git_history import load_history

    if not workspace.history_loaded:
        history = load_history(
            workspace.root, workspace.config.cache_dir, allow_shallow=allow_shallow
        )
        if history is not None:
            history = _with_baselines(workspace, history)
        if history is not None and history.shallow:
            from dataclasses import replace

            from kbcli.adapters.git_history import shallow_boundary

            history = replace(history, cut_at=shallow_boundary(workspace.root))
        workspace.set_history(history)
    return workspace.history


def assess_health(workspace: Workspace, *, allow_shallow: bool = False) -> Health:
    """Every finding of every card, with the judged cards and the history behind them.

    Memoised per catalog: ``kb build`` and ``kb list`` ask once, ``kb serve`` again
    after a save (a new catalog).
    """
    memo = workspace.memo
    if memo.health is not None and memo.health[0] is workspace.catalog:
        found: Health = memo.health[1]
        return found
    health = _assess_health(workspace, None, allow_shallow=allow_shallow)
    memo.health = (workspace.catalog, health)
    return health


def judged(workspace: Workspace, card_filter: CardFilter | None = None) -> list[Assessed]:
    """Every card with its verdict (``kb list``, the handbook), filtered; a shallow clone
    is judged on the history it has (a warning says so), a folder outside git on dates
    and flags alone."""
    items = assess_health(workspace, allow_shallow=True).items
    return card_filter.apply(items) if card_filter else list(items)


def judge_cards(
    workspace: Workspace, items: list[Assessed], *, allow_shallow: bool = True
) -> list[Assessed]:
    """The verdicts of a few cards (``kb show``, search hits) without judging every card."""
    return _assess_health(workspace, items, allow_shallow=allow_shallow).items


def verdicts_for(workspace: Workspace, trusts: Mapping[str, Trust]) -> dict[str, Trust]:
    """Search's entry point: each path's date-only trust with the evidence folded in.

    ``trusts`` maps card paths (search hits) to what ``trust.assess`` said; the result
    maps the same paths to their verdicts (``core.verdict``). Only these cards are
    read and judged; verdicts are remembered for the rest of the run. A card that
    cannot be read keeps its date-only trust (and fails elsewhere with its file:line).
    """
    memo = workspace.memo.verdicts
    todo = [path for path in trusts if path not in memo]
    if todo:
        from kbcli.core.catalog import Assessed

        items = []
        for path in todo:
            try:
                card = workspace.card_files.read(path, workspace.today)
            except OSError:
                memo[path] = trusts[path]
                continue
            items.append(Assessed(card, trusts[path]))
        for item in judge_cards(workspace, items):
            memo[item.path] = item.trust
    return {path: memo[path] for path in trusts}


def _assess_health(
    workspace: Workspace, items: list[Assessed] | None, *, allow_shallow: bool
) -> Health:
    """Every finding of ``items``, or of every card (None: through the findings cache)."""
    from kbcli.usecases.judging import judge_catalog, judge_few

    history = repo_history(workspace, allow_shallow=allow_shallow)
    if items is None:
        judged = judge_catalog(workspace, history)
    else:
        judged = judge_few(workspace, items, history)
    return Health(judged.items, judged.findings, history, judged.skipped)


def card_histories(
    workspace: Workspace, *, allow_shallow: bool = False
) -> Mapping[str, CardHistory]:
    """Each card's history by path (relative to the knowledge repo root)."""
    history = repo_history(workspace, allow_shallow=allow_shallow)
    return history.cards if history is not None else {}


def trust_trend(
    workspace: Workspace, weeks: int = 12, *, allow_shallow: bool = False
) -> list[tuple[date, float]]:
    """Weekly trust score (0..1) over the last ``weeks`` weeks, ending ``today``."""
    from kbcli.core.trend import trust_trend as trend

    history = repo_history(workspace, allow_shallow=allow_shallow)
    if history is None:
        return []
    days = [workspace.today - timedelta(weeks=k) for k in range(max(weeks, 1) - 1, -1, -1)]
    histories = [*history.cards.values(), *history.deleted]
    policy = workspace.config.trust_policy
    return trend(histories, policy, days, workspace.card_files.is_card_path)


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


def apply_severities(findings: list[Finding], workspace: Workspace) -> list[Finding]:
    """kb.toml ``[check] rules`` then ``[folders.X] rules`` (longest folder wins); drop "off"."""
    policy = rule_policy(workspace)
    graded = (policy.grade(f, today=workspace.today) for f in findings)
    kept = [f for f in graded if f is not None]
    return sorted(kept, key=attrgetter("path", "line", "column", "rule"))


def health_report(
    workspace: Workspace,
    *,
    owner: str | None = None,
    trend_weeks: int = 0,
    urgent_limit: int = 10,
    allow_shallow: bool = False,
) -> Report:
    """The ``kb report`` model: trust score, finding counts, owners, urgent cards, trend."""
    from dataclasses import replace

    from kbcli.core.report import build_report

    health = assess_health(workspace, allow_shallow=allow_shallow)
    report = build_report(
        health.items,
        health.findings,
        workspace.config.roster,
        workspace.today,
        owner=owner,
        urgent_limit=urgent_limit,
        skipped=health.skipped,
        history_commits=health.history.commit_count if health.history else None,
        notices=(*history_notices(health.history), *roster_notices(workspace)),
        refs=workspace.card_files.refs,
    )
    if trend_weeks:
        report = replace(
            report, trend=tuple(trust_trend(workspace, trend_weeks, allow_shallow=allow_shallow))
        )
    if owner is not None:  # a to-do list for one owner: the baseline is the team's fact
        return report
    baselines = adoption_baselines(health.history, health.items)
    return replace(report, baselines=baselines) if baselines else report


def adoption_baselines(
    history: RepoHistory | None, items: Sequence[Assessed]
) -> tuple[tuple[date, int], ...]:
    """(day, cards) of each adoption baseline that is still some card's last verification."""
    if history is None or not history.baselines:
        return ()
    days: dict[date, int] = {}
    for item in items:
        card_history = history.get(item.card.path)
        last = card_history.last_verification if card_history else None
        verified = item.card.meta.verified_at
        if last is not None and last.commit.sha in history.baselines and verified is not None:
            # The day the baseline declared (its verified_at), not the commit's clock.
            day = verified.date()
            days[day] = days.get(day, 0) + 1
    return tuple(sorted(days.items()))


@dataclass(frozen=True)
class Timeline:
    """One card's history, whether it has uncommitted changes, and what to warn about."""

    history: CardHistory
    uncommitted: bool
    notices: tuple[str, ...] = ()


def card_timeline(workspace: Workspace, path: str, *, allow_shallow: bool = False) -> Timeline:
    """One card's history and whether it has uncommitted changes.

    Raises a ``KbError`` outside a git repository or for a card git does not know yet.
    """
    from kbcli.adapters.git_history import uncommitted
    from kbcli.errors import KbError

    history = repo_history(workspace, allow_shallow=allow_shallow)
    if history is None:
        raise KbError(
            f"{workspace.root} is not in a git repository, so there is no history to show"
        )
    found = history.get(path)
    if found is None:
        raise KbError(f"{path} has no commits yet: commit it first (git add {path}; git commit)")
    dirty = path in uncommitted(workspace.root, [path])
    return Timeline(found, dirty, history_notices(history))


def _with_baselines(workspace: Workspace, history: RepoHistory) -> RepoHistory:
    """The history with its adoption baseline commits marked (see ``kb adopt --baseline``)."""
    from dataclasses import replace

    from kbcli.adapters.git_commits import commits_with_trailer
    from kbcli.adapters.keyed_cache import cached
    from kbcli.core.history import BASELINE_KEY, BASELINE_VALUE

    if history.tip is None:
        return history

    # A walk of every commit message (0.1 s of git on the tldr corpus, every search):
    # commits never change, so the answer holds while the tip does.
    def compute() -> list[str] | None:
        found = commits_with_trailer(workspace.root, BASELINE_KEY, BASELINE_VALUE)
        return None if found is None else sorted(found)

    key = (1, history.tip, BASELINE_KEY, BASELINE_VALUE)
    found = frozenset(cached(workspace.config.cache_dir / BASELINES_FILE, key, compute) or ())
    return replace(history, baselines=found) if found else history
