"""The history pass: one ``git log`` over the whole history, one ``git cat-file``, a cache.

``git log --reverse -M --raw -z`` lists, for every non-merge commit, the files it
changed with their old and new blob ids (renames detected). For card files the
old and new blobs are read in one ``git cat-file --batch`` process and their front
matter compared key by key, which tells a verification (``verified_at`` changed)
from a content edit. Never one git call per file.

Merge commits follow ``git log``'s default: a merge shows no changes of its own,
so the edits it brings in are attributed to the commits that made them on their
branch (the same author and date ``git log -- FILE`` shows).

Each blob is summarised on its bytes (front matter split out, body hashed, never
decoded).

The result is cached in ``.kb/history/`` under the knowledge repo, keyed by the
commit it covers (``history_cache.py``: a base file and an append-only journal). The
next run asks git only for the commits added since and appends what they changed;
when the cached tip is no longer an ancestor of HEAD (rebase, force push, reset) the
cache is thrown away and the history recomputed.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from kbcli.adapters import git_runner
from kbcli.adapters.history_cache import (
    CACHE_NAME,
    CACHE_VERSION,
    Store,
    append_state,
    card_count,
    changes_of,
    commit_count,
    first_commit,
    read_state,
    write_state,
)
from kbcli.core import front_matter
from kbcli.core.history import (
    TRACKED,
    CardHistory,
    Change,
    Commit,
    KeyLine,
    RepoHistory,
    front_fields,
    utc_from_timestamp,
)
from kbcli.errors import KbError

if TYPE_CHECKING:
    import subprocess

_ZERO = "0" * 40
_CREATED, _DELETED, _BODY = 1, 2, 4

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
    """The git facts of ``root``; None outside a git work tree.

    One ``git rev-parse`` for all four facts (it was two; every search pays for it):
    with ``--verify -q`` it exits 1 after the first three lines when there is no
    commit yet, and 128 outside a work tree. Without git, a folder with no ``.git``
    above it is simply not a repository, and one with a ``.git`` raises ``GitMissing``
    (reading it as "no history" would judge every card without its history); a
    repository of another user raises git's ``safe.directory`` advice.
    """
    try:
        result = git_runner.run(
            root,
            "rev-parse",
            "--show-toplevel",
            "--show-prefix",
            "--is-shallow-repository",
            "--verify",
            "-q",
            "HEAD^{commit}",
            read_only=True,
            check=False,
        )
    except git_runner.GitMissing:
        if _inside_dot_git(root):
            raise
        return None
    lines = git_runner.path(result.stdout).split("\n")
    if result.returncode not in (0, 1) or len(lines) < 3:
        return None
    toplevel, prefix = Path(lines[0]), lines[1].strip().rstrip("/")
    shallow = lines[2].strip() == "true"
    head = lines[3].strip() if result.returncode == 0 and len(lines) > 3 else ""
    return GitPlace(toplevel=toplevel, prefix=prefix, head=head or None, shallow=shallow)


def _inside_dot_git(root: Path) -> bool:
    return any((folder / ".git").exists() for folder in (root.resolve(), *root.resolve().parents))


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
    state = read_state(cache, place.prefix, place.shallow)
    if place.head is None:
        return _empty_state(place)
    if state is not None and state["tip"] == place.head:
        return state
    if state is not None and state["tip"] and _is_ancestor(root, state["tip"], place.head):
        start = (state["tip"], len(state["commits"]), len(state["deleted"]))
        extension = _Pass(root, place.prefix, state)
        extension.run(f"{state['tip']}..{place.head}")
        state["tip"] = place.head
        append_state(cache, state, start, extension.dirty)
        return state
    state = _empty_state(place)
    _Pass(root, place.prefix, state).run(place.head)
    state["tip"] = place.head
    write_state(cache, state)
    return state


# -- the pass ------------------------------------------------------------------------------


class _Summary:
    """One card version as the pass compares it: its front matter and a hash of its body.

    The front matter's fields are split out only when a pass needs them (a creation,
    or two versions whose front matter bytes differ), and then once per version.
    """

    __slots__ = ("_fields", "body", "front")

    def __init__(self, body: tuple[int, int], front: bytes | None) -> None:
        self.body = body
        self.front = front
        self._fields: dict[str, str] | None = None

    @property
    def fields(self) -> dict[str, str]:
        return self.fields_with({})

    def fields_with(self, memo: dict[str, KeyLine]) -> dict[str, str]:
        """The fields, split once; ``memo`` is the pass's cache of key lines."""
        if self._fields is None:
            front = self.front
            self._fields = front_fields(front.decode("utf-8", "replace"), memo) if front else {}
        return self._fields


