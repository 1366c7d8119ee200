"""Where the Python side of kb's cold history pass spends its CPU, part by part.

Runs one cold pass (a fresh cache in a temporary folder) over the repository given,
with the pass's parts wrapped in ``time.process_time`` counters: parsing git log's
records, summarising the blobs cat-file sends back, asking for blobs (which includes
reading, hashing and summarising the versions taken from the work tree), replaying
commits onto the state (and, inside it, splitting front matter), writing the cache.
"rest" is the pass's loop itself (pipe reads, queues) and what was not wrapped. The
git processes' CPU is reported apart (``RUSAGE_CHILDREN``). Wrapping costs a little:
read the shares, not the absolute times, and time the whole pass with
``history_bench.py``.

Example: python bench/history_breakdown.py REPO
"""

from __future__ import annotations

import gc
import resource
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SPENT: defaultdict[str, float] = defaultdict(float)
# (module, attribute, label); labels starting with a space are inside another part.
PARTS = (
    ("kbcli.adapters.history_pass", "parse_record", "parse git log records"),
    ("kbcli.adapters.blob_batch:BlobBatch", "_answers", "summarise cat-file's blobs"),
    ("kbcli.adapters.blob_batch:BlobBatch", "want", "ask for blobs (work-tree reads)"),
    ("kbcli.adapters.history_pass:HistoryPass", "_replay", "replay commits"),
    ("kbcli.adapters.history_pass:HistoryPass", "_fields", "  split front matter (in replay)"),
    ("kbcli.adapters.git_history", "write_state", "write the cache"),
    ("kbcli.adapters.worktree_blobs", "index_blobs", "list the index (git ls-files)"),
)


def wrap(owner: Any, name: str, label: str) -> None:
    inner = getattr(owner, name)
    clock = time.process_time

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = clock()
        try:
            return inner(*args, **kwargs)
        finally:
            SPENT[label] += clock() - start

    setattr(owner, name, timed)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    import importlib

    gc.disable()  # as the commands do (kbcli/cli/gc_pause.py)
    for where, name, label in PARTS:
        module_name, _, class_name = where.partition(":")
        module = importlib.import_module(module_name)
        wrap(getattr(module, class_name) if class_name else module, name, label)
    from kbcli.adapters.git_history import load_history

    with tempfile.TemporaryDirectory() as cache:
        start = time.process_time()
        history = load_history(Path(sys.argv[1]), Path(cache), allow_shallow=True)
        total = time.process_time() - start
    assert history is not None
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{len(history.cards)} cards, {history.commit_count} commits")
    print(f"{'python, whole pass':40s} {total:7.3f} s CPU")
    for label, spent in sorted(SPENT.items(), key=lambda item: -item[1]):
        print(f"{label:40s} {spent:7.3f}")
    outer = sum(spent for label, spent in SPENT.items() if not label.startswith(" "))
    print(f"{'rest (loop, pipes, queues)':40s} {total - outer:7.3f}")
    print(f"{'git processes':40s} {children.ru_utime + children.ru_stime:7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
