"""kb list and kb check on a repo with very many findings (issue 17: "kb list took 59 s
where kb check took 6 s on 200,000 duplicate-alias findings").

Generates a repo whose cards share aliases, then times, alternating the contenders run by
run: ``kb list`` (text, findings on stderr), ``kb check`` (text) and
``kb check --format json``, each as a whole process, with wall and CPU time (user+sys of
the process and its children) and the bytes each writes.

Two shapes, both with --findings findings:

* pairs: cards in pairs, each pair sharing --aliases aliases (every finding names 1 card);
* crowd: --crowd cards all claiming one alias (every finding names every other card:
  the messages grew quadratically).

Example: python bench/findings_bench.py --findings 50000 100000 200000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

KB = [sys.executable, "-m", "kbcli"]
TODAY = "2026-12-01"


def generate(root: Path, cards: int, aliases_of: Callable[[int], list[str]]) -> None:
    root.mkdir(parents=True)
    (root / "kb.toml").write_text("", encoding="utf-8")
    folder = root / "cards"
    folder.mkdir()
    for n in range(cards):
        aliases = ", ".join(aliases_of(n))
        (folder / f"card-{n:06d}.md").write_text(
            f"---\ntitle: Card {n}\nowner: ana\nverified_at: 2026-11-01\n"
            f"aliases: [{aliases}]\n---\nBody {n}.\n",
            encoding="utf-8",
        )
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)


def timed(cmd: list[str], cwd: Path) -> tuple[float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        done = subprocess.run(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        size = out.tell()
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed with exit {done.returncode}")
    return wall, cpu, size


def run(root: Path, runs: int) -> None:
    base = [*KB, "--kb", str(root), "--today", TODAY]
    contenders = {
        "kb list": [*base, "list"],
        "kb check": [*base, "check"],
        "kb check --format json": [*base, "check", "--format", "json"],
    }
    for cmd in contenders.values():  # warm-up: the history cache, bytecode
        timed(cmd, root)
    figures: dict[str, list[tuple[float, float, int]]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, cmd in contenders.items():
            figures[name].append(timed(cmd, root))
    print(f"  load average {os.getloadavg()[0]:.2f}")
    for name, rows in figures.items():
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        print(f"  {name:26} wall {wall:7.2f} s  cpu {cpu:7.2f} s  output {rows[0][2]:,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, nargs="+", default=[50_000, 200_000])
    parser.add_argument("--aliases", type=int, default=100, help="aliases per pair (pairs)")
    parser.add_argument("--crowd", type=int, default=5_000, help="cards on one alias (crowd)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--shape", choices=("pairs", "crowd", "both"), default="both")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-findings-bench-"))
    try:
        for findings in args.findings if args.shape in ("pairs", "both") else ():
            cards = max(2, findings // args.aliases)
            root = work / f"pairs-{findings}"
            generate(root, cards, lambda n: [f"p{n // 2}-{a}" for a in range(args.aliases)])
            print(f"pairs: {cards:,} cards, {cards * args.aliases:,} duplicate-alias findings")
            run(root, args.runs)
        if args.shape in ("crowd", "both"):
            root = work / "crowd"
            generate(root, args.crowd, lambda n: ["shared"])
            print(f"crowd: {args.crowd:,} cards on one alias, {args.crowd:,} findings")
            run(root, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
