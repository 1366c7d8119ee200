"""Switch one ranking setting at a time and measure kb's MRR@10 on one half of every set.

    python bench/relevance/sweep.py [--half tune|test|all] [--only SET ...]

Each row changes one module constant of kb's ranking from its current value (see
``SWITCHES``) and re-runs kb on the chosen half (default: the tuning half, where
settings are chosen; the test half is for reporting), with the labels of ``labels.py``.
Settings that change what is indexed (``REPEAT``) rebuild the index first. The first row
is kb as it is.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from evaluate import CACHE, CORPUS_FOLDERS, SETS, evaluate, kb_ranker, load_set, restore
from labels import follow_pointers

_FEEDBACK = [(3, 10, 0.1), (3, 10, 0.2), (3, 10, 0.4), (5, 10, 0.2), (10, 10, 0.2)]
_FEEDBACK += [(10, 5, 0.05), (3, 5, 0.05), (20, 20, 0.1)]  # (cards, terms, weight)
_LENGTH_PRIORS = (-0.1, -0.05, 0.03, 0.05, 0.1, 0.15, 0.2)
_BM25 = [(1.2, 0.75), (0.9, 0.75), (1.5, 0.75), (2.0, 0.75), (3.0, 0.75), (1.2, 0.5)]
_BM25 += [(1.2, 0.9), (1.5, 0.5), (2.0, 0.5), (2.0, 0.9), (1.2, 0.3), (0.6, 0.75)]  # (k1, b)
_BM25 += [(3.0, 0.5), (2.0, 0.3), (3.0, 0.3), (5.0, 0.5), (2.0, 0.6), (1.5, 0.6)]
_BM25 += [(4.0, 0.4), (4.0, 0.5), (4.0, 0.6), (5.0, 0.4), (5.0, 0.6), (8.0, 0.5), (8.0, 0.6)]
_BM25 += [(10.0, 0.5), (5.0, 0.75), (8.0, 0.75)]


_BM25_COORDINATION = [(1.2, 0.75, 0.0), (1.5, 0.75, 0.75), (2.0, 0.75, 0.75), (2.0, 0.75, 0.0)]
_BM25_COORDINATION += [(2.0, 0.5, 0.75), (2.0, 0.5, 3.0), (3.0, 0.5, 3.0), (1.5, 0.75, 3.0)]


def _bm25(
    k1: float, b: float, coordination: float = 1.5, pool: int = 200
) -> list[tuple[str, str, Any]]:
    return [
        ("levers", "RESCORE_POOL", pool),
        ("levers", "RESCORE", True),
        ("levers", "K1", k1),
        ("levers", "B", b),
        ("search", "COORDINATION", coordination),
    ]


def _feedback(docs: int, terms: int, weight: float) -> list[tuple[str, str, Any]]:
    return [
        ("levers", "FEEDBACK_DOCS", docs),
        ("levers", "FEEDBACK_TERMS", terms),
        ("levers", "FEEDBACK_WEIGHT", weight),
    ]


def _lead(docs: int, terms: int, weight: float) -> list[tuple[str, str, Any]]:
    return [*_feedback(docs, terms, weight), ("levers", "FEEDBACK_CHARS", 300)]


def _syn(weight: float) -> list[tuple[str, str, Any]]:
    return [("levers", "SYNONYM_WEIGHT", weight)]


_IDF = [("search", "COORDINATION_BY_IDF", True), ("search", "STOP_WORDS_SCORED", True)]
# (label, [(module, name, value), ...]): the constants each row sets.
SWITCHES: list[tuple[str, list[tuple[str, str, Any]]]] = [
    ("as it is", []),
    ("coordination 0", [("search", "COORDINATION", 0.0)]),
    ("coordination 0.75", [("search", "COORDINATION", 0.75)]),
    ("coordination 3", [("search", "COORDINATION", 3.0)]),
    ("coordination 5", [("search", "COORDINATION", 5.0)]),
    ("other language 1 (off)", [("hits", "OTHER_LANGUAGE", 1.0)]),
    ("other language 0.7", [("hits", "OTHER_LANGUAGE", 0.7)]),
    ("other language 0.2", [("hits", "OTHER_LANGUAGE", 0.2)]),
    ("typo penalty 0.2", [("search", "TYPO_PENALTY", 0.2)]),
    ("typo penalty 0.7", [("search", "TYPO_PENALTY", 0.7)]),
    ("no stop words", [("languages", "STOP_WORDS", frozenset())]),
    ("stop words: function words only", [("languages", "STOP_WORDS", "small")]),
    ("stop words scored, no bonus", [("search", "STOP_WORDS_SCORED", True)]),
    ("coordination by idf", [("search", "COORDINATION_BY_IDF", True)]),
    (
        "coordination by idf, stop words scored",
        [("search", "COORDINATION_BY_IDF", True), ("search", "STOP_WORDS_SCORED", True)],
    ),
    (
        "idf coordination 3, stop words scored",
        [*_IDF, ("search", "COORDINATION", 3.0)],
    ),
    (
        "idf coordination 5, stop words scored",
        [*_IDF, ("search", "COORDINATION", 5.0)],
    ),
    ("idf, stop words scored, lead x1", [*_IDF, ("schema", "REPEAT", {"lead": 1})]),
    (
        "idf 3, stop words scored, lead x1",
        [*_IDF, ("search", "COORDINATION", 3.0), ("schema", "REPEAT", {"lead": 1})],
    ),
    ("title x1", [("schema", "REPEAT", {"title": 1})]),
    ("title x5", [("schema", "REPEAT", {"title": 5})]),
    ("tags x1", [("schema", "REPEAT", {"tags": 1})]),
    ("slug x0", [("schema", "REPEAT", {"slug": 0})]),
    ("slug x3", [("schema", "REPEAT", {"slug": 3})]),
    ("headings x0", [("schema", "REPEAT", {"head": 0})]),
    ("headings x2", [("schema", "REPEAT", {"head": 2})]),
    ("lead x1", [("schema", "REPEAT", {"lead": 1})]),
    ("lead x2", [("schema", "REPEAT", {"lead": 2})]),
    ("folders x1", [("schema", "REPEAT", {"folders": 1})]),  # session 10
    ("folders x2", [("schema", "REPEAT", {"folders": 2})]),
    # session 5
    ("pointers off", [("search", "POINTERS", False)]),
    (
        "lead x1, coordination 0",
        [("schema", "REPEAT", {"lead": 1}), ("search", "COORDINATION", 0.0)],
    ),
    (
        "lead x1, coordination by idf",
        [("schema", "REPEAT", {"lead": 1}), ("search", "COORDINATION_BY_IDF", True)],
    ),
    # session 6
    ("stop words x0.1", [("search", "STOP_WORD_WEIGHT", 0.1)]),
    ("stop words x0.25", [("search", "STOP_WORD_WEIGHT", 0.25)]),
    ("stop words x0.5", [("search", "STOP_WORD_WEIGHT", 0.5)]),
    ("coordination 1", [("search", "COORDINATION", 1.0)]),
    ("coordination 2", [("search", "COORDINATION", 2.0)]),
    ("flat coordination 1.5", [("search", "COORDINATION_BY_IDF", False)]),
    # session 9 (levers.py): the levers measured and not adopted
    *((f"feedback {d} cards, {n} terms, x{w:g}", _feedback(d, n, w)) for d, n, w in _FEEDBACK),
    *(
        (f"feedback {d} cards' leads, {n} terms, x{w:g}", _lead(d, n, w))
        for d, n, w in [(3, 5, 0.1), (3, 5, 0.2), (5, 10, 0.1), (10, 10, 0.1)]
    ),
    *((f"length prior {a:g}", [("levers", "LENGTH_PRIOR", a)]) for a in _LENGTH_PRIORS),
    # session 10 (levers.py): BM25 again in Python over the best candidates, k1 and b set
    *((f"bm25 k1 {k:g} b {b:g}", _bm25(k, b)) for k, b in _BM25),
    *(
        (f"bm25 k1 {k:g} b {b:g}, pool 60", _bm25(k, b, pool=60))
        for k, b in [(1.2, 0.75), (2.0, 0.5), (3.0, 0.5), (5.0, 0.5), (4.0, 0.5)]
    ),
    *(
        (
            f"coordination shape {shape}, x{c:g}",
            [*_bm25(1.2, 0.75, c), ("levers", "COORDINATION_SHAPE", shape)],
        )
        for shape in ("square", "sqrt", "all")
        for c in (1.5, 3.0)
    ),
    *(
        (f"bm25 k1 {k:g} b {b:g}, coordination {c:g}", _bm25(k, b, c))
        for k, b, c in _BM25_COORDINATION
    ),
    # session 13 (levers.py): a flat bonus per question word in the title / the lead
    *(
        (f"title bonus x{w:g}", [("levers", "TITLE_BONUS", w)])
        for w in (0.5, 1, 2, 4, 6, 8, 12, 20)
    ),
    *((f"lead bonus x{w:g}", [("levers", "LEAD_BONUS", w)]) for w in (0.5, 1, 2, 4)),
    *(
        (
            f"title and lead bonus x{w:g}",
            [("levers", "TITLE_BONUS", w), ("levers", "LEAD_BONUS", w)],
        )
        for w in (0.5, 1, 2, 3, 4, 6)
    ),
    *(
        (
            f"title bonus x{t:g}, lead x{w:g}",
            [("levers", "TITLE_BONUS", t), ("levers", "LEAD_BONUS", w)],
        )
        for t, w in [
            *[(4, 1), (4, 2), (6, 2), (8, 2), (6, 3), (8, 4), (5, 1.5), (5, 2), (5, 2.5)],
            *[(6, 1), (6, 1.5), (6, 2.5), (7, 1.5), (7, 2), (7, 2.5)],
        ]
    ),
    # session 13 (levers.py): a card's best passage
    *(
        (
            f"passage {score} {split} x{w:g}",
            [
                ("levers", "PASSAGE_WEIGHT", w),
                ("levers", "PASSAGE_SPLIT", split),
                ("levers", "PASSAGE_SCORE", score),
            ],
        )
        for score in ("coord", "bm25")
        for split in ("blocks", "sections")
        for w in (0.25, 0.5, 1.0, 2.0, 4.0)
    ),
    # session 13 (levers.py): pairs of the question's words near each other
    *(
        (
            f"proximity {score} {pairs} slop {slop} x{w:g}",
            [
                ("levers", "PROXIMITY_WEIGHT", w),
                ("levers", "PROXIMITY_SLOP", slop),
                ("levers", "PROXIMITY_PAIRS", pairs),
                ("levers", "PROXIMITY_SCORE", score),
            ],
        )
        for score in ("bm25", "const")
        for pairs in ("adjacent", "all")
        for slop in (1, 3, 8, 20)
        for w in (0.1, 0.25, 0.5, 1.0)
    ),
    *(
        (
            f"proximity const {pairs} slop {slop} x{w:g}",
            [
                ("levers", "PROXIMITY_WEIGHT", w),
                ("levers", "PROXIMITY_SLOP", slop),
                ("levers", "PROXIMITY_PAIRS", pairs),
                ("levers", "PROXIMITY_SCORE", "const"),
            ],
        )
        for pairs in ("adjacent", "all")
        for slop in (1, 2, 3, 5)
        for w in (1.5, 2.0, 3.0)
    ),
    *(
        (f"wordnet {n} sense(s) x{w:g}", [("levers", "SYNONYMS", f"wordnet{n}"), *_syn(w)])
        for n, w in [(1, 0.1), (1, 0.2), (1, 0.3), (1, 0.5), (2, 0.2), (2, 0.5)]
    ),
    # Session 16: the question's words weighed by their repeats and their idf, and
    # synonyms mined from the corpus's own naming parts (levers.py, "Session 16").
    ("idf floor 1e-9 (check: = as it is)", [("levers", "IDF_FLOOR", 1e-9)]),
    *((f"query repeats ^{q:g}", [("levers", "QTF_POWER", q)]) for q in (0.5, 1.0)),
    *((f"idf floor {f:g}", [("levers", "IDF_FLOOR", f)]) for f in (0.1, 0.15, 0.2, 0.25, 0.3)),
    *(
        (
            f"idf floor {f:g}, repeats kept",
            [("levers", "IDF_FLOOR", f), ("levers", "IDF_FLOOR_KEEPS_REPEATS", True)],
        )
        for f in (0.15, 0.2, 0.25)
    ),
    *((f"idf power {x:g}", [("levers", "IDF_POWER", x)]) for x in (-0.5, 0.5, 1.0, 2.0)),
    *(
        (
            f"mined {mode}, {k} terms, {n}+ cards, cos {c:g}, x{w:g}",
            [
                ("levers", "MINED", mode),
                ("levers", "MINED_TERMS", k),
                ("levers", "MINED_MIN", n),
                ("levers", "MINED_MIN_COSINE", c),
                ("levers", "MINED_WEIGHT", w),
            ],
        )
        for mode in ("leads", "titles")
        for k, n, c in [(3, 3, 0.1), (1, 3, 0.2), (5, 2, 0.05)]
        for w in (0.1, 0.3, 0.6)
    ),
    *(
        (
            f"span {shape} x{w:g}",
            [("levers", "SPAN_WEIGHT", w), ("levers", "SPAN_SHAPE", shape)],
        )
        for shape in ("mindist", "cover")
        for w in (0.25, 0.5, 1.0, 2.0)
    ),
    *(
        (
            f"best {split} instead of the card over {n} words",
            [("levers", "SECTION_LONG", n), ("levers", "SECTION_SPLIT", split)],
        )
        for split in ("sections", "blocks")
        for n in (300, 600, 1200)
    ),
    *(
        (
            f"query likelihood, Dirichlet mu {mu:g}",
            [*_bm25(1.2, 0.75), ("levers", "SCORER", "dirichlet"), ("levers", "MU", mu)],
        )
        for mu in (50, 150, 500, 1500, 4000)
    ),
]


# Words of the English stop list that often carry a question's meaning in docs.
_CONTENTISH = """get got show shows want wants need needs help more most some all any only also
just very out up over again still now like instead please no not new"""
CONTENTISH = frozenset(_CONTENTISH.split())


def modules() -> dict[str, Any]:
    import levers

    from kbcli.adapters import tantivy_schema
    from kbcli.core import languages
    from kbcli.usecases import search_hits, search_rank

    levers.install()
    return {
        "levers": levers,
        "search": search_rank,
        "hits": search_hits,
        "schema": tantivy_schema,
        "languages": languages,
    }


def switch(module: Any, name: str, value: Any) -> Callable[[], None]:
    """Set one constant (a dict value is merged into the dict); returns the undo."""
    old = getattr(module, name)
    if value == "small":
        value = old - CONTENTISH
    if isinstance(value, str) and value.startswith("wordnet"):
        from thesaurus import term_synonyms

        value = term_synonyms(int(value[-1]))
    new = {**old, **value} if isinstance(old, dict) else value
    setattr(module, name, new)
    if name == "STOP_WORDS":  # search imported the name: switch its copy too
        search = modules()["search"]
        setattr(search, name, new)
        return lambda: (setattr(module, name, old), setattr(search, name, old))
    return lambda: setattr(module, name, old)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=("test", "tune", "all"), default="tune")
    parser.add_argument("--only", nargs="*", help="set names (default: all)")
    parser.add_argument("--rows", nargs="*", help="labels of the rows to run (default: all)")
    args = parser.parse_args(argv)
    names = args.only or list(SETS)
    by_corpus: dict[str, list[Any]] = defaultdict(list)
    for name in names:
        by_corpus[SETS[name][0]] += [q for q in load_set(name) if args.half in ("all", q.half)]
    mods = modules()
    print(f"half: {args.half}\n")
    print("| switch | " + " | ".join(f"{n} MRR@10" for n in names) + " | mean |")
    print("|---|" + "---|" * (len(names) + 1))
    for label, changes in SWITCHES:
        if args.rows and label not in args.rows:
            continue
        undos = [switch(mods[module], name, value) for module, name, value in changes]
        rebuild = any(module == "schema" for module, _, _ in changes)
        row: dict[str, float] = {}
        if rebuild:  # the documents a rebuild reuses were built with the old constants
            for corpus in by_corpus:
                (CACHE / corpus / ".kb" / "index" / "documents.marshal").unlink(missing_ok=True)
        try:
            for corpus, questions in by_corpus.items():
                repo = restore(corpus) if corpus in CORPUS_FOLDERS else CACHE / corpus
                kb, _ = kb_ranker(repo, rebuild=rebuild)
                scores, _ = evaluate(follow_pointers(questions, repo), {"kb": kb})
                row.update({g: s["mrr10"] for g, s in scores["kb"].items() if " / " not in g})
        finally:
            for undo in undos:
                undo()
            if rebuild:
                for corpus in by_corpus:
                    (CACHE / corpus / ".kb" / "index" / "documents.marshal").unlink(missing_ok=True)
                    kb_ranker(CACHE / corpus, rebuild=True)
        cells = [f"{row[n]:.3f}" for n in names]
        mean = sum(row[n] for n in names) / len(names)
        print(f"| {label} | " + " | ".join(cells) + f" | {mean:.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
