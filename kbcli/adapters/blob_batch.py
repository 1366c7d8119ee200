"""One ``git cat-file --batch`` for the history pass: blob ids in, version summaries out.

A version's summary is what the pass compares between two versions of a card:
``(front matter bytes or None, body length, body hash)``. It is computed on the bytes
as they arrive, in the pipe's own buffer (the front matter found by
``core.front_matter``'s grammar, the body hashed, neither decoded), and kept by blob
id: a blob is asked for once per pass, however many cards, renames or commits name it.

The pipes are driven by the pass's one loop (``history_pass.py``), never blocking: ids
are written only when git can take them, answers read only when they are there. Each
commit is replayed, in order, once every blob asked for up to it has come back.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.adapters import git_runner
from kbcli.adapters.worktree_blobs import read_blob
from kbcli.core import front_matter

if TYPE_CHECKING:
    import subprocess

    from kbcli.adapters.git_log_records import Entry, Header

# (front matter bytes from the opening line to the end of the closing line, or None;
#  body length; body hash): see ``summarise``.
Summary = tuple[bytes | None, int, int]
Replay = Callable[["Header", "list[Entry]", Mapping[bytes, Summary]], None]

CHUNK = 1 << 20
_closed_header = front_matter.closed_header_bytes


def widen(pipe: Any) -> None:
    """A 1 MB pipe where Linux allows it (64 KB by default): the loop wakes up, and
    git blocks on a full pipe, a sixteenth as often."""
    import fcntl

    setpipe = getattr(fcntl, "F_SETPIPE_SZ", None)
    if pipe is not None and setpipe is not None:
        with contextlib.suppress(OSError):
            fcntl.fcntl(pipe.fileno(), setpipe, CHUNK)


class BlobBatch:
    """The cat-file process of one pass, its queues and the summaries it gave."""

    def __init__(self, root: Path, replay: Replay, tips: Mapping[bytes, bytes]) -> None:
        self.root = root
        self.replay = replay
        # Blob id -> the file under ``root`` the index lists with it: read from the work
        # tree when the file still hashes to it (``worktree_blobs.py``).
        self.tips = tips
        self.top = os.fsencode(root)
        self.pending: list[bytes] = []
        self.outgoing = bytearray()
        self.incoming = b""
        # Blob id -> summary; an id asked for and not answered yet maps to nothing.
        self.summaries: dict[bytes, Summary] = {}
        self.asked: set[bytes] = set()
        self.proc: subprocess.Popen[bytes] | None = None
        self.stdin: int | None = None
        self.stdout: int | None = None
        self.ending = False  # git log is done: close cat-file's input once it is sent
        # Commits waiting for their blobs: (blobs asked for up to this commit, header, entries).
        self.waiting: deque[tuple[int, Header, list[Entry]]] = deque()
        self.requested = 0  # blob ids handed over so far (each gets one answer)
        self.answered = 0

    def want(self, blob: bytes) -> None:
        """Ask for ``blob`` unless it was asked for before in this pass."""
        if blob not in self.asked:
            self.asked.add(blob)
            path = self.tips.get(blob)
            if path is not None:
                data = read_blob(self.top, path, blob)
                if data is not None:
                    self.summaries[blob] = summarise(data)
                    return
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
        self.outgoing += b"\n".join(self.pending)
        self.outgoing += b"\n"
        self.pending.clear()
        self.flush()

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
        widen(self.proc.stdout)

    def busy(self) -> bool:
        return self.stdout is not None

    def reading(self) -> list[int]:
        return [self.stdout] if self.stdout is not None else []

    def writing(self) -> list[int]:
        return [self.stdin] if self.stdin is not None and self.outgoing else []

    def step(self, readable: list[int], writable: list[int]) -> int:
        """Write what cat-file can take, read what it answered; the bytes read."""
        if self.stdin is not None and self.stdin in writable:
            self.flush()
        if self.stdout is None or self.stdout not in readable:
            return 0
        chunk = os.read(self.stdout, CHUNK)
        if not chunk:
            self.stdout = None
            return 0
        self._answers(self.incoming + chunk if self.incoming else chunk)
        self._replay_ready()
        return len(chunk)

    def flush(self) -> None:
        """Write as many queued ids as the pipe takes now (never blocking)."""
        if self.stdin is None or not self.outgoing:
            return
        try:
            written = os.write(self.stdin, self.outgoing)
        except BlockingIOError:
            written = 0
        except BrokenPipeError:  # git died: what it did not answer counts as unreadable
            written = len(self.outgoing)
        del self.outgoing[:written]
        self._close_input()

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
        answered = self.answered
        find = data.find
        while True:
            eol = find(b"\n", pos)
            if eol < 0:
                break
            parts = data[pos:eol].split()
            if len(parts) != 3:  # "<id> missing"
                pos = eol + 1
                answered += 1
                continue
            end = eol + 1 + int(parts[2])
            if end >= size:  # the answer (and its newline) is not all here yet
                break
            summaries[parts[0]] = summarise(data, eol + 1, end)
            pos = end + 1
            answered += 1
        self.answered = answered
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


def summarise(data: bytes, start: int = 0, end: int | None = None) -> Summary:
    """The summary of the blob ``data[start:end]``: its front matter bytes and its body's
    length and hash, the split ``core.history.split_fields`` makes (``core.front_matter``'s
    grammar), found where the blob lies in the pipe's buffer, so that only the body is
    copied out and it is never decoded or split into lines."""
    if end is None:
        end = len(data)
    span = _closed_header(data, start, end)
    if span is not None:
        fence, close = span
        return data[fence:close], *_body_hash(data[close + 1 : end])
    blob = data[start:end]
    if blob.startswith(b"---") or front_matter.locate_bytes(blob) is not None:
        return (None, *_body_hash(blob))  # never closed, or an opening split_fields rejects
    return None, len(blob), hash(blob)


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
