"""The history a pass's state describes, as ``core.history`` models, built on first use.

A report over 100,000 cards asks for some cards' histories and few commits: the
commits, each card's changes (kept marshalled in the cache, ``history_cache.py``) and
the deleted cards are decoded when first asked for, not when the state is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, overload

from kbcli.adapters.git_log_records import Header
from kbcli.adapters.history_cache import Store, card_count, changes_of, commit_count, first_commit
from kbcli.adapters.history_pass import BODY, CREATED, DELETED
from kbcli.core.history import CardHistory, Change, Commit, RepoHistory, utc_from_timestamp


def to_history(state: dict[str, Any]) -> RepoHistory:
    """The history a state describes; its big sections are decoded when first asked for."""
    commits = _Commits(state)
    store = state.get("store")
    first = first_commit(state)
    return RepoHistory(
        tip=state["tip"],
        cards=_Cards(state, commits, store),
        deleted=_Deleted(state, commits, store),
        touched=_Touches(state, "touched", commits),
        authors=_Touches(state, "authors", commits),
        prefix=state["prefix"],
        commit_count=commit_count(state),
        first_commit=None if first is None else _commit(first, 0),
        shallow=state["shallow"],
    )


class _Commits:
    """Commit objects built on first use: a report rarely needs all 50,000."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.built: dict[int, Commit] = {}

    def __getitem__(self, seq: int) -> Commit:
        commit = self.built.get(seq)
        if commit is None:
            commit = _commit(self.state["commits"][seq], seq)
            self.built[seq] = commit
        return commit


def _commit(raw: Header, seq: int) -> Commit:
    sha, name, email, stamp, c_name, c_email, roster = raw
    return Commit(sha, name, email, utc_from_timestamp(stamp), seq, c_name, c_email, bool(roster))


def _card(raw: Any, commits: _Commits, store: Store | None) -> CardHistory:
    changes = changes_of(raw, store)
    built = tuple(
        Change(
            commit=commits[seq],
            path=path,
            old_path=old_path,
            created=bool(flags & CREATED),
            deleted=bool(flags & DELETED),
            body_changed=bool(flags & BODY),
            keys=tuple(keys),
            values=dict(values),
        )
        for seq, path, old_path, flags, keys, values in changes
    )
    return CardHistory(built[-1].path if built else "", built)


class _Deleted(Sequence[CardHistory]):
    """Histories of deleted cards, built only when the trend or bulk counts need them."""

    def __init__(self, state: dict[str, Any], commits: _Commits, store: Store | None) -> None:
        self.state = state
        self.commits = commits
        self.store = store
        self.built: list[CardHistory] | None = None

    def _all(self) -> list[CardHistory]:
        if self.built is None:
            raw = self.state["deleted"]
            self.built = [_card(changes, self.commits, self.store) for changes in raw]
        return self.built

    @overload
    def __getitem__(self, index: int) -> CardHistory: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[CardHistory]: ...
    def __getitem__(self, index: int | slice) -> CardHistory | Sequence[CardHistory]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self.state["deleted"])


class _Cards(Mapping[str, CardHistory]):
    def __init__(self, state: dict[str, Any], commits: _Commits, store: Store | None) -> None:
        self.state = state
        self.commits = commits
        self.store = store
        self.built: dict[str, CardHistory] = {}

    def __getitem__(self, path: str) -> CardHistory:
        history = self.built.get(path)
        if history is None:
            history = _card(self.state["live"][path], self.commits, self.store)
            self.built[path] = history
        return history

    def __iter__(self) -> Iterator[str]:
        return iter(self.state["live"])

    def __len__(self) -> int:
        return card_count(self.state)

    def __contains__(self, path: object) -> bool:
        return path in self.state["live"]


class _Touches(Mapping[str, Commit]):
    def __init__(self, state: dict[str, Any], key: str, commits: _Commits) -> None:
        self.state = state
        self.key = key
        self.commits = commits

    def __getitem__(self, key: str) -> Commit:
        return self.commits[self.state[self.key][key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self.state[self.key])

    def __len__(self) -> int:
        return len(self.state[self.key])
