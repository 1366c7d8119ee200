"""Typos: how far apart two words are, and how many edits a typo of a word may have."""

from __future__ import annotations


def within_edits(a: str, b: str, limit: int) -> bool:
    """Whether ``a`` and ``b`` are at most ``limit`` edits apart.

    Edits are insertions, deletions, substitutions and swaps of two neighbouring letters
    (optimal string alignment): ``dokcer`` is one edit from ``docker``, as typed.
    """
    if abs(len(a) - len(b)) > limit:
        return False
    if a == b:
        return True
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        low = current[0]
        for j, cb in enumerate(b, 1):
            cost = previous[j - 1] + (ca != cb)
            value = min(previous[j] + 1, current[j - 1] + 1, cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, before[j - 2] + 1)
            current[j] = value
            low = min(low, value)
        if low > limit:
            return False
        before, previous = previous, current
    return previous[-1] <= limit


def typo_distance(word: str) -> int:
    """How many edits a typo of ``word`` may have: none under 4 letters, 2 from 8."""
    if len(word) < 4 or word.isdigit():
        return 0
    return 1 if len(word) < 8 else 2
