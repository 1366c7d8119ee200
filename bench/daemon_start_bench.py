"""Benchmark the kb daemon that a search ranking by meaning starts by itself (issue 12 B).

Two hyperfine runs on a repo whose cards have vectors (kbcli[semantic], ``kb index``):

1. **Warm searches**, rotating the queries of ``--queries`` (run i asks line i mod n, so
   a resident process never answers the same question twice in a row: it keeps the
   last query's vector):
   - ``A one-shot``: ``KB_DAEMON=off KB_SEARCH_SEMANTIC=false kb search Q`` (words only);
   - ``B one-shot``: ``KB_DAEMON=off kb search Q`` (words and meaning, every time the
     model and the vector rows loaded);
   - ``B daemon``: ``kb search Q`` with the daemon that the script's first search started
     (the script waits until it listens); its CPU is read from /proc around the run;
   - ``floor``: the rotation script alone (``true`` instead of kb);
   then the daemon contender alone, for the daemon's CPU per answer without the other
   contenders' file reads (its file watcher is told of each).
2. **The first search** (``--prepare`` stops any daemon, so every run is a first search):
   - ``first, starts daemon``: ``kb search Q`` (answers, then starts the daemon);
   - ``first, start off``: ``KB_DAEMON=off kb search Q`` (not ``KB_SEARCH_START_DAEMON``:
     a setting is part of the verdict cache's key, so switching it re-judges the hits);
   - ``first + second``/``... start off``: two searches back to back, the second while
     the new daemon still loads (it answers by itself, sharing the cores with the loading).

hyperfine measures the search process (its children it waits for); the detached daemon
is not among them. Medians of wall, mean user+sys as hyperfine reports it, p95 of wall.

Usage: python bench/daemon_start_bench.py REPO --queries FILE [--runs 24] [--first-runs 10]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROTATE = """#!/bin/sh
# rotate.sh COUNTER MODE: kb search with the next query of the list (shell builtins only)
n=0; [ -f "$1" ] && read -r n < "$1"; echo $((n + 1)) > "$1"
k=$((n % {count})); i=0
while IFS= read -r q; do [ $i -eq $k ] && break; i=$((i + 1)); done < {queries}
case "$2" in
  a) export KB_DAEMON=off KB_SEARCH_SEMANTIC=false ;;
  b) export KB_DAEMON=off ;;
  off) export KB_DAEMON=off ;;  # not a kb.toml key: the verdict cache stays warm
  floor) exec true ;;
