"""Benchmark the first ``kb search`` after ``kb index`` when the history behind trust is cold.

A search judges its hits' trust from the repo's history (the history pass, its bulk
runs). In a fresh clone nothing of it is kept yet: before this benchmark's change the
first search made the whole history pass itself (seconds at tens of thousands of
cards); now ``kb index`` (and ``kb daemon``) makes it. For this checkout and, with
``--baseline DIR``, another kb checkout, on a scratch copy of REPO each (the card caches
warmed by one ``kb index`` first, then every history cache removed):

1. ``kb index`` (nothing to index: only the history work, if the version does it);
2. the first ``kb search WORDS`` (terminal view);
3. a search with other words (new hits to judge);
4. the first words again (verdicts kept).

Wall and CPU (user+sys, git included) of each step, one round per checkout, words only
(``KB_SEARCH_SEMANTIC=0``).

Usage: python bench/first_search_bench.py REPO [--baseline DIR] [--query WORDS] [--other WORDS]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_bench import ENV, measured, scratch_copy

# Under .kb/: what the history pass, its baselines and bulk runs and the verdicts keep.
HISTORY_CACHES = ("history", "bulk.marshal", "baselines.marshal", "verdicts.marshal")


def forget_history(repo: Path) -> None:
    for name in HISTORY_CACHES:
        path = repo / ".kb" / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def steps(kb: list[str], repo: Path, env: dict[str, str], query: str, other: str) -> list[str]:
    subprocess.run([*kb, "index", "--quiet"], env=env, check=False)  # this copy's card caches
    forget_history(repo)
    rows = []
    for name, args in (
        ("kb index", ["index", "--quiet"]),
        ("first kb search", ["search", *query.split()]),
        ("kb search, other words", ["search", *other.split()]),
        ("kb search, first words again", ["search", *query.split()]),
    ):
        wall, cpu, rss = measured([*kb, *args], env)
        rows.append(f"{name} | {wall:.2f} | {cpu:.2f} | {rss:.0f}")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--baseline", type=Path, help="another kb checkout to compare")
    parser.add_argument("--query", default="refund duplicate charge")
    parser.add_argument("--other", default="password reset")
    args = parser.parse_args()
    kb_path = str(Path(sys.executable).with_name("kb"))
    checkouts = {"this checkout": ENV}
    if args.baseline:
        checkouts["baseline"] = {**ENV, "PYTHONPATH": str(args.baseline.resolve())}
    print("| checkout | step | wall s | CPU s | peak RSS MB |")
    print("|---|---|---:|---:|---:|")
    for label, env in checkouts.items():
        copy = scratch_copy(args.repo.resolve())
        try:
            for row in steps([kb_path, "--kb", str(copy)], copy, env, args.query, args.other):
                print(f"| {label} | {row} |")
        finally:
            shutil.rmtree(copy.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
