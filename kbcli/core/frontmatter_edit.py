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
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeAlias

from kbcli.core import front_matter

Scalar: TypeAlias = str | int | float | bool | date | datetime | None
Item: TypeAlias = Scalar | Sequence[Scalar]
YamlValue: TypeAlias = Scalar | Sequence[Scalar] | Sequence[Mapping[str, Item]] | Mapping[str, Item]

BOM = front_matter.BOM
INDENT = "  "

_KEY_OK = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
_KEY_LINE = re.compile(
    r"""(?:"(?P<dq>[^"\\]*)"|'(?P<sq>[^']*)'|(?P<plain>[^\s#"'?:,\[\]{}&*!|>%@`-][^\n]*?))"""
    r"""[ \t]*:(?=[ \t]|\Z)"""
)
_PROPERTIES = re.compile(r"(?:[&!]\S*(?:[ \t]+|\Z))*")
_BLOCK_HEADER = re.compile(r"[|>](?P<a>[1-9])?[+-]?(?P<b>[1-9])?\Z")
_KEEP_HEADER = re.compile(r"(?:^|[ \t:-])[|>][1-9]?\+[1-9]?[ \t]*(?:#.*)?\Z")
_NESTED_BLOCK_HEADER = re.compile(
    r"(?:^[ \t]*-|:)[ \t]+(?:[&!]\S*[ \t]+)*[|>][1-9+-]{0,2}[ \t]*(?:#.*)?\Z"
)

# Plain scalars YAML readers would turn into something other than a string.
_RESERVED_WORDS = frozenset(
    {"null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", "<<", "="}
)
_NUMBER_LIKE = re.compile(r"[-+]?(?:\.?[0-9]|\.(?:inf|nan)\Z)", re.IGNORECASE)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_SPECIAL = frozenset(",[]{}?:")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


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
    _render(value, None)  # fail on unwritable values before looking at the text
    front = _find_front_matter(text)
    if front is None:
        return _prepend_front_matter(text, key, value)
    entry = _find_entry(front, key)
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
    front = _find_front_matter(text)
    entry = None if front is None else _find_entry(front, key)
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


def _neighbours(front: _FrontMatter, entry: _Entry) -> tuple[_Entry | None, int]:
    """The entry before ``entry`` and the index of the first line of the one after it."""
    previous = None
    for other in _entries(front):
        if other.first < entry.first:
            previous = other
        elif other.first > entry.first:
            return previous, other.first
    return previous, len(front.lines) - 1


def _ends_in_block_scalar(entry: _Entry) -> bool:
    """Whether the entry's value holds a block scalar (top-level or nested): trailing
    lines after it can change its text."""
    if entry.head.block_header is not None:
        return True
    return any(
        _NESTED_BLOCK_HEADER.search(line.body) for line in entry.lines[entry.first : entry.end]
    )


def _keeps_trailing_lines(entry: _Entry) -> bool:
    """Whether a block scalar of the entry keeps trailing empty lines (``|+``, ``>+``)."""
    lines = [entry.head.core, *(line.body for line in entry.lines[entry.first + 1 : entry.end])]
    return any(_KEEP_HEADER.search(line) for line in lines)


def field_span(text: str, key: str) -> tuple[int, int] | None:
    """Character offsets ``(start, end)`` of the whole entry of ``key``, or None.

    The span covers the key line and its continuation lines, newline included, and
    never the trailing blank or comment lines (see the module docstring).
    """
    _check_key(key)
    front = _find_front_matter(text)
    entry = None if front is None else _find_entry(front, key)
    return None if entry is None else entry.span


def field_line(text: str, key: str) -> int | None:
    """1-based line number of the ``key:`` line in the file, or None when absent."""
    _check_key(key)
    front = _find_front_matter(text)
    entry = None if front is None else _find_entry(front, key)
    return None if entry is None else entry.first + 1


def format_value(value: YamlValue, quote: str | None = None) -> str:
    """The one-line YAML form of ``value`` as ``set_field`` writes it after ``key:``.

    ``quote`` (``'`` or ``"``) asks for that quote style when ``value`` is a string,
    which is how ``set_field`` keeps a card's quoting. Values that need block style (a
    non-empty list of mappings or mapping) raise ``ValueError``.
    """
    inline, block = _render(value, quote)
    if block:
        raise ValueError(f"{type(value).__name__} value needs block style, not one line")
    return inline


