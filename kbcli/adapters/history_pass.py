"""The history pass: ``git log`` and ``git cat-file`` streamed at once, replayed onto a state.

``git log --reverse -M --raw -z`` lists, for every non-merge commit, the files it
changed with their old and new blob ids (renames detected). For card files the blobs
are read through one ``git cat-file --batch`` (``blob_batch.py``), each blob once, and
the two versions of a change compared: the front matter bytes, then (only when they
differ) key by key, and the body by length and hash. That tells a verification
(``verified_at`` changed) from a content edit. Never one git call per file.

Merge commits follow ``git log``'s default: a merge shows no changes of its own, so
the edits it brings in are attributed to the commits that made them on their branch
(the same author and date ``git log -- FILE`` shows).
"""

from __future__ import annotations

import os
import select
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kbcli.adapters import git_runner
from kbcli.adapters.blob_batch import CHUNK, BlobBatch, Summary, widen
from kbcli.adapters.git_log_records import FORMAT, Entry, Header, parse_record
from kbcli.adapters.history_cache import Store, changes_of
from kbcli.core.history import TRACKED, KeyLine, front_fields

CREATED, DELETED, BODY = 1, 2, 4
_NO_FIELDS: dict[str, str] = {}
# A wake-up that read less than this many bytes naps this long before the next one.
_SMALL, _NAP = 64 << 10, 0.001


