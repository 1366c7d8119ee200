"""Search hits' verdicts kept in ``.kb/verdicts.marshal`` between one-shot searches.

Judging a hit needs the history pass, the bulk runs and the evidence rules: the
modules alone cost a one-shot search ~25 ms of its ~180 ms on example-kb (and a
``git rev-parse``), measured with bench/oneshot_bench.py, to learn that most hits
have no evidence against them. The verdict of a card depends on its file, the
history (HEAD), the settings it is judged with (``core.verdict.SETTINGS``, from kb.toml,
the roster and ``KB_*``), the day and kb's version, so it is kept under all of those:
the file by its stat (size, mtime, ctime, inode, as git's own stat cache), the rest as
the file's key. Any difference, a shallow clone (its history is judged with a notice),
signed verifications (git's keyring is not a file kb watches) or a damaged file means
judging again as before. In a repo of up to ``EVERY_CARD_AT_MOST`` cards the first
search under a key judges every card at once; above that, each search judges the hits
it has not found kept.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kbcli.core.trust import Trust
    from kbcli.workspace import Workspace

FILE = "verdicts.marshal"
# Up to this many cards, the first search of a day judges them all at once
# (``_judge_every_card``): measured in bench/README.md, "Issue 18, session 13".
EVERY_CARD_AT_MOST = 1000
VERSION = 2  # 2: keyed by the verdict's settings, not the whole configuration

# path -> (file stat, the date-only trust's repr, evidence as (rule, text) pairs)
Entry = tuple[tuple[int, ...], str, tuple[tuple[str, str], ...]]


def verdicts_for(workspace: Workspace, trusts: Mapping[str, Trust]) -> dict[str, Trust]:
    """``usecases.health.verdicts_for``'s answer, from the cache where it still holds."""
    # Before the freshness check has answered: HEAD at the index's last sync (the
    # search checks it once git status answers, and judges again if it moved).
    head = workspace.memo.head or workspace.memo.expected_head
    config = workspace.config
    if head is None or config.verification.require_signed or not trusts:
        from kbcli.usecases import health

        return health.verdicts_for(workspace, trusts)
    from kbcli import __version__
    from kbcli.adapters import keyed_cache
    from kbcli.core.trust import Reason
    from kbcli.core.verdict import SETTINGS, with_reasons

    path = config.cache_dir / FILE
    memo, today = workspace.memo, workspace.today.isoformat()
    if memo.verdict_file is not None and memo.verdict_file[0][2:4] == (today, head):
        key, stored = memo.verdict_file  # a workspace's config never changes
    else:
        settings = repr(tuple(getattr(config, name) for name in SETTINGS))
        key = (VERSION, __version__, today, head, settings)
        stored = keyed_cache.load(path, key) or {}
        memo.verdict_file = (key, stored)
    root = os.fspath(workspace.root)
    fresh = not stored and _few_cards(workspace) and _judge_every_card(workspace, head, stored)
    found: dict[str, Trust] = {}
    todo: dict[str, tuple[Trust, tuple[int, ...] | None]] = {}
    for card, trust in trusts.items():
        entry = stored.get(card)
        stat = _stat(root, card)
        if entry is not None and stat is not None and entry[0] == stat and entry[1] == repr(trust):
            found[card] = with_reasons(trust, tuple(Reason(r, t) for r, t in entry[2]))
            workspace.memo.verdict_head = head
        else:
            todo[card] = (trust, stat)
    if todo:
        from kbcli.usecases import health

        judged = health.verdicts_for(workspace, {card: t for card, (t, _) in todo.items()})
        history = workspace.history if workspace.history_loaded else None
        keep = history is not None and history.tip == head and not history.shallow
        for card, (trust, stat) in todo.items():
            verdict = found[card] = judged[card]
            if keep and stat is not None and stat == _stat(root, card):
                reasons = tuple((r.rule, r.text) for r in verdict.reasons)
                stored[card] = (stat, repr(trust), reasons)
        fresh = fresh or keep
    if fresh:
        keyed_cache.save(path, key, stored)
    return {card: found[card] for card in trusts}


def _few_cards(workspace: Workspace) -> bool:
    """Whether the index holds few enough cards to judge them all in one pass."""
    count = workspace.memo.index_cards
    return count is not None and count <= EVERY_CARD_AT_MOST


def _judge_every_card(workspace: Workspace, head: str, stored: dict[str, Entry]) -> bool:
    """Every card's verdict in one pass, into ``stored``; whether they may be kept.

    The first search of a day (or after a commit, or a settings change) pays the fixed
    cost of judging (the history pass read back, the evidence rules' modules and
    patterns) whatever the number of hits; the cards read from the card cache
    (``.kb/cards.marshal``, no YAML parsed) and judged together then cost less than
    judging the hits alone, read one by one, did, and every later question of the day
    finds its hits judged. Each card is kept with the stat its file had before it was
    read, when the file still has it after. Verdicts are the same as judged per hit
    (bench/README.md, "Issue 18, session 13": compared entry by entry).
    """
    from kbcli.core.catalog import Assessed
    from kbcli.core.trust import assess
    from kbcli.usecases.health import judge_cards, repo_history

    root, today = os.fspath(workspace.root), workspace.today
    files = workspace.card_files
    paths = files.paths()
    if len(paths) > EVERY_CARD_AT_MOST:  # the index was older (or new: it said 0)
        return False
    # The history the cards would be judged on (kept for the run), read first: at another
    # HEAD than the index's (a commit since its last sync) this search judges its hits
    # alone, and the next one, from the synced index, every card.
    history = repo_history(workspace, allow_shallow=True)
    if history is None or history.tip != head or history.shallow:
        return False
    stats = {path: _stat(root, path) for path in paths}
    policy = workspace.config.trust_policy
    items = [
        Assessed(card, assess(card.meta, policy, card.path, today))
        for card in files.load_all(today, paths)
    ]
    trusts = {item.path: repr(item.trust) for item in items}
    for item in judge_cards(workspace, items):
        stat = stats.get(item.path)
        if stat is not None and stat == _stat(root, item.path):
            reasons = tuple((r.rule, r.text) for r in item.trust.reasons)
            stored[item.path] = (stat, trusts[item.path], reasons)
    return True


def _stat(root: str, card: str) -> tuple[int, ...] | None:
    try:
        st = os.stat(os.path.join(root, card))  # not a Path: ~60 hits per search
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def warm(workspace: Workspace) -> None:
    """Make, and keep on disk, what a search's verdicts need: the history pass (with its
    adoption baselines) and its bulk runs.

    ``kb index`` and ``kb daemon`` call this so that the first search after them does not
    pay for a cold history pass (seconds at tens of thousands of cards). Each piece has
    its own cache under ``.kb/``, keyed by HEAD; an up-to-date one costs a read. The
    verdicts themselves are judged by the searches (they depend on the day). What
    cannot be read here (git missing, a repository of another user) is left to the
    search that needs it, which reports it as before: ``kb index`` itself does not need
    the history.
    """
    from kbcli.errors import KbError
    from kbcli.usecases.health import repo_history
    from kbcli.usecases.judging import bulk_runs

    try:
        history = repo_history(workspace, allow_shallow=True)
        if history is not None:
            bulk_runs(workspace, history)
    except KbError:
        return
