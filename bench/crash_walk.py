"""Crash walk: SIGKILL or Ctrl-C in the middle of every kb command that writes.

Not a timing benchmark: a robustness walk over a real repo (a copy of the 18F handbook
adopted as cards, or any repo given). For each command, one complete run on a fresh copy
is the reference (its commits' trees, its working tree, its site, what ``kb list``,
``kb check`` and ``kb search`` answer after it). Then, round after round, a fresh copy
runs the same command in its own process group and gets the signal at a random moment
within the reference's run time (SIGKILL to the whole group, git included; or SIGINT
to the group, as a terminal's Ctrl-C does). Checked right after the signal:

- every file the command touches holds its old bytes or its new ones (atomic writes);
- every new commit has the tree of one of the reference's commits (no partial commit),
  ``git fsck`` passes, no stray temporary file or git ``*.lock`` is left;
- a Ctrl-C ends the command within 30 s with exit 130 and no traceback.

Then the same command runs again, and: it exits without a traceback, and either the repo
ends as the reference's (the command repaired or finished the work) or the message says
what to do (printed for reading); ``kb list --json``, ``kb check --format json`` and
``kb search`` answer as on the reference (a cache never gives a wrong answer); a built
site is file for file the reference's.

Example:
  python bench/crash_walk.py --source ADOPTED_18F --raw RAW_18F --rounds 5 --signal KILL
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KB = [sys.executable, "-m", "kbcli"]
TODAY = "2026-12-01"
EXPORT = ROOT / "tests" / "fixtures" / "slack-export"
GURU = ROOT / "tests" / "fixtures" / "import" / "guru"
LINK = "https://nimbus-support.slack.com/archives/C01BILL/p1793749200000100"
STRAY = re.compile(r"(\.tmp$|\.lock$|^tmp_obj_|^tmp_pack_|^tmp_idx_)")
KEPT = re.compile(r"^\.tantivy-(writer|meta)\.lock$")  # Tantivy flocks these on purpose
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Trial",
    "GIT_AUTHOR_EMAIL": "t@example.test",
    "GIT_COMMITTER_NAME": "Trial",
    "GIT_COMMITTER_EMAIL": "t@example.test",
    "GIT_AUTHOR_DATE": "2026-12-01T10:00:00Z",
    "GIT_COMMITTER_DATE": "2026-12-01T10:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "KB_DAEMON": "off",
    "EDITOR": "true",
}
BRANCH_CAPTURE = (
    "import os, sys; from datetime import date; from kbcli.config import load_config; "
    "from kbcli.workspace import Workspace; "
    "from kbcli.usecases.assistant_writes import capture_draft; "
    "root = os.path.abspath(sys.argv[1]); "
    "w = Workspace(config=load_config(root, os.environ, {}), today=date(2026, 12, 1), cwd=root); "
    "capture_draft(w, 'How do I reset a travel card PIN?', 'Call the bank, then update "
    "the card in Concur.', 'crash walk')"
)


@dataclass
class Case:
    name: str
    args: list[str]
    raw: bool = False  # runs on the repo before adoption
    stdin: str = ""
    python: bool = False  # args are a python driver, not a kb command
    site: bool = False


@dataclass
class State:
    """What a copy holds: commits after the base, files, answers of read commands."""

    trees: list[str]
    commits: list[str]
    branches: dict[str, str]
    files: dict[str, str]
    steps: dict[str, set[str]] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    site: dict[str, str] = field(default_factory=dict)


def cases(cards: list[str]) -> list[Case]:
    some = cards[:30]
    return [
        Case("adopt", ["adopt", "--apply", "--yes", "-q"], raw=True),
        Case("reassign", ["reassign", "--from", "ana", "--to", "bo", "-q"]),
        Case("verify", ["verify", *some, "--force", "--reason", "walk", "-q"]),
        Case("archive", ["archive", cards[0], "--reason", "walk", "-q"]),
        Case("publish", ["publish", "pages/walk-draft.md", "-q"]),
        Case("new", ["new", "--title", "Walk card", "--owner", "ana", "--no-edit", "-q"]),
        Case("import", ["import", "guru", str(GURU), "--owner", "ana", "-q"]),
        Case("capture-file", ["capture", "slack", str(EXPORT), "--link", LINK, "--yes", "-q"]),
        Case(
            "capture-text",
            ["capture", "text", "--title", "Walk capture", "--yes", "-q"],
            stdin="Subject: travel card PIN\n\nHow do I reset it?\n\nCall the bank.\n",
        ),
        Case("capture-branch", ["-c", BRANCH_CAPTURE, "."], python=True),
        Case("build", ["build", "--out", "site", "-q"], site=True),
    ]


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, env=ENV, capture_output=True, text=True)
    return done.stdout


def digest(path: Path) -> str:
    """The file's git blob id, so working files compare with committed versions."""
    if not path.is_file() or path.is_symlink():
        return "-"
    data = path.read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def committed(root: Path, commits: list[str]) -> dict[str, set[str]]:
    """Every version of each file in these commits (the steps of a multi-commit command)."""
    versions: dict[str, set[str]] = {}
    for commit in commits:
        for line in git(root, "ls-tree", "-r", commit).splitlines():
            meta, path = line.split("\t", 1)
            versions.setdefault(path, set()).add(meta.split()[2])
    return versions


