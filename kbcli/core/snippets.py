"""Snippets: the passage of a card that best matches a query, with the matches marked."""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
import re
from collections.abc import Callable
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
    the caller keeps them. Falls back to the first prose line when nothing matches.
    """
    if words is None:
        words = frozenset(WORD.findall(text))
    if select is not None:
        matching = select(words)
    else:
        matching = {word for word in words if matches is not None and matches(word)}
    tokens = _tokens(matching)
    lines = _matching_lines(text, tokens) if tokens is not None else {}
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
    text: str, tokens: re.Pattern[str]
) -> dict[int, tuple[int, list[tuple[int, int]]]]:
    """The passages (as ``_passages`` has them) that hold a match: start -> (end, matches
    as offsets in the line). One regex pass over the whole text: a match never crosses
    a line (the words are word characters), and only the lines it lands on are looked at.
    """
    lines: dict[int, tuple[int, list[tuple[int, int]]]] = {}
    start = end = -1
    hits: list[tuple[int, int]] | None = None
    for m in tokens.finditer(text):
        s, e = m.span()
        if (s and _LETTER.match(text, s - 1)) or _LETTER.match(text, e):
            continue  # inside a longer word: not one of the words
        if s > end:  # the first match on a new line
            start = text.rfind("\n", 0, s) + 1
            end = text.find("\n", e)
            end = len(text) if end < 0 else end
            hits = None
            if not text[start:end].lstrip().startswith(_NOT_PROSE):
                hits = lines.setdefault(start, (end, []))[1]
        if hits is not None:
            hits.append((s - start, e - start))
    return lines


_LETTER = lazy(WORD.pattern.removesuffix("+"))  # a word character (match at a position)


def _tokens(words: set[str]) -> re.Pattern[str] | None:
    """A pattern finding the words of ``words`` in a line, longest first.

    A match not bounded by non-word characters is inside a longer word and is skipped;
    that never hides a real one: the words are all word characters, so such a match
    ends inside the word it started in, and longest first means a word of the set
    that starts where a match starts is the match itself. One regex pass per line
    instead of a Python step per word: long cards' snippets were most of a search.
    """
    if not words:
        return None
    return re.compile("|".join(map(re.escape, sorted(words, key=lambda w: (-len(w), w)))))


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
