"""kb import at scale: a generated Confluence space export and Zendesk Help Center JSON.

    python bench/import_bench.py [--pages N] [--runs R]

Builds, in a temporary folder, a Confluence space HTML export of N pages (a tree four
levels deep, each page linking to its parent and a sibling, every fifth one with an
image attachment) and Zendesk API JSON of N articles (ten sections, cross-links, one
inline image each fifth), zips both, then for each source times, alternating run by
run: the first import into a fresh knowledge repo (read, convert, write, one commit)
and the same import again (nothing changes). Wall and CPU time (kb and its git
children) are medians of R runs; the load average is printed with them.
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
import zipfile
from pathlib import Path

KB = str(Path(sys.executable).with_name("kb"))
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PAGE = """<!DOCTYPE html><html><head><title>Bench : {title}</title></head><body>
<div id="page"><div id="main"><div id="main-header"><div id="breadcrumb-section">
<ol id="breadcrumbs">{crumbs}</ol></div>
<h1 id="title-heading"><span id="title-text">Bench : {title}</span></h1></div>
<div id="content" class="view"><div class="page-metadata">Created by
<span class='author'> Ana Souza</span>, last modified on Oct 01, 2026</div>
<div id="main-content" class="wiki-content group">
<h2 id="p{n}-Steps">Steps</h2><p>Page {n} explains step {n}; see <a href="{sibling}">the
next page</a> and <a href="{parent}">its parent</a>.</p>
<table><tr><th>Key</th><th>Value</th></tr><tr><td>a | b</td><td>{n}</td></tr></table>
<pre>run --step {n} | tail</pre>{image}
</div></div></div></div></body></html>
"""


def confluence(root: Path, pages: int) -> Path:
    names = [f"Page-{n}_{1000 + n}.html" for n in range(pages)]
    for n, name in enumerate(names):
        chain, parent = [], n
        while parent > 0 and len(chain) < 4:
            parent = (parent - 1) // 8
            chain.insert(0, parent)
        crumbs = '<li><a href="index.html">Bench</a></li>' + "".join(
            f'<li><a href="{names[p]}">Page {p}</a></li>' for p in chain
        )
        image = ""
        if n % 5 == 0:
            (root / f"attachments/{1000 + n}").mkdir(parents=True, exist_ok=True)
            (root / f"attachments/{1000 + n}/9{n}.png").write_bytes(PNG)
            image = f'<img src="attachments/{1000 + n}/9{n}.png" alt="shot {n}">'
        (root / name).write_text(
            PAGE.format(
                title=f"Page {n}",
                crumbs=crumbs,
                n=n,
                sibling=names[(n + 1) % pages],
                parent=f"{names[chain[-1]]}#p{chain[-1]}-Steps" if chain else names[-1],
                image=image,
            ),
            encoding="utf-8",
        )
    (root / "index.html").write_text("<html><body>Bench</body></html>", encoding="utf-8")
    return root


def zendesk(root: Path, articles: int) -> Path:
    host = "https://help.example.test"
    items = []
    for n in range(articles):
        image = ""
        if n % 5 == 0:
            folder = root / f"article_attachments/{n}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "shot.png").write_bytes(PNG)
            image = f'<img src="{host}/hc/article_attachments/{n}/shot.png" alt="shot">'
        items.append(
            {
                "id": n + 1,
                "html_url": f"{host}/hc/en-us/articles/{n + 1}-Article-{n}",
                "author_id": 1,
                "draft": False,
                "section_id": 100 + n % 10,
                "title": f"Article {n}",
                "locale": "en-us",
                "source_locale": "en-us",
                "label_names": ["bench"],
                "user_segment_id": None,
                "edited_at": "2026-10-01T00:00:00Z",
                "body": f'<h2 id="h_{n}">Steps</h2><p>See <a href="{host}/hc/en-us/'
                f'articles/{(n + 1) % articles + 1}#h_{(n + 1) % articles}">the next one</a>.'
                f"</p><pre>run --step {n}</pre>{image}",
            }
        )
    data = {
        "articles": items,
        "users": [{"id": 1, "name": "Ana Souza", "email": "ana@example.test"}],
        "sections": [{"id": 100 + s, "name": f"Section {s}", "category_id": 1} for s in range(10)],
        "categories": [{"id": 1, "name": "Bench"}],
    }
    (root / "articles.json").write_text(json.dumps(data), encoding="utf-8")
    return root


def zip_tree(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return target


def fresh_repo(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    (path / "kb.toml").write_text("", encoding="utf-8")
    (path / "people.yaml").write_text(
        "ana: {name: Ana Souza, emails: [ana@example.test]}\n", encoding="utf-8"
    )
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    subprocess.run(["git", "-C", str(path), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(path), "commit", "-qm", "start"], check=True)
    return path


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    env_note = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.test"}
    os.environ.update({**env_note, "GIT_COMMITTER_NAME": "bench"})
    os.environ["GIT_COMMITTER_EMAIL"] = "bench@example.test"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        exports = {
            "confluence": zip_tree(
                confluence(work / "BENCH", options.pages), work / "confluence.zip"
            ),
            "zendesk": zip_tree(zendesk(work / "hc", options.pages), work / "zendesk.zip"),
        }
        results: dict[str, dict[str, list[tuple[float, float]]]] = {
            s: {"first": [], "again": []} for s in exports
        }
        for _ in range(options.runs):
            for source, export in exports.items():  # alternate the contenders run by run
                repo = fresh_repo(work / f"repo-{source}")
                command = [KB, "import", source, str(export), "-q"]
                results[source]["first"].append(timed(command, repo))
                results[source]["again"].append(timed(command, repo))
        load = os.getloadavg()
        print(f"{options.pages} pages per export, median of {options.runs} runs, "
              f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")  # fmt: skip
        print("| source | first import wall / CPU | re-import (no change) wall / CPU |")
        print("|---|---|---|")
        for source, runs in results.items():
            cells = []
            for key in ("first", "again"):
                wall = statistics.median(w for w, _ in runs[key])
                cpu = statistics.median(c for _, c in runs[key])
                cells.append(f"{wall:.2f} s / {cpu:.2f} s")
            print(f"| {source} | {cells[0]} | {cells[1]} |")


if __name__ == "__main__":
    main()
