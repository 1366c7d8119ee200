"""Judging cards: every finding of each card, graded, and its verdict.

``usecases.health`` asks here. Every card of the repo (``judge_catalog``) is judged
through the findings cache (``adapters/findings_cache``): a card whose bytes, and
everything else its findings depend on, are as at the last run gets its kept findings
and verdict; the others are judged (``judge``) and kept for the next run. A few cards
on their own (search hits, ``kb show``) are judged without it.

What a card's findings depend on besides its bytes, all in the cache's key: kb's code
(every module's size and mtime), the settings it is judged with (``core.verdict.SETTINGS``:
the verdict is made from these very findings, and ``judge`` reads nothing else of the
configuration), the day, and the history (tip, commit count, prefix, shallow, adoption
baselines). Switching a setting no finding here depends on (search, the handbook,
capture, adopt, usage) keeps them. Signed verifications are never kept (git's keyring is not a file
kb watches), nor is anything outside a git repository.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from itertools import pairwise
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Card
from kbcli.core.catalog import Assessed
from kbcli.core.findings import Finding
from kbcli.core.history import Change, RepoHistory
from kbcli.core.trust import Trust

if TYPE_CHECKING:
    from kbcli.core.health import HealthResult, HealthSettings
    from kbcli.core.provenance import Signature
    from kbcli.workspace import Workspace

VERSION = 2  # 2: keyed by the settings findings are judged with, not all of kb.toml


@dataclass
class Judged:
    """Cards with their verdicts, their findings (graded, sorted), and the checks that
    could not run."""

    items: list[Assessed]
    findings: list[Finding]
    skipped: list[str]


def judge_catalog(workspace: Workspace, history: RepoHistory | None) -> Judged:
    """Every card of the repo, judged; kept cards come from the findings cache."""
    from kbcli.adapters import findings_cache as kept_file
    from kbcli.core.trust import assess

    cards = workspace.catalog.cards
    key = run_key(workspace, history)
    path = workspace.config.cache_dir / kept_file.FILE
    kept = kept_file.load(path, key) if key is not None else {}
    digest_of = workspace.card_files.digest
    digests = [digest_of(card) for card in cards]
    hits = _kept(cards, digests, kept)
    policy, today = workspace.config.trust_policy, workspace.today
    todo = [
        Assessed(card, assess(card.meta, policy, card.path, today))
        for card, hit in zip(cards, hits, strict=True)
        if hit is None
    ]
    fresh = judge(workspace, todo, history)
    items: list[Assessed] = []
    per_card: list[Finding] = []
    for card, hit in zip(cards, hits, strict=True):
        item, found = fresh[card.path] if hit is None else hit
        items.append(item)
        per_card += found
    if key is not None and (fresh or len(kept) != len(cards)):
        kept_file.save(path, key, _entries(cards, digests, hits, kept, fresh))
    problems = _graded(workspace, _reading_problems(workspace, items))
    return Judged(items, _in_order(cards, problems, per_card), _skipped(workspace, history))


Hit = tuple[Assessed, list[Finding]]


def _kept(
    cards: Sequence[Card], digests: Sequence[bytes | None], kept: dict[str, Any]
) -> list[Hit | None]:
    """Each card's kept verdict and findings when its entry is for these bytes (and
    whole); None where it must be judged again."""
    from kbcli.adapters.findings_cache import decode_findings, decode_trust

    trusts: dict[tuple[Any, ...], Trust] = {}
    hits: list[Hit | None] = []
    get = kept.get
    for card, digest in zip(cards, digests, strict=True):
        entry: Any = get(card.path)
        hit = None
        whole = isinstance(entry, tuple) and len(entry) == 3
        if digest is not None and whole and entry[0] == digest:
            try:
                trust = decode_trust(entry[1], trusts)
                hit = (Assessed(card, trust), decode_findings(entry[2], card.path, card.title))
            except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError):
                hit = None
        hits.append(hit)
    return hits


def _entries(
    cards: Sequence[Card],
    digests: Sequence[bytes | None],
    hits: Sequence[Hit | None],
    kept: dict[str, Any],
    fresh: dict[str, Hit],
) -> dict[str, Any]:
    """What the findings cache keeps for the next run: the kept entries still used, and
    the fresh verdicts of cards with a hash whose findings are all their own."""
    from kbcli.adapters import findings_cache as kept_file

    entries: dict[str, kept_file.Entry] = {}
    for card, digest, hit in zip(cards, digests, hits, strict=True):
        if hit is not None:
            entries[card.path] = kept[card.path]
            continue
        item, found = fresh[card.path]
        if digest is not None and all(f.path == card.path for f in found):
            trust = kept_file.encode_trust(item.trust)
            encoded = kept_file.encode_findings(found, card.path, card.title)
            entries[card.path] = (digest, trust, encoded)
    return entries


def _in_order(
    cards: Sequence[Card], problems: list[Finding], per_card: list[Finding]
) -> list[Finding]:
    """``problems`` and ``per_card`` (each card's findings, cards in ``cards``' order,
    each card's in position order) sorted by path, line, column and rule. Without
    reading problems and with the cards in path order (the catalog's), that is
    ``per_card`` as it is: sorting 200,000 findings cost a warm report ~0.2 s."""
    if not problems:
        paths = [card.path for card in cards]
        if all(a < b for a, b in pairwise(paths)):
            return per_card
    return _sorted([*problems, *per_card])


def judge_few(
    workspace: Workspace, items: Sequence[Assessed], history: RepoHistory | None
) -> Judged:
    """A few cards judged on their own (search hits, ``kb show``), without the cache."""
    fresh = judge(workspace, items, history)
    judged = [fresh[item.path][0] for item in items]
    found = [f for item in items for f in fresh[item.path][1]]
    problems = _graded(workspace, _reading_problems(workspace, items))
    return Judged(judged, _sorted([*problems, *found]), _skipped(workspace, history))


def judge(
    workspace: Workspace, items: Sequence[Assessed], history: RepoHistory | None
) -> dict[str, tuple[Assessed, list[Finding]]]:
    """Each card's verdict and graded findings (trust, roster, history, flags), by path,
    in the order the rules made them."""
    from kbcli.core.flags import flag_findings
    from kbcli.core.health import card_findings
    from kbcli.core.verdict import judge as verdict

    if not items:
        return {}
    settings = health_settings(workspace)
    bulk = signatures = stamps = None
    imports: frozenset[str] = frozenset()
    if history is not None:
        from kbcli.core.stamps import current_stamps

        bulk = bulk_runs(workspace, history, settings)
        stamps = current_stamps(history, (item.card for item in items))
        signatures = stamp_signatures(workspace, stamps)
        imports = import_commits(workspace, items, stamps)
    result = card_findings(
        items,
        workspace.config.roster,
        workspace.today,
        history,
        settings,
        bulk=bulk,
        signatures=signatures,
        imports=imports,
        stamps=stamps,
    )
    by_path: dict[str, list[Finding]] = {item.path: [] for item in items}
    for finding in _graded(workspace, [*result.findings, *_untraced(workspace, result)]):
        by_path[finding.path].append(finding)
    for item in items:
        found = by_path[item.path]
        found += _graded(workspace, flag_findings(item.card))
        found.sort(key=_position)  # the verdict lists its reasons in the card's order
    return {
        item.path: (
            Assessed(item.card, verdict(item.trust, by_path[item.path])),
            by_path[item.path],
        )
        for item in items
    }


def _untraced(workspace: Workspace, result: HealthResult) -> list[Finding]:
    """The stamps no commit of the history set: committed (``untraced``: a merge commit's
    own change) or not committed yet (``uncommitted``: a date typed in the working tree).
    Neither says who verified the card, so neither is trusted."""
    if not result.unrecorded:
        return []
    from kbcli.adapters.git_history import uncommitted as changed
    from kbcli.core.untraced_stamps import uncommitted, untraced

    dirty = changed(workspace.root, [item.path for item in result.unrecorded])
    return [
        uncommitted(item.card) if item.path in dirty else untraced(item.card)
        for item in result.unrecorded
    ]


def health_settings(workspace: Workspace) -> HealthSettings:
    from kbcli.core.health import HealthSettings

    config = workspace.config
    return HealthSettings(
        inactive_after=config.history.inactive_after,
        bulk_threshold=config.history.bulk_threshold,
        bulk_window=timedelta(hours=config.history.bulk_window_hours),
        ci_identities=config.history.ci_identities,
    )


def run_key(workspace: Workspace, history: RepoHistory | None) -> tuple[Any, ...] | None:
    """What every kept finding depends on besides its card; None: nothing is kept."""
    config = workspace.config
    if history is None or config.verification.require_signed:
        return None
    from kbcli import __version__
    from kbcli.core.verdict import SETTINGS

    state = (
        history.tip,
        history.commit_count,
        history.prefix,
        history.shallow,
        tuple(sorted(history.baselines)),
        tuple(sorted(history.cut_at)),
    )
    return (
        VERSION,
        __version__,
        code_fingerprint(),
        workspace.today.isoformat(),
        repr(tuple(getattr(config, name) for name in SETTINGS)),
        state,
    )


@cache
def code_fingerprint() -> str:
    """Size and mtime of every kb module: another kb (or an edited one) judges again."""
    base = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parts = []
    for folder, dirs, files in os.walk(base):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                file = os.path.join(folder, name)
                st = os.stat(file)
                parts.append(f"{os.path.relpath(file, base)}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(parts)


def _skipped(workspace: Workspace, history: RepoHistory | None) -> list[str]:
    from kbcli.core.people import skipped_checks

    skipped = skipped_checks(workspace.config.roster)
    if history is None:
        skipped.insert(
            0,
            "history checks (edited-since-verified, verified-by-non-verifier, "
            "backdated-verification, future-verification, bulk-reverification, "
            "dependency-changed, owner-inactive): the knowledge repo is not in a git repository",
        )
    return skipped


def _graded(workspace: Workspace, findings: Sequence[Finding]) -> list[Finding]:
    """kb.toml's severities applied; "off" findings dropped; order kept."""
    from kbcli.usecases.health import rule_policy

    policy = rule_policy(workspace)
    graded = (policy.grade(f, today=workspace.today) for f in findings)
    return [f for f in graded if f is not None]


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=_ORDER)


# Sort keys made in C (a lambda per finding is most of sorting 200,000 findings).
_ORDER = attrgetter("path", "line", "column", "rule")
_position = attrgetter("line", "column", "rule")


def bulk_runs(
    workspace: Workspace, history: RepoHistory, settings: HealthSettings | None = None
) -> Any:
    """The history's bulk runs, made once per run (and kept on disk by ``_bulk``)."""
    memo = workspace.memo
    if memo.bulk is None or memo.bulk[0] is not history:
        memo.bulk = (history, _bulk(workspace, history, settings or health_settings(workspace)))
    return memo.bulk[1]


def _bulk(workspace: Workspace, history: RepoHistory, settings: HealthSettings) -> Any:
    """The history's bulk runs (``core.health.history_bulk``), cached on disk by tip."""
    from kbcli.adapters.bulk_cache import cached
    from kbcli.core.health import history_bulk
    from kbcli.core.provenance import People

    roster = workspace.config.roster
    identities = sorted(
        (p.handle, tuple(e.lower() for e in p.emails)) for p in roster.people.values()
    )
    key = repr(
        (history.tip, history.prefix, identities, settings.bulk_window, settings.bulk_threshold)
    )
    return cached(
        workspace.config.cache_dir, key, lambda: history_bulk(history, People(roster), settings)
    )


def stamp_signatures(
    workspace: Workspace, stamps: Mapping[str, Change]
) -> dict[str, Signature] | None:
    """With ``[verification] require_signed``: git's verdict on each stamp commit's
    signature (``stamps``: each card's current stamp), against the roster's
    ``signing_keys``; None when signatures are not required."""
    if not workspace.config.verification.require_signed:
        return None
    from kbcli.adapters.signatures import verify_commits

    shas = {stamp.commit.sha for stamp in stamps.values()}
    return verify_commits(workspace.root, sorted(shas), workspace.config.roster)


def import_commits(
    workspace: Workspace, items: Sequence[Assessed], stamps: Mapping[str, Change]
) -> frozenset[str]:
    """Which of the commits that added one of ``items`` already verified were made by
    ``kb import`` (trailer ``Kb-Import:``): asked of git for those few commits only."""
    from kbcli.core.provenance import added_verified

    shas = set()
    for item in items:
        stamp = stamps.get(item.path)
        if stamp is not None and added_verified(stamp, item.card.meta):
            shas.add(stamp.commit.sha)
    if not shas:
        return frozenset()
    from kbcli.adapters.git_commits import trailer_commits
    from kbcli.core.history import IMPORT_KEY

    return trailer_commits(workspace.root, sorted(shas), IMPORT_KEY)


def _reading_problems(workspace: Workspace, items: Sequence[Assessed]) -> list[Finding]:
    """The reading problems of ``items``' cards as findings.

    With every card read, the catalog adds the problems that only the whole set shows
    (duplicate aliases). A few cards judged on their own (search hits, ``kb show``) keep
    their own problems: reading every card for those cost a search ~65 ms of its ~190
    (cProfile on example-kb), and no reading problem is evidence for the verdict.
    """
    if not workspace.has_catalog:
        return [
            problem._replace(title=item.card.title)
            for item in items
            for problem in item.card.problems
        ]
    paths = {item.path for item in items}
    return [problem for problem in workspace.catalog.problems() if problem.path in paths]
