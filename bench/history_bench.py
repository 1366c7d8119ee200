"""Benchmark kb's history pass against what a user would otherwise run, in the same run.

Compares, on one repository (by default a clone of the tldr-pages bundle):

1. kb's full history pass (cold cache) vs a bare ``git log --name-status`` of the same
   history (git itself is the floor);
2. kb's pass vs the per-file loop static-site plugins use (``git log -1 -- FILE`` for
   each card), sampled and extrapolated to every file;
3. a second run with nothing new, and a run after one new commit (incremental);
4. optionally (``--correctness N``), kb's last change per file against
   ``git log -1 --follow -- FILE`` for N files (0 = all), explaining each difference.

Runs alternate between the contenders and medians are reported, because shared
machines are noisy: read the ratios, not the absolute times.

Example: python bench/history_bench.py --runs 3 --sample 200
"""

from __future__ import annotations

import argparse
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


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, str]:
    """Wall seconds and stdout of ``cmd``; its CPU seconds (children included) go to CPU[0]."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[0] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, result.stdout


def median_run(run: Callable[[], tuple[float, str]], times: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``times`` runs of ``run`` (a ``timed`` command)."""
    walls, cpus = [], []
    for _ in range(times):
        walls.append(run()[0])
        cpus.append(CPU[0])
    return statistics.median(walls), statistics.median(cpus)


def kb_pass(repo: Path, cache: Path, snippet: str = PASS) -> tuple[float, str]:
    return timed([sys.executable, "-c", snippet, str(repo), str(cache)])


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
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-history-bench-"))
    try:
        repo = prepare(args, work)
        return run(repo, work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(repo: Path, work: Path, args: argparse.Namespace) -> int:
    files = subprocess.run(
        ["git", "ls-files", "*.md"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.split()
    commits = int(timed(["git", "rev-list", "--count", "HEAD"], cwd=repo)[1])
    print(f"{len(files)} markdown files, {commits} commits")

    kb_times, git_times, kb_cpu, git_cpu = [], [], [], []
    for index in range(args.runs):
        cache = work / f"cache-{index}"
        git_times.append(timed(["git", "log", "--name-status", "--format=%H"], cwd=repo)[0])
        git_cpu.append(CPU[0])
        kb_times.append(kb_pass(repo, cache)[0])
        kb_cpu.append(CPU[0])
    kb_full, git_full = statistics.median(kb_times), statistics.median(git_times)
    kb_work, git_work = statistics.median(kb_cpu), statistics.median(git_cpu)

    warm, warm_cpu = median_run(lambda: kb_pass(repo, work / "cache-0"), args.runs)
    warm_all, warm_all_cpu = median_run(
        lambda: kb_pass(repo, work / "cache-0", EVERY_CARD), args.runs
    )
    edits = iter(range(args.runs))

    def edit_and_pass() -> tuple[float, str]:
        index = next(edits)
        target = repo / files[index % len(files)]
        target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        subprocess.run(["git", "commit", "-qam", f"bench edit {index}"], cwd=repo, check=True)
        return kb_pass(repo, work / "cache-0")

    one_new, one_new_cpu = median_run(edit_and_pass, args.runs)

    rng = random.Random(1)
    sample = rng.sample(files, min(args.sample, len(files)))
    start = time.perf_counter()
    for path in sample:
        subprocess.run(
            ["git", "log", "-1", "--format=%H %aN %at", "--", path],
            cwd=repo,
            capture_output=True,
            check=True,
        )
    per_file = (time.perf_counter() - start) / len(sample)
    loop_total = per_file * len(files)

    rows = [
        ("bare git log --name-status", git_full, 1.0, "git itself: the floor"),
        ("kb history pass, cold cache", kb_full, kb_full / git_full, "goal <= 1.3x git log"),
        ("  CPU seconds: bare git log", git_work, 1.0, "user+system, all processes"),
        ("  CPU seconds: kb pass (python + git log + cat-file)", kb_work, kb_work / git_work, ""),
        (
            f"per-file git log -1 loop ({len(sample)} sampled, x{len(files)})",
            loop_total,
            loop_total / kb_full,
            "x slower than kb's pass",
        ),
        ("kb, second run, nothing new", warm, warm / kb_full, "goal < 0.2 s"),
        ("  CPU seconds", warm_cpu, warm_cpu / kb_work, "python start-up included"),
        ("  same, then every card's last change and edit", warm_all, warm_all / kb_full, ""),
        ("  CPU seconds", warm_all_cpu, warm_all_cpu / kb_work, ""),
        ("kb, after one new commit", one_new, one_new / kb_full, "goal < 0.5 s"),
        ("  CPU seconds", one_new_cpu, one_new_cpu / kb_work, ""),
    ]
    print()
    print(f"{'what':55} {'seconds':>9} {'ratio':>9}  note")
    for name, seconds, ratio, note in rows:
        print(f"{name:55} {seconds:9.3f} {ratio:9.2f}  {note}")

    if args.correctness >= 0:
        return correctness(repo, files, args.correctness, work)
    return 0


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