class _Pass:
    """Replays ``git log`` output onto the state: the card histories and file touches."""

    def __init__(self, root: Path, prefix: str, state: dict[str, Any]) -> None:
        self.root = root
        self.prefix = prefix + "/" if prefix else ""
        self.state = state
        self.commits: list[Header] = state["commits"]
        # Each card's changes are kept marshalled (bytes) in the cache, so that loading
        # it does not build millions of tuples; a pass decodes only the cards it touches.
        self.live: dict[str, Any] = state["live"]
        self.dirty: set[str] = set()  # cards this pass changed: what the journal records
        self.key_lines: dict[str, KeyLine] = {}
        self.store: Store | None = state.get("store")
        self.deleted: list[Any] = state["deleted"]
        self.touched: dict[str, int] = state["touched"]
        self.authors: dict[str, int] = state["authors"]

    def run(self, revs: str) -> None:
        """Stream ``git log`` and read the card versions it names through one
        ``git cat-file --batch``, both at once, in one thread.

        One loop waits on both pipes: it parses git log's records as they come, hands
        the blob ids they name to cat-file, summarises the blobs as they come back and
        replays each commit as soon as the last blob it needs has arrived. Nothing
        waits for a thread switch (two Python threads both busy on two cores spent a
        third of the pass trading the interpreter lock) and little is left to do once
        git log ends.
        """
        args = ["log", "--reverse", "-M", "--raw", "--no-abbrev", "-z", "--no-color"]
        # Author and committer, both through .mailmap (%aN %aE %cN %cE): a stamp is judged
        # on who wrote it and on who committed it (a spoofed --author shows here).
        args += ["--format=%x1e%H%x1f%aN%x1f%aE%x1f%at%x1f%cN%x1f%cE", revs, "--"]
        log = git_runner.popen(self.root, *args, read_only=True)
        _widen(log.stdout)
        assert log.stdout is not None and log.stderr is not None
        stderr = log.stderr
        errors: list[bytes] = []
        drain = threading.Thread(target=lambda: errors.append(stderr.read()), daemon=True)
        drain.start()
        blobs = _Blobs(self.root, self._replay)
        try:
            self._loop(log.stdout.fileno(), blobs)
        except BaseException:
            log.kill()
            raise
        finally:
            blobs.close()
            log.stdout.close()
        drain.join()
        if log.wait() != 0:
            raise git_runner.failure(args, b"".join(errors), self.root)
        blobs.finish()

    def _loop(self, log_fd: int, blobs: _Blobs) -> None:
        pending = b""
        log_open = True
        while log_open or blobs.busy():
            readable, writable = _wait([log_fd] if log_open else [], blobs)
            if log_fd in readable:
                chunk = os.read(log_fd, _CHUNK)
                if not chunk:
                    log_open = False
                    if pending:
                        self._want(blobs, _record(pending, self.prefix))
                    blobs.last()
                    continue
                pending += chunk
                parts = pending.split(b"\x1e")
                pending = parts.pop()
                for record in parts:
                    if record:
                        self._want(blobs, _record(record, self.prefix))
                blobs.send()
            blobs.step(readable, writable)

    @staticmethod
    def _want(blobs: _Blobs, record: tuple[Header, list[Entry]]) -> None:
        header, entries = record
        for status, old_blob, new_blob, _, _, old_card, new_card in entries:
            if new_card or old_card:
                if status != "D":
                    blobs.want(new_blob)
                if status in ("M", "T", "R"):
                    blobs.want(old_blob)
        blobs.queue(header, entries)

    def _replay(
        self,
        header: Header,
        entries: list[Entry],
        summaries: Mapping[str, _Summary],
    ) -> None:
        seq = len(self.commits)
        self.commits.append(header)
        email = header[2].lower()
        known = self.authors.get(email)
        if known is None or self.commits[known][3] <= header[3]:
            self.authors[email] = seq
        touched = self.touched
        for status, old_blob, new_blob, old_path, new_path, old_card, new_card in entries:
            touched[new_path] = seq
            if old_path:
                touched[old_path] = seq
            if new_card is None and old_card is None:
                continue
            if status == "D":
                self._delete(new_card, seq)
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
        self.dirty.add(card)
        if card in self.live:
            self.deleted.append(self.live.pop(card))
        fields = new.fields_with(self.key_lines) if new else {}
        values = tuple((k, fields[k]) for k in TRACKED if k in fields)
        self.live[card] = [(seq, card, None, _CREATED | _BODY, tuple(fields), values)]

    def _delete(self, card: str | None, seq: int) -> None:
        if card and card in self.live:
            self.dirty.add(card)
            changes = changes_of(self.live.pop(card), self.store)
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
        self.dirty.add(old_card)
        self.dirty.add(card)
        changes = changes_of(self.live.pop(old_card, None), self.store)
        if card in self.live:
            self.deleted.append(self.live.pop(card))
        old, new = summaries.get(old_blob), summaries.get(new_blob)
        keys: tuple[str, ...] = ()
        values: tuple[tuple[str, str | None], ...] = ()
        if old is None or new is None:  # unreadable blob (submodule, partial clone)
            flags = _BODY
        else:
            flags = _BODY if old.body != new.body else 0
            if old.front != new.front:  # same bytes, same fields: nothing to split
                before, after = old.fields_with(self.key_lines), new.fields_with(self.key_lines)
                if before.keys() == after.keys():  # the usual case: values edited in place
                    keys = tuple(k for k, v in before.items() if after[k] != v)
                else:
                    keys = tuple(
                        k
                        for k in (*before, *(k for k in after if k not in before))
                        if before.get(k) != after.get(k)
                    )
                if keys:
                    values = tuple((k, after.get(k)) for k in TRACKED if k in keys)
        if changes is None:  # the card predates what we walked (shallow boundary)
            changes = []
        changes.append((seq, card, old_card if old_card != card else None, flags, keys, values))
        self.live[card] = changes


