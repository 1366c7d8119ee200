"""The related lists' whole pass (``core.related.scored_similar``) over a repository's
kept term counts: CPU time and a digest of the lists and vectors, to compare two trees.

    python bench/related_pass.py REPO [--rounds N]

REPO is a knowledge repo a ``kb build`` has run in (it keeps every card's term counts in
``.kb/card-terms.marshal``). The entries are read whatever code wrote them (a benchmark,
not a build: a build reads them only under its own code's key). Run it with each tree on
PYTHONPATH; for instruction counts, under ``valgrind --tool=cachegrind --cache-sim=no``
with ``--rounds 1`` and once with ``--rounds 0`` (the loading alone).
"""

from __future__ import annotations

import argparse
import hashlib
import marshal
import time
from pathlib import Path

from kbcli.core.related import scored_similar
from kbcli.usecases.related import RELATED_LIMIT, SharedTerms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = (args.repo / ".kb" / SharedTerms.FILE).read_bytes()
    entries = marshal.loads(data[len(SharedTerms.MAGIC) + 4 :])[1]  # (key, entries)
    cards = [(path, entries[path][1]) for path in sorted(entries)]
    paths = {path for path, _ in cards}
    for _ in range(args.rounds):
        start = time.process_time()
        vectors: dict[str, dict[str, float]] = {}
        lists = scored_similar(cards, RELATED_LIMIT, paths, links={}, keep=vectors)
        spent = time.process_time() - start
        digest = hashlib.md5(marshal.dumps(sorted(lists.items())))
        digest.update(marshal.dumps(sorted(vectors.items())))
        print(f"{len(cards)} cards: {spent:.3f} s CPU, lists and vectors {digest.hexdigest()}")


if __name__ == "__main__":
    main()