class HistoryPass:
    """Replays ``git log`` output onto the state: the card histories and file touches."""

    def __init__(self, root: Path, prefix: str, state: dict[str, Any]) -> None:
        self.root = root
        self.prefix = prefix + "/" if prefix else ""
        self.commits: list[Header] = state["commits"]
        # Each card's changes are kept marshalled (bytes) in the cache, so that loading
        # it does not build millions of tuples; a pass decodes only the cards it touches.
        self.live: dict[str, Any] = state["live"]
        self.dirty: set[str] = set()  # cards this pass changed: what the journal records
        self.store: Store | None = state.get("store")
        self.deleted: list[Any] = state["deleted"]
        self.touched: dict[str, int] = state["touched"]
        self.authors: dict[str, int] = state["authors"]
        # Front matter bytes -> its fields, split once however many versions share it;
        # the key-line memo is shared too (most lines repeat across versions).
        self.split: dict[bytes, dict[str, str]] = {}
        self.key_lines: dict[str, KeyLine] = {}

    def run(self, revs: str, tips: Mapping[bytes, bytes] | None = None) -> None:
        """Stream ``git log`` and read the card versions it names through one
        ``git cat-file --batch``, both at once, in one thread.

        One loop waits on both pipes: it parses git log's records as they come, hands
        the blob ids they name to cat-file, summarises the blobs as they come back and
        replays each commit as soon as the last blob it needs has arrived. Nothing
        waits for a thread switch (two Python threads both busy on two cores spent a
        third of the pass trading the interpreter lock) and little is left to do once
        git log ends. ``tips`` (blob id -> file, ``worktree_blobs.index_blobs``): versions
        read from the work tree instead of cat-file where the file is that very blob.
        """
        args = ["log", "--reverse", "-M", "--raw", "--no-abbrev", "-z", "--no-color"]
        args += [FORMAT, revs, "--"]
        log = git_runner.popen(self.root, *args, read_only=True)
        widen(log.stdout)
        assert log.stdout is not None and log.stderr is not None
        stderr = log.stderr
        errors: list[bytes] = []
        drain = threading.Thread(target=lambda: errors.append(stderr.read()), daemon=True)
        drain.start()
        blobs = BlobBatch(self.root, self._replay, tips or {})
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

    def _loop(self, log_fd: int, blobs: BlobBatch) -> None:
        pending = b""
        log_open = True
        prefix = self.prefix
        while log_open or blobs.busy():
            readable, writable = _wait([log_fd] if log_open else [], blobs)
            got = 0
            if log_fd in readable:
                chunk = os.read(log_fd, CHUNK)
                if not chunk:
                    log_open = False
                    if pending:
                        _want(blobs, parse_record(pending, prefix))
                    blobs.last()
                    continue
                got = len(chunk)
                parts = (pending + chunk).split(b"\x1e")
                pending = parts.pop()
                for record in parts:
                    if record:
                        _want(blobs, parse_record(record, prefix))
                blobs.send()
            got += blobs.step(readable, writable)
            if got < _SMALL:
                # Ahead of git: let it fill the pipes a little instead of waking up for
                # every few kilobytes it writes (each wake-up costs system calls).
                time.sleep(_NAP)

    def _replay(
        self, header: Header, entries: list[Entry], summaries: Mapping[bytes, Summary]
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
                self._change(old_card, new_card, seq, summaries.get(old_blob), new_blob, summaries)
            elif status == "R":
                self._delete(old_card, seq)
                if new_card:
                    self._add(new_card, seq, summaries.get(new_blob))
            elif status == "A" and new_card:
                self._add(new_card, seq, summaries.get(new_blob))
            elif new_card:
                self._change(new_card, new_card, seq, summaries.get(old_blob), new_blob, summaries)

    def _fields(self, front: bytes | None) -> dict[str, str]:
        if front is None:
            return _NO_FIELDS
        fields = self.split.get(front)
        if fields is None:
            fields = front_fields(front.decode("utf-8", "replace"), self.key_lines)
            self.split[front] = fields
        return fields

    def _add(self, card: str, seq: int, new: Summary | None) -> None:
        self.dirty.add(card)
        if card in self.live:
            self.deleted.append(self.live.pop(card))
        fields = self._fields(new[0]) if new else _NO_FIELDS
        values = tuple((k, fields[k]) for k in TRACKED if k in fields)
        self.live[card] = [(seq, card, None, CREATED | BODY, tuple(fields), values)]

    def _delete(self, card: str | None, seq: int) -> None:
        if card and card in self.live:
            self.dirty.add(card)
            changes = changes_of(self.live.pop(card), self.store)
            changes.append((seq, card, None, DELETED, (), ()))
            self.deleted.append(changes)

    def _change(
        self,
        old_card: str,
        card: str,
        seq: int,
        old: Summary | None,
        new_blob: bytes,
        summaries: Mapping[bytes, Summary],
    ) -> None:
        self.dirty.add(old_card)
        self.dirty.add(card)
        changes = changes_of(self.live.pop(old_card, None), self.store)
        if card in self.live:
            self.deleted.append(self.live.pop(card))
        new = summaries.get(new_blob)
        keys: tuple[str, ...] = ()
        values: tuple[tuple[str, str | None], ...] = ()
        if old is None or new is None:  # unreadable blob (submodule, partial clone)
            flags = BODY
        else:
            flags = BODY if old[2] != new[2] or old[1] != new[1] else 0
            if old[0] != new[0]:  # same bytes, same fields: nothing to split
                after = self._fields(new[0])
                keys = _changed_keys(self._fields(old[0]), after)
                if keys:
                    values = tuple((k, after.get(k)) for k in TRACKED if k in keys)
        if changes is None:  # the card predates what we walked (shallow boundary)
            changes = []
        changes.append((seq, card, old_card if old_card != card else None, flags, keys, values))
        self.live[card] = changes


def _changed_keys(before: dict[str, str], after: dict[str, str]) -> tuple[str, ...]:
    """The keys whose raw text differs, added and removed ones included, in the order
    of ``before`` then the keys only ``after`` has."""
    if before.keys() == after.keys():  # the usual case: values edited in place
        return tuple(k for k, v in before.items() if after[k] != v)
    return tuple(
        k
        for k in (*before, *(k for k in after if k not in before))
        if before.get(k) != after.get(k)
    )


def _want(blobs: BlobBatch, record: tuple[Header, list[Entry]]) -> None:
    """Ask for the blobs a commit's card changes need, and queue the commit."""
    header, entries = record
    asked = blobs.asked  # most old versions are the new version of a change before
    for status, old_blob, new_blob, _, _, old_card, new_card in entries:
        if new_card or old_card:
            if status != "D" and new_blob not in asked and new_blob.strip(b"0"):
                blobs.want(new_blob)
            if (
                (status == "M" or status == "R" or status == "T")
                and old_blob not in asked
                and old_blob.strip(b"0")
            ):
                blobs.want(old_blob)
    blobs.queue(header, entries)


def _wait(reading: list[int], blobs: BlobBatch) -> tuple[list[int], list[int]]:
    """The pipes ready to read or write (git log's, and cat-file's while it runs)."""
    reading = reading + blobs.reading()
    writing = blobs.writing()
    if not reading and not writing:
        return [], []
    ready = select.select(reading, writing, [])
    return ready[0], ready[1]