esac
exec {kb} search "$q" > /dev/null
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--queries", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=24)
    parser.add_argument("--first-runs", type=int, default=10)
    parser.add_argument("--kb", default=str(Path(sys.executable).with_name("kb")))
    args = parser.parse_args()
    repo = args.repo.resolve()
    queries = [q for q in args.queries.read_text().splitlines() if q.strip()]
    work = Path(tempfile.mkdtemp(prefix="kbds"))
    script = work / "rotate.sh"
    script.write_text(ROTATE.format(count=len(queries), queries=args.queries.resolve(), kb=args.kb))
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    kb = [args.kb]
    subprocess.run([*kb, "daemon", "--stop"], cwd=repo, env=env, capture_output=True)
    subprocess.run([*kb, "search", queries[0]], cwd=repo, env=env, capture_output=True)
    pid = _wait_listening(repo, env, kb)
    before = _cpu_ticks(pid)
    answered_before = _answered(repo, env, kb)
    load = [_load()]
    warm = _hyperfine(
        work / "warm.json",
        env,
        repo,
        ["-N", "-w", "3", "-r", str(args.runs)],
        {
            "A one-shot": f"sh {script} {work}/c-a a",
            "B one-shot": f"sh {script} {work}/c-b b",
            "B daemon": f"sh {script} {work}/c-d d",
            "floor": f"sh {script} {work}/c-f floor",
        },
    )
    load.append(_load())
    ticks = _cpu_ticks(pid) - before
    answered = _answered(repo, env, kb) - answered_before
    hz = os.sysconf("SC_CLK_TCK")
    print(f"warm searches, load average {load[0]} -> {load[1]}")
    _table(warm)
    print(
        f"daemon (pid {pid}): {ticks / hz * 1000:.0f} ms of CPU over {answered} answers "
        f"(~{ticks / hz * 1000 / max(answered, 1):.1f} ms each, idle and file-watch included)"
    )
    # The daemon's CPU per answer without the other contenders' file reads (its watcher
    # is told of each one): the daemon contender alone.
    before, answered_before, load = _cpu_ticks(pid), _answered(repo, env, kb), [_load()]
    alone = _hyperfine(
        work / "alone.json",
        env,
        repo,
        ["-N", "-w", "3", "-r", str(args.runs)],
        {"B daemon alone": f"sh {script} {work}/c-d d"},
    )
    load.append(_load())
    ticks = _cpu_ticks(pid) - before
    answered = _answered(repo, env, kb) - answered_before
    print(f"the daemon contender alone, load average {load[0]} -> {load[1]}")
    _table(alone)
    print(
        f"daemon (pid {pid}): {ticks / hz * 1000:.0f} ms of CPU over {answered} answers "
        f"(~{ticks / hz * 1000 / max(answered, 1):.1f} ms each)"
    )
    # A stopped daemon lets go of its lock before its process has ended (freeing hundreds of
    # MB at 38k): the pause keeps its end out of the next run, for both contenders alike.
    stop = f"{args.kb} daemon --stop > /dev/null; sleep 1"
    load = [_load()]
    first = _hyperfine(
        work / "first.json",
        env,
        repo,
        ["-S", "sh", "-w", "1", "-r", str(args.first_runs), "--prepare", stop],
        {
            "first, starts daemon": f"sh {script} {work}/c-1 d",
            "first, start off": f"sh {script} {work}/c-2 off",
            "first + second": f"sh {script} {work}/c-3 d; sh {script} {work}/c-3 d",
            "first + second, start off": f"sh {script} {work}/c-4 off; sh {script} {work}/c-4 off",
        },
    )
    load.append(_load())
    subprocess.run([*kb, "daemon", "--stop"], cwd=repo, env=env, capture_output=True)
    print(f"first search, load average {load[0]} -> {load[1]}")
    _table(first)
    shutil.rmtree(work)
    return 0


def _hyperfine(
    out: Path, env: dict[str, str], repo: Path, options: list[str], commands: dict[str, str]
) -> list[dict[str, object]]:
    named = [part for name, command in commands.items() for part in ("-n", name, command)]
    subprocess.run(
        ["hyperfine", "-i", *options, "--export-json", str(out), *named],
        cwd=repo,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    results: list[dict[str, object]] = json.loads(out.read_text())["results"]
    return results


def _table(results: list[dict[str, object]]) -> None:
    print("| contender | median wall | p95 wall | mean CPU (user+sys) |")
    print("|---|---|---|---|")
    for r in results:
        times = sorted(r["times"])  # type: ignore[arg-type]
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        cpu = float(r["user"]) + float(r["system"])  # type: ignore[arg-type]
        median = float(r["median"])  # type: ignore[arg-type]
        cells = [str(r["command"]), *(f"{v * 1000:.0f} ms" for v in (median, p95, cpu))]
        print("| " + " | ".join(cells) + " |")


def _wait_listening(repo: Path, env: dict[str, str], kb: list[str]) -> int:
    """The daemon's pid, once it answers (a search it answered raises its count)."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        status = subprocess.run(
            [*kb, "daemon", "--status"], cwd=repo, env=env, capture_output=True, text=True
        ).stdout
        if "(pid " in status:
            pid = int(status.split("(pid ", 1)[1].split(")", 1)[0])
            before = _answered(repo, env, kb)
            subprocess.run([*kb, "search", "warm up"], cwd=repo, env=env, capture_output=True)
            if _answered(repo, env, kb) > before:
                return pid
        time.sleep(0.5)
    raise SystemExit("the daemon never answered")


def _answered(repo: Path, env: dict[str, str], kb: list[str]) -> int:
    status = subprocess.run(
        [*kb, "daemon", "--status"], cwd=repo, env=env, capture_output=True, text=True
    ).stdout
    if "searches so far" not in status and "search so far" not in status:
        return 0
    return int(status.split(") answers", 1)[1].split("(", 1)[1].split()[0])


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    sys.exit(main())
