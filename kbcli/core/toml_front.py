"""Hugo's TOML front matter (``+++`` ... ``+++``) as the YAML header kb reads.

kb reads one header grammar (``core/front_matter.py``): ``---`` YAML. A Hugo site often
writes its pages' headers in TOML; adopted as they are, kb saw no header, took the
``+++`` block for body text and put a second header above it. Hugo reads YAML headers
as well as TOML ones, so ``kb adopt`` converts each TOML header to YAML (a commit of
its own) and the site keeps building.

The conversion keeps every value: a header kb cannot write back exactly (a comment, a
table inside a table, a time of day without a date, a key that is not a plain word) is
left as it is, with the reason, for the team to convert by hand.

Pure and stdlib only (``tomllib``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, time

from kbcli.core.yaml_write import KEY_OK, format_value

_HEADER = re.compile(
    r"\A(?P<bom>\ufeff?)\+\+\+[ \t]*(?P<nl>\r?\n)(?P<front>.*?)\r?\n\+\+\+[ \t]*\r?(?:\n|\Z)",
    re.DOTALL,
)
_OPENING = re.compile(r"\A\ufeff?\+\+\+[ \t]*\r?(?:\n|\Z)")


def has_toml_header(text: str) -> bool:
    """The file opens with a ``+++`` line (closed or not: an unclosed one is reported)."""
    return _OPENING.match(text) is not None


def as_yaml(text: str) -> str:
    """``text`` with its TOML header written as YAML, every other byte kept.

    Raises ``ValueError`` with the reason when the header cannot be converted exactly."""
    match = _HEADER.match(text)
    if match is None:
        raise ValueError("the +++ header is never closed; add a line '+++' after the last key")
    front = match["front"]
    if _has_comment(front):
        raise ValueError("the TOML header holds a comment, which YAML would not keep where it is")
    try:
        values = tomllib.loads(front.replace("\r\n", "\n"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"the TOML header cannot be read: {exc}") from exc
    newline = match["nl"]
    lines = ["---", *_yaml_lines(values), "---"]
    return match["bom"] + newline.join(lines) + newline + text[match.end() :]


def _yaml_lines(values: Mapping[str, object]) -> list[str]:
    lines: list[str] = []
    for key, value in values.items():
        _plain_key(key)
        if isinstance(value, Mapping):
            lines.append(f"{key}:")
            lines += [f"  {_plain_key(k)}: {_one_line(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            lines.append(f"{key}:")
            for item in value:
                entries = [f"{_plain_key(k)}: {_one_line(v)}" for k, v in item.items()] or ["{}"]
                lines += [f"  - {entries[0]}", *(f"    {e}" for e in entries[1:])]
        else:
            lines.append(f"{key}: {_one_line(value)}")
    return lines


def _plain_key(key: str) -> str:
    if not KEY_OK.match(key):
        raise ValueError(f"the key {key!r} is not a plain word YAML would read the same")
    return key


def _one_line(value: object) -> str:
    """A scalar or a list of scalars; a datetime keeps its offset (the site's own zone)."""
    if isinstance(value, list):
        if any(isinstance(v, list | Mapping | time) for v in value):
            raise ValueError("the TOML header holds a list of lists or tables, kb writes neither")
        return format_value(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, time | Mapping):
        kind = "a time of day" if isinstance(value, time) else "a table inside a table"
        raise ValueError(f"the TOML header holds {kind}, which kb does not write")
    if isinstance(value, str | int | float | bool | date):
        if isinstance(value, str) and "\n" in value:
            return format_value(value, '"')
        return format_value(value)
    raise ValueError(f"the TOML header holds a {type(value).__name__} value")


def _has_comment(front: str) -> bool:
    """A ``#`` outside TOML strings (basic, literal and their multi-line forms)."""
    index, size = 0, len(front)
    while index < size:
        char = front[index]
        if char == "#":
            return True
        if char in "\"'":
            quote = char * 3 if front.startswith(char * 3, index) else char
            index = _string_end(front, index + len(quote), quote)
            continue
        index += 1
    return False


def _string_end(front: str, index: int, quote: str) -> int:
    """The offset after the string that opened before ``index`` (escapes in basic strings)."""
    while index < len(front):
        if quote[0] == '"' and front[index] == "\\":
            index += 2
            continue
        if front.startswith(quote, index):
            return index + len(quote)
        if len(quote) == 1 and front[index] == "\n":
            return index  # an unclosed one-line string: tomllib reports it
        index += 1
    return index
