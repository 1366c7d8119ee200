"""Python values as YAML text that every reader gets back as the same value.

The writing half of the surgical editor (``frontmatter_edit``): one-line (flow) forms
for scalars and lists of scalars, block lines for mappings and lists of mappings,
quoted only where PyYAML's YAML 1.1 rules would read the plain form as something else.

Pure and stdlib only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TypeAlias

Scalar: TypeAlias = str | int | float | bool | date | datetime | None
Item: TypeAlias = Scalar | Sequence[Scalar]
YamlValue: TypeAlias = Scalar | Sequence[Scalar] | Sequence[Mapping[str, Item]] | Mapping[str, Item]

INDENT = "  "
KEY_OK = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")

# Plain scalars YAML readers would turn into something other than a string.
_RESERVED_WORDS = frozenset(
    {"null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", "<<", "="}
)
_NUMBER_LIKE = re.compile(r"[-+]?(?:\.?[0-9]|\.(?:inf|nan)\Z)", re.IGNORECASE)
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_SPECIAL = frozenset(",[]{}?:")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def format_value(value: YamlValue, quote: str | None = None) -> str:
    """The one-line YAML form of ``value`` as ``set_field`` writes it after ``key:``.

    ``quote`` (``'`` or ``"``) asks for that quote style when ``value`` is a string,
    which is how ``set_field`` keeps a card's quoting. Values that need block style (a
    non-empty list of mappings or mapping) raise ``ValueError``.
    """
    inline, block = render(value, quote)
    if block:
        raise ValueError(f"{type(value).__name__} value needs block style, not one line")
    return inline


def render(value: object, quote: str | None) -> tuple[str, list[str]]:
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
    if not isinstance(key, str) or not KEY_OK.match(key):
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
