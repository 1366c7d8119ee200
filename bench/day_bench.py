"""A day of one-shot searches: many questions in turn, the first of them the day's first.

Kept hit verdicts (``.kb/verdicts.marshal``) hold for one day, HEAD and settings. Each
round here is a new day (``--today``, one later per round): the round's questions are
asked in turn, once (``first``: the day's first asking of each) and then again
(``again``: every verdict kept). This checkout and ``--baseline DIR`` (another kb
checkout run by the same Python) alternate question by question, each in its own copy
of REPO (``--scratch``, indexed first, not timed), words only (``KB_SEARCH_SEMANTIC``
off, ``KB_DAEMON=off``). Wall and CPU (user+sys of kb and its git) per search; the
table gives the day's first search, the median of the other first askings, the median
of the second askings, and the round's total, as medians over the rounds.

Usage: python bench/day_bench.py REPO --baseline DIR --scratch DIR --queries FILE
[--rounds 3] [--limit 24]   (FILE: one question a line)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

from verdict_bench import timed as kb_run

ENV = {"KB_SEARCH_SEMANTIC": "false", "KB_DAEMON": "off"}


def timed(args: list[str], cwd: Path, source: Path | None) -> tuple[float, float]:
    return kb_run(args, cwd, source, kb=[sys.executable, "-m", "kbcli"], extra_env=ENV)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--scratch", type=Path, required=True)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=24)
    args = parser.parse_args()
    questions = [q for q in args.queries.read_text().splitlines() if q.strip()][: args.limit]
    contenders = {"after": None, "before": args.baseline.resolve()}
    repos = {}
    for name, source in contenders.items():
        repo = repos[name] = args.scratch / f"{args.repo.name}-{name}"
        if not repo.exists():
            subprocess.run(["cp", "-a", str(args.repo), str(repo)], check=True)
        timed(["index"], repo, source)
    rows: dict[str, list[tuple[float, ...]]] = {name: [] for name in contenders}
    for day in range(args.rounds):
        today = (date(2027, 1, 1) + timedelta(days=day)).isoformat()
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in contenders}
        for question in [*questions, *questions]:
            for name, source in contenders.items():
                cmd = ["--today", today, "search", "--paths-only", question]
                samples[name].append(timed(cmd, repos[name], source))
        for name, done in samples.items():
            first, rest, again = done[0], done[1 : len(questions)], done[len(questions) :]
            rows[name].append(
                (
                    *first,
                    statistics.median(w for w, _ in rest),
                    statistics.median(c for _, c in rest),
                    statistics.median(w for w, _ in again),
                    statistics.median(c for _, c in again),
                    sum(w for w, _ in done[: len(questions)]),
                    sum(c for _, c in done[: len(questions)]),
                )
            )
    header = "| contender | day's first search | other first askings | asked again | first pass |"
    print(f"{len(questions)} questions, {args.rounds} rounds, load {os.getloadavg()[0]:.1f}")
    print(header)
    print("|---|---|---|---|---|")
    for name, per_round in rows.items():
        m = [statistics.median(r[i] for r in per_round) * 1000 for i in range(8)]
        print(
            f"| {name} | {m[0]:.0f} / {m[1]:.0f} ms | {m[2]:.0f} / {m[3]:.0f} ms "
            f"| {m[4]:.0f} / {m[5]:.0f} ms | {m[6]:.0f} / {m[7]:.0f} ms |"
        )


if __name__ == "__main__":
    main()
