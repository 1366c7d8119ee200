"""English WordNet synonyms as index terms, for an experiment (sweep.py's "wordnet" rows).

Reads the WordNet 3.0 database files a system package ships (Debian: ``wordnet-base``;
the folder holding ``index.noun`` and ``data.noun``, as ``dpkg -L wordnet-base`` lists it,
given in the environment variable ``WORDNET_DIR``); each word's first ``senses`` senses
(WordNet lists them most frequent first), every one-word lemma of those synsets, all
stemmed as kb stems English.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

POS = ("noun", "verb", "adj", "adv")


def _folder() -> Path:
    folder = os.environ.get("WORDNET_DIR")
    if not folder or not (Path(folder) / "index.noun").is_file():
        sys.exit("set WORDNET_DIR to the WordNet 3.0 dictionary folder (Debian: wordnet-base)")
    return Path(folder)


def _synsets(pos: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in (_folder() / f"data.{pos}").read_text(encoding="latin-1").splitlines():
        if line.startswith(" "):
            continue
        fields = line.split()
        count = int(fields[3], 16)
        found[fields[0]] = [fields[4 + 2 * i].lower().split("(")[0] for i in range(count)]
    return found


def synonyms(senses: int = 1) -> dict[str, set[str]]:
    """lemma -> one-word lemmas sharing one of its first ``senses`` synsets."""
    out: dict[str, set[str]] = defaultdict(set)
    for pos in POS:
        synsets = _synsets(pos)
        for line in (_folder() / f"index.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue
            fields = line.split()
            lemma, count = fields[0], int(fields[2])
            if "_" in lemma:
                continue
            for offset in fields[-count:][:senses]:
                out[lemma] |= {w for w in synsets[offset] if "_" not in w and w != lemma}
    return out


def term_synonyms(senses: int = 1) -> dict[str, set[str]]:
    """The same in kb's English index terms (Snowball stems): term -> terms."""
    import Stemmer

    stem = Stemmer.Stemmer("english").stemWord
    out: dict[str, set[str]] = defaultdict(set)
    for lemma, others in synonyms(senses).items():
        term = stem(lemma)
        out[term] |= {stem(w) for w in others} - {term}
    return dict(out)
