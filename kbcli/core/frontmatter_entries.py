"""The structure of a front-matter header as text: its lines, key lines and entries.

This is the reading half of the surgical editor (``frontmatter_edit``): it finds where
one top-level entry starts and ends without a YAML library, following the rules in
that module's docstring. Where the header itself starts and ends is
``core.front_matter``'s grammar, the one every reader uses.

Pure and stdlib only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from kbcli.core import front_matter

_KEY_LINE = re.compile(
    r"""(?:"(?P<dq>[^"\\]*)"|'(?P<sq>[^']*)'|(?P<plain>[^\s#"'?:,\[\]{}&*!|>%@`-][^\n]*?))"""
    r"""[ \t]*:(?=[ \t]|\Z)"""
)
_PROPERTIES = re.compile(r"(?:[&!]\S*(?:[ \t]+|\Z))*")
BLOCK_HEADER = re.compile(r"[|>](?P<a>[1-9])?[+-]?(?P<b>[1-9])?\Z")
NESTED_BLOCK_HEADER = re.compile(
    r"(?:^[ \t]*-|:)[ \t]+(?:[&!]\S*[ \t]+)*[|>][1-9+-]{0,2}[ \t]*(?:#.*)?\Z"
)


# --------------------------------------------------------------------------- lines


@dataclass(frozen=True)
class Line:
    """One physical line: where it starts in the text and its text with line ending."""

    start: int
    raw: str

    @property
    def end(self) -> int:
        return self.start + len(self.raw)

    @property
    def body(self) -> str:
        """The line without its ``\\n`` or ``\\r\\n`` ending."""
        body = self.raw[:-1] if self.raw.endswith("\n") else self.raw
        return body[:-1] if body.endswith("\r") else body


def iter_lines(text: str, start: int) -> Iterator[Line]:
    """Split on ``\\n`` only: str.splitlines would also split on U+2028, FF and friends."""
    pos = start
    while pos < len(text):
        cut = text.find("\n", pos)
        end = len(text) if cut < 0 else cut + 1
        yield Line(pos, text[pos:end])
        pos = end


def newline_of(line: Line | None) -> str:
    return "\r\n" if line is not None and line.raw.endswith("\r\n") else "\n"


# --------------------------------------------------------------------------- front matter


@dataclass(frozen=True)
class FrontMatter:
    """The opening fence, the header lines and the closing fence, in file order."""

    lines: list[Line]

    @property
    def closing(self) -> Line:
        return self.lines[-1]

    @property
    def newline(self) -> str:
        """New lines follow the fence's style so a CRLF card stays CRLF throughout."""
        return newline_of(self.lines[0])


def find_front_matter(text: str) -> FrontMatter | None:
    """Locate the front matter, or None when the file does not start with ``---``.

    Where it starts and ends is ``core.front_matter``'s grammar, the one every reader uses.
    """
    span = front_matter.locate(text)
    if span is None:
        return None
    if not span.closed:
        raise ValueError(
            "front matter opened with '---' on line 1 is never closed by a '---' or '...' line"
        )
    return FrontMatter(list(iter_lines(text[: span.body], span.fence)))


# --------------------------------------------------------------------------- key lines


@dataclass(frozen=True)
class Head:
    """A parsed ``key: value  # comment`` line.

    ``lead`` is the whitespace between the colon and the value; ``gap`` the whitespace
    before the comment (when there is no value, all whitespace after the colon).
    ``open_quote`` and ``depth`` say whether a quoted or flow value is still open at
    the end of the line, i.e. continues on the next lines.
    """

    name: str
    prefix: str
    lead: str
    value: str
    gap: str
    comment: str
    open_quote: str | None
    depth: int

    @property
    def core(self) -> str:
        """The value without leading anchors and tags (``&a``, ``!!str``)."""
        match = _PROPERTIES.match(self.value)
        return self.value[match.end() :] if match else self.value

    @property
    def quote(self) -> str | None:
        return self.core[0] if self.core[:1] in ("'", '"') else None

    @property
    def block_header(self) -> re.Match[str] | None:
        return BLOCK_HEADER.match(self.core)


def parse_head(body: str) -> Head | None:
    """Parse a column-0 key line, or None when the line is not ``key:`` at column 0."""
    match = _KEY_LINE.match(body)
    if match is None:
        return None
    name = match["dq"] if match["dq"] is not None else match["sq"]
    if name is None:
        name = match["plain"].rstrip(" \t")
    rest = body[match.end() :]
    cut, open_quote, depth = _scan(rest, None, 0)
    comment = "" if cut is None else rest[cut:]
    before = rest if cut is None else rest[:cut]
    value = before.strip(" \t")
    lead = before[: len(before) - len(before.lstrip(" \t"))] if value else ""
    gap = before[len(lead) + len(value) :]
    return Head(name, match[0], lead, value, gap, comment, open_quote, depth)


