"""Benchmark the one-shot ``kb search`` (no resident process) against rg and a minimal
tantivy-py search, and optionally against another kb checkout.

One run, contenders alternating run by run (a change of machine load hits all alike),
medians after one warm-up each, wall and CPU (user + system of the process and its
children, git included):

- ``kb search WORDS`` with ``KB_DAEMON=off``, its terminal view written to a pipe;
- the same with ``--baseline DIR``'s kb (another checkout, same Python), if given, on a
  copy of the repo (its own index);
- a minimal one-shot tantivy-py search: open an index of the same files (built once by
  the minimal indexer of ``search_bench.py``), parse the words, print the top 10 paths;
- ``rg -il -e WORD...`` over the card folders kb.toml names;
- ``python -c pass``: the floor of any Python process.

Usage: python bench/oneshot_bench.py REPO|BUNDLE [--query WORDS] [--runs 15]
       [--baseline DIR] [--copy]
A bundle is cloned to a temporary folder: the tldr bundle with its kb.toml
(``pages``, ``pages.ru``, ``pages.uk``), any other (the 18F handbook) with ``pages``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_bench import ENV, MINIMAL, alternating, card_folders, scratch_copy, tldr_repo

SEARCH = r"""
import sys, tantivy
index = tantivy.Index.open(sys.argv[1])
searcher = index.searcher()
query = index.parse_query(" ".join(sys.argv[2:]), ["body"])
for _score, address in searcher.search(query, 10).hits:
    print(searcher.doc(address)["path"][0])
"""
# The kb command as its console script runs it, from a chosen source folder (-P: not from
# the current folder, which may be another checkout).
KB = "import sys; from kbcli.cli.main import main; sys.argv[0] = 'kb'; sys.exit(main())"


def bundle_repo(bundle: Path) -> Path:
    """Clone a corpus bundle; the tldr one gets its three page folders as card folders."""
    if "tldr" in bundle.name:
        return tldr_repo(bundle)
    target = Path(tempfile.mkdtemp(prefix="kb-bench-")) / bundle.stem
    subprocess.run(["git", "clone", "-q", str(bundle), str(target)], check=True)
    (target / "kb.toml").write_text('[cards]\nfolders = ["pages"]\n')
    (target / ".git" / "info" / "exclude").write_text(".kb/\nkb.toml\n")
    return target


def kb_command(source: Path, repo: Path, words: list[str]) -> list[str]:
    env = ["env", "KB_DAEMON=off", f"PYTHONPATH={source}"]
    return [*env, sys.executable, "-P", "-c", KB, "--kb", str(repo), "search", *words]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--query", default="refund duplicate charge")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline", type=Path, help="another kb checkout to compare")
    parser.add_argument("--copy", action="store_true", help="work on a temporary copy")
    args = parser.parse_args()
    repo = args.repo.resolve()
    if repo.suffix == ".bundle":
        repo = bundle_repo(repo)
    elif args.copy:
        repo = scratch_copy(repo)
    try:
        return measure(repo, args)
    finally:
        if repo != args.repo.resolve():
            shutil.rmtree(repo.parent, ignore_errors=True)


def measure(repo: Path, args: argparse.Namespace) -> int:
    words = args.query.split()
    here = Path(__file__).resolve().parent.parent
    folders = card_folders(repo)
    minimal = Path(tempfile.mkdtemp(prefix="kb-bench-minimal-"))
    # The baseline searches its own copy: two kb versions whose index keys differ would
    # otherwise rebuild the shared index at every run.
    other = scratch_copy(repo) if args.baseline else None
    try:
        subprocess.run([sys.executable, "-c", MINIMAL, str(minimal), *folders], check=True)
        contenders = {"kb search (this checkout)": kb_command(here, repo, words)}
        if args.baseline and other:
            contenders["kb search (baseline)"] = kb_command(args.baseline.resolve(), other, words)
        contenders["minimal tantivy-py search"] = [
            sys.executable,
            "-c",
            SEARCH,
            str(minimal),
            *words,
        ]
        contenders["rg -il"] = ["rg", "-il", *[x for w in words for x in ("-e", w)], *folders]
        contenders["python -c pass"] = [sys.executable, "-c", "pass"]
        for cmd in contenders.values():  # the index is built and synced before timing
            subprocess.run(cmd, env=ENV, check=False, stdout=subprocess.DEVNULL)
        load = os.getloadavg()[0]
        results = alternating(list(contenders.values()), args.runs)
        load = max(load, os.getloadavg()[0])
    finally:
        shutil.rmtree(minimal, ignore_errors=True)
        if other is not None:
            shutil.rmtree(other.parent, ignore_errors=True)
    rg_wall, rg_cpu = results[list(contenders).index("rg -il")]
    print(f"{repo.name}: {args.query!r}, {args.runs} alternating runs, medians")
    print(f"load average (1 min) up to {load:.1f} on {os.cpu_count()} cores")
    print("| contender | wall ms | CPU ms | wall / rg | CPU / rg |")
    print("|---|---:|---:|---:|---:|")
    for name, (wall, cpu) in zip(contenders, results, strict=True):
        print(
            f"| {name} | {wall * 1000:.1f} | {cpu * 1000:.1f} "
            f"| {wall / rg_wall:.2f}x | {cpu / rg_cpu:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