def _record(record: bytes, prefix: str) -> tuple[Header, list[Entry]]:
    head, _, rest = record.partition(b"\0")
    sha, name, email, stamp, c_name, c_email = head.decode("utf-8", "replace").split("\x1f")
    entries = _raw_entries(rest, prefix)
    # Most commits name neither file: one search of the bytes spares a look at each path.
    roster = _touches_roster(entries) if b"people.yaml" in rest or b".mailmap" in rest else 0
    return (sha, name, email, int(stamp or 0), c_name, c_email, roster), entries


# (sha, author name, author e-mail, author time, committer name, committer e-mail,
# 1 when the commit changed the roster: people.yaml or .mailmap anywhere in the repo)
Header = tuple[str, str, str, int, str, str, int]
ROSTER_FILES = ("people.yaml", ".mailmap")


def _touches_roster(entries: list[Entry]) -> int:
    for entry in entries:
        for path in (entry[3], entry[4]):
            if path and path.rpartition("/")[2] in ROSTER_FILES:
                return 1
    return 0


Entry = tuple[str, str, str, str | None, str, str | None, str | None]
Replay = Callable[[Header, list[Entry], Mapping[str, "_Summary"]], None]


def _raw_entries(rest: bytes, prefix: str) -> list[Entry]:
    """``(status, old blob, new blob, old path, new path, old card, new card)`` from
    ``--raw -z`` output; a card path is relative to the knowledge repo (None: not a card)."""
    tokens = rest.split(b"\0")
    entries: list[Entry] = []
    index, count = 0, len(tokens)
    cut = len(prefix)
    while index < count:
        token = tokens[index]
        index += 1
        if token[:1] != b":":
            token = token.lstrip(b"\n")
            if token[:1] != b":":
                continue
        _, _, old_blob, new_blob, status = token.decode().split(" ", 4)
        status = status[:1]
        old_path: str | None = None
        old_card: str | None = None
        if status == "R" or status == "C":
            old_path = tokens[index].decode("utf-8", "surrogateescape")
            new_path = tokens[index + 1].decode("utf-8", "surrogateescape")
            index += 2
            if status == "C":
                status, old_path = "A", None
            elif old_path.endswith(".md") and old_path.startswith(prefix):
                old_card = old_path[cut:]
        else:
            new_path = tokens[index].decode("utf-8", "surrogateescape")
            index += 1
        new_card = (
            new_path[cut:] if new_path.endswith(".md") and new_path.startswith(prefix) else None
        )
        entries.append((status, old_blob, new_blob, old_path, new_path, old_card, new_card))
    return entries


