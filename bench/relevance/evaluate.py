"""Relevance of `kb search` on content kb did not write, against a textbook BM25 baseline.

    python bench/relevance/evaluate.py [--half test|tune|all] [--robust] [--json OUT]
                                       [--only SET ...] [--semantic [--grid]] [--row LABEL]

Judged sets (``sets/*.yaml``, one best page per question; a label naming a page that only
points to another page moves to that page, ``labels.py``) run over the corpora in
``../shared/corpora/`` (from the project root): the 18F/TTS handbook for English, the
tldr-pages bundle for English, Russian and Ukrainian. Each bundle is cloned once into
``bench/relevance/.cache/`` with a ``kb.toml`` naming its page folders. Odd entries of a
set are the tuning half, even entries the test half; tune on one, report the other.

With ``--robust``, each question also runs as people type it (``robustness.py``): a typo
in its longest word, its last word missing, its words reversed, all in capitals. Those
variants are reported as sets named ``<set>~<variant>``.

Every question runs through kb's search use case (the index built by kb, ranking as the
CLI ranks) and through ``rank_bm25.BM25Okapi`` over the same files (lowercased words,
no stemming): the baseline a reader would reach for first. Reported per set, language
and query kind: MRR@10 and recall at 1, 5 and 10.
"""

from __future__ import annotations

import argparse
import atexit
import json
import re
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent
CORPORA = PROJECT.parent / "shared" / "corpora"
CACHE = HERE / ".cache"
WORD = re.compile(r"[^\W_]+")

CORPUS_FOLDERS = {
    "handbook": ("18f-handbook.bundle", ["pages"]),
    "tldr": ("tldr-pages.bundle", ["pages", "pages.ru", "pages.uk"]),
}
SETS = {  # set name -> (corpus, language)
    "handbook-en": ("handbook", "en"),
    "tldr-en": ("tldr", "en"),
    "tldr-ru": ("tldr", "ru"),
    "tldr-uk": ("tldr", "uk"),
}


@dataclass(frozen=True)
class Question:
    set: str
    lang: str
    kind: str
    query: str
    expect: str
    half: str


def load_set(name: str) -> list[Question]:
    lang = SETS[name][1]
    entries = yaml.safe_load((HERE / "sets" / f"{name}.yaml").read_text(encoding="utf-8"))
    return [
        Question(name, lang, e["kind"], e["q"], e["expect"], "tune" if i % 2 == 0 else "test")
        for i, e in enumerate(entries)
    ]


def restore(corpus: str, corpora: Path = CORPORA) -> Path:
    """The corpus's work tree (cloned from its bundle on first use) with a kb.toml."""
    bundle, folders = CORPUS_FOLDERS[corpus]
    target = CACHE / corpus
    if not (target / ".git").is_dir():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "clone", "-q", str(corpora / bundle), str(target)], check=True, timeout=600
        )
    write_config(target, folders)
    return target


def write_config(repo: Path, folders: Sequence[str]) -> None:
    quoted = ", ".join(f'"{f}"' for f in folders)
    (repo / "kb.toml").write_text(f"[cards]\nfolders = [{quoted}]\n", encoding="utf-8")
    exclude = repo / ".git" / "info" / "exclude"
    if exclude.parent.is_dir():
        exclude.write_text(".kb/\nkb.toml\n", encoding="utf-8")


def pages(repo: Path, folders: Iterable[str]) -> dict[str, str]:
    """Every markdown page of the corpus: path -> text (what both contenders index)."""
    found = {}
    for folder in folders:
        for path in sorted((repo / folder).rglob("*.md")):
            found[path.relative_to(repo).as_posix()] = path.read_text(encoding="utf-8")
    return found


# --- the contenders -----------------------------------------------------------------------

Ranker = Callable[[str], list[str]]


def kb_ranker(
    repo: Path, rebuild: bool = True, semantic: bool = False, embed_missing: bool = True
) -> tuple[Ranker, float]:
    """kb's search use case over ``repo`` (index built first; returns the build seconds).

    ``semantic``: with the dense vectors of kbcli[semantic] fused in (``kb index`` makes
    them; the ones missing are made first, and their time is part of the build seconds).
    """
    from kbcli.config import load_config
    from kbcli.errors import KbError
    from kbcli.usecases.search import open_index, search, sync
    from kbcli.workspace import Workspace

    config = load_config(repo, {})
    config = config._replace(search=config.search._replace(semantic=semantic))
    workspace = Workspace(config=config, today=date.today(), cwd=repo)
    started = time.perf_counter()
    sync(workspace, rebuild=rebuild)
    if semantic and embed_missing:
        from kbcli.usecases.semantic import embed

        stats = embed(workspace, open_index(workspace), progress=_progress)
        print(f"{repo.name}: vectors for {stats.total} cards", file=sys.stderr)
    built = time.perf_counter() - started

    def rank(query: str) -> list[str]:
        try:
            result = search(workspace, query, limit=10, sync_first=False, snippets=False)
        except KbError:
            return []
        return [hit.path for hit in result.hits]

    return rank, built


