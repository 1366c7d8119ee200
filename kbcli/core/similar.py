"""Which existing cards look like a new question: a small word-overlap ranking.

This is capture's fallback duplicate check, used when the search index is not
available. Title words count more than body words, words that appear in many
cards count less (an IDF weight), and only cards sharing a real share of the
question's words are proposed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from kbcli.core.cards import Card, Status

_WORD = re.compile(r"\w+", re.UNICODE)
_STOP_WORDS = """a an and are as at be but by can do does for from has have how i if in is it its
    me my no not of on or our so that the their them then there they this to was we
    were what when where which who why will with you your hi hey hello thanks please
    any anyone know get got just one some also would could should about into after"""
STOP = frozenset(_STOP_WORDS.split())
TITLE_WEIGHT = 3.0
MIN_SCORE = 0.08
RELATIVE = 0.5  # never propose a card scoring under half the best one


@dataclass(frozen=True)
class Match:
    path: str
    title: str
    score: float


def words(text: str) -> set[str]:
    """Lower-cased words of at least 3 characters, stop words dropped, crude plural folding."""
    found = set()
    for word in _WORD.findall(unicodedata.normalize("NFKC", text).casefold()):
        if len(word) < 3 or word in STOP or word.isdigit():
            continue
        found.add(word[:-1] if len(word) > 4 and word.endswith("s") else word)
    return found


def rank(text: str, cards: Sequence[Card], limit: int = 5) -> list[Match]:
    """Cards most like ``text``, best first; archived cards are never proposed."""
    query = words(text)
    live = [c for c in cards if c.meta.status is not Status.ARCHIVED]
    if not query or not live:
        return []
    docs = [
        (card, words(card.title + " " + " ".join(card.meta.aliases)), words(card.body))
        for card in live
    ]
    frequency: dict[str, int] = {}
    for _card, title, body in docs:
        for word in (title | body) & query:
            frequency[word] = frequency.get(word, 0) + 1
    weight = {w: math.log(1 + len(docs) / (1 + frequency.get(w, 0))) for w in query}
    total = sum(weight.values()) * TITLE_WEIGHT or 1.0
    matches = []
    for card, title, body in docs:
        score = sum(weight[w] * TITLE_WEIGHT for w in query & title)
        score += sum(weight[w] for w in (query & body) - title)
        score /= total
        if score >= MIN_SCORE:
            matches.append(Match(card.path, card.title, round(score, 3)))
    matches.sort(key=lambda m: (-m.score, m.path))
    if matches:
        floor = matches[0].score * RELATIVE
        matches = [m for m in matches if m.score >= floor]
    return matches[:limit]
