"""Benchmark kb report (and kb check) on a big knowledge repo with a warm history cache.

The repo is cloned into a temporary folder (the original is never written to), one
``kb report`` run builds the history cache (.kb/history), and then, alternating, each
of these runs --runs times as a fresh process:

* frontmatter-once: python-frontmatter reads every card once (the floor for any
  Python tool that looks at every card);
* history-load: loading the cached history and building every card's history (what
  the report needs from git when nothing changed);
* kb report --json, kb report (text), kb report --trend --json,
  kb report --format markdown and kb check --format json.

Wall time and CPU time (user + system of the process and its children, git included)
are printed as medians. On a shared machine compare CPU times and ratios.
``--baseline DIR`` also runs every kb contender with the kb package of another
checkout (DIR/kbcli), alternating, for before/after figures from the same run.

Example: python bench/report_bench.py gen100k --runs 3
(--in-place skips the clone and the cold pass when the repo is yours and already warm)
(make gen100k with: python bench/generate.py gen100k --cards 100000 --commits 50000 --seed 1)
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KB = [sys.executable, "-m", "kbcli"]
FRONTMATTER_ONCE = """
import sys, os, frontmatter
n = 0
for dirpath, dirnames, filenames in os.walk("."):
    dirnames[:] = [d for d in dirnames if not d.startswith(".")]
    for name in filenames:
        if name.endswith(".md"):
            frontmatter.load(os.path.join(dirpath, name)); n += 1
print(n)
"""
HISTORY_LOAD = """
import gc
gc.disable()  # as the commands do at their edge (kbcli/cli/gc_pause.py)
from pathlib import Path
from kbcli.config import load_config
from kbcli.adapters.git_history import load_history
config = load_config(Path('.').resolve())
history = load_history(config.root, config.cache_dir)
for path in history.cards:
    history.cards[path]
list(history.deleted)
"""
CONTENDERS = {
    "frontmatter-once": [sys.executable, "-c", FRONTMATTER_ONCE],
    "history-load": [sys.executable, "-c", HISTORY_LOAD],
    "kb report --json": [*KB, "report", "--json"],
    "kb report": [*KB, "report"],
    "kb report --trend --json": [*KB, "report", "--trend", "--json"],
    "kb report --format markdown": [*KB, "report", "--format", "markdown"],
    "kb check --format json": [*KB, "check", "--format", "json"],
}


def timed(cmd: list[str], cwd: Path, source: Path | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds of one run; CPU counts the children it started too.

    ``source``: run the kb package found in that folder (another checkout) instead.
    """
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]!r}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a knowledge repo (a git repository)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each contender")
    parser.add_argument(
        "--only", nargs="*", choices=list(CONTENDERS), help="time only these contenders"
    )
    parser.add_argument(
        "--in-place",
        action="store_true",
        help="time REPO where it is, without cloning it (kb writes its cache to REPO/.kb)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of another kb version (its root folder): each kb contender also "
        "runs with that version, alternating with this one",
    )
    parser.add_argument(
        "--scratch",
        type=Path,
        help="keep the clones (and their warm history caches) in this folder and reuse "
        "them on the next run, instead of a temporary folder (the cold pass takes minutes)",
    )
    args = parser.parse_args()
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # a normal install has bytecode
    names = args.only or list(CONTENDERS)
    if args.in_place:
        run(args.repo.resolve(), names, args.runs, args.baseline)
        return
    if args.scratch is not None:
        args.scratch.mkdir(parents=True, exist_ok=True)
        clone_and_run(args, names, args.scratch)
        return
    with tempfile.TemporaryDirectory(prefix="kb-report-bench-") as scratch:
        clone_and_run(args, names, Path(scratch))


def clone_and_run(args: argparse.Namespace, names: list[str], scratch: Path) -> None:
    """Clone the repo (and a second copy for the baseline) into ``scratch`` unless there."""
    repo = scratch / "repo"
    if not repo.exists():
        subprocess.run(["git", "clone", "-q", str(args.repo.resolve()), str(repo)], check=True)
    other = None
    if args.baseline is not None:
        # Its own clone: two kb versions may keep different history cache formats, and
        # sharing one .kb/ would make every run of each rebuild the other's cache.
        other = scratch / "baseline-repo"
        if not other.exists():
            subprocess.run(["git", "clone", "-q", str(args.repo.resolve()), str(other)], check=True)
    run(repo, names, args.runs, args.baseline, other)


def run(
    repo: Path, names: list[str], runs: int, baseline: Path | None, other: Path | None = None
) -> None:
    wall, cpu = timed([*KB, "report", "--json"], repo)
    print(f"first kb report (builds or updates the history cache): {wall:.2f} s, {cpu:.2f} s CPU")
    other = other or repo
    if baseline is not None and other != repo:
        wall, cpu = timed([*KB, "report", "--json"], other, baseline.resolve())
        print(f"first baseline kb report (its own cache): {wall:.2f} s, {cpu:.2f} s CPU")
    plan: list[tuple[str, Path | None]] = []
    for name in names:
        plan.append((name, None))
        if baseline is not None and name.startswith("kb "):
            plan.append((name, baseline.resolve()))
    samples: dict[str, list[tuple[float, float]]] = {}
    for _ in range(runs):
        for name, source in plan:  # alternate, so load changes hit every contender alike
            label = f"{name} (baseline)" if source else name
            where = other if source else repo
            samples.setdefault(label, []).append(timed(CONTENDERS[name], where, source))
    names = list(samples)
    floor = None
    print(f"{'contender':41} {'wall s':>8} {'CPU s':>8} {'CPU / fm-once':>14}")
    for name in names:
        wall = statistics.median(w for w, _ in samples[name])
        cpu = statistics.median(c for _, c in samples[name])
        if name == "frontmatter-once":
            floor = cpu
        ratio = f"{cpu / floor:13.2f}x" if floor else ""
        print(f"{name:41} {wall:8.2f} {cpu:8.2f} {ratio:>14}", flush=True)


if __name__ == "__main__":
    main()