def _progress(label: str, done: int, total: int) -> None:
    if done == total or done % 256 == 0:
        print(f"  {label}: {done}/{total}", file=sys.stderr)


def dense_ranker(repo: Path) -> Ranker:
    """The dense ranking alone (the passages' cosines, as kb+B uses them), for comparison."""
    from kbcli.config import load_config
    from kbcli.usecases.search import open_index
    from kbcli.usecases.semantic import dense_ranking
    from kbcli.workspace import Workspace

    workspace = Workspace(config=load_config(repo, {}), today=date.today(), cwd=repo)
    index = open_index(workspace)
    missing = dense_ranking(workspace, index, "", 1).missing
    cards = index.manifest.count()
    print(f"{repo.name}: {missing} of {cards} cards without vectors", file=sys.stderr)

    def rank(query: str) -> list[str]:
        return list(dense_ranking(workspace, index, query, 10).scores)

    return rank


def bm25_ranker(docs: dict[str, str]) -> Ranker:
    """``rank_bm25.BM25Okapi`` over lowercased words of each whole file: the textbook baseline."""
    from rank_bm25 import BM25Okapi

    paths = list(docs)
    model = BM25Okapi([tokens(docs[p]) for p in paths])

    def rank(query: str) -> list[str]:
        words = tokens(query)
        if not words:
            return []
        scores = model.get_scores(words)
        order = sorted(range(len(paths)), key=lambda i: -scores[i])[:10]
        return [paths[i] for i in order if scores[i] > 0]

    return rank


GRID = [  # (fusion, dense weight, RRF k, standout) tried by --grid
    *[("rrf", w, k, 2.0) for w in (0.5, 1.0, 2.0, 3.0) for k in (10, 30, 60)],
    *[("score", w, 60, 2.0) for w in (0.5, 1.0, 1.5, 2.0, 3.0, 4.0)],
    *[("score", w, 60, z) for w in (1.0, 2.0) for z in (1.5, 3.0)],
]


_SHIPPED: dict[str, tuple[Any, ...]] = {}


def grid(fused: Ranker) -> dict[str, Ranker]:
    """One ranker per GRID point: kb+B with the module constants set for each call. The
    weight is set for every query language (``DENSE_WEIGHT`` and ``DENSE_WEIGHTS``), so
    each set's column shows the best weight for its language."""
    from kbcli.core import fusion as fusions
    from kbcli.usecases import search_rank, semantic

    def at(fusion: str, weight: float, k: int, standout: float) -> Ranker:
        def rank(query: str) -> list[str]:
            search_rank.FUSION, search_rank.DENSE_WEIGHT = fusion, weight
            search_rank.DENSE_WEIGHTS = dict.fromkeys(search_rank.DENSE_WEIGHTS, weight)
            fusions.RRF_K, semantic.STANDOUT = k, standout
            return fused(query)

        return rank

    # kb's own constants, read before any grid point changed them (one corpus after another)
    shipped = _SHIPPED.setdefault(
        "constants",
        (search_rank.FUSION, search_rank.DENSE_WEIGHT, dict(search_rank.DENSE_WEIGHTS),
         fusions.RRF_K, semantic.STANDOUT),
    )  # fmt: skip

    def as_shipped(query: str) -> list[str]:
        search_rank.FUSION, search_rank.DENSE_WEIGHT, search_rank.DENSE_WEIGHTS = shipped[:3]
        fusions.RRF_K, semantic.STANDOUT = shipped[3:]
        return fused(query)

    names = {"kb+B": as_shipped}
    for f, w, k, z in GRID:
        name = f"{f}/w{w:g}" + (f"/k{k}" if f == "rrf" else "") + f"/z{z:g}"
        names[name] = at(f, w, k, z)
    return names


