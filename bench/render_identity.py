"""Does the direct HTML writer give the same card pages as markdown-it-py, on every body?

kb renders a card body straight from markdown-it-pyrs's tree (kbcli/adapters/markdown_html)
where it can. The reference is markdown-it-py's own parse, kb's link rewriting and
renderer (``BodyRenderer(..., compiled=False)``: what kb does with every body the direct
writer does not take). This script renders every card body of a kb repository both
ways, with the repository's own link resolver (so card links, broken links and heading
ids are compared too), and reports any body whose sanitized HTML, card links or headings
differ, and the CPU time of each path.

The whole built site is compared too by building it with the two code versions and
``diff -r`` (bench/README.md, "session 9").

Example: python bench/render_identity.py path/to/kb-repo
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a kb repository (with kb.toml)")
    args = parser.parse_args()
    from kbcli.adapters.markdown_render import BodyRenderer
    from kbcli.config import load_config
    from kbcli.core.handbook import SiteLinks
    from kbcli.usecases.handbook_bodies import shown_body
    from kbcli.usecases.links import link_resolver
    from kbcli.workspace import Workspace

    root = args.repo.resolve()
    ws = Workspace(load_config(root), date(2026, 12, 1), root)
    files = ws.card_files
    cards = files.load_all(ws.today, files.paths())
    links = SiteLinks(link_resolver(ws, cards), frozenset(c.path for c in cards))
    renderer = BodyRenderer(links)
    reference = BodyRenderer(links, compiled=False)
    jobs = [(card.path, shown_body(card)[0]) for card in cards]
    direct = sum(renderer.direct(path, body) is not None for path, body in jobs)
    timings: dict[str, float] = {}
    results: dict[str, list[Any]] = {}
    for name, render in (
        ("markdown-it-py", reference.render),
        ("direct", renderer.render),
    ):
        render(*jobs[0])  # imports and caches out of the timing
        start = time.process_time()
        results[name] = [render(path, body) for path, body in jobs]
        timings[name] = time.process_time() - start
    differ = [
        path
        for (path, _), old, new in zip(
            jobs, results["markdown-it-py"], results["direct"], strict=True
        )
        if (old.html, old.links, old.headings) != (new.html, new.links, new.headings)
    ]
    print(
        f"{len(jobs)} bodies, {direct} written from markdown-it-pyrs's tree; {len(differ)} differ"
    )
    for path in differ[:20]:
        print(f"  differs: {path}")
    ref, new = timings["markdown-it-py"], timings["direct"]
    print(f"CPU: markdown-it-py {ref:.3f} s, direct (as a build renders) {new:.3f} s")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
