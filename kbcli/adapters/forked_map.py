"""Work on a stream of items in forked worker processes, the results back in order.

A fork-started worker inherits everything this process has set up (parsers, models,
caches), so a chunk of items is its whole job: no per-worker imports, no pickled
functions. Chunks are taken from the stream as results come back (two per worker in
flight), so the items are read as they are needed, not all at once, and this process
consumes each chunk's results while the workers prepare the next ones.

Workers ignore Ctrl-C: the parent gets it, ends them and raises it as usual (as it does
any error, or when the results are no longer wanted). A worker whose parent ended
(killed) ends too, and holds none of the parent's file locks named in ``release``: the
kernel keeps a ``flock`` while any process has the file open, and a worker outlives its
killed parent by a moment (longer under load).

Written by hand rather than on ``concurrent.futures.ProcessPoolExecutor``: with it, a
Ctrl-C printed a traceback from every worker (each got the SIGINT and raised in its
queue-reading loop) and one during the pool's start-up left workers nobody stopped.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

AHEAD = 2  # chunks in flight per worker: one to work on, one waiting for it
_JOB: Callable[[list[Any]], Any] | None = None


def cores() -> int:
    """The cores this process may run on (1 where processes cannot fork)."""
    if not hasattr(os, "fork"):
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _quiet_worker(parent: int, release: tuple[str, ...]) -> None:
    """Ctrl-C is the parent's to handle; a worker ends with its parent, however the
    parent ends (SIGKILL included): orphans would wait for work forever."""
    import signal

    _let_go(release)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # blocked by the fork
    if hasattr(os, "sched_getaffinity"):  # Linux: prctl(PR_SET_PDEATHSIG, SIGKILL)
        import contextlib
        import ctypes

        with contextlib.suppress(AttributeError, OSError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)


def _let_go(paths: tuple[str, ...]) -> None:
    """Point this worker's descriptors of the files ``paths`` at /dev/null: the parent's
    locks on them then end with the parent, not with the last of its workers (the numbers
    stay taken, so nothing inherited ever writes to another file)."""
    wanted = set()
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue
        wanted.add((st.st_dev, st.st_ino))
    if not wanted:
        return
    try:
        numbers = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc: every descriptor number up to the limit
        numbers = list(range(3, min(os.sysconf("SC_OPEN_MAX"), 65536)))
    null = os.open(os.devnull, os.O_RDWR)
    for fd in numbers:
        try:
            st = os.fstat(fd)
        except OSError:
            continue
        if fd != null and (st.st_dev, st.st_ino) in wanted:
            os.dup2(null, fd)
    os.close(null)


def ordered_map(
    job: Callable[[list[T]], R],
    items: Iterable[T],
    workers: int,
    chunk: int,
    meanwhile: Callable[[], None] | None = None,
    ahead: int = AHEAD,
    share: bool = False,
    release: tuple[str, ...] = (),
) -> Generator[tuple[list[T], R], None, None]:
    """``(chunk, job(chunk))`` for each successive ``chunk``-sized slice of ``items``, in
    order; ``job`` runs in ``workers`` forked processes (0: here, one chunk at a time).
    ``meanwhile`` runs here once the workers have their first chunks (with 0 workers,
    before the first chunk), before any result is read; ``ahead`` chunks per worker are
    in flight (more: the workers keep busy while ``meanwhile`` runs, but more of
    ``items`` is read at once).

    ``share``: every chunk is sent at once, and once ``meanwhile`` is done this process
    works too, taking chunks from the end while the workers go on from the front (a
    worker skips a chunk this process took), until the two meet: a ``meanwhile`` shorter
    than the workers' share no longer leaves this process waiting with a core idle.

    ``release``: files this process holds locked (a worker lets go of them at once).

    The chunk is this process's own list, not a copy sent back. An exception ``job``
    raises in a worker is raised here, at its chunk.
    """
    stream = iter(items)
    if workers <= 0:
        if meanwhile is not None:
            meanwhile()
        while part := list(islice(stream, chunk)):
            yield part, job(part)
        return
    if share:
        yield from _shared(job, stream, workers, chunk, meanwhile, release)
        return
    yield from _pooled(job, stream, workers, chunk, meanwhile, ahead, release)


class _Claims:
    """Which chunks a process has begun, in memory the forked workers share: each chunk
    is done by the one process that claims it first."""

    def __init__(self, context: Any, count: int) -> None:
        self.taken = context.RawArray("b", count)
        self.lock = context.Lock()

    def take(self, index: int) -> bool:
        with self.lock:
            if self.taken[index]:
                return False
            self.taken[index] = 1
            return True


def _shared(
    job: Callable[[list[T]], R],
    stream: Iterator[T],
    workers: int,
    chunk: int,
    meanwhile: Callable[[], None] | None,
    release: tuple[str, ...],
) -> Iterator[tuple[list[T], R]]:
    """``ordered_map`` with ``share``: the workers get every chunk with its number, and
    answer (False, None) for one this process claimed first; this process claims from
    the last chunk down after ``meanwhile`` and stops at the first a worker has begun."""
    import multiprocessing

    parts: list[list[T]] = []
    while part := list(islice(stream, chunk)):
        parts.append(part)
    claims = _Claims(multiprocessing.get_context("fork"), len(parts))

    def claimed(one: list[tuple[int, list[T]]]) -> tuple[bool, Any]:
        [(number, part)] = one
        return (True, job(part)) if claims.take(number) else (False, None)

    mine: dict[int, R] = {}

    def here() -> None:
        if meanwhile is not None:
            meanwhile()
        for number in reversed(range(len(parts))):
            if not claims.take(number):
                break
            mine[number] = job(parts[number])

    numbered = [(number, part) for number, part in enumerate(parts)]
    # One numbered chunk per "chunk" of the pool: every one is sent before ``here`` runs.
    answers = _pooled(claimed, iter(numbered), workers, 1, here, len(parts), release)
    for [(number, part)], (done, result) in answers:
        yield part, result if done else mine[number]


def _pooled(
    job: Callable[[list[T]], R],
    stream: Iterator[T],
    workers: int,
    chunk: int,
    meanwhile: Callable[[], None] | None,
    ahead: int,
    release: tuple[str, ...],
) -> Iterator[tuple[list[T], R]]:
    """Chunk ``k`` goes to worker ``k % workers``, ``ahead`` chunks each in flight; a
    worker gets its next chunk as soon as its result is read. Threads of the worker read
    its chunks and send its results as the pipes allow, so this process never waits to
    send one, a worker never waits for this process to read, and no thread of this
    process waits on a worker."""
    import gc
    import multiprocessing

    global _JOB
    _JOB = job
    # Forked workers share this process's memory until they write to it; the collector
    # walking every object would copy it all. Frozen objects are left alone.
    gc.freeze()
    context = multiprocessing.get_context("fork")
    started: list[tuple[Any, Any, Any]] = []  # (process, its chunks, its results)
    try:
        for _ in range(workers):
            _start(context, started, release)
        pending: deque[tuple[list[T], Any, Any]] = deque()
        for _ in range(ahead):
            for _process, send, receive in started:
                if part := list(islice(stream, chunk)):
                    send.send(part)
                    pending.append((part, send, receive))
        if meanwhile is not None:
            meanwhile()
        while pending:
            part, send, receive = pending.popleft()
            result = _received(receive)
            if following := list(islice(stream, chunk)):
                send.send(following)
                pending.append((following, send, receive))
            yield part, result
    finally:
        # Done, Ctrl-C, an error, or results no longer wanted: the workers end now.
        for process, send, receive in started:
            if process.is_alive():
                process.kill()
            process.join()
            send.close()
            receive.close()
        _JOB = None
        gc.unfreeze()


def _start(context: Any, started: list[tuple[Any, Any, Any]], release: tuple[str, ...]) -> None:
    """Fork one worker and add it, with its two pipes, to ``started``."""
    import signal

    inbox, to_worker = context.Pipe(duplex=False)
    from_worker, outbox = context.Pipe(duplex=False)
    arguments = (inbox, outbox, os.getpid(), release)
    process = context.Process(target=_serve, args=arguments, daemon=True)
    # Ctrl-C waits while a worker is forked and recorded (it was born with this
    # process's handler, so it would raise there); the worker ignores it from then on.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        process.start()
        started.append((process, to_worker, from_worker))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        inbox.close()
        outbox.close()


def _received(conn: Any) -> Any:
    """A worker's result, or the error it raised, raised here."""
    try:
        done, value = conn.recv()
    except EOFError:
        raise RuntimeError("a worker process ended unexpectedly") from None
    if not done:
        raise value
    return value


