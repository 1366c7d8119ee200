"""Bootstrap confidence intervals for MRR@10 from ``evaluate.py --json`` output.

    python bench/relevance/bootstrap.py RESULT.json [--resamples 10000] [--seed 12]
                                        [--sets-in FOLDER]

For each set and contender (kb, bm25, dense, kb+B when present): MRR@10 over the set's
questions and the 2.5th-97.5th percentile of MRR@10 over resamples of those questions
drawn with replacement (a percentile bootstrap; the seed makes it rerunnable). With a
few dozen questions per half the interval is wide: read it before reading a difference.
``--sets-in FOLDER``: only the questions also in that folder's set files (an older copy of
``sets/``, e.g. ``git archive COMMIT bench/relevance/sets``), to report a half as it was
before questions were appended.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

CONTENDERS = ("kb", "bm25", "dense", "kb+B")


def reciprocal(rank: int | None) -> float:
    return 1.0 / rank if rank and rank <= 10 else 0.0


def interval(values: list[float], resamples: int, rng: random.Random) -> tuple[float, float]:
    means = sorted(sum(rng.choice(values) for _ in values) / len(values) for _ in range(resamples))
    return means[int(0.025 * resamples)], means[int(0.975 * resamples) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("result", type=Path)
    parser.add_argument("--resamples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--sets-in", type=Path, help="only the questions of these set files")
    args = parser.parse_args()
    questions = json.loads(args.result.read_text(encoding="utf-8"))["questions"]
    if args.sets_in:
        import yaml

        kept = {
            (file.stem, entry["q"])
            for file in args.sets_in.glob("*.yaml")
            for entry in yaml.safe_load(file.read_text(encoding="utf-8"))
        }
        questions = [q for q in questions if (q["set"], q["q"]) in kept]
    by_set: dict[str, list[dict[str, object]]] = defaultdict(list)
    for q in questions:
        by_set[str(q["set"])].append(q)
    print("| set | n | contender | MRR@10 | 95% CI |")
    print("|---|---|---|---|---|")
    for name, items in by_set.items():
        for who in CONTENDERS:
            if who not in items[0]:
                continue
            values = [reciprocal(q[who]) for q in items]  # type: ignore[arg-type]
            low, high = interval(values, args.resamples, random.Random(args.seed))
            mean = sum(values) / len(values)
            print(f"| {name} | {len(values)} | {who} | {mean:.3f} | {low:.3f}-{high:.3f} |")


if __name__ == "__main__":
    main()
