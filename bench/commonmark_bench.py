"""Would a compiled CommonMark parser make kb's cold build faster, with the same pages?

Compares kb's renderer (markdown-it-py with kb's rules: wiki links, heading ids, link
rewriting, footnotes, task lists, Pygments, then nh3) with markdown-it-pyrs (the Rust
port of markdown-it, on PyPI) on:

- the CommonMark and GFM spec examples kb's tests use (tests/integration/test_markdown_render.py),
  normalised as that test normalises;
- every card body of a corpus: CPU seconds to render all of them, and how many give the
  same sanitised HTML as markdown-it-py with the same options and no kb rules (so kb's
  own additions are not what differs).

markdown-it-pyrs is not a kb dependency (parser plugins cannot be written in Python, so
kb's wiki links and link rewriting would need another pass); install it next to kb to
run this: ``pip install markdown-it-pyrs``.

Example: python bench/commonmark_bench.py ../shared/corpora/18f-handbook.bundle
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def bodies(bundle: Path, work: Path, folders: list[str]) -> list[str]:
    repo = work / bundle.stem
    if not repo.exists():
        subprocess.run(["git", "clone", "-q", str(bundle), str(repo)], check=True)
    from kbcli.core.front_matter import split

    found = []
    for folder in folders:
        for path in sorted((repo / folder).rglob("*.md")):
            text = path.read_text(encoding="utf-8", errors="replace")
            parts = split(text)
            found.append(parts[1] if parts else text)
    return found


def cpu(run: Callable[[str], str], items: list[str]) -> tuple[float, list[str]]:
    start = time.process_time()
    out = [run(item) for item in items]
    return time.process_time() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--folders", default="pages")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kb-cm-bench")
    args = parser.parse_args()
    from markdown_it import MarkdownIt
    from markdown_it_pyrs import MarkdownIt as RustMarkdownIt

    from kbcli.adapters.markdown_render import BodyRenderer, sanitize
    from kbcli.core.handbook import SiteLinks
    from kbcli.core.links import LinkResolver
    from tests.integration.test_markdown_render import SPEC, _normalize

    kb = BodyRenderer(SiteLinks(LinkResolver([]), frozenset()))
    plain = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    rust = RustMarkdownIt("commonmark").enable_many(["table", "strikethrough"])

    def gfm_del(html: str) -> str:  # GFM's <del>, as kb writes strikethrough
        return re.sub(r"<(/?)s>", r"<\1del>", html)

    same_kb = sum(_normalize(kb.render("c.md", md).html) == _normalize(want) for md, want in SPEC)
    same_rust = sum(
        _normalize(sanitize(gfm_del(rust.render(md)))) == _normalize(want) for md, want in SPEC
    )
    print(f"spec examples kb's tests use: {len(SPEC)}; kb's renderer matches {same_kb}, ")
    print(f"  markdown-it-pyrs (table, strikethrough) matches {same_rust}")
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    texts = bodies(args.bundle, work, args.folders.split(","))
    kb_cpu, _ = cpu(lambda text: kb.render("c.md", text).html, texts)
    py_cpu, py_html = cpu(lambda text: sanitize(plain.render(text)), texts)
    rs_cpu, rs_html = cpu(lambda text: sanitize(rust.render(text)), texts)
    same = sum(a == b for a, b in zip(py_html, rs_html, strict=True))
    print(f"{len(texts)} card bodies, CPU seconds to render all (one process):")
    print(f"  kb's renderer (markdown-it-py + kb rules + nh3): {kb_cpu:.2f} s")
    print(f"  markdown-it-py, same options, no kb rules, + nh3: {py_cpu:.2f} s")
    print(f"  markdown-it-pyrs + nh3:                         {rs_cpu:.2f} s")
    print(f"  same sanitised HTML as markdown-it-py: {same} of {len(texts)}")


if __name__ == "__main__":
    main()
