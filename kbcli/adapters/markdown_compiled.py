"""The compiled parse of a card body: markdown-it-pyrs's tree, when kb can use it.

markdown-it-pyrs (markdown-it ported to Rust) parses CommonMark, GFM tables and
strikethrough 10-15x faster than markdown-it-py, but its parser rules cannot be written
in Python. So it only parses: ``markdown_html`` writes the HTML straight from its tree,
with kb's own steps (heading ids, table alignment classes, link rewriting, Pygments).
A body that uses what only kb's markdown-it-py rules parse (wiki links, footnotes, task
lists), where the two parsers are known to differ, or that is deep or delimiter-heavy
is left to markdown-it-py: ``tree`` then returns None (and ``markdown_html`` raises
``Elsewhere`` on a tree it does not know). The HTML is the same either way
(tests/integration/test_markdown_compiled.py compares it with markdown-it-py's on the
CommonMark and GFM spec examples and on awkward bodies; bench/render_identity.py on
every body of a repository).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# What markdown-it-pyrs does not parse as kb does: wiki links ``[[``, footnotes ``[^``,
# task-list boxes, and characters both parsers normalise differently (CR, NUL), tabs
# (column arithmetic), entities and backslashes in fence info strings (markdown_html).
_ELSEWHERE = re.compile(r"\[\[|\[\^|\[[ xX]\]|[\r\0\t]")
# markdown-it-py stops nesting at 20 levels (its maxNesting), markdown-it-pyrs does not: a
# deeper body is markdown-it-py's. And markdown-it-pyrs takes quadratic time over runs of
# emphasis or strikethrough delimiters (30,000 ``*a `` took 23 s, markdown-it-py 1.2 s) and
# is slower on thousands of link definitions: over DELIMITERS ``*``, ``_``, ``~`` or ``]:``
# (no tldr or 18F body has more than 518 of one), markdown-it-py parses the body.
MAX_DEPTH = 12
DELIMITERS = 1000

INLINE = frozenset(
    {
        *("text", "text_special", "em", "strong", "code_inline", "link", "autolink"),
        *("image", "html_inline", "hardbreak", "softbreak", "strikethrough"),
    }
)


class Elsewhere(Exception):
    """A node the direct writer does not know: markdown-it-py parses the body instead."""


@lru_cache(maxsize=1)
def _engine() -> Any:
    """markdown-it-pyrs with the CommonMark preset, tables and strikethrough; None when
    it is not installed (every body then goes to markdown-it-py)."""
    try:
        import markdown_it_pyrs
    except ImportError:
        return None
    return markdown_it_pyrs.MarkdownIt("commonmark").enable_many(["table", "strikethrough"])


def tree(body: str) -> list[Any] | None:
    """markdown-it-pyrs's top-level nodes of ``body``, or None when this body is
    markdown-it-py's to parse (kb-only syntax, known differences, delimiter floods)."""
    engine = _engine()
    if engine is None or _ELSEWHERE.search(body):
        return None
    if any(body.count(mark) > DELIMITERS for mark in ("*", "_", "~", "]:")):
        return None
    return list(engine.tree(body).children)
