"""One front-matter grammar: every entry point reads the same generated file the same way.

The card reader, the quick reader, the history pass (text and git-blob bytes) and the
surgical editor used to carry their own fences and key patterns; a byte order mark, a
CRLF card or a tab before a comment made them disagree. Hypothesis feeds the same
files to all of them.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbcli.adapters.blob_batch import summarise
from kbcli.adapters.card_files import card_from_bytes, split_front_matter
from kbcli.adapters.yaml_text import load_yaml
from kbcli.core import front_matter
from kbcli.core.frontmatter_edit import field_line, remove_field
from kbcli.core.history import front_fields, scalar, split_fields
from kbcli.core.quick_front import quick_front

WORDS = st.sampled_from(["draft", "ana", "2026-01-31", "30d", "a b", "x-y", "published", "é"])
KEYS = st.sampled_from(["title", "owner", "status", "verified_at", "tags", "note", "x_y"])
SPACE = st.sampled_from([" ", "  ", "\t", " \t"])


@st.composite
def key_line(draw: st.DrawFn) -> list[str]:
    """One top-level entry: a key line and maybe continuation lines."""
    key, value = draw(KEYS), draw(WORDS)
    form = draw(st.sampled_from(["plain", "comment", "quoted", "flow", "block", "scalar"]))
    if form == "plain":
        return [f"{key}:{draw(SPACE)}{value}"]
    if form == "comment":
        return [f"{key}:{draw(SPACE)}{value}{draw(SPACE)}# {draw(WORDS)}"]
    if form == "quoted":
        return [f'{key}: "{value}"']
    if form == "flow":
        return [f"{key}: [{value}, {draw(WORDS)}]"]
    if form == "block":
        return [f"{key}:", f"  - {value}", f"  - {draw(WORDS)}"]
    header = draw(st.sampled_from(["|", "|+", "|-", ">", ">+", "|2"]))
    return [f"{key}: {header}", f"  {value}", "", f"  {draw(WORDS)}"]


@st.composite
def card_file(draw: st.DrawFn) -> str:
    entries = draw(st.lists(key_line(), max_size=6, unique_by=lambda e: e[0].split(":")[0]))
    lines = ["---" + draw(st.sampled_from(["", " ", "\t"]))]
    for entry in entries:
        lines += entry
        if draw(st.booleans()):
            lines.append(draw(st.sampled_from(["", "# a comment", "  ", "   "])))
    closed = draw(st.sampled_from(["---", "...", "--- ", None]))
    if closed is not None:
        lines.append(closed)
    lines += ["# Body", "", draw(WORDS)]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", front_matter.BOM]))
    return bom + newline.join(lines) + draw(st.sampled_from(["", newline]))


def _yaml(front: str) -> dict[str, Any]:
    raw, problem = load_yaml(front)
    assert problem is None, problem
    return raw or {}


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(card_file())
def test_every_entry_point_reads_the_same_header(text: str) -> None:
    data = text.encode("utf-8")
    card = card_from_bytes("c.md", data)
    split = split_front_matter(text)
    fields, body = split_fields(text)
    summary_front = summarise(data)[0]
    assert split is not None
    front, card_body, body_line = split
    if body_line == 0:  # unclosed: every reader refuses the header
        assert fields == {} and summary_front is None
        assert card.problems and card.problems[0].rule == "unclosed-front-matter"
        with pytest.raises(ValueError):
            field_line(text, "title")
        return
    # Text and bytes agree on where the header is, and on the body.
    assert summary_front is not None
    assert front_fields(summary_front.decode("utf-8")) == fields
    assert body == card_body == card.body
    parsed = _yaml(front)
    assert set(fields) == set(parsed) == {k for k, _, _ in front_matter.key_lines(front)}
    for key in parsed:
        # The editor finds each key on the line the card reader reports.
        assert field_line(text, key) == card.position.lines[key]
    quick = quick_front(front)
    if quick is not None:
        assert quick == parsed
    for key, value in parsed.items():
        if isinstance(value, str) and "\n" not in value:
            assert scalar(fields[key]) == value.strip()
    assert not [p for p in card.problems if p.rule == "yaml-syntax"]


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(card_file(), KEYS)
def test_removing_a_key_leaves_the_others_as_yaml_read_them(text: str, key: str) -> None:
    split = split_front_matter(text)
    if split is None or split[2] == 0:
        return
    before = _yaml(split[0])
    after_text = remove_field(text, key)
    after = split_front_matter(after_text)
    assert after is not None
    assert _yaml(after[0]) == {k: v for k, v in before.items() if k != key}
    assert after[1] == split[1]


def test_a_tab_before_a_comment_is_a_comment_for_every_reader() -> None:
    text = "---\ntitle: T\nstatus: draft\t# not ready\nowner:\tana\t# x\n---\nbody\n"
    card = card_from_bytes("c.md", text.encode())
    assert card.meta.status == "draft"  # was read as an unknown status: published
    assert card.meta.owner == "ana"
    fields, _ = split_fields(text)
    assert scalar(fields["status"]) == "draft" and scalar(fields["owner"]) == "ana"


def test_a_byte_order_mark_does_not_hide_the_header_from_the_history_pass() -> None:
    text = "\ufeff---\r\nowner: ana\r\nverified_at: 2026-01-02\r\n---\r\nbody\r\n"
    fields, body = split_fields(text)
    assert fields == {"owner": "ana", "verified_at": "2026-01-02"} and body == "body\r\n"
    summary_front = summarise(text.encode("utf-8"))[0]
    assert summary_front is not None and b"verified_at" in summary_front
