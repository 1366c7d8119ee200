"""Surgical front-matter edits: examples, value formatting, and a generated-card property.

The property test builds each card from parts, so it knows the exact text before and
after the ``verified_at`` entry and can demand byte-for-byte results.
"""

from __future__ import annotations

import json
import math
import operator
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from kbcli.core.frontmatter_edit import (
    field_line,
    field_span,
    format_value,
    remove_field,
    set_field,
)


def front(text: str) -> Any:
    """YAML data of the front matter of ``text`` (BOM and fences cut off)."""
    lines = text.lstrip("\ufeff").split("\n")
    closing = next(i for i in range(1, len(lines)) if lines[i].rstrip("\r ") in ("---", "..."))
    return yaml.safe_load("".join(line + "\n" for line in lines[1:closing])) or {}


def roundtrip(value: object) -> object:
    return yaml.safe_load(f"k: {format_value(value)}")["k"]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- examples

CARD = """\
---
# Card header, keep me
title: "Reset a password"   # shown in search
owner: ana
verified_at: 2024-01-01  # by ana
verifiers:
  - ana
  - 'bo'

# next comes status
status: published
---
# Body

verified_at: 1999-01-01
---
"""


def test_replaces_value_and_keeps_inline_comment() -> None:
    out = set_field(CARD, "verified_at", date(2026, 11, 22))
    assert out == CARD.replace(
        "verified_at: 2024-01-01  # by ana", "verified_at: 2026-11-22  # by ana"
    )


def test_keeps_comments_order_and_quoting_of_other_keys() -> None:
    out = set_field(CARD, "owner", "bo")
    assert out == CARD.replace("owner: ana\n", "owner: bo\n")
    assert front(out)["title"] == "Reset a password"


def test_block_list_becomes_flow_list_and_trailing_blank_and_comment_stay() -> None:
    out = set_field(CARD, "verifiers", ["cy", "d e", "x,y"])
    assert out == CARD.replace("verifiers:\n  - ana\n  - 'bo'\n", 'verifiers: [cy, d e, "x,y"]\n')
    assert "\n\n# next comes status\nstatus" in out


def test_string_keeps_double_quotes() -> None:
    out = set_field(CARD, "title", "Reset")
    assert '\ntitle: "Reset"   # shown in search\n' in out


def test_string_keeps_single_quotes() -> None:
    text = "---\nowner: 'ana'\n---\n"
    assert set_field(text, "owner", "o'hara") == "---\nowner: 'o''hara'\n---\n"


def test_single_quotes_fall_back_to_double_for_newlines() -> None:
    text = "---\nowner: 'ana'\n---\n"
    assert set_field(text, "owner", "a\nb") == '---\nowner: "a\\nb"\n---\n'


def test_spacing_after_colon_and_quoted_key_kept() -> None:
    text = '---\n"status":   draft\n---\n'
    assert set_field(text, "status", "published") == '---\n"status":   published\n---\n'


def test_crlf_file() -> None:
    text = "---\r\ntitle: A\r\nverified_at: 2024-01-01\r\n---\r\nbody\r\n"
    out = set_field(text, "verified_at", date(2026, 11, 22))
    assert out == text.replace("2024-01-01", "2026-11-22")
    added = set_field(text, "owner", "ana")
    assert added == text.replace("---\r\nbody", "owner: ana\r\n---\r\nbody")


def test_bom_file() -> None:
    text = "\ufeff---\ntitle: A\n---\nbody\n"
    out = set_field(text, "owner", "ana")
    assert out == "\ufeff---\ntitle: A\nowner: ana\n---\nbody\n"
    assert field_line(out, "owner") == 3


def test_missing_key_inserted_before_closing_fence() -> None:
    out = set_field(CARD, "lang", "en")
    assert out == CARD.replace("status: published\n---\n", "status: published\nlang: en\n---\n", 1)


def test_closing_fence_with_dots_and_trailing_spaces() -> None:
    text = "---  \ntitle: A\n...   \nbody\n"
    assert set_field(text, "owner", "ana") == "---  \ntitle: A\nowner: ana\n...   \nbody\n"