# --------------------------------------------------------------------------- lines


@dataclass(frozen=True)
class _Line:
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


def _iter_lines(text: str, start: int) -> Iterator[_Line]:
    """Split on ``\\n`` only: str.splitlines would also split on U+2028, FF and friends."""
    pos = start
    while pos < len(text):
        cut = text.find("\n", pos)
        end = len(text) if cut < 0 else cut + 1
        yield _Line(pos, text[pos:end])
        pos = end


def _newline_of(line: _Line | None) -> str:
    return "\r\n" if line is not None and line.raw.endswith("\r\n") else "\n"


# --------------------------------------------------------------------------- front matter


@dataclass(frozen=True)
class _FrontMatter:
    """The opening fence, the header lines and the closing fence, in file order."""

    lines: list[_Line]

    @property
    def closing(self) -> _Line:
        return self.lines[-1]

    @property
    def newline(self) -> str:
        """New lines follow the fence's style so a CRLF card stays CRLF throughout."""
        return _newline_of(self.lines[0])


def _find_front_matter(text: str) -> _FrontMatter | None:
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
    return _FrontMatter(list(_iter_lines(text[: span.body], span.fence)))


def _prepend_front_matter(text: str, key: str, value: YamlValue) -> str:
    """Add a front matter block after the BOM, in the newline style of the first line."""
    bom = BOM if text.startswith(BOM) else ""
    rest = text[len(bom) :]
    newline = _newline_of(next(_iter_lines(rest, 0), None))
    entry = _entry_text(None, key, value, newline)
    return f"{bom}---{newline}{entry}---{newline}{rest}"


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not _KEY_OK.match(key):
        raise ValueError(
            f"front-matter key {key!r} is not a plain key (letters, digits, '_', '-', '.')"
        )


# --------------------------------------------------------------------------- key lines


@dataclass(frozen=True)
class _Head:
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
        return _BLOCK_HEADER.match(self.core)


def _parse_head(body: str) -> _Head | None:
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
    return _Head(name, match[0], lead, value, gap, comment, open_quote, depth)


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
class _Entry:
    """A top-level entry: lines ``first`` up to (not including) ``end``."""

    lines: list[_Line]
    first: int
    end: int
    head: _Head

    @property
    def span(self) -> tuple[int, int]:
        return self.lines[self.first].start, self.lines[self.end - 1].end


def _find_entry(front: _FrontMatter, key: str) -> _Entry | None:
    """The entry of ``key``; duplicates are refused because YAML readers disagree on them."""
    found = [entry for entry in _entries(front) if entry.head.name == key]
    if len(found) > 1:
        where = " and ".join(str(entry.first + 1) for entry in found)
        raise ValueError(f"front-matter key {key!r} appears more than once (lines {where})")
    return found[0] if found else None


def _entries(front: _FrontMatter) -> Iterator[_Entry]:
    """Walk the header entry by entry, so lines inside one value never start another."""
    lines, stop, i = front.lines, len(front.lines) - 1, 1
    while i < stop:
        head = _parse_head(lines[i].body)
        if head is None:
            i += 1
            continue
        end = _entry_end(lines, i, stop, head)
        yield _Entry(lines, i, end, head)
        i = end


def _entry_end(lines: list[_Line], first: int, stop: int, head: _Head) -> int:
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


def _continuation_end(lines: list[_Line], j: int, stop: int, head: _Head) -> int:
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
        if _NESTED_BLOCK_HEADER.search(body):
            scalar, known = indent + 1, False
    return end


def _scalar_start(header: re.Match[str] | None) -> tuple[int | None, bool]:
    """Least content indentation for a top-level block scalar, and whether it is exact."""
    if header is None:
        return None, False
    digit = header["a"] or header["b"]
    return (int(digit), True) if digit else (1, False)


def _dedent_comment(raw: str) -> str:
    stripped = raw.lstrip(" \t")
    return stripped if stripped.startswith("#") else raw


