"""Benchmark the CPU of one ``kb daemon`` answer, in-process, against another kb checkout.

``daemon_bench.py`` reads the daemon's share from /proc in 10 ms clock ticks; this one
times ``SearchDaemon.answer`` itself with ``time.process_time()``: the daemon of REPO
answers the queries in turn (each answered once before timing), then ``--answers`` more,
and the CPU per answer is printed. Each round runs this checkout, then ``--baseline``'s,
in fresh processes (a change of machine load hits both alike); medians over the rounds.
The answers are the terminal view (snippets), or the path list with ``--paths-only``.

Usage: python bench/daemon_answer_bench.py REPO [--baseline DIR] [--query WORDS ...]
       [--rounds 3] [--answers 100] [--paths-only]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ANSWER = r"""
import os, sys, time
from kbcli.cli import search_client as client
from kbcli.cli.search_daemon import SearchDaemon

os.chdir(sys.argv[1])
answers, extra = int(sys.argv[2]), sys.argv[3].split()
daemon = SearchDaemon(None)
daemon.resident.start()
requests = [client.request(daemon.root, ["search", *q.split(), *extra]) for q in sys.argv[4:]]
for request in requests:
    daemon.answer(request)
started = time.process_time()
for i in range(answers):
    daemon.answer(requests[i % len(requests)])
print((time.process_time() - started) * 1000 / answers)
daemon.close()
os._exit(0)
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--baseline", type=Path, help="another kb checkout to compare")
    parser.add_argument("--query", action="append", help="words of one query (repeatable)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--answers", type=int, default=100)
    parser.add_argument("--paths-only", action="store_true")
    args = parser.parse_args()
    queries = args.query or ["refund duplicate charge"]
    checkouts = {"this checkout": Path(__file__).resolve().parent.parent}
    if args.baseline:
        checkouts["baseline"] = args.baseline.resolve()
    extra = "--paths-only" if args.paths_only else ""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("KB_SEARCH_SEMANTIC", "false")
    times: dict[str, list[float]] = {name: [] for name in checkouts}
    loads = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for name, source in checkouts.items():
            command = [sys.executable, "-P", "-c", ANSWER, str(args.repo.resolve())]
            done = subprocess.run(
                [*command, str(args.answers), extra, *queries],
                env={**env, "PYTHONPATH": str(source)},
                capture_output=True,
                text=True,
                check=True,
            )
            times[name].append(float(done.stdout.split()[-1]))
        loads.append(os.getloadavg()[0])
    view = "path list" if args.paths_only else "terminal view"
    print(f"{args.repo.name}: {' | '.join(queries)!r}, {view}, {args.answers} answers x")
    print(f"{args.rounds} rounds; load average (1 min) {min(loads):.1f} to {max(loads):.1f}")
    print("| checkout | CPU ms per answer (median) | rounds |")
    print("|---|---:|---|")
    for name, found in times.items():
        rounds = ", ".join(f"{t:.2f}" for t in found)
        print(f"| {name} | {statistics.median(found):.2f} | {rounds} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
