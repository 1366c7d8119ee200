"""A long text cut into pages of whole lines, for answers that must stay bounded.

An assistant's tool result goes into its context whole: a 5,000-line runbook (600,000
characters) fills it, or the client refuses the result. A page ends at a line
boundary, so a code block or a table row is never cut mid-line (a single line longer
than the page is clipped, and the page says so).
"""

from __future__ import annotations

from typing import NamedTuple


class LinePage(NamedTuple):
    """Lines ``first``..``last`` (1-based, inclusive) of a text of ``total`` lines."""

    text: str
    first: int
    last: int
    total: int
    clipped: bool  # the page's only line was longer than the page and was cut

    @property
    def complete(self) -> bool:
        return self.first == 1 and self.last >= self.total and not self.clipped


def line_page(text: str, start_line: int, max_chars: int) -> LinePage:
    """The whole lines of ``text`` from ``start_line`` on that fit in ``max_chars``
    (at least one line, clipped when it alone is longer); a start past the end gives
    an empty page whose ``first`` is that start."""
    lines = text.splitlines(keepends=True)
    total = len(lines)
    first = max(start_line, 1)
    kept: list[str] = []
    size = 0
    for line in lines[first - 1 :]:
        if kept and size + len(line) > max_chars:
            break
        kept.append(line)
        size += len(line)
    clipped = len(kept) == 1 and size > max_chars
    if clipped:
        kept[0] = kept[0][:max_chars] + "…\n"
    return LinePage("".join(kept), first, first + len(kept) - 1, total, clipped)
