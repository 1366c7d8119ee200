"""Snippets: the passage of a card that best matches a query, with the matches marked."""

# No ``from __future__ import annotations`` here: NamedTuple field types written as
# strings are compiled by typing when each class is made (~0.1 ms a class at start-up).
from collections.abc import Callable, Iterable
from typing import NamedTuple

from kbcli.core.languages import WORD
from kbcli.core.plain_line import apply_edits, markup_edits, moved_spans, open_construct


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
    # A passage is scored on the matches a reader sees (not those inside a link's target
    # or a tag), which only cleaning it tells; a passage's raw score bounds its clean one,
    # so passages are cleaned best first until none left can win: usually one or two.
    ranked = sorted(
        (
            (_score(text, start, end, hits, skip_headings), -start, end, hits)
            for start, (end, hits) in lines.items()
        ),
        reverse=True,
    )
    best: tuple[float, int, str, list[tuple[int, int]]] | None = None
    for bound, negative_start, end, hits in ranked:
        if best is not None and (best[0], best[1]) >= (bound, negative_start):
            break
        start = -negative_start
        line = text[start:end]
        edits = markup_edits(line, open_construct(text, start))
        seen = moved_spans(edits, hits)
        if not seen:
            continue
        plain = apply_edits(line, edits)
        score = _score(
            plain, 0, len(plain), seen, skip_headings, heading=_heading(text, (start, end))
        )
        if best is None or (score, negative_start) > (best[0], best[1]):
            best = (score, negative_start, plain, seen)
    if best is None:  # no passage shows a match: the first prose line (else the first line)
        return _first_line(text, width, skip_headings)
    return _cut(best[2], best[3], width)


def _score(
    text: str,
    start: int,
    end: int,
    hits: list[tuple[int, int]],
    skip_headings: bool,
    heading: bool | None = None,
) -> float:
    """More distinct matching words first, then more matches; a heading a little less."""
    distinct = {text[start + s : start + e].lower() for s, e in hits}
    if heading is None:
        heading = text[start:end].lstrip().startswith("#")
    return len(distinct) * 2 + len(hits) * 0.1 - (0.5 if heading and skip_headings else 0)


def _first_line(text: str, width: int, skip_headings: bool) -> Snippet:
    """The first passage with words to read (not a heading when headings are skipped)."""
    first = None
    for span in _passages(text):
        line = text[span[0] : span[1]]
        plain = apply_edits(line, markup_edits(line, open_construct(text, span[0])))
        if not plain.strip():
            continue
        if not skip_headings or not _heading(text, span):
            return _cut(plain, [], width)
        first = plain if first is None else first
    return _cut(first, [], width) if first is not None else Snippet("")


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


def _cut(line: str, hits: list[tuple[int, int]], width: int) -> Snippet:
    """Trim a plain line around its first hits to ``width`` characters, keeping highlight
    offsets."""
    lead = len(line) - len(line.lstrip())
    lo = lead
    if hits and hits[0][0] - lo > width // 3:
        lo = max(lead, hits[0][0] - width // 3)
        space = line.rfind(" ", lead, lo)
        lo = space + 1 if space > lead else lo
    hi = min(len(line.rstrip()), lo + width)
    if hi < len(line.rstrip()):
        space = line.rfind(" ", lo, hi)
        hi = space if space > lo + width // 2 else hi
    prefix = "…" if lo > lead else ""
    suffix = "…" if hi < len(line.rstrip()) else ""
    shift = len(prefix) - lo
    kept = tuple((s + shift, e + shift) for s, e in hits if s >= lo and e <= hi)
    return Snippet(prefix + line[lo:hi] + suffix, kept)
