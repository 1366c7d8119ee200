"""Benchmark ``kb search`` answered by a resident ``kb daemon`` against the one-shot search and rg.

One run, contenders alternating run by run (a change of machine load hits all alike),
medians after one warm-up each:

- ``kb search WORDS --paths-only`` with ``kb daemon`` running for the repo (the client
  process plus the CPU the daemon spent answering, read from /proc), and ``kb search
  WORDS`` (the view a person reads, snippets included, written to a pipe);
- with ``--baseline DIR``, the same two with another kb checkout's daemon (on a copy of
  the repo: a daemon answers one repo);
- the same command with ``KB_DAEMON=off`` (today's one-shot path: start-up, git status,
  opening the index);
- ``rg -il -e WORD...`` over the card folders kb.toml names;
- ``kb --version`` (the floor of any kb process: interpreter and entry point).

With ``--semantic`` (kbcli[semantic] installed, vectors made by ``kb index``), a copy of
the repo gets a second daemon with dense retrieval on, and the table has both rows
(daemon and one-shot) with and without it: the cost of B per search. Each daemon needs
its own repo (a daemon answers only clients with its ``KB_*`` environment).

Several ``--query`` take turns run by run (run i asks query i mod n), so a resident
process never answers the same question twice in a row (a query's vector is kept).
Run i starts with contender i mod n (``--fixed-order``: always the first; ``--shuffle``: a
seeded random order each run, so that no contender always follows the same one), and rg is
followed by a pause (``--settle``, 0.3 s) and one untimed ``kb --version``: a daemon's
file watcher is told of every file another process opens or reads under the repo
(watchfiles' inotify watch asks for those events too, and drops them), so rg reading 38k
cards costs the daemon 60-100 ms of CPU, which without the pause landed in the daemon
contender that followed. That CPU is printed apart ("outside their answers"). The pause
is after rg only: a pause before every contender made each of them, ``kb --version``
included, 30-40% slower (a process started after an idle gap).

Usage: python bench/daemon_bench.py REPO|BUNDLE [--query WORDS ...] [--runs 15] [--copy]
       [--semantic] [--baseline DIR] [--settle S] [--fixed-order | --shuffle]
(REPO as for bench/search_bench.py; a bundle is cloned with the tldr kb.toml.)
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search_bench import CPU, ENV, card_folders, scratch_copy, timed, tldr_repo

TICKS = os.sysconf("SC_CLK_TCK")
HEAVY = ("rg", "kb search, one-shot")  # contenders that read every card or stat them


def process_cpu(pid: int) -> float:
    """User + system seconds a running process has used (from /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--query", action="append", help="words of one query (repeatable)")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--copy", action="store_true", help="work on a temporary copy")
    parser.add_argument("--semantic", action="store_true", help="add the rows with B on")
    parser.add_argument("--baseline", type=Path, help="another kb checkout to compare")
    parser.add_argument(
        "--settle",
        type=float,
        default=0.3,
        help="seconds to wait after rg (0: none, as before session 9)",
    )
    parser.add_argument(
        "--shuffle",
        action="store_true",
        help="a random order each run (seeded): in a rotation each contender always follows "
        "the same one",
    )
    parser.add_argument(
        "--fixed-order",
        action="store_true",
        help="run the contenders in the same order every run (before session 9: the default)",
    )
    args = parser.parse_args()
    args.query = args.query or ["refund duplicate charge"]
    repo = args.repo.resolve()
    if repo.suffix == ".bundle":
        repo = tldr_repo(repo)
    elif args.copy:
        repo = scratch_copy(repo)
    try:
        return measure(repo, args)
    finally:
        if repo != args.repo.resolve():
            shutil.rmtree(repo.parent, ignore_errors=True)


