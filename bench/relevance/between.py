"""From rank_bm25 to kb one pipeline step at a time: which step loses the questions
rank_bm25 wins?

    python bench/relevance/between.py [--half tune|test] [--only SET ...] [--json OUT]
                                      [--stemmers]

kb and the baseline differ in several places at once: which words of a question count
(kb drops stop words and repeats), how words become terms (kb stems, drops the
possessive and tldr's in-word mnemonic brackets), what a page's document is (rank_bm25:
the whole file, front matter included; kb: title x3, slug, lead and headings repeated,
the body without comments, no front matter), the BM25 itself (rank_bm25's Okapi k1 1.5
and its idf, floored for common words; Tantivy's k1 1.2 and idf + 1), kb's coordination
bonus, and what runs after the words: typo expansion, the query-language factor, pointer
cards, trust. Each row below is one BM25 over one document
representation, computed here in numpy over the same files, so a row differs from its
neighbour by one step, and a step's effect is measured alone in both directions: added
to rank_bm25, and taken out of kb's words-only ranking. The last rows are kb's own
search with one of its after-the-words steps switched off. With ``--stemmers``, also kb's
words-only ranking with English stemmed another way (``STEMMERS``: original Porter, plural
-s only, none), every card's document made again as ``tantivy_schema.card_terms`` makes it.

Run after ``evaluate.py`` has built kb's index in ``.cache/`` (it reads kb's kept
documents). Only the sets given (default: handbook-en and tldr-en, the two where kb is
not above the baseline by 0.10).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from evaluate import CORPUS_FOLDERS, SETS, Scores, kb_ranker, load_set, pages, rank_of, restore
from evaluate import tokens as raw_tokens
from labels import follow_pointers
from levers import kept_entries

DEFAULT_SETS = ("handbook-en", "tldr-en")


class Bm25:
    """BM25 over documents given as term lists, in one of two flavours:

    - ``okapi``: rank_bm25's BM25Okapi (k1 1.5, b 0.75, idf log((N-n+.5)/(n+.5)) with
      negative idfs set to 0.25 x the mean idf; a repeated query word counts again);
    - ``tantivy``: Tantivy's (k1 1.2, b 0.75, idf log(1 + (N-n+.5)/(n+.5))), with kb's
      coordination bonus per matched word (``coordination``: kb's COORDINATION x the
      word's idf over a one-card term's idf) when asked.
    """

    def __init__(self, paths: Sequence[str], docs: Sequence[Sequence[str]]) -> None:
        self.paths = list(paths)
        postings: dict[str, dict[int, int]] = defaultdict(dict)
        self.lengths = np.array([len(d) for d in docs], dtype=float)
        for i, doc in enumerate(docs):
            for term, count in Counter(doc).items():
                postings[term][i] = count
        self.postings = {
            t: (np.fromiter(p.keys(), dtype=np.int64), np.fromiter(p.values(), dtype=float))
            for t, p in postings.items()
        }
        self.n = len(self.paths)
        self.mean = float(self.lengths.mean()) if self.n else 1.0
        idf = {
            t: math.log((self.n - len(ids) + 0.5) / (len(ids) + 0.5))
            for t, (ids, _) in self.postings.items()
        }
        floor = 0.25 * (sum(idf.values()) / max(len(idf), 1))
        self.okapi_idf = {t: (v if v >= 0 else floor) for t, v in idf.items()}

    def _tf(self, term: str, k1: float, b: float) -> tuple[np.ndarray, np.ndarray]:
        ids, tf = self.postings[term]
        norm = k1 * (1 - b + b * self.lengths[ids] / self.mean)
        return ids, tf * (k1 + 1) / (tf + norm)

    def idf(self, term: str) -> float:
        df = len(self.postings[term][0])
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def scores(
        self,
        words: Sequence[Sequence[str]],
        flavour: str = "okapi",
        coordination: float = 0.0,
    ) -> np.ndarray:
        """Each document's score for a query of ``words`` (each word: its alternative
        terms, the best-scoring one counts, as kb's disjunction-max)."""
        total = np.zeros(self.n)
        k1 = 1.5 if flavour == "okapi" else 1.2
        one = math.log(1 + (self.n - 1 + 0.5) / 1.5)
        for alternatives in words:
            best = np.zeros(self.n)
            weight = 0.0
            for term in alternatives:
                if term not in self.postings:
                    continue
                ids, part = self._tf(term, k1, 0.75)
                idf = self.okapi_idf[term] if flavour == "okapi" else self.idf(term)
                best[ids] = np.maximum(best[ids], idf * part)
                weight = max(weight, self.idf(term) / one)
            total += best
            if coordination:
                total += np.where(best > 0, coordination * weight, 0.0)
        return total

    def top(self, scores: np.ndarray, k: int = 10) -> list[str]:
        order = np.argsort(-scores, kind="stable")[:k]
        return [self.paths[i] for i in order if scores[i] > 0]


