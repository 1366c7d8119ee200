"""Benchmark ``kb search`` answered by a resident ``kb daemon`` against the one-shot search and rg.

One run, contenders alternating run by run (a change of machine load hits all alike),
medians after one warm-up each:

- ``kb search WORDS --paths-only`` with ``kb daemon`` running for the repo (the client
  process plus the CPU the daemon spent answering, read from /proc);
- the same command with ``KB_DAEMON=off`` (today's one-shot path: start-up, git status,
  opening the index);
- ``rg -il -e WORD...`` over the card folders kb.toml names;
- ``kb --version`` (the floor of any kb process: interpreter and entry point).

Usage: python bench/daemon_bench.py REPO|BUNDLE [--query WORDS] [--runs 15] [--copy]
(REPO as for bench/search_bench.py; a bundle is cloned with the tldr kb.toml.)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_bench import CPU, ENV, card_folders, scratch_copy, timed, tldr_repo

TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu(pid: int) -> float:
    """User + system seconds a running process has used (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--query", default="refund duplicate charge")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--copy", action="store_true", help="work on a temporary copy")
    args = parser.parse_args()
    repo = args.repo.resolve()
    if repo.suffix == ".bundle":
        repo = tldr_repo(repo)
    elif args.copy:
        repo = scratch_copy(repo)
    try:
        return measure(repo, args)
    finally:
        if repo != args.repo.resolve():
            shutil.rmtree(repo.parent, ignore_errors=True)


def measure(repo: Path, args: argparse.Namespace) -> int:
    kb = [str(Path(sys.executable).with_name("kb")), "--kb", str(repo)]
    words = args.query.split()
    subprocess.run([*kb, "index"], env=ENV, check=False, stdout=subprocess.DEVNULL)
    daemon = subprocess.Popen(
        [*kb, "daemon"], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert daemon.stdout is not None
    print(daemon.stdout.readline().strip(), file=sys.stderr)
    rg = ["rg", "-il", *[x for w in words for x in ("-e", w)], *card_folders(repo)]
    contenders = {
        "kb search, kb daemon running": [*kb, "search", *words, "--paths-only"],
        "kb search, one-shot (KB_DAEMON=off)": [
            "env",
            "KB_DAEMON=off",
            *kb,
            "search",
            *words,
            "--paths-only",
        ],
        "rg -il": rg,
        "kb --version": [kb[0], "--version"],
    }
    walls: dict[str, list[float]] = {name: [] for name in contenders}
    cpus: dict[str, list[float]] = {name: [] for name in contenders}
    # /proc counts in clock ticks (10 ms): the daemon's share is summed over all runs of a
    # contender and averaged, not taken per run.
    served: dict[str, float] = dict.fromkeys(contenders, 0.0)
    loads = [os.getloadavg()[0]]
    try:
        for cmd in contenders.values():  # warm-up (the daemon's first sync included)
            timed(cmd)
        for _ in range(args.runs):
            for name, cmd in contenders.items():
                before = process_cpu(daemon.pid)
                walls[name].append(timed(cmd)[0])
                cpus[name].append(CPU[-1])
                served[name] += process_cpu(daemon.pid) - before
            loads.append(os.getloadavg()[0])
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)
    rg_wall = statistics.median(walls["rg -il"])
    print(f"{repo.name}: {args.query!r}, {args.runs} alternating runs, medians")
    print(f"load average (1 min) {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} cores")
    print("| contender | wall ms | CPU ms (process + daemon's mean share) | wall / rg |")
    print("|---|---:|---:|---:|")
    for name in contenders:
        wall = statistics.median(walls[name])
        cpu = statistics.median(cpus[name]) + served[name] / args.runs
        print(f"| {name} | {wall * 1000:.1f} | {cpu * 1000:.1f} | {wall / rg_wall:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