def _scan(text: str, quote: str | None, depth: int) -> tuple[int | None, str | None, int]:
    """Follow quotes and flow brackets through one line of a value.

    Returns where a comment starts (None if none) and the quote and bracket depth still
    open at the end of the line. A quote only opens a scalar where a token starts (at
    the start of the value or after ``[ { ,`` or ``: `` inside a flow collection), so
    the apostrophe in ``rock 'n roll`` is just a character.
    """
    at_token, i = quote is None, 0
    while i < len(text):
        ch = text[i]
        if quote is not None:
            i, quote, at_token = _scan_quoted(text, i, quote)
            continue
        if ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return i, None, depth
        if at_token and ch in "&!":
            i = _skip_property(text, i)
            continue
        at_token, quote, depth = _after_char(text, i, at_token, depth)
        i += 1
    return None, quote, depth


def _scan_quoted(text: str, i: int, quote: str) -> tuple[int, str | None, bool]:
    """Step over one character inside a quoted scalar (escapes, doubled single quotes)."""
    ch = text[i]
    if quote == '"' and ch == "\\":
        return i + 2, quote, False
    if ch != quote:
        return i + 1, quote, False
    if quote == "'" and text[i + 1 : i + 2] == "'":
        return i + 2, quote, False
    return i + 1, None, False


def _skip_property(text: str, i: int) -> int:
    """Skip an anchor or tag; the token it decorates starts after the next space."""
    while i < len(text) and text[i] not in " \t":
        i += 1
    return i


def _after_char(text: str, i: int, at_token: bool, depth: int) -> tuple[bool, str | None, int]:
    """State after reading the unquoted character ``text[i]``: (at_token, quote, depth)."""
    ch = text[i]
    nxt = text[i + 1 : i + 2]
    if ch in " \t":
        return at_token, None, depth
    if at_token and ch in "'\"":
        return False, ch, depth
    if at_token and ch in "[{":
        return True, None, depth + 1
    if depth and ch in "]}":
        return False, None, depth - 1
    if depth and (ch == "," or (ch == ":" and nxt in ("", " ", "\t"))):
        return True, None, depth
    return False, None, depth


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Entry:
    """A top-level entry: lines ``first`` up to (not including) ``end``."""

    lines: list[Line]
    first: int
    end: int
    head: Head

    @property
    def span(self) -> tuple[int, int]:
        return self.lines[self.first].start, self.lines[self.end - 1].end


def find_entry(front: FrontMatter, key: str) -> Entry | None:
    """The entry of ``key``; duplicates are refused because YAML readers disagree on them."""
    found = [entry for entry in entries(front) if entry.head.name == key]
    if len(found) > 1:
        where = " and ".join(str(entry.first + 1) for entry in found)
        raise ValueError(f"front-matter key {key!r} appears more than once (lines {where})")
    return found[0] if found else None


def entries(front: FrontMatter) -> Iterator[Entry]:
    """Walk the header entry by entry, so lines inside one value never start another."""
    lines, stop, i = front.lines, len(front.lines) - 1, 1
    while i < stop:
        head = parse_head(lines[i].body)
        if head is None:
            i += 1
            continue
        end = _entry_end(lines, i, stop, head)
        yield Entry(lines, i, end, head)
        i = end


def _entry_end(lines: list[Line], first: int, stop: int, head: Head) -> int:
    """Index just past the last line that belongs to the entry starting at ``first``."""
    j, quote, depth = first + 1, head.open_quote, head.depth
    while (quote is not None or depth) and j < stop:
        _, quote, depth = _scan(lines[j].body, quote, depth)
        j += 1
    if quote is not None or depth:
        raise ValueError(f"front-matter value of {head.name!r} on line {first + 1} is never closed")
    return _continuation_end(lines, j, stop, head)


def _continues(body: str, dash_allowed: bool) -> bool:
    """Whether a line can still belong to the current top-level entry."""
    if not body or body[0] in " \t#":
        return True
    return dash_allowed and body[0] == "-" and body[1:2] in ("", " ", "\t")


def _continuation_end(lines: list[Line], j: int, stop: int, head: Head) -> int:
    """Extend the entry over continuation lines, then leave out trailing comments/blanks.

    ``scalar`` is the least indentation of block-scalar content while one is open
    (``known`` says whether it came from the first content line or an explicit
    indentation indicator), so ``#`` lines inside ``|`` text stay content.
    """
    header = head.block_header
    scalar, known = _scalar_start(header)
    dash_allowed = head.core == ""
    end = j
    while j < stop and _continues(lines[j].body, dash_allowed):
        body = lines[j].body
        stripped = body.lstrip(" \t")
        j += 1
        if not stripped:
            continue
        indent = len(body) - len(stripped)
        if scalar is not None and indent >= scalar:
            scalar, known, end = (scalar if known else indent), True, j
            continue
        scalar = None
        if stripped.startswith("#"):
            continue
        end = j
        if NESTED_BLOCK_HEADER.search(body):
            scalar, known = indent + 1, False
    return end


def _scalar_start(header: re.Match[str] | None) -> tuple[int | None, bool]:
    """Least content indentation for a top-level block scalar, and whether it is exact."""
    if header is None:
        return None, False
    digit = header["a"] or header["b"]
    return (int(digit), True) if digit else (1, False)
