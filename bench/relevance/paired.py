"""Paired bootstrap intervals of MRR@10 differences, from ``evaluate.py --json`` files.

    python bench/relevance/paired.py RUN.json            # kb - rank_bm25, per set
    python bench/relevance/paired.py BEFORE.json AFTER.json   # kb after - kb before

Each set's questions are resampled with replacement (``--resamples``, seed ``--seed``);
the interval is the 2.5th-97.5th percentile of the mean difference in reciprocal rank
(a question not in the first 10 counts 0).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path


def reciprocal(rank: object) -> float:
    return 1 / rank if isinstance(rank, int) and rank <= 10 else 0.0


def differences(before: Path, after: Path | None) -> dict[str, list[float]]:
    """Per set, each question's difference (after's kb - before's kb, or kb - bm25)."""
    first = json.loads(before.read_text(encoding="utf-8"))["questions"]
    out: dict[str, list[float]] = defaultdict(list)
    if after is None:
        for q in first:
            out[q["set"]].append(reciprocal(q["kb"]) - reciprocal(q["bm25"]))
        return out
    second = json.loads(after.read_text(encoding="utf-8"))["questions"]
    was = {(q["set"], q["q"], q["expect"]): q["kb"] for q in first}
    for q in second:
        key = (q["set"], q["q"], q["expect"])
        if key in was:
            out[q["set"]].append(reciprocal(q["kb"]) - reciprocal(was[key]))
    return out


def interval(values: Sequence[float], resamples: int, rng: random.Random) -> tuple[float, float]:
    n = len(values)
    means = sorted(sum(rng.choices(values, k=n)) / n for _ in range(resamples))
    return means[int(0.025 * resamples)], means[int(0.975 * resamples) - 1]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path, help="one or two evaluate.py --json files")
    parser.add_argument("--resamples", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    if len(args.runs) > 2:
        parser.error("one or two files")
    after = args.runs[1] if len(args.runs) == 2 else None
    rng = random.Random(args.seed)
    print("| set | n | difference | 95% interval |\n|---|---|---|---|")
    for name, values in sorted(differences(args.runs[0], after).items()):
        low, high = interval(values, args.resamples, rng)
        mean = sum(values) / len(values)
        print(f"| {name} | {len(values)} | {mean:+.3f} | [{low:+.3f}, {high:+.3f}] |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