def test_no_front_matter() -> None:
    assert set_field("# Title\n", "owner", "ana") == "---\nowner: ana\n---\n# Title\n"
    assert set_field("", "owner", "ana") == "---\nowner: ana\n---\n"
    crlf = set_field("\ufeff# T\r\nx\n", "owner", "ana")
    assert crlf == "\ufeff---\r\nowner: ana\r\n---\r\n# T\r\nx\n"


def test_unclosed_front_matter_is_refused() -> None:
    with pytest.raises(ValueError, match="never closed"):
        set_field("---\ntitle: A\nbody\n", "owner", "ana")


def test_bad_key_and_bad_value_are_refused() -> None:
    with pytest.raises(ValueError, match="not a plain key"):
        set_field(CARD, "a: b", "x")
    with pytest.raises(ValueError, match="cannot write"):
        set_field(CARD, "owner", object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="nested lists"):
        set_field(CARD, "owner", [["a"]])  # type: ignore[arg-type]
    assert set_field(CARD, "owner", "ana") == CARD


def test_duplicate_key_is_refused() -> None:
    with pytest.raises(ValueError, match="more than once"):
        set_field("---\na: 1\na: 2\n---\n", "a", 3)


def test_remove_field() -> None:
    out = remove_field(CARD, "verifiers")
    assert out == CARD.replace("verifiers:\n  - ana\n  - 'bo'\n", "")
    assert remove_field(CARD, "nothing") == CARD
    assert remove_field("no front matter\n", "owner") == "no front matter\n"


def test_remove_after_block_scalar_moves_indented_comments_to_column_0() -> None:
    """Cutting the entry would make the indented comments part of the ``|`` text."""
    text = "---\ndesc: |\n  one\nowner: ana\n\n  # about status\nstatus: draft\n---\n"
    out = remove_field(text, "owner")
    assert out == "---\ndesc: |\n  one\n\n# about status\nstatus: draft\n---\n"
    assert front(out) == {"desc": "one\n", "status": "draft"}


def test_block_scalar_hash_lines_are_content_but_trailing_comments_are_not() -> None:
    text = "---\ndesc: |\n  one\n  # two\n\n# about status\nstatus: draft\n---\n"
    span = field_span(text, "desc")
    assert span is not None
    assert text[span[0] : span[1]] == "desc: |\n  one\n  # two\n"
    assert remove_field(text, "desc") == "---\n\n# about status\nstatus: draft\n---\n"


def test_multiline_quoted_value_is_one_entry() -> None:
    text = '---\nt: "a\nverified_at: b"\nverified_at: 2024-01-01\n---\n'
    assert field_line(text, "verified_at") == 4
    assert set_field(text, "t", "x") == '---\nt: "x"\nverified_at: 2024-01-01\n---\n'


def test_apostrophe_in_plain_value_is_not_a_quote() -> None:
    text = "---\ntitle: rock 'n roll\nowner: ana\n---\n"
    assert set_field(text, "owner", "bo") == "---\ntitle: rock 'n roll\nowner: bo\n---\n"


def test_flags_block_list_of_mappings() -> None:
    flags: list[dict[str, str | date]] = [
        {"by": "ana", "at": date(2026, 11, 22), "reason": "Step 3: outdated"}
    ]
    out = set_field("---\ntitle: A\nflags: []  # open flags\n---\n", "flags", flags)
    assert out == (
        "---\ntitle: A\nflags:  # open flags\n"
        '  - by: ana\n    at: 2026-11-22\n    reason: "Step 3: outdated"\n---\n'
    )
    assert front(out)["flags"] == flags
    assert set_field(out, "flags", []) == "---\ntitle: A\nflags: []  # open flags\n---\n"


def test_field_span_and_line() -> None:
    span = field_span(CARD, "verifiers")
    assert span is not None
    assert CARD[span[0] : span[1]] == "verifiers:\n  - ana\n  - 'bo'\n"
    assert field_line(CARD, "verifiers") == 6
    assert field_line(CARD, "missing") is None
    assert field_span("body only\n", "owner") is None


# --------------------------------------------------------------------------- formatting

