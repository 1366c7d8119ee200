"""A fast reader for the plain front matter most cards have, with YAML as the fallback.

Indexing tens of thousands of cards spends most of its time building Python objects in
the YAML library. Front matter made only of ``key: value`` and ``key: [a, b]`` lines is
read here directly; anything else (nesting, block lists, anchors, comments, multi-line
values) returns None so that the caller uses the full YAML parser and gets its exact
semantics and error positions.
"""

from __future__ import annotations

from typing import Any

from kbcli.core import front_matter
from kbcli.core.patterns import lazy

_LINE = lazy(r"^([A-Za-z_][\w\-]*):(?:[ \t]+(.*?))?[ \t]*$")
_FAIL = object()
_SPECIAL = set("{&*!|>%@`#")
_NUMBER = lazy(r"^[-+]?(\d[\d_]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^0[xo]")


def quick_front(front: str) -> dict[str, Any] | None:
    """The mapping of simple front matter; None when YAML is needed to read it right."""
    result: dict[str, Any] = {}
    for line in front.split("\n"):
        read = _READ.get(line, _FAIL)
        if read is _FAIL:
            if len(_READ) >= _READ_MAX:
                _READ.clear()
            read = _READ[line] = _line(line)
        if read is None:
            return None
        if read is _BLANK:
            continue
        key, value = read
        if key in result:
            return None
        result[key] = list(value) if type(value) is tuple else value  # a list of its own
    return result


# Header lines as read before: most lines repeat from card to card (status, owner, tags,
# cadence), and reading one was most of reading a card's header. A line read the same
# wherever it is, so its reading is kept: (key, value), lists as tuples (each card gets a
# list of its own), _BLANK, or None when the line needs YAML. Bounded: unique lines
# (titles) would otherwise pile up.
_READ: dict[str, Any] = {}
_READ_MAX = 20_000
_BLANK = object()


def _line(line: str) -> Any:
    """One header line's reading for ``_READ``."""
    line = line.rstrip("\r")
    if not line.strip():
        return _BLANK
    match = _LINE.match(line)
    if not match:
        return None
    value = _value(match.group(2) or "")
    if value is _FAIL:
        return None
    return match.group(1), tuple(value) if type(value) is list else value


def _value(text: str) -> Any:
    if text.startswith("["):
        if not text.endswith("]") or "[" in text[1:] or "]" in text[:-1]:
            return _FAIL
        inner = text[1:-1].strip()
        if not inner:
            return []
        items = [_scalar(part.strip()) for part in inner.split(",")]
        return _FAIL if any(i is _FAIL or i is None for i in items) else items
    return _scalar(text)


def _scalar(text: str) -> Any:
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    first = text[0]
    if first in "\"'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != first or first in inner or "\\" in inner:
            return _FAIL
        return inner
    if first in _SPECIAL or first in "-?:,[]" or ": " in text or text.endswith(":"):
        return _FAIL
    if front_matter.has_comment(text) or ":\t" in text:
        return _FAIL  # a comment after a space or a tab (YAML's rule), or a nested key
    if text.lower() in ("true", "false", "yes", "no", "on", "off") or _NUMBER.match(text):
        return _FAIL  # YAML booleans and numbers: let YAML decide
    return text
