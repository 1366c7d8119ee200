"""Titles as queries: each sampled card's shown title searched; MRR@10 and R@1 of that card.

Someone looking for a card to send or to fix types its title; the judged sets have no such
question. Usage (the same repo for two versions of kb, e.g. main and a branch on
PYTHONPATH, in turn):

    python bench/relevance/titles.py REPO STEP

REPO has a kb.toml (e.g. the clones evaluate.py keeps under bench/relevance/.cache/); every
STEP-th card by path is asked for.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from kbcli.config import load_config
from kbcli.errors import KbError
from kbcli.usecases.search import search, sync
from kbcli.workspace import Workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("step", type=int, nargs="?", default=1)
    args = parser.parse_args()
    config = load_config(args.repo, {})
    config = config._replace(search=config.search._replace(semantic=False))
    workspace = Workspace(config=config, today=date.today(), cwd=args.repo)
    sync(workspace)
    cards = sorted(workspace.catalog.cards, key=lambda c: c.path)[:: args.step]
    reciprocal: list[float] = []
    for card in cards:
        if not card.meta.shown_title:
            continue
        try:
            found = search(workspace, card.meta.shown_title, limit=10, snippets=False)
            paths = [hit.path for hit in found.hits]
        except KbError:
            paths = []
        reciprocal.append(1 / (paths.index(card.path) + 1) if card.path in paths else 0.0)
    n = len(reciprocal)
    firsts = sum(r == 1.0 for r in reciprocal)
    print(f"{args.repo.name}: {n} titles, MRR@10 {sum(reciprocal) / n:.3f}, R@1 {firsts / n:.3f}")


if __name__ == "__main__":
    main()