TRICKY = [
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "null",
    "~",
    "",
    " lead",
    "trail ",
    "1.0",
    "42",
    "0x1F",
    "-1",
    "+1",
    ".5",
    ".inf",
    "2024-01-01",
    "2024-01-01T10:00:00Z",
    "12:30",
    "a: b",
    "a:",
    "# x",
    "a #b",
    "a#b",
    "-",
    "- x",
    "? x",
    "[x]",
    "{x}",
    "&a",
    "*a",
    "!t",
    "|",
    ">",
    "%x",
    "@x",
    "`x`",
    "'q'",
    '"q"',
    "it's",
    'say "hi"',
    "back\\slash",
    "new\nline",
    "tab\tx",
    "\x00\x07\x1b",
    "\x7f\x85",
    "\u2028\u2029",
    "\ufeff",
    "שלום עולם",
    "Привет",
    "😀 ok",
    "日本語",
    "é",
    "...",
    "---",
    "<<",
    "=",
    "a,b",
    "a?b",
    "a:b",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_round_trip(text: str) -> None:
    assert roundtrip(text) == text
    assert roundtrip([text, "x"]) == [text, "x"]
    assert yaml.safe_load(f"k: {format_value(text, quote=chr(39))}")["k"] == text


def test_plain_strings_stay_plain_and_unicode_is_not_escaped() -> None:
    assert format_value("ana") == "ana"
    assert format_value("Step 3 is outdated") == "Step 3 is outdated"
    assert format_value("שלום") == "שלום"
    assert format_value("yes") == '"yes"'
    assert format_value("a\u0007") == '"a\\x07"'
    assert format_value("\u2028") == '"\\u2028"'
    assert format_value(["a", "b c", "d,e"]) == '[a, b c, "d,e"]'
    assert format_value([]) == "[]"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (date(2026, 11, 22), "2026-11-22"),
        (datetime(2026, 11, 22, 10, 15, tzinfo=UTC), "2026-11-22T10:15:00Z"),
        (
            datetime(2026, 11, 22, 12, 15, tzinfo=timezone(timedelta(hours=2))),
            "2026-11-22T10:15:00Z",
        ),
        (datetime(2026, 11, 22, 10, 15), "2026-11-22T10:15:00Z"),
        (datetime(2026, 11, 22, 10, 15, 0, 5, tzinfo=UTC), "2026-11-22T10:15:00.000005Z"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (7, "7"),
        (-2, "-2"),
        (1.5, "1.5"),
        (1e20, "1.0e+20"),
        (1e-7, "1.0e-07"),
        (float("inf"), ".inf"),
        (float("-inf"), "-.inf"),
    ],
)
def test_scalar_formatting(value: object, text: str) -> None:
    assert format_value(value) == text  # type: ignore[arg-type]
    loaded = roundtrip(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    assert loaded == value


def test_nan_round_trips() -> None:
    loaded = roundtrip(float("nan"))
    assert isinstance(loaded, float) and math.isnan(loaded)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_string_round_trips(text: str) -> None:
    assert roundtrip(text) == text
    assert roundtrip([text]) == [text]


# --------------------------------------------------------------------------- generated cards
# Strategies are built once at import time: building them inside a composite on every
# draw costs more than the test itself.

LETTERS = "abcxyzKLM" + "абвгдЖЯ" + "שלוםאב" + "日本語" + "😀🚀" + "éß"
WORD_CHARS = LETTERS + "0129.'/()"
ANY_CHARS = WORD_CHARS + ' "\\#:,[]{}-?!&*|>%@`'

plain = st.builds(  # words separated by single spaces, starting with a letter
    operator.add,
    st.sampled_from(LETTERS),
    st.text(WORD_CHARS + " ", max_size=12).map(lambda s: re.sub(" +", " ", s).rstrip(" ")),
)
any_text = st.text(ANY_CHARS, max_size=10)
comment = any_text.map("# ".__add__)
key_names = st.builds(operator.add, st.sampled_from("abcxyz_"), st.text("abcxyz019_", max_size=6))
single = any_text.map(lambda s: "'" + s.replace("'", "''") + "'")
double = st.text(ANY_CHARS + "\t\n", max_size=10).map(lambda s: json.dumps(s, ensure_ascii=False))
item = st.one_of(plain, single, double)
literal = st.sampled_from(["42", "-3", "1.5", "true", "no", "2024-01-01", "null", "~"])
flow = st.lists(item, max_size=3).map(lambda xs: "[" + ", ".join(xs) + "]")
gap = st.sampled_from([" ", "  "])
note = st.one_of(st.just(""), st.builds(operator.add, gap, comment))
trailer = st.lists(
    st.one_of(st.sampled_from(["", "  ", "     ", "  # indented"]), comment), max_size=3
)


@dataclass
class Shape:
    """One generated entry without its key: ``key + head``, then ``more`` lines.

    ``trailer`` are the blank and comment lines after it, which belong to what follows.
    """

    head: str
    more: list[str]
    trailer: list[str]
    inline: bool  # the key line has a value on it (so its spacing after ':' is kept)
    quote: str | None  # quote style of a string value
    comment: str  # inline comment with its leading gap, or ""
    scalar: bool = False  # block scalar: an indented comment right after it is content
    keep: bool = False  # keep chomping (|+): even an empty line right after it is content

    def lines(self, key: str) -> list[str]:
        return [key + self.head, *self.more]


def _inline_shape(sep: str, text: str, remark: str, tail: list[str]) -> Shape:
    quote = text[0] if text[0] in "'\"" else None
    return Shape(f":{sep}{text}{remark}", [], tail, True, quote, remark)


def _block_shape(
    indent: str, items: list[str], inside: str | None, remark: str, tail: list[str]
) -> Shape:
    lines = [f"{indent}- {x}" for x in items]
    if inside is not None and len(lines) > 1:
        lines.insert(1, inside)
    return Shape(f":{remark}", lines, tail, False, None, remark)


def _map_shape(subs: list[tuple[str, str]], remark: str, tail: list[str]) -> Shape:
    return Shape(f":{remark}", [f"  {k}: {v}" for k, v in subs], tail, False, None, remark)


def _scalar_shape(sep: str, header: str, body: list[str], remark: str, tail: list[str]) -> Shape:
    tail = [t.lstrip() for t in tail]  # an indented comment here would be text of the scalar
    lines = ["  " + b for b in body]
    return Shape(f":{sep}{header}{remark}", lines, tail, True, None, remark, True, "+" in header)


def _multi_shape(sep: str, first: str, last: str, tail: list[str]) -> Shape:
    return Shape(f':{sep}"{first}', [f'  {last}"'], tail, True, '"', "")


def _empty_shape(remark: str, tail: list[str]) -> Shape:
    return Shape(f":{remark}", [], tail, False, None, remark)


shapes = st.one_of(
    st.builds(_inline_shape, gap, st.one_of(plain, single, double, literal, flow), note, trailer),
    st.builds(
        _block_shape,
        st.sampled_from(["", "  "]),
        st.lists(item, min_size=1, max_size=3),
        st.sampled_from([None, "", "# inside the list"]),
        note,
        trailer,
    ),
    st.builds(
        _map_shape,
        st.lists(st.tuples(key_names, plain), min_size=1, max_size=2, unique_by=lambda t: t[0]),
        note,
        trailer,
    ),
    st.builds(
        _scalar_shape,
        gap,
        st.sampled_from(["|", ">-", "|2", "|+", ">+"]),
        st.lists(st.one_of(plain, comment), min_size=1, max_size=3),
        note,
        trailer,
    ),
    st.builds(_multi_shape, gap, plain, st.one_of(plain, plain.map("# ".__add__)), trailer),
    st.builds(_empty_shape, note, trailer),
)
others = st.lists(st.tuples(key_names, shapes), max_size=5).map(  # "_<n>" keeps keys unique
    lambda pairs: [(f"{key}_{n}", shape) for n, (key, shape) in enumerate(pairs)]
)
targets = st.one_of(
    st.none(),
    st.tuples(
        st.sampled_from(["verified_at", '"verified_at"', "'verified_at'", "verified_at "]),
        shapes,
        st.integers(0, 5),
    ),
)
BODY_LINES = st.sampled_from(
    [
        "---",
        "...",
        "verified_at: 1999-01-01",
        "title: fake",
        "# Heading",
        "",
        "- item",
        "  indented: x",
        "text with 'quotes' and \"more\"",
    ]
)
bodies = st.tuples(st.lists(st.one_of(BODY_LINES, any_text), max_size=4), st.booleans())
fences = st.tuples(st.sampled_from(["---", "...", "--- "]), st.booleans())


@dataclass
class Card:
    """A generated card cut in three: the text before, the verified_at entry, the rest."""

    before: str
    target: str  # the verified_at entry with its newline, "" when absent
    after: str
    shape: Shape | None
    key: str  # how the target key is spelled, up to the colon
    newline: str
    closing_start: int  # offset of the closing fence in the text

    @property
    def text(self) -> str:
        return self.before + self.target + self.after

    def rewritten(self, value: Any) -> str:
        """The ``verified_at`` line set_field must produce in place of the old entry."""
        shape = self.shape
        assert shape is not None
        head = shape.head[1:]
        sep = head[: len(head) - len(head.lstrip(" \t"))] if shape.inline else " "
        formatted = format_value(value, shape.quote)
        return f"{self.key}:{sep}{formatted}{shape.comment}{self.newline}"


@st.composite
def cards(draw: st.DrawFn) -> Card:
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    entries = draw(others)
    target = draw(targets)
    at = -1
    if target is not None:
        at = min(target[2], len(entries))
        entries.insert(at, (target[0], target[1]))

    def joined(lines: list[str]) -> str:
        return "".join(line + nl for line in lines)

    before = bom + "---" + draw(st.sampled_from(["", " "])) + nl
    target_text = tail = ""
    for index, (key, shape) in enumerate(entries):
        if index == at:
            target_text = joined(shape.lines(key))
            trailer = shape.trailer
            if index and entries[index - 1][1].scalar:  # see test_remove_after_block_scalar
                trailer = [line.lstrip() for line in trailer]
                if entries[index - 1][1].keep:  # blank lines before the first comment go
                    while trailer and not trailer[0]:
                        trailer.pop(0)
            tail = joined(trailer)
        elif at != -1 and index > at:
            tail += joined(shape.lines(key) + shape.trailer)
        else:
            before += joined(shape.lines(key) + shape.trailer)
    lines, cut_last = draw(bodies)
    body = joined(lines)
    if body and cut_last:
        body = body[: -len(nl)]
    fence, fence_nl = draw(fences)
    fence += nl if body or fence_nl else ""
    return Card(
        before,
        target_text,
        tail + fence + body,
        target[1] if target else None,
        target[0] if target else "verified_at",
        nl,
        len(before) + len(target_text) + len(tail),
    )


NEW_VALUES = st.one_of(
    st.dates(),
    st.datetimes(timezones=st.just(UTC)),
    st.text(max_size=12),
    st.lists(st.text(max_size=6), max_size=3),
    st.integers(),
    st.booleans(),
    st.none(),
)


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards(), NEW_VALUES)
def test_set_field_on_generated_cards(card: Card, value: Any) -> None:
    text = card.text
    old = front(text)
    out = set_field(text, "verified_at", value)
    if card.shape is None:
        at = card.closing_start
        assert out == text[:at] + f"verified_at: {format_value(value)}{card.newline}" + text[at:]
    else:
        assert out == card.before + card.rewritten(value) + card.after
    assert front(out) == {**old, "verified_at": value}


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cards())
def test_remove_field_and_span_on_generated_cards(card: Card) -> None:
    text = card.text
    old = front(text)
    out = remove_field(text, "verified_at")
    assert out == card.before + card.after
    old.pop("verified_at", None)
    assert front(out) == old
    if card.shape is None:
        assert field_span(text, "verified_at") is None
        assert field_line(text, "verified_at") is None
    else:
        assert field_span(text, "verified_at") == (
            len(card.before),
            len(card.before) + len(card.target),
        )
        assert field_line(text, "verified_at") == card.before.count("\n") + 1


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["", "\ufeff"]),
    st.sampled_from(["\n", "\r\n"]),
    st.lists(st.one_of(BODY_LINES.filter(lambda s: not s.startswith("---")), any_text), max_size=4),
    NEW_VALUES,
)
def test_set_field_without_front_matter(bom: str, nl: str, lines: list[str], value: Any) -> None:
    body = "".join(line + nl for line in lines)
    assume(not body.startswith("---"))
    out = set_field(bom + body, "verified_at", value)
    newline = nl if body else "\n"
    assert out == f"{bom}---{newline}verified_at: {format_value(value)}{newline}---{newline}{body}"
    assert front(out) == {"verified_at": value}
