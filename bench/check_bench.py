"""Benchmark kb check against parsing every card's front matter once.

For each corpus it times, in the same run (these machines are noisy: read the ratios):

* frontmatter-once: a Python script that reads every card with python-frontmatter,
  the floor any checker in Python has to pay (interpreter start included);
* kb list --json: kb reading and assessing every card (no git, no links);
* kb check cold: the first run, which also builds the history cache (.kb/history);
* kb check warm: nothing changed since the last run (the median of --runs).

Corpora: the tldr-pages bundle (8,742 pages, 13,918 commits, no front matter) and
generated repos of --cards cards (bench/generate.py when present, else a simple
built-in generator with one commit per 1,000 cards).

Example: python bench/check_bench.py --cards 38000 100000 --runs 3
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_BUNDLE = ROOT.parent / "shared" / "corpora" / "tldr-pages.bundle"
KB = [sys.executable, "-m", "kbcli"]
FRONTMATTER_ONCE = """
import sys, os, frontmatter
n = 0
for folder in sys.argv[1:]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.endswith(".md"):
                frontmatter.load(os.path.join(dirpath, name)); n += 1
print(n)
"""


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    started = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed, done.returncode


def median(cmd: list[str], cwd: Path, runs: int) -> float:
    return statistics.median(timed(cmd, cwd)[0] for _ in range(runs))


def tldr_repo(bundle: Path, work: Path) -> tuple[Path, list[str]]:
    target = work / "tldr"
    if not target.exists() and not bundle.exists():
        sys.exit(f"no tldr-pages bundle at {bundle}: pass --bundle PATH (or --no-tldr)")
    if not target.exists():
        subprocess.run(["git", "clone", "-q", str(bundle), str(target)], check=True)
    folders = sorted(p.name for p in target.iterdir() if p.is_dir() and p.name.startswith("pages"))
    listed = ", ".join(f'"{f}"' for f in folders)
    (target / "kb.toml").write_text(f"[cards]\nfolders = [{listed}]\n")
    return target, folders


def generated_repo(cards: int, work: Path) -> tuple[Path, list[str]]:
    target = work / f"generated-{cards}"
    if target.exists():
        return target, ["."]
    generator = HERE / "generate.py"
    if generator.is_file():
        commits = max(cards // 5, 100)
        cmd = [sys.executable, str(generator), str(target), "--cards", str(cards)]
        subprocess.run([*cmd, "--commits", str(commits), "--seed", "1"], check=True)
    else:
        simple_generator(target, cards)
    return target, ["."]


def simple_generator(target: Path, cards: int) -> None:
    """N cards with front matter, headings and links, committed 1,000 at a time."""
    rng = random.Random(1)
    target.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    (target / "kb.toml").write_text("")
    folders = [f"area-{i:02d}" for i in range(40)]
    env = {**os.environ, "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.test"}
    env |= {"GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.test"}
    for start in range(0, cards, 1000):
        for i in range(start, min(cards, start + 1000)):
            folder = folders[i % len(folders)]
            other = rng.randrange(cards)
            verified = f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}"
            text = (
                f"---\ntitle: Card {i}\nowner: owner{i % 50}\nverified_at: {verified}\n"
                f"tags: [t{i % 30}, t{i % 7}]\nstatus: published\n---\n# Card {i}\n\n"
                f"## Steps\n\nSee [card {other}]"
                f"(../{folders[other % len(folders)]}/card-{other}.md)"
                f" and [[Card {rng.randrange(cards)}]].\n\n```sh\necho '[not](a-link.md)'\n```\n"
            )
            path = target / folder / f"card-{i}.md"
            path.parent.mkdir(exist_ok=True)
            path.write_text(text)
        git = ["git", "-c", "gc.auto=0"]
        subprocess.run([*git, "add", "-A"], cwd=target, check=True, env=env)
        commit = [*git, "commit", "-q", "-m", f"cards {start}"]
        subprocess.run(commit, cwd=target, check=True, env=env)


def bench(name: str, repo: Path, folders: list[str], runs: int) -> dict[str, float]:
    shutil.rmtree(repo / ".kb", ignore_errors=True)
    once = median([sys.executable, "-c", FRONTMATTER_ONCE, *folders], repo, runs)
    listing = median([*KB, "list", "--json"], repo, runs)
    cold, _ = timed([*KB, "check", "--format", "json"], repo)
    warm = median([*KB, "check", "--format", "json"], repo, runs)
    return {"frontmatter-once": once, "kb list --json": listing, "cold": cold, "warm": warm}


PHASES = """
import sys, time
from datetime import date
from pathlib import Path
from kbcli.config import load_config
from kbcli.workspace import Workspace
from kbcli.usecases.check import CheckOptions, _content_findings, _load_cards, _scope
from kbcli.core.progress import no_progress
from kbcli.usecases.health import assess_health
from kbcli.cli.formats import json as fmt
from kbcli.cli.gc_pause import paused_gc
from kbcli.usecases.check import run_check
root = Path(sys.argv[1]).resolve()
ws = Workspace(load_config(root), date.today(), root)
with paused_gc():  # as kb check does at its edge
    t0 = time.perf_counter()
    cards = _load_cards(ws, no_progress)
    t1 = time.perf_counter()
    findings = assess_health(ws).findings
    t2 = time.perf_counter()
    _content_findings(ws, cards, _scope(ws, cards, CheckOptions()), no_progress)
    t3 = time.perf_counter()
    result = run_check(Workspace(load_config(root), date.today(), root), CheckOptions())
    t4 = time.perf_counter()
    fmt.render(result)
    t5 = time.perf_counter()
print(f"read {t1-t0:.2f} history {t2-t1:.2f} content {t3-t2:.2f} render-json {t5-t4:.2f}")
"""


def phases(repo: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PHASES, str(repo)], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE, help="tldr-pages bundle")
    parser.add_argument("--cards", type=int, nargs="*", default=[38000, 100000])
    parser.add_argument("--runs", type=int, default=3, help="runs per warm measurement")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kb-check-bench")
    parser.add_argument("--no-tldr", action="store_true", help="skip the tldr corpus")
    parser.add_argument(
        "--phases", action="store_true", help="also time the phases of one warm run in-process"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    corpora: list[tuple[str, Path, list[str]]] = []
    if not args.no_tldr:
        corpora.append(("tldr (8,742 pages)", *tldr_repo(args.bundle, args.work)))
    for cards in args.cards:
        corpora.append((f"generated {cards:,}", *generated_repo(cards, args.work)))
    print(f"{'corpus':24} {'fm-once':>8} {'kb list':>8} {'cold':>8} {'warm':>8} {'warm/fm':>8}")
    for name, repo, folders in corpora:
        r = bench(name, repo, folders, args.runs)
        print(
            f"{name:24} {r['frontmatter-once']:8.2f} {r['kb list --json']:8.2f} {r['cold']:8.2f} "
            f"{r['warm']:8.2f} {r['warm'] / r['frontmatter-once']:8.2f}x",
            flush=True,
        )
        if args.phases:
            print(f"  phases (s): {phases(repo)}", flush=True)


if __name__ == "__main__":
    main()
