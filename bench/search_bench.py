"""Benchmark kb's search index against the tools a user would otherwise use.

Measured in one run (report ratios, these machines are noisy):

1. full index build: ``kb index --rebuild`` vs a minimal tantivy-py script indexing
   the same files (title + body, no front matter handling), alternating; kb cold (no
   documents, parsed cards, languages or history kept from earlier runs: a fresh clone,
   whose first ``kb index`` also reads the git history behind trust for the first
   search), cold with that history kept (the index build alone) and warm (the
   documents the rebuild just before kept, ``.kb/index/documents.marshal``), without
   vectors;
   kb's user cache (py3langid's model, unpacked once per machine) is kept between
   runs unless ``--machine-cold``;
2. re-sync after editing one card: ``kb index`` after touching one card;
3. ``kb search WORDS --paths-only`` as a whole process (warm index, freshness check
   included) vs ``rg -il -e WORD...`` over the card folders kb.toml names; the two
   commands alternate run by run, so both see the same machine load;
4. peak memory (max RSS) of the full builds.

Usage: python bench/search_bench.py [REPO] [--query "refund duplicate charge"] [--runs 5]
REPO is a knowledge repo (kb.toml) such as one made by bench/generate.py, or a git
bundle of the tldr-pages corpus (the default, ../shared/corpora/tldr-pages.bundle from
the project root), which is cloned to a temporary folder with a kb.toml added.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MINIMAL = r"""
import os, sys, tantivy
out, roots = sys.argv[1], sys.argv[2:]
sb = tantivy.SchemaBuilder()
sb.add_text_field("path", stored=True, tokenizer_name="raw")
sb.add_text_field("body", stored=True, tokenizer_name="en_stem")
index = tantivy.Index(sb.build(), out)
writer = index.writer(96_000_000, 2)
for root in roots:
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith(".md"):
                path = os.path.join(folder, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    writer.add_document(tantivy.Document(path=path, body=f.read()))
writer.commit()
writer.wait_merging_threads()
"""


def tldr_repo(bundle: Path) -> Path:
    """Clone the tldr-pages bundle and make its English, Russian and Ukrainian pages cards."""
    target = Path(tempfile.mkdtemp(prefix="kb-bench-tldr-")) / "tldr"
    subprocess.run(["git", "clone", "-q", str(bundle), str(target)], check=True)
    (target / "kb.toml").write_text('[cards]\nfolders = ["pages", "pages.ru", "pages.uk"]\n')
    (target / ".git" / "info" / "exclude").write_text(".kb/\nkb.toml\n")
    return target


def scratch_copy(repo: Path) -> Path:
    """A copy of ``repo`` in a temporary folder, with git's stat cache refreshed for it (a
    copied work tree has new inodes, and kb's git status never writes git's index)."""
    target = Path(tempfile.mkdtemp(prefix="kb-bench-")) / repo.name
    shutil.copytree(repo, target, symlinks=True)
    subprocess.run(["git", "status", "--porcelain"], cwd=target, stdout=subprocess.DEVNULL)
    return target


# Users' installs have compiled bytecode; a machine that sets PYTHONDONTWRITEBYTECODE
# would make every kb run recompile kb's modules, which is not what users see.
# Words only: with kbcli[semantic] installed, kb index would also embed every card's
# passages (minutes of CPU), which neither the minimal script nor rg does.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["KB_SEARCH_SEMANTIC"] = "0"


CPU: list[float] = []  # user+sys seconds of each timed() run, in order


def timed(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[float, int]:
    """Wall seconds and max RSS (KiB) of one child process; its CPU time goes to CPU."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    start = time.perf_counter()
    subprocess.run(
        cmd,
        cwd=cwd,
        env=ENV if env is None else env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(usage.ru_utime + usage.ru_stime - cpu_before)
    return seconds, max(before, usage.ru_maxrss)


def measured(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> list[float]:
    """[wall s, CPU s (user+sys), peak RSS MB] of one process, by /usr/bin/time."""
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%e %U %S %M", *cmd],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    wall, user, system, rss = proc.stderr.split()[-4:]
    return [float(wall), float(user) + float(system), int(rss) / 1024]


# What a cold rebuild finds missing: the documents, the parsed cards, the languages, and
# the history behind trust that kb index warms for the first search (as in a fresh clone).
KEPT = (".kb/index/documents.marshal", ".kb/cards.marshal", ".kb/languages.marshal")
KEPT_BODIES = ".kb/bodies"  # the card cache's bodies: a fresh clone has none either
KEPT_FOLDERS = (".kb/history",)
KEPT_STATE = (".kb/baselines.marshal", ".kb/bulk.marshal")


def build_rows(
    kb: list[str], repo: Path, roots: list[str], runs: int, machine_cold: bool = False
) -> list[tuple[str, str, str, str]]:
    """``kb index --rebuild`` cold (nothing kept from earlier runs: a fresh clone, whose
    first ``kb index`` also warms the history behind trust), cold with that history kept
    (the index build alone) and warm (the kept documents of the rebuild just before)
    against the minimal script, alternating, without vectors (the minimal script makes
    none). Rows: wall, CPU and peak RSS medians.

    Cold means nothing kept in the repo; what kb keeps for the whole machine (py3langid's
    model unpacked into the user's cache) stays, unless ``machine_cold``: then each cold
    run gets an empty user cache, as kb's first run on a machine does."""
    env = ENV
    tmp = Path(tempfile.mkdtemp())
    user_cache = Path(tempfile.mkdtemp(prefix="kb-bench-cache-"))
    if machine_cold:
        env = {**ENV, "XDG_CACHE_HOME": str(user_cache)}
    found: dict[str, list[list[float]]] = {"cold": [], "index": [], "warm": [], "minimal": []}
    rebuild = [*kb, "index", "--rebuild", "--quiet"]
    try:
        for _ in range(runs):
            for name in (*KEPT, *KEPT_STATE):
                (repo / name).unlink(missing_ok=True)
            for name in (*KEPT_FOLDERS, KEPT_BODIES):
                shutil.rmtree(repo / name, ignore_errors=True)
            shutil.rmtree(user_cache, ignore_errors=True)
            found["cold"].append(measured(rebuild, env))
            found["warm"].append(measured(rebuild, env))
            for name in KEPT:  # cold again, the history that kb index warms kept
                (repo / name).unlink(missing_ok=True)
            shutil.rmtree(repo / KEPT_BODIES, ignore_errors=True)
            shutil.rmtree(user_cache, ignore_errors=True)
            found["index"].append(measured(rebuild, env))
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            found["minimal"].append(
                measured([sys.executable, "-c", MINIMAL, str(tmp), *roots], env)
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(user_cache, ignore_errors=True)
    wall, cpu, rss = (
        {k: statistics.median(run[i] for run in v) for k, v in found.items()} for i in range(3)
    )
    rows = []
    labels = {
        "cold": "cold, history warm-up included (a fresh clone)",
        "index": "cold, history kept (the index alone)",
        "warm": "warm",
    }
    for kind in ("cold", "index", "warm"):
        label = labels[kind]
        if machine_cold and kind != "warm":
            label += ", first on this machine"
        rows.append(
            (
                f"full index build, {label} (kb index --rebuild), wall",
                f"{wall[kind]:.2f} s",
                f"{wall['minimal']:.2f} s (minimal tantivy-py)",
                f"{wall[kind] / wall['minimal']:.2f}x",
            )
        )
        rows.append(
            (
                "  same, CPU time (user+sys)",
                f"{cpu[kind]:.2f} s",
                f"{cpu['minimal']:.2f} s (minimal)",
                f"{cpu[kind] / cpu['minimal']:.2f}x",
            )
        )
        rows.append(
            (
                "  peak RSS",
                f"{rss[kind]:.0f} MB",
                f"{rss['minimal']:.0f} MB (minimal)",
                f"{rss[kind] / rss['minimal']:.2f}x",
            )
        )
    return rows


def median(cmd: list[str], runs: int, cwd: Path | None = None) -> tuple[float, float]:
    """Median wall and CPU time of ``runs`` runs after one warm-up run."""
    timed(cmd, cwd)
    walls = [timed(cmd, cwd)[0] for _ in range(runs)]
    return statistics.median(walls), statistics.median(CPU[-runs:])


def alternating(commands: list[list[str]], runs: int) -> list[tuple[float, float]]:
    """Median wall and CPU time of each command, run in turn ``runs`` times (after a warm-up
    of each), so that a change in machine load hits all of them alike."""
    for cmd in commands:
        timed(cmd)
    walls: list[list[float]] = [[] for _ in commands]
    cpus: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for i, cmd in enumerate(commands):
            walls[i].append(timed(cmd)[0])
            cpus[i].append(CPU[-1])
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(walls, cpus, strict=True)]


def card_folders(repo: Path) -> list[str]:
    """The card folders kb.toml names (the folders rg searches)."""
    import tomllib

    config = tomllib.loads((repo / "kb.toml").read_text(encoding="utf-8"))
    folders = config.get("cards", {}).get("folders", ["."])
    return [str(repo / f) for f in folders if (repo / f).is_dir()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parent.parent / "../shared/corpora/tldr-pages.bundle"
    parser.add_argument("repo", type=Path, nargs="?", default=default)
    parser.add_argument("--query", default="refund duplicate charge")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true", help="only measure sync and search")
    parser.add_argument(
        "--machine-cold",
        action="store_true",
        help="cold rebuilds also without kb's user cache (py3langid's unpacked model)",
    )
    parser.add_argument(
        "--copy", action="store_true", help="work on a temporary copy of REPO (it is not written)"
    )
    args = parser.parse_args()
    repo = args.repo.resolve()
    if repo.suffix == ".bundle":
        repo = tldr_repo(repo)
    elif args.copy:
        repo = scratch_copy(repo)
    try:
        return measure(repo, args)
    finally:
        if repo != args.repo.resolve():  # a temporary clone or copy
            shutil.rmtree(repo.parent, ignore_errors=True)


def measure(repo: Path, args: argparse.Namespace) -> int:
    """Run every measurement on ``repo`` and print the table."""
    kb = [str(Path(sys.executable).with_name("kb")), "--kb", str(repo)]
    roots = card_folders(repo)
    rows = []
    if not args.skip_build:
        rows += build_rows(kb, repo, roots, args.runs, args.machine_cold)
    subprocess.run([*kb, "index"], env=ENV, check=False, stdout=subprocess.DEVNULL)
    cards = sorted(p for p in repo.rglob("*.md") if ".kb" not in p.parts and ".git" not in p.parts)
    if (repo / "pages").is_dir():  # tldr: only the folders kb.toml names are cards
        cards = [
            p for p in cards if p.relative_to(repo).parts[0] in ("pages", "pages.ru", "pages.uk")
        ]
    victim = cards[len(cards) // 2]
    original = victim.read_bytes()
    sync_times, sync_inner, sync_cpu, edited_search = [], [], [], []
    words = args.query.split()
    try:
        for i in range(args.runs):
            victim.write_bytes(original + f"\nedited {i}\n".encode())
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            out = subprocess.run(
                [*kb, "index", "--json"], env=ENV, capture_output=True, text=True, check=False
            )
            sync_times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            sync_cpu.append(after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime)
            sync_inner.append(json.loads(out.stdout)["seconds"])
            victim.write_bytes(original + f"\nedited again {i}\n".encode())
            edited_search.append(timed([*kb, "search", *words, "--paths-only"])[0])
    finally:
        victim.write_bytes(original)
        subprocess.run([*kb, "index"], env=ENV, check=False, stdout=subprocess.DEVNULL)
    noop, noop_cpu = median([*kb, "index"], args.runs)
    rows.append(
        (
            "re-sync after editing one card: kb index, whole process",
            f"{statistics.median(sync_times):.3f} s",
            f"{noop:.3f} s (no change)",
            "",
        )
    )
    rows.append(
        (
            "  same, CPU time (user+sys)",
            f"{statistics.median(sync_cpu):.3f} s",
            f"{noop_cpu:.3f} s (no change)",
            "",
        )
    )
    rows.append(
        (
            "  the sync itself (git status, hash, index, commit)",
            f"{statistics.median(sync_inner):.3f} s",
            "",
            "",
        )
    )
    rg = ["rg", "-il"]
    for word in words:
        rg += ["-e", word]
    (search_s, search_cpu), (rg_s, rg_cpu) = alternating(
        [[*kb, "search", *words, "--paths-only"], [*rg, *roots]], args.runs
    )
    rows.append(
        (
            f"kb search {args.query!r} vs rg -il",
            f"{search_s:.3f} s",
            f"{rg_s:.3f} s (rg)",
            f"{search_s / rg_s:.2f}x",
        )
    )
    rows.append(
        (
            "  same, CPU time (user+sys)",
            f"{search_cpu:.3f} s",
            f"{rg_cpu:.3f} s (rg)",
            f"{search_cpu / max(rg_cpu, 1e-6):.2f}x",
        )
    )
    rows.append(
        (
            "  kb search right after editing one card (its sync included)",
            f"{statistics.median(edited_search):.3f} s",
            f"{search_s:.3f} s (no change)",
            "",
        )
    )
    width = max(len(r[0]) for r in rows)
    print(f"repo: {repo} ({len(cards)} .md files), runs: {args.runs}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for name, ours, theirs, ratio in rows:
        print(f"{name:<{width}}  {ours:>10}  {theirs:>32}  {ratio:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
