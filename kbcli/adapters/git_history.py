"""The history pass: one ``git log`` over the whole history, one ``git cat-file``, a cache.

``git log --reverse -M --raw -z`` lists, for every non-merge commit, the files it
changed with their old and new blob ids (renames detected). For card files the
old and new blobs are read in one ``git cat-file --batch`` process and their front
matter compared key by key, which tells a verification (``verified_at`` changed)
from a content edit. Never one git call per file.

Merge commits follow ``git log``'s default: a merge shows no changes of its own,
so the edits it brings in are attributed to the commits that made them on their
branch (the same author and date ``git log -- FILE`` shows).

The result is cached in ``.kb/history/`` under the knowledge repo, keyed by the
commit it covers. The next run asks git only for the commits added since; when the
cached tip is no longer an ancestor of HEAD (rebase, force push, reset) the cache
is thrown away and the history recomputed.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbcli.core.history import (
    TRACKED,
    CardHistory,
    Change,
    Commit,
    RepoHistory,
    split_fields,
    utc_from_timestamp,
)
from kbcli.errors import KbError

CACHE_VERSION = 3
CACHE_NAME = "history/state.marshal"
_ZERO = "0" * 40
_CREATED, _DELETED, _BODY = 1, 2, 4
_GIT_OPTIONS = ("-c", "log.showSignature=false", "-c", "core.quotepath=false")

ShallowHint = (
    "this is a shallow clone, so git history is cut off and every card would look "
    "just edited: run 'git fetch --unshallow' (in GitHub Actions set 'fetch-depth: 0' "
    "on actions/checkout), or pass --allow-shallow to go on with incomplete history"
)


class ShallowClone(KbError):
    """The repository is a shallow clone and the caller did not allow it."""


@dataclass(frozen=True)
class GitPlace:
    """Where the knowledge repo sits in git: the top level, its prefix and HEAD."""

    toplevel: Path
    prefix: str
    head: str | None
    shallow: bool


def locate(root: Path) -> GitPlace | None:
    """The git facts of ``root``; None outside a git work tree (or without git)."""
    try:
        result = _git(root, "rev-parse", "--show-toplevel", "--show-prefix", check=False)
    except FileNotFoundError:
        return None
    if result.returncode != 0:
        return None
    lines = result.stdout.decode("utf-8", "surrogateescape").split("\n")
    toplevel, prefix = Path(lines[0]), lines[1].strip().rstrip("/")
    shallow = _git(root, "rev-parse", "--is-shallow-repository", check=False)
    head = _git(root, "rev-parse", "-q", "--verify", "HEAD^{commit}", check=False)
    return GitPlace(
        toplevel=toplevel,
        prefix=prefix,
        head=head.stdout.decode().strip() or None if head.returncode == 0 else None,
        shallow=shallow.stdout.strip() == b"true",
    )


def load_history(
    root: Path, cache_dir: Path | None = None, *, allow_shallow: bool = False
) -> RepoHistory | None:
    """The history of the knowledge repo at ``root``; None when it is not in a git repo.

    Raises ``ShallowClone`` (exit 2, with the fix) for a shallow clone unless
    ``allow_shallow``.
    """
    place = locate(root)
    if place is None:
        return None
    if place.shallow and not allow_shallow:
        raise ShallowClone(ShallowHint)
    cache = (cache_dir or root / ".kb") / CACHE_NAME
    state = update_state(root, place, cache)
    return to_history(state)


def update_state(root: Path, place: GitPlace, cache: Path) -> dict[str, Any]:
    """Bring the cached pass up to HEAD: reuse it, extend it, or recompute it."""
    state = _read_cache(cache, place)
    if place.head is None:
        return _empty_state(place)
    if state is not None and state["tip"] == place.head:
        return state
    if state is not None and state["tip"] and _is_ancestor(root, state["tip"], place.head):
        revs = f"{state['tip']}..{place.head}"
    else:
        state, revs = _empty_state(place), place.head
    _Pass(root, place.prefix, state).run(revs)
    state["tip"] = place.head
    _write_cache(cache, state)
    return state


# -- the pass ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Summary:
    body: bytes
    fields: dict[str, str]


class _Pass:
    """Replays ``git log`` output onto the state: the card histories and file touches."""

    def __init__(self, root: Path, prefix: str, state: dict[str, Any]) -> None:
        self.root = root
        self.prefix = prefix + "/" if prefix else ""
        self.state = state
        self.commits: list[tuple[str, str, str, int]] = state["commits"]
        self.live: dict[str, list[tuple[Any, ...]]] = state["live"]
        self.deleted: list[list[tuple[Any, ...]]] = state["deleted"]
        self.touched: dict[str, int] = state["touched"]
        self.authors: dict[str, int] = state["authors"]

    def card_path(self, path: str) -> str | None:
        if not path.endswith(".md") or not path.startswith(self.prefix):
            return None
        return path[len(self.prefix) :]

    def run(self, revs: str) -> None:
        records = list(self._records(revs))
        wanted: set[str] = set()
        for _, entries in records:
            for status, old_blob, new_blob, old_path, new_path in entries:
                if self.card_path(new_path) or (old_path and self.card_path(old_path)):
                    if status != "D":
                        wanted.add(new_blob)
                    if status in ("M", "T", "R"):
                        wanted.add(old_blob)
        wanted.discard(_ZERO)
        summaries = _read_blobs(self.root, sorted(wanted))
        for header, entries in records:
            self._replay(header, entries, summaries)

    def _records(self, revs: str) -> Iterator[tuple[tuple[str, str, str, int], list[Any]]]:
        result = _git(
            self.root,
            "log",
            "--reverse",
            "-M",
            "--raw",
            "--no-abbrev",
            "-z",
            "--no-color",
            "--format=%x1e%H%x1f%aN%x1f%aE%x1f%at",
            revs,
            "--",
        )
        for record in result.stdout.split(b"\x1e")[1:]:
            head, _, rest = record.partition(b"\0")
            sha, name, email, stamp = head.decode("utf-8", "replace").split("\x1f")
            yield (sha, name, email, int(stamp or 0)), _raw_entries(rest)

    def _replay(
        self,
        header: tuple[str, str, str, int],
        entries: list[Any],
        summaries: Mapping[str, _Summary],
    ) -> None:
        seq = len(self.commits)
        self.commits.append(header)
        email = header[2].lower()
        known = self.authors.get(email)
        if known is None or self.commits[known][3] <= header[3]:
            self.authors[email] = seq
        for status, old_blob, new_blob, old_path, new_path in entries:
            self.touched[new_path] = seq
            if old_path:
                self.touched[old_path] = seq
            new_card = self.card_path(new_path) if status != "D" else None
            old_card = self.card_path(old_path) if old_path else None
            if status == "D":
                self._delete(self.card_path(new_path), seq)
            elif status == "R" and old_card and new_card:
                self._change(old_card, new_card, seq, summaries, old_blob, new_blob)
            elif status == "R":
                self._delete(old_card, seq)
                if new_card:
                    self._add(new_card, seq, summaries.get(new_blob))
            elif status == "A" and new_card:
                self._add(new_card, seq, summaries.get(new_blob))
            elif new_card:
                self._change(new_card, new_card, seq, summaries, old_blob, new_blob)

    def _add(self, card: str, seq: int, new: _Summary | None) -> None:
        if card in self.live:
            self.deleted.append(self.live.pop(card))
        fields = new.fields if new else {}
        values = tuple((k, fields[k]) for k in TRACKED if k in fields)
        self.live[card] = [(seq, card, None, _CREATED | _BODY, tuple(fields), values)]

    def _delete(self, card: str | None, seq: int) -> None:
        if card and card in self.live:
            changes = self.live.pop(card)
            changes.append((seq, card, None, _DELETED, (), ()))
            self.deleted.append(changes)

    def _change(
        self,
        old_card: str,
        card: str,
        seq: int,
        summaries: Mapping[str, _Summary],
        old_blob: str,
        new_blob: str,
    ) -> None:
        changes = self.live.pop(old_card, None)
        if card in self.live:
            self.deleted.append(self.live.pop(card))
        old, new = summaries.get(old_blob), summaries.get(new_blob)
        keys: tuple[str, ...] = ()
        values: tuple[tuple[str, str | None], ...] = ()
        if old is None or new is None:  # unreadable blob (submodule, partial clone)
            flags = _BODY
        else:
            keys = tuple(
                k
                for k in (*old.fields, *(k for k in new.fields if k not in old.fields))
                if old.fields.get(k) != new.fields.get(k)
            )
            values = tuple((k, new.fields.get(k)) for k in TRACKED if k in keys)
            flags = _BODY if old.body != new.body else 0
        if changes is None:  # the card predates what we walked (shallow boundary)
            changes = []
        changes.append((seq, card, old_card if old_card != card else None, flags, keys, values))
        self.live[card] = changes


def _raw_entries(rest: bytes) -> list[tuple[str, str, str, str | None, str]]:
    """``(status, old blob, new blob, old path, new path)`` from ``--raw -z`` output."""
    tokens = rest.split(b"\0")
    entries = []
    index = 0
    while index < len(tokens):
        token = tokens[index].lstrip(b"\n")
        index += 1
        if not token.startswith(b":"):
            continue
        parts = token.decode().split(" ")
        status = parts[4][:1]
        old_blob, new_blob = parts[2], parts[3]
        old_path: str | None = None
        if status in ("R", "C"):
            old_path = tokens[index].decode("utf-8", "surrogateescape")
            new_path = tokens[index + 1].decode("utf-8", "surrogateescape")
            index += 2
            if status == "C":
                status, old_path = "A", None
        else:
            new_path = tokens[index].decode("utf-8", "surrogateescape")
            index += 1
        entries.append((status, old_blob, new_blob, old_path, new_path))
    return entries


def _read_blobs(root: Path, blobs: Sequence[str]) -> dict[str, _Summary]:
    """Summaries (body digest, raw front-matter fields) of many blobs, one git process."""
    if not blobs:
        return {}
    proc = subprocess.Popen(
        ["git", *_GIT_OPTIONS, "cat-file", "--batch"],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    stdin = proc.stdin

    def feed() -> None:
        try:
            stdin.write("".join(b + "\n" for b in blobs).encode())
            stdin.close()
        except BrokenPipeError:  # git died; the reader sees EOF
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    summaries: dict[str, _Summary] = {}
    out = proc.stdout
    for _ in blobs:
        header = out.readline()
        if not header:
            break
        parts = header.split()
        if len(parts) != 3:  # "<sha> missing"
            continue
        data = out.read(int(parts[2]))
        out.read(1)
        summaries[parts[0].decode()] = _summarise(data)
    writer.join()
    proc.stdout.close()
    proc.wait()
    return summaries


def _summarise(data: bytes) -> _Summary:
    if not data.startswith(b"---"):
        return _Summary(hashlib.blake2b(data, digest_size=16).digest(), {})
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    fields, body = split_fields(text)
    return _Summary(hashlib.blake2b(body.encode(), digest_size=16).digest(), fields)


# -- state, cache and conversion -----------------------------------------------------------


def _empty_state(place: GitPlace) -> dict[str, Any]:
    return {
        "version": CACHE_VERSION,
        "prefix": place.prefix,
        "tip": None,
        "shallow": place.shallow,
        "commits": [],
        "live": {},
        "deleted": [],
        "touched": {},
        "authors": {},
    }


def _read_cache(cache: Path, place: GitPlace) -> dict[str, Any] | None:
    try:
        with cache.open("rb") as handle:
            state = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(state, dict) or state.get("version") != CACHE_VERSION:
        return None
    if state.get("prefix") != place.prefix or state.get("shallow") != place.shallow:
        return None
    return state


def _write_cache(cache: Path, state: dict[str, Any]) -> None:
    """Write atomically; a cache that cannot be written only costs time next run."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temp = cache.with_name(f".{cache.name}.{os.getpid()}")
        with temp.open("wb") as handle:
            marshal.dump(state, handle)
        os.replace(temp, cache)
    except OSError:
        pass


