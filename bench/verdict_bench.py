"""What the trust verdict costs kb search, list, report and check: this checkout against another.

``kb search`` now judges its hits (history findings, flags), ``kb list``, ``kb report``
and ``kb check`` every card.
This script times both against a baseline checkout (``--baseline DIR``, e.g. the commit
before the verdict), alternating runs (each version in its own clone) so machine load
hits both alike, and prints medians of wall and CPU seconds (the process and its
children, git included).

Example: python bench/verdict_bench.py gen100k --baseline ../kb-before --runs 5
(``--only "kb report --json" "kb check --format json"`` for the whole-repo commands.)
The clone's index and history cache are built first (not timed).
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

KB = [sys.executable, "-m", "kbcli", "--today", "2026-11-22"]
COMMANDS = {
    "kb search": ["search", "refund duplicate charge"],
    "kb search is:verified": ["search", "is:verified refund"],
    "kb list --json": ["list", "--json"],
    "kb report --json": ["report", "--json"],
    "kb check --format json": ["check", "--format", "json"],
}


def timed(
    args: list[str],
    cwd: Path,
    source: Path | None,
    *,
    kb: list[str] = KB,
    extra_env: dict[str, str] | None = None,
) -> tuple[float, float]:
    """(wall, CPU of user + system) seconds of one ``kb ARGS`` run with ``source`` (a kb
    checkout) on ``PYTHONPATH``; exits on a failure."""
    env = {**os.environ, **(extra_env or {})}
    if source is not None:
        env["PYTHONPATH"] = str(source)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([*kb, *args], cwd=cwd, env=env, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"kb {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]!r}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--baseline", type=Path, required=True, help="another kb checkout")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", nargs="*", choices=list(COMMANDS))
    parser.add_argument(
        "--scratch",
        type=Path,
        help="keep the two clones (warm index and history cache) here and reuse them",
    )
    args = parser.parse_args()
    if args.scratch is not None:
        args.scratch.mkdir(parents=True, exist_ok=True)
        bench(args, args.scratch)
        return
    with tempfile.TemporaryDirectory(prefix="kb-verdict-bench-") as scratch:
        bench(args, Path(scratch))


def bench(args: argparse.Namespace, scratch: Path) -> None:
    """Each version runs in its own clone: their index schemas and history cache formats
    differ, and one shared .kb/ would be rebuilt by every other run."""
    clones = {None: scratch / "repo", args.baseline.resolve(): scratch / "baseline-repo"}
    for source, repo in clones.items():
        if not repo.exists():
            subprocess.run(["git", "clone", "-q", str(args.repo.resolve()), str(repo)], check=True)
        for warm in (["report", "--json"], ["index"], ["search", "warm"]):
            timed(warm, repo, source)
    samples: dict[str, list[tuple[float, float]]] = {}
    names = args.only or list(COMMANDS)
    for _ in range(args.runs):
        for name in names:
            for label, source in ((name, None), (f"{name} (baseline)", args.baseline)):
                where = clones[source.resolve() if source else None]
                samples.setdefault(label, []).append(timed(COMMANDS[name], where, source))
    print(f"{'command':34} {'wall s':>8} {'CPU s':>8}")
    for label, runs in samples.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{label:34} {wall:8.2f} {cpu:8.2f}", flush=True)


if __name__ == "__main__":
    main()