def _kb_query(
    query: str, analysis: Any, groups: list[str], stop: bool, stem: bool
) -> list[list[str]]:
    """A question's words as kb's query sees them: split as kb splits (possessive
    dropped), stop words dropped (``stop``), each word's terms in the present languages
    of its script (``stem``; else the lowercased word), repeats once."""
    from kbcli.core.languages import content_words
    from kbcli.core.word_forms import query_words

    words = [p for w in query.split() for p in query_words(w.lower())]
    if stop:
        words = content_words(words)
    out: list[list[str]] = []
    for word in dict.fromkeys(words):
        terms = analysis.query_terms(word, groups) if stem else [word]
        if terms and terms not in out:
            out.append(terms)
    return out


def _raw_query(query: str) -> list[list[str]]:
    return [[w] for w in raw_tokens(query)]


RAW, STEMMED = "raw words, whole file", "kb terms, whole file"
DOC, DOC_RAW = "kb document", "raw words, kb document text"
# a query as rank_bm25 reads it, or as kb does: (stop words dropped, stemmed)
Q_RAW, Q_KB, Q_STOP, Q_STEM = "raw", (True, True), (True, False), (False, True)


class Corpus:
    """One corpus's documents in each representation the rows compare."""

    def __init__(self, repo: Path, folders: Sequence[str]) -> None:
        from kbcli.adapters.text_analysis import Analysis

        self.repo = repo
        self.files = pages(repo, folders)
        entries = kept_entries(repo / ".kb" / "index" / "documents.marshal")
        self.lang = {p: str(e[1]) for p, e in entries.items()}
        self.analysis = Analysis()
        self.groups = sorted(set(self.lang.values()))
        paths = [p for p in self.files if p in entries]  # what both index (kb: cards)
        self.paths = paths
        whole = [self.files[p] for p in paths]
        print(f"{repo.name}: {len(paths)} pages in both, {len(self.files)} files", file=sys.stderr)
        self.rep: dict[str, Bm25] = {}
        self.rep[RAW] = Bm25(paths, [raw_tokens(t) for t in whole])
        self.rep[STEMMED] = Bm25(
            paths, [self.analysis.terms(self.lang[p], t) for p, t in zip(paths, whole, strict=True)]
        )
        self.rep[DOC] = Bm25(paths, [str(entries[p][2][0]).split() for p in paths])
        self.rep[DOC_RAW] = Bm25(
            paths, [raw_tokens(_unstemmed_document(self, p, entries)) for p in paths]
        )


def _indexed(corpus: Corpus, path: str, entries: dict[str, Any]) -> tuple[Any, str]:
    """(the ``IndexedCard``, its body) of a card as kb keeps it: what ``card_terms`` reads."""
    from kbcli.adapters import tantivy_schema
    from kbcli.core.cards import Card, CardMeta

    fields = entries[path][2]
    meta = json.loads(bytes(fields[7]).decode("utf-8"))
    text = fields[8]
    if isinstance(text, int):  # the file's own tail from this byte on
        text = corpus.files[path].encode("utf-8")[text:]
    body = bytes(text).decode("utf-8")
    title, tags, aliases = meta.get("title") or "", meta.get("tags"), meta.get("aliases")
    card_meta = CardMeta(title=title, tags=tuple(tags or ()), aliases=tuple(aliases or ()))
    card = Card(path=path, meta=card_meta, body=body)
    return tantivy_schema.IndexedCard(card, corpus.lang[path], 0, 0, 0, {}), body


