"""Snippets: the passage of a card that best matches a query, with the matches marked."""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
from collections.abc import Callable, Iterable
from typing import NamedTuple

from kbcli.core.languages import WORD
from kbcli.core.patterns import lazy


class Snippet(NamedTuple):
    """A passage of a card with the character ranges that matched the query.

    A NamedTuple, not a dataclass: as cheap to make when a search starts (a dataclass
    compiles its methods then: ~0.5 ms), the same fields, repr and equality.
    """

    text: str
    highlights: tuple[tuple[int, int], ...] = ()


_NOT_PROSE = ("```", "---", "|---")  # code fences, rules, table rows: never a snippet


def _passages(text: str) -> list[tuple[int, int]]:
    """Candidate passages: non-empty lines (paragraphs and list items) as (start, end)."""
    spans = []
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip() and not line.lstrip().startswith(_NOT_PROSE):
            spans.append((start, end))
        start = end + 1
    return spans


def make_snippet(
    text: str,
    matches: Callable[[str], bool] | None = None,
    width: int = 160,
    skip_headings: bool = True,
    select: Callable[[frozenset[str]], set[str]] | None = None,
    words: frozenset[str] | None = None,
) -> Snippet:
    """The passage of ``text`` holding the most distinct matching words, cut to ``width``.

    ``matches(word)`` says whether a word of the card matches the query (after the
    card language's analysis); ``select(words)``, if given instead, says it of a set of
    words at once. ``words`` are the distinct words of ``text`` (``WORD.findall``) when
    the caller has them (all of them, or all that can match). Falls back to the first
    prose line when nothing matches.
    """
    if words is None:
        words = frozenset(WORD.findall(text))
    if select is not None:
        matching = select(words)
    else:
        matching = {word for word in words if matches is not None and matches(word)}
    lines = _matching_lines(text, matching)
    best: tuple[float, int, int, list[tuple[int, int]]] | None = None
    for start, (end, hits) in lines.items():  # in text order
        distinct = {text[start + s : start + e].lower() for s, e in hits}
        heading = text[start:end].lstrip().startswith("#")
        score = len(distinct) * 2 + len(hits) * 0.1 - (0.5 if heading and skip_headings else 0)
        if best is None or score > best[0]:
            best = (score, start, end, hits)
    if best is None:  # no line matches: the first prose line (else the first line)
        spans = _passages(text)
        if not spans:
            return Snippet("")
        prose = (s for s in spans if not skip_headings or not _heading(text, s))
        start, end = next(prose, spans[0])
        best = (0.0, start, end, [])
    _, start, end, hits = best
    return _cut(text[start:end], hits, width)


def _heading(text: str, span: tuple[int, int]) -> bool:
    return text[span[0] : span[1]].lstrip().startswith("#")


def _matching_lines(
    text: str, words: Iterable[str]
) -> dict[int, tuple[int, list[tuple[int, int]]]]:
    """The passages (as ``_passages`` has them) that hold one of ``words`` as a whole word:
    start -> (end, matches as offsets in the line), in text order. A match never crosses
    a line (the words are word characters), and only the lines it lands on are looked at.

    Each word is looked for with ``str.find`` (a C scan that skips ahead), and a find
    with a word character on either side (``str.isalnum``: ``WORD``'s class, a character
    at a time) is inside a longer word: not that word. Two
    whole-word matches never overlap, so sorting them gives the text's order. A regex of
    all the words (compiled for each card) cost more to build and to scan with than the
    finds: it stopped at every letter that starts one of them.
    """
    size = len(text)
    found: list[tuple[int, int]] = []
    for word in words:
        if not word:
            continue
        at = text.find(word)
        while at >= 0:
            after = at + len(word)
            if not ((at and text[at - 1].isalnum()) or (after < size and text[after].isalnum())):
                found.append((at, after))
            at = text.find(word, after)  # a whole word never starts inside this find
    found.sort()
    lines: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    start = end = -1
    hits: list[tuple[int, int]] | None = None
    for s, e in found:
        if s > end:  # the first match on a new line
            start = text.rfind("\n", 0, s) + 1
            end = text.find("\n", e)
            end = size if end < 0 else end
            hits = None
            if not text[start:end].lstrip().startswith(_NOT_PROSE):
                hits = lines.setdefault(start, (end, []))[1]
        if hits is not None:
            hits.append((s - start, e - start))
    return lines


# Markdown that reads badly in a one-line snippet: emphasis, code ticks, link targets.
_MARKUP = lazy(r"\*\*|__|`|\]\([^)\s]*\)|\[(?=[^\[\]]*\]\()|\[\[|\]\]")


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
    # Drop markdown emphasis markers, moving the offsets with the text (the markers found
    # once: each offset moved scanned the line again).
    marks = [m.span() for m in _MARKUP.finditer(body)]
    out: list[str] = []
    pos = 0
    for start, end in marks:
        out.append(body[pos:start])
        pos = end
    out.append(body[pos:])
    clean = "".join(out)

    def moved(offset: int) -> int:
        removed = 0
        for start, end in marks:
            if start < offset:
                removed += min(end, offset) - start
        return offset - removed

    final = tuple(
        (moved(s) + len(prefix), moved(e) + len(prefix)) for s, e in shifted if moved(e) > moved(s)
    )
    return Snippet(prefix + clean + suffix, final)
