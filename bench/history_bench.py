"""Benchmark kb's history pass against what a user would otherwise run, in the same run.

Compares, on one repository (by default a clone of the tldr-pages bundle):

1. kb's full history pass (cold cache) vs a bare ``git log --name-status`` of the same
   history (git itself is the floor), vs ``git log -M --raw`` (the same walk with each
   version's blob id: kb's own git log), and with ``--patch`` vs ``git log -p`` (what
   a user runs to see what each commit changed in a card: the facts kb extracts,
   front-matter keys and whether the body changed);
2. kb's pass vs the per-file loop static-site plugins use (``git log -1 -- FILE`` for
   each card), sampled and extrapolated to every file;
3. a second run with nothing new, and a run after one new commit (incremental);
4. optionally (``--correctness N``), kb's last change per file against
   ``git log -1 --follow -- FILE`` for N files (0 = all), explaining each difference;
5. optionally (``--baseline DIR``, a checkout of another kb version, e.g. made with
   ``git worktree add DIR REV``), that version's pass as one more contender: cold,
   warm and after one new commit, alternating with this one.

Runs alternate between the contenders and medians are reported, because shared
machines are noisy: read the ratios, not the absolute times.

Example: python bench/history_bench.py --runs 3 --sample 200
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BUNDLE = ROOT / ".." / "shared" / "corpora" / "tldr-pages.bundle"
# gc.disable(): the commands pause the collector at their edge (kbcli/cli/gc_pause.py).
PASS = (
    "import gc, sys; from pathlib import Path; gc.disable(); "
    "from kbcli.adapters.git_history import load_history; "
    "h = load_history(Path(sys.argv[1]), Path(sys.argv[2]), allow_shallow=True); "
    "print(len(h.cards), h.commit_count)"
)
# The same, then every card's last change and last edit, as a report would ask.
EVERY_CARD = PASS.replace(
    "print(len(h.cards), h.commit_count)",
    "print(sum(1 for c in h.cards.values() if c.last_change and c.last_edit))",
)


CPU: list[float] = [0.0]  # CPU seconds (user + system) of the last timed command and its children


def timed(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, str]:
    """Wall seconds and stdout of ``cmd``; its CPU seconds (children included) go to CPU[0]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[0] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, result.stdout


def kb_pass(
    repo: Path, cache: Path, snippet: str = PASS, code: str | None = None
) -> tuple[float, str]:
    """One pass in a fresh interpreter; ``code``: a checkout of another kb version."""
    env = None if code is None else dict(os.environ, PYTHONPATH=code)
    return timed([sys.executable, "-c", snippet, str(repo), str(cache)], env=env)


