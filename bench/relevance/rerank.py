"""Part B levers of session 16: kb's lexical top N re-ranked by the dense cosine.

    python bench/relevance/rerank.py REPO SET [--half tune|test] [--pool 50] [--json OUT]

kb+B as shipped fuses two lists: the lexical candidates and the dense ranking's own
leaders, so a card sharing no word with the question can enter. Re-ranking keeps the
lexical candidates only (the dense side can reorder, never add): "dense" orders the
lexical top ``--pool`` by cosine alone; "blend w" by min-max(lexical score) + w x
min-max(cosine) over those candidates; "rrf w" by 1/(60 + lexical rank) + w/(60 + dense
rank among them). Rows: A alone, kb+B as shipped, and each re-ranking, MRR@10 and R@1/5/10
on the chosen half of SET (labels moved to pointer targets as ``evaluate.py`` does).
REPO is a clone with every card's vectors made (``kb index`` with the extra), e.g. a copy
of ``.cache/handbook`` after ``evaluate.py --semantic``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from bootstrap import interval, reciprocal
from evaluate import evaluate, kb_ranker, load_set
from labels import follow_pointers

Ranker = Callable[[str], list[str]]


def rerankers(repo: Path, pool: int) -> dict[str, Ranker]:
    from kbcli.config import load_config
    from kbcli.errors import KbError
    from kbcli.usecases.search import open_index, search
    from kbcli.usecases.semantic import dense_ranking
    from kbcli.workspace import Workspace

    config = load_config(repo, {})
    lexical = Workspace(
        config=config._replace(search=config.search._replace(semantic=False)),
        today=date.today(),
        cwd=repo,
    )
    index = open_index(lexical)
    cards = index.manifest.count()
    memo: dict[str, tuple[list[tuple[str, float]], dict[str, float]]] = {}

    def candidates(query: str) -> tuple[list[tuple[str, float]], dict[str, float]]:
        if query not in memo:
            try:
                hits = search(lexical, query, limit=pool, sync_first=False, snippets=False).hits
            except KbError:
                hits = []
            cosines = dict(dense_ranking(lexical, index, query, cards).scores)
            memo[query] = ([(h.path, h.score) for h in hits], cosines)
        return memo[query]

    def scaled(values: list[float]) -> list[float]:
        low, high = min(values, default=0.0), max(values, default=0.0)
        return [(v - low) / (high - low) if high > low else 0.0 for v in values]

    def blend(weight: float) -> Ranker:
        def rank(query: str) -> list[str]:
            hits, cosines = candidates(query)
            words = scaled([s for _, s in hits])
            dense = scaled([cosines.get(p, 0.0) for p, _ in hits])
            order = sorted(
                range(len(hits)), key=lambda i: (-(words[i] + weight * dense[i]), hits[i][0])
            )
            return [hits[i][0] for i in order[:10]]

        return rank

    def rrf(weight: float) -> Ranker:
        def rank(query: str) -> list[str]:
            hits, cosines = candidates(query)
            by_dense = sorted(range(len(hits)), key=lambda i: -cosines.get(hits[i][0], 0.0))
            dense_rank = {i: r for r, i in enumerate(by_dense, 1)}
            order = sorted(
                range(len(hits)),
                key=lambda i: (-(1 / (60 + i + 1) + weight / (60 + dense_rank[i])), hits[i][0]),
            )
            return [hits[i][0] for i in order[:10]]

        return rank

    def dense_only(query: str) -> list[str]:
        hits, cosines = candidates(query)
        return [p for p, _ in sorted(hits, key=lambda h: (-cosines.get(h[0], 0.0), h[0]))][:10]

    rows: dict[str, Ranker] = {"dense": dense_only}
    rows.update({f"blend {w:g}": blend(w) for w in (0.5, 1.0, 2.0, 4.0)})
    rows.update({f"rrf {w:g}": rrf(w) for w in (0.5, 1.0, 2.0)})
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("set")
    parser.add_argument("--half", choices=("test", "tune", "all"), default="tune")
    parser.add_argument("--pool", type=int, default=50)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    questions = [q for q in load_set(args.set) if args.half in ("all", q.half)]
    questions = follow_pointers(questions, args.repo)
    contenders: dict[str, Ranker] = {}
    contenders["kb"], _ = kb_ranker(args.repo, rebuild=False)
    contenders["kb+B"], _ = kb_ranker(args.repo, rebuild=False, semantic=True, embed_missing=False)
    for label, ranker in rerankers(args.repo, args.pool).items():
        contenders[f"top {args.pool} by {label}"] = ranker
    scores, ranks = evaluate(questions, contenders)
    print(f"half: {args.half}, set: {args.set}, n {len(questions)}\n")
    print("| contender | MRR@10 | R@1/5/10 |\n|---|---|---|")
    for name in contenders:
        row = scores[name][args.set]
        recall = f"{row['r1']:.2f} / {row['r5']:.2f} / {row['r10']:.2f}"
        print(f"| {name} | {row['mrr10']:.3f} | {recall} |")
    print("\nPaired bootstrap against kb+B as shipped (10,000 resamples, seed 12):\n")
    print("| contender | difference | 95% interval |\n|---|---|---|")
    for name in contenders:
        if name in ("kb", "kb+B"):
            continue
        values = [reciprocal(q[name]) - reciprocal(q["kb+B"]) for q in ranks]
        low, high = interval(values, 10000, random.Random(12))
        print(f"| {name} | {sum(values) / len(values):+.3f} | [{low:+.3f}, {high:+.3f}] |")
    if args.json:
        args.json.write_text(
            json.dumps({"scores": scores, "questions": ranks}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
