"""``kb build`` after one edit: kb trees side by side, runs alternating, CPU and wall.

Each tree (a kb checkout, e.g. ``git archive`` of two commits) gets its own copy of the
knowledge repo, byte-compiled code and two priming builds; then every run makes the edit
in each copy in turn and times one ``python -m kbcli build`` (CPU = user + system of the
process and its children, Pagefind included; wall). Edits alternate: a toggle
(``FILE:OLD:NEW`` turns OLD into NEW, the next run NEW back into OLD) or an appended
line (``append:FILE``). ``--cold`` times the cold build instead: no edit, the build
store (``.kb/handbook``) and the site removed before each build (the git history cache
kept, as bench/handbook_bench.py does). ``--steps`` prints the build's step timings.

    python bench/edit_bench.py REPO --tree before=TREE_A --tree after=TREE_B \\
        --edit "pages/common/tar.md:Archiving utility.:Archiving utilty." --runs 6 [--search]
    python bench/edit_bench.py REPO --tree before=TREE_A --tree after=TREE_B --cold --search
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def edit(copy: Path, spec: str) -> None:
    if spec.startswith("append:"):
        with (copy / spec.removeprefix("append:")).open("a", encoding="utf-8") as f:
            f.write("- edited\n")
        return
    name, old, new = spec.split(":", 2)
    path = copy / name
    text = path.read_text(encoding="utf-8")
    if old in text:
        text = text.replace(old, new, 1)
    elif new in text:
        text = text.replace(new, old, 1)
    else:
        raise SystemExit(f"{name} holds neither {old!r} nor {new!r}")
    path.write_text(text, encoding="utf-8")


def build(
    tree: Path, copy: Path, site: Path, search: bool, steps: bool = False
) -> tuple[float, float, str]:
    """(CPU seconds, wall seconds, the build's summary line and, with ``steps``, its step
    timings)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree)
    flags = ([] if search else ["--no-search"]) + (["--verbose"] if steps else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "kbcli", "build", "--out", str(site), *flags],
        cwd=copy, env=env, capture_output=True, text=True,
    )  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr or done.stdout)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    lines = done.stdout.splitlines()
    line = next((x for x in lines if x.startswith("Built")), "")
    if steps:
        line += " | " + " ".join(x.strip() for x in lines if "inputs" in x and "manifest" in x)
    return cpu, wall, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", help="a knowledge repo (copied once per tree)")
    parser.add_argument("--tree", action="append", required=True, help="NAME=PATH of kb code")
    parser.add_argument("--edit", help="FILE:OLD:NEW or append:FILE")
    parser.add_argument("--cold", action="store_true", help="cold builds instead of edits")
    parser.add_argument("--steps", action="store_true", help="print the build's step timings")
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--search", action="store_true", help="with the Pagefind index")
    parser.add_argument("--work", default=None, help="scratch folder (default: a temp one)")
    args = parser.parse_args()
    if not args.cold and not args.edit:
        parser.error("--edit or --cold is needed")
    work = Path(args.work or tempfile.mkdtemp(prefix="kb-edit-bench-"))
    trees = dict(item.split("=", 1) for item in args.tree)
    sides = []
    for name, tree in trees.items():
        subprocess.run([sys.executable, "-m", "compileall", "-q", "kbcli"], cwd=tree, check=True)
        copy, site = work / name, work / f"{name}-site"
        if not copy.exists():
            shutil.copytree(args.repo, copy, symlinks=True)
        for _ in range(1 if args.cold else 2):  # the cold runs need only git's history
            build(Path(tree), copy, site, args.search)
        sides.append((name, Path(tree), copy, site))
    print(f"load average at start: {os.getloadavg()}")
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
    for run in range(args.runs):
        for name, tree, copy, site in sides:
            if args.cold:
                shutil.rmtree(copy / ".kb" / "handbook", ignore_errors=True)
                shutil.rmtree(site, ignore_errors=True)
            else:
                edit(copy, args.edit)
            cpu, wall, line = build(tree, copy, site, args.search, args.steps)
            times[name].append((cpu, wall))
            said = re.search(r"\((\d+) written.*\) in (.*)", line)
            print(f"run {run + 1} {name}: {cpu:.3f} s CPU, {wall:.3f} s wall, "
                  f"{said.group(1) if said else '?'} written, build says "
                  f"{said.group(2) if said else '?'}", flush=True)  # fmt: skip
    print(f"load average at end: {os.getloadavg()}")
    for name, values in times.items():
        cpu = sum(c for c, _ in values) / len(values)
        wall = sum(w for _, w in values) / len(values)
        print(f"{name}: mean {cpu:.3f} s CPU, {wall:.3f} s wall over {len(values)} runs")


if __name__ == "__main__":
    main()