def prepare(args: argparse.Namespace, work: Path) -> Path:
    source = Path(args.repo) if args.repo else Path(args.bundle)
    target = work / "repo"
    if not source.exists():
        raise SystemExit(f"{source} does not exist: pass --bundle PATH or --repo PATH")
    print(f"cloning {source} ...", flush=True)
    subprocess.run(["git", "clone", "-q", str(source), str(target)], check=True)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", default=str(DEFAULT_BUNDLE), help="git bundle to clone")
    parser.add_argument("--repo", help="clone this repository instead of the bundle")
    parser.add_argument("--runs", type=int, default=3, help="runs per contender (median)")
    parser.add_argument("--sample", type=int, default=200, help="files for the per-file loop")
    parser.add_argument(
        "--correctness", type=int, default=-1, help="compare N files with git log --follow (0=all)"
    )
    parser.add_argument("--baseline", help="a checkout of another kb version to time as well")
    parser.add_argument(
        "--patch", action="store_true", help="time git log -p as well (slow on big repos)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-history-bench-"))
    try:
        repo = prepare(args, work)
        return run(repo, work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


Timing = tuple[float, float]  # median wall seconds, median CPU seconds


def alternate(
    contenders: dict[str, Callable[[int], tuple[float, str]]], runs: int
) -> dict[str, Timing]:
    """Run each contender once per round, in turn, ``runs`` rounds; medians per contender."""
    walls: dict[str, list[float]] = {name: [] for name in contenders}
    cpus: dict[str, list[float]] = {name: [] for name in contenders}
    for index in range(runs):
        for name, run_once in contenders.items():
            walls[name].append(run_once(index)[0])
            cpus[name].append(CPU[0])
    return {
        name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in contenders
    }


def run(repo: Path, work: Path, args: argparse.Namespace) -> int:
    files = subprocess.run(
        ["git", "ls-files", "*.md"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    commits = int(timed(["git", "rev-list", "--count", "HEAD"], cwd=repo)[1])
    print(f"{len(files)} markdown files, {commits} commits")
    base = args.baseline

    def git_log(_: int) -> tuple[float, str]:
        return timed(["git", "log", "--name-status", "--format=%H"], cwd=repo)

    def git_raw(_: int) -> tuple[float, str]:
        return timed(["git", "log", "-M", "--raw", "--no-abbrev", "--format=%H"], cwd=repo)

    def git_patch(_: int) -> tuple[float, str]:
        return timed(["git", "log", "-p", "--format=%H"], cwd=repo)

    cold = {"git": git_log, "kb": lambda i: kb_pass(repo, work / f"cache-{i}"), "raw": git_raw}
    if args.patch:
        cold["patch"] = git_patch
    warm = {"kb": lambda _: kb_pass(repo, work / "cache-0")}
    every = {"kb": lambda _: kb_pass(repo, work / "cache-0", EVERY_CARD)}
    if base:
        cold["base"] = lambda i: kb_pass(repo, work / f"base-{i}", code=base)
        warm["base"] = lambda _: kb_pass(repo, work / "base-0", code=base)
        every["base"] = lambda _: kb_pass(repo, work / "base-0", EVERY_CARD, code=base)
    times = {"cold": alternate(cold, args.runs), "warm": alternate(warm, args.runs)}
    times["every"] = alternate(every, args.runs)

    def edit(index: int) -> None:
        target = repo / files[index % len(files)]
        target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        subprocess.run(["git", "commit", "-qam", f"bench edit {index}"], cwd=repo, check=True)

    def after_edit(index: int) -> tuple[float, str]:  # kb runs first in each round: it edits
        edit(index)
        return kb_pass(repo, work / "cache-0")

    one_new: dict[str, Callable[[int], tuple[float, str]]] = {"kb": after_edit}
    if base:
        one_new["base"] = lambda _: kb_pass(repo, work / "base-0", code=base)
    times["one"] = alternate(one_new, args.runs)
    report(times, per_file_loop(repo, files, args.sample), len(files), args.sample, base)
    if args.correctness >= 0:
        return correctness(repo, files, args.correctness, work)
    return 0


def per_file_loop(repo: Path, files: list[str], sample_size: int) -> float:
    """Seconds the ``git log -1 -- FILE`` loop would take over every file (sampled)."""
    sample = random.Random(1).sample(files, min(sample_size, len(files)))
    start = time.perf_counter()
    for path in sample:
        subprocess.run(
            ["git", "log", "-1", "--format=%H %aN %at", "--", path],
            cwd=repo,
            capture_output=True,
            check=True,
        )
    return (time.perf_counter() - start) / len(sample) * len(files)


def report(
    times: dict[str, dict[str, Timing]], loop: float, count: int, sample: int, base: str | None
) -> None:
    (git_wall, git_cpu), (kb_wall, kb_cpu) = times["cold"]["git"], times["cold"]["kb"]
    rows = [
        ("bare git log --name-status", git_wall, 1.0, "git itself: the floor"),
        ("kb history pass, cold cache", kb_wall, kb_wall / git_wall, "goal <= 1.3x git log"),
        ("  CPU seconds: bare git log", git_cpu, 1.0, "user+system, all processes"),
        ("  CPU seconds: kb pass (python + git log + cat-file)", kb_cpu, kb_cpu / git_cpu, ""),
    ]
    for key, label in (("raw", "git log -M --raw"), ("patch", "git log -p")):
        if key in times["cold"]:
            wall, cpu = times["cold"][key]
            rows += [
                (f"{label}, wall / CPU", wall, cpu, ""),
                ("  kb cold pass / it: wall", kb_wall / wall, kb_cpu / cpu, "ratio: CPU"),
            ]
    if base:
        wall, cpu = times["cold"]["base"]
        rows += [
            ("baseline pass, cold cache", wall, wall / git_wall, "ratio to git log"),
            ("  CPU seconds", cpu, cpu / git_cpu, "ratio to git log"),
        ]
    rows.append(
        (f"per-file git log -1 loop ({sample} sampled, x{count})", loop, loop / kb_wall, "x kb")
    )
    labels = {
        "warm": ("second run, nothing new", "goal < 0.2 s"),
        "every": ("  same, then every card's last change and edit", ""),
        "one": ("after one new commit", "goal < 0.5 s"),
    }
    for key, (label, note) in labels.items():
        for who in ("kb", "base") if base else ("kb",):
            wall, cpu = times[key][who]
            name = f"{'kb' if who == 'kb' else 'baseline'}, {label.strip()}"
            rows.append((name, wall, wall / kb_wall, note + " (ratio: to kb's cold pass)"))
            rows.append(("  CPU seconds", cpu, cpu / kb_cpu, "python start-up included"))
    print()
    print(f"{'what':60} {'seconds':>9} {'ratio':>9}  note")
    for name, seconds, ratio, note in rows:
        print(f"{name:60} {seconds:9.3f} {ratio:9.2f}  {note}")


def correctness(repo: Path, files: list[str], count: int, work: Path) -> int:
    """kb's last change per file against ``git log -1 --follow``; explain every difference."""
    sys.path.insert(0, str(ROOT))
    from kbcli.adapters.git_history import load_history

    history = load_history(repo, work / "cache-check", allow_shallow=True)
    assert history is not None
    chosen = files if count == 0 else random.Random(2).sample(files, min(count, len(files)))
    differ = []
    for path in chosen:
        out = subprocess.run(
            ["git", "log", "-1", "--follow", "--format=%H%x1f%aN%x1f%at", "--", path],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        sha, name, stamp = out.split("\x1f")
        last = history.cards[path].last_change
        assert last is not None
        if (last.commit.sha, last.commit.author_name, int(last.commit.when.timestamp())) != (
            sha,
            name,
            int(stamp),
        ):
            differ.append((path, sha, last.commit.sha))
    print()
    print(
        f"correctness: {len(chosen) - len(differ)} of {len(chosen)} files agree with "
        "git log -1 --follow on last-change commit, author and date"
    )
    for path, theirs, ours in differ[:20]:
        kind = subprocess.run(
            ["git", "show", "--no-patch", "--format=%P", theirs],
            cwd=repo,
            capture_output=True,
            text=True,
        ).stdout.split()
        why = "git's --follow picked a merge commit" if len(kind) > 1 else "see git log --follow"
        print(f"  {path}: git {theirs[:10]} vs kb {ours[:10]} ({why})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