def tokens(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


# --- metrics ------------------------------------------------------------------------------


@dataclass
class Scores:
    n: int = 0
    rr: float = 0.0
    r1: int = 0
    r5: int = 0
    r10: int = 0

    def add(self, rank: int | None) -> None:
        self.n += 1
        if rank is not None and rank <= 10:
            self.rr += 1 / rank
            self.r1 += rank <= 1
            self.r5 += rank <= 5
            self.r10 += 1

    def row(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {
            "n": self.n,
            "mrr10": round(self.rr / n, 3),
            "r1": round(self.r1 / n, 3),
            "r5": round(self.r5 / n, 3),
            "r10": round(self.r10 / n, 3),
        }


def rank_of(found: Sequence[str], expect: str) -> int | None:
    return next((i for i, p in enumerate(found, 1) if p == expect), None)


def evaluate(
    questions: Sequence[Question], rankers: dict[str, Ranker]
) -> tuple[dict[str, dict[str, dict[str, float]]], list[dict[str, object]]]:
    """Scores per contender and group (set, set/lang, set/kind), plus per-question ranks."""
    table: dict[str, dict[str, Scores]] = defaultdict(lambda: defaultdict(Scores))
    details = []
    for q in questions:
        row: dict[str, object] = {"set": q.set, "kind": q.kind, "q": q.query, "expect": q.expect}
        for name, ranker in rankers.items():
            found = ranker(q.query)
            rank = rank_of(found, q.expect)
            row[name] = rank
            row[f"{name}_top"] = found[:3]
            for group in (q.set, f"{q.set} / {q.kind}"):
                table[name][group].add(rank)
        details.append(row)
    out = {name: {g: s.row() for g, s in groups.items()} for name, groups in table.items()}
    return out, details


def markdown(results: dict[str, dict[str, dict[str, float]]], contenders: Sequence[str]) -> str:
    first = results[contenders[0]]
    head = "| set / kind | n | " + " | ".join(f"{c} MRR@10 | {c} R@1/5/10" for c in contenders)
    lines = [head + " |", "|" + "---|" * (2 + 2 * len(contenders))]
    for group in sorted(first, key=lambda g: (g.split(" / ")[0], " / " in g, g)):
        cells = [group, str(first[group]["n"])]
        for c in contenders:
            s = results[c][group]
            cells += [f"{s['mrr10']:.3f}", f"{s['r1']:.2f} / {s['r5']:.2f} / {s['r10']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=("test", "tune", "all"), default="test")
    parser.add_argument("--only", nargs="*", help="set names (default: all)")
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--keep-index", action="store_true", help="do not rebuild kb's index")
    parser.add_argument("--robust", action="store_true", help="add the robustness variants")
    parser.add_argument(
        "--labels",
        choices=("pointers-followed", "as-written"),
        default="pointers-followed",
        help="a label naming a pointer page (alias, redirect) moves to its target (labels.py)",
    )
    parser.add_argument("--json", type=Path, help="write scores and per-question ranks here")
    parser.add_argument(
        "--row", help="run kb with one row of sweep.py's SWITCHES set (a lever, by its label)"
    )
    parser.add_argument(
        "--semantic",
        action="store_true",
        help="add kb with dense retrieval fused (kb+B) and the dense ranking alone (dense)",
    )
    parser.add_argument(
        "--vectors-as-they-are",
        action="store_true",
        help="with --semantic: embed no card first (cards without vectors rank by words)",
    )
    parser.add_argument(
        "--grid",
        action="store_true",
        help="with --semantic: try each fusion, dense weight and standout (tune on --half tune)",
    )
    args = parser.parse_args(argv)

    if args.row:  # a row that changes what is indexed drops the kept documents, before and after
        import sweep

        mods, changes = sweep.modules(), dict(sweep.SWITCHES)[args.row]
        for module, name, value in changes:
            sweep.switch(mods[module], name, value)
        if any(module == "schema" for module, _, _ in changes):
            for kept in CACHE.glob("*/.kb/index/documents.marshal"):
                kept.unlink()
            atexit.register(
                lambda: [k.unlink() for k in CACHE.glob("*/.kb/index/documents.marshal")]
            )
    names = args.only or list(SETS)
    by_corpus: dict[str, list[Question]] = defaultdict(list)
    for name in names:
        for q in load_set(name):
            if args.half in ("all", q.half):
                by_corpus[SETS[name][0]].append(q)
    if args.robust:
        from robustness import variants

        for questions in by_corpus.values():
            questions += variants(questions)
    results: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    details: list[dict[str, object]] = []
    for corpus, questions in by_corpus.items():
        repo = restore(corpus, args.corpora) if corpus in CORPUS_FOLDERS else CACHE / corpus
        if args.labels == "pointers-followed":
            from labels import follow_pointers

            questions = follow_pointers(questions, repo)
        folders = CORPUS_FOLDERS.get(corpus, ("", ["pages"]))[1]
        rankers: dict[str, Ranker] = {}
        kb, built = kb_ranker(repo, rebuild=not args.keep_index)
        rankers["kb"] = kb
        print(f"{corpus}: kb index built in {built:.1f} s", file=sys.stderr)
        if not args.no_baseline:
            rankers["bm25"] = bm25_ranker(pages(repo, folders))
        if args.semantic:
            fused, built = kb_ranker(
                repo, rebuild=False, semantic=True, embed_missing=not args.vectors_as_they_are
            )
            print(f"{corpus}: vectors ready in {built:.1f} s", file=sys.stderr)
            rankers["dense"] = dense_ranker(repo)
            if args.grid:
                rankers.update(grid(fused))
            else:
                rankers["kb+B"] = fused
        scores, rows = evaluate(questions, rankers)
        for name, groups in scores.items():
            results[name].update(groups)
        details += rows
    contenders = ["kb"] + ([] if args.no_baseline else ["bm25"])
    if args.semantic:
        contenders += sorted(set(results) - set(contenders))
    print(f"half: {args.half}\n")
    if args.grid:
        sets = sorted(g for g in results["kb"] if " / " not in g)
        print("| contender | " + " | ".join(f"{g} MRR@10" for g in sets) + " |")
        print("|---|" + "---|" * len(sets))
        for name in contenders:
            print(
                f"| {name} | " + " | ".join(f"{results[name][g]['mrr10']:.3f}" for g in sets) + " |"
            )
    else:
        print(markdown(results, contenders))
    if args.json:
        args.json.write_text(
            json.dumps({"scores": results, "questions": details}, ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
