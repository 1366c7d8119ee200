"""Benchmark ``kb build`` against Hugo and MkDocs (material) on the same markdown pages.

Measured in one run on the same machine, so the ratios are what to read (shared
machines are noisy). By default the English tldr pages (``pages/``) and then all
pages (``pages``, ``pages.ru``, ``pages.uk``) of the tldr-pages bundle are built:

- kb cold: no build cache (the git history pass is primed first and timed on its own);
- kb no-op: nothing changed (the whole-build check: card bytes, config, HEAD, day, templates);
- kb one edit: ``kb build`` after editing one card;
- kb serve one edit: what ``kb serve`` does on save, in this process, with its memory of
  the last build (the saved path as the file watcher reports it);
- kb single process (``--jobs 1``): what parallel rendering buys;
- Pagefind: the search-index step on kb's output, timed separately;
- Hugo: Debian's hugo with a minimal layout; MkDocs: the material theme.

kb builds run with related cards on (the default: term vectors of every card, see
kbcli/core/related.py); ``--no-related`` measures without them.

MkDocs is not a kb dependency: install it into its own venv and pass --mkdocs:

    python3 -m venv .mkdocs-venv && .mkdocs-venv/bin/pip install mkdocs mkdocs-material
    python bench/handbook_bench.py --mkdocs .mkdocs-venv/bin/mkdocs

Example: python bench/handbook_bench.py ../shared/corpora/tldr-pages.bundle --runs 3
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = PROJECT.parent / "shared" / "corpora" / "tldr-pages.bundle"
SETS = {"english": ["pages"], "all": ["pages", "pages.ru", "pages.uk"]}

HUGO_CONFIG = """baseURL = "http://localhost/"
title = "tldr"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
[markup.goldmark.renderer]
unsafe = false
"""
HUGO_SINGLE = """<!doctype html><html><head><meta charset="utf-8">
<title>{{ .File.BaseFileName }}</title></head><body><main>{{ .Content }}</main></body></html>
"""
HUGO_LIST = """<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .File.BaseFileName }}</a></li>
{{ end }}</ul></body></html>
"""


RELATED: list[str] = []  # ["--no-related"] with --no-related
CPU: dict[str, list[float]] = {}  # CPU seconds (user + system, children included) per label


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], cwd: Path | None = None, label: str = "") -> tuple[float, str]:
    start, cpu = time.perf_counter(), _children_cpu()
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if label:
        CPU.setdefault(label, []).append(_children_cpu() - cpu)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout + result.stderr


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def prepare_repo(corpus: Path, work: Path, name: str, folders: list[str]) -> Path:
    """A clone of the bundle with a kb.toml naming the page folders (no front matter needed)."""
    repo = work / name
    if not repo.is_dir():
        subprocess.run(["git", "clone", "-q", str(corpus), str(repo)], check=True)
    quoted = ", ".join(f'"{f}"' for f in folders)
    (repo / "kb.toml").write_text(
        f'[cards]\nfolders = [{quoted}]\nignore = ["README.md"]\n\n[handbook]\ntitle = "tldr"\n',
        encoding="utf-8",
    )
    return repo


def page_files(repo: Path, folders: list[str]) -> list[Path]:
    return sorted(p for f in folders for p in (repo / f).rglob("*.md") if p.name != "README.md")


def copy_pages(
    repo: Path, folders: list[str], target: Path, *, hugo: bool = False, limit: int = 0
) -> int:
    """The same markdown for another tool (the first ``limit`` pages when given). For Hugo,
    ``{{<`` (tldr's placeholders next to ``<``) is spaced out: Hugo would read it as a
    shortcode and stop."""
    if target.exists():
        shutil.rmtree(target)
    files = page_files(repo, folders)
    if limit:
        files = files[:: max(1, len(files) // limit)][:limit]
    for path in files:
        dest = target / path.relative_to(repo)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if hugo:
            text = path.read_text(encoding="utf-8")
            dest.write_text(text.replace("{{<", "{{ <").replace("{{%", "{{ %"), "utf-8")
        else:
            shutil.copyfile(path, dest)
    return len(files)


def kb_build(
    kb: list[str], repo: Path, out: Path, *extra: str, label: str = ""
) -> tuple[float, str]:
    command = [*kb, "--kb", str(repo), "build", "--out", str(out), "-v", *RELATED, *extra]
    return run(command, label=label)


def bench_kb(kb: list[str], repo: Path, work: Path, runs: int) -> dict[str, float]:
    out = work / f"{repo.name}-kb-site"
    results: dict[str, list[float]] = {k: [] for k in ("cold", "noop", "edit", "jobs1")}
    results["serve_edit"] = []
    # Prime the git history pass (its own cache under .kb/history) and time it once.
    shutil.rmtree(repo / ".kb", ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    first, output = kb_build(kb, repo, out, "--no-search")
    history = _timing(output, "history")
    for _ in range(runs):
        shutil.rmtree(repo / ".kb" / "handbook", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        results["cold"].append(kb_build(kb, repo, out, "--no-search", label=f"{repo.name} cold")[0])
        elapsed, output = kb_build(kb, repo, out, "--no-search", label=f"{repo.name} noop")
        assert "0 written" in output, output
        results["noop"].append(elapsed)
        victim = page_files(repo, ["pages"])[len(results["edit"]) * 7]
        with victim.open("a", encoding="utf-8") as handle:
            handle.write("\n- Edited by the benchmark:\n\n`true`\n")
        elapsed, output = kb_build(kb, repo, out, "--no-search", label=f"{repo.name} edit")
        assert "1 body rendered" in output or "1 bodies rendered" in output, output
        results["edit"].append(elapsed)
        subprocess.run(
            ["git", "checkout", "-q", "--", str(victim.relative_to(repo))], cwd=repo, check=True
        )
    for _ in range(max(1, runs // 2)):
        shutil.rmtree(repo / ".kb" / "handbook", ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        results["jobs1"].append(
            kb_build(kb, repo, out, "--no-search", "--jobs", "1", label=f"{repo.name} jobs1")[0]
        )
    results["serve_edit"] = serve_edits(repo, out, runs)
    pagefind = [
        run([_pagefind(), "--site", str(out), "--silent"], label=f"{repo.name} pagefind")[0]
        for _ in range(runs)
    ]
    report = {k: median(v) for k, v in results.items()}
    report.update(pagefind=median(pagefind), history_first=history, first_build=first)
    return report


def serve_edits(repo: Path, out: Path, runs: int) -> list[float]:
    """What ``kb serve`` does on save, in-process: refresh the saved file, rebuild with the
    memory of the last build, time it. Like ``kb serve``, the garbage collection after a
    build (``_settle``) runs once the build is reported, outside the timed part."""
    from kbcli.cli.context import RunContext
    from kbcli.usecases.handbook import run_build
    from kbcli.usecases.serve import LiveState, _settle

    def rebuild(live: LiveState, changed: set[str] | None) -> float:
        start, cpu = time.perf_counter(), time.process_time()
        ws = RunContext(kb_dir=str(repo)).workspace
        live.refresh(ws, changed)
        run_build(ws, out, "internal", search=False, related=not RELATED, memo=live.memo)
        live.remember(ws)
        elapsed = time.perf_counter() - start
        CPU.setdefault(f"{repo.name} serve_edit", []).append(time.process_time() - cpu)
        _settle()
        return elapsed

    live = LiveState()
    rebuild(live, None)
    CPU.pop(f"{repo.name} serve_edit")
    times = []
    for n in range(runs):
        victim = page_files(repo, ["pages"])[100 + n * 13]
        with victim.open("a", encoding="utf-8") as handle:
            handle.write("\n- Edited in kb serve:\n\n`true`\n")
        times.append(rebuild(live, {str(victim)}))
        subprocess.run(
            ["git", "checkout", "-q", "--", str(victim.relative_to(repo))], cwd=repo, check=True
        )
        rebuild(live, {str(victim)})
    return times


def _timing(output: str, name: str) -> float:
    match = re.search(rf"{name} ([0-9.]+)s", output)
    return float(match.group(1)) if match else float("nan")


def _pagefind() -> str:
    from pagefind.service import get_executable

    path = get_executable()
    if path is None:
        sys.exit("the pagefind binary is missing: pip install 'pagefind[extended]'")
    return str(path)


def bench_hugo(hugo: str, repo: Path, folders: list[str], work: Path, runs: int) -> float:
    site = work / f"{repo.name}-hugo"
    copy_pages(repo, folders, site / "content", hugo=True)
    (site / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (site / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (site / "layouts" / "_default" / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (site / "layouts" / "index.html").write_text(HUGO_LIST, encoding="utf-8")
    times = []
    for _ in range(runs):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / "resources", ignore_errors=True)
        times.append(run([hugo, "--quiet", "--source", str(site)], label=f"{repo.name} hugo")[0])
    return median(times)


def bench_mkdocs(
    mkdocs: str, repo: Path, folders: list[str], work: Path, runs: int, limit: int = 0
) -> float:
    """MkDocs' build time; with ``limit``, of that many pages spread over the set (MkDocs
    material takes many minutes on thousands of pages)."""
    site = work / f"{repo.name}-mkdocs"
    copy_pages(repo, folders, site / "docs", limit=limit)
    (site / "mkdocs.yml").write_text("site_name: tldr\ntheme:\n  name: material\n", "utf-8")
    times = []
    for _ in range(runs):
        shutil.rmtree(site / "site", ignore_errors=True)
        command = [mkdocs, "build", "-q", "-f", str(site / "mkdocs.yml")]
        times.append(run(command, label=f"{repo.name} mkdocs")[0])
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS), help="tldr bundle")
    scratch = Path(tempfile.gettempdir()) / "kb-handbook-bench"
    parser.add_argument("--work", default=str(scratch), help="scratch folder")
    parser.add_argument("--sets", default="english,all", help="english, all or both")
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--mkdocs", default=shutil.which("mkdocs"), help="mkdocs executable")
    parser.add_argument("--mkdocs-runs", type=int, default=1, help="MkDocs is slow: fewer runs")
    parser.add_argument(
        "--mkdocs-pages", type=int, default=0, help="build only this many pages with MkDocs"
    )
    parser.add_argument("--hugo", default=shutil.which("hugo"), help="hugo executable")
    parser.add_argument("--kb", default=str(Path(sys.executable).with_name("kb")), help="kb")
    parser.add_argument("--no-related", action="store_true", help="kb without related cards")
    args = parser.parse_args()
    if args.no_related:
        RELATED.append("--no-related")

    work = Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    env_note = f"{os.cpu_count()} cores"
    rows = []
    for name in args.sets.split(","):
        folders = SETS[name]
        repo = prepare_repo(Path(args.corpus), work, f"tldr-{name}", folders)
        pages = len(page_files(repo, folders))
        print(f"== {name}: {pages} pages ({env_note})", flush=True)
        kb = bench_kb([args.kb], repo, work, args.runs)
        print(f"   kb: {kb}", flush=True)
        hugo = bench_hugo(args.hugo, repo, folders, work, args.runs) if args.hugo else None
        print(f"   hugo: {hugo}", flush=True)
        mk = (
            bench_mkdocs(args.mkdocs, repo, folders, work, args.mkdocs_runs, args.mkdocs_pages)
            if args.mkdocs
            else None
        )
        print(f"   mkdocs: {mk}", flush=True)
        rows.append((name, pages, kb, hugo, mk))

    print()
    print(
        "| set | pages | kb cold | kb no-op | kb one edit | kb serve one edit | kb --jobs 1 | "
        "Pagefind | Hugo | MkDocs material | Hugo / kb cold | MkDocs / kb cold | "
        "history pass (first) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, pages, kb, hugo, mk in rows:

        def fmt(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.2f} s"

        hugo_ratio = f"{hugo / kb['cold']:.2f}x" if hugo else "n/a"
        mk_pages = min(args.mkdocs_pages or pages, pages)
        # Per page when MkDocs built a subset: kb cold's seconds per page vs MkDocs'.
        mk_ratio = f"{(mk / mk_pages) / (kb['cold'] / pages):.1f}x" if mk else "n/a"
        print(
            f"| {name} | {pages} | {fmt(kb['cold'])} | {fmt(kb['noop'])} | {fmt(kb['edit'])} | "
            f"{fmt(kb['serve_edit'])} | {fmt(kb['jobs1'])} | {fmt(kb['pagefind'])} | "
            f"{fmt(hugo)} | {fmt(mk)}{f' ({mk_pages} pages)' if mk else ''} | "
            f"{hugo_ratio} | {mk_ratio} | {fmt(kb['history_first'])} |"
        )
    print()
    print("CPU seconds (user + system, worker processes included), medians:")
    print("| run | CPU s | wall s |")
    print("|---|---:|---:|")
    walls = {"cold": "cold", "noop": "noop", "edit": "edit", "jobs1": "jobs1"}
    for name, _pages, kb, hugo, mk in rows:
        repo_name = f"tldr-{name}"
        for label, values in CPU.items():
            if not label.startswith(repo_name + " "):
                continue
            what = label.split(" ", 1)[1]
            wall = {"hugo": hugo, "mkdocs": mk}.get(what, kb.get(walls.get(what, what)))
            shown = "n/a" if wall is None else f"{wall:.2f}"
            print(f"| {name} {what} | {median(values):.2f} | {shown} |")


if __name__ == "__main__":
    main()
