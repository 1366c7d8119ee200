"""Kill and race trials: nothing kb leaves behind survives the next run (issue 17).

1. ``--kills N`` kill -9 trials, round robin over ``kb index --rebuild``, ``kb verify``,
   ``kb build`` and ``kb capture slack``: the command starts in its own process group,
   is killed (SIGKILL to the whole group, git included) after a random delay within its
   usual run time, then the same command runs again to completion. Only kills that land
   while the command still runs count towards N: a command that finished first is tried
   again, and each command's usual time is re-measured from its latest complete run (warm
   runs get faster, so a delay from the first run would mostly land after the end).
   Counted after that next run: stray files (kb's temporary files, git's ``*.lock``
   files, anything new named ``*.tmp``) anywhere in the repo, its ``.git`` and the
   handbook folder; exit codes 3 (a bug); ``git fsck`` failures.
2. ``--pairs N`` pairs of ``kb verify`` on two different cards started at the same
   moment: both must exit 0 and both commits must be in the history.

The repo is example-kb/ copied into a temporary folder with one import commit.

``--late F`` kills no earlier than F of the command's warm run time (writes come late).

Example: python bench/leftover_trials.py --kills 100 --pairs 20 --late 0.5
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KB = [sys.executable, "-m", "kbcli"]
TODAY = "2026-12-01"
EXPORT = ROOT / "tests" / "fixtures" / "slack-export"
LINK = "https://nimbus-support.slack.com/archives/C01BILL/p1793749200000100"
STRAY = re.compile(r"(\.tmp$|\.lock$|\.kb-\d+-\d+-\d+\.tmp$|^tmp_obj_|^tmp_pack_|^tmp_idx_)")
# Files git and Tantivy keep on purpose (a lock file Tantivy flocks, not a leftover).
EXPECTED = re.compile(r"(^\.tantivy-(writer|meta)\.lock$)")
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Trial",
    "GIT_AUTHOR_EMAIL": "trial@example.test",
    "GIT_COMMITTER_NAME": "Trial",
    "GIT_COMMITTER_EMAIL": "trial@example.test",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, env=ENV, capture_output=True, text=True)


def make_repo(work: Path) -> Path:
    root = work / "kb"
    shutil.copytree(ROOT / "example-kb", root, ignore=shutil.ignore_patterns(".kb"))
    (root / ".gitignore").write_text(".kb/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-gpg-sign", "-m", "import")
    return root


def cards(root: Path) -> list[str]:
    found = git(root, "ls-files", "*.md").stdout.split()
    return [p for p in found if "/" in p and not p.startswith("templates/")]


def command(op: str, root: Path, out: Path, card: str, n: int) -> list[str]:
    base = [*KB, "--kb", str(root), "--today", TODAY]
    if op == "index":
        return [*base, "index", "--rebuild"]
    if op == "verify":
        return [*base, "verify", card, "--force", "--reason", f"trial {n}", "-q"]
    if op == "build":
        return [*base, "build", "--out", str(out)]
    return [*base, "capture", "slack", str(EXPORT), "--link", LINK, "--yes", "--force"]


def strays(*folders: Path) -> list[str]:
    found = []
    for folder in folders:
        if not folder.exists():
            continue
        for dirpath, _, names in os.walk(folder):
            for name in names:
                if STRAY.search(name) and not EXPECTED.search(name):
                    found.append(os.path.join(dirpath, name))
    return found


def run(cmd: list[str], cwd: Path) -> tuple[int, str]:
    done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    return done.returncode, done.stderr


def kill_trials(root: Path, out: Path, trials: int, seed: int, late: float = 0.1) -> dict[str, int]:
    rng = random.Random(seed)
    ops = ("index", "verify", "build", "capture")
    usual = {}
    names = cards(root)
    for op in ops:  # how long each takes here, to kill within that span
        started = time.perf_counter()
        run(command(op, root, out, names[0], 0), root)
        usual[op] = time.perf_counter() - started
    counts = {"trials": 0, "killed": 0, "stray_after_kill": 0, "stray_after_next_run": 0}
    counts |= {"exit_3": 0, "fsck_failed": 0}
    left: list[str] = []
    n = -1
    while counts["killed"] < trials and counts["trials"] < 4 * trials:
        n += 1
        op = ops[counts["killed"] % len(ops)]
        card = rng.choice(names)
        cmd = command(op, root, out, card, n)
        process = subprocess.Popen(
            cmd,
            cwd=root,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(usual[op] * rng.uniform(late, 0.95))  # writes come late: so do kills
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            counts["killed"] += 1
        process.wait()
        counts["trials"] += 1
        counts["stray_after_kill"] += bool(strays(root, out))
        started = time.perf_counter()
        code, stderr = run(cmd, root)
        usual[op] = time.perf_counter() - started
        if code == 3 or "Traceback" in stderr:
            counts["exit_3"] += 1
            print(f"trial {n} {op}: exit {code}\n{stderr[-1500:]}", file=sys.stderr)
        remaining = strays(root, out)
        if remaining:
            counts["stray_after_next_run"] += 1
            left.extend(remaining)
            print(f"trial {n} {op}: left {remaining} ({stderr.strip()[-300:]})", file=sys.stderr)
            for path in remaining:  # so the next trial starts clean and counts its own
                with contextlib.suppress(OSError):
                    os.unlink(path)
        if git(root, "fsck", "--no-progress").returncode != 0:
            counts["fsck_failed"] += 1
    return counts


def verify_pairs(root: Path, pairs: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    names = cards(root)
    counts = {"pairs": 0, "both_landed": 0, "exit_nonzero": 0}
    # Two different cards per pair, never one verified before: a second verification on
    # the same day changes nothing and makes no commit.
    chosen = rng.sample(names, 2 * pairs)
    for n in range(pairs):
        a, b = chosen[2 * n], chosen[2 * n + 1]
        before = int(git(root, "rev-list", "--count", "HEAD").stdout)
        procs = [
            subprocess.Popen(
                command("verify", root, root, card, n),
                cwd=root,
                env=ENV,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for card in (a, b)
        ]
        results = [(p.wait(), p.stderr.read() if p.stderr else "") for p in procs]
        after = int(git(root, "rev-list", "--count", "HEAD").stdout)
        counts["pairs"] += 1
        failed = [r for r in results if r[0] != 0]
        counts["exit_nonzero"] += len(failed)
        for code, stderr in failed:
            print(f"pair {n}: exit {code}: {stderr.strip()[-400:]}", file=sys.stderr)
        changed = git(root, "status", "--porcelain").stdout.strip()
        if after - before == 2 and not changed:
            counts["both_landed"] += 1
        elif changed:
            git(root, "commit", "-q", "-a", "--no-gpg-sign", "-m", "left uncommitted")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--late", type=float, default=0.1, help="kill no earlier than this share of a run"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-trials-"))
    try:
        root = make_repo(work)
        print(f"load average {os.getloadavg()[0]:.2f}")
        if args.pairs:
            print("concurrent kb verify:", verify_pairs(root, args.pairs, args.seed))
        if args.kills:
            print("kill -9:", kill_trials(root, work / "site", args.kills, args.seed, args.late))
        print(f"load average {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