def _unstemmed_document(corpus: Corpus, path: str, entries: dict[str, Any]) -> str:
    """kb's document of a card (its words field's parts) before stemming: the stored body
    and the naming parts repeated as ``tantivy_schema.card_terms`` repeats them."""
    from kbcli.adapters import tantivy_schema

    class Plain:  # the analysis that leaves text as it is
        def term_text(self, lang: str, text: str) -> str:
            return text

    item, body = _indexed(corpus, path, entries)
    return tantivy_schema.card_terms(Plain(), item, body)  # type: ignore[arg-type]


# (row label, document representation, query, BM25 flavour, coordination bonus)
ROWS: list[tuple[str, str, Any, str, float]] = [
    ("rank_bm25 (here)", RAW, Q_RAW, "okapi", 0.0),
    ("+ kb's query words (stop words dropped, once each)", RAW, Q_STOP, "okapi", 0.0),
    ("+ kb's stemming (query and documents)", STEMMED, Q_STEM, "okapi", 0.0),
    ("+ kb's document (no front matter, naming parts repeated)", DOC_RAW, Q_RAW, "okapi", 0.0),
    ("+ Tantivy's BM25 (k1 1.2, idf + 1)", RAW, Q_RAW, "tantivy", 0.0),
    ("+ kb's coordination bonus", RAW, Q_RAW, "tantivy", 1.5),
    ("kb's words (all five steps)", DOC, Q_KB, "tantivy", 1.5),
    ("- kb's query words (stop words kept)", DOC, Q_STEM, "tantivy", 1.5),
    ("- kb's stemming", DOC_RAW, Q_STOP, "tantivy", 1.5),
    ("- kb's document (whole file)", STEMMED, Q_KB, "tantivy", 1.5),
    ("- Tantivy's BM25 (Okapi's)", DOC, Q_KB, "okapi", 1.5),
    ("- kb's coordination bonus", DOC, Q_KB, "tantivy", 0.0),
]

# kb's own search with one step after the words switched off: (label, [(module, name, value)])
KB_ROWS: list[tuple[str, list[tuple[str, str, Any]]]] = [
    ("kb as it is", []),
    ("kb, no typo expansion", [("kbcli.usecases.search_rank", "TYPO_PENALTY", 0.0)]),
    ("kb, no query-language factor", [("kbcli.usecases.search_hits", "OTHER_LANGUAGE", 1.0)]),
    ("kb, no pointer cards", [("kbcli.usecases.search_rank", "POINTERS", False)]),
    ("kb, no coordination bonus", [("kbcli.usecases.search_rank", "COORDINATION", 0.0)]),
]


class _PluralS:
    """Harman's S-stemmer (plurals only), with PyStemmer's two calls."""

    def stemWord(self, word: str) -> str:  # PyStemmer's names
        if len(word) > 3 and word.endswith("ies") and not word.endswith(("eies", "aies")):
            return word[:-3] + "y"
        if len(word) > 3 and word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
            return word[:-1]
        if len(word) > 2 and word.endswith("s") and not word.endswith(("us", "ss")):
            return word[:-1]
        return word

    def stemWords(self, words: Sequence[str]) -> list[str]:
        return [self.stemWord(w) for w in words]


class _Unstemmed(_PluralS):
    def stemWord(self, word: str) -> str:
        return word


def _stemmers() -> dict[str, Any]:
    import Stemmer

    return {
        "English: Porter2 (kb's)": None,
        "English: original Porter": Stemmer.Stemmer("porter"),
        "English: plural -s only": _PluralS(),
        "English: not stemmed": _Unstemmed(),
    }