_CHUNK = 1 << 20


def _widen(pipe: Any) -> None:
    """A 1 MB pipe where Linux allows it (64 KB by default): the loop wakes up, and
    git blocks on a full pipe, a sixteenth as often."""
    import fcntl

    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)
    if pipe is not None and setpipe is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), setpipe, _CHUNK)


def _wait(reading: list[int], blobs: _Blobs) -> tuple[list[int], list[int]]:
    """The pipes ready to read or write (git log's, and cat-file's while it runs)."""
    reading = reading + blobs.reading()
    writing = blobs.writing()
    if not reading and not writing:
        return [], []
    ready = select.select(reading, writing, [])
    return ready[0], ready[1]


class _Blobs:
    """One ``git cat-file --batch``: the blob ids asked for go in, summaries come out, and
    each commit is replayed (in order) once every blob asked for up to it has come back.

    Its pipes are driven by the pass's loop, never blocking: ids are written only when
    git can take them, answers read only when they are there.
    """

    def __init__(self, root: Path, replay: Replay) -> None:
        self.root = root
        self.replay = replay
        self.asked: set[str] = set()
        self.pending: list[str] = []
        self.outgoing = bytearray()
        self.incoming = b""
        self.summaries: dict[str, _Summary] = {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.stdin: int | None = None
        self.stdout: int | None = None
        self.ending = False  # git log is done: close cat-file's input once it is sent
        # Commits waiting for their blobs: (blobs asked for up to this commit, header, entries).
        self.waiting: deque[tuple[int, Header, list[Entry]]] = deque()
        self.requested = 0  # blob ids handed over so far (each gets one answer)
        self.answered = 0

    def want(self, blob: str) -> None:
        if blob != _ZERO and blob not in self.asked:
            self.asked.add(blob)
            self.pending.append(blob)

    def queue(self, header: Header, entries: list[Entry]) -> None:
        """A commit to replay once the blobs asked for so far have come back."""
        self.waiting.append((self.requested + len(self.pending), header, entries))
        if not self.pending and self.answered >= self.requested:
            self._replay_ready()

    def send(self) -> None:
        """Queue the ids asked for so far for cat-file (written as the pipe takes them)."""
        if not self.pending:
            return
        if self.proc is None:
            self._start()
        self.requested += len(self.pending)
        self.outgoing += ("\n".join(self.pending) + "\n").encode()
        self.pending.clear()

    def last(self) -> None:
        """git log is done: send what is left, then close cat-file's input."""
        self.send()
        self.ending = True
        self._close_input()

    def _start(self) -> None:
        self.proc = git_runner.popen(
            self.root, "cat-file", "--batch", "--buffer", read_only=True, stdin=True, stderr=False
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin, self.stdout = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        os.set_blocking(self.stdin, False)
        _widen(self.proc.stdout)

    def busy(self) -> bool:
        return self.stdout is not None

    def reading(self) -> list[int]:
        return [self.stdout] if self.stdout is not None else []

    def writing(self) -> list[int]:
        return [self.stdin] if self.stdin is not None and self.outgoing else []

    def step(self, readable: list[int], writable: list[int]) -> None:
        if self.stdin is not None and self.stdin in writable:
            try:
                written = os.write(self.stdin, self.outgoing)
            except BlockingIOError:
                written = 0
            except BrokenPipeError:  # git died: what it did not answer counts as unreadable
                written = len(self.outgoing)
            del self.outgoing[:written]
            self._close_input()
        if self.stdout is not None and self.stdout in readable:
            chunk = os.read(self.stdout, _CHUNK)
            if not chunk:
                self.stdout = None
                return
            self._answers(self.incoming + chunk if self.incoming else chunk)
            self._replay_ready()

    def _close_input(self) -> None:
        if self.ending and not self.outgoing and self.proc is not None and self.stdin is not None:
            assert self.proc.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
            self.stdin = None

    def _answers(self, data: bytes) -> None:
        """Summarise every whole answer in ``data``; keep the rest for the next chunk."""
        pos, size = 0, len(data)
        summaries = self.summaries
        while True:
            eol = data.find(b"\n", pos)
            if eol < 0:
                break
            parts = data[pos:eol].split()
            if len(parts) != 3:  # "<sha> missing"
                pos = eol + 1
                self.answered += 1
                continue
            end = eol + 1 + int(parts[2])
            if end + 1 > size:
                break
            summaries[parts[0].decode()] = _summarise(data[eol + 1 : end])
            pos = end + 1
            self.answered += 1
        self.incoming = data[pos:]

    def _replay_ready(self) -> None:
        waiting, answered = self.waiting, self.answered
        while waiting and waiting[0][0] <= answered:
            _, header, entries = waiting.popleft()
            self.replay(header, entries, self.summaries)

    def close(self) -> None:
        """Stop cat-file (after an error) and close its pipes."""
        if self.proc is None:
            return
        if self.stdout is not None:  # ended early: do not wait for answers
            self.proc.kill()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
        self.proc.wait()

    def finish(self) -> None:
        """Replay what is left, in order (blobs git never answered count as unreadable)."""
        self.answered = self.requested
        self._replay_ready()


def _summarise(data: bytes) -> _Summary:
    """Front matter bytes and body hash of a blob, the same split ``split_fields`` makes
    (``core.front_matter``'s grammar), found on the bytes so that the body is never
    decoded or split into lines."""
    span = front_matter.locate_bytes(data)
    if span is None:
        if data.startswith(b"---"):  # an opening line split_fields rejects: all body
            return _Summary(_body_hash(data), None)
        return _Summary(_hash(data), None)
    if not span.closed:  # never closed: it is all body
        return _Summary(_body_hash(data), None)
    return _Summary(_body_hash(data[span.body :]), data[span.fence : span.close_end])


def _body_hash(body: bytes) -> tuple[int, int]:
    """The body as text, for comparing two versions within one pass: its length and
    Python's hash of its bytes (siphash, a few times faster than a cryptographic hash;
    the value never leaves the process). Invalid UTF-8 is compared as it decodes
    (replaced), as the card reader sees it."""
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            body = body.decode("utf-8", "replace").encode()
    return len(body), hash(body)


def _hash(data: bytes) -> tuple[int, int]:
    return len(data), hash(data)


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


def _is_ancestor(root: Path, old: str, new: str) -> bool:
    result = git_runner.run(
        root, "merge-base", "--is-ancestor", old, new, read_only=True, check=False
    )
    return result.returncode == 0


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
            created=bool(flags & _CREATED),
            deleted=bool(flags & _DELETED),
            body_changed=bool(flags & _BODY),
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


def uncommitted(root: Path, paths: Sequence[str]) -> set[str]:
    """Which of ``paths`` (relative to ``root``) differ from HEAD or are untracked."""
    if not paths:
        return set()
    result = git_runner.run(
        root,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--no-renames",
        "--",
        *paths,
        read_only=True,
        check=False,
    )
    if result.returncode != 0:
        return set()
    top = git_runner.run(root, "rev-parse", "--show-prefix", read_only=True, check=False)
    prefix = git_runner.path(top.stdout).strip()
    found = set()
    for entry in result.stdout.split(b"\0"):
        if len(entry) > 3:
            path = git_runner.path(entry[3:])
            found.add(path[len(prefix) :] if prefix and path.startswith(prefix) else path)
    return found
