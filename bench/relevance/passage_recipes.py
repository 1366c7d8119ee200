"""The dense ranking alone, by passage recipe, on a fixed pool of tldr pages.

    nice -n 19 python bench/relevance/passage_recipes.py [--half tune|test] [--extra 600]

Embedding all of tldr (8,742 pages) costs 15-45 CPU-minutes a recipe, so recipes are
compared on a pool: every judged page of tldr-en/ru/uk (both halves) with its
translations, plus ``--extra`` pages drawn with a fixed seed; labels naming a pointer
page move to its target, as in evaluate.py. Scores are higher than
over the whole corpus (fewer distractors); only the differences between recipes count.

Recipes: ``sections`` (a card's passages split at headings, what kb embedded before
session 8), ``prose`` (the card's words without its code, ``core.passages.prose``) and
``both`` (the card ranks by the better of the two: what ``kb index`` embeds now). A
passage whose vector the corpus's ``.kb`` store already holds is not embedded again;
the others are kept in ``.cache/passage-recipes.npz`` keyed by their text.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import evaluate as ev

SETS = ("tldr-en", "tldr-ru", "tldr-uk")
FOLDERS = ("pages", "pages.ru", "pages.uk")
KEPT = ev.CACHE / "passage-recipes.npz"


def questions(repo: Path, half: str | None = None) -> list[ev.Question]:
    """The tldr questions (of ``half``, else both), labels moved as evaluate.py moves them."""
    from labels import follow_pointers

    found = [q for s in SETS for q in ev.load_set(s) if half in (None, q.half)]
    return follow_pointers(found, repo)


def pool(repo: Path, extra: int) -> list[str]:
    files = sorted(
        p.relative_to(repo).as_posix() for f in FOLDERS for p in (repo / f).rglob("*.md")
    )
    known, chosen = set(files), set()
    for question in questions(repo):
        tail = question.expect.split("/", 1)[1]
        chosen |= {f"{f}/{tail}" for f in FOLDERS if f"{f}/{tail}" in known}
    return sorted(chosen | set(random.Random(12).sample(files, extra)))


def texts_of(repo: Path, paths: Sequence[str]) -> dict[str, tuple[list[str], list[str]]]:
    """path -> (its passages split at headings, its prose passage or [])."""
    from kbcli.adapters.card_files import card_from_bytes
    from kbcli.core.passages import PROSE, SECTIONS, passages

    found = {}
    for path in paths:
        card = card_from_bytes(path, (repo / path).read_bytes())
        sections = passages(card.title, card.body, recipe=SECTIONS)
        found[path] = (sections, passages(card.title, card.body, recipe=PROSE)[len(sections) :])
    return found


def vectors(repo: Path, texts: list[str]) -> tuple[dict[str, np.ndarray], float, int]:
    """text -> vector, the CPU seconds spent embedding, and how many were embedded."""
    from kbcli.adapters import embedder, vector_store
    from kbcli.core.passages import passage_key

    name = embedder.model_name()
    store = vector_store.load(repo / ".kb", name)
    known: dict[str, np.ndarray] = {}
    if KEPT.exists():
        with np.load(KEPT) as kept:
            known = dict(zip(kept["texts"].tolist(), kept["vectors"], strict=True))
    for text in texts:
        blob = store.vectors.get(passage_key(name, text))
        if blob is not None and text not in known:
            known[text] = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
    todo = [t for t in dict.fromkeys(texts) if t not in known]
    started = time.process_time()
    if todo:
        model = embedder.load(2)
        for start in range(0, len(todo), 32):
            chunk = todo[start : start + 32]
            known.update(zip(chunk, model.passages(chunk), strict=True))
            print(f"  embedded {start + len(chunk)}/{len(todo)}", file=sys.stderr)
        np.savez(KEPT, texts=np.array(list(known)), vectors=np.stack(list(known.values())))
    return known, time.process_time() - started, len(todo)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=("tune", "test"), default="tune")
    parser.add_argument("--extra", type=int, default=600)
    args = parser.parse_args(argv)
    repo = ev.restore("tldr")
    paths = pool(repo, args.extra)
    texts = texts_of(repo, paths)
    every = [t for sections, extra in texts.values() for t in (*sections, *extra)]
    known, cpu, embedded = vectors(repo, every)
    asked = questions(repo, args.half)
    from kbcli.adapters import embedder

    queries = embedder.load(1).query([q.query for q in asked])
    print(f"{len(asked)} questions, pool of {len(paths)} pages; embedded {embedded} "
          f"passages in {cpu:.0f} s CPU", file=sys.stderr)  # fmt: skip
    recipes = {
        "sections": lambda p: texts[p][0],
        "prose": lambda p: texts[p][1] or texts[p][0],
        "both": lambda p: texts[p][0] + texts[p][1],
    }
    for name, recipe in recipes.items():
        best = np.stack(
            [np.max(np.stack([known[t] for t in recipe(p)]) @ queries.T, axis=0) for p in paths],
            axis=1,
        )
        scores: dict[str, list[float]] = {}
        for row, question in zip(best, asked, strict=True):
            top = [paths[i] for i in np.argsort(-row, kind="stable")[:10]]
            rank = top.index(question.expect) + 1 if question.expect in top else 0
            scores.setdefault(question.set, []).append(1 / rank if rank else 0.0)
        shown = "  ".join(f"{s} {sum(v) / len(v):.3f}" for s, v in scores.items())
        print(f"{args.half} {name:9s} MRR@10  {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
