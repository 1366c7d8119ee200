"""Where a cold ``kb index --rebuild`` spends its CPU: kb's own process against its
workers, and the steps of kb's process, for one or more versions of kb in turn.

Each run removes what a cold rebuild of the index alone finds missing (the kept
documents, parsed cards, languages and card bodies; the history cache stays, as in
``search_bench.py``'s "index alone" row), then runs ``python -m kbcli --kb REPO index
--rebuild --quiet`` with each ``--tree`` on ``PYTHONPATH`` in turn (alternating, so
each sees the same machine load), words only (``KB_SEARCH_SEMANTIC=0``). The minimal
tantivy-py script of ``search_bench.py`` runs in the same rotation.

Reported (medians): wall, CPU (user+sys of kb and its workers, ``/usr/bin/time``), peak
RSS; kb's own process's CPU and its workers' (``os.times`` at kb's exit); and in kb's
process the CPU (``time.process_time``: Tantivy's indexing threads included) of the
steps named in ``STEPS``.

Usage: python bench/index_split.py REPO --tree before=OLD_TREE --tree after=. [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_bench import ENV, KEPT, KEPT_BODIES, MINIMAL, card_folders

STEPS = (
    ("kbcli.usecases.search_index", "_look"),  # git status, the scan of the card folders
    ("kbcli.adapters.tantivy_writer", "_write"),  # read, hash, add: the workers' results in
    ("kbcli.adapters.tantivy_writer", "_save"),  # Tantivy's commit, the manifest
    ("kbcli.usecases.search_index", "_Rebuild.save"),  # card cache, bodies, languages
    ("kbcli.adapters.index_documents", "DocumentCache.save"),
    ("kbcli.usecases.verdict_cache", "warm"),  # the history behind trust, read back
)

# Run in kb's process: times STEPS, then reports its own CPU and its workers' at exit.
WRAPPER = r"""
import atexit, functools, importlib, os, runpy, sys, time
steps, spent, pid = {steps!r}, {{}}, os.getpid()
def timed(module, name):
    owner, _, attr = name.rpartition(".")
    holder = importlib.import_module(module)
    holder = getattr(holder, owner) if owner else holder
    step = getattr(holder, attr)
    @functools.wraps(step)
    def run(*args, **kwargs):
        start = time.process_time()
        try:
            return step(*args, **kwargs)
        finally:
            if os.getpid() == pid:
                spent[name] = spent.get(name, 0.0) + time.process_time() - start
    setattr(holder, attr, run)
for module, name in steps:
    timed(module, name)
def report():
    if os.getpid() == pid:
        t = os.times()
        own, workers = t.user + t.system, t.children_user + t.children_system
        print("SPLIT", own, workers, *(spent.get(n, 0.0) for _, n in steps), file=sys.stderr)
atexit.register(report)
sys.argv = ["kb", "--kb", sys.argv[1], "index", "--rebuild", "--quiet"]
runpy.run_module("kbcli", run_name="__main__")
"""


def cold(repo: Path) -> None:
    for name in KEPT:
        (repo / name).unlink(missing_ok=True)
    shutil.rmtree(repo / KEPT_BODIES, ignore_errors=True)


def timed_run(cmd: list[str], env: dict[str, str]) -> tuple[list[float], list[float]]:
    """([wall, CPU, peak RSS MB], the SPLIT figures or []) of one process."""
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "TIME %e %U %S %M", *cmd],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    split: list[float] = []
    timing: list[float] = []
    for line in proc.stderr.splitlines():
        if line.startswith("SPLIT "):
            split = [float(v) for v in line.split()[1:]]
        elif line.startswith("TIME "):
            wall, user, system, rss = line.split()[1:]
            timing = [float(wall), float(user) + float(system), int(rss) / 1024]
    if not timing:
        raise SystemExit(f"{cmd[0]} failed:\n{proc.stderr[-2000:]}")
    return timing, split


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--tree", action="append", required=True, help="NAME=PATH")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    repo = args.repo.resolve()
    trees = dict(t.split("=", 1) for t in args.tree)
    wrapper = WRAPPER.format(steps=STEPS)
    found: dict[str, list[tuple[list[float], list[float]]]] = {n: [] for n in [*trees, "minimal"]}
    out = Path(tempfile.mkdtemp(prefix="kb-split-"))
    roots = [str(repo / f) for f in card_folders(repo)]
    try:
        for _ in range(args.runs):
            for name, tree in trees.items():
                cold(repo)
                env = {**ENV, "PYTHONPATH": str(Path(tree).resolve())}
                # -P: the tree on PYTHONPATH, never a kbcli in the current folder first
                command = [sys.executable, "-P", "-c", wrapper, str(repo)]
                found[name].append(timed_run(command, env))
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            found["minimal"].append(
                timed_run([sys.executable, "-c", MINIMAL, str(out), *roots], ENV)
            )
    finally:
        shutil.rmtree(out, ignore_errors=True)
    names = ["kb's process", "workers", *(n for _, n in STEPS)]
    for name, runs in found.items():
        wall, cpu = (statistics.median(r[0][i] for r in runs) for i in range(2))
        every = sorted(round(r[0][1], 2) for r in runs)
        line = f"{name}: wall {wall:.2f} s, CPU {cpu:.2f} s {every}"
        line += f", peak RSS {max(r[0][2] for r in runs):.0f} MB"
        if runs[0][1]:
            parts = (statistics.median(r[1][i] for r in runs) for i in range(len(names)))
            line += "; " + ", ".join(f"{n} {v:.3f}" for n, v in zip(names, parts, strict=True))
        print(line)
    print(f"load average {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
