"""Set or remove one top-level front-matter field while every other byte stays put.

Why not load the YAML, change it and dump it again? A round trip through a YAML
library drops comments, reorders or requotes keys, turns CRLF into LF and loses the
byte order mark, so a one-field change becomes a diff of the whole header that a
reviewer has to re-read. Cards are written by people, so kb edits them as text: it
finds the lines of one top-level entry, replaces or deletes exactly those lines, and
writes the new value in a YAML form that every reader (PyYAML's YAML 1.1 rules
included) gets back as the same value.

Front matter is a first line ``---`` (after an optional BOM) up to the next line that
is exactly ``---`` or ``...`` (trailing spaces allowed). A top-level entry is a
column-0 ``key:`` line plus its continuation lines:

* lines that start with whitespace, and blank or column-0 comment lines in between;
* column-0 ``- `` items when the key line has no inline value (a block sequence
  written at the key's own indentation);
* every line of a quoted or flow value that opens on the key line and closes later;
* trailing blank lines and comment-only lines are *not* part of the entry: they
  describe what follows, so they stay. Inside a block scalar (``|``, ``>``) a line
  indented at least as much as its content is content even when it starts with ``#``.

Known limit: a multi-line quoted scalar nested *inside* a block collection whose last
line starts with ``#`` is taken for a trailing comment. Such a line is kept in place
rather than lost, and PyYAML then reads it as a comment.

Pure and stdlib only: no I/O and no YAML library, so it is cheap to test exhaustively.
The header is read into lines and entries by ``frontmatter_entries``; new values are
written as YAML text by ``yaml_write``.
"""

from __future__ import annotations

import re

from kbcli.core import front_matter
from kbcli.core.frontmatter_entries import (
    NESTED_BLOCK_HEADER,
    Entry,
    FrontMatter,
    Head,
    entries,
    find_entry,
    find_front_matter,
    iter_lines,
    newline_of,
)
from kbcli.core.yaml_write import KEY_OK, YamlValue, format_value, render

__all__ = [
    "BOM",
    "YamlValue",
    "field_line",
    "field_span",
    "format_value",
    "remove_field",
    "set_field",
]

BOM = front_matter.BOM

_KEEP_HEADER = re.compile(r"(?:^|[ \t:-])[|>][1-9]?\+[1-9]?[ \t]*(?:#.*)?\Z")


# --------------------------------------------------------------------------- public API


def set_field(text: str, key: str, value: YamlValue) -> str:
    """Return ``text`` with the top-level ``key`` set to ``value``.

    An existing entry is replaced in place (its key spelling, the spacing after the
    colon, an inline comment and, for strings, the quote style are kept). A missing key
    goes on a new line just before the closing fence, and a file without front matter
    gets a new front matter block, so the field always ends up where readers look.

    Raises ValueError for a key that is not a plain key, a value kb cannot write, front
    matter that is never closed, an unterminated quoted value, or a duplicated key.
    """
    _check_key(key)
    render(value, None)  # fail on unwritable values before looking at the text
    front = find_front_matter(text)
    if front is None:
        return _prepend_front_matter(text, key, value)
    entry = find_entry(front, key)
    if entry is None:
        where = front.closing.start
        return text[:where] + _entry_text(None, key, value, front.newline) + text[where:]
    start, end = entry.span
    return text[:start] + _entry_text(entry.head, key, value, front.newline) + text[end:]


def remove_field(text: str, key: str) -> str:
    """Return ``text`` without the top-level ``key`` entry; unchanged when it is absent.

    One case needs more than a cut: when the entry before ends in a block scalar
    (``|``, ``>``), the blank and comment lines after the removed entry would become
    part of that text. Those lines are made harmless: comments move to column 0,
    whitespace-only lines become empty, and under keep chomping (``|+``), where even
    an empty line is text, the empty lines before the first comment go. No other
    value changes (the generated-card property test checks this byte for byte).
    """
    _check_key(key)
    front = find_front_matter(text)
    entry = None if front is None else find_entry(front, key)
    if front is None or entry is None:
        return text
    start, end = entry.span
    previous, following = _neighbours(front, entry)
    if previous is None or not _ends_in_block_scalar(previous):
        return text[:start] + text[end:]
    released = front.lines[entry.end : following]
    keep = _keeps_trailing_lines(previous)
    kept, in_leading_blanks = [], True
    for line in released:
        if line.body.strip(" \t"):
            in_leading_blanks = False
            kept.append(_dedent_comment(line.raw))
        elif not (keep and in_leading_blanks):
            kept.append(line.raw[len(line.body) :])  # the line ending only
    return text[:start] + "".join(kept) + text[released[-1].end if released else end :]


def _neighbours(front: FrontMatter, entry: Entry) -> tuple[Entry | None, int]:
    """The entry before ``entry`` and the index of the first line of the one after it."""
    previous = None
    for other in entries(front):
        if other.first < entry.first:
            previous = other
        elif other.first > entry.first:
            return previous, other.first
    return previous, len(front.lines) - 1


def _ends_in_block_scalar(entry: Entry) -> bool:
    """Whether the entry's value holds a block scalar (top-level or nested): trailing
    lines after it can change its text."""
    if entry.head.block_header is not None:
        return True
    return any(
        NESTED_BLOCK_HEADER.search(line.body) for line in entry.lines[entry.first : entry.end]
    )


def _keeps_trailing_lines(entry: Entry) -> bool:
    """Whether a block scalar of the entry keeps trailing empty lines (``|+``, ``>+``)."""
    lines = [entry.head.core, *(line.body for line in entry.lines[entry.first + 1 : entry.end])]
    return any(_KEEP_HEADER.search(line) for line in lines)


def field_span(text: str, key: str) -> tuple[int, int] | None:
    """Character offsets ``(start, end)`` of the whole entry of ``key``, or None.

    The span covers the key line and its continuation lines, newline included, and
    never the trailing blank or comment lines (see the module docstring).
    """
    _check_key(key)
    front = find_front_matter(text)
    entry = None if front is None else find_entry(front, key)
    return None if entry is None else entry.span


def field_line(text: str, key: str) -> int | None:
    """1-based line number of the ``key:`` line in the file, or None when absent."""
    _check_key(key)
    front = find_front_matter(text)
    entry = None if front is None else find_entry(front, key)
    return None if entry is None else entry.first + 1


def _dedent_comment(raw: str) -> str:
    stripped = raw.lstrip(" \t")
    return stripped if stripped.startswith("#") else raw


def _prepend_front_matter(text: str, key: str, value: YamlValue) -> str:
    """Add a front matter block after the BOM, in the newline style of the first line."""
    bom = BOM if text.startswith(BOM) else ""
    rest = text[len(bom) :]
    newline = newline_of(next(iter_lines(rest, 0), None))
    entry = _entry_text(None, key, value, newline)
    return f"{bom}---{newline}{entry}---{newline}{rest}"


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not KEY_OK.match(key):
        raise ValueError(
            f"front-matter key {key!r} is not a plain key (letters, digits, '_', '-', '.')"
        )


def _entry_text(head: Head | None, key: str, value: YamlValue, newline: str) -> str:
    """The new entry: the old key spelling and comment around the new value."""
    inline, block = render(value, None if head is None else head.quote)
    prefix = f"{key}:" if head is None else head.prefix
    line = prefix
    if inline:
        line += (head.lead if head is not None and head.lead else " ") + inline
    if head is not None and head.comment:
        line += (head.gap or " ") + head.comment
    return "".join(part + newline for part in (line, *block))
