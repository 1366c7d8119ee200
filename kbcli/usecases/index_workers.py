"""A whole rebuild's documents prepared in worker processes, one per core.

Preparing a card's document (parse its front matter, guess its language, analyse its
text into terms) is Python work, one core's worth; adding it to Tantivy is cheap next to
it. So above ``PARALLEL_MIN`` cards to build, forked workers prepare chunks of cards
while this process adds the finished documents, in the order of the cards, as they come
back (``forked_map``). The per-card cache and the language detector of each worker send
what they gained with each chunk, and this process keeps it as if it had done the work:
the documents, the order they are added in and the caches written are the same as one
process's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kbcli.adapters.tantivy_writer import Spread
    from kbcli.usecases.search_index import _Rebuild

PARALLEL_MIN = 600  # fewer cards to build: forking and sending results back costs more
CHUNK = 64  # cards per job: small enough to keep both sides busy, big enough to be cheap


def wanted_workers() -> int | None:
    """``KB_INDEX_WORKERS`` (None: not set, one per core); a value that is not a whole
    number is the user's error, said before the rebuild starts."""
    wanted = os.environ.get("KB_INDEX_WORKERS")
    if wanted is None or wanted.strip() == "":
        return None
    if not wanted.strip().isdigit():
        from kbcli.errors import ConfigError

        raise ConfigError(
            f"KB_INDEX_WORKERS={wanted!r} is not a number of worker processes; "
            "set a whole number (0: none) or unset it"
        )
    return int(wanted)


def workers_for(count: int, wanted: int | None = None) -> int:
    """How many worker processes prepare ``count`` documents (0: this process does);
    ``wanted``: ``KB_INDEX_WORKERS`` as ``wanted_workers`` read it."""
    from kbcli.adapters.forked_map import cores

    if wanted is not None:
        return wanted if count >= CHUNK else 0
    cpus = cores()
    if cpus < 2 or count < PARALLEL_MIN:
        return 0
    return cpus


def spreader(rebuild: _Rebuild, held: tuple[str, ...] = ()) -> Spread:
    """``tantivy_writer.Spread`` for a whole rebuild: workers when there is enough to do.
    ``held``: the files this process holds locked while the workers run (the index
    writer's), which the workers let go of."""
    wanted = wanted_workers()  # here: a bad value stops kb before the index is touched

    def spread(
        build: Callable[[Any], Any], items: Iterator[Any], count: int
    ) -> Iterator[tuple[Any, Any]]:
        from kbcli.adapters.forked_map import ordered_map

        workers = workers_for(count, wanted)
        if not workers:
            yield from ((item, build(item)) for item in items)
            return
        # The first chunk here: it loads what every worker needs (the parser, the
        # caches, the stemmers), so the forked workers inherit it. Its documents are
        # given once the workers run: the index writer is taken for the first one,
        # and a worker forked while it is held would hold its lock too.
        first = [(item, build(item)) for item in islice(items, CHUNK)]
        if len(first) < CHUNK:
            yield from first
            return

        def job(chunk: list[Any]) -> tuple[list[Any], Any]:
            rebuild.take()  # a fresh worker's copy of this process's: not new
            return [build(item) for item in chunk], rebuild.take()

        mapped = ordered_map(job, items, workers, CHUNK, release=held)
        done = next(mapped, None)  # forks the workers, then waits for the first chunk
        yield from first
        while done is not None:
            chunk, (built, new) = done
            rebuild.add(new)
            yield from zip(chunk, built, strict=True)
            done = next(mapped, None)

    return spread