def _stemmer_rankers(corpus: Corpus) -> dict[str, Callable[[str], list[str]]]:
    """kb's words-only ranking with English stemmed by each of ``_stemmers`` (the other
    languages as kb stems them)."""
    from kbcli.adapters import tantivy_schema
    from kbcli.adapters.text_analysis import Analysis

    entries = kept_entries(corpus.repo / ".kb" / "index" / "documents.marshal")
    rankers = {}
    for label, stemmer in _stemmers().items():
        analysis = Analysis()
        if stemmer is not None:
            analysis._stemmers["english"] = stemmer
        docs = [
            tantivy_schema.card_terms(analysis, *_indexed(corpus, p, entries)).split()
            for p in corpus.paths
        ]
        model = Bm25(corpus.paths, docs)

        def rank(q: str, model: Bm25 = model, analysis: Analysis = analysis) -> list[str]:
            words = _kb_query(q, analysis, corpus.groups, *Q_KB)
            return model.top(model.scores(words, "tantivy", 1.5))

        rankers[f"kb's words, {label}"] = rank
    return rankers


def _ranker(
    corpus: Corpus, rep: str, query: Any, flavour: str, coordination: float
) -> Callable[[str], list[str]]:
    model = corpus.rep[rep]

    def rank(q: str) -> list[str]:
        words = (
            _raw_query(q)
            if query == "raw"
            else _kb_query(q, corpus.analysis, corpus.groups, *query)
        )
        return model.top(model.scores(words, flavour, coordination))

    return rank


def _switched(
    rank: Callable[[str], list[str]], changes: list[tuple[str, str, Any]]
) -> Callable[[str], list[str]]:
    import importlib

    def run(q: str) -> list[str]:
        olds = []
        for module, name, value in changes:
            mod = importlib.import_module(module)
            olds.append((mod, name, getattr(mod, name)))
            setattr(mod, name, value)
        try:
            return rank(q)
        finally:
            for mod, name, old in olds:
                setattr(mod, name, old)

    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--half", choices=("tune", "test"), default="tune")
    parser.add_argument("--only", nargs="*", default=list(DEFAULT_SETS))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--stemmers", action="store_true", help="English stemmed other ways")
    args = parser.parse_args(argv)
    table: dict[str, dict[str, Scores]] = defaultdict(lambda: defaultdict(Scores))
    details: list[dict[str, Any]] = []
    for corpus_name in dict.fromkeys(SETS[s][0] for s in args.only):
        repo = restore(corpus_name)
        questions = [q for s in args.only if SETS[s][0] == corpus_name for q in load_set(s)]
        questions = follow_pointers([q for q in questions if q.half == args.half], repo)
        corpus = Corpus(repo, CORPUS_FOLDERS[corpus_name][1])
        kb, _ = kb_ranker(repo, rebuild=False)
        rankers = {label: _ranker(corpus, *spec) for label, *spec in ROWS}
        rankers.update({label: _switched(kb, changes) for label, changes in KB_ROWS})
        if args.stemmers:
            rankers.update(_stemmer_rankers(corpus))
        for q in questions:
            row: dict[str, Any] = {"set": q.set, "q": q.query, "expect": q.expect}
            for label, rank in rankers.items():
                found = rank(q.query)
                row[label] = rank_of(found, q.expect)
                table[label][q.set].add(row[label])
            details.append(row)
    sets = list(args.only)
    print("| row | " + " | ".join(f"{s} MRR@10 (R@1/5/10)" for s in sets) + " |")
    print("|---|" + "---|" * len(sets))
    for label in table:
        cells = []
        for s in sets:
            r = table[label][s].row()
            cells.append(f"{r['mrr10']:.3f} ({r['r1']:.2f}/{r['r5']:.2f}/{r['r10']:.2f})")
        print(f"| {label} | " + " | ".join(cells) + " |")
    if args.json:
        args.json.write_text(json.dumps(details, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
