"""Snippets: the passage of a card that best matches a query, with the matches marked."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kbcli.core.languages import WORD


@dataclass(frozen=True)
class Snippet:
    """A passage of a card with the character ranges that matched the query."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()


def _passages(text: str) -> list[tuple[int, int]]:
    """Candidate passages: non-empty lines (paragraphs and list items) as (start, end)."""
    spans = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip() and not line.lstrip().startswith(("```", "---", "|---")):
            spans.append((start, end))
        start = end + 1
    return spans


def make_snippet(
    text: str, matches: Callable[[str], bool], width: int = 160, skip_headings: bool = True
) -> Snippet:
    """The passage of ``text`` holding the most distinct matching words, cut to ``width``.

    ``matches(word)`` says whether a word of the card matches the query (after the
    card language's analysis). Falls back to the first prose line when nothing matches.
    """
    # Each distinct word is asked once, and a line none of whose words match is not
    # walked word by word: a long card's snippet cost most of a one-shot search.
    matching = {word for word in set(WORD.findall(text)) if matches(word)}
    best: tuple[float, int, int, list[tuple[int, int]]] | None = None
    for start, end in _passages(text):
        line = text[start:end]
        hits: list[tuple[int, int]] = []
        distinct: set[str] = set()
        if matching and not matching.isdisjoint(WORD.findall(line)):
            for m in WORD.finditer(line):
                if m.group() in matching:
                    hits.append((m.start(), m.end()))
                    distinct.add(m.group().lower())
        heading = line.lstrip().startswith("#")
        score = len(distinct) * 2 + len(hits) * 0.1 - (0.5 if heading and skip_headings else 0)
        if best is None or score > best[0]:
            best = (score, start, end, hits)
    if best is None:
        return Snippet("")
    _, start, end, hits = best
    return _cut(text[start:end], hits, width)


# Markdown that reads badly in a one-line snippet: emphasis, code ticks, link targets.
_MARKUP = re.compile(r"\*\*|__|`|\]\([^)\s]*\)|\[(?=[^\[\]]*\]\()|\[\[|\]\]")


def _cut(line: str, hits: list[tuple[int, int]], width: int) -> Snippet:
    """Trim a line around its first hits to ``width`` characters, keeping highlight offsets."""
    lead = len(line) - len(line.lstrip(" #>-*0123456789."))
    lo = lead
    if hits and hits[0][0] - lo > width // 3:
        lo = max(lead, hits[0][0] - width // 3)
        space = line.rfind(" ", lead, lo)
        lo = space + 1 if space > lead else lo
    hi = min(len(line), lo + width)
    if hi < len(line):
        space = line.rfind(" ", lo, hi)
        hi = space if space > lo + width // 2 else hi
    prefix = "…" if lo > lead else ""
    suffix = "…" if hi < len(line) else ""
    body = line[lo:hi]
    shifted = [(s - lo, e - lo) for s, e in hits if s >= lo and e <= hi]
    # Drop markdown emphasis markers, moving the offsets with the text.
    out: list[str] = []
    pos = 0
    for m in _MARKUP.finditer(body):
        out.append(body[pos : m.start()])
        pos = m.end()
    out.append(body[pos:])
    clean = "".join(out)

    def moved(offset: int) -> int:
        removed = 0
        for m in _MARKUP.finditer(body):
            if m.start() < offset:
                removed += min(m.end(), offset) - m.start()
        return offset - removed

    final = tuple(
        (moved(s) + len(prefix), moved(e) + len(prefix)) for s, e in shifted if moved(e) > moved(s)
    )
    return Snippet(prefix + clean + suffix, final)