# --------------------------------------------------------------------------- writing


def _entry_text(head: _Head | None, key: str, value: YamlValue, newline: str) -> str:
    """The new entry: the old key spelling and comment around the new value."""
    inline, block = _render(value, None if head is None else head.quote)
    prefix = f"{key}:" if head is None else head.prefix
    line = prefix
    if inline:
        line += (head.lead if head is not None and head.lead else " ") + inline
    if head is not None and head.comment:
        line += (head.gap or " ") + head.comment
    return "".join(part + newline for part in (line, *block))


def _render(value: object, quote: str | None) -> tuple[str, list[str]]:
    """``(inline text, block lines)`` for a value: exactly one of the two is non-empty."""
    if isinstance(value, Mapping):
        return ("{}", []) if not value else ("", _mapping_lines(value, INDENT))
    if isinstance(value, list | tuple):
        if value and all(isinstance(item, Mapping) for item in value):
            return "", [line for item in value for line in _list_item_lines(item)]
        return _flow_list(value), []
    return _scalar(value, flow=False, quote=quote), []


def _list_item_lines(item: Mapping[object, object]) -> list[str]:
    """One ``- key: value`` item of a block sequence of mappings, indented by two."""
    if not item:
        return [f"{INDENT}- {{}}"]
    lines = _mapping_lines(item, INDENT + "  ")
    return [f"{INDENT}- {lines[0].lstrip(' ')}", *lines[1:]]


def _mapping_lines(mapping: Mapping[object, object], indent: str) -> list[str]:
    return [f"{indent}{_mapping_key(k)}: {_nested(v)}" for k, v in mapping.items()]


def _mapping_key(key: object) -> str:
    if not isinstance(key, str) or not _KEY_OK.match(key):
        raise ValueError(f"nested front-matter key {key!r} is not a plain key")
    return key


def _nested(value: object) -> str:
    """A value inside a mapping: a scalar, or a flow list of scalars."""
    if isinstance(value, list | tuple):
        return _flow_list(value)
    return _scalar(value, flow=False, quote=None)


def _flow_list(items: Sequence[object]) -> str:
    for item in items:
        if isinstance(item, Mapping | list | tuple):
            raise ValueError("kb writes lists of scalars or lists of mappings, not nested lists")
    return "[" + ", ".join(_scalar(item, flow=True, quote=None) for item in items) + "]"


def _scalar(value: object, *, flow: bool, quote: str | None) -> str:
    """YAML text of one scalar that reads back as the same Python value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return _float(float(value))
    if isinstance(value, datetime):
        return _datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _string(str.__str__(value), flow=flow, quote=quote)
    raise ValueError(f"kb cannot write a {type(value).__name__} value into front matter")


def _float(value: float) -> str:
    """YAML 1.1 floats need a dot (``1e+20`` would read as a string) and ``.inf`` forms."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def _datetime(value: datetime) -> str:
    """ISO 8601 in UTC with ``Z``; a naive datetime is taken to be UTC already."""
    if value.utcoffset() is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(f"datetime {value!r} cannot be expressed in UTC") from exc
    spec = "microseconds" if value.microsecond else "seconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def _string(text: str, *, flow: bool, quote: str | None) -> str:
    if quote == "'" and text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    if quote is None and _plain_is_safe(text, flow=flow):
        return text
    return _double_quoted(text)


def _plain_is_safe(text: str, *, flow: bool) -> bool:
    """Whether ``text`` written bare reads back as this very string."""
    if not text or not text.isprintable() or text[0] in _INDICATORS:
        return False
    if text[0] == " " or text[-1] == " " or text.endswith(":"):
        return False
    if ": " in text or " #" in text or text.lower() in _RESERVED_WORDS:
        return False
    if _NUMBER_LIKE.match(text):
        return False
    return not (flow and any(ch in _FLOW_SPECIAL for ch in text))


def _double_quoted(text: str) -> str:
    """Double-quoted YAML; non-printable characters escaped, other unicode kept as is."""
    return '"' + "".join(_escape(ch) for ch in text) + '"'


def _escape(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isprintable():
        return ch
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
