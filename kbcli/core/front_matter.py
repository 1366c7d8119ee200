"""The one front-matter grammar: where a card's header starts and ends, and its key lines.

Every reader of cards goes through here: the card reader (text), the quick reader, the
history pass (text for ``split_fields``, bytes for git blobs) and the surgical editor.
Before this module each had its own regular expressions and they disagreed; a card
saved with a UTF-8 byte order mark was read by the card reader and invisible to the
history pass, so every history rule was silently off for it.

The grammar:

* an optional byte order mark (U+FEFF, ``EF BB BF`` in bytes), then
* an opening line ``---`` (trailing spaces or tabs and a ``\\r`` allowed), then
* header lines, up to the first line that is ``---`` or ``...`` (same trailing rule);
* without such a line the header is *unclosed*: readers report it, the history pass
  treats the whole file as body, the editor refuses to edit.

A top-level key line starts in column 0 with a plain or quoted key followed by ``:``
and a space, a tab or the end of the line. A comment starts at a ``#`` that follows a
space or a tab (YAML 1.1 and 1.2 agree on both), outside quotes.

Pure and stdlib only.
"""

# No ``from __future__ import annotations``: typing compiled FrontSpan's field types
# written as strings when the class was made.
import re
from typing import NamedTuple

from kbcli.core.patterns import lazy

BOM = "\ufeff"
BOM_BYTES = BOM.encode("utf-8")

_OPEN = r"---[ \t]*\r?(?:\n|\Z)"
_CLOSE = r"\n(?:---|\.\.\.)[ \t]*\r?(?=\n|\Z)"
_OPEN_TEXT = lazy(_OPEN)
_CLOSE_TEXT = lazy(_CLOSE)
_OPEN_BYTES = re.compile(_OPEN.encode())
_CLOSE_BYTES = re.compile(_CLOSE.encode())

KEY_LINE = lazy(
    r"""^(?:"(?P<dq>[^"\\\n]*)"|'(?P<sq>[^'\n]*)'|(?P<plain>[^\s#"'?:,\[\]{}&*!|>%@`-][^\n]*?))"""
    r"""[ \t]*:(?:[ \t]+|(?=\r?$))""",
    re.MULTILINE,
)
"""A top-level key line (``key_of`` gives the key); the value starts at ``match.end()``."""


def key_of(match: re.Match[str]) -> str:
    """The key a ``KEY_LINE`` match names, quotes removed."""
    if match["dq"] is not None:
        return match["dq"]
    if match["sq"] is not None:
        return match["sq"]
    return match["plain"].rstrip(" \t")


_COMMENT = lazy(r"[ \t\r\n]#")


class FrontSpan(NamedTuple):
    """Offsets (characters for text, bytes for bytes) of one file's front matter.

    ``fence`` is where the opening line starts (after a byte order mark), ``front`` and
    ``front_end`` bound the header lines (the last one's newline included), ``close_end``
    is the end of the closing line without its newline and ``body`` the first body
    offset. ``body_line`` is the 1-based line of the body. An unclosed header has
    ``closed`` False, ``front_end`` at the end of the file and ``body_line`` 0.

    A NamedTuple, not a dataclass: a search that looks at a dirty card's path loads this
    module, and ``dataclasses`` (with inspect, ast, dis, tokenize) cost it ~7-10 ms.
    """

    fence: int
    front: int
    front_end: int
    close_end: int
    body: int
    body_line: int

    @property
    def closed(self) -> bool:
        return self.body_line > 0


def locate(text: str) -> FrontSpan | None:
    """The front matter of a file's text; None when it does not open with ``---``."""
    fence = 1 if text.startswith(BOM) else 0
    opening = _OPEN_TEXT.match(text, fence)
    if opening is None:
        return None
    closing = _CLOSE_TEXT.search(text, opening.end() - 1)
    return _span(fence, opening.end(), closing, len(text), text.count("\n", 0, _end(closing)))


def locate_bytes(data: bytes) -> FrontSpan | None:
    """``locate`` for a file's bytes (git blobs), without decoding the body."""
    fence = len(BOM_BYTES) if data.startswith(BOM_BYTES) else 0
    opening = _OPEN_BYTES.match(data, fence)
    if opening is None:
        return None
    closing = _CLOSE_BYTES.search(data, opening.end() - 1)
    return _span(fence, opening.end(), closing, len(data), data.count(b"\n", 0, _end(closing)))


def closed_header_bytes(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """``(fence, close_end)`` of the closed front matter of the file ``data[start:end]``
    (offsets in ``data``), the ones ``locate_bytes`` gives, without copying the file,
    counting lines or building a ``FrontSpan`` (the history pass asks for every version
    of every card); None when it has none or it is never closed."""
    fence = start + 3 if data.startswith(BOM_BYTES, start, end) else start
    opening = _OPEN_BYTES.match(data, fence, end)
    if opening is None:
        return None
    closing = _CLOSE_BYTES.search(data, opening.end() - 1, end)
    return None if closing is None else (fence, closing.end())


def _end(closing: re.Match[str] | re.Match[bytes] | None) -> int:
    return closing.start() + 1 if closing is not None else 0


def _span(
    fence: int,
    front: int,
    closing: re.Match[str] | re.Match[bytes] | None,
    size: int,
    newlines_before_close: int,
) -> FrontSpan:
    if closing is None:
        return FrontSpan(fence, min(front, size), size, size, size, 0)
    close_end = closing.end()
    body = min(close_end + 1, size)
    # The closing line is line newlines+1 (it starts right after a newline).
    return FrontSpan(fence, front, closing.start() + 1, close_end, body, newlines_before_close + 2)


def split(text: str) -> tuple[str, str, int] | None:
    """``(header lines, body, first body line)``; None without front matter.

    A first body line of 0 means the header was opened but never closed (then the
    header is everything after the opening line and the body is empty).
    """
    span = locate(text)
    if span is None:
        return None
    return text[span.front : span.front_end], text[span.body :], span.body_line


def key_lines(front: str, first_line: int = 2) -> list[tuple[str, int, int]]:
    """Every top-level key of header lines with its 1-based line and value column."""
    found = []
    line, counted = first_line, 0
    for match in KEY_LINE.finditer(front):
        line += front.count("\n", counted, match.start())
        counted = match.start()
        found.append((key_of(match), line, match.end() - match.start() + 1))
    return found


def has_comment(value: str) -> bool:
    """Whether an unquoted value text carries a ``# comment`` (after a space, tab or newline)."""
    return _COMMENT.search(value) is not None


def strip_comment(value: str) -> str:
    """An unquoted value without its trailing ``# comment``, stripped."""
    hit = _COMMENT.search(value)
    return (value[: hit.start()] if hit else value).strip()