def _serve(inbox: Any, outbox: Any, parent: int, release: tuple[str, ...]) -> None:
    """A worker: ``_JOB`` on each chunk received, until the parent closes its pipe. A
    thread sends the results (pickled here), so the next chunk is worked on while this
    process is busy elsewhere."""
    import queue
    import threading
    from multiprocessing.reduction import ForkingPickler

    _quiet_worker(parent, release)
    parts: queue.SimpleQueue[Any] = queue.SimpleQueue()
    answers: queue.SimpleQueue[bytes] = queue.SimpleQueue()

    def read() -> None:
        while True:
            try:
                parts.put(inbox.recv())
            except (EOFError, OSError):
                parts.put(None)
                return

    def write() -> None:
        while True:
            try:
                outbox.send_bytes(answers.get())
            except OSError:  # the parent is gone or has stopped reading
                return

    threading.Thread(target=read, daemon=True).start()
    threading.Thread(target=write, daemon=True).start()
    while (part := parts.get()) is not None:
        try:
            answer: tuple[bool, Any] = (True, _JOB(part) if _JOB is not None else None)
        except Exception as error:  # raised in the parent, at its chunk
            answer = (False, error)
        try:
            answers.put(bytes(ForkingPickler.dumps(answer)))
        except Exception as error:  # an error that cannot be pickled
            answers.put(bytes(ForkingPickler.dumps((False, RuntimeError(repr(error))))))
