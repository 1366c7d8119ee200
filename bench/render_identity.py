"""Does the direct HTML writer give the same card pages as the token path, on every body?

kb renders a card body straight from markdown-it-pyrs's tree (kbcli/adapters/markdown_html)
where it can. Before that writer, the same tree went through markdown-it-py's tokens
(kbcli/adapters/markdown_compiled) and renderer. This script renders every card body of a
kb repository both ways, with the repository's own link resolver (so card links, broken
links and heading ids are compared too), and reports any body whose sanitized HTML, card
links or headings differ, and the CPU time of each path.

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


def token_path(renderer: Any, card_path: str, body: str) -> Any:
    """What ``BodyRenderer.render`` did before the direct writer: the compiled parse as
    markdown-it-py tokens (or markdown-it-py's own parse), kb's rewrite, the renderer."""
    from kbcli.adapters.markdown_compiled import tokens
    from kbcli.adapters.markdown_render import RenderedBody, parser, sanitize

    md = parser()
    env: dict[str, Any] = {}
    found = tokens(md, body, env)
    if found is None:
        found = md.parse(body, env)
    result = RenderedBody("")
    renderer._rewrite(card_path, found, result)
    result.html = sanitize(md.renderer.render(found, md.options, env))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path, help="a kb repository (with kb.toml)")
    args = parser.parse_args()
    from kbcli.adapters.markdown_compiled import tree
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
    jobs = [(card.path, shown_body(card)[0]) for card in cards]
    direct = sum(tree(body) is not None for _, body in jobs)
    timings: dict[str, float] = {}
    results: dict[str, list[Any]] = {}
    for name, render in (
        ("tokens", lambda p, b: token_path(renderer, p, b)),
        ("direct", renderer.render),
    ):
        render(*jobs[0])  # imports and caches out of the timing
        start = time.process_time()
        results[name] = [render(path, body) for path, body in jobs]
        timings[name] = time.process_time() - start
    differ = [
        path
        for (path, _), old, new in zip(jobs, results["tokens"], results["direct"], strict=True)
        if (old.html, old.links, old.headings) != (new.html, new.links, new.headings)
    ]
    print(f"{len(jobs)} bodies, {direct} parsed by markdown-it-pyrs; {len(differ)} differ")
    for path in differ[:20]:
        print(f"  differs: {path}")
    print(f"CPU: token path {timings['tokens']:.3f} s, direct {timings['direct']:.3f} s")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
