"""Robustness sets: the judged questions as people really type them.

Each judged question (``sets/*.yaml``) yields one variant per way of typing it, with the
same expected page, so a drop from the judged set's own MRR@10 measures what the
variation costs:

- ``typo``: two neighbouring letters swapped in the longest word (``reimbursement`` ->
  ``reimbrusement``); a doubled pair loses one letter instead;
- ``truncated``: the question without its last word (typing stopped early);
- ``order``: the words in reverse order (keywords typed as they come to mind);
- ``case``: all in capitals (caps lock, or a pasted heading).

The edits are deterministic (no random seed to report) and blind to the pages: they come
from the question alone. Questions of one word yield only ``typo`` and ``case``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

WORD = re.compile(r"[^\W\d_]+")


def typo(query: str) -> str | None:
    """Swap the two middle letters of the longest word (delete one of a doubled pair)."""
    words = WORD.findall(query)
    longest = max(words, key=len, default="")
    if len(longest) < 4:
        return None
    middle = len(longest) // 2
    a, b = longest[middle - 1], longest[middle]
    edited = (
        longest[:middle] + longest[middle + 1 :]
        if a == b
        else longest[: middle - 1] + b + a + longest[middle + 1 :]
    )
    return query.replace(longest, edited, 1)


def truncated(query: str) -> str | None:
    words = query.split()
    return " ".join(words[:-1]) if len(words) >= 3 else None


def order(query: str) -> str | None:
    words = query.split()
    return " ".join(reversed(words)) if len(words) >= 2 else None


def case(query: str) -> str | None:
    return query.upper() if query.upper() != query else None


VARIANTS: dict[str, Callable[[str], str | None]] = {
    "typo": typo,
    "truncated": truncated,
    "order": order,
    "case": case,
}


def variants(questions: Sequence[Any]) -> list[Any]:
    """Every question's variants, as questions of the set ``<set>~<variant>``."""
    out = []
    for name, edit in VARIANTS.items():
        for q in questions:
            query = edit(q.query)
            if query is not None and query != q.query:
                out.append(replace(q, set=f"{q.set}~{name}", query=query))
    return out
