"""Bootstrap intervals for MRR@10 from ``evaluate.py --json`` output.

    python bench/relevance/bootstrap.py RUN.json               # MRR@10 per set and contender
    python bench/relevance/bootstrap.py RUN.json --paired      # kb - rank_bm25, per set
    python bench/relevance/bootstrap.py BEFORE.json AFTER.json # kb after - kb before, per set

Each set's questions are resampled with replacement (``--resamples``, seed ``--seed``);
the interval is the 2.5th-97.5th percentile of the resampled mean (of the reciprocal rank,
or of its difference per question: a paired bootstrap). A question not in the first 10
counts 0. With a few dozen questions per half the interval is wide: read it before reading
a difference. ``--sets-in FOLDER``: only the questions also in that folder's set files (an
older copy of ``sets/``, e.g. ``git archive COMMIT bench/relevance/sets``), to report a
half as it was before questions were appended.

(Until 2026-12-07 the paired mode was a second script, ``paired.py``, with 5,000 resamples
by default: its figures in bench/README.md reproduce exactly with ``--resamples 5000``. The
per-contender intervals now draw with ``choices`` as the paired ones did; on the enlarged
test half their ends moved by at most 0.004 from the earlier script's.)
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

CONTENDERS = ("kb", "bm25", "dense", "kb+B")
Question = dict[str, Any]


def reciprocal(rank: object) -> float:
    return 1 / rank if isinstance(rank, int) and 0 < rank <= 10 else 0.0


def interval(values: Sequence[float], resamples: int, rng: random.Random) -> tuple[float, float]:
    n = len(values)
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(resamples))
    return means[int(0.025 * resamples)], means[int(0.975 * resamples) - 1]


def questions(run: Path, sets_in: Path | None) -> list[Question]:
    found: list[Question] = json.loads(run.read_text(encoding="utf-8"))["questions"]
    if sets_in is None:
        return found
    import yaml

    kept = {
        (file.stem, entry["q"])
        for file in sets_in.glob("*.yaml")
        for entry in yaml.safe_load(file.read_text(encoding="utf-8"))
    }
    return [q for q in found if (q["set"], q["q"]) in kept]


def differences(before: list[Question], after: list[Question] | None) -> dict[str, list[float]]:
    """Per set, each question's difference (after's kb - before's kb, or kb - bm25)."""
    out: dict[str, list[float]] = defaultdict(list)
    if after is None:
        for q in before:
            out[q["set"]].append(reciprocal(q["kb"]) - reciprocal(q["bm25"]))
        return out
    was = {(q["set"], q["q"], q["expect"]): q["kb"] for q in before}
    for q in after:
        key = (q["set"], q["q"], q["expect"])
        if key in was:
            out[q["set"]].append(reciprocal(q["kb"]) - reciprocal(was[key]))
    return out


def print_levels(found: list[Question], resamples: int, seed: int) -> None:
    by_set: dict[str, list[Question]] = defaultdict(list)
    for q in found:
        by_set[str(q["set"])].append(q)
    print("| set | n | contender | MRR@10 | 95% interval |\n|---|---|---|---|---|")
    for name, items in by_set.items():
        for who in CONTENDERS:
            if who not in items[0]:
                continue
            values = [reciprocal(q[who]) for q in items]
            low, high = interval(values, resamples, random.Random(seed))
            mean = sum(values) / len(values)
            print(f"| {name} | {len(values)} | {who} | {mean:.3f} | {low:.3f}-{high:.3f} |")


def print_differences(by_set: dict[str, list[float]], resamples: int, seed: int) -> None:
    rng = random.Random(seed)
    print("| set | n | difference | 95% interval |\n|---|---|---|---|")
    for name, values in sorted(by_set.items()):
        low, high = interval(values, resamples, rng)
        mean = sum(values) / len(values)
        print(f"| {name} | {len(values)} | {mean:+.3f} | [{low:+.3f}, {high:+.3f}] |")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="one or two evaluate.py --json files")
    parser.add_argument("--paired", action="store_true", help="one file: kb - rank_bm25")
    parser.add_argument("--resamples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--sets-in", type=Path, help="only the questions of these set files")
    args = parser.parse_args(argv)
    if len(args.runs) > 2:
        parser.error("one or two files")
    first = questions(args.runs[0], args.sets_in)
    if len(args.runs) == 2:
        second = questions(args.runs[1], args.sets_in)
        print_differences(differences(first, second), args.resamples, args.seed)
    elif args.paired:
        print_differences(differences(first, None), args.resamples, args.seed)
    else:
        print_levels(first, args.resamples, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