def _is_ancestor(root: Path, old: str, new: str) -> bool:
    result = _git(root, "merge-base", "--is-ancestor", old, new, check=False)
    return result.returncode == 0


def to_history(state: dict[str, Any]) -> RepoHistory:
    commits = _Commits(state["commits"])
    return RepoHistory(
        tip=state["tip"],
        cards=_Cards(state["live"], commits),
        deleted=[_card(changes, commits) for changes in state["deleted"]],
        touched=_Touches(state["touched"], commits),
        authors=_Touches(state["authors"], commits),
        prefix=state["prefix"],
        commit_count=len(state["commits"]),
        first_commit=commits[0] if state["commits"] else None,
        shallow=state["shallow"],
    )


class _Commits:
    """Commit objects built on first use: a report rarely needs all 50,000."""

    def __init__(self, raw: list[tuple[str, str, str, int]]) -> None:
        self.raw = raw
        self.built: dict[int, Commit] = {}

    def __getitem__(self, seq: int) -> Commit:
        commit = self.built.get(seq)
        if commit is None:
            sha, name, email, stamp = self.raw[seq]
            commit = Commit(sha, name, email, utc_from_timestamp(stamp), seq)
            self.built[seq] = commit
        return commit


def _card(changes: list[tuple[Any, ...]], commits: _Commits) -> CardHistory:
    built = tuple(
        Change(
            commit=commits[seq],
            path=path,
            old_path=old_path,
            created=bool(flags & _CREATED),
            deleted=bool(flags & _DELETED),
            body_changed=bool(flags & _BODY),
            keys=tuple(keys),
            values=dict(values),
        )
        for seq, path, old_path, flags, keys, values in changes
    )
    return CardHistory(built[-1].path if built else "", built)


