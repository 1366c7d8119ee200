"""kb search on content it did not write: the test halves of bench/relevance's judged sets.

The questions (bench/relevance/sets/) were written for the 18F handbook and the tldr-pages
bundle without copying the pages' words; each level below is a little under what the
ranking measured on the test half (bench/README.md), so a change that makes search worse
on real content fails here. The corpora come from ../shared/corpora (beside the project).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.helpers import REPO_ROOT

CORPORA = REPO_ROOT.parent / "shared" / "corpora"
# Test-half MRR@10 measured on 2026-12-07 (bench/README.md, "Issue 12 A, session 8": labels
# naming a pointer page moved to its target, labels.py; in-word mnemonics), minus a margin of
# ~0.04: 0.678, 0.520, 0.532, 0.485; "~typo": the same questions with two letters swapped in
# their longest word (bench/relevance/robustness.py), measured 0.579, 0.422, 0.482, 0.482.
# Re-measured on 2026-12-07 on the enlarged sets (bench/README.md, "session 10: enlarged judged
# sets", 60/60/43/42 test questions): 0.666, 0.510, 0.597, 0.594; "~typo" 0.590, 0.434, 0.550,
# 0.605. handbook-en and tldr-en measured under their levels and were lowered to measured minus
# ~0.04; the others measured above their levels, which are kept.
# Session 14 (pointer cards no longer put after their target, "Issue 12 A, session 14"):
# 0.666, 0.518, 0.608, 0.601; "~typo" 0.590, 0.440, 0.569, 0.609. Every level is now that
# measurement minus ~0.04.
LEVELS = {
    "handbook-en": 0.62,
    "tldr-en": 0.48,
    "tldr-ru": 0.57,
    "tldr-uk": 0.56,
    "handbook-en~typo": 0.55,
    "tldr-en~typo": 0.40,
    "tldr-ru~typo": 0.53,
    "tldr-uk~typo": 0.57,
}


def _load(name: str) -> ModuleType:
    path = REPO_ROOT / "bench" / "relevance" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"relevance_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _evaluation() -> ModuleType:
    return _load("evaluate")


@pytest.fixture(scope="module")
def evaluation() -> ModuleType:
    if not CORPORA.is_dir():
        # The corpora sit beside the project, not in it: a clean clone elsewhere has none.
        # bench/relevance/evaluate.py gives the same figures wherever they are.
        pytest.skip(f"no corpora at {CORPORA}")
    return _evaluation()


def _restore(corpus: str, evaluation: ModuleType, root: Path) -> Path:
    bundle, folders = evaluation.CORPUS_FOLDERS[corpus]
    target = root / corpus
    if not target.is_dir():
        subprocess.run(
            ["git", "clone", "-q", str(CORPORA / bundle), str(target)], check=True, timeout=300
        )
        evaluation.write_config(target, folders)
    return target


@pytest.mark.slow
@pytest.mark.parametrize("corpus", ["handbook", "tldr"])
def test_test_halves_are_answered_at_the_measured_level(
    corpus: str, evaluation: ModuleType, tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = _restore(corpus, evaluation, tmp_path_factory.mktemp("corpora"))
    try:
        rank, _ = evaluation.kb_ranker(repo)
        names = [n for n, (c, _lang) in evaluation.SETS.items() if c == corpus]
        questions = [q for n in names for q in evaluation.load_set(n) if q.half == "test"]
        # A label naming a page that only points to another (an alias, a redirect) moves
        # to the page it points to, as evaluate.py reports the sets (labels.py).
        questions = _load("labels").follow_pointers(questions, repo)
        typos = [q for q in _load("robustness").variants(questions) if q.set.endswith("~typo")]
        questions += typos
        scores, details = evaluation.evaluate(questions, {"kb": rank})
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    for name in [*names, *(f"{n}~typo" for n in names)]:
        mrr = scores["kb"][name]["mrr10"]
        misses = [(d["q"], d["kb_top"][:1]) for d in details if d["set"] == name and d["kb"] != 1]
        assert mrr >= LEVELS[name], f"{name}: MRR@10 {mrr} < {LEVELS[name]}; misses: {misses}"
