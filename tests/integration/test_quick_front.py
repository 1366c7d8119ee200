"""The quick front-matter reader must never disagree with YAML on what it accepts."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli.adapters.yaml_text import load_yaml
from kbcli.core.cards import Position, parse_meta
from kbcli.core.quick_front import quick_front
from tests.helpers import EXAMPLE_KB

TODAY = date(2026, 11, 22)
KEYS = ["title", "owner", "verified_at", "verify_every", "tags", "status", "lang", "launch"]
WORDS = st.sampled_from(
    [
        "billing",
        "Ana Souza",
        "2026-10-01",
        "2026-9-1",
        "2026-09-14T16:20:00Z",
        "3m",
        "never",
        "yes",
        "no",
        "on",
        "null",
        "~",
        "12",
        "1.5",
        "0x1F",
        "true",
        "a: b",
        "x #y",
        "#c",
        "'q'",
        '"d q"',
        "it's",
        "[a, b]",
        "[]",
        "[1, 2]",
        "Сброс пароля",
        "איפוס",
        "-dash",
        "a,b",
        "",
        "2026-10-01 10:00:00",
        "'2026-10-01'",
        "&anchor",
        "*ref",
        "|",
        ">",
        "@at",
        "`tick`",
    ]
)


def meta_of(raw: dict) -> object:
    return parse_meta(raw, Position(), path="a.md", body="", today=TODAY)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KEYS), WORDS), max_size=8))
def test_quick_reader_agrees_with_yaml_whenever_it_answers(pairs):
    front = "".join(f"{key}: {value}\n" for key, value in pairs)
    quick = quick_front(front)
    if quick is None:
        return
    full, problem = load_yaml(front)
    assert problem is None, f"quick reader accepted what YAML rejects: {front!r}"
    assert meta_of(quick) == meta_of(full or {}), front


def test_every_example_card_reads_the_same_both_ways():
    answered = 0
    for path in EXAMPLE_KB.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            continue
        front = text.split("---\n")[1]
        quick = quick_front(front)
        if quick is not None:
            answered += 1
            assert meta_of(quick) == meta_of(load_yaml(front)[0]), path
    assert answered > 10


def test_a_line_read_before_reads_the_same_and_each_card_gets_its_own_list():
    """Header lines are kept as read (most repeat from card to card): a second card with
    the same lines gets equal values, its lists its own, and a duplicated key still
    sends the header to YAML."""
    front = "title: One\ntags: [a, b]\nstatus: published\n\nowner: ann\n"
    first, second = quick_front(front), quick_front(front)
    assert (
        first
        == second
        == {
            "title": "One",
            "tags": ["a", "b"],
            "status": "published",
            "owner": "ann",
        }
    )
    assert first is not None and second is not None
    first["tags"].append("c")
    assert second["tags"] == ["a", "b"]
    assert quick_front(front)["tags"] == ["a", "b"]
    assert quick_front("status: published\nstatus: published\n") is None
    assert quick_front("title: x: y\n") is None  # nested: YAML's
    assert quick_front("title: x: y\n") is None  # and again, from what was kept


def test_lines_kept_are_bounded(monkeypatch):
    from kbcli.core import quick_front as module

    monkeypatch.setattr(module, "_READ_MAX", 3)
    monkeypatch.setattr(module, "_READ", {})
    for n in range(10):
        assert quick_front(f"title: card {n}\nstatus: draft\n") == {
            "title": f"card {n}",
            "status": "draft",
        }
        assert len(module._READ) <= 3