class _Cards(Mapping[str, CardHistory]):
    def __init__(self, live: dict[str, list[tuple[Any, ...]]], commits: _Commits) -> None:
        self.live = live
        self.commits = commits
        self.built: dict[str, CardHistory] = {}

    def __getitem__(self, path: str) -> CardHistory:
        history = self.built.get(path)
        if history is None:
            history = _card(self.live[path], self.commits)
            self.built[path] = history
        return history

    def __iter__(self) -> Iterator[str]:
        return iter(self.live)

    def __len__(self) -> int:
        return len(self.live)

    def __contains__(self, path: object) -> bool:
        return path in self.live


class _Touches(Mapping[str, Commit]):
    def __init__(self, seqs: dict[str, int], commits: _Commits) -> None:
        self.seqs = seqs
        self.commits = commits

    def __getitem__(self, key: str) -> Commit:
        return self.commits[self.seqs[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self.seqs)

    def __len__(self) -> int:
        return len(self.seqs)


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
    result = subprocess.run(["git", *_GIT_OPTIONS, *args], cwd=root, capture_output=True)
    if check and result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise KbError(f"git {args[0]} failed in {root}: {detail[-1] if detail else 'no output'}")
    return result


def uncommitted(root: Path, paths: Sequence[str]) -> set[str]:
    """Which of ``paths`` (relative to ``root``) differ from HEAD or are untracked."""
    if not paths:
        return set()
    result = _git(
        root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--no-renames",
        "--",
        *paths,
        check=False,
    )
    if result.returncode != 0:
        return set()
    top = _git(root, "rev-parse", "--show-prefix", check=False).stdout.decode().strip()
    found = set()
    for entry in result.stdout.split(b"\0"):
        if len(entry) > 3:
            path = entry[3:].decode("utf-8", "surrogateescape")
            found.add(path[len(top) :] if top and path.startswith(top) else path)
    return found
