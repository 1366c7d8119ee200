"""Why kb misses: each question kb does not rank first, by what its first page has.

    python bench/relevance/losses.py RUN.json [--list]

``RUN.json`` from ``evaluate.py --json`` (the corpora's indexes in ``.cache`` as that run
left them). Each miss is put in one class, first match wins:

- platform twin: kb's first page has the labelled page's file name in another folder;
- command family: (tldr) the two file names share the part before the first ``-``;
- vocabulary: the labelled page uses fewer of the question's content words (stemmed as
  kb stems them) than kb's first page;
- same words: both use as many (a matter of weighting: depth, length, repetition);
- more words, ranked lower: the labelled page uses more of them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from evaluate import CACHE, SETS


def page_terms() -> dict[str, set[str]]:
    """Each indexed page's terms, from the documents kb keeps for rebuilds."""
    found = {}
    from levers import kept_entries

    for kept in CACHE.glob("*/.kb/index/documents.marshal"):
        entries = kept_entries(kept)
        for path, (_, _, values) in entries.items():
            found[path] = set(str(values[0]).split())
    return found


def classify(question: dict, terms: dict[str, set[str]]) -> str:
    from kbcli.adapters.text_analysis import Analysis
    from kbcli.core.languages import content_words

    if not question["kb_top"]:
        return "no result"
    top, expect = question["kb_top"][0], question["expect"]
    if top.rsplit("/", 1)[-1] == expect.rsplit("/", 1)[-1]:
        return "platform twin"
    a, b = (Path(p).stem.split("-")[0] for p in (top, expect))
    if a == b and "-" in Path(top).stem + Path(expect).stem and SETS[question["set"]][0] == "tldr":
        return "command family"
    lang = SETS[question["set"]][1]
    words = [set(Analysis().terms(lang, w)) for w in content_words(question["q"].split())]
    has = {p: sum(1 for w in words if w & terms.get(p, set())) for p in (top, expect)}
    if has[expect] < has[top]:
        return "vocabulary"
    return "same words" if has[expect] == has[top] else "more words, ranked lower"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--list", action="store_true", help="print each miss")
    args = parser.parse_args(argv)
    questions = json.loads(args.run.read_text(encoding="utf-8"))["questions"]
    terms = page_terms()
    counts: dict[str, Counter[str]] = {}
    for q in questions:
        if q["kb"] == 1:
            continue
        kind = classify(q, terms)
        counts.setdefault(q["set"], Counter())[kind] += 1
        if args.list:
            print(f"{q['set']} | {kind} | kb {q['kb']} bm25 {q.get('bm25')} | {q['q']}")
    for name, found in sorted(counts.items()):
        print(
            f"{name}: {sum(found.values())} misses: "
            + ", ".join(f"{k} {n}" for k, n in found.most_common())
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