def tree_files(folder: Path, skip: tuple[str, ...] = (".git", ".kb", "site")) -> dict[str, str]:
    found = {}
    for dirpath, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in names:
            path = Path(dirpath, name)
            found[path.relative_to(folder).as_posix()] = digest(path)
    return found


def strays(root: Path) -> list[str]:
    found = []
    for dirpath, _, names in os.walk(root):
        for name in names:
            if STRAY.search(name) and not KEPT.search(name):
                found.append(os.path.relpath(os.path.join(dirpath, name), root))
    return found


def kb(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    cmd = [*KB, "--kb", str(root), "--today", TODAY, *args]
    return subprocess.run(cmd, cwd=root, env=ENV, capture_output=True, text=True, input=stdin)


def snapshot(root: Path, base: str, *, answers: bool, site: bool) -> State:
    trees = git(root, "log", "--format=%T", f"{base}..HEAD").split()
    commits = git(root, "log", "--format=%H", f"{base}..HEAD").split()
    refs = git(root, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads/")
    branches = {}
    for line in refs.splitlines():
        name, sha = line.split()
        branches[name] = git(root, "rev-parse", f"{sha}^{{tree}}").strip()
    state = State(
        trees=trees[::-1], commits=commits[::-1], branches=branches, files=tree_files(root)
    )
    if answers:
        state.answers = {
            "list": kb(root, "list", "--json").stdout,
            "check": kb(root, "check", "--format", "json").stdout,
            "search": kb(root, "search", "travel card", "--json").stdout,
        }
    if site:
        state.site = tree_files(root / "site", skip=())
    return state


def fresh(source: Path, work: Path, name: str) -> Path:
    copy = work / name
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(source, copy, symlinks=True)
    return copy


def start(case: Case, root: Path) -> subprocess.Popen[str]:
    cmd = (
        [sys.executable, *case.args]
        if case.python
        else [*KB, "--kb", str(root), "--today", TODAY, *case.args]
    )
    process = subprocess.Popen(
        cmd,
        cwd=root,
        env=ENV,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # A terminal's Ctrl-C: SIGINT at its default, even when this script runs in the
        # background (a shell starts background jobs with SIGINT ignored, inherited).
        preexec_fn=_interruptible,
    )
    assert process.stdin is not None
    try:
        process.stdin.write(case.stdin)
        process.stdin.close()
    except BrokenPipeError:
        pass
    return process


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def torn(
    before: dict[str, str], after: dict[str, str], steps: dict[str, set[str]], now: dict[str, str]
) -> list[str]:
    """Files that hold neither the old bytes, nor the reference's new ones, nor a version
    one of the reference's commits holds."""
    bad = []
    for path in set(before) | set(after) | set(now):
        if STRAY.search(path.rsplit("/", 1)[-1]):
            continue
        allowed = {before.get(path, "-"), after.get(path, "-"), *steps.get(path, ())}
        if now.get(path, "-") not in allowed:
            bad.append(path)
    return sorted(bad)


def round_trip(
    case: Case,
    source: Path,
    work: Path,
    ref: State,
    base: str,
    usual: float,
    sig: signal.Signals,
    rng: random.Random,
) -> dict[str, object]:
    root = fresh(source, work, "round")
    before = tree_files(root)
    process = start(case, root)
    delay = usual * rng.uniform(0.2, 0.98)
    time.sleep(delay)
    result: dict[str, object] = {"delay": round(delay, 2)}
    if process.poll() is not None:
        process.wait()
        result["finished_first"] = True
        return result
    os.killpg(process.pid, sig)
    try:
        code = process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        result["ignored_ctrl_c"] = True
        os.killpg(process.pid, signal.SIGKILL)
        code = process.wait()
    stderr = process.stderr.read() if process.stderr else ""
    result["exit"] = code
    if "Traceback" in stderr:
        result["traceback_on_signal"] = stderr[-800:]
    if sig == signal.SIGINT and code not in (130, -2):
        result["ctrl_c_exit"] = f"{code}: {stderr.strip()[-300:]}"
    with_group_gone(process.pid)
    now = snapshot(root, base, answers=False, site=False)
    result["torn"] = torn(before, ref.files, ref.steps, now.files)
    result["partial_commit"] = [t for t in now.trees if t not in ref.trees]
    for name, tree in now.branches.items():
        if name not in ("refs/heads/main", "refs/heads/master") and tree != ref.branches.get(name):
            result.setdefault("partial_branch", []).append(name)  # type: ignore[union-attr]
    result["stray_after_signal"] = strays(root)
    fsck = subprocess.run(
        ["git", "fsck", "--no-progress"], cwd=root, env=ENV, capture_output=True, text=True
    )
    if fsck.returncode:
        result["fsck"] = fsck.stderr[-300:]
    started = time.perf_counter()
    again = rerun(case, root)
    again_seconds = time.perf_counter() - started
    result["rerun_exit"] = again.returncode
    result["rerun_seconds"] = again_seconds
    if "Traceback" in again.stderr:
        result["traceback_on_rerun"] = again.stderr[-1500:]
    after = snapshot(root, base, answers=True, site=case.site)
    result["stray_after_rerun"] = strays(root)
    result["same_end"] = after.trees[-1:] == ref.trees[-1:] and after.files == ref.files
    if not result["same_end"]:
        result["rerun_said"] = again.stderr.strip()[-600:]
        result["files_differ"] = sorted(
            p for p in set(after.files) | set(ref.files) if after.files.get(p) != ref.files.get(p)
        )[:8]
        result["commits"] = f"{len(after.trees)} vs reference {len(ref.trees)}"
    result["answers_differ"] = [k for k in ref.answers if after.answers.get(k) != ref.answers[k]]
    if case.site:
        result["site_differ"] = sorted(
            p for p in set(after.site) | set(ref.site) if after.site.get(p) != ref.site.get(p)
        )[:8]
    return result


def rerun(case: Case, root: Path) -> subprocess.CompletedProcess[str]:
    if case.python:
        cmd = [sys.executable, *case.args]
        return subprocess.run(cmd, cwd=root, env=ENV, capture_output=True, text=True)
    return kb(root, *case.args, stdin=case.stdin)


def with_group_gone(pgid: int) -> None:
    """Wait until no process of the killed group is left (git children die on their own)."""
    for _ in range(200):
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def prepare(source: Path, raw: Path, work: Path) -> tuple[Path, Path]:
    """Each base gets its caches warm and a committed draft for kb publish."""
    base = fresh(source, work, "base")
    draft = base / "pages" / "walk-draft.md"
    draft.write_text(
        "---\ntitle: Walk draft\nowner: ana\nstatus: draft\n---\n\nA draft to publish.\n",
        encoding="utf-8",
    )
    git(base, "add", "pages/walk-draft.md")
    git(base, "commit", "-q", "--no-gpg-sign", "-m", "walk draft")
    for copy in (base, raw):
        kb(copy, "list", "--json")
        kb(copy, "check", "--format", "json")
        kb(copy, "search", "travel card", "--json")
    return base, raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="the adopted repo (owners ana)")
    parser.add_argument("--raw", type=Path, required=True, help="the repo before kb adopt")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--signal", choices=("KILL", "INT"), default="KILL")
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sig = signal.Signals[f"SIG{args.signal}"]
    work = Path(tempfile.mkdtemp(prefix="kb-crash-walk-"))
    rng = random.Random(args.seed)
    print(f"load average {os.getloadavg()[0]:.2f}, signal {sig.name}", flush=True)
    try:
        raw = fresh(args.raw, work, "raw")
        base, raw = prepare(args.source, raw, work)
        listed = json.loads(kb(base, "list", "--json").stdout or "[]")
        names = sorted(
            c["path"] for c in listed if c.get("status") == "published" and "walk" not in c["path"]
        )
        for case in cases(names):
            if args.only and case.name not in args.only:
                continue
            source = raw if case.raw else base
            head = git(source, "rev-parse", "HEAD").strip()
            ref_root = fresh(source, work, "reference")
            started = time.perf_counter()
            done = rerun(case, ref_root)
            usual = time.perf_counter() - started
            ref = snapshot(ref_root, head, answers=True, site=case.site)
            ref.steps = committed(ref_root, ref.commits)
            print(
                f"\n== {case.name}: reference exit {done.returncode} in {usual:.1f} s, "
                f"{len(ref.trees)} commit(s) {done.stderr.strip()[-200:]}",
                flush=True,
            )
            killed = tries = 0
            while killed < args.rounds and tries < 3 * args.rounds:
                n, tries = tries, tries + 1
                result = round_trip(case, source, work, ref, head, usual, sig, rng)
                if result.get("finished_first"):
                    print(f"{case.name} try {n}: finished before {result['delay']} s", flush=True)
                    usual = result["delay"]  # type: ignore[assignment]
                    continue
                killed += 1
                usual = float(result["rerun_seconds"])  # type: ignore[arg-type]
                bad = {
                    k: v
                    for k, v in result.items()
                    if v not in ([], None, False)
                    and k not in ("delay", "exit", "rerun_exit", "same_end", "rerun_seconds")
                }
                print(
                    f"{case.name} round {n}: delay {result['delay']} s, exit {result.get('exit')}, "
                    f"rerun exit {result.get('rerun_exit')}, same end {result.get('same_end')}"
                    + (f", {bad}" if bad else ""),
                    flush=True,
                )
        print(f"\nload average {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