def start_daemon(kb: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    subprocess.run([*kb, "index"], env=env, check=False, stdout=subprocess.DEVNULL)
    daemon = subprocess.Popen(
        [*kb, "daemon"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert daemon.stdout is not None
    print(daemon.stdout.readline().strip(), file=sys.stderr)
    return daemon


def measure(repo: Path, args: argparse.Namespace) -> int:
    kb_path = str(Path(sys.executable).with_name("kb"))
    words_off = {**ENV, "KB_SEARCH_SEMANTIC": "false"}
    words_on = {**ENV, "KB_SEARCH_SEMANTIC": "true"}
    plain_env = words_off if args.semantic else ENV
    kb = [kb_path, "--kb", str(repo)]
    # contender -> (command for one query's words, environment, the daemon it asks)
    daemons = {"": start_daemon(kb, plain_env)}
    contenders: dict[str, tuple[Any, dict[str, str], str | None]] = {
        "kb search, kb daemon running": (
            lambda w: [*kb, "search", *w, "--paths-only"],
            plain_env,
            "",
        ),
        "kb search (terminal view), kb daemon running": (
            lambda w: [*kb, "search", *w],
            plain_env,
            "",
        ),
        "kb search, one-shot (KB_DAEMON=off)": (
            lambda w: [*kb, "search", *w, "--paths-only"],
            {**plain_env, "KB_DAEMON": "off"},
            None,
        ),
    }
    copies = []
    if args.baseline:
        copies.append(scratch_copy(repo))
        kb_base = [kb_path, "--kb", str(copies[-1])]
        base_env = {**plain_env, "PYTHONPATH": str(args.baseline.resolve())}
        daemons["base"] = start_daemon(kb_base, base_env)
        contenders["baseline: kb search, kb daemon running"] = (
            lambda w: [*kb_base, "search", *w, "--paths-only"],
            base_env,
            "base",
        )
        contenders["baseline: kb search (terminal view), kb daemon running"] = (
            lambda w: [*kb_base, "search", *w],
            base_env,
            "base",
        )
    if args.semantic:
        copies.append(scratch_copy(repo))
        copy = copies[-1]
        kb_b = [kb_path, "--kb", str(copy)]
        daemons["B"] = start_daemon(kb_b, words_on)
        contenders["kb search with B, kb daemon running"] = (
            lambda w: [*kb_b, "search", *w, "--paths-only"],
            words_on,
            "B",
        )
        contenders["kb search with B, one-shot (KB_DAEMON=off)"] = (
            lambda w: [*kb_b, "search", *w, "--paths-only"],
            {**words_on, "KB_DAEMON": "off"},
            None,
        )
    folders = card_folders(repo)
    contenders["rg -il"] = (
        lambda w: ["rg", "-il", *[x for word in w for x in ("-e", word)], *folders],
        ENV,
        None,
    )
    contenders["kb --version"] = (lambda w: [kb_path, "--version"], ENV, None)
    queries = [q.split() for q in args.query]
    walls: dict[str, list[float]] = {name: [] for name in contenders}
    cpus: dict[str, list[float]] = {name: [] for name in contenders}
    # /proc counts in clock ticks (10 ms): the daemon's share is summed over all runs of a
    # contender and averaged, not taken per run.
    served: dict[str, float] = dict.fromkeys(contenders, 0.0)
    loads = [os.getloadavg()[0]]
    daemon_pids = [d.pid for d in daemons.values()]
    idle_cpu = 0.0  # what the daemons spent outside their answers (their watchers)
    try:
        for command, env, _ in contenders.values():  # warm-up (the daemons' first sync)
            timed(command(queries[0]), env=env)
        time.sleep(args.settle)
        names = list(contenders)
        shuffler = random.Random(18)
        # contender -> (the contender run just before it, index of its run): does a
        # contender run slower right after a heavy one (rg, the one-shot's git status)?
        after: dict[str, list[tuple[str, int]]] = {}
        previous = ""
        for run in range(args.runs):
            words = queries[run % len(queries)]
            # Each run starts one contender further: in a fixed order the same contender
            # always asked the daemon the run's query first, right after rg and the one-shot.
            start = 0 if args.fixed_order else run % len(names)
            if args.shuffle:
                shuffler.shuffle(names)
                start = 0
            for name in names[start:] + names[:start]:
                after.setdefault(name, []).append((previous, len(walls[name])))
                previous = name
                command, env, asked = contenders[name]
                pid = daemons[asked].pid if asked is not None else None
                before = process_cpu(pid) if pid else 0.0
                all_before = sum(map(process_cpu, daemon_pids))
                walls[name].append(timed(command(words), env=env)[0])
                cpus[name].append(CPU[-1])
                served[name] += (process_cpu(pid) - before) if pid else 0.0
                if name == "rg -il" and args.settle:
                    time.sleep(args.settle)
                    timed([kb_path, "--version"], env=ENV)  # untimed: out of the idle gap
                idle_cpu += sum(map(process_cpu, daemon_pids)) - all_before
            loads.append(os.getloadavg()[0])
    finally:
        for daemon in daemons.values():
            daemon.terminate()
            daemon.wait(timeout=30)
        for folder in copies:
            shutil.rmtree(folder.parent, ignore_errors=True)
    rg_wall = statistics.median(walls["rg -il"])
    asked = " | ".join(args.query)
    print(f"{repo.name}: {asked!r}, {args.runs} alternating runs, medians")
    print(f"load average (1 min) {min(loads):.1f} to {max(loads):.1f} on {os.cpu_count()} cores")
    idle_cpu -= sum(served.values())
    print(f"daemons' CPU outside their answers: {idle_cpu / args.runs * 1000:.1f} ms per run")
    print("| contender | wall ms | CPU ms (process + daemon's mean share) | wall / rg |")
    print("|---|---:|---:|---:|")
    for name in contenders:
        wall = statistics.median(walls[name])
        cpu = statistics.median(cpus[name]) + served[name] / args.runs
        print(f"| {name} | {wall * 1000:.1f} | {cpu * 1000:.1f} | {wall / rg_wall:.2f}x |")
    if args.shuffle:
        print_after(walls, after)
    return 0


def print_after(walls: dict[str, list[float]], after: dict[str, list[tuple[str, int]]]) -> None:
    """Median wall of each contender right after rg or a one-shot search, and otherwise."""
    print("| contender | after rg or one-shot: median ms (runs) | after the others |")
    print("|---|---:|---:|")
    for name, runs in after.items():
        heavy = [walls[name][i] for prev, i in runs if prev.startswith(HEAVY)]
        other = [walls[name][i] for prev, i in runs if not prev.startswith(HEAVY)]
        cells = [
            f"{statistics.median(x) * 1000:.1f} ({len(x)})" if x else "-" for x in (heavy, other)
        ]
        print(f"| {name} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    raise SystemExit(main())
