"""What other designs of the cold history pass would cost, measured before building one.

The pass (``kbcli/adapters/history_pass.py``) runs ``git log -M --raw`` and reads every
card version it names through ``git cat-file --batch``. The issue's goal is a cold pass
at most 1.3x one ``git log`` pass (38k cards) and at most 2x (the handbook). Each row
below is one ingredient of a design, timed alone, alternating with the others, CPU
(user+system of every process) and wall, against ``git log --name-status``:

- ``raw``: kb's own walk, ``git log --reverse -M --raw`` (every design needs it or more);
- ``patch -U0``: ``git log -M -p -U0``, the walk with each change's hunks, from which
  each version's front matter could be rebuilt by applying the hunks inside the header
  (no cat-file at all);
- ``pickaxe``: ``git log -M --raw -G`` on the front-matter keys the rules read (which
  commits changed one of them; git diffs every changed file to tell);
- ``cat-file``: ``git cat-file --batch`` of the card versions the pass reads from git
  (every distinct card blob the walk names, less the ones the index still lists: those
  come from the work tree);
- ``pygit2``: the same blobs read in-process by libgit2 (``--pygit2-python PY``: an
  interpreter that has pygit2; kb does not depend on it);
- ``no content``: kb's pass with the version reads switched off (git log, parsing,
  replay, cache write): the floor of any design that still replays every change in
  Python, whatever tells it what a change did;
- ``kb``: kb's cold pass as it is.

Example: python bench/history_designs.py --bundle ../shared/corpora/18f-handbook.bundle
(``--no-diffs`` leaves out the two slow rows on big repos.)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from history_bench import DEFAULT_BUNDLE, PASS, alternate, kb_pass, prepare, timed

from kbcli.core.history import TRACKED

# kb's pass with no version read: no blob is asked for and no work-tree file listed.
NO_CONTENT = (
    "import kbcli.adapters.blob_batch as b, kbcli.adapters.worktree_blobs as w; "
    "b.BlobBatch.want = lambda self, blob: None; w.index_blobs = lambda root: {}; " + PASS
)
PYGIT2 = (
    "import sys, pygit2; repo = pygit2.Repository(sys.argv[1]); odb = repo.odb; "
    "print(sum(len(odb.read(line.strip())[1]) for line in open(sys.argv[2]) if line.strip()))"
)


def read_list(repo: Path, work: Path) -> Path:
    """The card versions the pass reads through cat-file, one id a line, in walk order."""
    log = subprocess.run(
        ["git", "log", "--reverse", "-M", "--raw", "--no-abbrev", "-z", "--format="],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    index = subprocess.run(
        ["git", "ls-files", "-s", "-z"], cwd=repo, capture_output=True, check=True
    ).stdout.split(b"\0")
    tips = {entry.split(b" ")[1] for entry in index if entry}
    seen: dict[bytes, None] = {}
    for position, token in enumerate(log):
        token = token.lstrip(b"\n")
        if token[:1] != b":":
            continue
        _, _, old, new, status = token.split(b" ", 4)
        path = log[position + (2 if status[:1] in b"RC" else 1)]
        if path.endswith(b".md") and status[:1] != b"D":
            for blob in (old, new):
                if blob.strip(b"0") and blob not in tips:
                    seen.setdefault(blob, None)
    target = work / "versions.txt"
    target.write_bytes(b"".join(blob + b"\n" for blob in seen))
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", default=str(DEFAULT_BUNDLE), help="git bundle to clone")
    parser.add_argument("--repo", help="clone this repository instead of the bundle")
    parser.add_argument("--runs", type=int, default=3, help="rounds (medians reported)")
    parser.add_argument("--pygit2-python", help="an interpreter with pygit2, for that row")
    parser.add_argument(
        "--no-diffs", action="store_true", help="leave out the patch and pickaxe rows (slow)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kb-history-designs-"))
    try:
        repo = prepare(args, work)
        return run(repo, work, args)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(repo: Path, work: Path, args: argparse.Namespace) -> int:
    versions = read_list(repo, work)
    count = len(versions.read_bytes().split())
    keys = "|".join(TRACKED)

    def git(*extra: str) -> Callable[[int], tuple[float, str]]:
        return lambda _: timed(["git", "log", *extra], cwd=repo)

    def cat_file(_: int) -> tuple[float, str]:
        command = f"git cat-file --batch < '{versions}' > /dev/null"
        return timed(["sh", "-c", command], cwd=repo)

    rows: dict[str, Callable[[int], tuple[float, str]]] = {
        "git log --name-status": git("--name-status", "--format=%H"),
        "raw (kb's walk)": git("--reverse", "-M", "--raw", "--no-abbrev", "-z", "--format=%H"),
        "patch -U0": git("--reverse", "-M", "-p", "-U0", "--no-ext-diff", "--format=%H"),
        "pickaxe -G keys": git("-M", "--raw", f"-G^({keys})[ \t]*:", "--format=%H"),
        f"cat-file ({count} versions)": cat_file,
        "no content (kb pass)": lambda i: kb_pass(repo, work / f"none-{i}", NO_CONTENT),
        "kb cold pass": lambda i: kb_pass(repo, work / f"cold-{i}"),
    }
    if args.no_diffs:
        del rows["patch -U0"], rows["pickaxe -G keys"]
    if args.pygit2_python:
        rows[f"pygit2 ({count} versions)"] = lambda _: timed(
            [args.pygit2_python, "-c", PYGIT2, str(repo), str(versions)]
        )
    times = alternate(rows, args.runs)
    git_wall, git_cpu = times["git log --name-status"]
    print(f"{'contender':34} {'wall s':>8} {'CPU s':>8} {'CPU/git log':>12} {'wall/git log':>13}")
    for name, (wall, cpu) in times.items():
        print(f"{name:34} {wall:8.3f} {cpu:8.3f} {cpu / git_cpu:11.2f}x {wall / git_wall:12.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
